// Graph models the faithful rebuild cannot handle go through tfjs-converter under the tracer: a
// graph model made here with Conv1D (an op tfjs-converter runs but TensorFlow's registry lacks,
// and no fusion) and uint8-quantized weights. The result says the path and why; the SavedModel
// verifies strictly and answers like tfjs-converter's GraphModel.execute at batch 1 and 3.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSavedModelError } from '@savedmodel-js/core';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { convertTfjsModel, type ConvertProgress } from '../src/index.js';
import { expectClose, f32, jconst, jnode, jt, loadTfjsGraphModel, tempDir, testValues, verifyStrict, writeGraphModel } from './helpers.js';

const tmp = tempDir('convert-fallback-');
afterAll(() => tmp.cleanup());

let modelJson: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const vals = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.9) * 0.5);
  // uint8 affine quantization of the filter: q * scale + min
  const scale = 0.01, min = -0.5;
  const q = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 101);
  const w = vals(8 * 3, 2), bias = vals(3, 3);
  const shapeBytes = new Uint8Array(new Int32Array([-1, 8]).buffer);
  const bytes = new Uint8Array(q.length + (w.length + bias.length) * 4 + 8);
  bytes.set(q, 0); bytes.set(f32(w), q.length); bytes.set(f32(bias), q.length + w.length * 4); bytes.set(shapeBytes, q.length + (w.length + bias.length) * 4);
  modelJson = writeGraphModel(join(tmp.dir, 'conv1d'), [
    jnode('x', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([-1, 5, 2]) }),
    jconst('filter', 'DT_FLOAT', [3, 2, 4]), jconst('w', 'DT_FLOAT', [8, 3]), jconst('bias', 'DT_FLOAT', [3]), jconst('shape', 'DT_INT32', [2]),
    jnode('conv', 'Conv1D', ['x', 'filter'], { stride: jt.i(2), padding: jt.str('VALID'), data_format: jt.str('NWC'), dilation: jt.i(1), T: jt.type('DT_FLOAT') }),
    jnode('relu', 'Relu', ['conv'], { T: jt.type('DT_FLOAT') }),
    jnode('flat', 'Reshape', ['relu', 'shape'], { T: jt.type('DT_FLOAT') }),
    jnode('logits', '_FusedMatMul', ['flat', 'w', 'bias'], { T: jt.type('DT_FLOAT'), num_args: jt.i(1), fused_ops: jt.strs(['BiasAdd']), transpose_a: jt.b(false), transpose_b: jt.b(false) }),
    jnode('probs', 'Softmax', ['logits'], { T: jt.type('DT_FLOAT') }),
  ], [{
    files: [['w.bin', bytes]],
    weights: [
      { name: 'filter', shape: [3, 2, 4], dtype: 'float32', quantization: { dtype: 'uint8', scale, min } },
      { name: 'w', shape: [8, 3], dtype: 'float32' }, { name: 'bias', shape: [3], dtype: 'float32' }, { name: 'shape', shape: [2], dtype: 'int32' },
    ],
  }]);
});

describe('tracing fallback for graph models', () => {
  it('Conv1D: traced, saying why; verifies strictly; answers like tfjs-converter at batch 1 and 3', async () => {
    const out = join(tmp.dir, 'saved');
    const events: ConvertProgress[] = [];
    const r = await convertTfjsModel(modelJson, out, { onProgress: (p) => events.push(p) });
    expect(r.format).toBe('graph-model');
    expect(r.graph).toBeUndefined();
    expect(r.traced?.reason).toMatch(/Conv1D.*neither in TensorFlow's op registry nor a fusion/);
    expect(events.find((e) => e.phase === 'trace')?.reason).toBe(r.traced!.reason);
    expect(events.some((e) => e.phase === 'write')).toBe(true);
    expect(r.weights.quantized).toEqual({ uint8: 1 });
    expect(r.traced!.opHistogram['Conv2D']).toBe(1);
    expect(Object.keys(r.traced!.opHistogram).filter((o) => o === 'Conv1D' || o.startsWith('_'))).toEqual([]);
    expect(r.signatures).toEqual({ serving_default: { inputs: ['x'], outputs: ['probs'] } });
    expect(await verifyStrict(out)).toEqual([]);

    const gm = await loadTfjsGraphModel(join(tmp.dir, 'conv1d'));
    const sm = await loadSavedModel(out);
    for (const batch of [1, 3]) {
      const x = tf.tensor3d(testValues(batch * 10, 'float32', batch), [batch, 5, 2]);
      const want = gm.execute({ x }) as tf.Tensor;
      const got = sm.predict({ x }) as tf.Tensor;
      expect(got.shape).toEqual([batch, 3]);
      expectClose(got.dataSync(), want.dataSync(), 1e-5, `batch ${batch}`);
      tf.dispose([x, want, got]);
    }
    gm.dispose();
    sm.dispose();
  });

  it('fallback: false throws the faithful rebuild\'s error', async () => {
    const e = await convertTfjsModel(modelJson, join(tmp.dir, 'no'), { fallback: false }).then(() => undefined, (err: unknown) => err);
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect((e as Error).message).toMatch(/Conv1D/);
  });
});
