// The TF2 SavedModel builder: from an object tree (variables, user objects, functions) and a set
// of signatures to exactly what tf.saved_model.save (TF 2.3 layout) writes: the object graph, the
// function library with signature wrappers and the _traced_save / _traced_restore functions
// (made by generated-functions.ts), the top-level graph (VarHandleOps, init NoOp, the
// object-graph Const, signature Placeholders and calls, saver_filename and the save / restore
// calls), saver_def, signature_def, collection_def, meta_info_def, and the checkpoint with its
// TrackableObjectGraph.
import { attr, buildStrippedOpList, SavedModelError, shapeProto, stripDefaultAttrs, tensorflow, type CheckpointTensor, type DeferredCheckpointTensor, type SavedModelContent } from '@savedmodel-js/core';
import { compareUtf8, flatWriter, Long } from '@savedmodel-js/core/internal';
import { TensorSpec, type Nested } from '@savedmodel-js/trace';
import { isExportableFunction, isTensorSpec, PolymorphicFunction, type ExportableFunction } from './function.js';
import { node, restoreFunction, saveFunction, shapesAttr, sharedAttrs, signatureWrapper, specDtype, specShape, tempId } from './generated-functions.js';
import type { FunctionAttr, ObjectNode, TreeNode, VariableNode } from './module.js';
import { canonicalInputs, fullArgSpec, inputSignatureValue, outputSignature, sv } from './structured.js';

const DT = tensorflow.DataType;

/** GraphDef producer written by TF 2.3.1, the release whose layout this builder reproduces. */
export const GRAPH_DEF_PRODUCER = 440;
export const GRAPH_DEF_MIN_CONSUMER = 12;
/** Written to meta_info_def.tensorflow_git_version; tensorflow_version stays empty (no TensorFlow wrote this). */
export const SDK_MARKER = 'savedmodel-js 0.1.0';

export const RESERVED_SIGNATURE_KEYS = ['__saved_model_init_op', '__saved_model_train_op'];

/** One signature to export: a concrete function and, optionally, explicit output keys (one per flat output). */
export interface SignatureTarget {
  fn: ExportableFunction;
  outputKeys?: readonly string[];
}

