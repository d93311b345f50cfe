// MaxPool with padding EXPLICIT (TF 2.5+): padded cells never win the max. Expected values: tfjs's
// maxPool over the input padded with -Infinity by tfjs itself.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const F = tensorflow.DataType.DT_FLOAT;
beforeAll(async () => { await tf.setBackend('cpu'); });

describe('MaxPool with explicit paddings', () => {
  it('pads with -Infinity, then pools VALID; negative inputs show the padding never wins', async () => {
    const files = await savedModelFiles(
      [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([1, 5, 4, 2]) }),
        node('y', 'MaxPool', ['x'], { T: attr.type(F), ksize: attr.ints([1, 2, 3, 1]), strides: attr.ints([1, 2, 1, 1]), padding: attr.str('EXPLICIT'), explicit_paddings: attr.ints([0, 0, 1, 0, 2, 1, 0, 0]) }),
      ],
      [], { x: ['x:0', F] }, { y: ['y:0', F] },
    );
    const x = tf.randomUniform([1, 5, 4, 2], -3, -1, 'float32', 4) as tf.Tensor4D;
    const want = tf.maxPool(tf.pad(x, [[0, 0], [1, 0], [2, 1], [0, 0]], -Infinity) as tf.Tensor4D, [2, 3], [2, 1], 'valid');
    const m = await loadSavedModel(files);
    const got = m.predict(x) as tf.Tensor;
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    expect(Math.max(...got.dataSync())).toBeLessThan(0);
    expect(frozenGraphErrors(m.graph)).toEqual([]);
    m.dispose();
  });
});
