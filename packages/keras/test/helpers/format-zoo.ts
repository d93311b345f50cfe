// The tracing zoo's model kinds, small, with every weight set to seeded random values so a round
// trip that loses or reorders any weight changes the predictions.
import * as tf from '@tensorflow/tfjs';

export interface ZooCase {
  name: string;
  make: () => tf.LayersModel;
  /** Inputs for predict (one tensor per model input). */
  inputs: () => tf.Tensor[];
}

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
}

/** Overwrites every weight with seeded values (variances positive). */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const r = prng(seed);
  for (const w of model.weights) {
    const n = w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
    const v = Float32Array.from({ length: n }, () => (w.name.includes('variance') ? 0.5 + Math.abs(r()) : r()));
    const t = tf.tensor(v, w.shape as number[], w.dtype);
    w.write(t);
    t.dispose();
  }
}

const floats = (shape: number[], seed: number) => {
  const r = prng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, r), shape);
};
const tokens = (shape: number[], vocab: number, seed: number) => {
  const r = prng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor((r() + 0.5) * vocab)), shape);
};

export const ZOO: ZooCase[] = [
  {
    name: 'MLP',
    make: () => tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [5] }), tf.layers.dense({ units: 3, activation: 'softmax' })] }),
    inputs: () => [floats([4, 5], 1)],
  },
  {
    name: 'CNN',
    make: () => tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 2] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ] }),
    inputs: () => [floats([2, 8, 8, 2], 2)],
  },
  {
    name: 'BN',
    make: () => tf.sequential({ layers: [
      tf.layers.dense({ units: 6, inputShape: [4] }), tf.layers.batchNormalization(), tf.layers.activation({ activation: 'relu' }), tf.layers.dense({ units: 2 }),
    ] }),
    inputs: () => [floats([3, 4], 3)],
  },
  {
    name: 'LSTM',
    make: () => tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [5, 3], returnSequences: true }), tf.layers.lstm({ units: 3 }), tf.layers.dense({ units: 2 })] }),
    inputs: () => [floats([2, 5, 3], 4)],
  },
  {
    name: 'GRU',
    make: () => tf.sequential({ layers: [tf.layers.gru({ units: 4, inputShape: [5, 3] }), tf.layers.dense({ units: 2 })] }),
    inputs: () => [floats([2, 5, 3], 5)],
  },
  {
    name: 'Embedding',
    make: () => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 6 }), tf.layers.globalAveragePooling1d({}), tf.layers.dense({ units: 3, activation: 'softmax' }),
    ] }),
    inputs: () => [tokens([3, 6], 20, 6)],
  },
  {
    name: 'multi-in/out',
    make: () => {
      const a = tf.input({ shape: [4], name: 'a' });
      const b = tf.input({ shape: [3], name: 'b' });
      const h = tf.layers.dense({ units: 5, activation: 'tanh' }).apply(tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor) as tf.SymbolicTensor;
      const o1 = tf.layers.dense({ units: 2, name: 'out1' }).apply(h) as tf.SymbolicTensor;
      const o2 = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out2' }).apply(tf.layers.add().apply([h, tf.layers.dense({ units: 5 }).apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor) as tf.SymbolicTensor;
      return tf.model({ inputs: [a, b], outputs: [o1, o2] });
    },
    inputs: () => [floats([2, 4], 7), floats([2, 3], 8)],
  },
  {
    name: 'nested Sequential',
    make: () => {
      const inner = tf.sequential({ layers: [tf.layers.dense({ units: 6, inputShape: [4] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 5, activation: 'relu' })] });
      return tf.sequential({ layers: [inner, tf.layers.dense({ units: 2 })] });
    },
    inputs: () => [floats([3, 4], 9)],
  },
  {
    name: 'frozen nested model (transfer-learning shape)',
    make: () => {
      const inner = tf.sequential({ layers: [tf.layers.dense({ units: 6, inputShape: [4] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 5 })] });
      inner.trainable = false;
      return tf.sequential({ layers: [inner, tf.layers.dense({ units: 2 })] });
    },
    inputs: () => [floats([3, 4], 10)],
  },
];

/** Predictions as plain arrays (one per output). */
export async function predictAll(model: tf.LayersModel, inputs: tf.Tensor[]): Promise<number[][]> {
  const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs);
  const list = Array.isArray(out) ? out : [out];
  const values = await Promise.all(list.map(async (t) => Array.from(await t.data())));
  list.forEach((t) => t.dispose());
  return values;
}

/**
 * The config a loaded model should have: the original's, except (1) what tfjs's own JSON round trip
 * changes (an Embedding first layer gains `dtype`), and (2) sublayers of a frozen nested model are
 * marked `trainable: false`, as Keras writes them.
 */
export async function expectedConfig(model: tf.LayersModel): Promise<unknown> {
  const json = model.toJSON(null, false) as unknown as { config: unknown };
  const frozenLeaves = new Set<string>();
  const walk = (l: tf.layers.Layer, frozen: boolean) => {
    if (frozen) frozenLeaves.add(l.name);
    const sub = (l as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(sub)) sub.forEach((s) => walk(s, frozen || !l.trainable));
  };
  model.layers.forEach((l) => walk(l, false));
  const mark = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(mark); return; }
    if (node === null || typeof node !== 'object') return;
    const o = node as { config?: { name?: string; trainable?: boolean; layers?: unknown } };
    if (o.config?.name !== undefined && frozenLeaves.has(o.config.name)) o.config.trainable = false;
    mark(o.config?.layers);
    mark((o as { layers?: unknown }).layers);
  };
  mark(json.config);
  const viaTfjs = await tf.models.modelFromJSON({ modelTopology: json as never });
  return viaTfjs.toJSON(null, false);
}

/** Largest |a - b| over lists of tensors. */
export async function maxAbsDiff(a: tf.Tensor[], b: tf.Tensor[]): Promise<number> {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = await a[i]!.data();
    const y = await b[i]!.data();
    if (x.length !== y.length) return Infinity;
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j]! - y[j]!));
  }
  return m;
}
