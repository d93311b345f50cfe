// Variables a SavedModel can hold: tfjs `tf.Variable`s (and tfjs-layers' LayerVariables, which
// wrap one), and `RawVariable`s for dtypes TensorFlow.js does not have (int64, uint8, float64, ...).
import { backend as currentBackend, getBackend } from '@tensorflow/tfjs';
import { SavedModelError, tensorflow, type TensorByteReader } from '@savedmodel-js/core';
import { checkOptions, isSyncReadbackFailure, READ_AHEAD_BYTES, syncReadbackError } from '@savedmodel-js/core/internal';
import { toDataType, elementSize, type DTypeName } from './dtypes.js';
import { heapHolds, openHeapReader } from './heap-reader.js';

const DT = tensorflow.DataType;

type NumericArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array
  | BigInt64Array | BigUint64Array;

export interface RawVariableOptions {
  /** Shape; default: [] for one value, else [values.length]. */
  shape?: readonly number[];
  /** TensorFlow's variable name (SavedVariable.name, the graph node name). Default "Variable", as TensorFlow's. */
  name?: string;
  trainable?: boolean;
  /** SavedVariable.synchronization / aggregation (tf.keras metrics: ON_READ / SUM; optimizer variables: ONLY_FIRST_REPLICA). */
  synchronization?: tensorflow.VariableSynchronization;
  aggregation?: tensorflow.VariableAggregation;
}

/**
 * A variable of any TensorFlow dtype, holding its value on the host. Functions read or assign it
 * through `graphFunction` (tfjs kernels cannot, as tfjs has no such dtype); it is saved like any
 * other variable. For float32/int32/bool variables prefer `tf.variable`.
 */
export class RawVariable {
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  readonly name: string;
  readonly trainable: boolean;
  readonly synchronization: tensorflow.VariableSynchronization | undefined;
  readonly aggregation: tensorflow.VariableAggregation | undefined;
  private data: NumericArray | Uint8Array[];

  constructor(values: number | bigint | boolean | string | ArrayLike<number | bigint | boolean> | readonly string[] | NumericArray, dtype: DTypeName, options: RawVariableOptions = {}) {
    checkOptions(options, ['shape', 'name', 'trainable', 'synchronization', 'aggregation'], 'RawVariable options');
    this.dtype = dtype;
    const t = toDataType(dtype);
    this.data = toHostArray(values, t);
    const n = this.data.length;
    this.shape = [...(options.shape ?? (n === 1 && !isArrayLike(values) ? [] : [n]))];
    const want = this.shape.reduce((a, b) => a * b, 1);
    if (want !== n) throw new SavedModelError('INVALID_ARGUMENT', `RawVariable of shape [${this.shape}] needs ${want} values, got ${n}`);
    this.name = options.name ?? 'Variable';
    this.trainable = options.trainable ?? true;
    this.synchronization = options.synchronization;
    this.aggregation = options.aggregation;
  }

  /** The current value (host array; int64/uint64 as BigInt64Array/BigUint64Array). */
  get values(): NumericArray | Uint8Array[] {
    return this.data;
  }

  assign(values: ConstructorParameters<typeof RawVariable>[0]): void {
    const next = toHostArray(values, toDataType(this.dtype));
    if (next.length !== this.data.length) throw new SavedModelError('INVALID_ARGUMENT', `assign: expected ${this.data.length} values, got ${next.length}`);
    this.data = next;
  }
}

/** `new RawVariable(values, dtype, options)`. */
export function rawVariable(values: ConstructorParameters<typeof RawVariable>[0], dtype: DTypeName, options?: RawVariableOptions): RawVariable {
  return new RawVariable(values, dtype, options);
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return ArrayBuffer.isView(x) || Array.isArray(x);
}

