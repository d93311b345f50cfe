// The TF2 SavedModel builder: from an object tree (variables, user objects, functions) and a set
// of signatures to exactly what tf.saved_model.save (TF 2.3 layout) writes: the object graph, the
// function library with signature wrappers and the _traced_save / _traced_restore functions
// (made by generated-functions.ts), the top-level graph (VarHandleOps, init NoOp, the
// object-graph Const, signature Placeholders and calls, saver_filename and the save / restore
// calls), saver_def, signature_def, collection_def, meta_info_def, and the checkpoint with its
// TrackableObjectGraph.
import { attr, buildStrippedOpList, SavedModelError, shapeProto, stripDefaultAttrs, tensorflow, type CheckpointTensor, type DeferredCheckpointTensor, type SavedModelContent } from '@savedmodel-js/core';
import { compareUtf8, flatWriter } from '@savedmodel-js/core/internal';
import { isExportableFunction, PolymorphicFunction, type ExportableFunction } from './function.js';
import { node, restoreFunction, saveFunction, shapesAttr, sharedAttrs, signatureWrapper, specDtype, specShape, tempId } from './generated-functions.js';
import type { FunctionAttr, ObjectNode, VariableNode } from './module.js';
import { cloneFunctionDef } from './clone-message.js';
import { escapeCheckpointName, graphNodeName, NameScope, opName } from './node-names.js';
import { normalizeSignature, type NormalizedSignature, type SignatureTarget } from './signatures.js';
import { collectObjects, type SlotVariables } from './object-tree.js';
import { argSpec, canonicalInputs, outputSignature, polymorphicSpec, sv } from './structured.js';

const DT = tensorflow.DataType;

/** GraphDef producer written by TF 2.3.1, the release whose layout this builder reproduces. */
export const GRAPH_DEF_PRODUCER = 440;
export const GRAPH_DEF_MIN_CONSUMER = 12;
/** Written to meta_info_def.tensorflow_git_version; tensorflow_version stays empty (no TensorFlow wrote this). */
export const SDK_MARKER = 'savedmodel-js 0.1.0';

export interface BuildOptions {
  /** alias -> function: meta_info_def.function_aliases (SaveOptions.function_aliases). */
  functionAliases?: ReadonlyMap<string, FunctionAttr> | Record<string, FunctionAttr>;
  /** Remove default-valued attrs (default true, as TF 2 always does). */
  stripDefaultAttrs?: boolean;
  /** SaveOptions.experimental_skip_saver: no save/restore functions, no saver_def. */
  skipSaver?: boolean;
  /**
   * The object-graph layout of TF >= 2.9 (tf.keras 2.10's SavedModels): each tf.function node
   * lists its concrete functions as `trace_N` children (bare concrete functions carrying the
   * function spec), bare concrete functions have a function spec, and the checkpoint's
   * TrackableObjectGraph mirrors every node of the object graph with `has_checkpoint_values`.
   */
  tracedFunctionNodes?: boolean;
  /** stripped_op_list also lists the ops of functions called by (Stateful)PartitionedCall, as TF >= 2.4 does. */
  strippedOpsFollowCalls?: boolean;
  /**
   * Optimizer slot variables (tf.keras OptimizerV2): per optimizer object (by key), the slots it
   * holds for tracked variables. Each slot becomes a node referenced from the optimizer's
   * `slot_variables`, saved as `<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<slot name>`.
   */
  slotVariables?: SlotVariables;
}

export interface BuildResult {
  content: SavedModelContent;
  /** Per signature key: the concrete function called and its flat outputs' keys (diagnostics). */
  signatures: Map<string, { fn: ExportableFunction; inputs: string[]; outputs: string[] }>;
  /** Variables in object-graph order with their checkpoint keys. */
  variables: { key: string; info: VariableNode['info'] }[];
  /** Object-graph node id of each checkpointable object, by its key (identity). */
  nodeIds: ReadonlyMap<object, number>;
  /** Exported FunctionDef name → its traced nodes' origins (tfjs kernel, layer path), where known. */
  nodeOrigins: ReadonlyMap<string, ReadonlyMap<string, { readonly kernel: string; readonly layer: string }>>;
}

