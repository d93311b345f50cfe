// Tensors a traced function captures without making them (constants) are read after the run,
// asynchronously, on backends other than cpu and wasm: tfjs-backend-webgpu's synchronous read of
// a value on the GPU returns zeros in headless Chromium (SwiftShader) and caches them on the
// tensor. Simulated by helpers/zero-readsync-backend.ts.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorSpec, traceFunction } from '../src/index.js';
import { freezeToGraphModel, runFrozen } from './helpers/graph-runner.js';
import { registerZeroReadSyncBackend, ZERO_READSYNC, zeroReadSync } from './helpers/zero-readsync-backend.js';

const NAME = ZERO_READSYNC;

beforeAll(() => registerZeroReadSyncBackend());
afterAll(async () => { await tf.setBackend('cpu'); });

describe('captured constants on a backend whose synchronous read is unreliable', () => {
  it('are read asynchronously: the graph holds their values, and their data is released after', async () => {
    await tf.setBackend(NAME);
    const backend = tf.backend();
    // made by kernels on this backend, outside the traced function: [1, 3, 5, 7, 9, 11]
    const c = tf.tidy(() => tf.range(0, 6).mul(2).add(1));
    const refs = backend.refCount(c.dataId);
    zeroReadSync.syncReads = 0;
    const cf = await traceFunction((x: tf.Tensor) => tf.add(x, c), [tensorSpec([null, 6], 'float32', 'x')]);
    expect(zeroReadSync.syncReads).toBe(0);
    expect(backend.refCount(c.dataId)).toBe(refs);
    c.dispose();
    await tf.setBackend('cpu');
    const g = freezeToGraphModel(cf);
    try {
      const [y] = runFrozen(g, [tf.zeros([2, 6])]);
      expect(Array.from(await y!.data())).toEqual([1, 3, 5, 7, 9, 11, 1, 3, 5, 7, 9, 11]);
    } finally {
      g.model.dispose();
    }
  });

  it('a run that fails releases the data kept for them', async () => {
    await tf.setBackend(NAME);
    const backend = tf.backend();
    const c = tf.tidy(() => tf.range(0, 6).mul(2));
    const refs = backend.refCount(c.dataId);
    await expect(traceFunction((x: tf.Tensor) => { tf.add(x, c); throw new Error('boom'); }, [tensorSpec([null, 6], 'float32', 'x')])).rejects.toThrow('boom');
    expect(backend.refCount(c.dataId)).toBe(refs);
    c.dispose();
    await tf.setBackend('cpu');
  });
});