function toHostArray(values: unknown, t: tensorflow.DataType): NumericArray | Uint8Array[] {
  const list: unknown[] = isArrayLike(values) ? Array.from(values as ArrayLike<unknown>) : [values];
  const num = (x: unknown) => {
    if (typeof x === 'boolean') return x ? 1 : 0;
    if (typeof x === 'bigint') return Number(x);
    if (typeof x !== 'number') throw new SavedModelError('INVALID_ARGUMENT', `RawVariable: ${String(x)} is not a number`);
    return x;
  };
  const big = (x: unknown) => {
    if (typeof x === 'bigint') return x;
    const n = num(x);
    if (!Number.isInteger(n)) throw new SavedModelError('INVALID_ARGUMENT', `RawVariable: ${n} is not an integer`);
    return BigInt(n);
  };
  switch (t) {
    case DT.DT_FLOAT: return Float32Array.from(list, num);
    case DT.DT_DOUBLE: return Float64Array.from(list, num);
    case DT.DT_INT8: return Int8Array.from(list, num);
    case DT.DT_INT16: return Int16Array.from(list, num);
    case DT.DT_INT32: return Int32Array.from(list, num);
    case DT.DT_UINT8: case DT.DT_BOOL: return Uint8Array.from(list, num);
    case DT.DT_UINT16: case DT.DT_HALF: case DT.DT_BFLOAT16: return Uint16Array.from(list, num); // half/bfloat16: raw bits
    case DT.DT_UINT32: return Uint32Array.from(list, num);
    case DT.DT_INT64: return BigInt64Array.from(list, big);
    case DT.DT_UINT64: return BigUint64Array.from(list, big);
    case DT.DT_STRING: return list.map((s) => (s instanceof Uint8Array ? s : new TextEncoder().encode(String(s))));
    default: throw new SavedModelError('UNSUPPORTED', `RawVariable: dtype ${t} is not supported`);
  }
}

// ---- one view of every kind of variable ----

/** What the exporter needs of a variable. */
export interface VariableInfo {
  /** Identity: the tf.Variable (also for a LayerVariable) or the RawVariable. */
  readonly key: object;
  readonly dtype: tensorflow.DataType;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  /** TensorFlow name: SavedVariable.name, base of the graph node name. */
  readonly name: string;
  readonly synchronization?: tensorflow.VariableSynchronization | undefined;
  readonly aggregation?: tensorflow.VariableAggregation | undefined;
  /**
   * Value now (read when its checkpoint record is written), as checkpoint data: one asynchronous
   * read from the backend (tfjs-backend-webgpu's synchronous read returns zeros in headless
   * Chromium; wasm copies on every read, so the export reads each weight exactly once).
   */
  load(): Promise<ArrayBufferView | Uint8Array[] | string[]>;
  /**
   * Optional: the value copied out of its backend piece by piece instead of load() (the wasm
   * backend's heap), or undefined where the backend does not allow it.
   */
  openReader?(): TensorByteReader | undefined;
  /** Whether load() now waits on a device (webgpu, webgl): the writer may start it early. */
  readsFromDevice?(): boolean;
  /** Short label for messages. */
  readonly label: string;
}

interface TfjsVariableLike {
  dataId?: object;
  name: string;
  dtype: string;
  shape: number[];
  trainable: boolean;
  dataSync(): ArrayLike<number> | Uint8Array[];
  data?(): Promise<ArrayLike<number> | Uint8Array[] | string[]>;
  assign(v: unknown): void;
  isDisposed?: boolean;
}

interface LayerVariableLike {
  name: string;
  originalName: string;
  trainable: boolean;
  /** tfjs-layers' LayerVariable.read() returns its tf.Variable (typed as a Tensor). */
  read(): unknown;
  write(v: never): unknown;
}

export function isTfjsVariable(x: unknown): x is TfjsVariableLike {
  const v = x as Partial<TfjsVariableLike> | null;
  return !!v && typeof v === 'object' && typeof v.assign === 'function' && typeof v.dataSync === 'function' &&
    typeof v.name === 'string' && typeof v.trainable === 'boolean' && Array.isArray(v.shape);
}

export function isLayerVariable(x: unknown): x is LayerVariableLike {
  const v = x as Partial<LayerVariableLike> | null;
  return !!v && typeof v === 'object' && typeof v.read === 'function' && typeof v.write === 'function' && typeof v.originalName === 'string';
}

/** tf.Variable, LayerVariable or RawVariable. */
export type AnyVariable = RawVariable | TfjsVariableLike | LayerVariableLike;

export function isVariable(x: unknown): x is AnyVariable {
  return x instanceof RawVariable || isTfjsVariable(x) || isLayerVariable(x);
}

/** The object that identifies a variable: LayerVariables are their tf.Variable. */
export function variableKey(x: AnyVariable): object {
  return isLayerVariable(x) ? (x.read() as TfjsVariableLike) : x;
}

/** tfjs names unnamed variables with a number; TensorFlow's default name is "Variable". */
export function tfVariableName(name: string): string {
  return /^\d+$/.test(name) || name === '' ? 'Variable' : name;
}

/**
 * True where `t`'s values sit in tfjs' cpu backend, the current one: its synchronous read is then
 * the same array access as the asynchronous one, without tfjs' await chain per weight (thousands
 * of small weights). Feature-tested like openHeapReader; anything else reads asynchronously.
 */
