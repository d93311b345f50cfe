// TensorFlow's integer Div / TruncateDiv, Mod / TruncateMod (ints and floats) and integer Mean
// round toward zero (C semantics); tfjs-converter's ops round down (or cannot run). Expected
// values: JavaScript's own truncating arithmetic (Math.trunc(a / b), a % b), which is C's.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, int32Tensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel, type FrozenGraph } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const I = DT.DT_INT32, F = DT.DT_FLOAT;
beforeAll(async () => { await tf.setBackend('cpu'); });

const A = [-7, 7, -7, 7, -3, 0, 6, -6, -1, 2147483647];
const B = [2, -2, -2, 2, 4, -3, 3, 3, 5, -2];

function expectTfOps(g: FrozenGraph): void {
  expect(frozenGraphErrors(g)).toEqual([]);
}

async function binary(op: string, dtype: number, a: number[], b: number[]): Promise<{ values: number[]; dtype: string; g: FrozenGraph }> {
  const c = dtype === F ? floatTensor(b, [b.length]) : int32Tensor(b, [b.length]);
  const files = await savedModelFiles(
    [node('a', 'Placeholder', [], { dtype: attr.type(dtype), shape: attr.shape([a.length]) }), node('b', 'Const', [], { dtype: attr.type(dtype), value: attr.tensor(c) }), node('y', op, ['a', 'b'], { T: attr.type(dtype) })],
    [], { a: ['a:0', dtype] }, { y: ['y:0', dtype] },
  );
  const m = await loadSavedModel(files);
  const r = await m.run({ a });
  const y = m.predict(tf.tensor(a, [a.length], dtype === F ? 'float32' : 'int32')) as tf.Tensor;
  expect(Array.from(y.dataSync()), `${op} predict`).toEqual(r.y!.values);
  const out = { values: r.y!.values as number[], dtype: r.y!.dtype, g: m.graph };
  m.dispose();
  return out;
}

describe('ops that round toward zero, as TensorFlow computes them', () => {
  it('int32 Div and TruncateDiv: -7 / 2 = -3', async () => {
    for (const op of ['Div', 'TruncateDiv']) {
      const r = await binary(op, I, A, B);
      expect(r.values, op).toEqual(A.map((a, i) => Math.trunc(a / B[i]!) + 0));
      expect(r.dtype).toBe('int32');
      expectTfOps(r.g);
    }
  });

  it('int32 Mod and TruncateMod: the sign of the dividend (-7 mod 2 = -1)', async () => {
    for (const op of ['Mod', 'TruncateMod']) {
      const r = await binary(op, I, A, B);
      expect(r.values, op).toEqual(A.map((a, i) => a % B[i]! + 0)); // + 0: -0 is 0 in int32
      expectTfOps(r.g);
    }
  });

  it('float Mod (fmod): -7.5 mod 2 = -1.5', async () => {
    const a = [-7.5, 7.5, -7.5, 7.5, 0.25, -0.25], b = [2, -2, -2, 2, 1, 1];
    const r = await binary('Mod', F, a, b);
    expect(r.values).toEqual(a.map((x, i) => x % b[i]! + 0));
  });

  it('int32 Mean: the sum divided toward zero, int32 kept; over an axis and over all, keep_dims too', async () => {
    const cases: Array<[number[], number[], number[], boolean, number[], number[]]> = [
      // x, shape, axes, keep_dims, want, want shape
      [[-3, -4], [2], [0], false, [Math.trunc(-7 / 2)], []],
      [[1, 2, -5, -6, 7, 8], [2, 3], [1], false, [Math.trunc(-2 / 3) + 0, Math.trunc(9 / 3)], [2]],
      [[1, 2, -5, -6, 7, 8], [2, 3], [0, 1], true, [Math.trunc(7 / 6)], [1, 1]],
    ];
    for (const [x, shape, axes, keep, want, wantShape] of cases) {
      const files = await savedModelFiles(
        [
          node('x', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape(shape) }),
          node('ax', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor(axes, [axes.length])) }),
          node('y', 'Mean', ['x', 'ax'], { T: attr.type(I), Tidx: attr.type(I), keep_dims: attr.bool(keep) }),
        ],
        [], { x: ['x:0', I] }, { y: ['y:0', I] },
      );
      const m = await loadSavedModel(files);
      const r = await m.run({ x: tf.tensor(x, shape).arraySync() });
      expect(r.y!.values).toEqual(want);
      expect(r.y!.shape).toEqual(wantShape);
      expect(r.y!.dtype).toBe('int32');
      expectTfOps(m.graph);
      m.dispose();
    }
  });
});
