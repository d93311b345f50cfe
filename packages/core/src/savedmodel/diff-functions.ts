// Pairing the FunctionDefs of two SavedModels for diffSavedModels (diff.ts).
//
// TensorFlow names traced functions `__inference_<name>_<uid>` with a process-global
// counter, so two exports of the same program differ in those numbers. Functions are
// therefore paired by role, not by name: the function a paired object-graph node names,
// the `f` of a top-level node with the same name, the function called by a body node with
// the same name inside an already paired function, … Only functions that no such anchor
// reaches are paired by their name without the uid suffix. The diff then reports pairs
// whose normalized names differ, names paired twice (the pairing must be a bijection) and
// functions left without a partner.
import { tensorflow } from '../proto/index.js';
import { attrFunctionNames, compareStrings } from './diff-render.js';

/** `__inference_foo_123` → `__inference_foo`; backward functions (`…_12_34`) lose both numbers. */
export function normalizeFunctionName(name: string): string {
  const once = name.replace(/_\d+$/, '');
  if (once !== name && /__backward_/.test(name)) return once.replace(/_\d+$/, '');
  return once;
}

function uidOf(name: string): number {
  const m = /_(\d+)$/.exec(name);
  return m ? Number(m[1]) : -1;
}

export interface FunctionConflict {
  /** A's name (or B's, for `side: 'b'`). */
  name: string;
  first: string;
  second: string;
  side: 'a' | 'b';
}

type Library = Map<string, tensorflow.IFunctionDef>;

export function libraryOf(graph: tensorflow.IGraphDef | null | undefined): Library {
  const lib: Library = new Map();
  for (const f of graph?.library?.function ?? []) {
    const name = f.signature?.name ?? '';
    if (!lib.has(name)) lib.set(name, f);
  }
  return lib;
}

export class FunctionPairing {
  readonly a2b = new Map<string, string>();
  readonly b2a = new Map<string, string>();
  readonly conflicts: FunctionConflict[] = [];
  private readonly queue: [string, string][] = [];
  private readonly countA = new Map<string, number>();
  private readonly countB = new Map<string, number>();
  private readonly seenConflicts = new Set<string>();

  constructor(readonly libA: Library, readonly libB: Library) {
    for (const n of libA.keys()) this.countA.set(normalizeFunctionName(n), (this.countA.get(normalizeFunctionName(n)) ?? 0) + 1);
    for (const n of libB.keys()) this.countB.set(normalizeFunctionName(n), (this.countB.get(normalizeFunctionName(n)) ?? 0) + 1);
  }

  /** Record that `a` and `b` play the same role. */
  pair(a: string | null | undefined, b: string | null | undefined): void {
    if (!a || !b) return;
    const pa = this.a2b.get(a), pb = this.b2a.get(b);
    if (pa === b) return;
    if (pa !== undefined) { this.addConflict({ name: a, first: pa, second: b, side: 'a' }); return; }
    if (pb !== undefined) { this.addConflict({ name: b, first: pb, second: a, side: 'b' }); return; }
    this.a2b.set(a, b);
    this.b2a.set(b, a);
    this.queue.push([a, b]);
  }

  private addConflict(c: FunctionConflict): void {
    const key = `${c.side}\0${c.name}\0${c.second}`;
    if (!this.seenConflicts.has(key)) {
      this.seenConflicts.add(key);
      this.conflicts.push(c);
    }
  }

  /** Pair the function names that two nodes in the same role refer to (attrs, and the op itself when it is a library function). */
  pairNodes(na: tensorflow.INodeDef, nb: tensorflow.INodeDef): void {
    if (na.op && nb.op && this.libA.has(na.op) && this.libB.has(nb.op)) this.pair(na.op, nb.op);
    const keys = Object.keys(na.attr ?? {}).sort(compareStrings);
    for (const k of keys) {
      const va = na.attr?.[k], vb = nb.attr?.[k];
      if (!va || !vb) continue;
      const fa = attrFunctionNames(va), fb = attrFunctionNames(vb);
      if (fa.length !== fb.length) continue;
      fa.forEach((x, i) => this.pair(x, fb[i]));
    }
  }

  /** Follow call sites inside paired function bodies until nothing new is paired. */
  drain(): void {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      const fa = this.libA.get(next[0]), fb = this.libB.get(next[1]);
      if (!fa || !fb) continue;
      const byName = new Map<string, tensorflow.INodeDef>();
      for (const n of fb.node_def ?? []) if (!byName.has(n.name ?? '')) byName.set(n.name ?? '', n);
      for (const na of fa.node_def ?? []) {
        const nb = byName.get(na.name ?? '');
        if (nb) this.pairNodes(na, nb);
      }
    }
  }

  /** Pair what the anchors left over by normalized name (several of one name: in uid order, if the counts agree). */
  pairLeftoversByName(): void {
    for (;;) {
      const groupsA = new Map<string, string[]>(), groupsB = new Map<string, string[]>();
      for (const n of this.libA.keys()) if (!this.a2b.has(n)) push(groupsA, normalizeFunctionName(n), n);
      for (const n of this.libB.keys()) if (!this.b2a.has(n)) push(groupsB, normalizeFunctionName(n), n);
      let paired = false;
      for (const [norm, as] of [...groupsA].sort((x, y) => compareStrings(x[0], y[0]))) {
        const bs = groupsB.get(norm);
        if (!bs || bs.length !== as.length) continue;
        const byUid = (x: string, y: string) => uidOf(x) - uidOf(y) || compareStrings(x, y);
        as.sort(byUid);
        bs.sort(byUid);
        as.forEach((a, i) => this.pair(a, bs[i]));
        paired = true;
      }
      if (!paired) return;
      this.drain();
    }
  }

  /** Do A's name `a` and B's name `b` refer to the same function? */
  same(a: string | null | undefined, b: string | null | undefined): boolean {
    const x = a ?? '', y = b ?? '';
    const m = this.a2b.get(x);
    if (m !== undefined) return m === y;
    return x === y && !this.b2a.has(y);
  }

  /** A's function name as B would call it, for comparing renderings that contain names. */
  toB = (a: string): string => {
    const m = this.a2b.get(a);
    if (m !== undefined) return m;
    return this.b2a.has(a) ? `\0unpaired:${a}` : a;
  };

  /** How a function of A is shown: without its uid when that name is unique in A's library. */
  labelA = (name: string): string => label(name, this.countA);
  labelB = (name: string): string => label(name, this.countB);

  /** A's and B's names for display side by side: labels, or the full names when the labels would read the same. */
  show(a: string | null | undefined, b: string | null | undefined): [string, string] {
    const x = this.labelA(a ?? ''), y = this.labelB(b ?? '');
    if (x !== y) return [x, y];
    if (a !== b) return [a ?? '', b ?? ''];
    // Same name on both sides, yet not paired with each other: say what each is paired with.
    return [`${a ?? ''} (paired with B's ${this.a2b.get(a ?? '') ?? 'nothing'})`, `${b ?? ''} (paired with A's ${this.b2a.get(b ?? '') ?? 'nothing'})`];
  }
}

function label(name: string, counts: Map<string, number>): string {
  const norm = normalizeFunctionName(name);
  return (counts.get(norm) ?? 0) <= 1 ? norm : name;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
