// The tracing procedure shared by traceFunction and traceModel: record the function under the
// tracing backend (twice, with different sizes, when the signature has unknown dimensions),
// merge the tapes, lower, and assemble the ConcreteFunction.
import * as tf from '@tensorflow/tfjs';
import { getTracingBackend, releaseTracingScratch, TRACE_BACKEND_PREFIX, type TracingBackend } from './backend/tracing-backend.js';
import { Recorder } from './backend/recorder.js';
import { checkTraceTensor } from './backend/trace-limits.js';
import { buildFunctionDef, type CapturedVariable, type ConcreteFunction, type FunctionInput, type FunctionOutput } from './concrete-function.js';
import { SavedModelError } from './core.js';
import { lowerTape, sanitizeArgName } from './lowering/lower-tape.js';
import { mergeTapes, symbolicFromSingle } from './tape/merge.js';
import { simplifyTape } from './tape/simplify.js';
import { symbolicFromOneTrace } from './tape/one-trace.js';
import { isSym, symOf, type SymDim } from './tape/sym.js';
import type { SymbolInfo, SymTape, Tape } from './tape/tape.js';
import { flatten, isTensorSpec, leafPaths, packLike, TensorSpec, type Nested } from './tensor-spec.js';

export interface TraceOptions {
  /** Python-style function name used in the FunctionDef name (default: fn.name or "function"). */
  name?: string;
  /** Backend that computes while tracing (default: the current one). 'cpu', 'wasm', 'webgpu'. */
  backend?: string;
  /**
   * Sizes given to each unknown dimension in the two traces, per symbol (unknown dims are
   * grouped by axis: every null at axis 0 is one "batch" symbol). All numbers must be distinct
   * primes. Default [[2, 3], [5, 7], [11, 13], ...].
   */
  traceSizes?: readonly (readonly [number, number])[];
  /**
   * Skip the arithmetic of convolutions, pooling, matrix products, element-wise math, float data
   * movement and reductions while tracing (default true): the graph needs their output shapes,
   * never their values. A function that reads such a value back (dataSync) then fails with
   * UNSUPPORTED; its float inputs read as zeros. Pass false to compute everything (on
   * pseudo-random sample inputs).
   */
  shapesOnly?: boolean;
}

const DEFAULT_SIZES: readonly (readonly [number, number])[] = [[2, 3], [5, 7], [11, 13], [17, 19], [23, 29], [31, 37], [41, 43], [47, 53]];
/**
 * Sizes of the one unknown dim of a sizeIndependent function: one trace at 13 is enough unless a
 * number in it could be a multiple of 13 (rare in layer widths, unlike 2), then a second at 3.
 */
export const ONE_TRACE_SIZES: readonly [number, number] = [13, 3];

/** Hooks around each recorded run (traceModel uses them to track the current layer). */
export interface RunHooks {
  /** Before each run. */
  attach?(rec: Recorder): void;
  /** After each run. */
  detach?(): void;
  /** After the last run of a trace: undoes what attach may keep between runs. */
  release?(): void;
}

export type FlatRun = (inputs: tf.Tensor[]) => Nested<tf.Tensor>;

let nextUid = 1;

function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let i = 2; i * i <= n; i++) if (n % i === 0) return false;
  return true;
}

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/** Accepts TensorSpec instances and plain {shape, dtype, name} objects. */
export function normalizeSignature(sig: readonly unknown[]): Nested<TensorSpec>[] {
  const walk = (x: unknown): Nested<TensorSpec> => {
    if (isTensorSpec(x)) return x;
    if (x && typeof x === 'object' && !Array.isArray(x) && Array.isArray((x as { shape?: unknown }).shape)) {
      const o = x as { shape: (number | null)[]; dtype?: tf.DataType; name?: string };
      return new TensorSpec(o.shape, o.dtype ?? 'float32', o.name);
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      const out: Record<string, Nested<TensorSpec>> = {};
      for (const [k, v] of Object.entries(x)) out[k] = walk(v);
      return out;
    }
    throw new SavedModelError('INVALID_ARGUMENT', `input signature entries must be TensorSpecs, lists or dicts, got ${String(x)}`);
  };
  return sig.map(walk);
}

