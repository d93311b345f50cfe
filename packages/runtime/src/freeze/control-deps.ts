// Control dependencies: a control input stands for the frozen nodes it must wait for (NoOps flattened,
// constants left out, a call's control_ret and outputs included); After host nodes carry them.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { emitHost } from './host-nodes.js';
import type { Scope, Step, Val } from './model.js';

/** Frozen names a control input `^name` of `scope` stands for (NoOps flattened, constants left out). */
export function* controlTargets(fz: Freezer, scope: Scope, name: string): Step<string[]> {
  const node = scope.nodes.get(name);
  if (!node) fz.fail('INVALID_GRAPH', `${scope.where} has a control input on missing node '${name}'`);
  if (node.op === 'NoOp') {
    const key = `^${name}`;
    const have = scope.cache.get(key);
    if (have?.kind === 'values') return have.vals.map((v) => (v as { ref: string }).ref);
    scope.cache.set(key, { kind: 'values', vals: [] }); // a cycle through NoOps ends here
    const out: string[] = [];
    for (const i of node.input ?? []) if (i.startsWith('^')) out.push(...(yield* controlTargets(fz, scope, i.slice(1))));
    const uniq = [...new Set(out)];
    scope.cache.set(key, { kind: 'values', vals: uniq.map((ref) => ({ t: 'tensor', ref })) });
    return uniq;
  }
  if (scope.kind === 'graph') {
    // A control dependency on a fed tensor's node (e.g. `^input` on the signature's Placeholder) is the feed
    const fed = [...fz.feeds.entries()].filter(([k]) => k.slice(0, k.lastIndexOf(':')) === name).map(([, v]) => v.split(':')[0]!);
    if (fed.length > 0) return fed.filter((n) => !fz.constants.has(n));
  }
  const out = yield* fz.need(scope, node);
  const notConst = (ref: string): string[] => {
    const n = ref.split(':')[0]!;
    return fz.constants.has(n) ? [] : [n];
  };
  switch (out.kind) {
    case 'emitted': return notConst(out.name);
    case 'values': return out.vals.flatMap((v) => (v.t === 'tensor' ? notConst(v.ref) : []));
    case 'call': {
      const deps: string[] = [];
      for (const n of out.controlRets) deps.push(...(yield* controlTargets(fz, out.child, n)));
      for (let i = 0; i < out.rets.length; i++) {
        const v = (yield { t: 'callOut', call: out, i }) as Val;
        if (v.t === 'tensor') deps.push(...notConst(v.ref));
      }
      return [...new Set(deps)];
    }
  }
}

/** Whether a node has control inputs (most have none: controlDeps then returns at once, emitNode keeps its input list). */
export function hasControlInputs(node: tensorflow.INodeDef): boolean {
  const inputs = node.input;
  if (!inputs) return false;
  for (let i = inputs.length - 1; i >= 0; i--) if (inputs[i]!.charCodeAt(0) === 94 /* ^ */) return true;
  return false;
}

export function* controlDeps(fz: Freezer, scope: Scope, node: tensorflow.INodeDef): Step<string[]> {
  if (!hasControlInputs(node)) return [];
  const deps: string[] = [];
  for (const i of node.input ?? []) if (i.startsWith('^')) deps.push(...(yield* controlTargets(fz, scope, i.slice(1))));
  return [...new Set(deps)];
}

/** `ref`, once `deps` have run: an After host node when there are any. */
export function after(fz: Freezer, ref: string, deps: string[], near: string): string {
  if (deps.length === 0) return ref;
  const name = fz.allocate(`${near}/after`, false);
  emitHost(fz, name, { op: 'After', def: { name, op: 'After' }, nData: 1, where: near }, [ref], deps);
  return name;
}
