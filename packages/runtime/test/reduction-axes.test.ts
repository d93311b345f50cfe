// A reduction over constant axes that name a dimension twice: TensorFlow refuses it ("Axes contains
// duplicate dimension"), tfjs 4.x reduced over every axis (Sum over [1, 1] of a [2, 3] tensor gave
// the sum of all six). Loading refuses such a graph with INVALID_GRAPH naming the node. Expected
// values for the valid reductions: tf.reduce_sum's documented example (x = [[1, 1, 1], [1, 1, 1]]:
// axis 0 → [2, 2, 2], axis 1 → [3, 3], axes [0, 1] → 6).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, int32Tensor, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
beforeAll(async () => { await tf.setBackend('cpu'); });

function reduction(op: string, T: number, axes: number[]): Promise<Map<string, Uint8Array>> {
  return savedModelFiles(
    [
      node('x', 'Placeholder', [], { dtype: attr.type(T), shape: attr.shape([2, 3]) }),
      node('axes', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor(axes, [axes.length])) }),
      // All / Any take bool and have no T attr
      node('y', op, ['x', 'axes'], { ...(op === 'All' ? {} : { T: attr.type(T) }), Tidx: attr.type(I), keep_dims: attr.bool(false) }),
    ],
    [], { x: ['x:0', T] }, { y: ['y:0', T] },
  );
}

describe('reductions over constant axes', () => {
  it("runs tf.reduce_sum's documented example", async () => {
    const x = tf.ones([2, 3]);
    for (const [axes, want] of [[[0], [2, 2, 2]], [[1], [3, 3]], [[0, 1], 6]] as const) {
      const m = await loadSavedModel(await reduction('Sum', F, [...axes]));
      const y = m.predict(x) as tf.Tensor;
      expect(await y.array()).toEqual(want);
      y.dispose();
      m.dispose();
    }
    x.dispose();
  });

  for (const [op, T] of [['Sum', F], ['Max', F], ['Mean', F], ['Mean', I], ['Prod', I], ['All', DT.DT_BOOL]] as const) {
    it(`${op} (${T === F ? 'float' : T === I ? 'int32' : 'bool'}) over axes [1, 1]: INVALID_GRAPH, as TensorFlow refuses it`, async () => {
      const err = await loadSavedModel(await reduction(op, T, [1, 1])).then(() => undefined, (e: unknown) => e);
      expect(isSavedModelError(err, 'INVALID_GRAPH'), String(err)).toBe(true);
      expect((err as Error).message).toContain('node y');
      expect((err as Error).message).toContain('axis 1 appears twice');
    });
  }
});
