// One trace for the batch dimension of whitelisted layers models: the symbolic tape derived from
// kernel shape rules (symbolicFromOneTrace), and traceModel taking the second trace whenever the
// first does not settle it. Every traced graph is run at batch sizes 1, 3 and 17 against tfjs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { symToString, traceModel, type Tape } from '../src/index.js';
import { symbolicFromOneTrace } from '../src/tape/one-trace.js';
import { isSizeIndependentModel } from '../src/size-independent-model.js';
import type { SymbolInfo } from '../src/tape/tape.js';
import { symOf } from '../src/tape/sym.js';
import { expectNumericMatch, expectValidGraph, maxRelativeError, prng, randomTensor, seedWeights } from './helpers/checks.js';
import { mobileNetV2Like } from './helpers/zoo.js';
import { tensorflow } from '@savedmodel-js/core';
import type { ConcreteFunction } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = tf.layers;
const P = 13;
const symbols: SymbolInfo[] = [{ input: 0, axis: 0, sizes: [P, 3] }];
const dims = (ds: readonly unknown[]) => ds.map((d) => symToString(d as never));

describe('symbolicFromOneTrace', () => {
  const variable = tf.variable(tf.zeros([4, 6]));
  /** x [P, n] -> Reshape(target) -> (optional) _FusedMatMul with the variable. */
  const tape = (n: number, target: number[], extra: Partial<Tape> = {}): Tape => ({
    values: [
      { id: 0, dtype: 'float32', shape: [P, n], source: { kind: 'input', index: 0 } },
      { id: 1, dtype: 'float32', shape: target, source: { kind: 'kernel', call: 0, output: 0 } },
    ],
    calls: [{ index: 0, kernel: 'Reshape', inputs: [['x', 0]], attrs: { shape: target }, outputs: [1], layer: '' }],
    inputs: [0],
    outputs: [1],
    ...extra,
  });
  const batchInput = [[symOf(0), 4]];

  it('reads a Reshape target from the element count', () => {
    const t = symbolicFromOneTrace(tape(4, [1, P, 4]), symbols, batchInput)!;
    expect(dims(t.values[1]!.shape)).toEqual(['1', 's0', '4']);
    expect(dims(t.calls[0]!.attrs['shape'] as unknown[])).toEqual(['1', 's0', '4']);
  });

  it('keeps a size equal to the traced one static when the element count is static', () => {
    const t: Tape = {
      values: [
        { id: 0, dtype: 'float32', shape: [2, P], source: { kind: 'variable', variable } },
        { id: 1, dtype: 'float32', shape: [1, 2, P], source: { kind: 'kernel', call: 0, output: 0 } },
      ],
      calls: [{ index: 0, kernel: 'Reshape', inputs: [['x', 0]], attrs: { shape: [1, 2, P] }, outputs: [1], layer: '' }],
      inputs: [], outputs: [1],
    };
    const s = symbolicFromOneTrace(t, symbols, [])!;
    expect(s.values[1]!.shape).toEqual([1, 2, P]);
    expect(s.calls[0]!.attrs['shape']).toEqual([1, 2, P]);
  });

  it('derives a batched matmul product', () => {
    const t = tape(4, [1, P, 4]);
    t.values.push(
      { id: 2, dtype: 'float32', shape: [4, 6], source: { kind: 'variable', variable } },
      { id: 3, dtype: 'float32', shape: [1, 4, 6], source: { kind: 'kernel', call: 1, output: 0 } },
      { id: 4, dtype: 'float32', shape: [1, P, 6], source: { kind: 'kernel', call: 2, output: 0 } },
    );
    t.calls.push(
      { index: 1, kernel: 'Reshape', inputs: [['x', 2]], attrs: { shape: [1, 4, 6] }, outputs: [3], layer: '' },
      { index: 2, kernel: '_FusedMatMul', inputs: [['a', 1], ['b', 3], ['bias', null]], attrs: { transposeA: false, transposeB: false, activation: 'relu', leakyreluAlpha: 0.2 }, outputs: [4], layer: '' },
    );
    t.outputs = [4];
    const s = symbolicFromOneTrace(t, symbols, batchInput)!;
    expect(dims(s.values[4]!.shape)).toEqual(['1', 's0', '6']);
  });

  it('gives up where the one trace does not decide', () => {
    const cases: [string, Tape, unknown[][]][] = [
      // 1 * 13 * 13 elements: either 13 could be the batch
      ['two readings of a Reshape target', tape(P, [1, P, P]), [[symOf(0), P]]],
      ['an inferred (-1) Reshape dim', tape(4, [-1, 4]), batchInput],
      ['a kernel without a shape rule', { ...tape(4, [1, P, 4]), calls: [{ index: 0, kernel: 'Pad', inputs: [['x', 0]], attrs: { paddings: [[0, 0], [0, 0]], constantValue: 0 }, outputs: [1], layer: '' }] }, batchInput],
      ['an attr holding a multiple of the traced size', { ...tape(4, [P, 4]), calls: [{ index: 0, kernel: 'Softmax', inputs: [['logits', 0]], attrs: { dim: 2 * P }, outputs: [1], layer: '' }] }, batchInput],
      ['a recorded shape the rule does not give', { ...tape(4, [P, 5]), calls: [{ index: 0, kernel: 'Relu', inputs: [['x', 0]], attrs: {}, outputs: [1], layer: '' }] }, batchInput],
      ['an input shape other than the signature', tape(4, [1, P, 4]), [[P + 1, 4]]],
      // batch + 1 is no monomial; a concat along the batch would be 2 * batch from two sources
      ['padding of the batch', { ...tape(4, [P + 1, 4]), calls: [{ index: 0, kernel: 'PadV2', inputs: [['x', 0]], attrs: { paddings: [[1, 0], [0, 0]], constantValue: 0 }, outputs: [1], layer: '' }] }, batchInput],
      ['a concat along the batch', { ...tape(4, [2 * P, 4]), calls: [{ index: 0, kernel: 'Concat', inputs: [['0', 0], ['1', 0]], attrs: { axis: 0 }, outputs: [1], layer: '' }] }, batchInput],
      ['a pooling with the batch elsewhere than dim 0', { ...tape(4, [1, P - 1, 4, 2]), values: [
        { id: 0, dtype: 'float32', shape: [1, P, 4, 2], source: { kind: 'input', index: 0 } },
        { id: 1, dtype: 'float32', shape: [1, P - 1, 4, 2], source: { kind: 'kernel', call: 0, output: 0 } },
      ], calls: [{ index: 0, kernel: 'MaxPool', inputs: [['x', 0]], attrs: { filterSize: [2, 1], strides: 1, pad: 'valid' }, outputs: [1], layer: '' }] }, [[1, symOf(0), 4, 2]]],
    ];
    for (const [what, t, inputShapes] of cases) expect(symbolicFromOneTrace(t, symbols, inputShapes as never), what).toBeUndefined();
    // a constant holding a multiple of the traced size (tf.scalar(x.shape[0] * 2) would be one)
    const c = tape(4, [1, P, 4]);
    c.values.push({ id: 2, dtype: 'int32', shape: [], source: { kind: 'constant', values: Int32Array.of(2 * P) } });
    expect(symbolicFromOneTrace(c, symbols, batchInput)).toBeUndefined();
    c.values[2] = { id: 2, dtype: 'int32', shape: [], source: { kind: 'constant', values: Int32Array.of(2 * P + 1) } };
    expect(symbolicFromOneTrace(c, symbols, batchInput)).toBeDefined();
  });

  it('handles only one unknown dimension', () => {
    const two: SymbolInfo[] = [...symbols, { input: 0, axis: 1, sizes: [5, 7] }];
    expect(symbolicFromOneTrace(tape(4, [1, P, 4]), two, batchInput)).toBeUndefined();
  });
});

