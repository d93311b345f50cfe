// EnsureShape as TensorFlow defines it: the input passes through when its shape is compatible
// with the `shape` attr (same rank, each known dim equal; -1 or an unknown rank match anything),
// else InvalidArgument. tfjs-converter 4.x read the shape from a second input TF's op does not
// have, so any graph holding EnsureShape failed to run (a TypeError in the executor).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel, type TFSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const F = tensorflow.DataType.DT_FLOAT;
beforeAll(async () => { await tf.setBackend('cpu'); });

/** y = -EnsureShape(x) for a placeholder of unknown rank, so any shape reaches the op. */
async function model(shape: number[] | null): Promise<TFSavedModel> {
  const m = await loadSavedModel(await savedModelFiles([
    node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(null) }),
    node('e', 'EnsureShape', ['x'], { T: attr.type(F), shape: attr.shape(shape) }),
    node('y', 'Neg', ['e'], { T: attr.type(F) }),
  ], [], { x: ['x:0', F] }, { y: ['y:0', F] }));
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  return m;
}

describe('EnsureShape', () => {
  it('passes a compatible tensor through (known dims equal, -1 any, unknown rank anything)', async () => {
    for (const [shape, x] of [[[2, 3], [2, 3]], [[-1, 3], [5, 3]], [null, [2, 2, 2]], [[], []]] as const) {
      const m = await model(shape === null ? null : [...shape]);
      const input = tf.range(0, x.reduce((a: number, b: number) => a * b, 1)).reshape([...x]);
      const y = m.predict(input) as tf.Tensor;
      expect(y.shape).toEqual([...x]);
      const want = tf.neg(input);
      expect(Array.from(y.dataSync())).toEqual(Array.from(want.dataSync()));
      tf.dispose([input, y, want]);
      m.dispose();
    }
  });

  it('refuses an incompatible tensor with INVALID_ARGUMENT naming the node', async () => {
    for (const [shape, x] of [[[-1, 3], [2, 4]], [[2, 3], [2, 3, 1]], [[2], []]] as const) {
      const m = await model([...shape]);
      const input = tf.zeros([...x]);
      let err: unknown;
      try { m.predict(input); } catch (e) { err = e; }
      expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
      expect(String((err as Error).message)).toContain('EnsureShape e');
      input.dispose();
      m.dispose();
    }
  });
});
