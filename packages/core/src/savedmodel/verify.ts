// Every check we can make on a SavedModel without running it. Used by `savedmodel verify`
// and by tests on everything the SDK writes (which must pass in strict mode).
import type { CheckpointReader } from '../checkpoint/index.js';
import { isSavedModelError } from '../errors.js';
import type { FileSource } from '../io/file-source.js';
import { reader } from '../proto/fast-reader.js';
import { tensorflow, toNumber } from '../proto/index.js';
import { commonNewestLookup, ensureOpDefs, loadNewestOpRegistry, validateGraphDef, type Finding, type OpDefLookup } from '../registry/index.js';
import { OBJECT_GRAPH_KEY, SAVED_MODEL_PB, VARIABLE_VALUE_ATTR } from './constants.js';
import { readSavedModel, type LoadedSavedModel } from './read.js';
import { graphHasFindings } from '../registry/validate-graph.js';

export type { Finding };

export interface VerifyOptions {
  /** Ops, attrs and fields newer than our registry/protos become errors instead of warnings. */
  strict?: boolean;
}

export interface VerifyReport {
  findings: Finding[];
  errors: number;
  warnings: number;
  /** Set when the files could be read at all. */
  loaded?: LoadedSavedModel;
}

function finding(severity: Finding['severity'], code: string, where: string, message: string): Finding {
  return { severity, code, where, message };
}

export async function verifySavedModel(source: FileSource, options: VerifyOptions = {}): Promise<VerifyReport> {
  const strict = options.strict === true;
  const soft: Finding['severity'] = strict ? 'error' : 'warning';
  const findings: Finding[] = [];
  let loaded: LoadedSavedModel | undefined;
  try {
    loaded = await readSavedModel(source, { checkpoint: true });
  } catch (e) {
    if (!isSavedModelError(e)) throw e;
    findings.push(finding('error', e.code, e.file ?? source.location, e.message));
    return summarize(findings);
  }
  for (const w of loaded.warnings) findings.push(finding('warning', 'READ_WARNING', source.location, w));

  if (loaded.savedModelBytes) {
    // Lazy: only verify walks the wire bytes for fields our .proto files lack (its field table is
    // built from the descriptor JSON, which writers and readers need not load).
    const { findUnknownFields } = await import('../proto/unknown-fields.js');
    try {
      for (const u of findUnknownFields('tensorflow.SavedModel', loaded.savedModelBytes, SAVED_MODEL_PB)) {
        findings.push(finding(soft, 'UNKNOWN_FIELD', u.path, `field number ${u.field} (wire type ${u.wireType}) is not in our .proto files (written by a newer TensorFlow?)`));
      }
    } catch (e) {
      if (!isSavedModelError(e)) throw e;
      // protobufjs decodes some wire-type mismatches silently; the wire walk does not.
      findings.push(finding('error', e.code, SAVED_MODEL_PB, e.message));
    }
  }

  const ckpt = loaded.checkpoint;
  if (ckpt) {
    try {
      ckpt.verifyAll();
    } catch (e) {
      if (!isSavedModelError(e)) throw e;
      findings.push(finding('error', e.code, e.file ?? ckpt.indexFile, e.message));
    }
  }

  const sm = loaded.savedModel;
  // TF 2.2's table beyond its bundled common part only when the graphs name an op outside it
  await ensureOpDefs(sm.meta_graphs.flatMap((mg) => namesLookedUp(mg.graph_def ?? {})));
  if ((sm.meta_graphs ?? []).length === 0) findings.push(finding('error', 'NO_META_GRAPH', 'saved_model', 'the SavedModel has no MetaGraphDef'));
  let newer: OpDefLookup | undefined;
  for (const [i, mg] of sm.meta_graphs.entries()) {
    const where = `meta_graphs[${i}] [${(mg.meta_info_def?.tags ?? []).join(',')}]`;
    const graph = mg.graph_def ?? {};
    let graphFindings: Finding[] = [];
    // TF 2.21's registry tells ops / attrs that "need TensorFlow newer than 2.2" from unknown
    // ones (and knows their newer definitions); with nothing found against TF 2.2 it has nothing
    // to change, so TF 2.2's check stops at its first finding and only then is 2.21's made.
    // The bundled part of 2.21's table answers for graphs of common ops; asked for anything else,
    // the whole table is loaded and the graph checked again.
    if (graphHasFindings(graph, { strict })) {
      if (!newer) {
        const partial = await commonNewestLookup();
        graphFindings = validateGraphDef(graph, { strict, newer: partial.lookup });
        if (partial.missed()) newer = await loadNewestOpRegistry();
      }
      if (newer) graphFindings = validateGraphDef(graph, { strict, newer });
    }
    findings.push(...metaGraphFindings(mg, where, ckpt, loaded.assets, graphFindings));
  }
  const report = summarize(findings);
  report.loaded = loaded;
  return report;
}

