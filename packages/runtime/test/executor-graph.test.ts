// The executor's copy of a frozen graph (executor-graph.ts): forwarding Identities bypassed and
// MatMul / Conv2D / DepthwiseConv2dNative + bias add (+ activation) fused into tfjs's fused ops.
// Answers are checked against tfjs's own unfused ops on the same values; the executor's nodes are
// checked too, so that a pass that silently stops fusing fails here.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, fileMapSource, floatTensor, int32Tensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel, type TFSavedModel } from '../src/index.js';
import { bypassForwardingIdentities, fuseLayers } from '../src/executor-graph.js';
import { build, constNode, DT, placeholder } from './hostile-models.js';
import { mulberry32 } from '../../core/test/checkpoint-prng.js';

const F = DT.DT_FLOAT;
const T = { T: attr.type(F) };

beforeAll(async () => { await tf.setBackend('cpu'); });

const rand = mulberry32(20261205);
const values = (n: number) => Array.from({ length: n }, () => rand() * 2 - 1);

/** Executor node ops by name (tfjs-converter's graph, as the loaded model runs it). */
function executorOps(m: TFSavedModel): Map<string, string> {
  const nodes = (m as unknown as { model: { executor: { graph: { nodes: Record<string, { op: string }> } } } }).model.executor.graph.nodes;
  return new Map(Object.entries(nodes).map(([k, n]) => [k, n.op]));
}

/** A variable read as freezing leaves it: a Const and an Identity forwarding it. */
function weight(name: string, vals: number[], dims: number[]): tensorflow.INodeDef[] {
  return [constNode(`${name}/c`, floatTensor(vals, dims)), node(name, 'Identity', [`${name}/c`], T)];
}

async function load(nodes: tensorflow.INodeDef[], outputs: Record<string, string>, inputShape: number[]): Promise<TFSavedModel> {
  const files = await build({
    nodes: [placeholder('x', F, inputShape), ...nodes],
    inputs: { x: ['x:0', F, inputShape] },
    outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, [`${v}:0`, F]])),
  });
  return loadSavedModel(fileMapSource(files));
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

const ACTIVATIONS: [string, Record<string, tensorflow.IAttrValue>, (x: tf.Tensor) => tf.Tensor][] = [
  ['Relu', {}, tf.relu],
  ['Relu6', {}, tf.relu6],
  ['Elu', {}, tf.elu],
  ['Sigmoid', {}, tf.sigmoid],
  ['LeakyRelu', { alpha: attr.float(0.3) }, (x) => tf.leakyRelu(x, 0.3)],
];

