// shapesOnly (the default) skips the arithmetic of convolutions, pooling and matmuls while
// tracing. It must give the same graph as computing everything, and refuse functions that read
// such placeholder values back.
import * as tf from '@tensorflow/tfjs';
import { isSavedModelError, tensorflow } from '@savedmodel-js/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorSpec, traceFunction, traceModel, type ConcreteFunction } from '../src/index.js';
import { seedWeights } from './helpers/checks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

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
    const fast = await traceModel(model);
    const exact = await traceModel(model, { shapesOnly: false });
    expect(normalized(fast)).toEqual(normalized(exact));
  });

  it('refuses functions that read placeholder values', async () => {
    const fn = (x: tf.Tensor) => {
      const y = tf.matMul(x, tf.ones([3, 2]));
      const n = y.dataSync()[0]! > 0 ? 1 : 2;
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
