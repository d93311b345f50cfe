// The object-graph part of `diffSavedModels`: SavedObjects paired structurally from the root (kinds,
// variables, function specs, concrete functions and their structured signatures).
import { tensorflow } from '../proto/index.js';
import type { Ctx, MetaGraph } from './diff.js';
import type { FunctionPairing } from './diff-functions.js';
import {
  ABSENT, PRESENT, attrText, boolText, bytesText, Collector, compareStrings, dtypeText, enumText, int64, key, listText, shapeText,
  sortedUnion, svKind, svText, typeSpecClassText,
} from './diff-render.js';
import { showPath, type TreePairing } from './diff-tree.js';

export function compareStructured(d: Collector, p: string, a: tensorflow.IStructuredValue | null | undefined, b: tensorflow.IStructuredValue | null | undefined): void {
  const ka = svKind(a), kb = svKind(b);
  if (ka !== kb || !a || !b) { d.eq(p, svText(a), svText(b), 'structured values differ'); return; }
  switch (ka) {
    case 'list': case 'tuple': {
      const la = (a.list_value ?? a.tuple_value)!.values ?? [], lb = (b.list_value ?? b.tuple_value)!.values ?? [];
      if (la.length !== lb.length) d.add(p, svText(a), svText(b), `${ka} lengths differ`);
      else la.forEach((x, i) => compareStructured(d, `${p}[${i}]`, x, lb[i]));
      return;
    }
    case 'dict': {
      const fa = a.dict_value!.fields ?? {}, fb = b.dict_value!.fields ?? {};
      for (const k of sortedUnion(Object.keys(fa), Object.keys(fb))) {
        const x = fa[k], y = fb[k];
        if (!x || !y) d.presence(`${p}${key(k)}`, x && svText(x), y && svText(y), 'dict entry');
        else compareStructured(d, `${p}${key(k)}`, x, y);
      }
      return;
    }
    case 'named_tuple': {
      const na = a.named_tuple_value!, nb = b.named_tuple_value!;
      const va = na.values ?? [], vb = nb.values ?? [];
      const keysA = va.map((x) => x.key ?? ''), keysB = vb.map((x) => x.key ?? '');
      if ((na.name ?? '') !== (nb.name ?? '') || listText(keysA) !== listText(keysB)) { d.add(p, svText(a), svText(b), 'named tuples differ'); return; }
      va.forEach((x, i) => compareStructured(d, `${p}.${x.key ?? ''}`, x.value, vb[i]!.value));
      return;
    }
    case 'tensor_spec': {
      const x = a.tensor_spec_value!, y = b.tensor_spec_value!;
      d.eq(`${p}.name`, x.name ? `'${x.name}'` : 'None', y.name ? `'${y.name}'` : 'None', 'TensorSpec name differs');
      d.eq(`${p}.shape`, shapeText(x.shape), shapeText(y.shape), 'TensorSpec shape differs');
      d.eq(`${p}.dtype`, dtypeText(x.dtype), dtypeText(y.dtype), 'TensorSpec dtype differs');
      return;
    }
    case 'bounded_tensor_spec': {
      const x = a.bounded_tensor_spec_value!, y = b.bounded_tensor_spec_value!;
      d.eq(`${p}.name`, x.name ? `'${x.name}'` : 'None', y.name ? `'${y.name}'` : 'None', 'BoundedTensorSpec name differs');
      d.eq(`${p}.shape`, shapeText(x.shape), shapeText(y.shape), 'BoundedTensorSpec shape differs');
      d.eq(`${p}.dtype`, dtypeText(x.dtype), dtypeText(y.dtype), 'BoundedTensorSpec dtype differs');
      d.eq(`${p}.minimum`, attrText({ tensor: x.minimum ?? {} }), attrText({ tensor: y.minimum ?? {} }), 'minimum differs');
      d.eq(`${p}.maximum`, attrText({ tensor: x.maximum ?? {} }), attrText({ tensor: y.maximum ?? {} }), 'maximum differs');
      return;
    }
    case 'type_spec': {
      const x = a.type_spec_value!, y = b.type_spec_value!;
      d.eq(`${p}.type_spec_class`, typeSpecClassText(x.type_spec_class), typeSpecClassText(y.type_spec_class), 'TypeSpec class differs');
      d.eq(`${p}.type_spec_class_name`, x.type_spec_class_name ?? '', y.type_spec_class_name ?? '', 'TypeSpec class name differs');
      d.eq(`${p}.num_flat_components`, String(x.num_flat_components ?? 0), String(y.num_flat_components ?? 0), 'number of components differs');
      compareStructured(d, `${p}.type_state`, x.type_state, y.type_state);
      return;
    }
    default:
      d.eq(p, svText(a), svText(b), 'values differ');
  }
}

