// More tfjs-layers layers, each traced with traceModel, validated against TF's op registry and
// run by tfjs-converter's executor at batch sizes 1, 3 and 17 against model.apply.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { traceModel } from '../src/index.js';
import { expectNumericMatch, expectValidGraph, prng, randomTensor, seedWeights } from './helpers/checks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const L = tf.layers;
const sym = (x: unknown) => x as tf.SymbolicTensor;

const CASES: [name: string, make: () => tf.LayersModel, tolerance?: number][] = [
  ['SimpleRNN returning sequences', () => tf.sequential({ layers: [L.simpleRNN({ inputShape: [4, 3], units: 5, returnSequences: true })] }), 1e-4],
  ['Bidirectional LSTM', () => tf.sequential({ layers: [L.bidirectional({ layer: L.lstm({ units: 3 }) as tf.RNN, inputShape: [4, 2] })] }), 1e-4],
  ['ConvLSTM2D', () => tf.sequential({ layers: [L.convLstm2d({ inputShape: [2, 5, 5, 2], filters: 2, kernelSize: 3 })] }), 1e-4],
  ['Masking + LSTM', () => tf.sequential({ layers: [L.masking({ inputShape: [4, 2], maskValue: 0 }), L.lstm({ units: 2 })] }), 1e-4],
  ['SeparableConv2D', () => tf.sequential({ layers: [L.separableConv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same' })] })],
  ['dilated Conv2D', () => tf.sequential({ layers: [L.conv2d({ inputShape: [9, 9, 2], filters: 3, kernelSize: 3, dilationRate: 2 })] })],
  ['DepthwiseConv2D with multiplier, strides, bias', () => tf.sequential({ layers: [L.depthwiseConv2d({ inputShape: [6, 6, 2], kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' })] })],
  ['Conv3D', () => tf.sequential({ layers: [L.conv3d({ inputShape: [4, 4, 4, 2], filters: 2, kernelSize: 2 })] })],
  ['ZeroPadding2D + Cropping2D', () => tf.sequential({ layers: [L.zeroPadding2d({ inputShape: [5, 5, 2], padding: 2 }), L.cropping2D({ cropping: [[1, 0], [0, 2]] })] })],
  ['UpSampling2D bilinear', () => tf.sequential({ layers: [L.upSampling2d({ inputShape: [4, 4, 2], size: [2, 3], interpolation: 'bilinear' })] })],
  ['MaxPooling1D + AveragePooling1D', () => tf.sequential({ layers: [L.maxPooling1d({ inputShape: [8, 3], poolSize: 2 }), L.averagePooling1d({ poolSize: 2 })] })],
  ['GlobalMaxPooling2D', () => tf.sequential({ layers: [L.globalMaxPooling2d({ inputShape: [5, 5, 3] })] })],
  ['Permute, RepeatVector, Reshape', () => tf.sequential({ layers: [L.permute({ inputShape: [3, 4], dims: [2, 1] }), L.flatten(), L.repeatVector({ n: 2 }), L.reshape({ targetShape: [6, 4] })] })],
  ['activation layers', () => tf.sequential({ layers: [L.dense({ inputShape: [4], units: 6 }), L.leakyReLU({ alpha: 0.2 }), L.prelu(), L.elu(), L.thresholdedReLU({ theta: 0.1 }), L.softmax()] })],
  ['noise and dropout layers at inference', () => tf.sequential({ layers: [L.gaussianNoise({ inputShape: [4], stddev: 1 }), L.gaussianDropout({ rate: 0.2 }), L.alphaDropout({ rate: 0.2 }), L.dense({ units: 2 })] })],
  ['TimeDistributed Dense', () => tf.sequential({ layers: [L.timeDistributed({ inputShape: [3, 4], layer: L.dense({ units: 2 }) })] })],
  ['BatchNormalization after Dense (2-D)', () => tf.sequential({ layers: [L.dense({ inputShape: [4], units: 3 }), L.batchNormalization()] })],
  ['LayerNormalization on 3-D input', () => tf.sequential({ layers: [L.layerNormalization({ inputShape: [3, 4], axis: -1 })] })],
  ['merge layers', () => {
    const a = tf.input({ shape: [4] }), b = tf.input({ shape: [4] });
    const parts = [L.multiply(), L.average(), L.maximum(), L.minimum(), L.dot({ axes: 1 }), L.add()].map((l) => sym(l.apply([a, b])));
    return tf.model({ inputs: [a, b], outputs: sym(L.concatenate().apply(parts)) });
  }],
];

describe('tfjs-layers layers', () => {
  CASES.forEach(([name, make, tolerance], i) => {
    it(name, async () => {
      const model = make();
      seedWeights(model, 100 + i);
      const cf = await traceModel(model);
      expectValidGraph(cf);
      expectNumericMatch(cf, {
        inputs: (b) => model.inputs.map((s) => randomTensor([b, ...(s.shape.slice(1) as number[])], s.dtype, prng(b * 7 + i))),
        reference: (xs) => {
          const y = model.apply(xs.length === 1 ? xs[0]! : xs, { training: false }) as tf.Tensor | tf.Tensor[];
          return Array.isArray(y) ? y : [y];
        },
        ...(tolerance !== undefined ? { tolerance } : {}),
      });
    });
  });
});
