// Records one tfjs training step (the model's own train function: optimizer.minimize over the
// compiled losses, exactly what trainOnBatch runs) or one evaluation step (its test function)
// under the tracing backend. Backward and optimizer kernels are recorded like any other;
// Variable.assign (which swaps dataIds without a kernel) is intercepted and recorded as an
// assignment of a traced value. Traced twice with different batch sizes (the batch dimension
// stays unknown), restoring every variable and the optimizer's step count after each run.
import * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';
import { getTracingBackend, mergeTapes, Recorder, type SymTape, type Tape } from '@savedmodel-js/trace';

export type StepKind = 'train' | 'eval';

export interface TracedStep {
  tape: SymTape;
  /** Flat inputs: the model's inputs, then one target per output. */
  inputCount: number;
  targetCount: number;
  /** Positions in tape.outputs. */
  loss: number;
  metrics: { name: string; index: number }[];
  predictions: { name: string; index: number }[];
  /** Variable assignments of the step, in order (last write per variable wins). */
  assigns: { variable: tf.Variable; index: number }[];
  /** tfjs kernels recorded (once each, in first-use order), for the log. */
  kernels: string[];
}

interface ModelInternals {
  lossFunctions: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor)[];
  metricsNames: string[];
  collectedTrainableWeights: { read(): tf.Variable }[];
  makeTrainFunction(): (data: tf.Tensor[]) => tf.Scalar[];
  makeTestFunction(): void;
  testFunction: (data: tf.Tensor[]) => tf.Scalar[];
  outputNames: string[];
}

const SIZES = [2, 3] as const;

/** The model that holds the compiled state: a Sequential delegates to its inner functional model. */
function internals(model: tf.LayersModel): ModelInternals {
  const inner = (model as unknown as { model?: unknown }).model;
  return (model instanceof tf.Sequential && inner instanceof tf.LayersModel ? inner : model) as unknown as ModelInternals;
}

/** Deterministic sample data in [0, 1): losses stay finite (log of a probability). */
function sample(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; v[i] = 0.05 + 0.9 * (s / 4294967296); }
  return tf.tensor(v, shape, 'float32');
}

function batchShape(shape: readonly (number | null)[], batch: number, what: string): number[] {
  return shape.map((d, i) => {
    if (i === 0) return batch;
    if (d === null) throw new SavedModelError('UNSUPPORTED', `${what} has an unknown dimension ${i}; the train/eval graphs need every non-batch dimension known`, { key: what });
    return d;
  });
}

interface Snapshot { values: Map<tf.Variable, tf.Tensor>; iterations: unknown }

function snapshot(opt: tf.Optimizer | undefined): Snapshot {
  const values = new Map<tf.Variable, tf.Tensor>();
  for (const v of Object.values(tf.engine().registeredVariables)) values.set(v, tf.clone(v));
  return { values, iterations: (opt as unknown as { iterations_?: unknown } | undefined)?.iterations_ };
}

function restore(s: Snapshot, opt: tf.Optimizer | undefined): void {
  for (const [v, t] of s.values) {
    if (!v.isDisposed) v.assign(t);
    t.dispose();
  }
  if (opt) (opt as unknown as { iterations_?: unknown }).iterations_ = s.iterations;
}

/**
 * Creates the optimizer's slot variables now (tfjs creates them lazily inside the first
 * applyGradients, which a trace would record as constants): one step with zero gradients,
 * then every variable and the step count are put back.
 */
export function ensureOptimizerSlots(model: tf.LayersModel): void {
  const opt = model.optimizer;
  if (!opt) return;
  const s = snapshot(opt);
  try {
    const grads: tf.NamedTensorMap = {};
    for (const p of internals(model).collectedTrainableWeights) {
      const v = p.read();
      grads[v.name] = tf.zerosLike(v);
    }
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  } finally {
    restore(s, opt);
  }
}