// ---- object graph ----

type SavedObject = tensorflow.ISavedObject;
const KINDS = ['user_object', 'asset', 'function', 'variable', 'bare_concrete_function', 'constant', 'resource', 'captured_tensor'] as const;
type Kind = (typeof KINDS)[number];

function kindName(n: SavedObject | undefined): Kind | undefined {
  if (!n) return undefined;
  for (const k of KINDS) if (n[k]) return k;
  return undefined;
}

export function kindOf(n: SavedObject | undefined): string {
  if (!n) return ABSENT;
  return kindName(n) ?? '<no kind>';
}

export function anchorFunctionsInObjects(fp: FunctionPairing, ogA: tensorflow.ISavedObjectGraph, ogB: tensorflow.ISavedObjectGraph, tree: TreePairing): void {
  const na = ogA.nodes ?? [], nb = ogB.nodes ?? [];
  const cfA = ogA.concrete_functions ?? {}, cfB = ogB.concrete_functions ?? {};
  for (const { a, b } of tree.pairs) {
    const x = na[a]!, y = nb[b]!;
    if (x.function && y.function) {
      const la = x.function.concrete_functions ?? [], lb = y.function.concrete_functions ?? [];
      if (la.length === lb.length) la.forEach((f, i) => fp.pair(f, lb[i]));
      else {
        // Different numbers of traces: pair those whose input signatures are the same and unique.
        const sig = (cf: Record<string, tensorflow.ISavedConcreteFunction>, f: string) => svText(cf[f]?.canonicalized_input_signature);
        for (const f of la) {
          const s = sig(cfA, f);
          const ma = la.filter((g) => sig(cfA, g) === s), mb = lb.filter((g) => sig(cfB, g) === s);
          if (ma.length === 1 && mb.length === 1) fp.pair(f, mb[0]);
        }
      }
    }
    if (x.bare_concrete_function && y.bare_concrete_function) fp.pair(x.bare_concrete_function.concrete_function_name, y.bare_concrete_function.concrete_function_name);
    if (x.captured_tensor && y.captured_tensor) fp.pair(x.captured_tensor.concrete_function, y.captured_tensor.concrete_function);
  }
}

function versionText(v: tensorflow.IVersionDef | null | undefined): string {
  if (!v) return ABSENT;
  return `producer=${v.producer ?? 0} min_consumer=${v.min_consumer ?? 0} bad_consumers=${listText((v.bad_consumers ?? []).map(String))}`;
}

function compareFunctionSpec(d: Collector, p: string, a: tensorflow.IFunctionSpec | null | undefined, b: tensorflow.IFunctionSpec | null | undefined): void {
  if (!a || !b) { d.presence(p, a ? PRESENT : undefined, b ? PRESENT : undefined, 'function_spec'); return; }
  compareStructured(d, `${p}.fullargspec`, a.fullargspec, b.fullargspec);
  d.eq(`${p}.is_method`, boolText(a.is_method), boolText(b.is_method), 'is_method differs');
  compareStructured(d, `${p}.input_signature`, a.input_signature, b.input_signature);
  const jit = tensorflow.FunctionSpec.JitCompile as unknown as Record<number, string>;
  d.eq(`${p}.jit_compile`, enumText(jit, a.jit_compile), enumText(jit, b.jit_compile), 'jit_compile differs');
}