const SAMPLE_PERIOD = 1 << 16;
/**
 * Sample values per seed, grown to the largest input asked for and kept while traces are queued
 * (a Keras SavedModel traces every layer on its input: a view each, not a fresh array filled).
 */
const samples = new Map<number, Float32Array>();

function sampleValues(seed: number, n: number): Float32Array {
  let v = samples.get(seed);
  if (!v || v.length < n) {
    v = new Float32Array(Math.max(n, v ? v.length * 2 : 0));
    let s = (seed * 2654435761) >>> 0 || 1;
    // 64 Ki values from an LCG, then repeated: a 224² image batch is millions of elements
    const m = Math.min(v.length, SAMPLE_PERIOD);
    for (let i = 0; i < m; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v[i] = s / 4294967296; } // s * 1664525 mod 2^32, exactly
    for (let i = m; i < v.length; i *= 2) v.copyWithin(i, 0, Math.min(i, v.length - i));
    samples.set(seed, v);
  }
  return v.subarray(0, n);
}

/** Deterministic sample data for the trace inputs (indices stay 0, so lookups are in range). */
function sampleInput(spec: TensorSpec, shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  // kernels never write into their inputs: the tensor may share the cached values
  if (spec.dtype === 'float32') return tf.tensor(sampleValues(seed, n), shape, 'float32');
  if (spec.dtype === 'int32' || spec.dtype === 'bool') return tf.zeros(shape, spec.dtype);
  throw new SavedModelError('UNSUPPORTED', `cannot trace inputs of dtype ${spec.dtype}`);
}

/** One run under the tracing backend (which must be current). */
function recordOnce(backend: TracingBackend, run: FlatRun, specs: readonly TensorSpec[], shapes: number[][], hooks: RunHooks, shapesOnly: boolean):
  { tape: Tape; structure: Nested<tf.Tensor>; recorder: Recorder } {
  specs.forEach((s, i) => checkTraceTensor(shapes[i]!, `trace input ${s.name ?? i}`, s.name ?? `input ${i}`));
  const inputs = specs.map((s, i) => (shapesOnly && s.dtype === 'float32' ? backend.zeroInput(shapes[i]!) : undefined) ?? sampleInput(s, shapes[i]!, i + 1));
  const rec = new Recorder(backend);
  rec.shapesOnly = shapesOnly;
  inputs.forEach((t, i) => rec.addInput(t, i));
  let structure: Nested<tf.Tensor> = [];
  backend.recorder = rec;
  hooks.attach?.(rec);
  try {
    tf.tidy(() => {
      const out = run(inputs);
      const flat = flatten(out, isTensor);
      rec.outputs = flat.map((t) => rec.resolve(t));
      structure = out;
    });
    rec.checkVariablesUnchanged();
  } catch (e) {
    rec.dropDeferred();
    throw e;
  } finally {
    hooks.detach?.();
    backend.recorder = null;
    backend.settlePlaceholders();
    inputs.forEach((t) => t.dispose());
  }
  return { tape: rec.tape(), structure, recorder: rec };
}

/** Runs once per shape set with the tracing backend current (see holdTracingBackend). */
async function record(backend: TracingBackend, run: FlatRun, specs: readonly TensorSpec[], shapeSets: number[][][], hooks: RunHooks, shapesOnly: boolean):
  Promise<{ tape: Tape; structure: Nested<tf.Tensor> }[]> {
  // sample inputs are made on the inner backend's storage either way (the tracer delegates)
  await holdTracingBackend(backend);
  const runs: ReturnType<typeof recordOnce>[] = [];
  try {
    for (const shapes of shapeSets) runs.push(recordOnce(backend, run, specs, shapes, hooks, shapesOnly));
  } finally {
    hooks.release?.();
    // constants a device holds, read now that no kernel runs (also after a failed run: released)
    for (const r of runs) await r.recorder.readDeferred();
  }
  return runs;
}

