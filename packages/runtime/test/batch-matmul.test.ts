// BatchMatMulV2 broadcasts both operands' batch dimensions (numpy rules), as TensorFlow defines it.
// tfjs's matMul (4.x) gets a product wrong where each side expands a batch dimension of the other
// ([2, 1] by [1, 3]: a [2, 3] batch holding 6 of 12 matrices), or where one side's batch shape is
// not a tail of the common one ([2, 3] by [2, 1]: 12 matrices, paired wrongly). Expected values: the products
// computed here matrix by matrix in plain JavaScript.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { matMulReference as reference, savedModelFiles } from './graph-kit.js';
import { prng } from '../../trace/test/helpers/checks.js';

const F = tensorflow.DataType.DT_FLOAT;
const rand = prng(17);
beforeAll(async () => { await tf.setBackend('cpu'); });

describe('BatchMatMulV2 with broadcast batch dimensions', () => {
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[2, 1, 2, 3], [1, 3, 3, 2], false, false], // both sides expand: tfjs alone gets this wrong
    [[2, 1, 3, 2], [3, 2, 3], true, true],
    [[1, 3, 2, 3], [2, 1, 3, 1], false, false],
    [[2, 3, 2, 3], [3, 2], false, false], // one side only, and equal batches: tfjs's own path
    [[2, 2, 3], [2, 3, 2], false, false],
    [[2, 3, 2, 3], [2, 1, 3, 2], false, false], // one side expands, not as a tail: paired wrongly by tfjs
    [[4, 2, 3], [2, 1, 3, 2], false, false],
    [[5, 1, 3, 2, 3], [3, 1, 3, 2], false, false],
  ];
  for (const [sa, sb, adjX, adjY] of cases) {
    it(`${JSON.stringify(sa)} × ${JSON.stringify(sb)}${adjX ? ' adj_x' : ''}${adjY ? ' adj_y' : ''}`, async () => {
      const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
      const a = Array.from({ length: size(sa) }, () => rand(-1, 1)), b = Array.from({ length: size(sb) }, () => rand(-1, 1));
      const files = await savedModelFiles(
        [
          node('a', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(sa) }),
          node('b', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor(b, sb)) }),
          node('y', 'BatchMatMulV2', ['a', 'b'], { T: attr.type(F), adj_x: attr.bool(adjX), adj_y: attr.bool(adjY) }),
        ],
        [], { a: ['a:0', F] }, { y: ['y:0', F] },
      );
      const want = reference(a, sa, b, sb, adjX, adjY);
      const m = await loadSavedModel(files);
      const y = m.predict(tf.tensor(a, sa)) as tf.Tensor;
      expect(y.shape).toEqual(want.shape);
      const got = Array.from(y.dataSync());
      expect(got.length).toBe(want.values.length);
      got.forEach((v, i) => expect(Math.abs(v - want.values[i]!)).toBeLessThan(1e-5));
      m.dispose();
    });
  }
});
