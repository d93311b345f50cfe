// TF 2.21's op registry (op-registry-2.21.gen.json, 1563 OpDefs, docs and full types stripped),
// for checking graphs others wrote: verify imports it on demand to tell an op or attr that only a
// TensorFlow newer than 2.2 knows from one no TensorFlow knows, and to type-check attrs added
// after 2.2 (e.g. SparseSegmentSum's Tsegmentids). It is never bundled into export or load:
// what we EMIT stays checked against the TF 2.2 table (op-registry.ts).
import { SavedModelError } from '../errors.js';
import { tensorflow } from '../proto/index.js';
import { type CompactOp, type CompactRegistry, REGISTRY_FORMAT, expandOp } from './op-registry-format.js';

/** Synchronous OpDef lookup in the TF 2.21 table (shared, read-only objects). */
export type OpDefLookup = (name: string) => tensorflow.OpDef | undefined;

let loading: Promise<OpDefLookup> | null = null;

/** Loads the TF 2.21 table (once) and returns its lookup. */
export function loadNewestOpRegistry(): Promise<OpDefLookup> {
  loading ??= import('./op-registry-2.21.gen.json').then((m) => {
    const r = ((m as { default?: unknown }).default ?? m) as CompactRegistry;
    if (r.format !== REGISTRY_FORMAT) {
      throw new SavedModelError('UNSUPPORTED', `op registry has format ${String(r.format)}, expected ${REGISTRY_FORMAT}; run node scripts/gen-op-registry.mjs`, { file: 'op-registry-2.21.gen.json' });
    }
    const index = new Map<string, CompactOp>(r.ops.map((op) => [op.n, op]));
    const expanded = new Map<string, tensorflow.OpDef>();
    return (name: string) => {
      let op = expanded.get(name);
      if (op) return op;
      const c = index.get(name);
      if (!c) return undefined;
      op = tensorflow.OpDef.decode(tensorflow.OpDef.encode(expandOp(c)).finish());
      expanded.set(name, op);
      return op;
    };
  }, (e: unknown) => {
    loading = null;
    throw new SavedModelError('IO_ERROR', `cannot load the TF 2.21 op registry: ${e instanceof Error ? e.message : String(e)}`, { file: 'op-registry-2.21.gen.json', cause: e });
  });
  return loading;
}
