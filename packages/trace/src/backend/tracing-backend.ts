// A KernelBackend that wraps a real one (cpu, wasm, webgpu): every kernel of the inner backend
// is re-registered for the wrapper and runs the inner kernel with `backend: inner`, so tensors
// live in the inner backend's storage and results are the inner backend's. While a Recorder is
// attached, each top-level kernel call is recorded.
import * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '../core.js';
import type { Recorder } from './recorder.js';
import { shapeOnlyOutput } from './shape-only.js';

/** What the wasm backend offers beyond KernelBackend: outputs on its heap, and views of them. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): { fill(v: number): unknown };
}

function heapBackend(b: KernelBackend): HeapBackend | undefined {
  const h = b as unknown as Partial<HeapBackend>;
  return typeof h.makeOutput === 'function' && typeof h.typedArrayFromHeap === 'function' ? (h as HeapBackend) : undefined;
}

type DataId = object;

/** Kernels that move their input's bytes without reading them as numbers (see runInner). */
const FORWARDING = new Set(['Reshape', 'Identity']);
type KernelBackend = tf.KernelBackend;

export const TRACE_BACKEND_PREFIX = 'savedmodel-trace-';

/**
 * Number of kernels registered with tfjs (every backend), or undefined where it cannot be read.
 * tfjs-core keeps the registry in a Map under globalThis._tfGlobals (shared by all its copies).
 * An unchanged size means nothing new to wrap, short of a kernel removed and another added in
 * between: that one would then be missing on the tracing backend, which tfjs reports by name.
 */
function kernelRegistrySize(): number | undefined {
  const globals = (globalThis as { _tfGlobals?: unknown })._tfGlobals;
  const reg = globals instanceof Map ? globals.get('kernelRegistry') : undefined;
  return reg instanceof Map ? reg.size : undefined;
}