function heldByCpu(t: { dataId?: object }): boolean {
  if (!t.dataId || getBackend() !== 'cpu') return false;
  let b: unknown;
  try { b = currentBackend(); } catch { return false; }
  const data = (b as { data?: { has?: (id: object) => boolean } } | null)?.data;
  return typeof data?.has === 'function' && data.has(t.dataId);
}

type ReadValue = ArrayLike<number> | Uint8Array[] | string[];

/**
 * Reads started before the export traces and builds (startReads), by tf.Variable, with the value
 * they read (its dataId): load() takes one instead of starting its own while the variable still
 * holds that value. Each is taken once, so a weight is still read once.
 */
const early = new WeakMap<object, { dataId: object; value: Promise<ReadValue> }>();

/** Whether `v`'s value is read back from a device (asynchronously): not cpu's arrays, not the wasm heap. */
function onDevice(v: TfjsVariableLike): boolean {
  return !!v.dataId && !v.isDisposed && typeof v.data === 'function' && !heldByCpu(v) && !heapHolds(v);
}

/**
 * Starts reading the weights of `vars` where they come back from their device asynchronously
 * (webgpu, webgl): tfjs's own save starts every read at once, and so the reads overlap the
 * tracing and building that come before the checkpoint is written. Not on cpu and wasm, read
 * synchronously when written (no copy held meanwhile). At most READ_AHEAD_BYTES are started (the
 * backends above keep a value on the CPU once read anyway; the budget bounds others). Returns a
 * function that forgets the reads no load() took (an export that failed first).
 */
export function startReads(vars: readonly unknown[]): () => void {
  const started: object[] = [];
  let bytes = 0;
  for (const x of vars) {
    if (bytes >= READ_AHEAD_BYTES) break;
    if (!isVariable(x) || x instanceof RawVariable) continue;
    const v = variableKey(x) as TfjsVariableLike;
    const size = elementSize(toDataType(v.dtype));
    if (early.has(v) || size === undefined || !onDevice(v)) continue;
    const value = v.data!();
    value.catch(() => undefined); // taken, and its failure reported, by load()
    early.set(v, { dataId: v.dataId!, value });
    started.push(v);
    bytes += v.shape.reduce((a, d) => a * d, size);
  }
  return () => { for (const v of started) early.delete(v); };
}

export function variableInfo(x: AnyVariable): VariableInfo {
  if (x instanceof RawVariable) {
    const t = toDataType(x.dtype);
    return {
      key: x, dtype: t, shape: x.shape, trainable: x.trainable, name: x.name, label: `RawVariable ${x.name}`,
      synchronization: x.synchronization, aggregation: x.aggregation,
      load: async () => {
        const v = x.values;
        return Array.isArray(v) ? v : (v as ArrayBufferView);
      },
    };
  }
  const trainable = x.trainable;
  const v = isLayerVariable(x) ? (x.read() as TfjsVariableLike) : x;
  if (v.isDisposed) throw new SavedModelError('INVALID_ARGUMENT', `variable ${v.name} is disposed`, { key: v.name });
  const t = toDataType(v.dtype);
  if (t !== DT.DT_STRING && elementSize(t) === undefined) throw new SavedModelError('UNSUPPORTED', `variable ${v.name} has dtype ${v.dtype}, which cannot be saved`, { key: v.name });
  return {
    key: v, dtype: t, shape: [...v.shape], trainable, name: tfVariableName(v.name), label: `variable ${v.name}`,
    openReader: () => (v.dataId ? openHeapReader(v as TfjsVariableLike & { dataId: object }) : undefined),
    readsFromDevice: () => onDevice(v),
    load: async () => {
      if (v.isDisposed) throw new SavedModelError('INVALID_ARGUMENT', `variable ${v.name} was disposed before it was saved`, { key: v.name });
      let d: ReadValue;
      try {
        const e = early.get(v);
        early.delete(v);
        d = e && e.dataId === v.dataId ? await e.value : typeof v.data === 'function' && !heldByCpu(v) ? await v.data() : v.dataSync();
      } catch (e) {
        if (isSyncReadbackFailure(e)) throw syncReadbackError(e, getBackend(), `saving variable ${v.name}`, 'move the model to a backend whose reads work, e.g. tf.setBackend(\'wasm\' or \'cpu\')');
        throw e;
      }
      if (Array.isArray(d)) return d as Uint8Array[] | string[];
      // tfjs keeps bool as Uint8Array / Int32Array depending on the backend: normalize to one byte each
      if (t === DT.DT_BOOL && !(d instanceof Uint8Array)) return Uint8Array.from(d as ArrayLike<number>, (b) => (b ? 1 : 0));
      return d as unknown as ArrayBufferView;
    },
  };
}
