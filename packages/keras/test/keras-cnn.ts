// keras_cnn (TF 2.10 fixture) rebuilt in tfjs-layers: same layers, names, input and weights
// (read from the fixture's checkpoint), compiled as the fixture was (SGD lr 5e-4, sparse CE, accuracy).
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { FIXTURES } from '../../core/test/shared.js';

export const KERAS_CNN = join(FIXTURES, 'keras_cnn');

export async function kerasCnn(optimizer: tf.Optimizer | null = tf.train.sgd(0.0005)): Promise<tf.Sequential> {
  const { checkpoint } = await readSavedModelDir(KERAS_CNN);
  const w = (layer: number, part: 'kernel' | 'bias', shape: number[]) =>
    tf.tensor(checkpoint!.value(`layer_with_weights-${layer}/${part}/.ATTRIBUTES/VARIABLE_VALUE`) as Float32Array, shape);
  const model = tf.sequential({
    name: 'sequential_18',
    layers: [
      tf.layers.conv2d({ name: 'conv2d_18', inputShape: [50, 50, 1], filters: 64, kernelSize: 3, padding: 'valid', activation: 'linear', kernelInitializer: 'glorotUniform' }),
      tf.layers.activation({ name: 'activation_38', activation: 'relu' }),
      tf.layers.maxPooling2d({ name: 'max_pooling2d_18', poolSize: 4, strides: 4, padding: 'valid' }),
      tf.layers.flatten({ name: 'flatten_18' }),
      tf.layers.dense({ name: 'dense_34', units: 64, kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.05 }) }),
      tf.layers.dropout({ name: 'dropout_19', rate: 0.4 }),
      tf.layers.activation({ name: 'activation_39', activation: 'relu' }),
      tf.layers.dense({ name: 'dense_35', units: 5, activation: 'softmax', kernelInitializer: 'glorotUniform' }),
    ],
  });
  model.layers[0]!.setWeights([w(0, 'kernel', [3, 3, 1, 64]), w(0, 'bias', [64])]);
  model.layers[4]!.setWeights([w(1, 'kernel', [9216, 64]), w(1, 'bias', [64])]);
  model.layers[7]!.setWeights([w(2, 'kernel', [64, 5]), w(2, 'bias', [5])]);
  if (optimizer) model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