/**
 * The names a graph's check looks up in the op registry: node ops and function-valued attrs, in
 * its functions too, less the names of its library functions (which it never looks up).
 */
function namesLookedUp(graph: tensorflow.IGraphDef): string[] {
  const names: string[] = [];
  const functions = new Set((graph.library?.function ?? []).map((f) => f.signature?.name ?? ''));
  const fromNodes = (nodes: tensorflow.INodeDef[] | null | undefined) => {
    for (const n of nodes ?? []) {
      names.push(n.op ?? '');
      for (const a of Object.values(n.attr ?? {})) {
        if (a?.func?.name) names.push(a.func.name);
        for (const f of a?.list?.func ?? []) if (f?.name) names.push(f.name);
      }
    }
  };
  fromNodes(graph.node);
  for (const f of graph.library?.function ?? []) fromNodes(f.node_def);
  return names.filter((n) => !functions.has(n));
}

function summarize(findings: Finding[]): VerifyReport {
  return {
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}

/** "node:3" → {node, index 3}; "node" → index 0; null when malformed. */
function splitTensorName(name: string): { node: string; index: number } | null {
  const m = /^([^:^]+)(?::(\d+))?$/.exec(name);
  if (!m) return null;
  return { node: m[1]!, index: m[2] === undefined ? 0 : Number(m[2]) };
}

/** `newer`: the TF 2.21 lookup (loadNewestOpRegistry()); without it ops newer than 2.2 are unknown. */
export function verifyMetaGraph(mg: tensorflow.IMetaGraphDef, where: string, ckpt: CheckpointReader | undefined, assets: string[], strict: boolean, newer?: OpDefLookup): Finding[] {
  return metaGraphFindings(mg, where, ckpt, assets, validateGraphDef(mg.graph_def ?? {}, newer ? { strict, newer } : { strict }));
}

/** verifyMetaGraph with the graph's registry findings already made. */
function metaGraphFindings(mg: tensorflow.IMetaGraphDef, where: string, ckpt: CheckpointReader | undefined, assets: string[], graphFindings: Finding[]): Finding[] {
  const out: Finding[] = [];
  const graph = mg.graph_def ?? {};
  for (const f of graphFindings) out.push({ ...f, where: `${where} ${f.where}` });

  const nodes = new Map<string, tensorflow.INodeDef>();
  for (const n of graph.node ?? []) nodes.set(n.name ?? '', n);
  const library = new Map<string, tensorflow.IFunctionDef>();
  for (const f of graph.library?.function ?? []) library.set(f.signature?.name ?? '', f);

  const checkTensor = (name: string | null | undefined, at: string, opOnly = false) => {
    if (!name) { out.push(finding('error', 'BAD_TENSOR_NAME', at, 'empty tensor name')); return; }
    const t = splitTensorName(name);
    if (!t || (opOnly && name.includes(':'))) { out.push(finding('error', 'BAD_TENSOR_NAME', at, `malformed tensor name ${JSON.stringify(name)}`)); return; }
    if (!nodes.has(t.node)) out.push(finding('error', 'DANGLING_TENSOR', at, `${JSON.stringify(name)} names no node of the graph`));
  };
  const checkInfo = (info: tensorflow.ITensorInfo, at: string, allowOpName: boolean) => {
    if (info.coo_sparse) {
      checkTensor(info.coo_sparse.values_tensor_name, `${at}.coo_sparse.values`);
      checkTensor(info.coo_sparse.indices_tensor_name, `${at}.coo_sparse.indices`);
      checkTensor(info.coo_sparse.dense_shape_tensor_name, `${at}.coo_sparse.dense_shape`);
    } else if (info.composite_tensor) {
      (info.composite_tensor.components ?? []).forEach((c, k) => checkInfo(c, `${at}.components[${k}]`, false));
    } else if (allowOpName && info.name && !info.name.includes(':')) {
      checkTensor(info.name, at, true);
    } else {
      checkTensor(info.name, at);
    }
  };

  for (const [key, sig] of Object.entries(mg.signature_def ?? {})) {
    for (const [k, info] of Object.entries(sig.inputs ?? {})) checkInfo(info, `${where} signature_def['${key}'].inputs['${k}']`, false);
    // The init-op signatures name an operation, not a tensor (no ":0").
    for (const [k, info] of Object.entries(sig.outputs ?? {})) checkInfo(info, `${where} signature_def['${key}'].outputs['${k}']`, key.startsWith('__saved_model_'));
  }

  const saver = mg.saver_def;
  if (saver && (saver.filename_tensor_name || saver.restore_op_name)) {
    checkTensor(saver.filename_tensor_name, `${where} saver_def.filename_tensor_name`);
    checkTensor(saver.save_tensor_name, `${where} saver_def.save_tensor_name`);
    checkTensor(saver.restore_op_name, `${where} saver_def.restore_op_name`, true);
  }
  for (const [key, coll] of Object.entries(mg.collection_def ?? {})) {
    (coll.node_list?.value ?? []).forEach((v, k) => {
      const t = splitTensorName(v);
      if (!t || !nodes.has(t.node)) out.push(finding('error', 'DANGLING_TENSOR', `${where} collection_def['${key}'][${k}]`, `${JSON.stringify(v)} names no node of the graph`));
    });
  }
  (mg.asset_file_def ?? []).forEach((a, k) => {
    const at = `${where} asset_file_def[${k}]`;
    if (a.tensor_info) checkInfo(a.tensor_info, at, false);
    if (!a.filename || !assets.includes(`assets/${a.filename}`)) out.push(finding('error', 'MISSING_ASSET', at, `asset file ${JSON.stringify(a.filename)} is not in assets/`));
  });

  // Every RestoreV2 (top level, or in the TF2 _traced_restore function) names checkpoint keys
  // in a Const; each must exist in the checkpoint.
  if (ckpt) {
    const checkRestore = (body: tensorflow.INodeDef[], at: string) => {
      const byName = new Map(body.map((n) => [n.name ?? '', n]));
      for (const n of body) {
        if (n.op !== 'RestoreV2') continue;
        const src = (n.input?.[1] ?? '').split(':')[0]!;
        const c = byName.get(src);
        const names = c?.op === 'Const' ? c.attr?.value?.tensor?.string_val ?? [] : [];
        for (const raw of names) {
          const key = new TextDecoder().decode(raw);
          if (!ckpt.has(key)) out.push(finding('error', 'MISSING_CHECKPOINT_KEY', `${at} node "${n.name}"`, `RestoreV2 reads ${JSON.stringify(key)}, which is not in the checkpoint`));
        }
      }
    };
    checkRestore(graph.node ?? [], `${where} graph_def`);
    // Only functions something can run: a function left in the library that no node, call or
    // object reaches (e.g. a stale _traced_restore of an embedded graph) cannot fail the model.
    const reachable = reachableFunctions(graph, library, Object.keys(mg.object_graph_def?.concrete_functions ?? {}));
    for (const [name, f] of library) if (reachable.has(name)) checkRestore(f.node_def ?? [], `${where} function ${name}`);
  }

  if (mg.object_graph_def) out.push(...verifyObjectGraph(mg.object_graph_def, library, mg.asset_file_def?.length ?? 0, ckpt, where));
  return out;
}

/** Functions named by an op or a func attr of the graph's nodes or of `roots`, transitively. */
function reachableFunctions(graph: tensorflow.IGraphDef, library: Map<string, tensorflow.IFunctionDef>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const stack: string[] = [];
  const add = (name: string | null | undefined) => {
    if (name && library.has(name) && !seen.has(name)) { seen.add(name); stack.push(name); }
  };
  const visit = (n: tensorflow.INodeDef) => {
    add(n.op);
    for (const a of Object.values(n.attr ?? {})) {
      add(a.func?.name);
      for (const f of a.list?.func ?? []) add(f.name);
    }
  };
  for (const n of graph.node ?? []) visit(n);
  for (const r of roots) add(r);
  while (stack.length) for (const n of library.get(stack.pop()!)!.node_def ?? []) visit(n);
  return seen;
}

function verifyObjectGraph(og: tensorflow.ISavedObjectGraph, library: Map<string, tensorflow.IFunctionDef>, numAssets: number, ckpt: CheckpointReader | undefined, where: string): Finding[] {
  const out: Finding[] = [];
  const nodes = og.nodes ?? [];
  const n = nodes.length;
  const at = (i: number) => `${where} object_graph_def.nodes[${i}]`;
  if (n === 0) out.push(finding('error', 'EMPTY_OBJECT_GRAPH', `${where} object_graph_def`, 'the object graph has no root node'));
  const ref = (id: number | null | undefined, i: number, what: string) => {
    const v = id ?? 0;
    if (v < 0 || v >= n) out.push(finding('error', 'BAD_NODE_REF', at(i), `${what} points to node ${v}, but there are ${n} nodes`));
  };
  const fn = (name: string | null | undefined, i: number, what: string) => {
    if (!name || !library.has(name)) out.push(finding('error', 'MISSING_FUNCTION', at(i), `${what} names function ${JSON.stringify(name)}, which is not in the library`));
    if (!name || !og.concrete_functions?.[name]) out.push(finding('error', 'MISSING_CONCRETE_FUNCTION', at(i), `${what} names ${JSON.stringify(name)}, which has no concrete_functions entry`));
  };
  nodes.forEach((node, i) => {
    (node.children ?? []).forEach((c) => ref(c.node_id, i, `child '${c.local_name}'`));
    (node.dependencies ?? []).forEach((c) => ref(c.node_id, i, `dependency '${c.local_name}'`));
    (node.slot_variables ?? []).forEach((s) => { ref(s.original_variable_node_id, i, 'slot original variable'); ref(s.slot_variable_node_id, i, 'slot variable'); });
    for (const [k, s] of Object.entries(node.saveable_objects ?? {})) { ref(s.save_function, i, `saveable '${k}' save`); ref(s.restore_function, i, `saveable '${k}' restore`); }
    if (node.function) for (const f of node.function.concrete_functions ?? []) fn(f, i, 'function');
    if (node.bare_concrete_function) fn(node.bare_concrete_function.concrete_function_name, i, 'bare_concrete_function');
    if (node.asset) {
      const k = node.asset.asset_file_def_index ?? 0;
      if (k < 0 || k >= numAssets) out.push(finding('error', 'BAD_ASSET_REF', at(i), `asset_file_def_index ${k} out of range (${numAssets} assets)`));
    }
    if (!node.user_object && !node.asset && !node.function && !node.variable && !node.bare_concrete_function && !node.constant && !node.resource && !node.captured_tensor) {
      out.push(finding('error', 'NO_KIND', at(i), 'object has no kind (the Python loader rejects it)'));
    }
  });
  for (const [name, cf] of Object.entries(og.concrete_functions ?? {})) {
    const f = library.get(name);
    if (!f) { out.push(finding('error', 'MISSING_FUNCTION', `${where} concrete_functions['${name}']`, 'no FunctionDef of that name')); continue; }
    for (const b of cf.bound_inputs ?? []) if (b < 0 || b >= n) out.push(finding('error', 'BAD_NODE_REF', `${where} concrete_functions['${name}']`, `bound input ${b} out of range`));
    const nIn = f.signature?.input_arg?.length ?? 0;
    if ((cf.bound_inputs?.length ?? 0) > nIn) out.push(finding('error', 'BAD_BOUND_INPUTS', `${where} concrete_functions['${name}']`, `${cf.bound_inputs?.length} bound inputs but the function has ${nIn} inputs`));
  }

  // Checkpoint: each variable reachable from the root must have its value in the checkpoint,
  // found by walking the checkpoint's own object graph along the same child names.
  if (ckpt && n > 0) out.push(...verifyVariablesInCheckpoint(nodes, ckpt, where));
  else if (!ckpt && nodes.some((x) => x.variable)) out.push(finding('error', 'NO_CHECKPOINT', `${where} object_graph_def`, 'the object graph has variables but there is no variables/variables.index'));
  return out;
}

function verifyVariablesInCheckpoint(nodes: tensorflow.ISavedObject[], ckpt: CheckpointReader, where: string): Finding[] {
  const out: Finding[] = [];
  if (!ckpt.has(OBJECT_GRAPH_KEY)) {
    out.push(finding('error', 'MISSING_CHECKPOINT_KEY', ckpt.indexFile, `${OBJECT_GRAPH_KEY} is missing: TF2 loaders cannot match variables`));
    return out;
  }
  let tog: tensorflow.TrackableObjectGraph;
  try {
    const bytes = ckpt.stringBytes(OBJECT_GRAPH_KEY)[0] ?? new Uint8Array(0);
    tog = tensorflow.TrackableObjectGraph.decode(reader(bytes));
  } catch (e) {
    out.push(finding('error', isSavedModelError(e) ? e.code : 'CORRUPT', ckpt.indexFile, `${OBJECT_GRAPH_KEY} does not decode: ${(e as Error).message}`));
    return out;
  }
  const seen = new Set<number>();
  const walk = (savedId: number, ckptId: number, path: string) => {
    if (seen.has(savedId)) return;
    seen.add(savedId);
    const s = nodes[savedId];
    const c = tog.nodes[ckptId];
    if (!s || !c) return;
    if (s.variable) {
      const attr = (c.attributes ?? []).find((a) => a.name === VARIABLE_VALUE_ATTR);
      if (!attr) {
        out.push(finding('error', 'MISSING_CHECKPOINT_KEY', `${where} object ${path}`, `variable has no ${VARIABLE_VALUE_ATTR} attribute in the checkpoint object graph`));
      } else if (!ckpt.has(attr.checkpoint_key ?? '')) {
        out.push(finding('error', 'MISSING_CHECKPOINT_KEY', `${where} object ${path}`, `checkpoint key ${JSON.stringify(attr.checkpoint_key)} is missing`));
      } else {
        const e = ckpt.entry(attr.checkpoint_key ?? '');
        if (e.dtype !== (s.variable.dtype ?? 0)) out.push(finding('error', 'CHECKPOINT_DTYPE', `${where} object ${path}`, `variable dtype ${s.variable.dtype} but checkpoint has ${e.dtype}`));
        const dims = (s.variable.shape?.dim ?? []).map((d) => toNumber(d.size));
        if (!s.variable.shape?.unknown_rank && (dims.length !== e.shape.length || dims.some((d, k) => d >= 0 && d !== e.shape[k]))) {
          out.push(finding('error', 'CHECKPOINT_SHAPE', `${where} object ${path}`, `variable shape [${dims}] but checkpoint has [${e.shape}]`));
        }
      }
    }
    for (const child of s.children ?? []) {
      const cc = (c.children ?? []).find((x) => x.local_name === child.local_name);
      if (cc) walk(child.node_id ?? 0, cc.node_id ?? 0, path ? `${path}.${child.local_name}` : child.local_name ?? '');
      else if (subtreeHasVariable(nodes, child.node_id ?? 0)) {
        out.push(finding('error', 'MISSING_CHECKPOINT_KEY', `${where} object ${path ? `${path}.` : ''}${child.local_name}`, 'holds variables but has no counterpart in the checkpoint object graph'));
      }
    }
  };
  walk(0, 0, '');
  return out;
}

function subtreeHasVariable(nodes: tensorflow.ISavedObject[], start: number): boolean {
  const stack = [start];
  const seen = new Set<number>();
  while (stack.length) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    const n = nodes[i];
    if (!n) continue;
    if (n.variable) return true;
    for (const c of n.children ?? []) stack.push(c.node_id ?? 0);
  }
  return false;
}
