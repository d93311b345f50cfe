// Bucketize and Roll, which tfjs-converter has no mapping for, frozen as ops it has
// (freeze/bucketize.ts, freeze/roll.ts). Expected values: the examples in TensorFlow's own
// documentation of the ops (Bucketize: boundaries [0, 10, 100]; tf.roll: the three examples).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, int32Tensor, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
beforeAll(async () => { await tf.setBackend('cpu'); });

async function bucketize(T: number, boundaries: number[], x: number[][]): Promise<unknown> {
  const m = await loadSavedModel(await savedModelFiles([
    node('x', 'Placeholder', [], { dtype: attr.type(T), shape: attr.shape([-1, -1]) }),
    node('b', 'Bucketize', ['x'], { T: attr.type(T), boundaries: { list: { f: boundaries } } }),
  ], [], { x: ['x:0', T] }, { b: ['b:0', I] }));
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  const y = m.predict(tf.tensor2d(x, undefined, T === F ? 'float32' : 'int32')) as tf.Tensor;
  expect(y.dtype).toBe('int32');
  const r = await y.array();
  y.dispose();
  m.dispose();
  return r;
}

describe('Bucketize', () => {
  it("gives TensorFlow's documented buckets, for float and int inputs", async () => {
    const x = [[-5, 10000], [150, 10], [5, 100]];
    const want = [[0, 3], [3, 2], [1, 3]];
    expect(await bucketize(F, [0, 10, 100], x)).toEqual(want);
    expect(await bucketize(I, [0, 10, 100], x)).toEqual(want);
  });
  it('with no boundaries every value is in bucket 0', async () => {
    expect(await bucketize(F, [], [[-1, 2.5]])).toEqual([[0, 0]]);
  });
  it('refuses boundaries out of order (INVALID_GRAPH), as TensorFlow does', async () => {
    const err = await bucketize(F, [10, 0], [[1]]).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(err, 'INVALID_GRAPH'), String(err)).toBe(true);
    expect(String((err as Error).message)).toContain('must be sorted');
  });
});

async function roll(x: number[] | number[][], shift: number[], axis: number[], index = I): Promise<unknown> {
  const shape = Array.isArray(x[0]) ? [x.length, (x[0] as number[]).length] : [x.length];
  const ints = (v: number[]) => attr.tensor(index === I ? int32Tensor(v, [v.length]) : { dtype: index, tensor_shape: { dim: [{ size: v.length }] }, int64_val: v });
  const m = await loadSavedModel(await savedModelFiles([
    node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(shape.map(() => -1)) }),
    node('shift', 'Const', [], { dtype: attr.type(index), value: ints(shift) }),
    node('axis', 'Const', [], { dtype: attr.type(index), value: ints(axis) }),
    node('r', 'Roll', ['x', 'shift', 'axis'], { T: attr.type(F), Tshift: attr.type(index), Taxis: attr.type(index) }),
  ], [], { x: ['x:0', F] }, { r: ['r:0', F] }));
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  const y = m.predict(tf.tensor(x as number[], shape)) as tf.Tensor;
  const r = await y.array();
  y.dispose();
  m.dispose();
  return r;
}

describe('Roll', () => {
  const t = [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]];
  it("rolls as tf.roll's documented examples", async () => {
    expect(await roll([0, 1, 2, 3, 4], [2], [0])).toEqual([3, 4, 0, 1, 2]);
    expect(await roll(t, [1, -2], [0, 1])).toEqual([[7, 8, 9, 5, 6], [2, 3, 4, 0, 1]]);
    // shifts along one axis add up
    expect(await roll(t, [2, -3], [1, 1])).toEqual([[1, 2, 3, 4, 0], [6, 7, 8, 9, 5]]);
  });
  it('takes negative axes, shifts past the size, and int64 shift / axis', async () => {
    expect(await roll(t, [-2], [-1], DT.DT_INT64)).toEqual(await roll(t, [3], [1]));
    expect(await roll([0, 1, 2, 3, 4], [12], [0])).toEqual([3, 4, 0, 1, 2]);
  });
  it('refuses a shift computed at run time (UNSUPPORTED) and mismatched lists (INVALID_GRAPH)', async () => {
    const err = await roll([0, 1, 2], [1, 2], [0]).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(err, 'INVALID_GRAPH'), String(err)).toBe(true);
    // an int64 shift past int32, which the graph's int32 arithmetic would wrap
    const wide = await roll([0, 1, 2], [2 ** 40], [0], DT.DT_INT64).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(wide, 'UNSUPPORTED'), String(wide)).toBe(true);
    expect(String((wide as Error).message)).toContain('outside the int32 range');
    const files = await savedModelFiles([
      node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1]) }),
      node('s', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([]) }),
      node('axis', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([0], [])) }),
      node('r', 'Roll', ['x', 's', 'axis'], { T: attr.type(F), Tshift: attr.type(I), Taxis: attr.type(I) }),
    ], [], { x: ['x:0', F], s: ['s:0', I] }, { r: ['r:0', F] });
    const dynamic = await loadSavedModel(files).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(dynamic, 'UNSUPPORTED'), String(dynamic)).toBe(true);
  });
});
