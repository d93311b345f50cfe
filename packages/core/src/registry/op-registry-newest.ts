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
import { opTable, type OpTable } from './op-table.js';
import { getOpDef, isCommonOp, loadOpRegistry, registryVersion } from './op-registry.js';

/** Synchronous OpDef lookup in the TF 2.21 table (shared, read-only objects). */
export type OpDefLookup = (name: string) => tensorflow.OpDef | undefined;

const FILE = 'op-registry-2.21.gen.json';
let loading: Promise<OpDefLookup> | null = null;

/** TF 2.21 OpDefs built so far, by name (the delta and its common part hold the same entries). */
const expanded = new Map<string, tensorflow.OpDef>();

/** The OpDef of `name` in `table`, built once. */
function built(table: OpTable, name: string): tensorflow.OpDef | undefined {
  let op = expanded.get(name);
  if (op) return op;
  const c = table.get(name);
  if (!c) return undefined;
  op = buildOpDef(c);
  expanded.set(name, op);
  return op;
}

/** The imported table `file`, checked to be `part` of the 2.21 table over this TF 2.2 table, with its `list` header. */
function checkedPart(m: unknown, file: string, part: string, list: string): OpTable {
  const table = opTable((m as { default?: unknown }).default ?? m);
  const r = table.header;
  if (r.format !== REGISTRY_FORMAT || r.part !== part || !Array.isArray(r[list]) || !registryVersion.startsWith(`${String(r.base)} `)) {
    throw new SavedModelError('UNSUPPORTED', `op registry ${file} has format ${String(r.format)} / ${String(r.part)} over ${String(r.base)}, expected ${REGISTRY_FORMAT} / ${part} over ${registryVersion}; run node scripts/gen-op-registry.mjs`, { file });
  }
  return table;
}

/** Loads the TF 2.21 table (once; with the whole TF 2.2 table it refers to) and returns its lookup. */
export function loadNewestOpRegistry(): Promise<OpDefLookup> {
  loading ??= Promise.all([import('./op-registry-2.21.gen.json'), loadOpRegistry()]).then(([m]) => {
    // header: part "newest-delta"; base: the source of the TF 2.2 table the delta applies to
    // (registryVersion without the count); same: the ops TF 2.21 defines exactly as TF 2.2 does
    const table = checkedPart(m, FILE, 'newest-delta', 'same');
    const same = new Set(table.header.same as string[]);
    return (name: string) => (same.has(name) ? getOpDef(name) : built(table, name));
  }, (e: unknown) => {
    loading = null;
    throw new SavedModelError('IO_ERROR', `cannot load the TF 2.21 op registry: ${e instanceof Error ? e.message : String(e)}`, { file: FILE, cause: e });
  });
  return loading;
}

const COMMON_FILE = 'op-registry-2.21-common.gen.json';

/** A lookup over the bundled part of the TF 2.21 table, and whether it was asked for anything else. */
export interface PartialOpDefLookup {
  lookup: OpDefLookup;
  /** True once `lookup` was asked for an op it cannot answer as the whole table would. */
  missed(): boolean;
}

let commonPart: Promise<{ table: OpTable; gone: Set<string> }> | null = null;

/**
 * TF 2.21's definitions of the common ops (and of the few newer ops TensorFlow writes into most
 * SavedModels), from op-registry-2.21-common.gen.json (22 KB, bundled into the CLI): for each op it knows it answers
 * as loadNewestOpRegistry()'s lookup does (the same objects for ops 2.21 defines as 2.2 does);
 * asked for any other op it answers undefined and reports the miss, after which the caller must
 * ask the whole table. A graph of common ops is checked without reading either file.
 */
export async function commonNewestLookup(): Promise<PartialOpDefLookup> {
  // imported, not bundled with every use of the registry (export and load never ask for it)
  commonPart ??= import('./op-registry-2.21-common.gen.json').then((m) => {
    const table = checkedPart(m, COMMON_FILE, 'newest-common', 'gone');
    return { table, gone: new Set(table.header.gone as string[]) };
  }, (e: unknown) => {
    commonPart = null;
    throw new SavedModelError('IO_ERROR', `cannot load the op registry: ${e instanceof Error ? e.message : String(e)}`, { file: COMMON_FILE, cause: e });
  });
  const { table, gone } = await commonPart;
  let missed = false;
  const lookup = (name: string): tensorflow.OpDef | undefined => {
    const op = built(table, name);
    if (op) return op;
    // not an op of any table (internal ops, "_…", are in none), as the whole table answers
    if (gone.has(name) || name === '' || name.startsWith('_')) return undefined;
    // a common op 2.21 did not change: 2.2's definition, as the whole table's "same" list gives
    if (isCommonOp(name)) return getOpDef(name);
    missed = true;
    return undefined;
  };
  return { lookup, missed: () => missed };
}
