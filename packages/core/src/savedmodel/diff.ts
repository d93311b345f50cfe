// `savedmodel diff A B`: structural comparison of two SavedModels, the check that proves a
// SavedModel we write is equivalent to the one TensorFlow writes for the same program.
//
// Compared: signatures, the top-level graph's nodes (ops, edges, attrs), the object graph
// (paired structurally from the root, so node numbering may differ), concrete-function
// signatures, saver_def, collections, asset files, the checkpoint (keys, dtypes, shapes,
// values, its object graph) and optionally the function bodies. Ignored: the uid suffix of
// function names (`__inference_f_123`; functions are paired by role and their names
// compared without it), TensorFlow version strings, producer numbers, and private `_attr`s.
// Every difference is one {path, a, b, message}; the list is sorted by path.
import { getOpDef } from '../registry/op-registry.js';
import { attrValuesEqual } from '../registry/strip-defaults.js';
import { tensorflow } from '../proto/index.js';
import type { LoadedSavedModel } from './read.js';
import { compareCheckpoints, compareTrackableGraphs, decodeTrackableGraph, type CheckpointDiffOptions } from './diff-checkpoint.js';
import { FunctionPairing, libraryOf, normalizeFunctionName } from './diff-functions.js';
import {
  ABSENT, PRESENT, attrText, boolText, bytesText, Collector, compareStrings, dtypeText, int64, key, listText, sortedUnion, type Difference,
} from './diff-render.js';
import { pairTrees, type TreePairing } from './diff-tree.js';
import { anchorFunctionsInObjects, compareObjects, kindOf } from './diff-objects.js';
import { compareAssetFileDefs, compareCollections, compareSaverDef, compareSignatures } from './diff-meta-parts.js';

export type { Difference } from './diff-render.js';
export { normalizeFunctionName } from './diff-functions.js';

export interface DiffOptions extends CheckpointDiffOptions {
  /** Also compare function bodies: signatures, nodes (ops, inputs, attrs), ret/control_ret (default false). */
  functions?: boolean;
  /** Also compare underscore attrs (`_output_shapes`, …) and `config_proto` (default false). */
  allAttrs?: boolean;
  /** Also compare tensorflow_version / tensorflow_git_version and GraphDef producer numbers (default false). */
  versions?: boolean;
}

/** What the diff reads of a loaded SavedModel. */
export type DiffableSavedModel = Pick<LoadedSavedModel, 'savedModel'> & Partial<Pick<LoadedSavedModel, 'checkpoint' | 'assets'>>;

/** `path: a != b` */
export function formatDifference(d: Difference): string {
  return `${d.path}: ${d.a} != ${d.b}`;
}

export type MetaGraph = tensorflow.IMetaGraphDef;
type Attrs = { [k: string]: tensorflow.IAttrValue } | null | undefined;

export interface Ctx {
  d: Collector;
  /** '' with one meta graph on each side, else `meta_graphs['tags'].` */
  prefix: string;
  options: DiffOptions;
  fp: FunctionPairing;
  mgA: MetaGraph;
  mgB: MetaGraph;
}

function tagKey(m: MetaGraph): string {
  return [...(m.meta_info_def?.tags ?? [])].sort(compareStrings).join(',');
}

/**
 * Compares two SavedModels. Equivalent models give `[]`. `a` and `b` are what
 * readSavedModel returns (only savedModel, checkpoint and assets are read).
 */
