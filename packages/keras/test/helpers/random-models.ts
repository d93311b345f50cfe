// Seeded random tfjs models for round-trip sweeps: Sequential stacks of the layers tfjs users build
// with (shape-aware, so each next layer fits; models whose shapes do not work out are drawn again),
// half of them with an explicit InputLayer, and two-input functional models with shared layers and
// merges. Weights come from seeded initializers, so a draw is the same model every run.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../../core/test/checkpoint-prng.js';

export interface RandomModel {
  model: tf.LayersModel;
  /** Input shape without the batch dim (every input of a functional draw has it). */
  inputShape: number[];
  inputs: number;
  /** Readable summary for failure messages. */
  desc: string;
}

const ACTIVATIONS = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'softplus', 'softsign', 'hardSigmoid', 'relu6', 'linear', 'swish', 'mish', 'gelu', 'softmax'] as const;
type Activation = (typeof ACTIVATIONS)[number];
type Padding = 'same' | 'valid';

export function randomModels(seed: number): () => RandomModel {
  const rand = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  let initSeed = seed * 1000;
  const init = () => tf.initializers.glorotUniform({ seed: initSeed++ });
  const act = () => pick(ACTIVATIONS) as Activation;
  const pad = () => pick(['same', 'valid'] as const) as Padding;

  /** The first layer of a Sequential without InputLayer carries the input shape (tfjs's other way to build one). */
  let firstInputShape: number[] | null = null;
  const inputArgs = (): { inputShape?: number[] } => (firstInputShape ? { inputShape: firstInputShape } : {});

  /** Candidate next layers for an output of `shape` (batch dim left out). */
  function layerFor(shape: number[]): tf.layers.Layer {
    const options: (() => tf.layers.Layer)[] = [];
    if (shape.length === 1) {
      const [n] = shape as [number];
      options.push(
        () => tf.layers.dense({ ...inputArgs(), units: int(1, 9), activation: act(), kernelInitializer: init(), useBias: rand() < 0.8 }),
        () => tf.layers.batchNormalization({ ...inputArgs(), betaInitializer: 'randomNormal', gammaInitializer: 'randomNormal', movingMeanInitializer: 'randomNormal' }),
        () => tf.layers.repeatVector({ ...inputArgs(), n: int(1, 4) }),
        () => tf.layers.reshape({ ...inputArgs(), targetShape: n % 2 === 0 ? [2, n / 2] : [n, 1] }),
        () => tf.layers.leakyReLU({ ...inputArgs(), alpha: rand() }),
        () => tf.layers.prelu({ ...inputArgs(), alphaInitializer: 'randomNormal' }),
        () => tf.layers.thresholdedReLU({ ...inputArgs(), theta: rand() }),
        () => tf.layers.softmax({ ...inputArgs(), }),
        () => tf.layers.layerNormalization({ ...inputArgs(), betaInitializer: 'randomNormal', gammaInitializer: 'randomNormal' }),
        () => tf.layers.dropout({ ...inputArgs(), rate: 0.3 }),
        () => tf.layers.activation({ ...inputArgs(), activation: act() }),
      );
    } else if (shape.length === 2) {
      const [t, c] = shape as [number, number];
      options.push(
        () => tf.layers.dense({ ...inputArgs(), units: int(1, 6), activation: act(), kernelInitializer: init() }),
        () => tf.layers.flatten({ ...inputArgs(), }),
        () => tf.layers.globalAveragePooling1d({ ...inputArgs(), }),
        () => tf.layers.globalMaxPooling1d({ ...inputArgs(), }),
        () => tf.layers.lstm({ ...inputArgs(), units: int(1, 5), returnSequences: rand() < 0.5, kernelInitializer: init(), recurrentInitializer: init() }),
        () => tf.layers.gru({ ...inputArgs(), units: int(1, 5), returnSequences: rand() < 0.5, kernelInitializer: init(), recurrentInitializer: init() }),
        () => tf.layers.simpleRNN({ ...inputArgs(), units: int(1, 5), returnSequences: rand() < 0.5, kernelInitializer: init(), recurrentInitializer: init() }),
        () => tf.layers.permute({ ...inputArgs(), dims: [2, 1] }),
        () => tf.layers.layerNormalization({ ...inputArgs(), }),
        () => tf.layers.timeDistributed({ ...inputArgs(), layer: tf.layers.dense({ units: int(1, 4), kernelInitializer: init() }) }),
        () => tf.layers.bidirectional({ ...inputArgs(), layer: tf.layers.lstm({ units: int(1, 3), returnSequences: rand() < 0.5, kernelInitializer: init(), recurrentInitializer: init() }) as tf.RNN, mergeMode: pick(['concat', 'sum', 'ave', 'mul'] as const) }),
        () => tf.layers.reshape({ ...inputArgs(), targetShape: [t * c] }),
        () => tf.layers.reshape({ ...inputArgs(), targetShape: [t, c, 1] }),
      );
      if (t >= 2) {
        options.push(
          () => tf.layers.conv1d({ ...inputArgs(), filters: int(1, 5), kernelSize: int(1, Math.min(3, t)), strides: int(1, 2), padding: pad(), activation: act(), kernelInitializer: init() }),
          () => tf.layers.maxPooling1d({ ...inputArgs(), poolSize: 2, padding: pad() }),
          () => tf.layers.averagePooling1d({ ...inputArgs(), poolSize: 2, padding: pad() }),
        );
      }
    } else {
      const [h, w] = shape as [number, number, number];
      const k = () => int(1, Math.max(1, Math.min(3, h, w)));
      options.push(
        () => tf.layers.conv2d({ ...inputArgs(), filters: int(1, 5), kernelSize: k(), strides: int(1, 2), padding: pad(), activation: act(), kernelInitializer: init(), useBias: rand() < 0.8 }),
        () => tf.layers.conv2d({ ...inputArgs(), filters: int(1, 4), kernelSize: k(), dilationRate: 2, padding: 'same', kernelInitializer: init() }),
        () => tf.layers.depthwiseConv2d({ ...inputArgs(), kernelSize: k(), depthMultiplier: int(1, 2), strides: int(1, 2), padding: pad(), depthwiseInitializer: init() }),
        () => tf.layers.separableConv2d({ ...inputArgs(), filters: int(1, 4), kernelSize: k(), padding: pad(), depthwiseInitializer: init(), pointwiseInitializer: init() }),
        () => tf.layers.conv2dTranspose({ ...inputArgs(), filters: int(1, 3), kernelSize: k(), strides: int(1, 2), padding: pad(), kernelInitializer: init() }),
        () => tf.layers.globalAveragePooling2d({ ...inputArgs(), }),
        () => tf.layers.globalMaxPooling2d({ ...inputArgs(), }),
        () => tf.layers.batchNormalization({ ...inputArgs(), movingMeanInitializer: 'randomNormal', gammaInitializer: 'randomNormal' }),
        () => tf.layers.flatten({ ...inputArgs(), }),
        () => tf.layers.zeroPadding2d({ ...inputArgs(), padding: [[int(0, 2), int(0, 1)], [int(0, 1), int(0, 2)]] }),
        () => tf.layers.upSampling2d({ ...inputArgs(), size: [int(1, 2), int(1, 2)], interpolation: pick(['nearest', 'bilinear'] as const) }),
        () => tf.layers.permute({ ...inputArgs(), dims: pick([[2, 1, 3], [3, 1, 2], [1, 3, 2]]) }),
        () => tf.layers.reshape({ ...inputArgs(), targetShape: [h * w, shape[2]!] }),
        () => tf.layers.dense({ ...inputArgs(), units: int(1, 4), kernelInitializer: init() }),
        () => tf.layers.reLU({ ...inputArgs(), maxValue: 1 + rand() * 3 }),
        () => tf.layers.softmax({ ...inputArgs(), axis: -1 }),
        () => tf.layers.layerNormalization({ ...inputArgs(), axis: -1 }),
      );
      if (h >= 2 && w >= 2) {
        options.push(
          () => tf.layers.maxPooling2d({ ...inputArgs(), poolSize: 2, strides: int(1, 2), padding: pad() }),
          () => tf.layers.averagePooling2d({ ...inputArgs(), poolSize: 2, strides: int(1, 2), padding: pad() }),
        );
      }
      if (h >= 3 && w >= 3) options.push(() => tf.layers.cropping2D({ ...inputArgs(), cropping: [[1, 0], [0, 1]] }));
      // (not CenterCrop: tfjs 4.22's writes its output size into the shape array it was given, which
      // a layer that passes its input shape on shares with the model's input; the zoo covers it)
      // (not Resizing: tfjs 4.22 gives it a rank-2 output shape, and the model cannot predict)
      options.push(() => tf.layers.rescaling({ ...inputArgs(), scale: 1 / 255, offset: -0.5 }));
    }
    return pick(options)();
  }

  function sequential(): RandomModel | null {
    const rank = int(1, 3);
    const inputShape = rank === 1 ? [int(1, 8)] : rank === 2 ? [int(1, 6), int(1, 4)] : [int(2, 9), int(2, 9), int(1, 3)];
    const explicitInput = rand() < 0.5;
    const model = tf.sequential();
    const names: string[] = [];
    let shape = inputShape;
    const n = int(1, 5);
    try {
      if (explicitInput) model.add(tf.layers.inputLayer({ inputShape }));
      for (let i = 0; i < n; i++) {
        firstInputShape = i === 0 && !explicitInput ? inputShape : null;
        const layer = layerFor(shape);
        firstInputShape = null;
        model.add(layer);
        shape = model.outputs[0]!.shape.slice(1) as number[];
        names.push(`${model.layers[model.layers.length - 1]!.getClassName()}[${shape}]`);
        if (shape.some((d) => d === null || d === 0) || shape.reduce((a, b) => a * b, 1) > 4096) return null;
      }
    } catch {
      return null; // a layer that does not fit this shape
    }
    return { model, inputShape, inputs: 1, desc: `${explicitInput ? 'InputLayer ' : ''}[${inputShape}] → ${names.join(' → ')}` };
  }

  function functional(): RandomModel {
    const rank1 = rand() < 0.5;
    const inputShape = rank1 ? [int(1, 8)] : [int(2, 7), int(2, 7), int(1, 3)];
    const a = tf.input({ shape: inputShape }), b = tf.input({ shape: inputShape });
    const branch = (x: tf.SymbolicTensor) => (rank1
      ? tf.layers.dense({ units: 4, activation: act(), kernelInitializer: init() })
      : tf.layers.conv2d({ filters: 3, kernelSize: int(1, 2), padding: 'same', activation: act(), kernelInitializer: init() })).apply(x) as tf.SymbolicTensor;
    const shared = rank1 ? tf.layers.dense({ units: 4, kernelInitializer: init() }) : tf.layers.conv2d({ filters: 3, kernelSize: 1, kernelInitializer: init() });
    const p1 = shared.apply(branch(a)) as tf.SymbolicTensor, p2 = shared.apply(branch(b)) as tf.SymbolicTensor;
    const merge = pick(['add', 'multiply', 'average', 'maximum', 'minimum', 'concatenate'] as const);
    const merged = (merge === 'concatenate' ? tf.layers.concatenate({ axis: pick([-1, 1]) }) : tf.layers[merge]({})).apply([p1, p2]) as tf.SymbolicTensor;
    const head = (rank1 ? tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: init() }) : tf.layers.globalAveragePooling2d({})).apply(merged) as tf.SymbolicTensor;
    const outputs = rand() < 0.5 ? [head] : [head, p1];
    return { model: tf.model({ inputs: [a, b], outputs }), inputShape, inputs: 2, desc: `functional [${inputShape}] shared layer, ${merge}, ${outputs.length} output(s)` };
  }

  // Every weight gets values of its own, from a generator apart from the draw's: weights made by
  // one seeded initializer are equal (Bidirectional builds both of its RNNs from one config), and
  // equal weights hide a forward/backward swap.
  let drawn = 0;
  const distinct = (m: RandomModel): RandomModel => {
    const r = mulberry32(seed * 7919 + drawn++);
    for (const w of m.model.weights) {
      const v = new Float32Array(w.shape.reduce((a: number, b) => a * (b ?? 1), 1));
      const variance = /moving_variance/.test(w.originalName);
      for (let i = 0; i < v.length; i++) v[i] = variance ? 0.5 + r() : r() - 0.5;
      const t = tf.tensor(v, w.shape as number[], w.dtype);
      w.write(t);
      t.dispose();
    }
    return m;
  };

  return () => {
    if (rand() < 0.3) return distinct(functional());
    for (;;) {
      const m = sequential();
      if (m) return distinct(m);
    }
  };
}
