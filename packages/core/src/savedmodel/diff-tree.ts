// Structural pairing of two object graphs (SavedObjectGraph, or the checkpoint's
// TrackableObjectGraph) for diffSavedModels. Node ids are not compared: nodes are paired
// by walking both graphs from the root (node 0) along children with the same local_name,
// then along slot-variable references (same slot name on paired variables), so two graphs
// that number their nodes differently compare equal exactly when their structure maps.
import { tensorflow } from '../proto/index.js';
import { ABSENT, Collector, compareStrings, key, sortedUnion } from './diff-render.js';

type ObjectReference = tensorflow.TrackableObjectGraph.TrackableObject.IObjectReference;
type SlotReference = tensorflow.TrackableObjectGraph.TrackableObject.ISlotVariableReference;

export interface TreeNode {
  children?: ObjectReference[] | null;
  slot_variables?: SlotReference[] | null;
  dependencies?: ObjectReference[] | null;
}

export interface NodePair {
  a: number;
  b: number;
  /** Slash-joined local names from the root; '' for the root. */
  path: string;
}

export interface TreePairing {
  pairs: NodePair[];
  a2b: Map<number, number>;
  b2a: Map<number, number>;
  /** Display path of a node of A (B): the paired path, else the first path that reaches it, else `#id`. */
  showA(id: number): string;
  showB(id: number): string;
}

export function showPath(p: string): string {
  return p === '' ? '(root)' : p;
}

function childMap(refs: readonly ObjectReference[] | null | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of refs ?? []) {
    const name = r.local_name ?? '';
    if (!m.has(name)) m.set(name, r.node_id ?? 0);
  }
  return m;
}

function join(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

function slotPath(variable: string, owner: string, slot: string): string {
  return `${showPath(variable)}/.OPTIMIZER_SLOT/${showPath(owner)}/${slot}`;
}

/** First path (breadth-first, children by name) to every node reachable from the root. */
function ownPaths<N extends TreeNode>(nodes: readonly N[]): Map<number, string> {
  const paths = new Map<number, string>();
  if (nodes.length === 0) return paths;
  paths.set(0, '');
  const queue = [0];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const n = nodes[id];
    if (!n) continue;
    const p = paths.get(id)!;
    const next: [number, string][] = [];
    for (const [name, c] of [...childMap(n.children)].sort((x, y) => compareStrings(x[0], y[0]))) next.push([c, join(p, name)]);
    for (const s of n.slot_variables ?? []) {
      const orig = s.original_variable_node_id ?? 0;
      next.push([s.slot_variable_node_id ?? 0, slotPath(paths.get(orig) ?? `#${orig}`, p, s.slot_name ?? '')]);
    }
    for (const [name, c] of [...childMap(n.dependencies)].sort((x, y) => compareStrings(x[0], y[0]))) next.push([c, join(p, name)]);
    for (const [c, cp] of next) {
      if (c >= 0 && c < nodes.length && !paths.has(c)) {
        paths.set(c, cp);
        queue.push(c);
      }
    }
  }
  return paths;
}

/**
 * Pairs the nodes of two graphs and reports structural differences: children present on
 * one side only (`describe` says what the child is), nodes shared differently (one node
 * reached by two paths in A, two nodes in B), slot variables on one side only, nodes that
 * are unreachable from the root.
 */
