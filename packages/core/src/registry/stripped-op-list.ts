// MetaInfoDef.stripped_op_list: the OpDefs (docs stripped) of the ops a graph uses, sorted by
// name, as TF's python meta_graph.stripped_op_list_for_graph builds it.
//
// Which ops count as used (checked on the fixtures):
// - TF <= 2.3 (and TF1): the ops of the top-level nodes, plus, recursively, the ops inside
//   library functions that a node calls *by op name*. Functions called through the `f` attr
//   of StatefulPartitionedCall / PartitionedCall are not followed, so for a TF2 SavedModel
//   only the top-level ops appear (fixtures by TF 2.0.0-beta1, 2.0.0, 2.3.1; TF 1.14).
// - Newer TF (fixtures by 2.10 and 2.14) also follows the `f` attr of
//   (Stateful)PartitionedCall nodes, transitively: option `followCalls`. Functions reachable
//   only in other ways (e.g. keras_cnn's training functions) are not included.
// Library function names themselves are never listed; TF's internal function ops (_Arg,
// _Retval, _ListToArray, _ArrayToList) are skipped; any other op missing from the registry is
// an error, as in TF ("Op X is used by the graph, but is not registered").
import { SavedModelError } from '../errors.js';
import { compareUtf8, tensorflow } from '../proto/index.js';
import { getOpDef } from './op-registry.js';
import { stripOpDocs } from './op-def-to-compact.js';

export interface StrippedOpListOptions {
  /** Also collect ops inside functions called via (Stateful)PartitionedCall `f` (TF >= ~2.4 behaviour). */
  followCalls?: boolean;
  /** What to do with an op that is neither registered nor a library function. Default 'error'. */
  onUnknownOp?: 'error' | 'skip';
  /** OpDef source; default: the bundled registry. */
  lookup?: (name: string) => tensorflow.IOpDef | undefined;
}

const INTERNAL_OPS = new Set(['_Arg', '_Retval', '_ListToArray', '_ArrayToList']);
const CALL_OPS = new Set(['PartitionedCall', 'StatefulPartitionedCall']);

/** Names of the non-function ops a graph uses (unsorted set semantics, returned sorted). */
export function opsUsedByGraphDef(graph: tensorflow.IGraphDef, opts: { followCalls?: boolean } = {}): string[] {
  const fns = new Map<string, tensorflow.IFunctionDef>();
  for (const f of graph.library?.function ?? []) fns.set(f.signature?.name ?? '', f);
  const used = new Set<string>();
  const todo: tensorflow.IFunctionDef[] = [];
  const mark = (op: string) => {
    if (!used.has(op) && fns.has(op)) todo.push(fns.get(op)!);
    used.add(op);
  };
  const process = (node: tensorflow.INodeDef) => {
    const op = node.op ?? '';
    mark(op);
    if (opts.followCalls && CALL_OPS.has(op)) {
      const f = node.attr?.f?.func?.name;
      if (f) mark(f);
    }
  };
  for (const n of graph.node ?? []) process(n);
  while (todo.length) {
    const f = todo.pop()!;
    for (const n of f.node_def ?? []) process(n);
  }
  return [...used].filter((op) => !fns.has(op)).sort(compareUtf8);
}

/** The OpList TF stores in MetaInfoDef.stripped_op_list for this graph. */
export function buildStrippedOpList(graph: tensorflow.IGraphDef, opts: StrippedOpListOptions = {}): tensorflow.OpList {
  const lookup = opts.lookup ?? getOpDef;
  const out: tensorflow.IOpDef[] = [];
  for (const name of opsUsedByGraphDef(graph, opts)) {
    const def = lookup(name);
    if (!def) {
      if (INTERNAL_OPS.has(name) || opts.onUnknownOp === 'skip') continue;
      throw new SavedModelError('INVALID_GRAPH', `op ${name} is used by the graph, but is not in the op registry`, { key: name });
    }
    // a copy, docs stripped (registry entries already have none)
    out.push(stripOpDocs(tensorflow.OpDef.decode(tensorflow.OpDef.encode(def).finish())));
  }
  return tensorflow.OpList.create({ op: out });
}