export interface BuildOptions {
  /** alias -> function: meta_info_def.function_aliases (SaveOptions.function_aliases). */
  functionAliases?: ReadonlyMap<string, FunctionAttr> | Record<string, FunctionAttr>;
  /** Remove default-valued attrs (default true, as TF 2 always does). */
  stripDefaultAttrs?: boolean;
  /** SaveOptions.experimental_skip_saver: no save/restore functions, no saver_def. */
  skipSaver?: boolean;
  /**
   * Optimizer slot variables (tf.keras OptimizerV2): per optimizer object (by key), the slots it
   * holds for tracked variables. Each slot becomes a node referenced from the optimizer's
   * `slot_variables`, saved as `<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<slot name>`.
   */
  /**
   * The object-graph layout of TF >= 2.9 (tf.keras 2.10's SavedModels): each tf.function node
   * lists its concrete functions as `trace_N` children (bare concrete functions carrying the
   * function spec), bare concrete functions have a function spec, and the checkpoint's
   * TrackableObjectGraph mirrors every node of the object graph with `has_checkpoint_values`.
   */
  tracedFunctionNodes?: boolean;
  /** stripped_op_list also lists the ops of functions called by (Stateful)PartitionedCall, as TF >= 2.4 does. */
  strippedOpsFollowCalls?: boolean;
  slotVariables?: readonly { optimizer: object; slots: readonly { variable: TreeNode; name: string; slot: VariableNode }[] }[];
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

export function escapeCheckpointName(s: string): string {
  if (s.indexOf('.') < 0 && s.indexOf('/') < 0) return s;
  return s.replace(/\./g, '..').replace(/\//g, '.S');
}

/** Names graphNodeName leaves as they are (checked first: most names are). */
const GRAPH_NAME_OK = /^[A-Za-z0-9.][A-Za-z0-9_.\-]*(?:\/[A-Za-z0-9_.\-]+)*$/;

/** Op-name sanitising as TF's signature placeholders: [A-Za-z0-9_.\-], leading invalid characters dropped. */
function opName(s: string): string {
  let n = s.replace(/[^A-Za-z0-9_.\-]/g, '_');
  n = n.replace(/^[^A-Za-z0-9.]+/, '');
  return n || 'input';
}

/** A valid top-level node name ([A-Za-z0-9.][A-Za-z0-9_.\-/]*) from a variable name. */
function graphNodeName(s: string): string {
  if (GRAPH_NAME_OK.test(s)) return s;
  const n = s.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/\/+/g, '/').replace(/^[^A-Za-z0-9.]+/, '').replace(/\/$/, '');
  return n || 'Variable';
}

/** Graph-level node names: unique case-insensitively, as tf.Graph.unique_name. */
class NameScope {
  private readonly used = new Set<string>();
  /** Per base, a suffix below which every `${base}_${i}` is taken (the set only grows): no rescans from 1. */
  private readonly nextSuffix = new Map<string, number>();
  unique(base: string): string {
    let n = base;
    if (this.used.has(n.toLowerCase())) {
      let i = this.nextSuffix.get(base) ?? 1;
      for (n = `${base}_${i}`; this.used.has(n.toLowerCase()); n = `${base}_${i}`) i++;
      this.nextSuffix.set(base, i + 1);
    }
    this.mark(n);
    return n;
  }
  /** Takes the name and every scope above it ("a/b/c": "a", "a/b", "a/b/c"), case-insensitively. */
  mark(name: string): void {
    const lower = name.toLowerCase();
    this.used.add(lower);
    // from the innermost scope out: a scope already taken has its parents taken too
    for (let i = lower.lastIndexOf('/'); i >= 0; i = lower.lastIndexOf('/', i - 1)) {
      const scope = lower.slice(0, i);
      if (this.used.has(scope)) break;
      this.used.add(scope);
      if (i === 0) break;
    }
  }
}

/**
 * A deep copy of a message tree (prototypes kept, so protobufjs defaults still read through;
 * bytes copied; Longs shared, they are immutable). Iterative: function bodies can be long. A
 * copy by value costs a fraction of an encode + decode round trip, which big graphs feel.
 */
function cloneMessage<T>(root: T): T {
  const copyOf = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return (v as Uint8Array).slice();
    if (Array.isArray(v)) return new Array(v.length);
    if (v instanceof Long) return v;
    return Object.create(Object.getPrototypeOf(v) as object | null);
  };
  const out = copyOf(root);
  const stack: Array<[Record<string, unknown>, Record<string, unknown>]> = [];
  if (out !== root && !ArrayBuffer.isView(out) && !(out instanceof Long)) stack.push([root as Record<string, unknown>, out as Record<string, unknown>]);
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const k of Object.keys(from)) {
      const v = from[k];
      const c = copyOf(v);
      to[k] = c;
      if (c !== v && c !== null && typeof c === 'object' && !ArrayBuffer.isView(c)) stack.push([v as Record<string, unknown>, c as Record<string, unknown>]);
    }
  }
  return out as T;
}

function cloneFunctionDef(fd: tensorflow.IFunctionDef, name: string): tensorflow.FunctionDef {
  const copy = cloneMessage(fd) as tensorflow.FunctionDef;
  if (!copy.signature) copy.signature = tensorflow.OpDef.create({});
  copy.signature.name = name;
  return copy;
}

function baseName(fdName: string): string {
  return fdName.replace(/^__inference_/, '').replace(/_g?\d+$/, '') || 'function';
}

function functionLabel(f: FunctionAttr, name: string): string {
  return f instanceof PolymorphicFunction ? `function ${name}` : `concrete function ${f.name}`;
}

// ---- signatures: outputs and keywords ----

interface NormalizedSignature {
  key: string;
  fn: ExportableFunction;
  /** keyword per flat inner input, in the inner function's order */
  keywords: string[];
  /** sorted by key: which flat output of the inner function */
  outputs: { key: string; index: number; spec: TensorSpec }[];
}