describe('dense layers: MatMul + bias add (+ activation) as _FusedMatMul', () => {
  it.each(ACTIVATIONS)('MatMul + BiasAdd + %s: one fused node, tfjs\'s unfused answer', async (act, actAttrs, ref) => {
    const [wv, bv] = [values(12), values(3)];
    const m = await load([
      ...weight('w', wv, [4, 3]), ...weight('b', bv, [3]),
      node('mm', 'MatMul', ['x', 'w'], { ...T, transpose_a: attr.bool(false), transpose_b: attr.bool(false) }),
      node('ba', 'BiasAdd', ['mm', 'b'], T),
      node('act', act, ['ba'], { ...T, ...actAttrs }),
      node('out', 'Identity', ['act'], T),
    ], { y: 'out' }, [-1, 4]);
    const ops = executorOps(m);
    expect(ops.get('act')).toBe('_FusedMatMul');
    expect(ops.has('mm') || ops.has('ba') || ops.has('w') || ops.has('b')).toBe(false);
    const x = tf.tensor2d(values(20), [5, 4]);
    const want = tf.tidy(() => ref(tf.add(tf.matMul(x, tf.tensor2d(wv, [4, 3])), tf.tensor1d(bv))));
    const got = m.predict(x) as tf.Tensor;
    expect(maxDiff(got, want)).toBeLessThan(1e-6);
    tf.dispose([x, want, got]);
    m.dispose();
  });

  it('transposes, AddV2 of a 1-D constant as the bias (either operand order), no activation', async () => {
    const [wv, bv, w2, b2] = [values(12), values(3), values(6), values(2)];
    const m = await load([
      ...weight('w', wv, [3, 4]), ...weight('b', bv, [3]), ...weight('w2', w2, [3, 2]), ...weight('b2', b2, [2]),
      node('mm', 'MatMul', ['x', 'w'], { ...T, transpose_a: attr.bool(false), transpose_b: attr.bool(true) }),
      node('add', 'AddV2', ['b', 'mm'], T),
      node('mm2', 'MatMul', ['add', 'w2'], T),
      node('add2', 'AddV2', ['mm2:0', 'b2'], T),
      node('out', 'Identity', ['add2'], T),
    ], { y: 'out' }, [-1, 4]);
    const ops = executorOps(m);
    expect([ops.get('add'), ops.get('add2')]).toEqual(['_FusedMatMul', '_FusedMatMul']);
    const x = tf.tensor2d(values(8), [2, 4]);
    const want = tf.tidy(() => {
      const h = tf.add(tf.matMul(x, tf.tensor2d(wv, [3, 4]), false, true), tf.tensor1d(bv));
      return tf.add(tf.matMul(h, tf.tensor2d(w2, [3, 2])), tf.tensor1d(b2));
    });
    const got = m.predict(x) as tf.Tensor;
    expect(maxDiff(got, want)).toBeLessThan(1e-6);
    tf.dispose([x, want, got]);
    m.dispose();
  });

  it('not fused: a product read twice, a 2-D addend; a fetched bias add ends its chain', async () => {
    const [wv, bv, b2v] = [values(12), values(3), values(6)];
    const m = await load([
      ...weight('w', wv, [4, 3]), ...weight('b', bv, [3]), ...weight('b2', b2v, [2, 3]),
      // the product feeds the bias add and a Neg: the bias add cannot take it over
      node('mm1', 'MatMul', ['x', 'w'], T), node('ba1', 'BiasAdd', ['mm1', 'b'], T), node('neg', 'Neg', ['mm1'], T),
      // the bias add is a signature output itself: it takes the product over, the activation stays
      node('mm2', 'MatMul', ['x', 'w'], T), node('ba2', 'BiasAdd', ['mm2', 'b'], T), node('relu2', 'Relu', ['ba2'], T),
      // the addend is 2-D (not a bias: it may change the result's shape)
      node('mm3', 'MatMul', ['x', 'w'], T), node('add3', 'AddV2', ['mm3', 'b2'], T),
    ], { a: 'ba1', b: 'neg', c: 'ba2', d: 'relu2', e: 'add3' }, [-1, 4]);
    const ops = executorOps(m);
    expect(['mm1', 'ba1', 'mm2', 'ba2', 'relu2', 'mm3', 'add3'].map((n) => ops.get(n))).toEqual(['MatMul', 'BiasAdd', undefined, '_FusedMatMul', 'Relu', 'MatMul', 'AddV2']);
    const x = tf.tensor2d(values(4), [1, 4]);
    const got = m.predict(x) as Record<string, tf.Tensor>;
    const want = tf.tidy(() => {
      const p = tf.matMul(x, tf.tensor2d(wv, [4, 3]));
      const ba = tf.add(p, tf.tensor1d(bv));
      return { a: ba, b: tf.neg(p), c: ba, d: tf.relu(ba), e: tf.add(p, tf.tensor2d(b2v, [2, 3])) };
    });
    for (const k of Object.keys(want)) expect(maxDiff(got[k]!, want[k as keyof typeof want]), k).toBeLessThan(1e-6);
    tf.dispose([x, ...Object.values(got), ...Object.values(want)]);
    m.dispose();
  });

  it('fuseLayers: an inner node with a control-dependency reader, or named in keep, stays; control inputs move to the fused node', () => {
    const chain = (p: string, extra: tensorflow.INodeDef[] = []) => [
      node(`${p}mm`, 'MatMul', ['x', 'w'], T), node(`${p}ba`, 'BiasAdd', [`${p}mm`, 'b', '^init'], T), node(`${p}r`, 'Relu', [`${p}ba`], T), ...extra,
    ];
    const nodes = [
      placeholder('x'), node('init', 'NoOp', []), constNode('w', floatTensor(values(4), [2, 2])), constNode('b', floatTensor(values(2), [2])),
      ...chain('a'), ...chain('c', [node('after', 'Identity', ['x', '^cmm'], T)]), ...chain('k'),
    ];
    const out = fuseLayers(nodes, new Set(['kba']), (n) => (n === 'b' ? [2] : [2, 2]));
    const ops = new Map(out.map((n) => [n.name, n.op]));
    expect(ops.get('ar')).toBe('_FusedMatMul');
    expect(out.find((n) => n.name === 'ar')!.input).toEqual(['x', 'w', 'b', '^init']);
    expect([ops.get('cmm'), ops.get('cba'), ops.get('cr')]).toEqual(['MatMul', 'BiasAdd', 'Relu']);
    // kba is kept (fed or fetched): the product still fuses into it, the Relu stays
    expect([ops.has('kmm'), ops.get('kba'), ops.get('kr')]).toEqual([false, '_FusedMatMul', 'Relu']);
    // the input list is not changed in place
    expect(nodes.find((n) => n.name === 'ar')!.op).toBe('Relu');
  });
});