// ---- small helpers ----

function baseName(fdName: string): string {
  return fdName.replace(/^__inference_/, '').replace(/_g?\d+$/, '') || 'function';
}

function functionLabel(f: FunctionAttr, name: string): string {
  return f instanceof PolymorphicFunction ? `function ${name}` : `concrete function ${f.name}`;
}

// ---- the builder ----

interface FnEntry {
  fn: ExportableFunction;
  exported: string;
  def: tensorflow.FunctionDef;
}

export async function buildSavedModel(root: ObjectNode, signatureTargets: ReadonlyMap<string, SignatureTarget>, options: BuildOptions = {}): Promise<BuildResult> {
  const sigs = [...signatureTargets].map(([k, t]) => normalizeSignature(k, t)).sort((a, b) => compareUtf8(a.key, b.key));

  // 1. checkpointable objects, breadth first from the root; `signatures` is the root's last dependency
  const signatureMap: ObjectNode = {
    kind: 'object', key: { signatureMap: true }, identifier: 'signature_map', deps: () => [], functions: () => [],
  };
  const { nodes, ids, children, paths, keyPrefix, slotRefs } = collectObjects(root, signatureMap, options.slotVariables ?? []);
  const checkpointCount = nodes.length;
  const sigMapId = ids.get(signatureMap.key)!;

  // 2. functions as nodes: per checkpointable node, its functions sorted by name
  type FnNode = { attr: FunctionAttr; name: string } | { wrapper: NormalizedSignature };
  const fnNodes: FnNode[] = [];
  const fnIds = new Map<object, number>();
  for (let i = 0; i < checkpointCount; i++) {
    const n = nodes[i]!;
    if (n.kind !== 'object') continue;
    if (i === sigMapId) {
      for (const s of sigs) {
        const id = checkpointCount + fnNodes.length;
        fnNodes.push({ wrapper: s });
        children[i]!.push({ node_id: id, local_name: s.key });
      }
      continue;
    }
    const fns = [...n.functions()].sort((a, b) => compareUtf8(a[0], b[0]));
    for (const [name, f] of fns) {
      let id = fnIds.get(f);
      if (id === undefined) {
        id = checkpointCount + fnNodes.length;
        fnIds.set(f, id);
        fnNodes.push({ attr: f, name });
      }
      children[i]!.push({ node_id: id, local_name: name });
    }
  }

  // 3. concrete functions (tracing happens here), named per export: __inference_<name>_<n>
  let uid = 1;
  const entries = new Map<ExportableFunction, FnEntry>();
  const library: tensorflow.IFunctionDef[] = [];
  const nodeOrigins = new Map<string, ReadonlyMap<string, { readonly kernel: string; readonly layer: string }>>();
  const addFunction = (fn: ExportableFunction, base: string): FnEntry => {
    let e = entries.get(fn);
    if (!e) {
      const exported = `__inference_${base.replace(/[^A-Za-z0-9_<>.\-]/g, '_')}_${uid++}`;
      e = { fn, exported, def: cloneFunctionDef(fn.functionDef, exported) };
      entries.set(fn, e);
      if (fn.nodeOrigins) nodeOrigins.set(exported, fn.nodeOrigins);
      library.push(e.def);
    }
    return e;
  };
  const fnNodeConcretes = new Map<number, FnEntry[]>();
  for (let k = 0; k < fnNodes.length; k++) {
    const fnode = fnNodes[k]!;
    if ('wrapper' in fnode) continue;
    const f = fnode.attr;
    let cfs: ExportableFunction[];
    try {
      cfs = f instanceof PolymorphicFunction ? await f.concreteFunctionsForSave() : [f];
    } catch (e) {
      if (e instanceof SavedModelError) {
        throw new SavedModelError(e.code, `cannot trace ${functionLabel(f, fnode.name)}: ${e.message}`, { key: e.key ?? fnode.name, cause: e });
      }
      throw e;
    }
    const base = f instanceof PolymorphicFunction ? (f.name ?? fnode.name) : baseName(f.name);
    fnNodeConcretes.set(checkpointCount + k, cfs.map((cf) => addFunction(cf, base)));
  }
  for (const s of sigs) addFunction(s.fn, baseName(s.fn.name));

  // TF >= 2.9: trace_N children of function nodes (after every function node)
  const traceNodes: { entry: FnEntry; spec: tensorflow.IFunctionSpec }[] = [];
  const fnChildren = new Map<number, tensorflow.TrackableObjectGraph.TrackableObject.IObjectReference[]>();
  if (options.tracedFunctionNodes) {
    fnNodes.forEach((fnode, k) => {
      if ('wrapper' in fnode || !(fnode.attr instanceof PolymorphicFunction)) return;
      const id = checkpointCount + k;
      const spec = polymorphicSpec(fnode.attr);
      const refs = fnNodeConcretes.get(id)!.map((entry, j) => {
        const tid = checkpointCount + fnNodes.length + traceNodes.length;
        traceNodes.push({ entry, spec });
        return { node_id: tid, local_name: `trace_${j}` };
      });
      if (refs.length) fnChildren.set(id, refs);
    });
  }
  const totalNodes = checkpointCount + fnNodes.length + traceNodes.length;

  // captures must be tracked variables
  const variableIdOf = (variable: object, fn: ExportableFunction): number => {
    const id = ids.get(variable);
    if (id === undefined || nodes[id]!.kind !== 'variable') {
      const label = (variable as { name?: string }).name ?? 'variable';
      throw new SavedModelError('INVALID_ARGUMENT',
        `Tried to export a function (${fn.name}) which references an 'untracked' resource: variable ${label}. ` +
        'Variables captured by functions must be tracked: Module.track(name, variable), or part of the exported model.', { key: label });
    }
    return id;
  };
  const boundInputs = new Map<ExportableFunction, number[]>();
  for (const [fn] of entries) boundInputs.set(fn, fn.captures.map((c) => variableIdOf(c.variable, fn)));

  // signature wrappers
  const wrapperEntries = new Map<string, { exported: string; def: tensorflow.IFunctionDef; argKeys: string[] }>();
  for (const s of sigs) {
    const inner = entries.get(s.fn)!;
    const exported = `__inference_signature_wrapper_${uid++}`;
    const w = signatureWrapper(exported, inner, s);
    wrapperEntries.set(s.key, { exported, def: w.def, argKeys: w.argKeys });
    library.push(w.def);
  }

  // function aliases (their functions join the library before defaults are stripped)
  const functionAliases: Record<string, string> = {};
  const aliasEntries = options.functionAliases instanceof Map ? [...options.functionAliases] : Object.entries(options.functionAliases ?? {});
  for (const [alias, f] of aliasEntries) {
    const cfs = f instanceof PolymorphicFunction ? await f.concreteFunctionsForSave() : isExportableFunction(f) ? [f] : null;
    if (!cfs) throw new SavedModelError('INVALID_ARGUMENT', `function alias '${alias}' does not name a function`, { key: alias });
    for (const cf of cfs) {
      const e = entries.get(cf) ?? addFunction(cf, f instanceof PolymorphicFunction ? (f.name ?? alias) : baseName(cf.name));
      if (!boundInputs.has(cf)) boundInputs.set(cf, cf.captures.map((c) => variableIdOf(c.variable, cf)));
      functionAliases[e.exported] = alias;
    }
  }

  // 4. variables and checkpoint keys
  const variableNodes: { id: number; node: VariableNode; checkpointKey: string }[] = [];
  for (let i = 0; i < checkpointCount; i++) {
    const n = nodes[i]!;
    if (n.kind === 'variable') {
      variableNodes.push({ id: i, node: n, checkpointKey: `${keyPrefix.get(i) ?? paths[i]!.map(escapeCheckpointName).join('/')}/.ATTRIBUTES/VARIABLE_VALUE` });
    }
  }
  const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';

  // 5. top-level graph
  const scope = new NameScope();
  const graphNodes: tensorflow.INodeDef[] = [];
  const handleOf = new Map<number, string>();
  const readOf = new Map<number, string>();
  const shared = sharedAttrs();
  for (const v of variableNodes) {
    const info = v.node.info;
    const name = scope.unique(graphNodeName(info.name));
    handleOf.set(v.id, name);
    const dtype = shared.type(info.dtype);
    graphNodes.push(node(name, 'VarHandleOp', [], {
      _output_shapes: shared.scalar, dtype, shape: attr.shape(info.shape), shared_name: attr.str(name),
    }));
    const read = `${name}/Read/ReadVariableOp`;
    scope.mark(read);
    readOf.set(v.id, read);
    graphNodes.push(node(read, 'ReadVariableOp', [name], { _output_shapes: shapesAttr([info.shape]), dtype }));
  }
  const initOp = scope.unique('NoOp');
  graphNodes.push(node(initOp, 'NoOp', []));

  const allChildren = (i: number) => (i < checkpointCount ? children[i]! : fnChildren.get(i) ?? []);
  const hasValues = new Map<number, boolean>();
  const hasCheckpointValues = (i: number): boolean => {
    const known = hasValues.get(i);
    if (known !== undefined) return known;
    hasValues.set(i, false); // cycles: an object in progress adds nothing
    let v = i < checkpointCount && nodes[i]!.kind === 'variable';
    for (const c of allChildren(i)) v = hasCheckpointValues(c.node_id ?? 0) || v;
    for (const r of slotRefs.get(i) ?? []) v = hasCheckpointValues(r.slot_variable_node_id ?? 0) || v;
    hasValues.set(i, v);
    return v;
  };
  const variableById = new Map(variableNodes.map((v) => [v.id, v]));
  const trackableGraph = (fullName: (v: { id: number; node: VariableNode }) => string): tensorflow.ITrackableObjectGraph => {
    const tnodes: tensorflow.TrackableObjectGraph.ITrackableObject[] = [];
    if (options.tracedFunctionNodes) {
      for (let i = 0; i < totalNodes; i++) {
        const o: tensorflow.TrackableObjectGraph.ITrackableObject = {};
        const ch = allChildren(i);
        if (ch.length) o.children = ch;
        if (slotRefs.has(i)) o.slot_variables = slotRefs.get(i)!;
        const v = variableById.get(i);
        if (v) o.attributes = [{ name: 'VARIABLE_VALUE', full_name: fullName(v), checkpoint_key: v.checkpointKey }];
        o.has_checkpoint_values = { value: hasCheckpointValues(i) };
        tnodes.push(o);
      }
      return { nodes: tnodes };
    }
    for (let i = 0; i < checkpointCount; i++) {
      const o: tensorflow.TrackableObjectGraph.ITrackableObject = {};
      if (children[i]!.length && i !== sigMapId) o.children = children[i]!.filter((c) => (c.node_id ?? 0) < checkpointCount);
      if (slotRefs.has(i)) o.slot_variables = slotRefs.get(i)!;
      const v = variableById.get(i);
      if (v) o.attributes = [{ name: 'VARIABLE_VALUE', full_name: fullName(v), checkpoint_key: v.checkpointKey }];
      tnodes.push(o);
    }
    return { nodes: tnodes };
  };
  const encodeGraph = (g: tensorflow.ITrackableObjectGraph) => tensorflow.TrackableObjectGraph.encode(g, flatWriter()).finish();
  const graphConstName = scope.unique('Const');
  graphNodes.push(node(graphConstName, 'Const', [], {
    _output_shapes: shapesAttr([[]]), dtype: attr.type(DT.DT_STRING),
    value: attr.tensor({ dtype: DT.DT_STRING, tensor_shape: {}, string_val: [encodeGraph(trackableGraph((v) => handleOf.get(v.id)!))] }),
  }, '/device:CPU:0'));

  const signatureDefs: Record<string, tensorflow.ISignatureDef> = {};
  const sigInfo = new Map<string, { fn: ExportableFunction; inputs: string[]; outputs: string[] }>();
  for (const s of sigs) {
    const w = wrapperEntries.get(s.key)!;
    const inputsInfo: Record<string, tensorflow.ITensorInfo> = {};
    const placeholders: string[] = [];
    const wrapperInputs = [...s.keywords.map((k, i) => ({ k, spec: s.fn.inputs[i]!.spec }))].sort((a, b) => compareUtf8(a.k, b.k));
    for (const { k, spec } of wrapperInputs) {
      const p = scope.unique(opName(`${s.key}_${k}`));
      placeholders.push(p);
      graphNodes.push(node(p, 'Placeholder', [], { _output_shapes: shapesAttr([specShape(spec)]), dtype: attr.type(specDtype(spec)), shape: attr.shape(specShape(spec)) }));
      inputsInfo[k] = { name: `${p}:0`, dtype: specDtype(spec), tensor_shape: shapeProto(specShape(spec)) };
    }
    const bound = boundInputs.get(s.fn)!;
    const call = scope.unique('StatefulPartitionedCall');
    graphNodes.push(node(call, 'StatefulPartitionedCall', [...placeholders, ...bound.map((id) => handleOf.get(id)!)], {
      Tin: attr.types([...wrapperInputs.map((x) => specDtype(x.spec)), ...bound.map(() => DT.DT_RESOURCE)]),
      Tout: attr.types(s.outputs.map((o) => specDtype(o.spec))),
      _output_shapes: shapesAttr(s.outputs.map((o) => specShape(o.spec))),
      f: attr.func(w.exported),
    }));
    const outputsInfo: Record<string, tensorflow.ITensorInfo> = {};
    s.outputs.forEach((o, i) => {
      outputsInfo[o.key] = { name: `${call}:${i}`, dtype: specDtype(o.spec), tensor_shape: shapeProto(specShape(o.spec)) };
    });
    signatureDefs[s.key] = { inputs: inputsInfo, outputs: outputsInfo, method_name: 'tensorflow/serving/predict' };
    sigInfo.set(s.key, { fn: s.fn, inputs: wrapperInputs.map((x) => x.k), outputs: s.outputs.map((o) => o.key) });
  }
  signatureDefs.__saved_model_init_op = { outputs: { __saved_model_init_op: { name: initOp, tensor_shape: { unknown_rank: true } } } };

  let saverDef: tensorflow.ISaverDef | undefined;
  if (!options.skipSaver) {
    const filename = scope.unique('saver_filename');
    graphNodes.push(node(filename, 'Placeholder', [], { _output_shapes: shapesAttr([[]]), dtype: attr.type(DT.DT_STRING), shape: attr.shape([]) }));
    const keys = [...variableNodes.map((v) => v.checkpointKey), OBJECT_GRAPH_KEY];
    const saveName = `__inference__traced_save_${uid++}`;
    const restoreName = `__inference__traced_restore_${uid++}`;
    const varDtypes = variableNodes.map((v) => v.node.info.dtype);
    library.push(saveFunction(saveName, keys, variableNodes.map((v) => readOf.get(v.id)!), varDtypes, graphConstName, tempId(keys)));
    library.push(restoreFunction(restoreName, keys, variableNodes.map((v) => handleOf.get(v.id)!), varDtypes));
    const saveCall = scope.unique('StatefulPartitionedCall');
    graphNodes.push(node(saveCall, 'StatefulPartitionedCall', [filename, ...variableNodes.map((v) => readOf.get(v.id)!), graphConstName], {
      Tin: attr.types([DT.DT_STRING, ...varDtypes, DT.DT_STRING]), Tout: attr.types([DT.DT_STRING]), _output_shapes: shapesAttr([[]]), f: attr.func(saveName),
    }));
    const restoreCall = scope.unique('StatefulPartitionedCall');
    graphNodes.push(node(restoreCall, 'StatefulPartitionedCall', [filename, ...variableNodes.map((v) => handleOf.get(v.id)!)], {
      Tin: attr.types([DT.DT_STRING, ...varDtypes.map(() => DT.DT_RESOURCE)]), Tout: attr.types([DT.DT_STRING]), _output_shapes: shapesAttr([[]]), f: attr.func(restoreName),
    }));
    saverDef = {
      filename_tensor_name: `${filename}:0`, save_tensor_name: `${saveCall}:0`, restore_op_name: restoreCall,
      version: tensorflow.SaverDef.CheckpointFormatVersion.V2,
    };
  }

  const graph: tensorflow.IGraphDef = {
    node: graphNodes,
    library: { function: library },
    versions: { producer: GRAPH_DEF_PRODUCER, min_consumer: GRAPH_DEF_MIN_CONSUMER },
  };
  // copy-on-write: traced functions share their node objects with the tracer (clone-message.ts)
  if (options.stripDefaultAttrs !== false) stripDefaultAttrs(graph, { copyOnWrite: true });

  // 6. object graph
  const objNodes: tensorflow.ISavedObject[] = [];
  const defaultVersion = { producer: 1, min_consumer: 1 };
  for (let i = 0; i < checkpointCount; i++) {
    const n = nodes[i]!;
    const o: tensorflow.ISavedObject = {};
    if (children[i]!.length) o.children = children[i];
    if (slotRefs.has(i)) o.slot_variables = slotRefs.get(i)!;
    if (n.kind === 'variable') {
      const info = n.info;
      o.variable = { dtype: info.dtype, shape: shapeProto(info.shape), trainable: info.trainable, name: info.name };
      if (info.synchronization) o.variable.synchronization = info.synchronization;
      if (info.aggregation) o.variable.aggregation = info.aggregation;
    } else {
      o.user_object = { identifier: n.identifier, version: n.version ?? defaultVersion };
    }
    objNodes.push(o);
  }
  const concreteFunctions: Record<string, tensorflow.ISavedConcreteFunction> = {};
  const addConcrete = (name: string, fn: ExportableFunction, canonical: tensorflow.IStructuredValue, output: tensorflow.IStructuredValue) => {
    const c: tensorflow.ISavedConcreteFunction = { canonicalized_input_signature: canonical, output_signature: output };
    const b = boundInputs.get(fn) ?? [];
    if (b.length) c.bound_inputs = b;
    concreteFunctions[name] = c;
  };
  fnNodes.forEach((fnode, k) => {
    const id = checkpointCount + k;
    if ('wrapper' in fnode) {
      const s = fnode.wrapper;
      const w = wrapperEntries.get(s.key)!;
      objNodes.push({
        bare_concrete_function: {
          concrete_function_name: w.exported, argument_keywords: w.argKeys, ...(w.argKeys.length === 1 ? { allowed_positional_arguments: 1 } : {}), // 0 is proto3's default: unset, as TF serializes it
          ...(options.tracedFunctionNodes ? { function_spec: { fullargspec: argSpec([], null, 'kwargs'), input_signature: sv.none() } } : {}),
        },
      });
      const fields: Record<string, tensorflow.IStructuredValue> = {};
      s.keywords.forEach((k2, i) => { fields[k2] = sv.spec(s.fn.inputs[i]!.spec, k2); });
      const outs: Record<string, tensorflow.IStructuredValue> = {};
      for (const o of s.outputs) outs[o.key] = sv.spec(o.spec, o.key);
      addConcrete(w.exported, s.fn, sv.tuple([sv.tuple([]), sv.dict(fields)]), sv.dict(outs));
      return;
    }
    const f = fnode.attr;
    const list = fnNodeConcretes.get(id)!;
    for (const e of list) addConcrete(e.exported, e.fn, canonicalInputs(e.fn.inputSignature), outputSignature(e.fn.structuredOutputs));
    if (f instanceof PolymorphicFunction) {
      const o: tensorflow.ISavedObject = { function: { concrete_functions: list.map((e) => e.exported), function_spec: polymorphicSpec(f) } };
      if (fnChildren.has(id)) o.children = o.dependencies = fnChildren.get(id)!; // TF >= 2.9 writes both
      objNodes.push(o);
    } else {
      const e = list[0]!;
      const keywords = e.fn.inputs.map((inp) => inp.spec.name ?? inp.argName);
      objNodes.push({
        bare_concrete_function: {
          concrete_function_name: e.exported, argument_keywords: keywords, ...(keywords.length ? { allowed_positional_arguments: keywords.length } : {}),
          ...(options.tracedFunctionNodes ? { function_spec: { fullargspec: argSpec([], 'args', 'kwargs'), input_signature: sv.none() } } : {}),
        },
      });
    }
  });
  for (const t of traceNodes) {
    const keywords = t.entry.fn.inputs.map((inp) => inp.spec.name ?? inp.argName);
    objNodes.push({
      bare_concrete_function: {
        concrete_function_name: t.entry.exported, argument_keywords: keywords,
        ...(keywords.length ? { allowed_positional_arguments: keywords.length } : {}), function_spec: t.spec,
      },
    });
  }

  const metaInfo: tensorflow.MetaGraphDef.IMetaInfoDef = {
    stripped_op_list: buildStrippedOpList(graph, options.strippedOpsFollowCalls ? { followCalls: true } : {}),
    tags: ['serve'],
    tensorflow_git_version: SDK_MARKER,
    stripped_default_attrs: options.stripDefaultAttrs !== false,
  };
  if (Object.keys(functionAliases).length) metaInfo.function_aliases = functionAliases;

  const metaGraph: tensorflow.IMetaGraphDef = {
    meta_info_def: metaInfo,
    graph_def: graph,
    collection_def: { saved_model_main_op: { node_list: { value: [initOp] } } },
    signature_def: signatureDefs,
    object_graph_def: { nodes: objNodes, concrete_functions: concreteFunctions },
  };
  if (saverDef) metaGraph.saver_def = saverDef;

  // 8. checkpoint: variables in object-graph order, then the object graph. Values are read when
  // writeSavedModel streams each record (one backend read per variable, released once written;
  // reads from a device are started ahead, see core's read-ahead.ts).
  const checkpoint: (CheckpointTensor | DeferredCheckpointTensor)[] = variableNodes.map((v) => {
    const info = v.node.info;
    const t: DeferredCheckpointTensor = { key: v.checkpointKey, dtype: info.dtype, shape: info.shape, load: () => info.load() };
    if (info.openReader) t.openReader = () => info.openReader!();
    if (info.readsFromDevice?.()) t.readsFromDevice = true;
    return t;
  });
  checkpoint.push({ key: OBJECT_GRAPH_KEY, dtype: DT.DT_STRING, shape: [], data: [encodeGraph(trackableGraph((v) => v.node.info.name))] });

  return {
    content: { savedModel: { saved_model_schema_version: 1, meta_graphs: [metaGraph] }, checkpoint },
    signatures: sigInfo,
    variables: variableNodes.map((v) => ({ key: v.checkpointKey, info: v.node.info })),
    nodeIds: ids,
    nodeOrigins,
  };
}
