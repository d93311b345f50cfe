// Model builders shared by the zoo tests and the backend comparison.
import * as tf from '@tensorflow/tfjs';

/** Inverted residual blocks as in MobileNetV2, scaled down. */
export function mobileNetV2Like(size = 32): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const convBnRelu6 = (x: tf.SymbolicTensor, filters: number, kernel: number, strides: number) => {
    let y = tf.layers.conv2d({ filters, kernelSize: kernel, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
    return tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor;
  };
  const block = (x: tf.SymbolicTensor, expand: number, out: number, strides: number) => {
    const inC = x.shape[3] as number;
    let y = convBnRelu6(x, inC * expand, 1, 1);
    y = tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
    y = tf.layers.activation({ activation: 'relu6' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.conv2d({ filters: out, kernelSize: 1, useBias: false }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
    return strides === 1 && inC === out ? (tf.layers.add().apply([x, y]) as tf.SymbolicTensor) : y;
  };
  let x = convBnRelu6(input, 8, 3, 2);
  x = block(x, 1, 8, 1);
  x = block(x, 4, 12, 2);
  x = block(x, 4, 12, 1);
  x = block(x, 4, 16, 2);
  x = block(x, 4, 16, 1);
  x = convBnRelu6(x, 32, 1, 1);
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

