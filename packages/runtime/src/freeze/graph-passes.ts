// Passes over the emitted graph at the end of freezing: topological order (cycles only through a TF1
// loop's back edge), TF1 loop sanity, and pruning control dependencies that order no effect.
import { tensorflow } from '@savedmodel-js/core';
import { HOST_OP } from '../host-ops.js';
import { refNodeName } from '../variables.js';
import type { Freezer } from './freezer.js';
import { LOOP_BACK_EDGE, LOOP_MERGE, type FrozenTensorInfo } from './model.js';

/**
 * Emitted nodes, each after the nodes it reads (stable). Every cycle must pass through a
 * Merge reading a NextIteration (a TF1 loop's back edge, not followed here); any other
 * cycle is INVALID_GRAPH, before tfjs-converter's executor would meet it.
 */
export function ordered(fz: Freezer): tensorflow.INodeDef[] {
  const byName = new Map(fz.out.map((n) => [n.name ?? '', n]));
  const state = new Map<string, 1 | 2>();
  const order: tensorflow.INodeDef[] = [];
  const visit = (root: tensorflow.INodeDef) => {
    const stack: Array<[tensorflow.INodeDef, number]> = [[root, 0]];
    state.set(root.name ?? '', 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [n, i] = top;
      const inputs = n.input ?? [];
      if (i < inputs.length) {
        top[1] = i + 1;
        const dep = byName.get(refNodeName(inputs[i] ?? ''));
        if (!dep || (LOOP_MERGE.has(n.op ?? '') && LOOP_BACK_EDGE.has(dep.op ?? ''))) continue;
        const s = state.get(dep.name ?? '');
        if (s === 1) {
          fz.fail('INVALID_GRAPH', `cycle: node ${dep.name} (${dep.op}) depends on its own output through ${n.name} (${n.op}), and the cycle is not a TF1 loop (no NextIteration)`);
        }
        if (s === undefined) {
          state.set(dep.name ?? '', 1);
          stack.push([dep, 0]);
        }
      } else {
        stack.pop();
        state.set(n.name ?? '', 2);
        order.push(n);
      }
    }
  };
  for (const n of fz.out) if (!state.has(n.name ?? '')) visit(n);
  return order;
}

/**
 * Control dependencies only order effects: once reads are folded, a dependency on a node that
 * neither is a host op with an effect nor depends on one is dropped (the node itself stays in
 * the graph, so an op TensorFlow.js cannot run still fails the load). After nodes left without
 * dependencies, and folded variable reads, are then bypassed: their readers take what they forward.
 */
export function pruneControlDeps(fz: Freezer, nodes: tensorflow.INodeDef[], outputs: FrozenTensorInfo[]): tensorflow.INodeDef[] {
  const identities: tensorflow.INodeDef[] = [];
  const effectful = new Set<string>();
  const src = refNodeName;
  for (const n of nodes) {
    const host = n.op === HOST_OP ? fz.hostNodes.get(n.name ?? '') : undefined;
    const own = host !== undefined && host.op !== 'After';
    if (own || (n.input ?? []).some((i) => effectful.has(src(i)))) effectful.add(n.name ?? '');
  }
  for (const n of nodes) {
    const name = n.name ?? '';
    const host = fz.hostNodes.get(name);
    if (n.op === HOST_OP && host?.op === 'After') {
      const deps = (n.input ?? []).slice(1).filter((i) => effectful.has(src(i)));
      if (deps.length > 0) n.input = [n.input![0]!, ...deps];
      else {
        fz.hostNodes.delete(name);
        n.op = 'Identity';
        n.input = [n.input![0]!];
        n.attr = {};
        identities.push(n);
      }
    } else if (n.op !== HOST_OP && (n.input ?? []).some((i) => i.startsWith('^'))) {
      n.input = (n.input ?? []).filter((i) => !i.startsWith('^') || effectful.has(src(i)));
    }
    // a folded read left with nothing to wait for is its Const: readers take the Const itself
    // (an Identity per variable was a node and a tensor copy per weight on every predict)
    if (fz.foldedReads.has(name) && n.input?.length === 1) identities.push(n);
  }
  return bypassIdentities(nodes, identities, outputs);
}