/** Runs `f` counting the kernels the engine dispatches, by name. */
async function countKernels<T>(f: () => Promise<T>): Promise<{ result: T; counts: Map<string, number> }> {
  const engine = tf.engine() as unknown as { runKernel: (...a: unknown[]) => unknown };
  const orig = engine.runKernel;
  const counts = new Map<string, number>();
  engine.runKernel = function (this: unknown, ...a: unknown[]) {
    counts.set(a[0] as string, (counts.get(a[0] as string) ?? 0) + 1);
    return orig.apply(this, a);
  };
  try {
    return { result: await f(), counts };
  } finally {
    engine.runKernel = orig;
  }
}

/** Traces `model`, checks its graph at batch sizes 1, 3, 17 and returns how many times `kernel` (its matmuls) ran. */
async function traceAndCheck(model: tf.LayersModel, seed: number, options: Parameters<typeof traceModel>[1] = {}, kernel = '_FusedMatMul', traced?: (cf: ConcreteFunction) => void): Promise<number> {
  seedWeights(model, seed);
  const { result: cf, counts } = await countKernels(() => traceModel(model, options));
  traced?.(cf);
  expectValidGraph(cf);
  expectNumericMatch(cf, {
    inputs: (b) => model.inputs.map((s) => randomTensor([b, ...(s.shape.slice(1) as number[])], s.dtype, prng(b * 7 + seed))),
    reference: (xs) => {
      const y = model.apply(xs.length === 1 ? xs[0]! : xs, { training: false }) as tf.Tensor | tf.Tensor[];
      return Array.isArray(y) ? y : [y];
    },
  });
  return counts.get(kernel) ?? 0;
}

