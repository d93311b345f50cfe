// Which ops a tfjs graph model may hold so that it loads in any TensorFlow.js app: those stock
// tfjs-converter maps (tfjs-converter-ops.gen.json, generated from its op lists by
// scripts/gen-op-registry.mjs and checked in CI). Anything else loads, then fails on its first run
// ("Unknown op …") in the user's app, unless that app registers the op with tf.registerOp;
// tensorflowjs_converter refuses such graphs unless told --skip_op_check, and so do we. The few
// TF ops @savedmodel-js/runtime registers under their own names (gradient kernels, Conv3DTranspose's
// Conv3DBackpropInputV2) pass: the model runs in an app that imports the runtime.
import { SavedModelError } from '@savedmodel-js/core';
import { TF_OPS_REGISTERED_BY_RUNTIME, type FrozenGraph } from '@savedmodel-js/runtime';
import stockOps from './tfjs-converter-ops.gen.json';

const STOCK: ReadonlySet<string> = new Set([...(stockOps as { ops: string[] }).ops, ...TF_OPS_REGISTERED_BY_RUNTIME]);

/** Ops of `g` (its functions included) stock tfjs-converter does not map, each with its first nodes. */
export function nonStockOps(g: Pick<FrozenGraph, 'nodes' | 'functions'>): Map<string, string[]> {
  const functions = new Set(g.functions.map((f) => f.signature?.name ?? ''));
  const found = new Map<string, string[]>();
  const visit = (nodes: readonly { name?: string | null; op?: string | null }[] | null | undefined, where: string) => {
    for (const n of nodes ?? []) {
      const op = n.op ?? '';
      if (STOCK.has(op) || functions.has(op)) continue;
      const list = found.get(op) ?? [];
      if (list.length < 3) list.push(`${where}${n.name ?? ''}`);
      found.set(op, list);
    }
  };
  visit(g.nodes, '');
  for (const f of g.functions) visit(f.node_def, `${f.signature?.name ?? ''}/`);
  return found;
}

/** Throws UNSUPPORTED naming the ops (and nodes) stock TensorFlow.js cannot run. */
export function checkStockOps(g: Pick<FrozenGraph, 'nodes' | 'functions'>): void {
  const bad = nonStockOps(g);
  if (bad.size === 0) return;
  const list = [...bad].map(([op, nodes]) => `${op} (node ${nodes.map((n) => JSON.stringify(n)).join(', ')})`).join('; ');
  const first = [...bad.values()][0]![0]!;
  throw new SavedModelError(
    'UNSUPPORTED',
    `the graph holds ops stock TensorFlow.js cannot run: ${list}. A tfjs graph model with them loads but fails on its first run; pass skipOpCheck (CLI: --skip_op_check) to write it for an app that registers them with tf.registerOp`,
    { key: first },
  );
}