// Queued traces keep the tracing backend current from one to the next: tfjs' setBackend scans
// its whole kernel registry on every switch (setupRegisteredKernels, ~0.3 ms), twice per trace,
// which the thousands of traces of a big Keras SavedModel (every layer's functions) felt. The
// caller's backend is restored when the queue drains. In between, with no recorder attached, the
// tracing backend runs every kernel on the inner backend unchanged, and tf.getBackend() names it.
let pendingTraces = 0;
/** The backend to restore when the queue drains: the caller's, never a tracing backend. */
let restoreTo: string | undefined;

async function holdTracingBackend(backend: TracingBackend): Promise<void> {
  const current = tf.getBackend();
  if (current === backend.name) return;
  // a backend the caller chose since (between two queued traces) is the one to go back to
  if (current && !current.startsWith(TRACE_BACKEND_PREFIX)) restoreTo = current;
  await tf.setBackend(backend.name);
}

async function releaseTracingBackend(): Promise<void> {
  samples.clear();
  releaseTracingScratch();
  const to = restoreTo;
  restoreTo = undefined;
  const current = tf.getBackend();
  if (to && current !== to && current?.startsWith(TRACE_BACKEND_PREFIX)) await tf.setBackend(to);
}

export interface TraceRequest {
  run: FlatRun;
  signature: readonly Nested<TensorSpec>[];
  name: string;
  options: TraceOptions;
  hooks?: RunHooks;
  /**
   * The function's kernels and numbers depend on the input sizes only as kernel shape rules say
   * (no size-dependent control flow or arithmetic in its JS: traceModel's whitelisted layers).
   * One unknown dim is then traced once where the tape determines the symbolic graph.
   */
  sizeIndependent?: boolean;
}

// Traces switch the global backend and share the tracing backend's recorder: one at a time.
let queue: Promise<unknown> = Promise.resolve();

export function traceFlat(req: TraceRequest): Promise<ConcreteFunction> {
  pendingTraces++;
  const run = queue.then(() => traceNow(req)).finally(async () => {
    if (--pendingTraces === 0) await releaseTracingBackend();
  });
  queue = run.catch(() => undefined);
  return run;
}

