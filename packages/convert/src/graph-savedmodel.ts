// A tfjs graph model as a SavedModel, the faithful way (what tfjs-to-tf does in Python): the
// GraphDef of `modelTopology` is rebuilt node for node (library functions kept), fused ops are
// split back into registry ops (unfuse.ts), and each weight becomes the value of its Const — or,
// with `variables`, a TF1 variable restored from a checkpoint by a saver. The signature comes
// from model.json's `signature` (keys, dtypes, shapes with -1 kept), else from the Placeholders
// and the graph's unconsumed outputs. A TF1-style MetaGraphDef: what session-based loaders and
// our runtime read directly.
import { SavedModelError, attrValuesEqual, buildStrippedOpList, getOpDef, tensorflow, validateGraphDef, type CheckpointTensor, type OpDefLookup, type SavedModelContent } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';
import { refNodeName } from '@savedmodel-js/runtime';
import { GRAPH_DEF_PRODUCER, SDK_MARKER } from '@savedmodel-js/export';
import { graphDefFromJson, messageFromJson } from './graph-json.js';
import type { ModelJson, SignatureJson } from './model-json.js';
import { constTensor } from './tensor-values.js';
import { unfuseFunction, unfuseNodes } from './unfuse.js';
import { addVariables } from './variables.js';
import type { DecodedWeight } from './weights.js';

const DT = tensorflow.DataType;
type NodeDef = tensorflow.INodeDef;

export interface GraphConvertOptions {
  /** Weights as variables in a checkpoint (TF1 VariableV2 + saver) instead of Const values. */
  variables?: boolean;
  /** float16-quantized weights stay float16 in the SavedModel, Cast to float32 in the graph. */
  keepFloat16?: boolean;
  /** Signature key (default 'serving_default'). */
  signatureKey?: string;
  /**
   * TF 2.21's op registry (loadNewestOpRegistry): attrs a later TensorFlow added to an op, found at
   * their default, are dropped. Without it such an attr fails validation.
   */
  newestOpDefs?: OpDefLookup;
}

export interface GraphConvertReport {
  /** Op → number of nodes, top level and functions, after splitting. */
  opHistogram: Record<string, number>;
  /** Fused op → how many were split. */
  splitOps: Record<string, number>;
  signature: { inputs: Record<string, TensorSummary>; outputs: Record<string, TensorSummary> };
  variables: number;
  warnings: string[];
}

export interface TensorSummary { name: string; dtype: string; shape: number[] | null }

const SKIP_AS_OUTPUT = new Set(['Const', 'NoOp', 'Placeholder', 'PlaceholderWithDefault', 'Assert', 'SaveV2', 'RestoreV2']);

function dtypeName(t: number | null | undefined): string {
  return (DT as unknown as Record<number, string>)[t ?? 0] ?? String(t);
}

/** An op's output list, without materializing it: a list length comes from the file (Unpack num). */
interface OutputList {
  count: number;
  dtypeAt(index: number): number | undefined;
}

/** The outputs of `n`, from its OpDef and attrs (undefined when their count is not derivable). */
function outputList(n: NodeDef, functions: Map<string, tensorflow.IFunctionDef>): OutputList | undefined {
  const def = getOpDef(n.op ?? '');
  const attrs = n.attr ?? {};
  if (!def) {
    const args = functions.get(n.op ?? '')?.signature?.output_arg;
    return args ? { count: args.length, dtypeAt: (i) => args[i]?.type ?? undefined } : undefined;
  }
  const attrType = (name: string) => attrs[name]?.type ?? (def.attr ?? []).find((a) => a.name === name)?.default_value?.type ?? undefined;
  // per output arg: how many tensors, and their dtype(s)
  const runs: { count: number; dtype: (i: number) => number | undefined }[] = [];
  for (const arg of def.output_arg ?? []) {
    if (arg.type_list_attr) {
      const list = attrs[arg.type_list_attr]?.list?.type;
      if (!list) return undefined;
      runs.push({ count: list.length, dtype: (i) => list[i] });
      continue;
    }
    const t = arg.type || (arg.type_attr ? attrType(arg.type_attr) : undefined);
    const count = arg.number_attr ? Number(attrs[arg.number_attr]?.i ?? NaN) : 1;
    if (!Number.isSafeInteger(count) || count < 0) return undefined;
    runs.push({ count, dtype: () => t });
  }
  return {
    count: runs.reduce((a, r) => a + r.count, 0),
    dtypeAt(index) {
      let at = 0;
      for (const r of runs) {
        if (index < at + r.count) return r.dtype(index - at);
        at += r.count;
      }
      return undefined;
    },
  };
}

