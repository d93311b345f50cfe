// Builds a Tape from the kernel calls the tracing backend reports. Tensors are identified by
// dataId + shape + dtype: backends hand out the same dataId for Reshape/Identity outputs, and a
// dataId's contents never change (tf.Variable.assign swaps dataIds), so equal keys mean equal
// values.
import * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '../core.js';
import { kernelError } from '../errors.js';
import { findIndexedVariable, rebuildVariableIndex, registeredVariableCount, sameShape } from './variable-index.js';
import type { BackendValues, InputRef, KernelCall, Tape, TapeValue } from '../tape/tape.js';

type DataId = object;

/** Attrs copied to plain data (arrays, numbers, strings, booleans, plain objects). */
function cloneAttr(v: unknown): unknown {
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(cloneAttr);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) out[k] = cloneAttr(o[k]);
    return out;
  }
  return `[${typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v}]`;
}

function copyValues(v: tf.backend_util.BackendValues): BackendValues {
  if (Array.isArray(v)) return v.map((s) => s.slice());
  return (v as Float32Array | Int32Array | Uint8Array).slice();
}

export interface PendingCall {
  kernel: string;
  inputs: (readonly [string, InputRef])[];
  attrs: Record<string, unknown>;
  layer: string;
}

export class Recorder {
  readonly values: TapeValue[] = [];
  readonly calls: KernelCall[] = [];
  readonly inputs: number[] = [];
  outputs: number[] = [];
  /**
   * Skip the arithmetic of kernels whose output shape is derivable (convolutions, pooling,
   * matmuls): their outputs are zeros of the right shape. Values are never part of the graph.
   */
  shapesOnly = false;
  /** > 0 while a kernel runs: kernels it starts itself are part of it, not new calls. */
  depth = 0;
  private readonly byData = new Map<DataId, number[]>();
  /** Registered variables when this trace last rebuilt the shared index (-1: not yet). */
  private indexedCount = -1;
  private readonly variableValues = new Map<tf.Variable, number>();
  /** dataId each captured variable had when first read; a change means it was assigned. */
  readonly capturedDataIds = new Map<tf.Variable, DataId>();
  private readonly layerStack: string[] = [];
  /** `layer` for the current stack, computed on first use after each push / pop (every kernel call asks). */
  private layerPath: string | null = '';
  /**
   * Whether a constant's values are read synchronously while tracing (cpu, wasm). Elsewhere they
   * are read after the run (readDeferred): webgpu's synchronous read of a value on the GPU can
   * return zeros (headless Chromium) and caches them on the tensor.
   */
  readonly syncReads: boolean;

  /** `source`: the backend the traced kernels run on, whose data constants are read from. */
  constructor(private readonly source: { readonly inner: tf.KernelBackend; readonly innerName: string }) {
    this.syncReads = source.innerName === 'cpu' || source.innerName === 'wasm';
  }
  /** Constants to read after the run, their data kept alive until then (incRef). */
  private readonly deferred: { source: { kind: 'constant'; values: BackendValues }; dataId: DataId }[] = [];
  /** Values holding placeholders instead of real results (see shapesOnly), with the skipped kernel they come from. */
  private readonly placeholders = new Map<number, string>();

  pushLayer(name: string): void { this.layerStack.push(name); this.layerPath = null; }
  popLayer(): void { this.layerStack.pop(); this.layerPath = null; }
  /** Current layer path; a layer entered twice (apply, then call) appears once. */
  get layer(): string {
    return (this.layerPath ??= this.layerStack.filter((n, i) => n !== this.layerStack[i - 1]).join('/'));
  }

  private add(dtype: TapeValue['dtype'], shape: readonly number[], source: TapeValue['source'], dataId: DataId | null): number {
    const id = this.values.length;
    this.values.push({ id, dtype, shape: shape.slice(), source });
    if (dataId) {
      const list = this.byData.get(dataId);
      if (list) list.push(id); else this.byData.set(dataId, [id]);
    }
    return id;
  }

  addInput(t: tf.Tensor, index: number): number {
    const id = this.add(t.dtype, t.shape, { kind: 'input', index }, t.dataId);
    this.inputs[index] = id;
    return id;
  }

  private findProduced(info: tf.TensorInfo): number | undefined {
    const list = this.byData.get(info.dataId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const v = this.values[list[i]!]!;
      if (v.dtype === info.dtype && sameShape(v.shape, info.shape)) return v.id;
    }
    return undefined;
  }

