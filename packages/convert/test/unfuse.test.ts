// Each fused op tensorflowjs_converter can leave, split back into registry ops: numeric truth is
// tfjs-converter's GraphModel.execute on the fused original where tfjs runs that fusion, and
// tfjs' own ops composed by hand where it does not (conv + FusedBatchNorm, _FusedBatchNormEx,
// a fused op inside a library function).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOpDef } from '@savedmodel-js/core';
import { loadSavedModel, type TFSavedModel } from '@savedmodel-js/runtime';
import { convertTfjsModel, type ConvertTfjsResult } from '../src/index.js';
import { expectClose, f32, jconst, jnode, jt, loadTfjsGraphModel, tempDir, testValues, verifyStrict, writeGraphModel } from './helpers.js';

const tmp = tempDir('convert-unfuse-');
afterAll(() => tmp.cleanup());

const W: Record<string, [number[], number[]]> = {
  filter: [[3, 3, 2, 4], testValues(72, 'float32', 11)],
  dwfilter: [[3, 3, 2, 1], testValues(18, 'float32', 12)],
  bias: [[4], testValues(4, 'float32', 13)],
  bias2: [[2], testValues(2, 'float32', 14)],
  alpha: [[4], [0.1, 0.2, 0.3, 0.4]],
  scale: [[4], [1, 0.5, 2, 1.5]],
  offset: [[4], [0.1, -0.1, 0.2, 0]],
  mean: [[4], [0.05, 0.1, -0.2, 0.3]],
  variance: [[4], [1, 2, 0.5, 0.25]],
  matrix: [[3, 2], testValues(6, 'float32', 15)],
  bias3: [[3], testValues(3, 'float32', 16)],
  bn2scale: [[2], [1.5, 0.5]],
  bn2offset: [[2], [0.2, -0.3]],
  bn2mean: [[2], [0.1, -0.1]],
  bn2var: [[2], [0.8, 1.2]],
};
const T = { T: jt.type('DT_FLOAT') };
const conv = { strides: jt.ints([1, 1, 1, 1]), padding: jt.str('SAME'), data_format: jt.str('NHWC'), dilations: jt.ints([1, 1, 1, 1]) };
const fused = (ops: string[], numArgs: number, extra: Record<string, unknown> = {}) => ({ ...T, fused_ops: jt.strs(ops), num_args: jt.i(numArgs), ...extra });