describe('convolutions: Conv2D / DepthwiseConv2dNative + BiasAdd (+ activation)', () => {
  const conv = (op: string, padding: string, dilations = [1, 1, 1, 1]) => ({
    ...T, strides: attr.ints([1, 2, 2, 1]), padding: attr.str(padding), data_format: attr.str('NHWC'), dilations: attr.ints(dilations),
  });

  it.each([['SAME', 'Relu6'], ['VALID', 'Elu']])('Conv2D %s + BiasAdd + %s, then DepthwiseConv2dNative + BiasAdd + Relu', async (padding, act) => {
    const [kv, bv, dv, dbv] = [values(3 * 3 * 2 * 4), values(4), values(3 * 3 * 4 * 1), values(4)];
    const m = await load([
      ...weight('k', kv, [3, 3, 2, 4]), ...weight('b', bv, [4]), ...weight('dk', dv, [3, 3, 4, 1]), ...weight('db', dbv, [4]),
      node('conv', 'Conv2D', ['x', 'k'], conv('Conv2D', padding)),
      node('cb', 'BiasAdd', ['conv', 'b'], { ...T, data_format: attr.str('NHWC') }),
      node('ca', act, ['cb'], T),
      node('dw', 'DepthwiseConv2dNative', ['ca', 'dk'], { ...conv('DepthwiseConv2dNative', 'SAME'), strides: attr.ints([1, 1, 1, 1]) }),
      node('db_add', 'BiasAdd', ['dw', 'db'], T),
      node('dr', 'Relu', ['db_add'], T),
      node('out', 'Identity', ['dr'], T),
    ], { y: 'out' }, [-1, 9, 9, 2]);
    const ops = executorOps(m);
    expect([ops.get('ca'), ops.get('dr')]).toEqual(['_FusedConv2D', 'FusedDepthwiseConv2dNative']);
    const x = tf.tensor4d(values(2 * 9 * 9 * 2), [2, 9, 9, 2]);
    const want = tf.tidy(() => {
      const c = tf.add(tf.conv2d(x as tf.Tensor4D, tf.tensor4d(kv, [3, 3, 2, 4]), 2, padding.toLowerCase() as 'same' | 'valid'), tf.tensor1d(bv));
      const a = act === 'Relu6' ? tf.relu6(c) : tf.elu(c);
      return tf.relu(tf.add(tf.depthwiseConv2d(a as tf.Tensor4D, tf.tensor4d(dv, [3, 3, 4, 1]), 1, 'same'), tf.tensor1d(dbv)));
    });
    const got = m.predict(x) as tf.Tensor;
    expect(maxDiff(got, want)).toBeLessThan(1e-5);
    tf.dispose([x, want, got]);
    m.dispose();
  });

  it('DepthwiseConv2dNative + BiasAdd + LeakyRelu: the LeakyRelu stays its own node (tfjs-converter drops its alpha when fused there: NaN for negatives)', async () => {
    const [dv, dbv] = [values(3 * 3 * 2 * 1), values(2)];
    const m = await load([
      ...weight('dk', dv, [3, 3, 2, 1]), ...weight('db', dbv, [2]),
      node('dw', 'DepthwiseConv2dNative', ['x', 'dk'], { ...conv('DepthwiseConv2dNative', 'SAME'), strides: attr.ints([1, 1, 1, 1]) }),
      node('db_add', 'BiasAdd', ['dw', 'db'], T),
      node('lr', 'LeakyRelu', ['db_add'], { ...T, alpha: attr.float(0.3) }),
      node('out', 'Identity', ['lr'], T),
    ], { y: 'out' }, [-1, 5, 5, 2]);
    expect(executorOps(m).get('lr')).toBe('LeakyRelu');
    const x = tf.tensor4d(values(2 * 5 * 5 * 2), [2, 5, 5, 2]);
    const want = tf.tidy(() => tf.leakyRelu(tf.add(tf.depthwiseConv2d(x as tf.Tensor4D, tf.tensor4d(dv, [3, 3, 2, 1]), 1, 'same'), tf.tensor1d(dbv)), 0.3));
    const got = m.predict(x) as tf.Tensor;
    expect(Array.from(want.dataSync()).some((v) => v < 0)).toBe(true); // the negative side is exercised
    expect(maxDiff(got, want)).toBeLessThan(1e-5);
    tf.dispose([x, want, got]);
    m.dispose();
  });

  it("DepthwiseConv2dNative + AddV2 of the bias reshaped to [1, 1, 1, C] (tfjs-layers' biasAdd) + Relu6: one fused node, the Reshape gone", async () => {
    const [dv, dbv] = [values(3 * 3 * 3 * 1), values(3)];
    const dwAttrs = { ...conv('DepthwiseConv2dNative', 'SAME'), strides: attr.ints([1, 1, 1, 1]) };
    const m = await load([
      ...weight('dk', dv, [3, 3, 3, 1]), ...weight('db', dbv, [3]),
      constNode('shape', int32Tensor([1, 1, 1, 3], [4])),
      node('dw', 'DepthwiseConv2dNative', ['x', 'dk'], dwAttrs),
      node('rb', 'Reshape', ['db', 'shape'], { ...T, Tshape: attr.type(DT.DT_INT32) }),
      node('add', 'AddV2', ['dw', 'rb'], T),
      node('act', 'Relu6', ['add'], T),
      node('out', 'Identity', ['act'], T),
    ], { y: 'out' }, [-1, 5, 5, 3]);
    const ops = executorOps(m);
    expect(ops.get('act')).toBe('FusedDepthwiseConv2dNative');
    expect(ops.has('rb') || ops.has('add') || ops.has('dw')).toBe(false);
    const x = tf.tensor4d(values(2 * 5 * 5 * 3), [2, 5, 5, 3]);
    const want = tf.tidy(() => tf.relu6(tf.add(tf.depthwiseConv2d(x, tf.tensor4d(dv, [3, 3, 3, 1]), 1, 'same'), tf.reshape(tf.tensor1d(dbv), [1, 1, 1, 3]))));
    const got = m.predict(x) as tf.Tensor;
    expect(maxDiff(got, want)).toBeLessThan(1e-5);
    tf.dispose([x, want, got]);
    m.dispose();
  });

  it('not fused: a reshaped bias that is not [1, …, 1, C], or of a higher rank than the product', async () => {
    const [dv, dbv, wv, bv] = [values(3 * 3 * 2 * 1), values(2), values(4), values(2)];
    const dwAttrs = { ...conv('DepthwiseConv2dNative', 'SAME'), strides: attr.ints([1, 1, 1, 1]) };
    const m = await load([
      ...weight('dk', dv, [3, 3, 2, 1]), ...weight('db', dbv, [2]), ...weight('w', wv, [2, 2]), ...weight('b', bv, [2]),
      constNode('s_mid', int32Tensor([1, 1, 2, 1], [4])), constNode('s_rank3', int32Tensor([1, 1, 2], [3])),
      node('dw', 'DepthwiseConv2dNative', ['x', 'dk'], dwAttrs),
      node('r1', 'Reshape', ['db', 's_mid'], { ...T, Tshape: attr.type(DT.DT_INT32) }),
      node('a1', 'AddV2', ['dw', 'r1'], T),
      node('flat', 'Reshape', ['x', 'flat_shape'], { ...T, Tshape: attr.type(DT.DT_INT32) }), constNode('flat_shape', int32Tensor([-1, 2], [2])),
      node('mm', 'MatMul', ['flat', 'w'], { ...T, transpose_a: attr.bool(false), transpose_b: attr.bool(false) }),
      node('r2', 'Reshape', ['b', 's_rank3'], { ...T, Tshape: attr.type(DT.DT_INT32) }),
      node('a2', 'AddV2', ['mm', 'r2'], T),
      node('o1', 'Identity', ['a1'], T), node('o2', 'Identity', ['a2'], T),
    ], { a: 'o1', b: 'o2' }, [-1, 2, 2, 2]);
    const ops = executorOps(m);
    expect([ops.get('dw'), ops.get('a1'), ops.get('mm'), ops.get('a2')]).toEqual(['DepthwiseConv2dNative', 'AddV2', 'MatMul', 'AddV2']);
    m.dispose();
  });

  it('not fused: NCHW bias add, EXPLICIT padding', async () => {
    const [kv, bv] = [values(2 * 2 * 1 * 1), values(1)];
    const m = await load([
      ...weight('k', kv, [2, 2, 1, 1]), ...weight('b', bv, [1]),
      node('conv', 'Conv2D', ['x', 'k'], { ...T, strides: attr.ints([1, 1, 1, 1]), padding: attr.str('VALID') }),
      node('cb', 'BiasAdd', ['conv', 'b'], { ...T, data_format: attr.str('NCHW') }),
      node('conv2', 'Conv2D', ['x', 'k'], { ...T, strides: attr.ints([1, 1, 1, 1]), padding: attr.str('EXPLICIT'), explicit_paddings: attr.ints([0, 0, 1, 1, 1, 1, 0, 0]) }),
      node('cb2', 'BiasAdd', ['conv2', 'b'], T),
      node('o1', 'Identity', ['cb'], T), node('o2', 'Identity', ['cb2'], T),
    ], { a: 'o1', b: 'o2' }, [-1, 3, 3, 1]);
    const ops = executorOps(m);
    // the NCHW bias add is an add of the bias reshaped along axis 1 (freeze/channels-last.ts), apart from the conv
    expect([ops.get('conv'), ops.get('cb'), ops.get('conv2'), ops.get('cb2')]).toEqual(['Conv2D', 'AddV2', 'Conv2D', 'BiasAdd']);
    m.dispose();
  });
});

