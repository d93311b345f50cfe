// Default-valued attrs, as TensorFlow handles them when `stripped_default_attrs` is set:
// writers remove every node attr whose value equals the OpDef's default_value
// (python meta_graph.strip_graph_default_valued_attrs), readers/executors put the defaults
// back (C++ AddDefaultsToNodeDef). Applies to graph_def.node and to every
// FunctionDef.node_def; nodes whose op is a library function (or an op the registry does not
// know) are left alone.
import { tensorflow } from '../proto/index.js';
import { getOpDef } from './op-registry.js';

type OpLookup = (name: string) => tensorflow.IOpDef | undefined;

export interface DefaultAttrsOptions {
  /** OpDef source; default: the bundled registry (getOpDef). */
  lookup?: OpLookup;
  /**
   * stripDefaultAttrs: leave node objects unchanged; a node that loses attrs is replaced in its
   * list by a copy without them (for node lists whose node objects other graphs share).
   */
  copyOnWrite?: boolean;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * AttrValue equality as TF's AreAttrValuesEqual: same DataType when either holds a type;
 * tensors compared by encoded bytes (TF compares tensor contents and falls back to bytes; for
 * registry defaults the two agree); func by name and, recursively, its attrs; everything else
 * (same oneof case and value, lists elementwise, shapes) by encoded bytes, which for these
 * map-free messages is exactly value equality.
 */
export function attrValuesEqual(a: tensorflow.IAttrValue, b: tensorflow.IAttrValue): boolean {
  const ta = a.type ?? 0, tb = b.type ?? 0;
  if (ta !== tb) return false;
  if (ta !== 0) return true;
  const hta = a.tensor != null, htb = b.tensor != null;
  if (hta !== htb) return false;
  if (hta) return bytesEqual(tensorflow.TensorProto.encode(a.tensor!).finish(), tensorflow.TensorProto.encode(b.tensor!).finish());
  const hfa = a.func != null, hfb = b.func != null;
  if (hfa !== hfb) return false;
  if (hfa) {
    const fa = a.func!, fb = b.func!;
    if ((fa.name ?? '') !== (fb.name ?? '')) return false;
    const am = fa.attr ?? {}, bm = fb.attr ?? {};
    const ak = Object.keys(am), bk = Object.keys(bm);
    if (ak.length !== bk.length) return false;
    for (const k of bk) {
      const av = am[k], bv = bm[k];
      if (av === undefined || bv === undefined || !attrValuesEqual(av, bv)) return false;
    }
    return true;
  }
  // The common defaults (a bool, a string) without encoding both: each side sets exactly that one field.
  const only = (v: tensorflow.IAttrValue, k: 'b' | 's') => v[k] != null && v.list == null && v.i == null && v.f == null && v.shape == null && v.placeholder == null && (k === 'b' ? v.s == null : v.b == null);
  if (only(a, 'b') && only(b, 'b')) return !!a.b === !!b.b;
  if (only(a, 's') && only(b, 's') && a.s instanceof Uint8Array && b.s instanceof Uint8Array) return bytesEqual(a.s, b.s);
  return bytesEqual(tensorflow.AttrValue.encode(a).finish(), tensorflow.AttrValue.encode(b).finish());
}

interface NodeLike {
  op?: string | null;
  attr?: { [k: string]: tensorflow.IAttrValue } | null;
}

function eachNode(graph: tensorflow.IGraphDef, fn: (node: NodeLike) => void): void {
  for (const n of graph.node ?? []) fn(n);
  for (const f of graph.library?.function ?? []) for (const n of f.node_def ?? []) fn(n);
}

function libraryNames(graph: tensorflow.IGraphDef): Set<string> {
  return new Set((graph.library?.function ?? []).map((f) => f.signature?.name ?? ''));
}

// Per OpDef (registry entries are shared and never change): its attrs that have a default, so a
// big graph's thousands of nodes of one op do not walk the whole attr list each.
const defaultsOf = new WeakMap<tensorflow.IOpDef, readonly (readonly [string, tensorflow.IAttrValue])[]>();

function attrDefaults(opDef: tensorflow.IOpDef): readonly (readonly [string, tensorflow.IAttrValue])[] {
  let d = defaultsOf.get(opDef);
  if (!d) {
    d = (opDef.attr ?? []).filter((a) => !!a.default_value).map((a) => [a.name ?? '', a.default_value!] as const);
    defaultsOf.set(opDef, d);
  }
  return d;
}

const copyAttrValue = (v: tensorflow.IAttrValue): tensorflow.AttrValue => tensorflow.AttrValue.decode(tensorflow.AttrValue.encode(v).finish());

const sharedDefaultsOf = new WeakMap<tensorflow.IOpDef, readonly (readonly [string, tensorflow.IAttrValue])[]>();

/**
 * attrDefaults with each value a copy made once per OpDef and frozen: for graphs that are only
 * read (the runtime's frozen graphs), where every node leaving an attr out can share its default
 * instead of a copy each (what addNodeDefaultAttrs gives a node it may change).
 */
export function sharedAttrDefaults(opDef: tensorflow.IOpDef): readonly (readonly [string, tensorflow.IAttrValue])[] {
  let d = sharedDefaultsOf.get(opDef);
  if (!d) {
    d = attrDefaults(opDef).map(([name, value]) => [name, Object.freeze(copyAttrValue(value))] as const);
    sharedDefaultsOf.set(opDef, d);
  }
  return d;
}

/** Remove the attrs of one node that equal its OpDef's defaults. Returns the removed names. */
export function stripNodeDefaultAttrs(node: NodeLike, opDef: tensorflow.IOpDef): string[] {
  const removed: string[] = [];
  const attrs = node.attr;
  if (!attrs) return removed;
  for (const [name, value] of attrDefaults(opDef)) {
    const v = attrs[name];
    if (v === undefined) continue;
    if (attrValuesEqual(v, value)) {
      delete attrs[name];
      removed.push(name);
    }
  }
  return removed;
}

/** Add the OpDef's default for every attr the node does not set. Returns the added names. */
export function addNodeDefaultAttrs(node: NodeLike, opDef: tensorflow.IOpDef): string[] {
  const added: string[] = [];
  for (const def of opDef.attr ?? []) {
    const name = def.name ?? '';
    if (!def.default_value) continue;
    // decoded messages without attrs share a frozen empty object: give the node its own map
    if (!node.attr || Object.isFrozen(node.attr)) node.attr = { ...(node.attr ?? {}) };
    const attrs = node.attr;
    if (Object.prototype.hasOwnProperty.call(attrs, name)) continue;
    attrs[name] = copyAttrValue(def.default_value);
    added.push(name);
  }
  return added;
}

function forEachRegisteredNode(graph: tensorflow.IGraphDef, opts: DefaultAttrsOptions, fn: (node: NodeLike, def: tensorflow.IOpDef) => void): void {
  const lookup = opts.lookup ?? getOpDef;
  const fns = libraryNames(graph);
  eachNode(graph, (node) => {
    const op = node.op ?? '';
    if (fns.has(op)) return; // a call of a library function: no OpDef
    const def = lookup(op);
    if (def) fn(node, def);
  });
}

/**
 * Remove default-valued attrs from every node of the graph and its function library (in place,
 * or with `copyOnWrite` by replacing the nodes concerned), as TF does before writing a SavedModel
 * with stripped_default_attrs = true. Returns the number of attrs removed.
 */
export function stripDefaultAttrs(graph: tensorflow.IGraphDef, opts: DefaultAttrsOptions = {}): number {
  const lookup = opts.lookup ?? getOpDef;
  const fns = libraryNames(graph);
  // per op, looked up once: its defaulted attrs (null: a library function or an unknown op)
  const perOp = new Map<string, readonly (readonly [string, tensorflow.IAttrValue])[] | null>();
  let n = 0;
  const strip = (nodes: NodeLike[]) => {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      const op = node.op ?? '';
      let defaults = perOp.get(op);
      if (defaults === undefined) {
        const def = fns.has(op) ? undefined : lookup(op);
        defaults = def ? attrDefaults(def) : null;
        perOp.set(op, defaults);
      }
      const attrs = node.attr;
      if (!defaults || !attrs) continue;
      let drop: string[] | undefined;
      for (const [name, value] of defaults) {
        const v = attrs[name];
        if (v !== undefined && attrValuesEqual(v, value)) (drop ??= []).push(name);
      }
      if (!drop) continue;
      n += drop.length;
      if (!opts.copyOnWrite) {
        for (const name of drop) delete attrs[name];
        continue;
      }
      // a new attr map without them (built, not deleted from: it stays a fast-properties object)
      const kept: { [k: string]: tensorflow.IAttrValue } = {};
      for (const k of Object.keys(attrs)) if (!drop.includes(k)) kept[k] = attrs[k]!;
      const copy = Object.assign(Object.create(Object.getPrototypeOf(node) as object | null) as NodeLike, node);
      copy.attr = kept;
      nodes[i] = copy;
    }
  };
  if (graph.node) strip(graph.node);
  for (const f of graph.library?.function ?? []) if (f.node_def) strip(f.node_def);
  return n;
}

/**
 * Put back every attr that has a default in the OpDef and is missing (in place): what a reader
 * or executor does with a graph written with stripped_default_attrs = true.
 * Returns the number of attrs added.
 */
export function addDefaultAttrs(graph: tensorflow.IGraphDef, opts: DefaultAttrsOptions = {}): number {
  let n = 0;
  forEachRegisteredNode(graph, opts, (node, def) => {
    n += addNodeDefaultAttrs(node, def).length;
  });
  return n;
}