/** dtype of output `index` of `n` (undefined when not derivable). */
function outputDtype(n: NodeDef, functions: Map<string, tensorflow.IFunctionDef>, index = 0): number | undefined {
  return outputList(n, functions)?.dtypeAt(index);
}

function shapeSummary(s: tensorflow.ITensorShapeProto | null | undefined): number[] | null {
  if (!s || s.unknown_rank) return null;
  return (s.dim ?? []).map((d) => Number(d.size ?? 0));
}

/**
 * The signature model.json declares. tensorflowjs_converter may write a TensorInfo with its name
 * alone: the dtype is then the op's (from its registry entry and attrs), the shape a Placeholder's
 * own or unknown (an absent TensorShapeProto would claim a scalar).
 */
function signatureFromJson(sig: SignatureJson, nodes: Map<string, NodeDef>, functions: Map<string, tensorflow.IFunctionDef>, file: string): tensorflow.ISignatureDef {
  const side = (m: SignatureJson['inputs'], what: string) => {
    const out: Record<string, tensorflow.ITensorInfo> = {};
    for (const [k, v] of Object.entries(m ?? {})) {
      const info = messageFromJson<tensorflow.ITensorInfo>('tensorflow.TensorInfo', v, `signature.${what}.${k}`, file);
      const node = (info.name ?? '').split(':')[0]!;
      if (!nodes.has(node)) {
        throw new SavedModelError('INVALID_ARGUMENT', `model.json signature ${what} ${JSON.stringify(quoteSnippet(k))} names tensor ${JSON.stringify(quoteSnippet(info.name ?? ''))}, which is not in the graph`, { file, key: k });
      }
      if (!(info.name ?? '').includes(':')) info.name = `${info.name}:0`;
      const n = nodes.get(node)!;
      const indexText = (info.name ?? '').slice(node.length + 1);
      const index = /^(0|[1-9][0-9]{0,8})$/.test(indexText) ? Number(indexText) : -1;
      const outs = outputList(n, functions);
      if (index < 0 || (outs && index >= outs.count)) {
        throw new SavedModelError('INVALID_ARGUMENT', `model.json signature ${what} ${JSON.stringify(quoteSnippet(k))} names ${JSON.stringify(quoteSnippet(info.name ?? ''))}, but ${quoteSnippet(n.op ?? '', 60)} node ${JSON.stringify(quoteSnippet(node))} has ${outs ? `${outs.count} output${outs.count === 1 ? '' : 's'}` : 'no such output'}`, { file, key: k });
      }
      const derived = outs?.dtypeAt(index);
      if (!info.dtype) {
        if (!derived) throw new SavedModelError('INVALID_ARGUMENT', `model.json signature ${what} ${JSON.stringify(quoteSnippet(k))} has no dtype, and op ${quoteSnippet(n.op ?? '', 60)} does not tell the dtype of ${JSON.stringify(quoteSnippet(info.name ?? ''))}`, { file, key: k });
        info.dtype = derived;
      } else if (derived && derived !== info.dtype) {
        // TensorFlow would refuse to feed or fetch it so: the file contradicts its graph
        throw new SavedModelError('INVALID_ARGUMENT', `model.json signature ${what} ${JSON.stringify(quoteSnippet(k))} says ${dtypeName(info.dtype)}, but ${JSON.stringify(quoteSnippet(info.name ?? ''))} (op ${quoteSnippet(n.op ?? '', 60)}) is ${dtypeName(derived)}`, { file, key: k });
      }
      if (!info.tensor_shape) info.tensor_shape = n.op === 'Placeholder' && n.attr?.shape?.shape ? n.attr.shape.shape : { unknown_rank: true };
      out[k] = info;
    }
    return out;
  };
  return { inputs: side(sig.inputs, 'inputs'), outputs: side(sig.outputs, 'outputs'), method_name: sig.methodName || 'tensorflow/serving/predict' };
}

