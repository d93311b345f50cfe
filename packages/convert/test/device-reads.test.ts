// An in-memory tf.GraphModel that kept no weight bytes (tfjs streamed them) is converted from its
// weight tensors, read asynchronously: on a backend whose synchronous read answers zeros (as
// tfjs-backend-webgpu's does in headless Chromium) the SavedModel still holds the weights.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource } from '@savedmodel-js/core';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { convertTfjsModel } from '../src/index.js';
import { registerZeroReadSyncBackend, ZERO_READSYNC, zeroReadSync } from '../../trace/test/helpers/zero-readsync-backend.js';
import { f32, jconst, jnode, jt, loadTfjsGraphModel, tempDir, writeGraphModel } from './helpers.js';

const tmp = tempDir('convert-device-reads-');
beforeAll(() => registerZeroReadSyncBackend());
afterAll(async () => {
  await tf.setBackend('cpu');
  tmp.cleanup();
});

describe('in-memory graph models on a backend whose synchronous read is unreliable', () => {
  it('weights kept only as tensors are read asynchronously: the SavedModel computes x + w with w as saved', async () => {
    const dir = join(tmp.dir, 'add');
    writeGraphModel(dir, [
      jnode('x', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([4]) }),
      jconst('w', 'DT_FLOAT', [4]),
      jnode('y', 'AddV2', ['x', 'w'], { T: jt.type('DT_FLOAT') }),
    ], [{ files: [['w.bin', f32([1, 2, 3, 4])]], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }]);
    await tf.setBackend(ZERO_READSYNC);
    const gm = await loadTfjsGraphModel(dir);
    // as a GraphModel whose weights tfjs streamed: no bytes kept, only the tensors
    delete (gm as unknown as { artifacts: tf.io.ModelArtifacts }).artifacts.weightData;
    zeroReadSync.syncReads = 0;
    const sink = fileMapSink();
    await convertTfjsModel(gm as never, sink);
    expect(zeroReadSync.syncReads).toBe(0);
    gm.dispose();
    await tf.setBackend('cpu');
    const m = await loadSavedModel(fileMapSource(sink.files));
    const y = m.predict(tf.zeros([4])) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual([1, 2, 3, 4]);
  });
});