const nodes = [
  jnode('x', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([-1, 5, 5, 2]) }),
  jnode('m', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([-1, 2]) }),
  ...Object.entries(W).map(([k, [s]]) => jconst(k, 'DT_FLOAT', s)),
  jnode('leaky', '_FusedConv2D', ['x', 'filter', 'bias'], { ...conv, ...fused(['BiasAdd', 'LeakyRelu'], 1, { leakyrelu_alpha: jt.f(0.3) }) }),
  jnode('prelu', '_FusedConv2D', ['x', 'filter', 'bias', 'alpha'], { ...conv, ...fused(['BiasAdd', 'Prelu'], 2) }),
  jnode('elu', '_FusedConv2D', ['x', 'filter', 'bias'], { ...conv, ...fused(['BiasAdd', 'Elu'], 1) }),
  jnode('sigmoid', '_FusedConv2D', ['x', 'filter', 'bias'], { ...conv, ...fused(['BiasAdd', 'Sigmoid'], 1) }),
  jnode('bias_only', '_FusedConv2D', ['x', 'filter', 'bias'], { ...conv, ...fused(['BiasAdd'], 1) }),
  jnode('bn_relu', '_FusedConv2D', ['x', 'filter', 'scale', 'offset', 'mean', 'variance'], { ...conv, ...fused(['FusedBatchNorm', 'Relu'], 4, { epsilon: jt.f(0.001) }) }),
  jnode('dw', 'FusedDepthwiseConv2dNative', ['x', 'dwfilter', 'bias2'], { ...conv, ...fused(['BiasAdd', 'Relu6'], 1) }),
  jnode('mm', '_FusedMatMul', ['m', 'matrix', 'bias3'], { ...fused(['BiasAdd', 'Relu'], 1), transpose_a: jt.b(false), transpose_b: jt.b(true) }),
  jnode('bnex', '_FusedBatchNormEx', ['x', 'bn2scale', 'bn2offset', 'bn2mean', 'bn2var'], { ...T, U: jt.type('DT_FLOAT'), epsilon: jt.f(0.01), activation_mode: jt.str('Relu'), is_training: jt.b(false), data_format: jt.str('NHWC'), num_side_inputs: jt.i(0) }),
  jnode('prelu_op', 'Prelu', ['x', 'bias2'], T),
  jnode('call', 'PartitionedCall', ['m'], { Tin: { list: { type: ['DT_FLOAT'] } }, Tout: { list: { type: ['DT_FLOAT'] } }, f: { func: { name: 'dense_fn' } } }),
];
// A library function whose body has a fused op: its `ret` must follow the split's last node.
const library = {
  function: [{
    signature: { name: 'dense_fn', inputArg: [{ name: 'a', type: 'DT_FLOAT' }], outputArg: [{ name: 'out', type: 'DT_FLOAT' }] },
    nodeDef: [
      jconst('k', 'DT_FLOAT', [3, 2]),
      jconst('b', 'DT_FLOAT', [3]),
      jnode('fm', '_FusedMatMul', ['a', 'k:output:0', 'b:output:0'], { ...fused(['BiasAdd', 'Tanh'], 1), transpose_a: jt.b(false), transpose_b: jt.b(true) }),
    ],
    ret: { out: 'fm:product:0' },
  }],
};
const K = testValues(6, 'float32', 21), B = testValues(3, 'float32', 22);
for (const n of library.function[0]!.nodeDef) {
  if (n.op === 'Const') (n.attr as Record<string, unknown>).value = { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: (n.name === 'k' ? [3, 2] : [3]).map((d) => ({ size: String(d) })) }, tensorContent: Buffer.from(f32(n.name === 'k' ? K : B)).toString('base64') } };
}

const TFJS_RUNS = ['leaky', 'prelu', 'elu', 'sigmoid', 'bias_only', 'dw', 'mm', 'prelu_op'];
let dir: string;
let result: ConvertTfjsResult;
let ours: TFSavedModel;
let original: tf.GraphModel;
const w = (k: string) => tf.tensor(W[k]![1], W[k]![0]);

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = join(tmp.dir, 'fused');
  const bytes = Object.values(W).flatMap(([, v]) => v);
  const modelJson = writeGraphModel(dir, [...nodes, ...TFJS_RUNS.map((k) => jnode(`out_${k}`, 'Identity', [k], T))], [
    { files: [['w.bin', f32(bytes)]], weights: Object.entries(W).map(([name, [shape]]) => ({ name, shape, dtype: 'float32' })) },
  ]);
  // the same files with the library function, for our side only (tfjs-converter has no PartitionedCall)
  const json = JSON.parse((await import('node:fs')).readFileSync(modelJson, 'utf8'));
  json.modelTopology.library = library;
  (await import('node:fs')).writeFileSync(join(dir, 'with-library.json'), JSON.stringify(json));
  original = await loadTfjsGraphModel(dir);
  result = await convertTfjsModel(join(dir, 'with-library.json'), join(tmp.dir, 'saved'));
  ours = await loadSavedModel(join(tmp.dir, 'saved'));
});