function signatureOutputs(key: string, t: SignatureTarget): { key: string; index: number; spec: TensorSpec }[] {
  const fn = t.fn;
  const flat = fn.outputs.map((o) => o.spec);
  const bad = (what: string) => new SavedModelError('INVALID_ARGUMENT',
    `Got a non-Tensor value ${what} in the output of the function ${fn.name} used to generate the SavedModel signature '${key}'. ` +
    'Outputs for functions used as signatures must be a single Tensor, a sequence of Tensors, or a dictionary from string to Tensor.', { key });
  let out: { key: string; index: number; spec: TensorSpec }[];
  if (t.outputKeys) {
    if (t.outputKeys.length !== flat.length) throw new SavedModelError('INVALID_ARGUMENT', `signature '${key}': ${t.outputKeys.length} output keys for ${flat.length} outputs`, { key });
    out = t.outputKeys.map((k, i) => ({ key: k, index: i, spec: flat[i]! }));
  } else {
    const s = fn.structuredOutputs;
    if (s === null) throw bad('None');
    if (isTensorSpec(s)) out = [{ key: 'output_0', index: 0, spec: flat[0]! }];
    else if (Array.isArray(s)) {
      out = (s as Nested<TensorSpec>[]).map((x, i) => {
        if (!isTensorSpec(x)) throw bad(`(a nested structure) for key 'output_${i}'`);
        return { key: `output_${i}`, index: i, spec: flat[i]! };
      });
    } else {
      const keys = Object.keys(s).sort();
      out = keys.map((k, i) => {
        if (!isTensorSpec((s as Record<string, unknown>)[k])) throw bad(`(a nested structure) for key '${k}'`);
        return { key: k, index: i, spec: flat[i]! };
      });
    }
  }
  if (out.length === 0) throw bad('(no outputs)');
  const seen = new Set<string>();
  for (const o of out) {
    if (seen.has(o.key)) throw new SavedModelError('INVALID_ARGUMENT', `signature '${key}' has two outputs named '${o.key}'`, { key });
    seen.add(o.key);
  }
  return out.sort((a, b) => compareUtf8(a.key, b.key));
}

function normalizeSignature(key: string, t: SignatureTarget): NormalizedSignature {
  if (typeof key !== 'string' || key.length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'signature keys must be non-empty strings');
  if (RESERVED_SIGNATURE_KEYS.includes(key)) {
    throw new SavedModelError('INVALID_ARGUMENT', `signature key '${key}' is reserved for the SavedModel's ${key === '__saved_model_init_op' ? 'initialization' : 'training'} op`, { key });
  }
  const keywords = t.fn.inputs.map((inp) => inp.spec.name ?? inp.argName);
  const seen = new Set<string>();
  for (const k of keywords) {
    if (seen.has(k)) throw new SavedModelError('INVALID_ARGUMENT', `Got two arguments with the same name '${k}' in the function used for signature '${key}'; give the TensorSpecs distinct names`, { key });
    seen.add(k);
  }
  return { key, fn: t.fn, keywords, outputs: signatureOutputs(key, t) };
}

