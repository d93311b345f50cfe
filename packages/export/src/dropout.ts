// Dropout that traces: tfjs draws dropout masks in JavaScript (tf.randomUniform is not a kernel),
// so a trace would freeze one mask and @savedmodel-js/trace rejects it. Here the uniform draw is a
// kernel of our own, lowered to TensorFlow's `RandomUniform(Shape(x))`, so a training-mode
// endpoint draws a fresh mask on every call, as TensorFlow's dropout does.
import * as tf from '@tensorflow/tfjs';
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import { LOWERINGS, TRACE_BACKEND_PREFIX, type Lowering } from '@savedmodel-js/trace';

const DT = tensorflow.DataType;

/** Kernel: float32 tensor of x's shape, uniform in [0, 1). */
export const RANDOM_UNIFORM_LIKE = 'SavedModelJsRandomUniformLike';

function registerFor(backendName: string): void {
  if (backendName.startsWith(TRACE_BACKEND_PREFIX) || tf.getKernel(RANDOM_UNIFORM_LIKE, backendName)) return;
  tf.registerKernel({
    kernelName: RANDOM_UNIFORM_LIKE,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const n = x.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = Math.random();
      const dataId = (backend as tf.KernelBackend).write(values, x.shape, 'float32');
      return { dataId, shape: [...x.shape], dtype: 'float32' };
    },
  });
}

let gradientRegistered = false;

/** Registers the kernel for every tfjs backend (the tracing backend wraps it on its next trace) and its lowering. */
export function ensureDropoutKernel(): void {
  // a traced training step differentiates through the mask draw: it does not depend on x's values
  if (!gradientRegistered && !tf.getGradient(RANDOM_UNIFORM_LIKE)) {
    tf.registerGradient({ kernelName: RANDOM_UNIFORM_LIKE, gradFunc: (dy) => ({ x: () => tf.zerosLike(dy as tf.Tensor) }) });
  }
  gradientRegistered = true;
  for (const name of tf.engine().backendNames()) registerFor(name);
  const b = tf.getBackend();
  if (b && b.startsWith(TRACE_BACKEND_PREFIX)) {
    // first use inside a trace: the tracing backend wraps kernels it has not seen yet
    const inner = b.slice(TRACE_BACKEND_PREFIX.length);
    registerFor(inner);
    const tracing = tf.findBackend(b) as unknown as { syncKernels?: () => void };
    if (!tf.getKernel(RANDOM_UNIFORM_LIKE, b)) tracing.syncKernels?.();
  } else if (b) registerFor(b);
  // the lowering table is @savedmodel-js/trace's extension point (one entry per kernel name)
  const table = LOWERINGS as Record<string, Lowering>;
  if (!table[RANDOM_UNIFORM_LIKE]) {
    table[RANDOM_UNIFORM_LIKE] = (ctx) => {
      const x = ctx.input('x');
      const shape = ctx.emit1('Shape', [x], { out_type: DT.DT_INT32 });
      return ctx.emit1('RandomUniform', [shape], { dtype: DT.DT_FLOAT });
    };
  }
}

/**
 * `tf.dropout(x, rate)` that can be traced into a SavedModel function (TensorFlow draws a new mask
 * per call): x · floor(u + keep) / keep with u ~ U[0, 1).
 */
export function traceableDropout(x: tf.Tensor, rate: number): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new SavedModelError('INVALID_ARGUMENT', `dropout rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x.clone();
  ensureDropoutKernel();
  return tf.tidy(() => {
    const u = tf.engine().runKernel(RANDOM_UNIFORM_LIKE, { x: x.dtype === 'float32' ? x : tf.cast(x, 'float32') }, {}) as tf.Tensor;
    const keep = 1 - rate;
    const mask = tf.div(tf.floor(tf.add(u, keep)), keep);
    return tf.mul(x, mask);
  });
}

type AnyLayer = tf.layers.Layer & { layers?: AnyLayer[]; rate?: number; noiseShape?: unknown };

/**
 * While `run` executes, every Dropout layer of `models` uses traceableDropout in training mode
 * (inference is unchanged). Restores the layers afterwards.
 */
export async function withTraceableDropout<T>(models: readonly tf.LayersModel[], run: () => Promise<T>): Promise<T> {
  const restore: (() => void)[] = [];
  const seen = new Set<AnyLayer>();
  const visit = (layer: AnyLayer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    if (layer.getClassName() === 'Dropout') {
      ensureDropoutKernel();
      const own = Object.getOwnPropertyDescriptor(layer, 'call');
      const orig = layer.call as (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];
      const patched = function (this: AnyLayer, inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown> = {}) {
        const rate = layer.rate ?? 0;
        if (kwargs.training !== true || !(rate > 0 && rate < 1)) return orig.call(this, inputs, kwargs);
        if (layer.noiseShape != null) {
          throw new SavedModelError('UNSUPPORTED', `Dropout layer ${layer.name}: a noiseShape cannot be traced in training mode`, { key: layer.name });
        }
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        return traceableDropout(x, rate);
      };
      Object.defineProperty(layer, 'call', { value: patched, configurable: true, writable: true });
      restore.push(() => {
        if (own) Object.defineProperty(layer, 'call', own);
        else delete (layer as unknown as Record<string, unknown>).call;
      });
    }
    for (const l of layer.layers ?? []) visit(l);
  };
  for (const m of models) for (const l of m.layers as AnyLayer[]) visit(l);
  try {
    return await run();
  } finally {
    for (const r of restore.reverse()) r();
  }
}