export function pairTrees<N extends TreeNode>(
  d: Collector,
  graphPath: string,
  nodesA: readonly N[],
  nodesB: readonly N[],
  describe: (n: N | undefined) => string,
): TreePairing {
  const nodePath = (p: string) => `${graphPath}.nodes${key(showPath(p))}`;
  const a2b = new Map<number, number>(), b2a = new Map<number, number>();
  const pathA = new Map<number, string>(), pathB = new Map<number, string>();
  const pairs: NodePair[] = [];

  const visit = (ia: number, ib: number, path: string) => {
    const ma = a2b.get(ia), mb = b2a.get(ib);
    if (ma === ib) return;
    if (ma !== undefined || mb !== undefined) {
      d.add(
        nodePath(path),
        ma !== undefined ? `same node as '${showPath(pathA.get(ia)!)}'` : 'distinct node',
        mb !== undefined ? `same node as '${showPath(pathB.get(ib)!)}'` : 'distinct node',
        'the node reached by this path is shared with another path in one graph only',
      );
      return;
    }
    const na = nodesA[ia], nb = nodesB[ib];
    if (!na || !nb) {
      if (!na !== !nb) d.add(nodePath(path), na ? describe(na) : `<invalid node id ${ia}>`, nb ? describe(nb) : `<invalid node id ${ib}>`, 'a reference points outside the node list');
      return;
    }
    a2b.set(ia, ib);
    b2a.set(ib, ia);
    pathA.set(ia, path);
    pathB.set(ib, path);
    pairs.push({ a: ia, b: ib, path });
  };

  if (nodesA.length > 0 && nodesB.length > 0) visit(0, 0, '');
  const slotsDone = new Set<number>();
  for (let i = 0; ;) {
    for (; i < pairs.length; i++) {
      const { a, b, path } = pairs[i]!;
      const ca = childMap(nodesA[a]!.children), cb = childMap(nodesB[b]!.children);
      for (const name of sortedUnion(ca.keys(), cb.keys())) {
        const x = ca.get(name), y = cb.get(name);
        const cp = join(path, name);
        if (x !== undefined && y !== undefined) visit(x, y, cp);
        else d.presence(nodePath(cp), x !== undefined ? describe(nodesA[x]) : undefined, y !== undefined ? describe(nodesB[y]) : undefined, 'object');
      }
    }
    // Slot variables hang off the optimizer and name a variable elsewhere in the graph: pair
    // them once the variable itself is paired.
    const before = pairs.length;
    for (let j = 0; j < pairs.length; j++) {
      const { a, b, path } = pairs[j]!;
      if (slotsDone.has(j)) continue;
      const sa = nodesA[a]!.slot_variables ?? [], sb = nodesB[b]!.slot_variables ?? [];
      if (sa.length === 0 && sb.length === 0) { slotsDone.add(j); continue; }
      let all = true;
      for (const s of sa) {
        const origB = a2b.get(s.original_variable_node_id ?? 0);
        if (origB === undefined) { all = false; continue; }
        const t = sb.find((x) => (x.original_variable_node_id ?? 0) === origB && (x.slot_name ?? '') === (s.slot_name ?? ''));
        if (t) visit(s.slot_variable_node_id ?? 0, t.slot_variable_node_id ?? 0, slotPath(pathA.get(s.original_variable_node_id ?? 0)!, path, s.slot_name ?? ''));
      }
      if (all) slotsDone.add(j);
    }
    if (pairs.length === before) break;
  }

  const ownA = ownPaths(nodesA), ownB = ownPaths(nodesB);
  const showA = (id: number) => showPath(pathA.get(id) ?? ownA.get(id) ?? `#${id}`);
  const showB = (id: number) => showPath(pathB.get(id) ?? ownB.get(id) ?? `#${id}`);

  // Slot-variable references and dependencies, now that every pairable node is paired.
  for (const { a, b, path } of pairs) {
    const na = nodesA[a]!, nb = nodesB[b]!;
    // A's references are keyed by B's id of the variable where it is paired, so equal ones meet.
    const sa = new Map<string, string>(), sb = new Map<string, string>();
    for (const s of na.slot_variables ?? []) {
      const orig = s.original_variable_node_id ?? 0, origB = a2b.get(orig);
      sa.set(`${origB ?? `a${orig}`}\0${s.slot_name ?? ''}`, `${key(showA(orig))}${key(s.slot_name ?? '')}`);
    }
    for (const s of nb.slot_variables ?? []) {
      const orig = s.original_variable_node_id ?? 0;
      sb.set(`${orig}\0${s.slot_name ?? ''}`, `${key(showB(orig))}${key(s.slot_name ?? '')}`);
    }
    for (const k of sortedUnion(sa.keys(), sb.keys())) {
      const x = sa.get(k), y = sb.get(k);
      d.presence(`${nodePath(path)}.slot_variables${x ?? y}`, x !== undefined ? 'slot variable' : undefined, y !== undefined ? 'slot variable' : undefined, 'slot variable');
    }
    const da = childMap(na.dependencies), db = childMap(nb.dependencies);
    for (const name of sortedUnion(da.keys(), db.keys())) {
      const x = da.get(name), y = db.get(name);
      const p = `${nodePath(path)}.dependencies${key(name)}`;
      if (x === undefined || y === undefined) d.presence(p, x !== undefined ? showA(x) : undefined, y !== undefined ? showB(y) : undefined, 'dependency');
      else if (a2b.get(x) !== y) d.add(p, showA(x), showB(y), 'dependency on a different object');
    }
  }

  const unreachableA = nodesA.length - ownA.size, unreachableB = nodesB.length - ownB.size;
  if (unreachableA !== unreachableB) {
    d.add(`${graphPath}.unreachable_nodes`, String(unreachableA), String(unreachableB), 'number of nodes not reachable from the root differs');
  }
  if ((nodesA.length === 0) !== (nodesB.length === 0)) {
    d.add(nodePath(''), nodesA.length ? describe(nodesA[0]) : ABSENT, nodesB.length ? describe(nodesB[0]) : ABSENT, 'one graph has no nodes');
  }
  return { pairs, a2b, b2a, showA, showB };
}