/** The FunctionDef without its name, for comparing traces. */
function body(cf: ConcreteFunction): Uint8Array {
  const fd = tensorflow.FunctionDef.decode(tensorflow.FunctionDef.encode(cf.functionDef).finish());
  fd.signature!.name = 'f';
  return tensorflow.FunctionDef.encode(fd).finish();
}

/** One trace of `model` (counted by `kernel`, `layers` of them) gives the graph two traces give. */
async function expectOneTraceLikeTwo(model: tf.LayersModel, seed: number, kernel: string, layers: number): Promise<void> {
  expect(isSizeIndependentModel(model)).toBe(true);
  let once: ConcreteFunction | undefined;
  expect(await traceAndCheck(model, seed, {}, kernel, (cf) => { once = cf; })).toBe(layers);
  const twice = await traceModel(model, { traceSizes: [[2, 3]] });
  expect(body(once!)).toEqual(body(twice));
  expect(once!.outputs.map((o) => o.spec.shape)).toEqual(twice.outputs.map((o) => o.spec.shape));
}

class BatchScale extends tf.layers.Layer {
  static className = 'BatchScaleForOneTraceTest';
  // size-dependent arithmetic in JS: only a second trace sees it
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.mul(x, tf.scalar(x.shape[0]!));
  }
}

class BatchBranch extends tf.layers.Layer {
  static className = 'BatchBranchForOneTraceTest';
  // size-dependent control flow: two traces see two kernel sequences, one trace sees one
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return x.shape[0]! > 2 ? tf.relu(x) : tf.neg(x);
  }
}

