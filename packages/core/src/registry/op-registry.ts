// TensorFlow's op registry (OpDefs of about TF 2.2, 1256 ops, from tf/ops.pbtxt; docs stripped),
// generated into op-registry.gen.json by scripts/gen-op-registry.mjs. The table is indexed on
// first use and each OpDef is expanded (to a decoded tensorflow.OpDef) the first time it is
// asked for.
//
// Internal ops whose names start with "_" (_Arg, _Retval, _FusedMatMul, …) are not in the dump.
import { SavedModelError } from '../errors.js';
import { tensorflow } from '../proto/index.js';
import { type CompactOp, type CompactRegistry, REGISTRY_FORMAT, expandOp } from './op-registry-format.js';
import registryJson from './op-registry.gen.json';

const registry = registryJson as unknown as CompactRegistry;
if (registry.format !== REGISTRY_FORMAT) {
  throw new SavedModelError('UNSUPPORTED', `op registry has format ${String(registry.format)}, expected ${REGISTRY_FORMAT}; run node scripts/gen-op-registry.mjs`, {
    file: 'op-registry.gen.json',
  });
}

/** Where the table came from: "tf/ops.pbtxt sha256:<hex> (1256 ops)". */
export const registryVersion: string = `${registry.source} (${registry.count} ops)`;

let index: Map<string, CompactOp> | null = null;
const expanded = new Map<string, tensorflow.OpDef>();

function getIndex(): Map<string, CompactOp> {
  if (!index) {
    index = new Map();
    for (const op of registry.ops) index.set(op.n, op);
  }
  return index;
}

/**
 * The registered OpDef (docs stripped), or undefined for an unknown op. The object is shared:
 * treat it as read-only (clone with tensorflow.OpDef.decode(tensorflow.OpDef.encode(x).finish())).
 */
export function getOpDef(name: string): tensorflow.OpDef | undefined {
  let op = expanded.get(name);
  if (op) return op;
  const c = getIndex().get(name);
  if (!c) return undefined;
  // through the wire format, so the object looks exactly like a decoded message
  op = tensorflow.OpDef.decode(tensorflow.OpDef.encode(expandOp(c)).finish());
  expanded.set(name, op);
  return op;
}

export function hasOp(name: string): boolean {
  return getIndex().has(name);
}

/** Names of all registered ops, sorted. */
export function registeredOpNames(): string[] {
  return registry.ops.map((o) => o.n);
}

/**
 * Output arg names of an op (what FunctionDef inputs "node:<out_arg>:i" refer to), in order;
 * undefined for an op the registry does not know.
 */
export function outputArgNames(op: string | tensorflow.IOpDef): string[] | undefined {
  const def = typeof op === 'string' ? getOpDef(op) : op;
  if (!def) return undefined;
  return (def.output_arg ?? []).map((a) => a.name ?? '');
}