function compareVariable(d: Collector, p: string, a: tensorflow.ISavedVariable, b: tensorflow.ISavedVariable): void {
  d.eq(`${p}.dtype`, dtypeText(a.dtype), dtypeText(b.dtype), 'variable dtype differs');
  d.eq(`${p}.shape`, shapeText(a.shape), shapeText(b.shape), 'variable shape differs');
  d.eq(`${p}.trainable`, boolText(a.trainable), boolText(b.trainable), 'trainable differs');
  const sync = tensorflow.VariableSynchronization as unknown as Record<number, string>;
  const agg = tensorflow.VariableAggregation as unknown as Record<number, string>;
  d.eq(`${p}.synchronization`, enumText(sync, a.synchronization), enumText(sync, b.synchronization), 'synchronization differs');
  d.eq(`${p}.aggregation`, enumText(agg, a.aggregation), enumText(agg, b.aggregation), 'aggregation differs');
  d.eq(`${p}.name`, a.name ?? '', b.name ?? '', 'variable name differs');
  d.eq(`${p}.device`, a.device ?? '', b.device ?? '', 'variable device differs');
  const ca = a.experimental_distributed_variable_components ?? [], cb = b.experimental_distributed_variable_components ?? [];
  if (ca.length !== cb.length) d.add(`${p}.experimental_distributed_variable_components`, `${ca.length} components`, `${cb.length} components`, 'distributed components differ');
  else ca.forEach((c, i) => compareVariable(d, `${p}.experimental_distributed_variable_components[${i}]`, c, cb[i]!));
}

export function compareObjects(ctx: Ctx, ogA: tensorflow.ISavedObjectGraph, ogB: tensorflow.ISavedObjectGraph, tree: TreePairing): void {
  const { d, prefix, fp } = ctx;
  const na = ogA.nodes ?? [], nb = ogB.nodes ?? [];
  const fnA = (n: string) => fp.labelA(n), fnB = (n: string) => fp.labelB(n);
  const assetName = (mg: MetaGraph, i: number | null | undefined) => mg.asset_file_def?.[i ?? 0]?.filename ?? `<asset_file_def[${i ?? 0}] missing>`;
  for (const { a, b, path } of tree.pairs) {
    const x = na[a]!, y = nb[b]!;
    const P = `${prefix}object_graph_def.nodes${key(showPath(path))}`;
    const kx = kindName(x), ky = kindName(y);
    if (kx !== ky) d.add(`${P}.kind`, kindOf(x), kindOf(y), 'object kind differs');
    else if (kx) {
      const kp = `${P}.${kx}`;
      switch (kx) {
        case 'user_object': {
          const u = x.user_object!, v = y.user_object!;
          d.eq(`${kp}.identifier`, u.identifier ?? '', v.identifier ?? '', 'identifier differs');
          d.eq(`${kp}.version`, versionText(u.version), versionText(v.version), 'reviver version differs');
          d.eq(`${kp}.metadata`, u.metadata ?? '', v.metadata ?? '', 'metadata differs');
          break;
        }
        case 'asset':
          d.eq(`${kp}.filename`, assetName(ctx.mgA, x.asset!.asset_file_def_index), assetName(ctx.mgB, y.asset!.asset_file_def_index), 'asset file differs');
          break;
        case 'function': {
          const la = x.function!.concrete_functions ?? [], lb = y.function!.concrete_functions ?? [];
          if (la.length !== lb.length) d.add(`${kp}.concrete_functions`, listText(la.map(fnA)), listText(lb.map(fnB)), 'concrete functions differ');
          else la.forEach((f, i) => { if (!fp.same(f, lb[i])) d.add(`${kp}.concrete_functions[${i}]`, ...fp.show(f, lb[i]), 'concrete function differs'); });
          compareFunctionSpec(d, `${kp}.function_spec`, x.function!.function_spec, y.function!.function_spec);
          break;
        }
        case 'bare_concrete_function': {
          const u = x.bare_concrete_function!, v = y.bare_concrete_function!;
          if (!fp.same(u.concrete_function_name, v.concrete_function_name)) d.add(`${kp}.concrete_function_name`, ...fp.show(u.concrete_function_name, v.concrete_function_name), 'concrete function differs');
          d.eq(`${kp}.argument_keywords`, listText(u.argument_keywords ?? []), listText(v.argument_keywords ?? []), 'argument keywords differ');
          d.eq(`${kp}.allowed_positional_arguments`, int64(u.allowed_positional_arguments), int64(v.allowed_positional_arguments), 'allowed positional arguments differ');
          if (u.function_spec || v.function_spec) compareFunctionSpec(d, `${kp}.function_spec`, u.function_spec, v.function_spec);
          break;
        }
        case 'variable':
          compareVariable(d, kp, x.variable!, y.variable!);
          break;
        case 'constant':
          d.eq(`${kp}.operation`, x.constant!.operation ?? '', y.constant!.operation ?? '', 'constant operation differs');
          break;
        case 'resource':
          d.eq(`${kp}.device`, x.resource!.device ?? '', y.resource!.device ?? '', 'resource device differs');
          break;
        case 'captured_tensor': {
          const u = x.captured_tensor!, v = y.captured_tensor!;
          d.eq(`${kp}.name`, u.name ?? '', v.name ?? '', 'captured tensor differs');
          if (!fp.same(u.concrete_function, v.concrete_function)) d.add(`${kp}.concrete_function`, ...fp.show(u.concrete_function, v.concrete_function), 'concrete function differs');
          break;
        }
      }
    }
    const sa = x.saveable_objects ?? {}, sb = y.saveable_objects ?? {};
    for (const k of sortedUnion(Object.keys(sa), Object.keys(sb))) {
      const u = sa[k], v = sb[k];
      const sp = `${P}.saveable_objects${key(k)}`;
      if (!u || !v) { d.presence(sp, u && PRESENT, v && PRESENT, 'saveable object'); continue; }
      for (const f of ['save_function', 'restore_function'] as const) {
        const ia = u[f] ?? 0, ib = v[f] ?? 0;
        if (tree.a2b.get(ia) !== ib) d.add(`${sp}.${f}`, tree.showA(ia), tree.showB(ib), 'saveable object function differs');
      }
    }
    d.eq(`${P}.registered_name`, x.registered_name ?? '', y.registered_name ?? '', 'registered name differs');
    d.eq(`${P}.registered_saver`, x.registered_saver ?? '', y.registered_saver ?? '', 'registered saver differs');
    const anyText = (v: SavedObject) => (v.serialized_user_proto ? `${v.serialized_user_proto.type_url ?? ''} ${bytesText(v.serialized_user_proto.value)}` : ABSENT);
    d.eq(`${P}.serialized_user_proto`, anyText(x), anyText(y), 'serialized user proto differs');
  }
  compareConcreteFunctions(ctx, ogA.concrete_functions ?? {}, ogB.concrete_functions ?? {}, tree);
}

