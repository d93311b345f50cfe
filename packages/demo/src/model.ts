// The demo's models and data, shared by the page and by the e2e tests' Node side (which rebuilds
// the same classifier, loads the page's weights into it and exports it with the same API, to
// compare checkpoints byte for byte). Pure TensorFlow.js: no DOM.
import * as tf from '@tensorflow/tfjs';

export { tf };

export const FEATURES = 4;
export const CLASSES = 3;

/** mulberry32: a tiny seeded PRNG, floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal from a uniform source (Box–Muller). */
function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export interface Dataset {
  /** [n, FEATURES] row-major. */
  x: Float32Array;
  /** class index per row. */
  y: Int32Array;
  n: number;
}

/**
 * Three Gaussian blobs in 4-D (class centres on a tetrahedron-ish layout, σ = 0.6): easy to learn
 * in a few epochs, hard enough that the loss visibly falls.
 */
export function makeDataset(n: number, seed: number): Dataset {
  const rand = prng(seed);
  const centres = [
    [1.5, 0, -1, 0.5],
    [-1.5, 1, 0.5, -0.5],
    [0, -1.5, 1, 1],
  ];
  const x = new Float32Array(n * FEATURES);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % CLASSES;
    y[i] = c;
    for (let f = 0; f < FEATURES; f++) x[i * FEATURES + f] = centres[c]![f]! + 0.6 * normal(rand);
  }
  return { x, y, n };
}

/** Fixed probe inputs whose predictions the page shows and the e2e tests compare. */
export function probeInputs(): number[][] {
  const d = makeDataset(8, 4242);
  const rows: number[][] = [];
  for (let i = 0; i < d.n; i++) rows.push(Array.from(d.x.subarray(i * FEATURES, (i + 1) * FEATURES)));
  return rows;
}

/**
 * The classifier: 4 → Dense(16, relu) → Dense(3, softmax). Layer and model names are fixed so a
 * Node process that builds it once gets the same variable names as the page (tfjs numbers
 * repeated names: build it once per page and re-initialize its weights instead of rebuilding).
 */
export function buildClassifier(): tf.Sequential {
  return tf.sequential({
    name: 'classifier',
    layers: [
      tf.layers.dense({ inputShape: [FEATURES], units: 16, activation: 'relu', name: 'hidden' }),
      tf.layers.dense({ units: CLASSES, activation: 'softmax', name: 'probs' }),
    ],
  });
}

/** Seeded Glorot-uniform kernels and zero biases, in model.getWeights() order. */
export function initialWeights(model: tf.LayersModel, seed: number): tf.Tensor[] {
  const rand = prng(seed);
  return model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(size);
    if (shape.length === 2) {
      const limit = Math.sqrt(6 / (shape[0]! + shape[1]!));
      for (let i = 0; i < size; i++) v[i] = (rand() * 2 - 1) * limit;
    }
    return tf.tensor(v, shape, 'float32');
  });
}

export interface TrainOptions {
  epochs?: number;
  seed?: number;
  samples?: number;
  learningRate?: number;
  onEpoch?: (epoch: number, loss: number, acc: number) => void;
}

export interface TrainResult {
  losses: number[];
  accuracies: number[];
  ms: number;
}

/** Re-initializes the weights (seeded) and trains on freshly generated data. */
export async function train(model: tf.LayersModel, options: TrainOptions = {}): Promise<TrainResult> {
  const { epochs = 6, seed = 7, samples = 600, learningRate = 0.05 } = options;
  const t0 = performance.now();
  const init = initialWeights(model, seed);
  model.setWeights(init);
  tf.dispose(init);
  model.optimizer?.dispose();
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const d = makeDataset(samples, seed + 1);
  const xs = tf.tensor2d(d.x, [d.n, FEATURES]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(d.y, 'int32'), CLASSES).toFloat());
  const losses: number[] = [];
  const accuracies: number[] = [];
  try {
    await model.fit(xs, ys, {
      epochs,
      batchSize: 50,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch, logs) => {
          const loss = Number(logs?.loss ?? NaN);
          const acc = Number(logs?.acc ?? logs?.accuracy ?? NaN);
          losses.push(loss);
          accuracies.push(acc);
          options.onEpoch?.(epoch, loss, acc);
        },
      },
    });
  } finally {
    tf.dispose([xs, ys]);
  }
  return { losses, accuracies, ms: performance.now() - t0 };
}

/** model.predict on rows → plain numbers. */
export async function predictRows(model: tf.LayersModel, rows: number[][]): Promise<number[][]> {
  const x = tf.tensor2d(rows, [rows.length, FEATURES], 'float32');
  const y = model.predict(x) as tf.Tensor;
  try {
    return (await y.array()) as number[][];
  } finally {
    tf.dispose([x, y]);
  }
}

export interface PlainWeight {
  name: string;
  shape: number[];
  dtype: string;
  /** Raw little-endian bytes, base64. */
  base64: string;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The model's weights exactly (float32 bits), for transfer out of the page. */
export async function exportWeights(model: tf.LayersModel): Promise<PlainWeight[]> {
  const out: PlainWeight[] = [];
  for (const w of model.weights) {
    const v = w.read();
    const data = (await v.data()) as Float32Array;
    out.push({ name: w.name, shape: [...v.shape], dtype: v.dtype, base64: bytesToBase64(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) });
  }
  return out;
}

/** Sets weights from exportWeights() output (same order, same shapes). */
export function importWeights(model: tf.LayersModel, weights: PlainWeight[]): void {
  if (weights.length !== model.weights.length) throw new Error(`expected ${model.weights.length} weights, got ${weights.length}`);
  const ts = weights.map((w) => {
    const b = base64ToBytes(w.base64);
    return tf.tensor(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4), w.shape, 'float32');
  });
  model.setWeights(ts);
  tf.dispose(ts);
}

/** Width of the big model's square Dense layers (4096² float32 = 64 MiB per kernel). */
export const BIG_WIDTH = 4096;

/** Bytes of weights a big model with `layers` Dense layers holds. */
export function bigModelBytes(layers: number, width = BIG_WIDTH): number {
  return layers * (width * width + width) * 4;
}

/** Layers needed for at least `mib` MiB of weights. */
export function bigLayersFor(mib: number, width = BIG_WIDTH): number {
  return Math.max(1, Math.ceil((mib * 1024 * 1024) / bigModelBytes(1, width)));
}

/**
 * A large MLP (`layers` Dense(width) layers on a width-wide input) for the OPFS export: weights
 * are seeded uniform noise, so the archive is as big as the model and does not compress away.
 */
export function buildBigModel(layers: number, seed = 11, width = BIG_WIDTH): tf.LayersModel {
  // Functional model: built (inputs and weights created) as soon as it is constructed.
  const input = tf.input({ shape: [width], name: 'big_input' });
  let x: tf.SymbolicTensor = input;
  for (let i = 0; i < layers; i++) {
    x = tf.layers.dense({
      units: width,
      activation: i === layers - 1 ? 'linear' : 'relu',
      name: `big_${i}`,
      kernelInitializer: tf.initializers.randomUniform({ minval: -0.02, maxval: 0.02, seed: seed + i }),
    }).apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name: 'big_mlp' });
}
