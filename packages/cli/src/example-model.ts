// The built-in example: "half plus two" (y = 0.5·x + 2, the model TensorFlow Serving's docs use)
// as a TensorFlow.js layers model, exported with the SDK like Keras 3's Model.export.
import * as tf from '@tensorflow/tfjs';

export function halfPlusTwo(): tf.LayersModel {
  const x = tf.input({ shape: [1], name: 'x' });
  const dense = tf.layers.dense({ name: 'y', units: 1, kernelInitializer: 'zeros' });
  const model = tf.model({ inputs: x, outputs: dense.apply(x) as tf.SymbolicTensor, name: 'half_plus_two' });
  dense.setWeights([tf.tensor2d([[0.5]]), tf.tensor1d([2])]);
  return model;
}
