// Simple TensorFlow ops tfjs-converter has no mapping for, run as their documented formulas.
// Expected values: those formulas worked by hand (Softsign(3) = 3/4; L2Loss of [[1,2],[3,4]] =
// 30/2; Rint rounds half to even; Xlogy(0, 0) = 0 though log 0 = -inf).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;
beforeAll(async () => { await tf.setBackend('cpu'); });

async function run(op: string, x: number[], shape: number[], y?: number[], extra: Record<string, tensorflow.IAttrValue> = {}): Promise<number[]> {
  const nodes = [node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(shape) })];
  const inputs = ['x'];
  if (y) { nodes.push(node('c', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor(y, [y.length])) })); inputs.push('c'); }
  nodes.push(node('out', op, inputs, { T: attr.type(F), ...extra }));
  const m = await loadSavedModel(await savedModelFiles(nodes, [], { x: ['x:0', F] }, { out: ['out:0', F] }));
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  const r = Array.from((m.predict(tf.tensor(x, shape)) as tf.Tensor).dataSync());
  m.dispose();
  return r;
}

describe('ops run as their formulas', () => {
  it('Softsign, Inv, Rint, Erfc', async () => {
    expect(await run('Softsign', [-1, 3, 0], [3])).toEqual([-0.5, 0.75, 0]);
    expect(await run('Inv', [2, -4], [2])).toEqual([0.5, -0.25]);
    expect((await run('Rint', [0.5, 1.5, 2.5, -0.5, -1.7], [5])).map((v) => v + 0)).toEqual([0, 2, 2, 0, -2]); // + 0: -0 as 0
    const erfc = await run('Erfc', [0, 10], [2]);
    expect(erfc[0]).toBeCloseTo(1, 6);
    expect(erfc[1]).toBeCloseTo(0, 6);
  });
  it('Xdivy, Xlogy, Xlog1py: 0 where x is 0, whatever y is', async () => {
    expect(await run('Xdivy', [0, 9], [2], [0, 2])).toEqual([0, 4.5]);
    const xlogy = await run('Xlogy', [0, 2], [2], [0, Math.E]);
    expect(xlogy[0]).toBe(0);
    expect(xlogy[1]).toBeCloseTo(2, 5);
    const xlog1py = await run('Xlog1py', [0, 3], [2], [-1, Math.E - 1]);
    expect(xlog1py[0]).toBe(0);
    expect(xlog1py[1]).toBeCloseTo(3, 5);
  });
  it('L2Loss, BiasAddV1, AccumulateNV2, PreventGradient', async () => {
    expect(await run('L2Loss', [1, 2, 3, 4], [2, 2])).toEqual([15]);
    expect(await run('BiasAddV1', [1, 2, 3, 4], [2, 2], [10, 20])).toEqual([11, 22, 13, 24]);
    expect(await run('AccumulateNV2', [1, 2], [2], [3, 4], { N: attr.int(2), shape: attr.shape([2]) })).toEqual([4, 6]);
    expect(await run('PreventGradient', [1, -2], [2])).toEqual([1, -2]);
  });
});

// RandomUniformInt's minval / maxval are inputs; tfjs-converter read them as attrs, so tfjs drew
// from [0, 1) and gave only zeros. TensorFlow's definition: integers uniform over [minval, maxval).
describe('RandomUniformInt', () => {
  for (const Tout of [DT.DT_INT32, DT.DT_INT64]) {
    it(`draws ${Tout === DT.DT_INT32 ? 'int32' : 'int64'} values over [minval, maxval), every one of them`, async () => {
      const I = DT.DT_INT32;
      const scalar = (v: number) => attr.tensor(Tout === I ? { dtype: I, tensor_shape: {}, int_val: [v] } : { dtype: Tout, tensor_shape: {}, int64_val: [v] });
      const nodes = [
        node('shape', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([1]) }),
        node('lo', 'Const', [], { dtype: attr.type(Tout), value: scalar(-3) }),
        node('hi', 'Const', [], { dtype: attr.type(Tout), value: scalar(4) }),
        node('r', 'RandomUniformInt', ['shape', 'lo', 'hi'], { T: attr.type(I), Tout: attr.type(Tout), seed: attr.int(0), seed2: attr.int(0) }),
      ];
      const m = await loadSavedModel(await savedModelFiles(nodes, [], { shape: ['shape:0', I] }, { r: ['r:0', Tout] }));
      expect(frozenGraphErrors(m.graph)).toEqual([]);
      const y = m.predict(tf.tensor1d([5000], 'int32')) as tf.Tensor;
      expect(y.shape).toEqual([5000]);
      expect(y.dtype).toBe('int32');
      const values = Array.from(y.dataSync());
      m.dispose();
      expect(values.every((v) => Number.isInteger(v) && v >= -3 && v < 4)).toBe(true);
      // 5,000 draws over 7 values: each appears (P(one missing) < 7 · (6/7)^5000)
      expect(new Set(values).size).toBe(7);
    });
  }
});
