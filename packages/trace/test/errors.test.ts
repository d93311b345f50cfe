// Failures are SavedModelErrors naming the kernel (and the layer), and leave nothing behind:
// no partial result, the previous backend current again, layers unpatched.
import * as tf from '@tensorflow/tfjs';
import { isSavedModelError } from '@savedmodel-js/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorSpec, traceFunction, traceModel } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function traceError(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected the trace to fail');
}

class SampleLayer extends tf.layers.Layer {
  static className = 'SampleLayer';
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.cast(tf.multinomial(x as tf.Tensor2D, 2, 1), 'float32');
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(s[0]) ? s[0] : s) as tf.Shape;
    return [shape[0]!, 2];
  }
}

describe('trace errors', () => {
  it('unsupported kernel in a function: UNSUPPORTED naming the kernel', async () => {
    const e = await traceError(traceFunction((x: tf.Tensor) => tf.unique(tf.reshape(x, [-1])).values, [tensorSpec([null, 3])]));
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect(e.message).toMatch(/kernel Unique/);
  });

  it('a reduction over a repeated axis: UNSUPPORTED naming the kernel (TensorFlow refuses duplicate axes)', async () => {
    for (const axes of [[1, 1], [1, -1]]) {
      const e = await traceError(traceFunction((x: tf.Tensor) => tf.sum(x, axes), [tensorSpec([2, 3])]));
      expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
      expect(e.message).toMatch(/kernel Sum/);
      expect(e.message).toContain('name axis 1 twice');
    }
    // distinct axes, negative or not, trace as before
    const ok = await traceFunction((x: tf.Tensor) => tf.sum(x, [0, -1]), [tensorSpec([2, 3])]);
    expect((ok.functionDef.node_def ?? []).some((n) => n.op === 'Sum')).toBe(true);
  });

  it('unsupported kernel in a layers model: names the layer', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), new SampleLayer({ name: 'sampler' })] });
    const before = Object.getOwnPropertyNames(model.layers[1]!);
    const e = await traceError(traceModel(model));
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect(e.message).toMatch(/kernel Multinomial in layer sequential_\d+\/sampler/);
    // the layer's call is its own again
    expect(Object.getOwnPropertyNames(model.layers[1]!)).toEqual(before);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('size-dependent control flow: UNSUPPORTED naming the first differing kernel', async () => {
    const fn = (x: tf.Tensor) => (x.shape[0]! > 2 ? tf.relu(x) : tf.sigmoid(x));
    const e = await traceError(traceFunction(fn, [tensorSpec([null, 3])]));
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect(e.message).toMatch(/kernel Sigmoid .*differ/);
  });

  it('a size no graph can express: UNSUPPORTED naming the kernel', async () => {
    const e = await traceError(traceFunction((x: tf.Tensor) => tf.tile(x, [x.shape[0]! + 1, 1]), [tensorSpec([null, 3])]));
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect(e.message).toMatch(/kernel Tile/);
  });

  it('a batch-sized constant whose rows differ (one value per example, computed in JS): UNSUPPORTED naming the kernel', async () => {
    const perExample = (x: tf.Tensor) => tf.add(x, tf.tensor2d(Array.from({ length: x.shape[0]! }, (_, i) => [i, 0, 0]), [x.shape[0]!, 3]));
    const e = await traceError(traceFunction(perExample, [tensorSpec([null, 3])]));
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect(e.message).toMatch(/kernel Add .*depends on the input size.*neither filled with one value nor one row repeated/);
  });

  it('stateful layers in training mode are rejected', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.batchNormalization()] });
    const e = await traceError(traceModel(model, { training: true }));
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect(e.message).toMatch(/moving_mean|moving_variance/);
  });

  it('random values in the trace are rejected', async () => {
    const e = await traceError(traceFunction((x: tf.Tensor) => tf.add(x, tf.randomUniform([3])), [tensorSpec([null, 3])]));
    expect(isSavedModelError(e, 'UNSUPPORTED')).toBe(true);
    expect(e.message).toMatch(/kernel Add .*different values/);
  });

  it('bad arguments: INVALID_ARGUMENT', async () => {
    const e1 = await traceError(traceFunction((x: tf.Tensor) => x, []));
    expect(isSavedModelError(e1, 'INVALID_ARGUMENT')).toBe(true);
    const e2 = await traceError(traceFunction((x: tf.Tensor) => x, [tensorSpec([null, 2])], { traceSizes: [[4, 6]] }));
    expect(isSavedModelError(e2, 'INVALID_ARGUMENT')).toBe(true);
    const e3 = await traceFunction((x: tf.Tensor) => ({ y: x }), [{ shape: [null, 2] }]);
    expect(e3.outputs.length).toBe(1);
  });

  // Shapes from an untrusted file (found by the loaders fuzz: a layers model.json with a fixed batch
  // of 10^12 was a RangeError from an ArrayBuffer): refused by name before anything is allocated.
  it('an input over the one-tensor limit: LIMIT_EXCEEDED naming the input, nothing allocated', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ batchInputShape: [1e12, 4], units: 2, name: 'd' })] });
    const rss0 = process.memoryUsage().rss;
    const e = await traceError(traceModel(model));
    expect(isSavedModelError(e, 'LIMIT_EXCEEDED'), String(e)).toBe(true);
    expect(e.message).toMatch(/trace input .*\[1000000000000, 4\]/);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * 2 ** 20);
    expect(tf.getBackend()).toBe('cpu');
  });

  for (const shapesOnly of [true, false]) {
    it(`a kernel whose output is over what memory holds (shapesOnly ${shapesOnly}): LIMIT_EXCEEDED naming the kernel`, async () => {
      const e = await traceError(traceFunction((x: tf.Tensor) => tf.tile(x, [1e5, 1e5]), [tensorSpec([2, 3])], { shapesOnly }));
      expect(isSavedModelError(e, 'LIMIT_EXCEEDED'), String(e)).toBe(true);
      expect(e.message).toMatch(/kernel Tile/);
      expect(tf.getBackend()).toBe('cpu');
    });
  }

  it('a failed trace leaves tracing usable', async () => {
    await traceError(traceFunction((x: tf.Tensor) => tf.unique(tf.reshape(x, [-1])).values, [tensorSpec([null, 3])]));
    const cf = await traceFunction((x: tf.Tensor) => tf.relu(x), [tensorSpec([null, 3])]);
    expect(cf.functionDef.node_def!.map((n) => n.op)).toEqual(['Relu', 'Identity']);
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('concurrent traces', () => {
  it('run one after the other and all succeed', async () => {
    const fns = [(x: tf.Tensor) => tf.relu(x), (x: tf.Tensor) => tf.sigmoid(x), (x: tf.Tensor) => tf.tanh(tf.reshape(x, [-1]))];
    const cfs = await Promise.all(fns.map((f) => traceFunction(f, [tensorSpec([null, 3])])));
    expect(cfs.map((c) => c.functionDef.node_def!.find((n) => n.op !== 'Identity' && n.op !== 'Const')!.op)).toEqual(['Relu', 'Sigmoid', 'Reshape']);
    expect(tf.getBackend()).toBe('cpu');
  });
});