async function traceNow(req: TraceRequest): Promise<ConcreteFunction> {
  const { options } = req;
  const signature = req.signature;
  const specs = flatten<TensorSpec>(signature as Nested<TensorSpec>, isTensorSpec);
  if (specs.length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'the input signature has no tensors');

  // arg names: the spec's name, else its position ("args_0", "args_1_x")
  const paths = leafPaths<TensorSpec>(signature as Nested<TensorSpec>, isTensorSpec);
  const used = new Set<string>();
  const inputs: FunctionInput[] = specs.map((s, i) => {
    let n = sanitizeArgName(s.name ?? `args_${paths[i]}`);
    const base = n;
    for (let k = 1; used.has(n); k++) n = `${base}_${k}`;
    used.add(n);
    return { argName: n, spec: new TensorSpec(s.shape, s.dtype, s.name ?? n) };
  });
  const namedSignature = (() => {
    const named = packLike<TensorSpec, TensorSpec>(signature as Nested<TensorSpec>, inputs.map((x) => x.spec), isTensorSpec);
    return (Array.isArray(named) ? named : [named]) as Nested<TensorSpec>[];
  })();

  // symbols: unknown dims, one per axis index
  const symbols: SymbolInfo[] = [];
  const symbolOfAxis = new Map<number, number>();
  const sizesFor = options.traceSizes ?? DEFAULT_SIZES;
  specs.forEach((s, i) => s.shape.forEach((d, axis) => {
    if (d !== null || symbolOfAxis.has(axis)) return;
    const k = symbols.length;
    const sizes = sizesFor[k];
    if (!sizes) throw new SavedModelError('INVALID_ARGUMENT', `no trace sizes for unknown dimension #${k}; pass options.traceSizes`);
    symbolOfAxis.set(axis, k);
    symbols.push({ input: i, axis, sizes: [sizes[0], sizes[1]] });
  }));
  const all = symbols.flatMap((s) => s.sizes);
  if (!all.every(isPrime) || new Set(all).size !== all.length) {
    throw new SavedModelError('INVALID_ARGUMENT', `trace sizes must be distinct primes, got ${JSON.stringify(symbols.map((s) => s.sizes))}`);
  }
  const shapesFor = (t: number) => specs.map((s) => s.shape.map((d, axis) => d ?? symbols[symbolOfAxis.get(axis)!]!.sizes[t]!));

  // between two queued traces the tracing backend is still current: getTracingBackend maps it
  const innerName = options.backend ?? tf.getBackend();
  if (!innerName) throw new SavedModelError('INVALID_ARGUMENT', 'no tfjs backend is set');
  const backend = await getTracingBackend(innerName);
  const hooks = req.hooks ?? {};

  const shapesOnly = options.shapesOnly ?? true;
  const once = req.sizeIndependent === true && options.traceSizes === undefined && symbols.length === 1;
  if (once) symbols[0]!.sizes = [...ONE_TRACE_SIZES];
  const runs = await record(backend, req.run, specs, symbols.length === 0 || once ? [shapesFor(0)] : [shapesFor(0), shapesFor(1)], hooks, shapesOnly);
  const first = runs[0]!;
  let tape: SymTape | undefined;
  if (symbols.length === 0) tape = symbolicFromSingle(first.tape);
  else if (once) {
    const inputShapes = specs.map((s) => s.shape.map((d, axis): SymDim => d ?? symOf(symbolOfAxis.get(axis)!)));
    tape = symbolicFromOneTrace(first.tape, symbols, inputShapes);
    if (!tape) runs.push(...await record(backend, req.run, specs, [shapesFor(1)], hooks, shapesOnly));
  }
  tape ??= mergeTapes(first.tape, runs[1]!.tape, symbols);
  const lowered = lowerTape(simplifyTape(tape), inputs.map((x) => x.argName));

  const name = `__inference_${sanitizeArgName(req.name).replace(/^arg_/, '')}_${nextUid++}`;
  const functionDef = buildFunctionDef(name, inputs, lowered);

  const outputs: FunctionOutput[] = tape.outputs.map((id, i) => {
    const v = tape.values[id]!;
    return { argName: i === 0 ? 'identity' : `identity_${i}`, spec: new TensorSpec(v.shape.map((d) => (isSym(d) ? null : d)), v.dtype, `output_${i}`) };
  });
  const structuredOutputs = packLike<tf.Tensor, TensorSpec>(first.structure, outputs.map((o) => o.spec), isTensor);
  const captures: CapturedVariable[] = [];
  for (const c of lowered.captures) {
    // Nothing is read here: the exporter reads each variable once, asynchronously, as it writes
    // the checkpoint. `values` is a synchronous read on first use (tests, small tools); on
    // webgpu await variable.data() before touching it (its synchronous read can return zeros).
    const variable = c.variable;
    let values: Float32Array | Int32Array | Uint8Array | undefined;
    captures.push({
      argName: c.argName,
      name: variable.name,
      dtype: variable.dtype,
      shape: [...variable.shape],
      trainable: variable.trainable,
      get values() {
        values ??= (variable.dataSync() as Float32Array | Int32Array | Uint8Array).slice();
        return values;
      },
      variable,
    });
  }
  return { name, functionDef, inputSignature: namedSignature, inputs, captures, outputs, structuredOutputs, nodeOrigins: lowered.origins };
}