function recordOnce(model: tf.LayersModel, kind: StepKind, batch: number, rec: Recorder):
  { loss: number; metrics: number[]; predictions: number[]; assigns: { variable: tf.Variable; id: number }[] } {
  const m = internals(model);
  const xs = model.inputs.map((s, i) => sample(batchShape(s.shape, batch, `input ${s.name}`), i + 1));
  const ys = model.outputs.map((s, i) => sample(batchShape(s.shape, batch, `output ${s.name}`), 101 + i));
  [...xs, ...ys].forEach((t, i) => rec.addInput(t, i));
  const predictions: number[] = [];
  const assigns: { variable: tf.Variable; id: number }[] = [];
  const origLoss = m.lossFunctions;
  const origAssign = tf.Variable.prototype.assign;
  m.lossFunctions = origLoss.map((fn) => (yTrue: tf.Tensor, yPred: tf.Tensor) => {
    predictions.push(rec.resolve(yPred));
    return fn(yTrue, yPred);
  });
  tf.Variable.prototype.assign = function (this: tf.Variable, value: tf.Tensor) {
    assigns.push({ variable: this, id: rec.resolve(value) });
    origAssign.call(this, value);
  };
  let out: tf.Scalar[];
  try {
    if (kind === 'train') out = m.makeTrainFunction()([...xs, ...ys]);
    else {
      m.makeTestFunction();
      out = m.testFunction([...xs, ...ys]);
    }
  } finally {
    m.lossFunctions = origLoss;
    tf.Variable.prototype.assign = origAssign;
  }
  const ids = out.map((t) => rec.resolve(t));
  tf.dispose(out);
  tf.dispose([...xs, ...ys]);
  return { loss: ids[0]!, metrics: ids.slice(1), predictions: predictions.slice(0, model.outputs.length), assigns };
}

/** Traces one train or eval step of a compiled model (see the header). */
export async function traceStep(model: tf.LayersModel, kind: StepKind): Promise<TracedStep> {
  const opt = model.optimizer;
  if (!opt) throw new SavedModelError('INVALID_ARGUMENT', `Model does not have an optimizer. Cannot export mode ${kind}`);
  const m = internals(model);
  if (kind === 'train') ensureOptimizerSlots(model);
  const backend = await getTracingBackend(tf.getBackend());
  // what the tracing backend wraps: the caller's backend, also when queued traces hold it current
  const prev = backend.innerName;
  const tapes: Tape[] = [];
  let shape: ReturnType<typeof recordOnce> | undefined;
  await tf.setBackend(backend.name);
  try {
    for (const batch of SIZES) {
      const s = snapshot(opt);
      const rec = new Recorder(backend);
      backend.recorder = rec;
      let r: ReturnType<typeof recordOnce>;
      try {
        r = recordOnce(model, kind, batch, rec);
      } catch (e) {
        rec.dropDeferred();
        throw e;
      } finally {
        backend.recorder = null;
        restore(s, opt);
      }
      // constants a device holds, read now that no kernel runs (see Recorder.syncReads)
      await rec.readDeferred();
      // last write per variable
      const last = new Map<tf.Variable, number>();
      for (const a of r.assigns) last.set(a.variable, a.id);
      r.assigns = [...last].map(([variable, id]) => ({ variable, id }));
      rec.outputs = [r.loss, ...r.metrics, ...r.predictions, ...r.assigns.map((a) => a.id)];
      tapes.push(rec.tape());
      shape ??= r;
    }
  } finally {
    await tf.setBackend(prev);
  }
  const [a, b] = tapes as [Tape, Tape];
  const n = model.inputs.length + model.outputs.length;
  const symbols = [{ input: 0, axis: 0, sizes: [SIZES[0], SIZES[1]] }];
  const tape = mergeTapes(a, b, symbols);
  const r = shape!;
  const names = m.metricsNames.slice(1);
  const kernels = [...new Set(a.calls.map((c) => c.kernel))];
  let k = 1 + r.metrics.length;
  return {
    tape,
    inputCount: model.inputs.length,
    targetCount: n - model.inputs.length,
    loss: 0,
    metrics: r.metrics.map((_, i) => ({ name: names[i] ?? `metric_${i}`, index: 1 + i })),
    predictions: r.predictions.map((_, i) => ({ name: m.outputNames[i] ?? `output_${i}`, index: k++ })),
    assigns: r.assigns.map((x) => ({ variable: x.variable, index: k++ })),
    kernels,
  };
}