describe('forwarding Identities', () => {
  it('bypassForwardingIdentities: readers wired through chains of Identities, control inputs too; kept ones and non-forwarding ones stay', () => {
    const nodes = [
      placeholder('x'), node('s', 'Split', ['x'], T),
      node('i1', 'Identity', ['s:1'], T), node('i2', 'Identity', ['i1'], T), node('i3', 'Identity', ['i2:0'], T),
      node('dep', 'Identity', ['x', '^s'], T), node('fetched', 'Identity', ['s'], T),
      node('use', 'AddN', ['i3', 's', '^i2', '^i1', 'dep', 'fetched'], T),
    ];
    const out = bypassForwardingIdentities(nodes, new Set(['fetched']));
    expect(out.map((n) => n.name)).toEqual(['x', 's', 'dep', 'fetched', 'use']);
    expect(out.find((n) => n.name === 'use')!.input).toEqual(['s:1', 's', '^s', 'dep', 'fetched']);
    expect(nodes.find((n) => n.name === 'use')!.input).toEqual(['i3', 's', '^i2', '^i1', 'dep', 'fetched']);
  });

  it('a weight fetched as an output stays behind its Identity: disposing outputs never disposes the weight', async () => {
    const cv = values(4);
    const m = await load([
      ...weight('c', cv, [4]),
      node('sum', 'AddV2', ['x', 'c'], T),
    ], { y: 'sum', c: 'c' }, [-1, 4]);
    expect(executorOps(m).get('serving_default/output/c')).toBe('Identity');
    for (let round = 0; round < 2; round++) {
      const x = tf.tensor2d(values(4), [1, 4]);
      const got = m.predict(x) as Record<string, tf.Tensor>;
      expect(Array.from(got.c!.dataSync())).toEqual(Array.from(Float32Array.from(cv)));
      const want = tf.tidy(() => tf.add(x, tf.tensor1d(cv)));
      expect(maxDiff(got.y!, want)).toBe(0);
      tf.dispose([x, want, ...Object.values(got)]);
    }
    m.dispose();
  });
});
