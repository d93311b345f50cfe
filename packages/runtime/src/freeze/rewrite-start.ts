// The start every rewrite of tf-semantics.ts shares: the node's own name reserved for the node
// that will give its (first) output, its NodeOut cached before its inputs are resolved (TF1 loops
// are cyclic: an input may lead back to this node), the data inputs resolved, and the node's
// control dependencies put in front of its first input.
import type { tensorflow } from '@savedmodel-js/core';
import { after, controlDeps } from './control-deps.js';
import type { Freezer } from './freezer.js';
import type { NodeOut, Scope, Step } from './model.js';

export interface RewriteStart<O extends NodeOut> {
  /** The node's name in the frozen graph. */
  name: string;
  /** What the node resolves to (a 'values' one starts empty, for the rewrite to fill). */
  out: O;
  /** The resolved data inputs, the first behind the node's control dependencies. */
  inputs: string[];
  /** Whether the node had control dependencies (then inputs[0] is their After). */
  hadDeps: boolean;
}

export function startRewrite(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[], kind: 'emitted'): Step<RewriteStart<{ kind: 'emitted'; name: string }>>;
export function startRewrite(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[], kind: 'values'): Step<RewriteStart<Extract<NodeOut, { kind: 'values' }>>>;
export function* startRewrite(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[], kind: 'emitted' | 'values'): Step<RewriteStart<NodeOut>> {
  const name = fz.allocate(scope.prefix + (node.name ?? ''), scope.kind === 'graph');
  const out: NodeOut = kind === 'emitted' ? { kind, name } : { kind, vals: [] };
  scope.cache.set(node.name ?? '', out);
  const resolved: string[] = [];
  for (const r of inputs) resolved.push(yield* fz.resolveTensor(scope, node, r));
  const deps = yield* controlDeps(fz, scope, node);
  if (deps.length > 0 && resolved.length > 0) resolved[0] = after(fz, resolved[0]!, deps, name);
  return { name, out, inputs: resolved, hadDeps: deps.length > 0 };
}