function compareConcreteFunctions(ctx: Ctx, cfA: Record<string, tensorflow.ISavedConcreteFunction>, cfB: Record<string, tensorflow.ISavedConcreteFunction>, tree: TreePairing): void {
  const { d, prefix, fp } = ctx;
  const p0 = `${prefix}object_graph_def.concrete_functions`;
  const matchedB = new Set<string>();
  for (const name of Object.keys(cfA).sort(compareStrings)) {
    const other = fp.a2b.get(name);
    const x = cfA[name]!, y = other !== undefined ? cfB[other] : undefined;
    const p = `${p0}${key(fp.labelA(name))}`;
    if (!y || other === undefined) { d.add(p, PRESENT, ABSENT, 'concrete function entry only in A'); continue; }
    matchedB.add(other);
    const ba = (x.bound_inputs ?? []).map((i) => tree.a2b.get(i) ?? -1 - i);
    const bb = y.bound_inputs ?? [];
    if (ba.length !== bb.length || ba.some((v, i) => v !== bb[i])) {
      d.add(`${p}.bound_inputs`, listText((x.bound_inputs ?? []).map(tree.showA)), listText(bb.map(tree.showB)), 'captured objects differ');
    }
    compareStructured(d, `${p}.canonicalized_input_signature`, x.canonicalized_input_signature, y.canonicalized_input_signature);
    compareStructured(d, `${p}.output_signature`, x.output_signature, y.output_signature);
  }
  for (const name of Object.keys(cfB).sort(compareStrings)) {
    if (!matchedB.has(name)) d.add(`${p0}${key(fp.labelB(name))}`, ABSENT, PRESENT, 'concrete function entry only in B');
  }
}

