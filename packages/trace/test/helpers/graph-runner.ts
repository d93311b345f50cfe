// Test harness: runs a traced FunctionDef with @tensorflow/tfjs-converter's GraphModel executor
// (not our code). Captured variables are frozen into Const nodes, user inputs become
// Placeholders, "node:out_arg:i" references become "node:<flat index>" using the OpDef's
// output args, and the GraphDef is handed over in the JSON form tfjs-converter reads
// (camelCase fields, base64 strings, Const values as weights).
import * as tf from '@tensorflow/tfjs';
import { loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { getOpDef, tensorflow } from '@savedmodel-js/core';
import { toNumber } from '@savedmodel-js/core/internal';
import type { ConcreteFunction } from '../../src/index.js';

const DT = tensorflow.DataType;

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function shapeJson(s: tensorflow.ITensorShapeProto): Record<string, unknown> {
  if (s.unknown_rank) return { unknownRank: true };
  return { dim: (s.dim ?? []).map((d) => ({ size: toNumber(d.size) })) };
}

function attrJson(a: tensorflow.IAttrValue): Record<string, unknown> {
  if (a.list) {
    const l = a.list;
    const out: Record<string, unknown> = {};
    if (l.i?.length) out['i'] = l.i.map((x) => toNumber(x));
    if (l.f?.length) out['f'] = [...l.f];
    if (l.b?.length) out['b'] = [...l.b];
    if (l.s?.length) out['s'] = l.s.map(b64);
    if (l.type?.length) out['type'] = [...l.type];
    if (l.shape?.length) out['shape'] = l.shape.map(shapeJson);
    return { list: out };
  }
  if (a.s != null) return { s: b64(a.s) };
  if (a.i != null) return { i: toNumber(a.i) };
  if (a.f != null) return { f: a.f };
  if (a.b != null) return { b: a.b };
  if (a.type != null) return { type: a.type };
  if (a.shape != null) return { shape: shapeJson(a.shape) };
  if (a.func != null) return { func: { name: a.func.name } };
  return {};
}

function tfjsDtype(t: tensorflow.DataType): tf.DataType {
  switch (t) {
    case DT.DT_FLOAT: return 'float32';
    case DT.DT_INT32: return 'int32';
    case DT.DT_BOOL: return 'bool';
    default: throw new Error(`harness: dtype ${t}`);
  }
}

/** Values of a Const's TensorProto. */
function tensorValues(p: tensorflow.ITensorProto): { dtype: tf.DataType; shape: number[]; values: Float32Array | Int32Array | Uint8Array } {
  const dtype = tfjsDtype(p.dtype ?? DT.DT_INVALID);
  const shape = (p.tensor_shape?.dim ?? []).map((d) => toNumber(d.size));
  const n = shape.reduce((a, b) => a * b, 1);
  let values: Float32Array | Int32Array | Uint8Array;
  if (p.tensor_content && p.tensor_content.length > 0) {
    const c = p.tensor_content;
    const buf = c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength);
    values = dtype === 'float32' ? new Float32Array(buf) : dtype === 'int32' ? new Int32Array(buf) : new Uint8Array(buf);
  } else {
    const src: number[] = dtype === 'float32' ? [...(p.float_val ?? [])] : dtype === 'int32' ? [...(p.int_val ?? [])] : (p.bool_val ?? []).map((b) => (b ? 1 : 0));
    const one = src.length === 1 ? src[0]! : 0;
    const full = Array.from({ length: n }, (_, i) => src[i] ?? one);
    values = dtype === 'float32' ? Float32Array.from(full) : dtype === 'int32' ? Int32Array.from(full) : Uint8Array.from(full);
  }
  if (values.length !== n) throw new Error(`harness: constant holds ${values.length} values for shape [${shape}]`);
  return { dtype, shape, values };
}

/** Flat output index of "node:out_arg:i" for the producing node. */
function flatIndex(producer: tensorflow.INodeDef, outArg: string, i: number): number {
  const def = getOpDef(producer.op ?? '');
  if (!def) throw new Error(`harness: unknown op ${producer.op}`);
  let base = 0;
  for (const a of def.output_arg ?? []) {
    if (a.name === outArg) return base + i;
    let n = 1;
    if (a.number_attr) n = toNumber(producer.attr?.[a.number_attr]?.i ?? 0);
    else if (a.type_list_attr) n = producer.attr?.[a.type_list_attr]?.list?.type?.length ?? 0;
    base += n;
  }
  throw new Error(`harness: ${producer.op} has no output arg ${outArg}`);
}