/**
 * After nodes turned Identity carry no dtype (the freezer tracks none), and an Identity without
 * `T` is not a valid NodeDef for TensorFlow (e.g. once written back to a SavedModel by convert):
 * readers are wired to the Identity's input instead; one a signature output names keeps the
 * Identity, typed by that output's dtype.
 */
export function bypassIdentities(nodes: tensorflow.INodeDef[], identities: tensorflow.INodeDef[], outputs: FrozenTensorInfo[]): tensorflow.INodeDef[] {
  if (identities.length === 0) return nodes;
  const outputDtype = new Map(outputs.map((o) => [o.node, o.dtype]));
  const alias = new Map<string, string>();
  for (const n of identities) {
    const name = n.name ?? '';
    const dtype = outputDtype.get(name);
    if (dtype !== undefined) n.attr = { T: { type: dtype } };
    else alias.set(name, aliasedRef(alias, n.input![0]!));
  }
  return rewireAliases(nodes, alias, true);
}

/** A data reference to output 0 of `name` ("name" or "name:0"). */
export const readsOutput0 = (ref: string | undefined, name: string): boolean => ref === name || ref === `${name}:0`;

/**
 * `ref` read through `alias` (an aliased node → the reference it forwards): output 0 of an aliased
 * node is what it forwards, a control input on it one on that reference's node; other outputs and
 * other nodes are left as they are. Aliases made in node order (inputs first) are thereby already
 * resolved through earlier ones: chains cost one lookup.
 */
export function aliasedRef(alias: ReadonlyMap<string, string>, ref: string): string {
  const control = ref.charCodeAt(0) === 94;
  const name = refNodeName(ref);
  const to = alias.get(name);
  if (to === undefined || (!control && !readsOutput0(ref, name))) return ref;
  return control ? `^${refNodeName(to)}` : to;
}

/**
 * `nodes` without the aliased ones (`alias`, resolved as aliasedRef makes them), their readers
 * wired through: a reader whose inputs change is a copy (the list given is not changed) unless
 * `inPlace` (nodes the caller owns: the freezer's), and a control input the rewiring repeats is dropped.
 */
export function rewireAliases(nodes: readonly tensorflow.INodeDef[], alias: ReadonlyMap<string, string>, inPlace = false): tensorflow.INodeDef[] {
  if (alias.size === 0) return [...nodes];
  const out: tensorflow.INodeDef[] = [];
  for (const n of nodes) {
    if (alias.has(n.name ?? '')) continue;
    if (!(n.input ?? []).some((r) => alias.has(refNodeName(r)))) { out.push(n); continue; }
    const input = (n.input ?? []).map((r) => aliasedRef(alias, r));
    const rewired = input.filter((r, i) => !r.startsWith('^') || input.indexOf(r) === i);
    if (inPlace) { n.input = rewired; out.push(n); } else out.push({ ...n, input: rewired });
  }
  return out;
}

/**
 * A TF1 loop's Merge must be read by a Switch on a LoopCond (tf.while_loop's shape): without one
 * the loop could never exit, and tfjs-converter's executor would spin forever.
 */
export function checkLoops(fz: Freezer): void {
  const nodeOf = refNodeName;
  const byName = new Map(fz.out.map((n) => [n.name ?? '', n]));
  const guarded = new Set<string>();
  for (const n of fz.out) {
    if ((n.op === 'Switch' || n.op === 'RefSwitch') && byName.get(nodeOf(n.input?.[1] ?? ''))?.op === 'LoopCond') guarded.add(nodeOf(n.input?.[0] ?? ''));
  }
  for (const n of fz.out) {
    if (!LOOP_MERGE.has(n.op ?? '') || guarded.has(n.name ?? '')) continue;
    if ((n.input ?? []).some((r) => LOOP_BACK_EDGE.has(byName.get(nodeOf(r))?.op ?? ''))) {
      fz.fail('INVALID_GRAPH', `loop at ${n.op} ${n.name} (it reads a NextIteration) is not read by a Switch on a LoopCond, so it could never exit`);
    }
  }
}
