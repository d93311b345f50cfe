// Exactness of 64-bit values through loadSavedModel: int64 arithmetic TensorFlow.js would wrap in
// int32 and float64 values it would round to float32 are computed exactly on the host or refused
// with UNSUPPORTED naming the node — never returned silently changed.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, int32Tensor, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { float64ScalingFiles, savedModelFiles } from './graph-kit.js';
import { FIXTURES, FIXTURES_MORE as MORE } from '../../core/test/shared.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

async function failure(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!isSavedModelError(e)) throw new Error(`expected a SavedModelError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}

describe('int64 arithmetic', () => {
  it('int64_multiply (v1·v2·x = 6x): in int32 range exact; beyond it UNSUPPORTED naming the node, never wrapped', async () => {
    const m = await loadSavedModel(join(FIXTURES, 'int64_multiply'));
    expect((await m.run({ x: [1, -20] })).output_0!.values).toEqual([6, -120]);
    expect((await m.run({ x: [357913941, -357913941] })).output_0!.values).toEqual([2147483646, -2147483646]);
    const f = await failure(m.run({ x: [1000000000, 1] })); // int32 would wrap 6e9 to 1705032704
    expect(f.code).toBe('UNSUPPORTED');
    expect(f.message).toMatch(/mul/i);
    expect(f.message).toContain('6000000000');
    m.dispose();
  });
});

const DT = tensorflow.DataType;
const D = DT.DT_DOUBLE;

const doubles = (name: string, v: number[], shape: number[]) =>
  node(name, 'Const', [], { dtype: attr.type(D), value: attr.tensor({ dtype: D, tensor_shape: { dim: shape.map((size) => ({ size })) }, double_val: v }) });
const int32s = (name: string, v: number[]) => node(name, 'Const', [], { dtype: attr.type(DT.DT_INT32), value: attr.tensor(int32Tensor(v, [v.length])) });
const reshape = (name: string, x: string, s: string) => node(name, 'Reshape', [x, s], { T: attr.type(D), Tshape: attr.type(DT.DT_INT32) });
const transpose = (name: string, x: string, p: string) => node(name, 'Transpose', [x, p], { T: attr.type(D), Tperm: attr.type(DT.DT_INT32) });
const x2d = node('x', 'Placeholder', [], { dtype: attr.type(D), shape: attr.shape([2, 1]) });

describe('float64', () => {
  it('a constant reshaped: run() gives its doubles exactly; predict() (float32 tensors) refuses naming it', async () => {
    const m = await loadSavedModel(await savedModelFiles([doubles('c', [0.1, 1 / 3], [2]), int32s('s', [2, 1]), reshape('r', 'c', 's')], [], {}, { y: ['r:0', D] }));
    const r = (await m.run({})).y!;
    expect([r.shape, r.values]).toEqual([[2, 1], [0.1, 1 / 3]]);
    expect(() => m.predict({})).toThrow(expect.objectContaining({ code: 'UNSUPPORTED', message: expect.stringMatching(/constant c\b.*run\(\)/) }));
    m.dispose();
  });

  it('a constant float32 would round, moved by TensorFlow.js (Transpose) → UNSUPPORTED at load naming it; float32-exact values load', async () => {
    const f = await failure(loadSavedModel(await savedModelFiles([doubles('c', [0.1, 0.2], [2, 1]), int32s('p', [1, 0]), transpose('t', 'c', 'p')], [], {}, { y: ['t:0', D] })));
    expect(f.code).toBe('UNSUPPORTED');
    expect(f.message).toContain('constant c ');
    const m = await loadSavedModel(await savedModelFiles([doubles('c', [0.5, -2], [2, 1]), int32s('p', [1, 0]), transpose('t', 'c', 'p')], [], {}, { y: ['t:0', D] }));
    expect((await m.run({})).y!.values).toEqual([0.5, -2]);
    expect(Array.from((m.predict({}) as tf.Tensor).dataSync())).toEqual([0.5, -2]);
    m.dispose();
  });

  it('a float64 input: reshaped → exact on the host; transposed by TensorFlow.js → only float32-exact values accepted', async () => {
    const m = await loadSavedModel(await savedModelFiles([x2d, int32s('s', [2]), reshape('r', 'x', 's'), int32s('p', [1, 0]), transpose('t', 'x', 'p')], [], { x: ['x:0', D] }, { flat: ['r:0', D], tr: ['t:0', D] }));
    let r = await m.run({ x: [[0.5], [4]] });
    expect([r.flat!.values, r.tr!.values]).toEqual([[0.5, 4], [0.5, 4]]);
    const f = await failure(m.run({ x: [[0.1], [1]] })); // TensorFlow.js would move fround(0.1) to output tr
    expect(f.code).toBe('UNSUPPORTED');
    expect(f.message).toMatch(/input 'x' holds 0\.1.*output 'tr'/);
    m.dispose();
    const m2 = await loadSavedModel(await savedModelFiles([x2d, int32s('s', [2]), reshape('r', 'x', 's')], [], { x: ['x:0', D] }, { flat: ['r:0', D] }));
    r = await m2.run({ x: [[0.1], [1 / 3]] });
    expect(r.flat!.values).toEqual([0.1, 1 / 3]);
    m2.dispose();
  });

  it('tf_non_chunked_model (TF 2.14, a 150×150 float64 constant): predict() refuses rather than round; run() is exact (tf-more.test.ts)', async () => {
    const m = await loadSavedModel(join(MORE, 'tf_non_chunked_model'));
    expect(() => m.predict({})).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    await expect(m.executeAsync({})).rejects.toThrow(/use run\(\)/);
    const r = (await m.run({})).output_0!;
    expect(r.values.some((v) => Math.fround(v as number) !== v)).toBe(true);
    m.dispose();
  });
});

describe('float64 arithmetic and the roundFloat64 option', () => {
  const files = () => float64ScalingFiles([3]);

  it('by default, a node computing in float64 is UNSUPPORTED at load, naming it and the option', async () => {
    const f = await failure(loadSavedModel(await files()));
    expect(f.code).toBe('UNSUPPORTED');
    expect(f.message).toMatch(/node scaled \(op Mul\) computes in float64.*roundFloat64/);
  });

  it('with roundFloat64 it runs in float32, equal to TensorFlow.js computing the same ops', async () => {
    const m = await loadSavedModel(await files(), { roundFloat64: true });
    const x = tf.tensor1d([1, 3, 7.5]);
    const want = tf.mul(x, tf.scalar(0.1));
    expect(Array.from((m.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(want.dataSync()));
    m.dispose();
  });

  it('roundFloat64 must be a boolean', async () => {
    const f = await failure(loadSavedModel(await files(), { roundFloat64: 'yes' as unknown as boolean }));
    expect(f.code).toBe('INVALID_ARGUMENT');
    expect(f.message).toContain('roundFloat64');
  });
});