export function diffSavedModels(a: DiffableSavedModel, b: DiffableSavedModel, options: DiffOptions = {}): Difference[] {
  const d = new Collector();
  const smA = a.savedModel, smB = b.savedModel;
  d.eq('saved_model_schema_version', int64(smA.saved_model_schema_version), int64(smB.saved_model_schema_version), 'schema version differs');
  const mgsA = smA.meta_graphs ?? [], mgsB = smB.meta_graphs ?? [];
  if (mgsA.length === 1 && mgsB.length === 1) {
    d.eq('meta_info_def.tags', tagKey(mgsA[0]!), tagKey(mgsB[0]!), 'tag sets differ');
    compareMetaGraph(d, '', mgsA[0]!, mgsB[0]!, options);
  } else {
    const byTags = (l: MetaGraph[]) => {
      const m = new Map<string, MetaGraph>();
      for (const g of l) if (!m.has(tagKey(g))) m.set(tagKey(g), g);
      return m;
    };
    const ta = byTags(mgsA), tb = byTags(mgsB);
    for (const t of sortedUnion(ta.keys(), tb.keys())) {
      const x = ta.get(t), y = tb.get(t);
      const p = `meta_graphs${key(t)}`;
      if (!x || !y) d.presence(p, x && PRESENT, y && PRESENT, 'meta graph');
      else compareMetaGraph(d, `${p}.`, x, y, options);
    }
  }
  compareCheckpoints(d, a.checkpoint, b.checkpoint, options);
  if (a.assets && b.assets) {
    const sa = new Set(a.assets), sb = new Set(b.assets);
    for (const f of sortedUnion(sa, sb)) d.presence(`assets${key(f)}`, sa.has(f) ? PRESENT : undefined, sb.has(f) ? PRESENT : undefined, 'asset file');
  }
  const seen = new Set<string>();
  return d.list
    .filter((x) => {
      const k = `${x.path}\0${x.a}\0${x.b}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((x, y) => compareStrings(x.path, y.path) || compareStrings(x.a, y.a) || compareStrings(x.b, y.b));
}

// ---- meta graph ----

function compareMetaGraph(d: Collector, prefix: string, mgA: MetaGraph, mgB: MetaGraph, options: DiffOptions): void {
  const miA = mgA.meta_info_def ?? {}, miB = mgB.meta_info_def ?? {};
  const mp = `${prefix}meta_info_def`;
  d.eq(`${mp}.meta_graph_version`, miA.meta_graph_version ?? '', miB.meta_graph_version ?? '', 'meta_graph_version differs');
  d.eq(`${mp}.stripped_default_attrs`, boolText(miA.stripped_default_attrs), boolText(miB.stripped_default_attrs), 'stripped_default_attrs differs');
  if (options.versions) {
    d.eq(`${mp}.tensorflow_version`, miA.tensorflow_version ?? '', miB.tensorflow_version ?? '', 'TensorFlow version differs');
    d.eq(`${mp}.tensorflow_git_version`, miA.tensorflow_git_version ?? '', miB.tensorflow_git_version ?? '', 'TensorFlow git version differs');
  }
  const opsA = new Set((miA.stripped_op_list?.op ?? []).map((o) => o.name ?? '')), opsB = new Set((miB.stripped_op_list?.op ?? []).map((o) => o.name ?? ''));
  for (const o of sortedUnion(opsA, opsB)) {
    d.presence(`${mp}.stripped_op_list${key(o)}`, opsA.has(o) ? PRESENT : undefined, opsB.has(o) ? PRESENT : undefined, 'op in stripped_op_list');
  }
  const anyText = (x: tensorflow.IMetaGraphDef['meta_info_def']) => (x?.any_info ? `${x.any_info.type_url ?? ''} ${bytesText(x.any_info.value)}` : ABSENT);
  d.eq(`${mp}.any_info`, anyText(miA), anyText(miB), 'any_info differs');

  // Pair objects first (they anchor functions), then functions, then compare everything.
  const ogA = mgA.object_graph_def, ogB = mgB.object_graph_def;
  let tree: TreePairing | undefined;
  if (ogA && ogB) {
    tree = pairTrees(d, `${prefix}object_graph_def`, ogA.nodes ?? [], ogB.nodes ?? [], kindOf);
  } else {
    d.presence(`${prefix}object_graph_def`, ogA ? PRESENT : undefined, ogB ? PRESENT : undefined, 'object graph');
  }

  const fp = new FunctionPairing(libraryOf(mgA.graph_def), libraryOf(mgB.graph_def));
  if (tree) anchorFunctionsInObjects(fp, ogA!, ogB!, tree);
  const nodesB = nodeMap(mgB.graph_def?.node);
  for (const na of mgA.graph_def?.node ?? []) {
    const nb = nodesB.get(na.name ?? '');
    if (nb) fp.pairNodes(na, nb);
  }
  const aliasesA = invert(miA.function_aliases), aliasesB = invert(miB.function_aliases);
  for (const [alias, names] of aliasesA) {
    const other = aliasesB.get(alias);
    if (names.length === 1 && other?.length === 1) fp.pair(names[0], other[0]);
  }
  for (const g of mgA.graph_def?.library?.gradient ?? []) {
    const h = (mgB.graph_def?.library?.gradient ?? []).find((x) => fp.same(g.function_name, x.function_name));
    if (h) fp.pair(g.gradient_func, h.gradient_func);
  }
  fp.drain();
  fp.pairLeftoversByName();

  const ctx: Ctx = { d, prefix, options, fp, mgA, mgB };
  reportFunctionPairing(ctx);
  compareFunctionAliases(ctx, miA.function_aliases ?? {}, miB.function_aliases ?? {});
  compareGraph(ctx);
  compareSaverDef(ctx);
  compareCollections(ctx);
  compareSignatures(ctx);
  compareAssetFileDefs(ctx);
  if (tree) compareObjects(ctx, ogA!, ogB!, tree);
}

function invert(m: { [k: string]: string } | null | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [fn, alias] of Object.entries(m ?? {})) {
    const l = out.get(alias);
    if (l) l.push(fn);
    else out.set(alias, [fn]);
  }
  return out;
}

function nodeMap(nodes: tensorflow.INodeDef[] | null | undefined): Map<string, tensorflow.INodeDef> {
  const m = new Map<string, tensorflow.INodeDef>();
  for (const n of nodes ?? []) if (!m.has(n.name ?? '')) m.set(n.name ?? '', n);
  return m;
}

// ---- functions: pairing report, aliases ----

function reportFunctionPairing({ d, prefix, fp }: Ctx): void {
  const fpath = (label: string) => `${prefix}graph_def.library.function${key(label)}`;
  for (const c of fp.conflicts) {
    if (c.side === 'a') d.add(fpath(fp.labelA(c.name)), c.name, `${c.first} | ${c.second}`, 'function of A is in the role of two different functions of B');
    else d.add(fpath(fp.labelB(c.name)), `${c.first} | ${c.second}`, c.name, 'function of B is in the role of two different functions of A');
  }
  for (const [a, b] of fp.a2b) {
    if (!fp.libA.has(a) || !fp.libB.has(b)) continue;
    d.eq(`${fpath(fp.labelA(a))}.name`, normalizeFunctionName(a), normalizeFunctionName(b), 'functions in the same role have different names (uid suffix ignored)');
  }
  for (const a of fp.libA.keys()) {
    const b = fp.a2b.get(a);
    if (b === undefined || !fp.libB.has(b)) d.add(fpath(fp.labelA(a)), a, ABSENT, 'function only in A');
  }
  for (const b of fp.libB.keys()) {
    const a = fp.b2a.get(b);
    if (a === undefined || !fp.libA.has(a)) d.add(fpath(fp.labelB(b)), ABSENT, b, 'function only in B');
  }
}

function compareFunctionAliases({ d, prefix, fp }: Ctx, fa: { [k: string]: string }, fb: { [k: string]: string }): void {
  const p = `${prefix}meta_info_def.function_aliases`;
  const done = new Set<string>();
  for (const [name, alias] of Object.entries(fa).sort((x, y) => compareStrings(x[0], y[0]))) {
    const other = fp.toB(name);
    done.add(other);
    const oa = fb[other];
    if (oa === undefined) d.add(`${p}${key(fp.labelA(name))}`, alias, ABSENT, 'function alias only in A');
    else d.eq(`${p}${key(fp.labelA(name))}`, alias, oa, 'function alias differs');
  }
  for (const [name, alias] of Object.entries(fb).sort((x, y) => compareStrings(x[0], y[0]))) {
    if (!done.has(name)) d.add(`${p}${key(fp.labelB(name))}`, ABSENT, alias, 'function alias only in B');
  }
}

// ---- graph_def ----

function ignoredAttr(k: string, options: DiffOptions): boolean {
  return !options.allAttrs && (k.startsWith('_') || k === 'config_proto');
}

function defaultAttr(op: string, k: string): tensorflow.IAttrValue | undefined {
  return getOpDef(op)?.attr?.find((x) => x.name === k)?.default_value ?? undefined;
}

function splitInputs(inputs: readonly string[] | null | undefined): { data: string[]; control: string[] } {
  const data: string[] = [], control: string[] = [];
  for (const i of inputs ?? []) (i.startsWith('^') ? control : data).push(i);
  return { data, control: control.sort(compareStrings) };
}

function compareAttrMaps(ctx: Ctx, path: string, op: string | undefined, aa: Attrs, ab: Attrs): void {
  const { d, fp, options } = ctx;
  const ma = aa ?? {}, mb = ab ?? {};
  for (const k of sortedUnion(Object.keys(ma), Object.keys(mb))) {
    if (ignoredAttr(k, options)) continue;
    const va = ma[k], vb = mb[k];
    const p = `${path}.attr${key(k)}`;
    if (!va || !vb) {
      // An attr left out equals the op's default (stripped_default_attrs).
      const def = op ? defaultAttr(op, k) : undefined;
      const present = (va ?? vb)!;
      if (def && attrValuesEqual(present, def)) continue;
      d.add(p, va ? attrText(va, fp.labelA) : ABSENT, vb ? attrText(vb, fp.labelB) : ABSENT, `attr only in ${va ? 'A' : 'B'}`);
      continue;
    }
    if (attrText(va, fp.toB) === attrText(vb)) continue;
    if (op === 'Const' && k === 'value' && va.tensor?.dtype === tensorflow.DataType.DT_STRING && vb.tensor?.dtype === tensorflow.DataType.DT_STRING) {
      // The top-level Const holding the TrackableObjectGraph (full_name may legitimately differ).
      const ga = decodeTrackableGraph(va.tensor.string_val?.[0] ?? new Uint8Array(0));
      const gb = decodeTrackableGraph(vb.tensor.string_val?.[0] ?? new Uint8Array(0));
      if (ga && gb && (va.tensor.string_val?.length ?? 0) === 1 && (vb.tensor.string_val?.length ?? 0) === 1) {
        compareTrackableGraphs(d, `${p}.object_graph`, ga, gb, options.strictNames === true);
        continue;
      }
    }
    let sa = attrText(va, fp.labelA), sb = attrText(vb, fp.labelB);
    if (sa === sb) { sa = attrText(va); sb = attrText(vb); }
    d.add(p, sa, sb, 'attr values differ');
  }
}

function compareNode(ctx: Ctx, path: string, na: tensorflow.INodeDef, nb: tensorflow.INodeDef): void {
  const { d, fp } = ctx;
  const opA = na.op ?? '', opB = nb.op ?? '';
  const fnA = fp.libA.has(opA), fnB = fp.libB.has(opB);
  if (fnA || fnB) {
    if (!fp.same(opA, opB)) d.add(`${path}.op`, ...fp.show(opA, opB), 'op differs');
  } else {
    d.eq(`${path}.op`, opA, opB, 'op differs');
  }
  d.eq(`${path}.device`, na.device ?? '', nb.device ?? '', 'device differs');
  const ia = splitInputs(na.input), ib = splitInputs(nb.input);
  d.eq(`${path}.input`, listText(ia.data), listText(ib.data), 'data inputs differ');
  d.eq(`${path}.control_input`, listText(ia.control), listText(ib.control), 'control inputs differ');
  compareAttrMaps(ctx, path, fnA ? undefined : opA, na.attr, nb.attr);
}

function compareNodeLists(ctx: Ctx, path: string, la: tensorflow.INodeDef[] | null | undefined, lb: tensorflow.INodeDef[] | null | undefined): void {
  const { d, fp } = ctx;
  const ma = nodeMap(la), mb = nodeMap(lb);
  const opText = (n: tensorflow.INodeDef, lib: Map<string, unknown>, label: (s: string) => string) => (lib.has(n.op ?? '') ? label(n.op ?? '') : n.op ?? '');
  for (const name of sortedUnion(ma.keys(), mb.keys())) {
    const x = ma.get(name), y = mb.get(name);
    const p = `${path}${key(name)}`;
    if (!x || !y) d.presence(p, x && opText(x, fp.libA, fp.labelA), y && opText(y, fp.libB, fp.labelB), 'node');
    else compareNode(ctx, p, x, y);
  }
  const dup = (l: tensorflow.INodeDef[] | null | undefined) => String((l ?? []).length - nodeMap(l).size);
  ctx.d.eq(`${path}.duplicate_names`, dup(la), dup(lb), 'number of nodes with a duplicate name differs');
}

function compareGraph(ctx: Ctx): void {
  const { d, prefix, fp, options } = ctx;
  const gA = ctx.mgA.graph_def, gB = ctx.mgB.graph_def;
  if (!gA || !gB) {
    d.presence(`${prefix}graph_def`, gA ? PRESENT : undefined, gB ? PRESENT : undefined, 'graph_def');
    return;
  }
  const gp = `${prefix}graph_def`;
  compareNodeLists(ctx, `${gp}.node`, gA.node, gB.node);
  const va = gA.versions ?? {}, vb = gB.versions ?? {};
  if (options.versions) d.eq(`${gp}.versions.producer`, String(va.producer ?? 0), String(vb.producer ?? 0), 'producer differs');
  d.eq(`${gp}.versions.min_consumer`, String(va.min_consumer ?? 0), String(vb.min_consumer ?? 0), 'min_consumer differs');
  d.eq(`${gp}.versions.bad_consumers`, listText((va.bad_consumers ?? []).map(String)), listText((vb.bad_consumers ?? []).map(String)), 'bad_consumers differ');
  if (options.versions) d.eq(`${gp}.version`, String(gA.version ?? 0), String(gB.version ?? 0), 'version differs');

  const lA = gA.library ?? {}, lB = gB.library ?? {};
  const gradText = (g: tensorflow.IGradientDef, name: (s: string) => string) => `${name(g.function_name ?? '')} -> ${name(g.gradient_func ?? '')}`;
  const gradsA = (lA.gradient ?? []).map((g) => gradText(g, fp.toB)).sort(compareStrings);
  const gradsB = (lB.gradient ?? []).map((g) => gradText(g, (s) => s)).sort(compareStrings);
  if (listText(gradsA) !== listText(gradsB)) {
    d.add(`${gp}.library.gradient`, listText((lA.gradient ?? []).map((g) => gradText(g, fp.labelA)).sort(compareStrings)), listText((lB.gradient ?? []).map((g) => gradText(g, fp.labelB)).sort(compareStrings)), 'gradient definitions differ');
  }
  const regText = (g: tensorflow.IRegisteredGradient, name: (s: string) => string) => `${g.registered_op_type ?? ''} -> ${name(g.gradient_func ?? '')}`;
  const regA = (lA.registered_gradients ?? []).map((g) => regText(g, fp.toB)).sort(compareStrings);
  const regB = (lB.registered_gradients ?? []).map((g) => regText(g, (s) => s)).sort(compareStrings);
  if (listText(regA) !== listText(regB)) {
    d.add(`${gp}.library.registered_gradients`, listText((lA.registered_gradients ?? []).map((g) => regText(g, fp.labelA)).sort(compareStrings)), listText((lB.registered_gradients ?? []).map((g) => regText(g, fp.labelB)).sort(compareStrings)), 'registered gradients differ');
  }

  if (options.functions) {
    const pairs = [...fp.a2b].filter(([a, b]) => fp.libA.has(a) && fp.libB.has(b)).sort((x, y) => compareStrings(x[0], y[0]));
    for (const [a, b] of pairs) compareFunction(ctx, `${gp}.library.function${key(fp.labelA(a))}`, fp.libA.get(a)!, fp.libB.get(b)!);
  }
}

function argText(x: tensorflow.OpDef.IArgDef): string {
  const type = x.type ? dtypeText(x.type) : x.type_attr || x.type_list_attr || dtypeText(0);
  return `${x.name ?? ''}: ${x.number_attr ? `${x.number_attr}*` : ''}${type}${x.is_ref ? ' ref' : ''}`;
}

function compareStringMaps(d: Collector, path: string, ma: { [k: string]: string } | null | undefined, mb: { [k: string]: string } | null | undefined, what: string): void {
  const a = ma ?? {}, b = mb ?? {};
  for (const k of sortedUnion(Object.keys(a), Object.keys(b))) {
    const x = a[k], y = b[k];
    if (x === undefined || y === undefined) d.presence(`${path}${key(k)}`, x, y, what);
    else d.eq(`${path}${key(k)}`, x, y, `${what} differs`);
  }
}

function compareFunction(ctx: Ctx, path: string, fa: tensorflow.IFunctionDef, fb: tensorflow.IFunctionDef): void {
  const { d } = ctx;
  const sa = fa.signature ?? {}, sb = fb.signature ?? {};
  d.eqList(`${path}.signature.input_arg`, (sa.input_arg ?? []).map(argText), (sb.input_arg ?? []).map(argText), 'function input differs');
  d.eqList(`${path}.signature.output_arg`, (sa.output_arg ?? []).map(argText), (sb.output_arg ?? []).map(argText), 'function output differs');
  d.eq(`${path}.signature.is_stateful`, boolText(sa.is_stateful), boolText(sb.is_stateful), 'is_stateful differs');
  const sorted = (l: string[] | null | undefined) => listText([...(l ?? [])].sort(compareStrings));
  d.eq(`${path}.signature.control_output`, sorted(sa.control_output), sorted(sb.control_output), 'control outputs differ');
  const attrDef = (x: tensorflow.OpDef.IAttrDef) => `${x.name ?? ''}: ${x.type ?? ''}`;
  d.eq(`${path}.signature.attr`, listText((sa.attr ?? []).map(attrDef)), listText((sb.attr ?? []).map(attrDef)), 'attr declarations differ');
  compareNodeLists(ctx, `${path}.node_def`, fa.node_def, fb.node_def);
  compareStringMaps(d, `${path}.ret`, fa.ret, fb.ret, 'return value');
  compareStringMaps(d, `${path}.control_ret`, fa.control_ret, fb.control_ret, 'control return');
  compareAttrMaps(ctx, path, undefined, fa.attr, fb.attr);
  const argAttrA = fa.arg_attr ?? {}, argAttrB = fb.arg_attr ?? {};
  for (const i of sortedUnion(Object.keys(argAttrA), Object.keys(argAttrB))) {
    compareAttrMaps(ctx, `${path}.arg_attr[${i}]`, undefined, argAttrA[i]?.attr, argAttrB[i]?.attr);
  }
  const ra = fa.resource_arg_unique_id ?? {}, rb = fb.resource_arg_unique_id ?? {};
  const rtext = (m: { [k: string]: number }) => listText(Object.keys(m).sort((x, y) => Number(x) - Number(y)).map((k) => `${k}: ${m[k]}`));
  d.eq(`${path}.resource_arg_unique_id`, rtext(ra), rtext(rb), 'resource aliasing differs');
}