  /** Value id for a tensor a kernel (or the traced function) hands us. */
  resolve(info: tf.TensorInfo): number {
    // variables first: an Identity of a variable is the variable, read at call time
    let variable = findIndexedVariable(info);
    let produced = variable ? undefined : this.findProduced(info);
    // a miss: the index may be stale (a variable created or assigned since it was built)
    if (!variable && produced === undefined && (this.indexedCount < 0 || registeredVariableCount() !== this.indexedCount)) {
      this.indexedCount = rebuildVariableIndex();
      variable = findIndexedVariable(info);
    }
    if (variable) {
      let id = this.variableValues.get(variable);
      if (id === undefined) {
        id = this.add(variable.dtype, variable.shape, { kind: 'variable', variable }, null);
        this.variableValues.set(variable, id);
        this.capturedDataIds.set(variable, variable.dataId);
      }
      return id;
    }
    if (produced !== undefined) return produced;
    // created outside any kernel: a constant, read now while it is alive, or after the run
    if (!this.syncReads) {
      this.source.inner.incRef(info.dataId);
      const source = { kind: 'constant' as const, values: [] as BackendValues };
      this.deferred.push({ source, dataId: info.dataId });
      return this.add(info.dtype, info.shape, source, info.dataId);
    }
    const values = copyValues(tf.engine().readSync(info.dataId));
    return this.add(info.dtype, info.shape, { kind: 'constant', values }, info.dataId);
  }

  /** Releases the data kept for deferred reads without reading it (a run that failed). */
  dropDeferred(): void {
    for (const r of this.deferred.splice(0)) this.source.inner.disposeData(r.dataId);
  }

  /**
   * Reads the constants left for after the run (asynchronously, all at once) into the tape, and
   * releases the data kept for them.
   */
  async readDeferred(): Promise<void> {
    const backend = this.source.inner;
    const reads = this.deferred.splice(0);
    try {
      await Promise.all(reads.map(async (r) => { r.source.values = copyValues(await backend.read(r.dataId)); }));
    } catch (e) {
      throw new SavedModelError('INVALID_ARGUMENT', `cannot read a tensor the traced function captured: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      for (const r of reads) backend.disposeData(r.dataId);
    }
  }

  begin(kernel: string, inputs: tf.NamedTensorInfoMap | readonly tf.TensorInfo[], attrs: unknown): PendingCall {
    const entries: (readonly [string, InputRef])[] = [];
    for (const key of Object.keys(inputs)) {
      const t = (inputs as Record<string, tf.TensorInfo | tf.TensorInfo[] | null | undefined>)[key];
      if (t == null) entries.push([key, null]);
      else if (Array.isArray(t)) entries.push([key, t.map((x) => this.resolve(x))]);
      else entries.push([key, this.resolve(t)]);
    }
    const a = (cloneAttr(attrs ?? {}) ?? {}) as Record<string, unknown>;
    return { kernel, inputs: entries, attrs: a, layer: this.layer };
  }

  /**
   * Records a finished call. `skipped`: its arithmetic was skipped (shapesOnly), so its outputs,
   * and everything computed from them, hold placeholder values.
   */
  end(p: PendingCall, out: tf.TensorInfo | tf.TensorInfo[], skipped = false): void {
    const index = this.calls.length;
    const outs = Array.isArray(out) ? out : [out];
    const outputs = outs.map((o, i) =>
      this.add(o.dtype, o.shape, { kind: 'kernel', call: index, output: i }, o.dataId));
    this.calls.push({ index, kernel: p.kernel, inputs: p.inputs, attrs: p.attrs, outputs, layer: p.layer });
    // named for the first kernel skipped on the way: what a user can act on
    const origin = this.placeholderOrigin(p.inputs) ?? (skipped ? p.kernel : undefined);
    if (origin !== undefined) for (const o of outputs) this.placeholders.set(o, origin);
  }

  /** The skipped kernel a placeholder among these inputs comes from, if any. */
  private placeholderOrigin(inputs: PendingCall['inputs']): string | undefined {
    for (const [, r] of inputs) {
      if (r === null) continue;
      if (typeof r === 'number') { const o = this.placeholders.get(r); if (o !== undefined) return o; continue; }
      for (const x of r) { const o = this.placeholders.get(x); if (o !== undefined) return o; }
    }
    return undefined;
  }

  /** Kernel that produced placeholder values under this dataId, if any. */
  placeholderKernel(dataId: DataId): string | undefined {
    for (const id of this.byData.get(dataId) ?? []) {
      const o = this.placeholders.get(id);
      if (o !== undefined) return o;
    }
    return undefined;
  }

  /** Throws when a captured variable was assigned during the trace (stateful update). */
  checkVariablesUnchanged(): void {
    for (const [v, dataId] of this.capturedDataIds) {
      if (v.dataId !== dataId) {
        throw kernelError('UNSUPPORTED', { kernel: 'Variable.assign', layer: this.layer },
          `variable ${v.name} was assigned while tracing; stateful updates (e.g. BatchNormalization with training: true) are not supported`);
      }
    }
  }

  tape(): Tape {
    return { values: this.values, calls: this.calls, inputs: this.inputs, outputs: this.outputs };
  }
}