export class TracingBackend extends tf.KernelBackend {
  recorder: Recorder | null = null;
  private readonly wrapped = new Set<string>();
  /** The inner backend's Fill kernel: placeholders are made on the inner backend's own storage. */
  private fill: tf.KernelFunc | undefined;
  /**
   * wasm: placeholders are allocated on the heap without their zero fill, which is written only if
   * a kernel that really runs reads one (most are read by other skipped kernels only). Filling
   * every activation of a MobileNetV2 at batch 2 and 3 was ~40 % of a trace's time.
   */
  private readonly heap: HeapBackend | undefined;
  private readonly unzeroed = new Map<DataId, tf.TensorInfo>();
  private readonly alloc = (shape: number[], dtype: 'float32' | 'int32'): tf.TensorInfo | undefined => {
    if (this.heap) {
      const t = this.heap.makeOutput(shape, dtype);
      this.unzeroed.set(t.dataId, t);
      return t;
    }
    if (this.innerName === 'cpu') return this.zeroView(shape, dtype);
    if (!this.fill) return undefined;
    const t = this.fill({ inputs: {}, attrs: { shape, value: 0, dtype }, backend: this.inner }) as tf.TensorInfo;
    if (t && !Array.isArray(t) && t.dtype === dtype && t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i])) return t;
    if (t && !Array.isArray(t)) this.inner.disposeData(t.dataId);
    return undefined;
  };

  /**
   * cpu: every placeholder is a view of one zero buffer (grown to the largest asked for, kept
   * while traces are queued: a Keras SavedModel traces every layer). cpu kernels never write into
   * their inputs, and a placeholder's values never reach the graph; its Fill kernel wrote each
   * zero of a fresh array instead, ~3/4 of a MobileNetV2 trace at 224².
   */
  private zeros: ArrayBuffer | undefined;
  private zeroView(shape: number[], dtype: 'float32' | 'int32'): tf.TensorInfo {
    let size = 1;
    for (const d of shape) size *= d;
    if (!this.zeros || this.zeros.byteLength < size * 4) this.zeros = new ArrayBuffer(Math.max(size * 4, 1 << 16));
    const values = dtype === 'float32' ? new Float32Array(this.zeros, 0, size) : new Int32Array(this.zeros, 0, size);
    return { dataId: this.inner.write(values, shape, dtype), shape, dtype };
  }

  constructor(readonly inner: KernelBackend, readonly innerName: string, readonly name: string) {
    super();
    this.heap = heapBackend(inner);
  }

  /** Size of tfjs' kernel registry when the wrappers were last synced. */
  private syncedAt: number | undefined;

  /**
   * Registers wrappers for inner kernels not wrapped yet (kernels may be registered late). Runs
   * before every trace; tfjs' getKernelsForBackend scans its whole registry (~0.3 ms), which a
   * Keras SavedModel's thousands of per-layer traces felt, so an unchanged registry is skipped.
   */
  syncKernels(): void {
    const size = kernelRegistrySize();
    if (size !== undefined && size === this.syncedAt) return;
    for (const k of tf.getKernelsForBackend(this.innerName)) {
      if (this.wrapped.has(k.kernelName)) continue;
      this.wrapped.add(k.kernelName);
      const innerFunc = k.kernelFunc;
      const kernelName = k.kernelName;
      if (kernelName === 'Fill') this.fill = innerFunc;
      tf.registerKernel({
        kernelName,
        backendName: this.name,
        kernelFunc: ({ inputs, attrs }) => this.runKernel(kernelName, innerFunc, inputs, attrs),
      });
    }
    this.syncedAt = kernelRegistrySize();
  }

  private runKernel(kernelName: string, fn: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined) {
    const rec = this.recorder;
    if (!rec || rec.depth > 0) return this.runInner(fn, inputs, attrs);
    const pending = rec.begin(kernelName, inputs, attrs);
    let out: tf.TensorInfo | tf.TensorInfo[] | undefined;
    rec.depth++;
    try {
      out = rec.shapesOnly ? shapeOnlyOutput(this.inner, kernelName, inputs, attrs ?? {}, this.alloc) : undefined;
      const skipped = out !== undefined;
      out ??= this.runInner(fn, inputs, attrs, FORWARDING.has(kernelName));
      rec.end(pending, out, skipped);
    } catch (e) {
      // a kernel asked for more memory than there is (a shape from an untrusted config): typed, named
      if (e instanceof RangeError) throw new SavedModelError('LIMIT_EXCEEDED', `kernel ${kernelName} failed while tracing: ${e.message}`, { key: kernelName, cause: e });
      throw e;
    } finally {
      rec.depth--;
    }
    return out;
  }

  /**
   * Runs the inner kernel, first writing the zeros of the unfilled placeholders it reads. A
   * kernel that only forwards its input (`forwards`: Reshape shares it, Identity copies its bytes)
   * reads nothing: its output is left unfilled too, zeroed if a kernel that computes reads it.
   * Zeroing every Reshape's input filled each activation of a MobileNetV2 at 224² (batch 13).
   */
  private runInner(fn: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined, forwards = false) {
    let unfilled = false;
    if (this.unzeroed.size > 0) {
      for (const t of Object.values(inputs)) {
        if (!t || !this.unzeroed.has(t.dataId)) continue;
        if (forwards) unfilled = true;
        else this.zero(t.dataId);
      }
    }
    const out = fn({ inputs, attrs, backend: this.inner });
    if (unfilled) for (const o of Array.isArray(out) ? out : [out]) if (!this.unzeroed.has(o.dataId)) this.unzeroed.set(o.dataId, o);
    return out;
  }

  private zero(dataId: DataId): void {
    const t = this.unzeroed.get(dataId)!;
    this.unzeroed.delete(dataId);
    this.heap!.typedArrayFromHeap(t).fill(0);
  }

  /** Zeroes the placeholders still unfilled: call when a trace ends, so none outlives it holding garbage. */
  settlePlaceholders(): void {
    for (const id of [...this.unzeroed.keys()]) this.zero(id);
  }

  /**
   * A float input for a shapes-only trace, made as placeholders are (cpu: a view of the zero
   * buffer; wasm: heap left unfilled until a kernel that computes, or a read, needs it): a layer's
   * sample input at batch 13 can be tens of MB that nothing but skipped kernels reads. Its values
   * are zeros wherever they are read. Undefined where the backend has no such storage.
   */
  zeroInput(shape: number[]): tf.Tensor | undefined {
    if (!this.heap && this.innerName !== 'cpu') return undefined;
    const info = this.alloc(shape, 'float32');
    return info ? tf.engine().makeTensorFromTensorInfo(info, this) : undefined;
  }

  /** Drops the shared zero buffer (placeholders still alive keep their views): when the trace queue drains. */
  releaseScratch(): void {
    this.zeros = undefined;
  }

  /** Values computed with shapesOnly are placeholders: a function that reads them cannot be traced that way. */
  private checkRead(dataId: DataId): void {
    const k = this.recorder?.placeholderKernel(dataId);
    if (k !== undefined) {
      throw new SavedModelError('UNSUPPORTED', `the traced function reads a value that depends on kernel ${k}, whose arithmetic is skipped while tracing; its result depends on tensor values (trace with shapesOnly: false to record it as a constant)`, { key: k });
    }
  }

  // ---- storage and everything else: the inner backend's ----
  override refCount(dataId: DataId): number { return this.inner.refCount(dataId); }
  override incRef(dataId: DataId): void { this.inner.incRef(dataId); }
  override timerAvailable(): boolean { return this.inner.timerAvailable(); }
  override time(f: () => void): Promise<tf.BackendTimingInfo> { return this.inner.time(f); }
  override read(dataId: DataId): Promise<tf.backend_util.BackendValues> {
    this.checkRead(dataId);
    if (this.unzeroed.has(dataId)) this.zero(dataId);
    return this.inner.read(dataId);
  }
  override readSync(dataId: DataId): tf.backend_util.BackendValues {
    this.checkRead(dataId);
    if (this.unzeroed.has(dataId)) this.zero(dataId);
    return this.inner.readSync(dataId);
  }
  override readToGPU(dataId: DataId, options?: tf.DataToGPUOptions): tf.GPUData { return this.inner.readToGPU(dataId, options); }
  override numDataIds(): number { return this.inner.numDataIds(); }
  override disposeData(dataId: DataId, force?: boolean): boolean {
    const gone = this.inner.disposeData(dataId, force);
    if (gone) this.unzeroed.delete(dataId);
    return gone;
  }
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): DataId {
    return this.inner.write(values, shape, dtype);
  }
  override move(dataId: DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.inner.move(dataId, values, shape, dtype, refCount);
  }
  override createTensorFromGPUData(values: tf.WebGLData | tf.WebGPUData, shape: number[], dtype: tf.DataType): tf.Tensor {
    return this.inner.createTensorFromGPUData(values, shape, dtype);
  }
  override memory(): { unreliable: boolean; reasons?: string[] } { return this.inner.memory(); }
  override floatPrecision(): 16 | 32 { return this.inner.floatPrecision(); }
  override epsilon(): number { return this.inner.epsilon(); }
  /** The inner backend is not ours to dispose. */
  override dispose(): void {}
}

