// TF 2.21's op registry (op-registry-2.21.gen.json, 1563 OpDefs, docs and full types stripped),
// for checking graphs others wrote: verify imports it on demand to tell an op or attr that only a
// TensorFlow newer than 2.2 knows from one no TensorFlow knows, and to type-check attrs added
// after 2.2 (e.g. SparseSegmentSum's Tsegmentids), and convert imports it when a graph model has
// attrs TF 2.2 does not declare (to drop those at their default). It is never bundled into export
// or load: what we EMIT stays checked against the TF 2.2 table (op-registry.ts).
// The file is a delta on TF 2.2's table: the ops added or changed since in full, and the names of
// those 2.21 defines exactly as 2.2 does, which are looked up in the 2.2 table.
import { SavedModelError } from '../errors.js';
import { tensorflow } from '../proto/index.js';
import { buildOpDef } from './op-def-from-compact.js';
import { REGISTRY_FORMAT } from './op-registry-format.js';
import { opTable } from './op-table.js';
import { getOpDef, loadOpRegistry, registryVersion } from './op-registry.js';

/** Synchronous OpDef lookup in the TF 2.21 table (shared, read-only objects). */
export type OpDefLookup = (name: string) => tensorflow.OpDef | undefined;

const FILE = 'op-registry-2.21.gen.json';
let loading: Promise<OpDefLookup> | null = null;

/** Loads the TF 2.21 table (once; with the whole TF 2.2 table it refers to) and returns its lookup. */
export function loadNewestOpRegistry(): Promise<OpDefLookup> {
  loading ??= Promise.all([import('./op-registry-2.21.gen.json'), loadOpRegistry()]).then(([m]) => {
    // header: part "newest-delta"; base: the source of the TF 2.2 table the delta applies to
    // (registryVersion without the count); same: the ops TF 2.21 defines exactly as TF 2.2 does
    const table = opTable((m as { default?: unknown }).default ?? m);
    const r = table.header;
    if (r.format !== REGISTRY_FORMAT || r.part !== 'newest-delta' || !Array.isArray(r.same) || !registryVersion.startsWith(`${String(r.base)} `)) {
      throw new SavedModelError('UNSUPPORTED', `op registry ${FILE} has format ${String(r.format)} / ${String(r.part)} over ${String(r.base)}, expected ${REGISTRY_FORMAT} / newest-delta over ${registryVersion}; run node scripts/gen-op-registry.mjs`, { file: FILE });
    }
    const same = new Set(r.same as string[]);
    const expanded = new Map<string, tensorflow.OpDef>();
    return (name: string) => {
      if (same.has(name)) return getOpDef(name);
      let op = expanded.get(name);
      if (op) return op;
      const c = table.get(name);
      if (!c) return undefined;
      op = buildOpDef(c);
      expanded.set(name, op);
      return op;
    };
  }, (e: unknown) => {
    loading = null;
    throw new SavedModelError('IO_ERROR', `cannot load the TF 2.21 op registry: ${e instanceof Error ? e.message : String(e)}`, { file: FILE, cause: e });
  });
  return loading;
}
