// Ops that TensorFlow.js has no kernel for but a loaded SavedModel needs — state (variables that
// signatures assign, lookup tables), files (assets, ReadFile), tf.Example parsing, control
// dependencies — run on the host inside tfjs-converter's executor as one registered custom op,
// `_SmjsHost`. The freezer (freeze.ts) emits such nodes with their TensorFlow NodeDef kept in
// FrozenGraph.hostNodes; at load each frozen graph becomes a HostProgram (a numbered entry in a
// process-wide registry, named by the node's `program` attr), whose state lives in a
// ResourceStore shared by the init program and every signature of one loaded model.
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import { toNumber } from '@savedmodel-js/core/internal';
import { registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import { clone, engine, keep, scalar, tensor, type Tensor } from '@tensorflow/tfjs-core';
import { dtypeName, type HostTensor } from './host-tensor.js';
import { rawInt, rawNode } from './ops/raw-attrs.js';

const DT = tensorflow.DataType;

export const HOST_OP = '_SmjsHost';

/** One host node of a frozen graph: the TensorFlow op it stands for and what it works on. */
export interface HostNode {
  /** TensorFlow op name ('LookupTableFindV2', 'AssignAddVariableOp', …) or 'After' / 'Group' (control dependencies). */
  op: string;
  /** The original NodeDef (attrs in TensorFlow form). */
  def: tensorflow.INodeDef;
  /** Top-level resource node (variable, table) the op works on, if any. */
  resource?: string;
  /** Inputs that carry data; the rest (after them) are control dependencies. */
  nData: number;
  /** For messages: "node X in function F". */
  where: string;
}

export interface HostContext {
  inputs: Tensor[];
  node: HostNode;
  store: ResourceStore;
}

export type HostHandler = (ctx: HostContext) => Tensor[];

interface HostOpEntry {
  handler: HostHandler;
  /** The handler reads its inputs' values on the host (hostValues): read ahead, asynchronously, where sync reads are unsafe. */
  readsValues: boolean;
}

const HANDLERS = new Map<string, HostOpEntry>();

/**
 * Register how a TensorFlow op runs on the host (called by the ops/ modules at import). A handler
 * that reads its inputs' values declares `readsValues` and reads them with hostValues().
 */
export function defineHostOp(ops: string[], handler: HostHandler, opts: { readsValues?: boolean } = {}): void {
  for (const op of ops) HANDLERS.set(op, { handler, readsValues: opts.readsValues ?? false });
}

// ---- values on the host ----
//
// tfjs-backend-webgpu's synchronous read answers zeros for a value on the GPU in headless Chromium
// (SwiftShader), and caches them on the tensor: host ops must not read with dataSync() there. On
// backends whose synchronous reads are plain memory copies or a blocking readPixels (cpu, wasm,
// webgl, tfjs-node) a host op reads synchronously, so predict() keeps working; elsewhere it reads
// its inputs with data() first, which only the asynchronous executor (predictAsync / executeAsync)
// can wait for. Under the synchronous one it is refused with a typed error instead of guessed.

const SYNC_READ_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm', 'webgl', 'tensorflow']);
let syncRuns = 0;
/** Values read ahead for the host op running now, by dataId (set only while its handler runs). */
let readAhead: Map<object, ArrayLike<number>> | null = null;

/** Run `f` (a synchronous model.execute) so that host ops know they cannot wait for reads. */
export function runSynchronously<T>(f: () => T): T {
  syncRuns++;
  try {
    return f();
  } finally {
    syncRuns--;
  }
}

/** Whether host ops read values synchronously on the current backend (else only the asynchronous executor runs them). */
export function hostReadsSynchronously(): boolean {
  return SYNC_READ_BACKENDS.has(engine().backendName);
}

/** TensorFlow ops run by custom executors that read input values (withHostValues), besides `_SmjsHost`'s. */
const VALUE_READING_OPS = new Set<string>();

/** Declare a TensorFlow op whose custom executor reads input values on the host. */
export function declareValueReadingOp(op: string): void {
  VALUE_READING_OPS.add(op);
}

/**
 * The first node of a frozen graph (its functions included) that reads tensor values on the host,
 * as "op X (node N)", or undefined: on backends without safe synchronous reads such a graph runs
 * only asynchronously, which callers decide before running anything (no side effect twice).
 */
export function hostValueReader(nodes: Iterable<tensorflow.INodeDef>, hostNodes: Map<string, HostNode>): string | undefined {
  for (const n of nodes) {
    const op = n.op ?? '';
    if (VALUE_READING_OPS.has(op)) return `op ${op} (node ${n.name})`;
    if (op !== HOST_OP) continue;
    const h = hostNodes.get(n.name ?? '');
    if (!h || HANDLERS.get(h.op)?.readsValues !== false) return `op ${h?.op ?? op} (node ${n.name})`;
  }
  return undefined;
}

/**
 * `run()` once the values of `tensors` can be read with hostValues(): now where the backend's
 * synchronous reads are safe, else after reading them asynchronously (a promise, which
 * tfjs-converter's asynchronous executor awaits). `what` names the op for the error under the
 * synchronous executor.
 */
export function withHostValues<T>(what: string, key: string, tensors: Tensor[], run: () => T): T | Promise<T> {
  const backend = engine().backendName;
  const numeric = tensors.filter((t) => t.dtype !== 'string');
  if (numeric.length === 0 || hostReadsSynchronously()) return run();
  if (syncRuns > 0) {
    throw new SavedModelError(
      'UNSUPPORTED',
      `${what} reads tensor values on the host, which the TensorFlow.js '${backend}' backend cannot do synchronously: the graph runs only asynchronously (dynamic ops); use predictAsync()/executeAsync()`,
      { key },
    );
  }
  return Promise.all(numeric.map((t) => t.data())).then((values) => {
    readAhead = new Map(numeric.map((t, i) => [t.dataId, values[i] as ArrayLike<number>]));
    try {
      return run();
    } finally {
      readAhead = null;
    }
  });
}

/** The values of a numeric input of the running host op (read ahead by withHostValues where sync reads are unsafe). */
export function hostValues(t: Tensor): ArrayLike<number> {
  const v = readAhead?.get(t.dataId);
  if (v) return v;
  if (hostReadsSynchronously()) return t.dataSync() as ArrayLike<number>;
  throw new SavedModelError('UNSUPPORTED', `a host op read a tensor it did not declare as read (backend '${engine().backendName}')`);
}

export function hostOpNames(): string[] {
  return [...HANDLERS.keys()].sort();
}

export function hasHostOp(op: string): boolean {
  return HANDLERS.has(op);
}

export function hostFail(node: HostNode, code: 'INVALID_ARGUMENT' | 'UNSUPPORTED' | 'NOT_FOUND' | 'INVALID_GRAPH' | 'LIMIT_EXCEEDED', msg: string): never {
  throw new SavedModelError(code, `op ${node.op} (${node.where}): ${msg}`, { key: node.def.name ?? node.op });
}

/** A table: keys as strings (bytes as latin1) or numbers, values as numbers or byte strings. */
export interface HostTable {
  keyDtype: number;
  valueDtype: number;
  map: Map<string | number, number | Uint8Array>;
  /** HashTable (filled once by an initializer) vs MutableHashTable. */
  mutable: boolean;
  initialized: boolean;
}

/** State of one loaded SavedModel: variable values, tables, asset files. */
export class ResourceStore {
  readonly vars = new Map<string, Tensor>();
  readonly tables = new Map<string, HostTable>();

  constructor(
    /** Asset files by the path the loader feeds for them ("assets/vocab.txt"). */
    readonly assets: Map<string, Uint8Array>,
    /** Initial value of a variable (checkpoint); throws NOT_FOUND when there is none. */
    private readonly initialValue: (variable: string) => HostTensor,
    /** Top-level resource-creating NodeDefs by name. */
    private readonly creators: Map<string, tensorflow.INodeDef>,
  ) {}

  readVariable(name: string): Tensor {
    let t = this.vars.get(name);
    if (!t) {
      t = keep(hostToTensor(this.initialValue(name), `variable ${name}`));
      this.vars.set(name, t);
    }
    return t;
  }

  writeVariable(name: string, value: Tensor): void {
    const old = this.vars.get(name);
    this.vars.set(name, keep(clone(value)));
    old?.dispose();
  }

  table(name: string, node: HostNode): HostTable {
    let t = this.tables.get(name);
    if (!t) {
      const def = this.creators.get(name);
      if (!def) hostFail(node, 'INVALID_GRAPH', `table ${name} is not created in the top-level graph`);
      const op = def.op ?? '';
      t = {
        keyDtype: def.attr?.key_dtype?.type ?? DT.DT_STRING,
        valueDtype: def.attr?.value_dtype?.type ?? DT.DT_INT64,
        map: new Map(),
        mutable: op.startsWith('Mutable'),
        initialized: false,
      };
      this.tables.set(name, t);
    }
    return t;
  }

  dispose(): void {
    for (const t of this.vars.values()) t.dispose();
    this.vars.clear();
    this.tables.clear();
  }
}

/** The host nodes of one frozen graph, bound to a store. */
export class HostProgram {
  readonly id: number;
  constructor(readonly nodes: Map<string, HostNode>, readonly store: ResourceStore) {
    this.id = nextProgramId++;
    PROGRAMS.set(this.id, this);
  }

  dispose(): void {
    PROGRAMS.delete(this.id);
  }
}

let nextProgramId = 1;
const PROGRAMS = new Map<number, HostProgram>();
let registered = false;

function runHostNode(gn: GraphNode): Tensor[] | Promise<Tensor[]> {
  const { name, attrs } = rawNode(gn);
  const program = PROGRAMS.get(rawInt(attrs.program, 0));
  if (!program) throw new SavedModelError('INVALID_ARGUMENT', `host op ${name} belongs to a disposed or unknown model`);
  const node = program.nodes.get(name);
  if (!node) throw new SavedModelError('INVALID_GRAPH', `host op ${name} is not in its program`);
  const entry = HANDLERS.get(node.op);
  if (!entry) hostFail(node, 'UNSUPPORTED', 'no host implementation');
  const inputs = gn.inputs.slice(0, node.nData);
  const ctx = { inputs, node, store: program.store };
  if (!entry.readsValues) return entry.handler(ctx);
  return withHostValues(`op ${node.op} (${node.where})`, node.def.name ?? node.op, inputs, () => entry.handler(ctx));
}

/** Register `_SmjsHost` with tfjs-converter (once per process). */
export function ensureHostOpRegistered(): void {
  if (registered) return;
  registerOp(HOST_OP, runHostNode);
  registered = true;
}

// ---- conversions shared by the handlers ----

function checkedInt32(values: ArrayLike<number | bigint>, what: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (!(n <= 2147483647 && n >= -2147483648) || (typeof v === 'bigint' && BigInt(n) !== v)) {
      throw new SavedModelError('UNSUPPORTED', `${what} holds ${String(v)}, which does not fit TensorFlow.js int32`, { key: what });
    }
    out[i] = n;
  }
  return out;
}