const wrappers = new Map<string, TracingBackend>();

/** releaseScratch on every tracing backend (the trace queue has drained). */
export function releaseTracingScratch(): void {
  for (const w of wrappers.values()) w.releaseScratch();
}

/**
 * The tracing backend around `name`, registered with tfjs on first use. Sets the inner
 * backend once so that its kernels are set up (wasm binds its functions in setupFunc), then
 * restores the previous backend. A tracing backend's own name (the current backend between two
 * queued traces, see trace-core.ts) means the backend it wraps: wrappers never nest.
 */
export async function getTracingBackend(name: string): Promise<TracingBackend> {
  const innerName = name.startsWith(TRACE_BACKEND_PREFIX) ? name.slice(TRACE_BACKEND_PREFIX.length) : name;
  let w = wrappers.get(innerName);
  if (!w) {
    const prev = tf.getBackend();
    if (!(await tf.setBackend(innerName))) {
      throw new SavedModelError('UNSUPPORTED', `backend ${innerName} could not be initialized`);
    }
    const inner = tf.findBackend(innerName);
    if (prev && prev !== innerName) await tf.setBackend(prev);
    const name = TRACE_BACKEND_PREFIX + innerName;
    // another copy of this module may have registered one: ours must be the one tfjs uses
    if (tf.findBackendFactory(name)) {
      for (const k of tf.getKernelsForBackend(name)) tf.unregisterKernel(k.kernelName, name);
      tf.removeBackend(name);
    }
    const wrapper = new TracingBackend(inner, innerName, name);
    // priority below every real backend: tfjs must never pick it by itself
    tf.registerBackend(name, () => wrapper, -1000);
    w = wrapper;
    wrappers.set(innerName, w);
  }
  w.syncKernels();
  return w;
}