function inferredSignature(nodes: NodeDef[], functions: Map<string, tensorflow.IFunctionDef>, warnings: string[]): tensorflow.ISignatureDef {
  const consumed = new Set<string>();
  for (const n of nodes) for (const i of n.input ?? []) consumed.add(refNodeName(i));
  const inputs: Record<string, tensorflow.ITensorInfo> = {};
  const outputs: Record<string, tensorflow.ITensorInfo> = {};
  for (const n of nodes) {
    const name = n.name ?? '';
    if (n.op === 'Placeholder') {
      inputs[name] = { name: `${name}:0`, dtype: n.attr?.dtype?.type ?? DT.DT_FLOAT, tensor_shape: n.attr?.shape?.shape ?? { unknown_rank: true } };
    } else if (!consumed.has(name) && !SKIP_AS_OUTPUT.has(n.op ?? '')) {
      const dtype = outputDtype(n, functions);
      if (dtype === undefined) { warnings.push(`output ${name} (${n.op}): dtype not derivable, left out of the signature`); continue; }
      outputs[name] = { name: `${name}:0`, dtype, tensor_shape: { unknown_rank: true } };
    }
  }
  return { inputs, outputs, method_name: 'tensorflow/serving/predict' };
}

/** Op → node count over the graph and its functions, sorted by op. */
export function histogram(graph: tensorflow.IGraphDef): Record<string, number> {
  const h: Record<string, number> = {};
  const count = (n: NodeDef) => { h[n.op ?? ''] = (h[n.op ?? ''] ?? 0) + 1; };
  (graph.node ?? []).forEach(count);
  for (const f of graph.library?.function ?? []) (f.node_def ?? []).forEach(count);
  return Object.fromEntries(Object.entries(h).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Const values from the weights (float16 kept as Const + Cast when asked). */
function fillConstants(nodes: NodeDef[], weights: Map<string, DecodedWeight>, keepFloat16: boolean, file: string): { nodes: NodeDef[]; used: Set<string> } {
  const out: NodeDef[] = [];
  const used = new Set<string>();
  const taken = new Set(nodes.map((n) => n.name ?? ''));
  for (const n of nodes) {
    if (n.op !== 'Const') { out.push(n); continue; }
    const name = n.name ?? '';
    const dtype = n.attr?.dtype?.type ?? n.attr?.value?.tensor?.dtype ?? DT.DT_FLOAT;
    const w = weights.get(name);
    if (!w) {
      const t = n.attr?.value?.tensor;
      const hasValue = t && (t.tensor_content?.length || t.float_val?.length || t.int_val?.length || t.int64_val?.length || t.string_val?.length || t.bool_val?.length || t.double_val?.length || t.half_val?.length);
      if (!hasValue && (t?.tensor_shape?.dim ?? []).every((d) => Number(d.size) !== 0)) {
        throw new SavedModelError('INVALID_ARGUMENT', `Const ${JSON.stringify(quoteSnippet(name))} has no weight in the manifest and no value in model.json`, { file, key: name });
      }
      out.push(n);
      continue;
    }
    used.add(name);
    if (keepFloat16 && w.half && dtype === DT.DT_FLOAT) {
      let hn = `${name}/float16`;
      for (let i = 1; taken.has(hn); i++) hn = `${name}/float16_${i}`;
      taken.add(hn);
      out.push({ name: hn, op: 'Const', input: [], attr: { dtype: { type: DT.DT_HALF }, value: { tensor: constTensor(DT.DT_HALF, w) } }, ...(n.device ? { device: n.device } : {}) });
      out.push({ name, op: 'Cast', input: [hn, ...(n.input ?? [])], attr: { SrcT: { type: DT.DT_HALF }, DstT: { type: DT.DT_FLOAT }, Truncate: { b: false } }, ...(n.device ? { device: n.device } : {}) });
      continue;
    }
    out.push({ ...n, attr: { ...n.attr, dtype: { type: dtype }, value: { tensor: constTensor(dtype, w) } } });
  }
  return { nodes: out, used };
}

/** Initializer graph of tfjs (hash tables): its nodes join the graph, run by __saved_model_init_op. */
function mergeInitializer(graph: tensorflow.IGraphDef, init: tensorflow.IGraphDef): string | undefined {
  const nodes = graph.node ?? [];
  const names = new Set(nodes.map((n) => n.name ?? ''));
  const initNodes = init.node ?? [];
  if (initNodes.length === 0) return undefined;
  for (const n of initNodes) {
    if (names.has(n.name ?? '')) {
      // tfjs shares table nodes between the two graphs; the model graph's copy is kept.
      continue;
    }
    nodes.push(n);
    names.add(n.name ?? '');
  }
  const consumed = new Set<string>();
  for (const n of initNodes) for (const i of n.input ?? []) consumed.add(refNodeName(i));
  let initName = 'init_all_tables';
  for (let i = 1; names.has(initName); i++) initName = `init_all_tables_${i}`;
  const roots = initNodes.filter((n) => !consumed.has(n.name ?? '')).map((n) => `^${n.name}`);
  nodes.push({ name: initName, op: 'NoOp', input: roots, attr: {} });
  graph.node = nodes;
  return initName;
}

/** The public attrs among `names` that `def` (TF 2.2's OpDef) does not declare: what a later TF added, or nothing TF knows. */
export function* undeclaredAttrs(def: tensorflow.IOpDef, names: readonly string[]): Generator<string> {
  for (const k of names) if (!k.startsWith('_') && !(def.attr ?? []).some((a) => a.name === k)) yield k;
}

/**
 * Drops the attrs a TensorFlow newer than 2.2 added to an op where they hold that op's default,
 * counting them per "Op.attr": TF 2.4's converter writes explicit_paddings=[] on every
 * DepthwiseConv2dNative, which TF 2.2's registry does not declare. The op means the same without
 * it and any TF >= 2.2 loads it. A newer attr at another value is kept (and fails validation):
 * dropping it would change what the op computes.
 */
function dropNewerDefaultAttrs(nodes: readonly NodeDef[], newest: OpDefLookup, dropped: Map<string, number>): void {
  for (const n of nodes) {
    const attrs = n.attr;
    if (!attrs) continue;
    const op = n.op ?? '';
    const def = getOpDef(op);
    if (!def) continue; // a function call, or an op the unknown-op check reports
    for (const k of undeclaredAttrs(def, Object.keys(attrs))) {
      const dflt = newest(op)?.attr?.find((a) => a.name === k)?.default_value;
      if (dflt && attrValuesEqual(attrs[k]!, dflt)) {
        delete attrs[k];
        dropped.set(`${op}.${k}`, (dropped.get(`${op}.${k}`) ?? 0) + 1);
      }
    }
  }
}

export interface GraphConversion {
  content: SavedModelContent;
  report: GraphConvertReport;
}

export function graphModelToSavedModel(model: ModelJson, weights: Map<string, DecodedWeight>, options: GraphConvertOptions = {}, file = 'model.json'): GraphConversion {
  const warnings: string[] = [];
  const graph = graphDefFromJson(model.modelTopology, file);
  const splitOps: Record<string, number> = {};
  const addSplit = (m: Map<string, number>) => { for (const [k, v] of m) splitOps[k] = (splitOps[k] ?? 0) + v; };

  const top = unfuseNodes(graph.node ?? []);
  addSplit(top.split);
  const filled = fillConstants(top.nodes, weights, options.keepFloat16 === true, file);
  graph.node = filled.nodes;
  for (const name of weights.keys()) if (!filled.used.has(name)) warnings.push(`weight ${quoteSnippet(name)} feeds no Const of the graph (left out)`);
  if (graph.library?.function?.length) {
    graph.library.function = graph.library.function.map((f) => {
      const r = unfuseFunction(f);
      addSplit(r.split);
      return r.fn;
    });
  }
  let initOp: string | undefined;
  if (model.modelInitializer) {
    const init = graphDefFromJson(model.modelInitializer, file);
    const initNodes = unfuseNodes(init.node ?? []);
    init.node = fillConstants(initNodes.nodes, weights, false, file).nodes;
    initOp = mergeInitializer(graph, init);
  }
  if (!graph.versions?.producer) graph.versions = { producer: GRAPH_DEF_PRODUCER };
  if (options.newestOpDefs) {
    const dropped = new Map<string, number>();
    dropNewerDefaultAttrs(graph.node ?? [], options.newestOpDefs, dropped);
    for (const f of graph.library?.function ?? []) dropNewerDefaultAttrs(f.node_def ?? [], options.newestOpDefs, dropped);
    for (const [k, count] of dropped) warnings.push(`attr ${quoteSnippet(k)} (added after TF 2.2) dropped at its default from ${count} node${count > 1 ? 's' : ''}`);
  }

  // Ops neither in the registry nor library functions: nothing downstream could run them.
  const functions = new Map((graph.library?.function ?? []).map((f) => [f.signature?.name ?? '', f]));
  const unknown = new Map<string, string>();
  const scan = (nodes: NodeDef[]) => { for (const n of nodes) if (!getOpDef(n.op ?? '') && !functions.has(n.op ?? '') && !unknown.has(n.op ?? '')) unknown.set(n.op ?? '', n.name ?? ''); };
  scan(graph.node ?? []);
  for (const f of functions.values()) scan(f.node_def ?? []);
  if (unknown.size > 0) {
    const [op, node] = [...unknown][0]!;
    throw new SavedModelError('UNSUPPORTED', `op${unknown.size > 1 ? 's' : ''} ${[...unknown.keys()].map((o) => quoteSnippet(o, 60)).join(', ')} ${unknown.size > 1 ? 'are' : 'is'} neither in TensorFlow's op registry nor a fusion we can split (e.g. node ${JSON.stringify(quoteSnippet(node))} is ${quoteSnippet(op, 60)})`, { file, key: node });
  }

  const nodes = new Map((graph.node ?? []).map((n) => [n.name ?? '', n]));
  const sig = model.signature && Object.keys(model.signature.outputs ?? {}).length > 0
    ? signatureFromJson(model.signature, nodes, functions, file)
    : inferredSignature(graph.node ?? [], functions, warnings);
  if (Object.keys(sig.inputs ?? {}).length === 0) {
    // a model.json signature naming outputs only (tfjs takes the Placeholders as the inputs then)
    sig.inputs = inferredSignature(graph.node ?? [], functions, []).inputs;
  }
  if (Object.keys(sig.outputs ?? {}).length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'the graph has no outputs to sign', { file });

  let checkpoint: CheckpointTensor[] | undefined;
  let saverDef: tensorflow.ISaverDef | undefined;
  if (options.variables) {
    const v = addVariables(graph, filled.used);
    checkpoint = v.checkpoint;
    saverDef = v.saverDef;
  }

  const findings = validateGraphDef(graph, { strict: true }).filter((f) => f.severity === 'error');
  if (findings.length > 0) {
    const f = findings[0]!;
    throw new SavedModelError('INVALID_GRAPH', `the rebuilt graph does not validate against the op registry (${findings.length} finding${findings.length > 1 ? 's' : ''}; first: ${f.code} at ${quoteSnippet(f.where)}: ${quoteSnippet(f.message)})`, { file });
  }

  const signatureKey = options.signatureKey ?? 'serving_default';
  const signatureDefs: Record<string, tensorflow.ISignatureDef> = { [signatureKey]: sig };
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: { stripped_op_list: buildStrippedOpList(graph), tags: ['serve'], tensorflow_git_version: SDK_MARKER },
    graph_def: graph,
    signature_def: signatureDefs,
  };
  if (initOp) {
    signatureDefs.__saved_model_init_op = { outputs: { __saved_model_init_op: { name: initOp, tensor_shape: { unknown_rank: true } } } };
    mg.collection_def = { saved_model_main_op: { node_list: { value: [initOp] } } };
  }
  if (saverDef) mg.saver_def = saverDef;

  const metadata = {
    format: model.format,
    generatedBy: model.generatedBy ?? null,
    convertedBy: model.convertedBy ?? null,
    userDefinedMetadata: model.userDefinedMetadata ?? null,
    signature: model.signature ?? null,
    convertedTo: SDK_MARKER,
  };
  const content: SavedModelContent = {
    savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] },
    assetsExtra: new Map([['tfjs_model_metadata.json', new TextEncoder().encode(`${JSON.stringify(metadata, null, 2)}\n`)]]),
  };
  if (checkpoint) content.checkpoint = checkpoint;

  const summary = (m: Record<string, tensorflow.ITensorInfo> | null | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, { name: v.name ?? '', dtype: dtypeName(v.dtype), shape: shapeSummary(v.tensor_shape) }]));
  return {
    content,
    report: {
      opHistogram: histogram(graph),
      splitOps,
      signature: { inputs: summary(sig.inputs), outputs: summary(sig.outputs) },
      variables: checkpoint?.length ?? 0,
      warnings,
    },
  };
}