describe('traceModel: one trace for the batch dimension', () => {
  it('traces a Dense stack once', async () => {
    const model = tf.sequential({ layers: [
      L.dense({ inputShape: [4], units: 6, activation: 'relu' }), L.dense({ units: 5, activation: 'tanh' }),
      L.dense({ units: 3, activation: 'sigmoid' }), L.activation({ activation: 'softmax' }), L.dense({ units: 2 }),
    ] });
    expect(isSizeIndependentModel(model)).toBe(true);
    expect(await traceAndCheck(model, 1)).toBe(4);
  });

  it('traces a functional model with a nested Sequential once', async () => {
    const inner = tf.sequential({ layers: [L.dense({ inputShape: [6], units: 4, activation: 'elu' })] });
    const x = tf.input({ shape: [3] });
    const h = L.dense({ units: 6, activation: 'softplus' }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: inner.apply(h) as tf.SymbolicTensor });
    expect(await traceAndCheck(model, 2)).toBe(2);
  });

  it('traces a MobileNetV2-like model once (convolutions, batch norm, ReLU6, Add, global pooling)', async () => {
    const model = mobileNetV2Like(16);
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').length;
    await expectOneTraceLikeTwo(model, 7, 'FusedConv2D', convs);
  });

  it('traces a CNN of padding, pooling, flatten, dropout, concatenate and batch norm once', async () => {
    const x = tf.input({ shape: [9, 8, 2] });
    let a = L.zeroPadding2d({ padding: [[1, 0], [2, 1]] }).apply(x) as tf.SymbolicTensor;
    a = L.conv2d({ filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }).apply(a) as tf.SymbolicTensor;
    a = L.maxPooling2d({ poolSize: 2, padding: 'same' }).apply(a) as tf.SymbolicTensor;
    let b = L.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, padding: 'same', activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
    b = L.averagePooling2d({ poolSize: 3, strides: 3 }).apply(b) as tf.SymbolicTensor;
    b = L.leakyReLU({ alpha: 0.1 }).apply(b) as tf.SymbolicTensor;
    const g = L.globalMaxPooling2d({}).apply(b) as tf.SymbolicTensor;
    let h = L.concatenate().apply([L.flatten().apply(a) as tf.SymbolicTensor, g]) as tf.SymbolicTensor;
    h = L.dropout({ rate: 0.3 }).apply(h) as tf.SymbolicTensor;
    h = L.batchNormalization().apply(L.dense({ units: 5 }).apply(h)) as tf.SymbolicTensor;
    const out = L.softmax().apply(L.reLU({ maxValue: 2 }).apply(h)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: out });
    await expectOneTraceLikeTwo(model, 8, '_FusedMatMul', 1);
  });

  it('gives the graph two traces give for CNN variants (strides, dilation, padding, channels-first, BN axes)', async () => {
    const variants: [string, () => tf.LayersModel][] = [
      ['strided valid conv, same pooling', () => tf.sequential({ layers: [L.conv2d({ inputShape: [11, 9, 3], filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'valid', activation: 'relu6' }), L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), L.globalAveragePooling2d({}), L.dense({ units: 2 })] })],
      ['dilated conv, depthwise with multiplier, BN', () => tf.sequential({ layers: [L.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' }), L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3, strides: 2 }), L.batchNormalization(), L.flatten(), L.softmax()] })],
      ['BN on axis 1 (checked against the formula below: tfjs is not a reference there)', () => tf.sequential({ layers: [L.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }), L.batchNormalization({ axis: 1 })] })],
      ['BN on a rank-3 input, concat on the last axis', () => {
        const x = tf.input({ shape: [6, 4] });
        const a = L.batchNormalization().apply(x) as tf.SymbolicTensor;
        const b = L.dense({ units: 3 }).apply(x) as tf.SymbolicTensor;
        return tf.model({ inputs: x, outputs: L.concatenate({ axis: -1 }).apply([a, b]) as tf.SymbolicTensor });
      }],
      ['zero padding, average pooling, add of two branches', () => {
        const x = tf.input({ shape: [8, 8, 3] });
        const p = L.zeroPadding2d({ padding: 2 }).apply(x) as tf.SymbolicTensor;
        const a = L.conv2d({ filters: 3, kernelSize: 5 }).apply(p) as tf.SymbolicTensor;
        const b = L.averagePooling2d({ poolSize: 1 }).apply(x) as tf.SymbolicTensor;
        return tf.model({ inputs: x, outputs: L.add().apply([a, b]) as tf.SymbolicTensor });
      }],
    ];
    for (const [what, make] of variants) {
      const model = make();
      expect(isSizeIndependentModel(model), what).toBe(true);
      seedWeights(model, 10);
      const once = await traceModel(model);
      const twice = await traceModel(model, { traceSizes: [[2, 3]] });
      expect(body(once), what).toEqual(body(twice));
      expect(once.outputs.map((o) => o.spec.shape), what).toEqual(twice.outputs.map((o) => o.spec.shape));
      if (what.startsWith('BN on axis 1')) continue;
      expectNumericMatch(once, {
        inputs: (b) => model.inputs.map((s) => randomTensor([b, ...(s.shape.slice(1) as number[])], s.dtype, prng(b + 5))),
        reference: (xs) => [model.apply(xs[0]!, { training: false }) as tf.Tensor],
        tolerance: 1e-4,
      });
    }
  });

  it("computes BatchNormalization on a non-last axis as Keras' formula (tfjs's cpu kernel broadcasts its statistics along the last axis only)", async () => {
    for (const [shape, bshape] of [[[4, 4, 3], [1, 4, 1, 1]], [[5, 3], [1, 5, 1]]] as const) {
      const model = tf.sequential({ layers: [L.batchNormalization({ inputShape: [...shape], axis: 1 })] });
      seedWeights(model, 10);
      const bn = model.layers[0] as unknown as { gamma: tf.LayerVariable; beta: tf.LayerVariable; movingMean: tf.LayerVariable; movingVariance: tf.LayerVariable; epsilon: number };
      const r = (v: tf.LayerVariable) => tf.reshape(v.read(), [...bshape]);
      // (x - mean) / sqrt(variance + epsilon) * gamma + beta, the statistics on axis 1 (tf's broadcasting ops)
      const formula = (x: tf.Tensor) => tf.add(tf.mul(tf.div(tf.sub(x, r(bn.movingMean)), tf.sqrt(tf.add(r(bn.movingVariance), bn.epsilon))), r(bn.gamma)), r(bn.beta));
      const cf = await traceModel(model);
      expectNumericMatch(cf, { inputs: (b) => [randomTensor([b, ...shape], 'float32', prng(b + 5))], reference: (xs) => [formula(xs[0]!)], tolerance: 1e-4 });
      // what tfjs's cpu backend computes for the model is something else
      const x = randomTensor([2, ...shape], 'float32', prng(3));
      expect(maxRelativeError(model.apply(x, { training: false }) as tf.Tensor, formula(x))).toBeGreaterThan(1e-2);
    }
  });

  it('takes the second trace for a CNN whose numbers could hold the traced size', async () => {
    // 13 filters: a conv output [13, h, w, 13] and the Flatten Reshape have two readings
    const model = tf.sequential({ layers: [L.conv2d({ inputShape: [4, 4, 1], filters: P, kernelSize: 3 }), L.flatten(), L.dense({ units: 2 })] });
    expect(isSizeIndependentModel(model)).toBe(true);
    expect(await traceAndCheck(model, 9, {}, 'FusedConv2D')).toBe(2);
  });

  it('takes the second trace when the first has two readings', async () => {
    // width 13 = the traced batch size: the Reshape [1, 13, 13] could hold the batch in either place
    const model = tf.sequential({ layers: [L.dense({ inputShape: [13], units: 13, activation: 'relu' })] });
    expect(isSizeIndependentModel(model)).toBe(true);
    expect(await traceAndCheck(model, 3)).toBe(2);
  });

  it('takes the second trace for a Dense on 3-D input (Reshape to [-1, n])', async () => {
    const model = tf.sequential({ layers: [L.dense({ inputShape: [3, 4], units: 2, activation: 'relu' })] });
    expect(await traceAndCheck(model, 4)).toBeGreaterThan(0);
  });

  it('traces twice with user traceSizes', async () => {
    const model = tf.sequential({ layers: [L.dense({ inputShape: [4], units: 2, activation: 'relu' })] });
    expect(await traceAndCheck(model, 5, { traceSizes: [[5, 7]] })).toBe(2);
  });

  it('traces layers outside the whitelist twice, which size-dependent arithmetic needs', async () => {
    const model = tf.sequential({ layers: [L.dense({ inputShape: [4], units: 3, activation: 'relu' }), new BatchScale({}), L.dense({ units: 2 })] });
    expect(isSizeIndependentModel(model)).toBe(false);
    expect(await traceAndCheck(model, 6)).toBe(4);
  });

  it('still refuses size-dependent control flow outside the whitelist', async () => {
    const model = tf.sequential({ layers: [L.dense({ inputShape: [4], units: 3, activation: 'relu' }), new BatchBranch({})] });
    await expect(traceModel(model)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/differ/) });
  });

  it('does not whitelist a Dense with a call hook or a replaced method, or a look-alike class', () => {
    const make = () => tf.sequential({ layers: [L.dense({ inputShape: [4], units: 3 })] });
    const hooked = make();
    hooked.layers[0]!.setCallHook(() => undefined);
    expect(isSizeIndependentModel(hooked)).toBe(false);
    const replaced = make();
    const dense = replaced.layers[0]! as unknown as { call: (...a: unknown[]) => unknown };
    const call = dense.call.bind(dense);
    dense.call = (...a: unknown[]) => call(...a);
    expect(isSizeIndependentModel(replaced)).toBe(false);
    class Dense extends tf.layers.Layer { static className = 'Dense'; }
    expect(isSizeIndependentModel(tf.sequential({ layers: [new Dense({ inputShape: [4] })] }))).toBe(false);
    expect(isSizeIndependentModel(make())).toBe(true);
  });

  it("does not whitelist a Dense whose activation is the user's own registered class", () => {
    class BatchScaled extends tf.serialization.Serializable {
      static className = 'BatchScaledActivation';
      override getClassName(): string { return BatchScaled.className; }
      apply(x: tf.Tensor): tf.Tensor { return tf.mul(x, x.shape[0] ?? 1); }
      getConfig(): tf.serialization.ConfigDict { return {}; }
    }
    tf.serialization.registerClass(BatchScaled);
    const model = tf.sequential({ layers: [L.dense({ inputShape: [4], units: 3, activation: 'BatchScaledActivation' as never })] });
    expect((model.layers[0] as unknown as { activation: { getClassName(): string } }).activation.getClassName()).toBe('BatchScaledActivation');
    expect(isSizeIndependentModel(model)).toBe(false);
    for (const a of ['relu', 'softmax', 'linear', 'gelu'] as const) {
      expect(isSizeIndependentModel(tf.sequential({ layers: [L.dense({ inputShape: [4], units: 3, activation: a })] }))).toBe(true);
    }
  });
});
