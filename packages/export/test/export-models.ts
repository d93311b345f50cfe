// Small tfjs-layers models for the export round trips: an MLP, a CNN (Conv2D, BatchNormalization,
// MaxPooling2D, Dropout, Flatten, Dense) and a functional model with two inputs and two outputs.
import * as tf from '@tensorflow/tfjs';

export function mlp(): tf.LayersModel {
  return tf.sequential({
    name: 'mlp',
    layers: [
      tf.layers.dense({ inputShape: [6], units: 16, activation: 'relu', name: 'mlp_hidden' }),
      tf.layers.dense({ units: 8, activation: 'tanh', name: 'mlp_hidden2' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'mlp_probs' }),
    ],
  });
}

export function cnn(): tf.LayersModel {
  const m = tf.sequential({
    name: 'cnn',
    layers: [
      tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, activation: 'relu', name: 'cnn_conv' }),
      tf.layers.batchNormalization({ name: 'cnn_bn' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'cnn_pool' }),
      tf.layers.dropout({ rate: 0.25, name: 'cnn_dropout' }),
      tf.layers.flatten({ name: 'cnn_flatten' }),
      tf.layers.dense({ units: 5, activation: 'softmax', name: 'cnn_out' }),
    ],
  });
  // non-trivial moving statistics, so that inference-mode batch norm is really exercised
  const bn = m.getLayer('cnn_bn');
  const [gamma, beta, mean, variance] = bn.getWeights();
  bn.setWeights([tf.add(gamma!, 0.5), tf.sub(beta!, 0.25), tf.add(mean!, 0.1), tf.add(variance!, 0.3)]);
  return m;
}

export function multiIO(): tf.LayersModel {
  const a = tf.input({ shape: [5], name: 'features' });
  const b = tf.input({ shape: [3], name: 'extra' });
  const h = tf.layers.dense({ units: 12, activation: 'relu', name: 'mio_hidden' }).apply(tf.layers.concatenate({ name: 'mio_concat' }).apply([a, b]) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const scores = tf.layers.dense({ units: 4, name: 'scores' }).apply(h) as tf.SymbolicTensor;
  const gate = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'gate' }).apply(tf.layers.dropout({ rate: 0.5, name: 'mio_dropout' }).apply(h) as tf.SymbolicTensor) as tf.SymbolicTensor;
  return tf.model({ name: 'multi_io', inputs: [a, b], outputs: [scores, gate] });
}

/** y = dropout(x · I): dropout is the only change between inference and training. */
export function dropoutProbe(units = 64, rate = 0.5): tf.LayersModel {
  const m = tf.sequential({
    name: 'dropout_probe',
    layers: [
      tf.layers.dense({ inputShape: [units], units, useBias: false, kernelInitializer: 'identity', name: 'probe_identity' }),
      tf.layers.dropout({ rate, name: 'probe_dropout' }),
    ],
  });
  return m;
}
