// The same trace taken over the cpu backend and over the wasm backend gives identical graphs.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { tensorflow } from '@savedmodel-js/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOWERINGS, tensorSpec, traceFunction, traceModel, UNSUPPORTED, type ConcreteFunction } from '../src/index.js';
import { expectNumericMatch, expectValidGraph, prng, randomTensor, seedWeights } from './helpers/checks.js';
import { mobileNetV2Like } from './helpers/zoo.js';

function bytes(cf: ConcreteFunction): Uint8Array {
  return tensorflow.FunctionDef.encode(cf.functionDef).finish();
}

/** The function name carries a process-wide uid; compare everything else. */
function normalized(cf: ConcreteFunction): Uint8Array {
  const fd = tensorflow.FunctionDef.decode(bytes(cf));
  fd.signature!.name = 'f';
  return tensorflow.FunctionDef.encode(fd).finish();
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.setBackend('cpu');
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('cpu and wasm traces', () => {
  it('give identical graphs for a CNN', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [10, 10, 3], filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 6, activation: 'softmax' }),
      ],
    });
    seedWeights(model, 5);
    const onCpu = await traceModel(model, { backend: 'cpu' });
    const onWasm = await traceModel(model, { backend: 'wasm' });
    expectValidGraph(onWasm);
    expect(normalized(onWasm)).toEqual(normalized(onCpu));
    expect(onWasm.captures.map((c) => c.name)).toEqual(onCpu.captures.map((c) => c.name));
    onWasm.captures.forEach((c, i) => expect(c.values).toEqual(onCpu.captures[i]!.values));
  });

  it('give identical graphs for the MobileNetV2-like, LSTM and Embedding models', async () => {
    const models = [
      mobileNetV2Like(),
      tf.sequential({ layers: [tf.layers.lstm({ inputShape: [5, 3], units: 4 }), tf.layers.dense({ units: 2 })] }),
      tf.sequential({ layers: [tf.layers.embedding({ inputShape: [null], inputDim: 20, outputDim: 6 }), tf.layers.globalAveragePooling1d()] }),
    ];
    for (const [i, model] of models.entries()) {
      seedWeights(model, 30 + i);
      const onCpu = await traceModel(model, { backend: 'cpu' });
      const onWasm = await traceModel(model, { backend: 'wasm' });
      expect(normalized(onWasm), model.name).toEqual(normalized(onCpu));
    }
  });

  it('give identical graphs for a plain function', async () => {
    const fn = (x: tf.Tensor, i: tf.Tensor) => {
      const y = tf.softmax(tf.matMul(x, tf.ones([4, 3])));
      return { y, idx: tf.argMax(y, 1), g: tf.gather(x, i, 1), r: tf.reshape(x, [-1, 2, 2]) };
    };
    const sig = [tensorSpec([null, 4]), tensorSpec([2], 'int32')];
    const onCpu = await traceFunction(fn, sig, { backend: 'cpu' });
    const onWasm = await traceFunction(fn, sig, { backend: 'wasm' });
    expect(normalized(onWasm)).toEqual(normalized(onCpu));
  });

  it('every wasm kernel has a lowering or an UNSUPPORTED reason', () => {
    const wasm = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    expect(wasm.length).toBeGreaterThan(100);
    expect(wasm.filter((k) => !(k in LOWERINGS) && !(k in UNSUPPORTED))).toEqual([]);
  });

  it('lowers the wasm-only LogicalXor', async () => {
    await tf.setBackend('wasm');
    try {
      const fn = (a: tf.Tensor, b: tf.Tensor) => tf.logicalXor(tf.greater(a, 0), tf.greater(b, 0));
      const cf = await traceFunction(fn, [tensorSpec([null, 3]), tensorSpec([null, 3])]);
      expectValidGraph(cf);
      expectNumericMatch(cf, {
        inputs: (n) => [randomTensor([n, 3], 'float32', prng(n)), randomTensor([n, 3], 'float32', prng(n + 50))],
        reference: (xs) => [fn(xs[0]!, xs[1]!)],
      });
    } finally {
      await tf.setBackend('cpu');
    }
  });

  it('leaves the current backend as it was', async () => {
    await tf.setBackend('cpu');
    await traceFunction((x: tf.Tensor) => tf.relu(x), [tensorSpec([null, 2])], { backend: 'wasm' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('queued traces keep the tracing backend between them, give the graphs of separate traces, and restore the caller\'s backend when done', async () => {
    await tf.setBackend('cpu');
    const fns = [(x: tf.Tensor) => tf.relu(x), (x: tf.Tensor) => tf.sigmoid(tf.mul(x, 2)), (x: tf.Tensor) => tf.sum(x, 1)];
    const alone: Uint8Array[] = [];
    for (const f of fns) alone.push(normalized(await traceFunction(f, [tensorSpec([null, 2])])));
    const seen: string[] = [];
    const queued = fns.map((f) => traceFunction(f, [tensorSpec([null, 2])]).then((cf) => { seen.push(tf.getBackend()); return cf; }));
    const cfs = await Promise.all(queued);
    cfs.forEach((cf, i) => expect(Buffer.from(normalized(cf)).equals(Buffer.from(alone[i]!))).toBe(true));
    // held between traces (one switch for the batch), restored when the last one ended
    expect(seen.slice(0, -1).every((b) => b.startsWith('savedmodel-trace-'))).toBe(true);
    expect(seen.at(-1)).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // kernels run between queued traces compute on the wrapped backend as usual
    const held = traceFunction((x: tf.Tensor) => tf.relu(x), [tensorSpec([null, 2])]);
    const next = traceFunction((x: tf.Tensor) => tf.abs(x), [tensorSpec([null, 2])]);
    await held;
    expect(tf.getBackend()).toBe('savedmodel-trace-cpu');
    expect(Array.from(tf.tidy(() => tf.relu(tf.tensor1d([-1, 2]))).dataSync())).toEqual([0, 2]);
    await next;
    expect(tf.getBackend()).toBe('cpu');
  });
});
