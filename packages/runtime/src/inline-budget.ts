// How many nodes inlining a signature's functions can produce, bounded before anything is
// emitted: a chain of functions each calling the next twice doubles per level, so depth 40 is
// 2^40 nodes — refused at once (LIMIT_EXCEEDED) instead of running until memory is exhausted.
// Everything here walks with explicit stacks; a function that calls itself is refused.
import { SavedModelError, tensorflow, type Limits } from '@savedmodel-js/core';
import { CALL_OPS, dataInputs } from './variables.js';

/** Calls deeper than this are refused (each level lengthens every inlined node's name). */
export const MAX_CALL_DEPTH = 1024;

const NONE: readonly string[] = Object.freeze([]);

/**
 * Library functions a node calls: a call op's `f`, a library function used as an op, any func
 * attr (names not in `fns` left out). Runs once per node of every reachable body: no array is
 * made for a node that calls nothing (nearly all of them).
 */
function callees(node: tensorflow.INodeDef, fns: Map<string, tensorflow.IFunctionDef>): readonly string[] {
  let out: string[] | undefined;
  const add = (name: string | null | undefined) => { if (name && fns.has(name)) (out ??= []).push(name); };
  const op = node.op ?? '';
  const call = CALL_OPS.has(op);
  add(op);
  const attr = node.attr;
  if (attr) {
    for (const k in attr) {
      const v = attr[k];
      if (!v) continue;
      if (v.func && !(call && k === 'f')) add(v.func.name);
      const list = v.list?.func;
      if (list) for (const f of list) add(f.name);
    }
  }
  if (call) add(attr?.f?.func?.name);
  return out ?? NONE;
}

interface FnCost {
  /** Nodes inlining one call produces (an upper bound: the whole body, every call expanded). */
  nodes: number;
  /** Call nesting depth below and including this function. */
  depth: number;
}

/** Cost of every function reachable from `roots`, computed bottom-up with an explicit stack. */
function functionCosts(roots: string[], fns: Map<string, tensorflow.IFunctionDef>, signatureKey: string): Map<string, FnCost> {
  const cost = new Map<string, FnCost>();
  const onStack = new Set<string>();
  const calls = new Map<string, (readonly string[])[]>();
  for (const root of roots) {
    if (cost.has(root) || !fns.has(root)) continue;
    const stack: Array<{ name: string; pending: string[] }> = [];
    const push = (name: string) => {
      const body = fns.get(name)!.node_def ?? [];
      const perNode = body.map((n) => callees(n, fns));
      calls.set(name, perNode);
      onStack.add(name);
      stack.push({ name, pending: [...new Set(perNode.flat())] });
    };
    push(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.pending.pop();
      if (next !== undefined) {
        if (cost.has(next)) continue;
        if (onStack.has(next)) {
          throw new SavedModelError('UNSUPPORTED', `signature '${signatureKey}': function ${next} calls itself (through ${top.name}); recursive functions cannot be inlined`, { key: signatureKey });
        }
        push(next);
        continue;
      }
      stack.pop();
      onStack.delete(top.name);
      let nodes = 0;
      let depth = 0;
      for (const cs of calls.get(top.name)!) {
        if (cs.length === 0) { nodes += 1; continue; }
        for (const c of cs) {
          const cc = cost.get(c)!;
          nodes += cc.nodes;
          depth = Math.max(depth, cc.depth);
        }
      }
      cost.set(top.name, { nodes, depth: depth + 1 });
    }
  }
  return cost;
}

/**
 * Refuse a signature whose inlined graph could exceed limits.maxNodes or whose calls nest deeper
 * than MAX_CALL_DEPTH: LIMIT_EXCEEDED naming the signature and the size asked.
 */
export function checkInlineBudget(mg: tensorflow.IMetaGraphDef, sig: tensorflow.ISignatureDef, signatureKey: string, limits: Limits): void {
  const fns = new Map<string, tensorflow.IFunctionDef>();
  for (const f of mg.graph_def?.library?.function ?? []) fns.set(f.signature?.name ?? '', f);
  const byName = new Map<string, tensorflow.INodeDef>();
  for (const n of mg.graph_def?.node ?? []) byName.set(n.name ?? '', n);
  const nodeOf = (ref: string) => {
    const r = ref.startsWith('^') ? ref.slice(1) : ref;
    const i = r.lastIndexOf(':');
    return i < 0 ? r : r.slice(0, i);
  };
  const fed = new Set(Object.values(sig.inputs ?? {}).map((t) => nodeOf(t.name ?? '')));
  // top-level nodes the outputs can reach (data edges), not walking past fed nodes
  const reached = new Set<string>();
  const todo = Object.values(sig.outputs ?? {}).map((t) => nodeOf(t.name ?? ''));
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (reached.has(name)) continue;
    const node = byName.get(name);
    if (!node) continue;
    reached.add(name);
    if (fed.has(name)) continue;
    for (const r of dataInputs(node)) todo.push(nodeOf(r));
  }
  const topCalls = [...reached].map((n) => callees(byName.get(n)!, fns));
  const cost = functionCosts([...new Set(topCalls.flat())], fns, signatureKey);
  let nodes = 0;
  let depth = 0;
  let deepest = '';
  for (const cs of topCalls) {
    if (cs.length === 0) { nodes += 1; continue; }
    for (const c of cs) {
      const cc = cost.get(c)!;
      nodes += cc.nodes;
      if (cc.depth > depth) { depth = cc.depth; deepest = c; }
    }
  }
  if (depth > MAX_CALL_DEPTH) {
    throw new SavedModelError('LIMIT_EXCEEDED', `signature '${signatureKey}': function calls nest ${depth} deep from ${deepest}; at most ${MAX_CALL_DEPTH} levels are inlined`, { key: signatureKey });
  }
  if (nodes > limits.maxNodes) {
    const n = nodes < 1e15 ? String(nodes) : nodes.toExponential(2);
    throw new SavedModelError('LIMIT_EXCEEDED', `signature '${signatureKey}': inlining its functions can produce ${n} nodes, over limits.maxNodes = ${limits.maxNodes}`, { key: signatureKey });
  }
}