/** TF's rule for a default signature: `_default_save_signature`, else the only root function with an input signature that returns tensors. */
export async function defaultSignature(root: ObjectNode): Promise<SignatureTarget | null> {
  const fns = root.functions();
  const explicit = fns.find(([n]) => n === '_default_save_signature');
  const asConcrete = async (f: FunctionAttr): Promise<ExportableFunction | null> => {
    if (isExportableFunction(f)) return f;
    if (f.inputSignature) return f.getConcreteFunction();
    return null;
  };
  if (explicit) {
    const cf = await asConcrete(explicit[1]);
    if (cf) return { fn: cf };
  }
  const candidates: ExportableFunction[] = [];
  for (const [, f] of fns) {
    const cf = await asConcrete(f);
    if (cf && cf.outputs.length > 0 && cf.structuredOutputs !== null) candidates.push(cf);
  }
  return candidates.length === 1 ? { fn: candidates[0]! } : null;
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
  const nodes: TreeNode[] = [root];
  const ids = new Map<object, number>([[root.key, 0]]);
  const children: tensorflow.TrackableObjectGraph.TrackableObject.IObjectReference[][] = [[]];
  const paths: string[][] = [[]];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind !== 'object') continue;
    const deps = n.deps();
    if (i === 0) {
      if (deps.some(([name]) => name === 'signatures') || n.functions().some(([name]) => name === 'signatures')) {
        throw new SavedModelError('INVALID_ARGUMENT', "the exported object has an attribute named 'signatures', which the SavedModel reserves for its signature map", { key: 'signatures' });
      }
      deps.push(['signatures', signatureMap]);
    }
    const names = new Set<string>();
    for (const [name, child] of deps) {
      if (names.has(name)) throw new SavedModelError('INVALID_ARGUMENT', `two dependencies named '${name}'`, { key: name });
      names.add(name);
      let id = ids.get(child.key);
      if (id === undefined) {
        id = nodes.length;
        ids.set(child.key, id);
        nodes.push(child);
        children.push([]);
        paths.push([...paths[i]!, name]);
      }
      children[i]!.push({ node_id: id, local_name: name });
    }
  }
  // slot variables: nodes of their own after the dependency tree, reached only through the optimizer
  const keyPrefix = new Map<number, string>();
  const slotRefs = new Map<number, tensorflow.TrackableObjectGraph.TrackableObject.ISlotVariableReference[]>();
  for (const so of options.slotVariables ?? []) {
    const optId = ids.get(so.optimizer);
    if (optId === undefined) continue;
    for (const s of so.slots) {
      const origId = ids.get(s.variable.key);
      if (origId === undefined) continue;
      let sid = ids.get(s.slot.key);
      if (sid === undefined) {
        sid = nodes.length;
        ids.set(s.slot.key, sid);
        nodes.push(s.slot);
        children.push([]);
        paths.push([...paths[origId]!, '.OPTIMIZER_SLOT', ...paths[optId]!, s.name]);
        keyPrefix.set(sid, `${paths[origId]!.map(escapeCheckpointName).join('/')}/.OPTIMIZER_SLOT/${paths[optId]!.map(escapeCheckpointName).join('/')}/${escapeCheckpointName(s.name)}`);
      }
      const refs = slotRefs.get(optId) ?? [];
      refs.push({ original_variable_node_id: origId, slot_name: s.name, slot_variable_node_id: sid });
      slotRefs.set(optId, refs);
    }
  }
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
  if (options.stripDefaultAttrs !== false) stripDefaultAttrs(graph);

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
  // writeSavedModel streams each record (one backend read per variable, released once written).
  const checkpoint: (CheckpointTensor | DeferredCheckpointTensor)[] = variableNodes.map((v) => {
    const info = v.node.info;
    const t: DeferredCheckpointTensor = { key: v.checkpointKey, dtype: info.dtype, shape: info.shape, load: () => info.load() };
    if (info.openReader) t.openReader = () => info.openReader!();
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

function polymorphicSpec(f: PolymorphicFunction): tensorflow.IFunctionSpec {
  const args = f.isMethod ? ['self', ...f.argNames] : [...f.argNames];
  const spec: tensorflow.IFunctionSpec = { fullargspec: fullArgSpec(args), input_signature: inputSignatureValue(f.inputSignature) };
  if (f.isMethod) spec.is_method = true;
  return spec;
}

/** FullArgSpec with no named args and *args / **kwargs, as TF writes for bare concrete functions. */
function argSpec(args: string[], varargs: string | null, varkw: string | null): tensorflow.IStructuredValue {
  const full = fullArgSpec(args);
  for (const v of full.named_tuple_value!.values!) {
    if (v.key === 'varargs' && varargs) v.value = sv.str(varargs);
    if (v.key === 'varkw' && varkw) v.value = sv.str(varkw);
  }
  return full;
}