describe('fused ops split into registry ops', () => {
  it('no op outside the registry is left; verify --strict is clean', async () => {
    expect(result.graph!.splitOps).toEqual({ _FusedConv2D: 6, FusedDepthwiseConv2dNative: 1, _FusedMatMul: 2, _FusedBatchNormEx: 1, Prelu: 1 });
    for (const op of Object.keys(result.graph!.opHistogram)) if (op !== 'dense_fn') expect(getOpDef(op), op).toBeDefined();
    expect(result.graph!.opHistogram.FusedBatchNormV3).toBe(2);
    expect(result.graph!.opHistogram.LeakyRelu).toBe(1);
    expect(await verifyStrict(join(tmp.dir, 'saved'))).toEqual([]);
  });

  for (const batch of [1, 3]) {
    it(`outputs match tfjs-converter on the fused original (batch ${batch})`, () => {
      const x = tf.tensor4d(testValues(batch * 50, 'float32', batch), [batch, 5, 5, 2]);
      const m = tf.tensor2d(testValues(batch * 2, 'float32', batch + 5), [batch, 2]);
      for (const k of TFJS_RUNS) {
        const want = original.execute({ x, m }, `out_${k}`) as tf.Tensor;
        const got = ours.execute({ x, m }, `out_${k}`) as tf.Tensor;
        expect(got.shape, k).toEqual(want.shape);
        expectClose(got.dataSync(), want.dataSync(), 1e-5, k);
      }
    });
  }

  it("the fusions tfjs does not run match tfjs' own ops composed by hand", () => {
    const x = tf.tensor4d(testValues(3 * 50, 'float32', 9), [3, 5, 5, 2]);
    const m = tf.tensor2d(testValues(6, 'float32', 10), [3, 2]);
    const c = tf.conv2d(x, w('filter') as tf.Tensor4D, 1, 'same');
    const bnRelu = tf.relu(tf.batchNorm(c, w('mean'), w('variance'), w('offset'), w('scale'), 0.001));
    expectClose((ours.execute({ x, m }, 'bn_relu') as tf.Tensor).dataSync(), bnRelu.dataSync(), 1e-5, 'bn_relu');
    const bnex = tf.relu(tf.batchNorm(x, w('bn2mean'), w('bn2var'), w('bn2offset'), w('bn2scale'), 0.01));
    expectClose((ours.execute({ x, m }, 'bnex') as tf.Tensor).dataSync(), bnex.dataSync(), 1e-5, 'bnex');
    const dense = tf.tanh(tf.add(tf.matMul(m, tf.tensor2d(K, [3, 2]), false, true), tf.tensor1d(B)));
    expectClose((ours.execute({ x, m }, 'call') as tf.Tensor).dataSync(), dense.dataSync(), 1e-5, 'function body');
  });
});

describe('{variables: true}', () => {
  it('weights become TF1 variables restored by a saver; predictions equal the frozen conversion', async () => {
    const out = join(tmp.dir, 'saved-vars');
    const r = await convertTfjsModel(join(dir, 'with-library.json'), out, { variables: true });
    expect(r.graph!.variables).toBe(Object.keys(W).length);
    expect(r.graph!.opHistogram.VariableV2).toBe(Object.keys(W).length);
    expect(r.graph!.opHistogram.RestoreV2).toBe(1);
    expect(await verifyStrict(out)).toEqual([]);
    const { readSavedModelDir } = await import('@savedmodel-js/core/node');
    const loaded = await readSavedModelDir(out, { checkpoint: true });
    expect(loaded.checkpoint!.keys().sort()).toEqual(Object.keys(W).map((k) => `${k}/variable`).sort());
    expect(Array.from(loaded.checkpoint!.value('alpha/variable') as Float32Array)).toEqual(W.alpha![1].map(Math.fround));
    const vars = await loadSavedModel(out);
    const x = tf.tensor4d(testValues(100, 'float32', 4), [2, 5, 5, 2]);
    const m = tf.tensor2d(testValues(4, 'float32', 5), [2, 2]);
    for (const k of ['out_prelu', 'bn_relu', 'out_mm', 'call']) {
      const a = ours.execute({ x, m }, k) as tf.Tensor;
      const b = vars.execute({ x, m }, k) as tf.Tensor;
      expect(Array.from(b.dataSync()), k).toEqual(Array.from(a.dataSync()));
    }
  });
});