export interface FrozenGraph {
  model: ReturnType<typeof loadGraphModelSync>;
  inputNames: string[];
  outputNames: string[];
  graphDef: Record<string, unknown>;
}

export function freezeToGraphModel(cf: ConcreteFunction): FrozenGraph {
  const fd = cf.functionDef;
  const nodes = fd.node_def ?? [];
  const byName = new Map(nodes.map((n) => [n.name ?? '', n]));
  const captured = new Map(cf.captures.map((c) => [c.argName, c]));
  const userArgs = new Set(cf.inputs.map((i) => i.argName));
  const rewrite = (ref: string): string => {
    if (ref.startsWith('^')) return ref;
    const parts = ref.split(':');
    if (parts.length === 1) {
      if (!userArgs.has(ref)) throw new Error(`harness: input ${ref} is neither a user arg nor a node output`);
      return ref;
    }
    if (parts.length !== 3) throw new Error(`harness: bad function input ${ref}`);
    const producer = byName.get(parts[0]!);
    if (!producer) throw new Error(`harness: dangling input ${ref}`);
    return `${parts[0]}:${flatIndex(producer, parts[1]!, Number(parts[2]))}`;
  };

  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  const addWeight = (name: string, dtype: tf.DataType, shape: number[], values: Float32Array | Int32Array | Uint8Array) => {
    weightSpecs.push({ name, dtype: dtype as 'float32' | 'int32' | 'bool', shape });
    chunks.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice());
  };

  const graphNodes: Record<string, unknown>[] = [];
  for (const inp of cf.inputs) {
    graphNodes.push({
      name: inp.argName, op: 'Placeholder',
      attr: { dtype: { type: tensorflow.DataType[`DT_${inp.spec.dtype === 'float32' ? 'FLOAT' : inp.spec.dtype === 'int32' ? 'INT32' : 'BOOL'}`] }, shape: { shape: { dim: inp.spec.shape.map((d) => ({ size: d ?? -1 })) } } },
    });
  }
  for (const n of nodes) {
    const name = n.name ?? '';
    const attrs = n.attr ?? {};
    if (n.op === 'ReadVariableOp' && captured.has(n.input?.[0] ?? '')) {
      const c = captured.get(n.input![0]!)!;
      addWeight(name, c.dtype, c.shape, c.values);
      graphNodes.push({ name, op: 'Const', attr: { dtype: attrJson(attrs['dtype']!) } });
      continue;
    }
    if (n.op === 'Const') {
      const v = tensorValues(attrs['value']!.tensor!);
      addWeight(name, v.dtype, v.shape, v.values);
      graphNodes.push({ name, op: 'Const', attr: { dtype: attrJson(attrs['dtype']!) } });
      continue;
    }
    const attrOut: Record<string, unknown> = {};
    for (const [k, a] of Object.entries(attrs)) attrOut[k] = attrJson(a);
    graphNodes.push({ name, op: n.op, input: (n.input ?? []).map(rewrite), attr: attrOut });
  }
  const outputNames = (fd.signature?.output_arg ?? []).map((a) => rewrite(fd.ret![a.name!]!));
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const data = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) { data.set(c, off); off += c.length; }
  const graphDef = { node: graphNodes, versions: { producer: 440 } };
  const model = loadGraphModelSync({ modelTopology: graphDef, weightSpecs, weightData: data.buffer, format: 'graph-model' } as tf.io.ModelArtifacts);
  return { model, inputNames: cf.inputs.map((i) => i.argName), outputNames, graphDef };
}

/** Runs the frozen graph on flat inputs; returns flat outputs. */
export function runFrozen(g: FrozenGraph, inputs: tf.Tensor[]): tf.Tensor[] {
  const feed: Record<string, tf.Tensor> = {};
  g.inputNames.forEach((n, i) => { feed[n] = inputs[i]!; });
  const out = g.model.execute(feed, g.outputNames);
  return Array.isArray(out) ? out : [out];
}