/** A host value as a TensorFlow.js tensor (the dtype mapping of tfjs-model.ts; int64 range-checked). */
export function hostToTensor(h: HostTensor, what: string): Tensor {
  const v = h.values;
  switch (h.dtype) {
    case DT.DT_STRING: return tensor(v as Uint8Array[], h.shape, 'string');
    case DT.DT_FLOAT: case DT.DT_DOUBLE: return tensor(Float32Array.from(v as Float32Array), h.shape, 'float32');
    case DT.DT_BOOL: return tensor(Uint8Array.from(v as Uint8Array), h.shape, 'bool');
    case DT.DT_INT32: case DT.DT_INT64: case DT.DT_UINT8: case DT.DT_INT8: case DT.DT_INT16: case DT.DT_UINT16: case DT.DT_UINT32: case DT.DT_UINT64:
      return tensor(checkedInt32(v as ArrayLike<number | bigint>, what), h.shape, 'int32');
    default:
      throw new SavedModelError('UNSUPPORTED', `${what} has dtype ${dtypeName(h.dtype)}, which the host ops cannot hold`, { key: what });
  }
}

/** Values of numbers (any numeric TF dtype) as a tensor of the dtype TensorFlow.js runs `dtype` as. */
export function numbersToTensor(values: ArrayLike<number | bigint>, shape: number[], dtype: number, what: string): Tensor {
  if (dtype === DT.DT_FLOAT || dtype === DT.DT_DOUBLE || dtype === DT.DT_HALF || dtype === DT.DT_BFLOAT16) {
    return tensor(Float32Array.from(values as ArrayLike<number>, Number), shape, 'float32');
  }
  if (dtype === DT.DT_BOOL) return tensor(Uint8Array.from(values as ArrayLike<number>, (x) => (x ? 1 : 0)), shape, 'bool');
  return tensor(checkedInt32(values, what), shape, 'int32');
}

export function stringsToTensor(values: Uint8Array[], shape: number[]): Tensor {
  return tensor(values, shape, 'string');
}

/** Byte strings of a string tensor, exactly (dataSync() would decode them as UTF-8). */
export function tensorBytes(t: Tensor): Uint8Array[] {
  const d = engine().readSync(t.dataId) as unknown as ArrayLike<Uint8Array | string>;
  const enc = new TextEncoder();
  return Array.from(d, (x) => (typeof x === 'string' ? enc.encode(x) : x));
}

export function attrInt(def: tensorflow.INodeDef, name: string, dflt = 0): number {
  const a = def.attr?.[name];
  return a?.i !== undefined && a.i !== null ? toNumber(a.i) : dflt;
}

export function attrType(def: tensorflow.INodeDef, name: string): number {
  return def.attr?.[name]?.type ?? 0;
}

// ---- control dependencies and the init program ----

// After(x, ^deps…): x, once the deps have run (control dependencies of ordinary ops).
defineHostOp(['After'], ({ inputs }) => [clone(inputs[0]!)]);
// Group(^deps…): a token once every dep has run (init ops, fetch targets).
defineHostOp(['Group', 'NoOp'], () => [scalar(true, 'bool')]);
