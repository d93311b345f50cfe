// ParseExample / ParseExampleV2 / ParseSingleExample on the host: serialized tf.train.Example
// strings → dense tensors (fixed shapes with defaults, or a variable first dimension padded with
// the default), sparse tensors (indices, values, dense shape) and ragged tensors (values, row
// splits), with TensorFlow's output order and error cases (missing required feature, type
// mismatch, wrong value count).
import { tensorflow } from '@savedmodel-js/core';
import { toNumber } from '@savedmodel-js/core/internal';
import type { Tensor } from '@tensorflow/tfjs-core';
import { decodeExample } from '../examples.js';
import { attrInt, defineHostOp, hostFail, hostValues, numbersToTensor, stringsToTensor, tensorBytes, type HostNode } from '../host-ops.js';
import { dtypeName } from '../host-tensor.js';

const DT = tensorflow.DataType;

export type Values = Array<number | bigint> | Uint8Array[];

export interface DenseSpec { key: string; dtype: number; shape: number[]; dflt: Values }
interface SparseSpec { key: string; dtype: number }
interface RaggedSpec { key: string; dtype: number; splitDtype: number }

const dec = new TextDecoder();
export const MAX_PADDED_ELEMENTS = 2 ** 27;

export function typesAttr(node: HostNode, name: string): number[] {
  return [...(node.def.attr?.[name]?.list?.type ?? [])];
}

export function shapesAttr(node: HostNode, name: string): number[][] {
  return (node.def.attr?.[name]?.list?.shape ?? []).map((s) => (s.dim ?? []).map((d) => toNumber(d.size)));
}

export function valuesOf(t: Tensor): Values {
  if (t.dtype === 'string') return tensorBytes(t);
  return Array.from(hostValues(t));
}

function stringsOf(t: Tensor): string[] {
  return tensorBytes(t).map((b) => dec.decode(b));
}

/** A feature's values if its kind matches `dtype` (else INVALID_ARGUMENT, as TensorFlow). */
export function featureValues(node: HostNode, f: tensorflow.IFeature, key: string, dtype: number, index: number): Values {
  const mismatch = () => hostFail(node, 'INVALID_ARGUMENT', `Name: <unknown>, Key: ${key}, Index: ${index}. Data types don't match. Expected ${dtypeName(dtype)}`);
  if (dtype === DT.DT_FLOAT) {
    if (f.float_list) return [...(f.float_list.value ?? [])];
    if (f.bytes_list || f.int64_list) mismatch();
    return [];
  }
  if (dtype === DT.DT_INT64) {
    if (f.int64_list) return (f.int64_list.value ?? []).map((v) => BigInt(typeof v === 'object' && v !== null ? String(v) : (v as number)));
    if (f.bytes_list || f.float_list) mismatch();
    return [];
  }
  if (dtype === DT.DT_STRING) {
    if (f.bytes_list) return [...(f.bytes_list.value ?? [])];
    if (f.float_list || f.int64_list) mismatch();
    return [];
  }
  return hostFail(node, 'UNSUPPORTED', `feature ${key}: dtype ${dtypeName(dtype)} is not a tf.Example type`);
}

export function toTensor(values: Values, shape: number[], dtype: number, what: string): Tensor {
  if (dtype === DT.DT_STRING) return stringsToTensor(values as Uint8Array[], shape);
  return numbersToTensor(values as Array<number | bigint>, shape, dtype, what);
}

function parse(node: HostNode, serialized: Uint8Array[], batchShape: number[], dense: DenseSpec[], sparse: SparseSpec[], ragged: RaggedSpec[]): Tensor[] {
  const batch = serialized.length;
  const examples = serialized.map((b, i) => decodeExample(b, `op ${node.op} (${node.where}) example ${i}`));
  const sparseOut: Tensor[][] = [[], [], []];
  for (const s of sparse) {
    const indices: number[] = [];
    const values: Values = [];
    let maxLen = 0;
    examples.forEach((ex, i) => {
      const f = ex.get(s.key);
      const v = f ? featureValues(node, f, s.key, s.dtype, i) : [];
      v.forEach((x, j) => {
        if (batchShape.length > 0) indices.push(i);
        indices.push(j);
        (values as unknown[]).push(x);
      });
      maxLen = Math.max(maxLen, v.length);
    });
    const rank = batchShape.length + 1;
    sparseOut[0]!.push(numbersToTensor(indices, [values.length, rank], DT.DT_INT64, `${s.key} indices`));
    sparseOut[1]!.push(toTensor(values, [values.length], s.dtype, s.key));
    sparseOut[2]!.push(numbersToTensor(batchShape.length > 0 ? [batch, maxLen] : [maxLen], [rank], DT.DT_INT64, `${s.key} shape`));
  }
  const denseOut: Tensor[] = [];
  for (const d of dense) {
    const variable = d.shape.length > 0 && d.shape[0]! < 0;
    if (d.shape.slice(1).some((x) => x < 0)) hostFail(node, 'UNSUPPORTED', `dense feature ${d.key}: only the first dimension may be unknown`);
    const rowSize = d.shape.slice(1).reduce((a, b) => a * b, 1);
    const fixed = variable ? -1 : d.shape.reduce((a, b) => a * b, 1);
    const perExample: Values[] = examples.map((ex, i) => {
      const f = ex.get(d.key);
      const v = f ? featureValues(node, f, d.key, d.dtype, i) : undefined;
      if (v === undefined) {
        if (d.dflt.length === 0 && !variable) hostFail(node, 'INVALID_ARGUMENT', `Name: <unknown>, Feature: ${d.key} (data type: ${dtypeName(d.dtype)}) is required but could not be found.`);
        return variable ? [] : d.dflt;
      }
      if (!variable && v.length !== fixed) {
        hostFail(node, 'INVALID_ARGUMENT', `Name: <unknown>, Key: ${d.key}, Index: ${i}. Number of values != expected. Values size: ${v.length} but output shape: [${d.shape.join(',')}]`);
      }
      if (variable && v.length % rowSize !== 0) hostFail(node, 'INVALID_ARGUMENT', `Key: ${d.key}, Index: ${i}: ${v.length} values are not a multiple of the row size ${rowSize}`);
      return v;
    });
    let shape = d.shape;
    let flat: unknown[];
    if (variable) {
      let rows = 0;
      for (const v of perExample) rows = Math.max(rows, v.length / rowSize);
      // padding to the longest example: bounded, an untrusted batch must not allocate batch × longest
      if (rows * rowSize * Math.max(1, batch) > MAX_PADDED_ELEMENTS) {
        hostFail(node, 'LIMIT_EXCEEDED', `dense feature ${d.key}: padding ${batch} examples to ${rows} rows needs over ${MAX_PADDED_ELEMENTS} elements`);
      }
      if (d.dflt.length !== 1 && d.dflt.length !== 0) hostFail(node, 'UNSUPPORTED', `dense feature ${d.key}: a variable-length feature needs a scalar default`);
      const pad = d.dflt.length === 1 ? d.dflt[0]! : d.dtype === DT.DT_STRING ? new Uint8Array(0) : 0;
      flat = perExample.flatMap((v) => [...(v as unknown[]), ...new Array(rows * rowSize - v.length).fill(pad)]);
      shape = [rows, ...d.shape.slice(1)];
    } else {
      flat = perExample.flatMap((v) => v as unknown[]);
    }
    denseOut.push(toTensor(flat as Values, [...batchShape, ...shape], d.dtype, d.key));
  }
  const raggedOut: Tensor[][] = [[], []];
  for (const r of ragged) {
    const values: unknown[] = [];
    const splits = [0];
    examples.forEach((ex, i) => {
      const f = ex.get(r.key);
      const v = f ? featureValues(node, f, r.key, r.dtype, i) : [];
      values.push(...(v as unknown[]));
      splits.push(values.length);
    });
    raggedOut[0]!.push(toTensor(values as Values, [values.length], r.dtype, r.key));
    raggedOut[1]!.push(numbersToTensor(splits, [splits.length], r.splitDtype, `${r.key} row splits`));
  }
  return [...sparseOut[0]!, ...sparseOut[1]!, ...sparseOut[2]!, ...denseOut, ...raggedOut[0]!, ...raggedOut[1]!];
}

function denseSpecs(node: HostNode, keys: string[], defaults: Tensor[]): DenseSpec[] {
  const types = typesAttr(node, 'Tdense');
  const shapes = shapesAttr(node, 'dense_shapes');
  if (types.length !== keys.length || shapes.length !== keys.length || defaults.length !== keys.length) {
    hostFail(node, 'INVALID_GRAPH', `${keys.length} dense keys but ${types.length} Tdense, ${shapes.length} dense_shapes and ${defaults.length} defaults`);
  }
  return keys.map((key, j) => ({ key, dtype: types[j]!, shape: shapes[j]!, dflt: valuesOf(defaults[j]!) }));
}

defineHostOp(['ParseExample'], ({ node, inputs }) => {
  const ns = attrInt(node.def, 'Nsparse');
  const nd = attrInt(node.def, 'Ndense');
  if (inputs.length !== 2 + 2 * nd + ns) hostFail(node, 'INVALID_GRAPH', `expected ${2 + 2 * nd + ns} inputs, got ${inputs.length}`);
  const ser = inputs[0]!;
  if (ser.rank !== 1) hostFail(node, 'INVALID_ARGUMENT', `serialized must be a vector of tf.Example strings, got shape [${ser.shape.join(', ')}]`);
  const sparseKeys = inputs.slice(2, 2 + ns).flatMap(stringsOf);
  const denseKeys = inputs.slice(2 + ns, 2 + ns + nd).flatMap(stringsOf);
  const types = typesAttr(node, 'sparse_types');
  const dense = denseSpecs(node, denseKeys, inputs.slice(2 + ns + nd));
  return parse(node, tensorBytes(ser), [ser.shape[0]!], dense, sparseKeys.map((key, j) => ({ key, dtype: types[j]! })), []);
}, { readsValues: true });

defineHostOp(['ParseExampleV2'], ({ node, inputs }) => {
  const ser = inputs[0]!;
  if (ser.rank > 1) hostFail(node, 'UNSUPPORTED', `serialized of rank ${ser.rank} (only scalars and vectors are supported)`);
  const sparseKeys = stringsOf(inputs[2]!);
  const denseKeys = stringsOf(inputs[3]!);
  const raggedKeys = stringsOf(inputs[4]!);
  const sparseTypes = typesAttr(node, 'sparse_types');
  const raggedTypes = typesAttr(node, 'ragged_value_types');
  const splitTypes = typesAttr(node, 'ragged_split_types');
  if (raggedKeys.length > 0 && ser.rank === 0) hostFail(node, 'UNSUPPORTED', 'ragged features of a scalar serialized input');
  const dense = denseSpecs(node, denseKeys, inputs.slice(5));
  return parse(
    node, tensorBytes(ser), ser.rank === 0 ? [] : [ser.shape[0]!], dense,
    sparseKeys.map((key, j) => ({ key, dtype: sparseTypes[j]! })),
    raggedKeys.map((key, j) => ({ key, dtype: raggedTypes[j]!, splitDtype: splitTypes[j] ?? DT.DT_INT64 })),
  );
}, { readsValues: true });

defineHostOp(['ParseSingleExample'], ({ node, inputs }) => {
  const ser = inputs[0]!;
  if (ser.rank !== 0) hostFail(node, 'INVALID_ARGUMENT', `serialized must be a scalar, got shape [${ser.shape.join(', ')}]`);
  const strs = (name: string) => (node.def.attr?.[name]?.list?.s ?? []).map((b) => dec.decode(b));
  const types = typesAttr(node, 'sparse_types');
  const dense = denseSpecs(node, strs('dense_keys'), inputs.slice(1));
  return parse(node, tensorBytes(ser), [], dense, strs('sparse_keys').map((key, j) => ({ key, dtype: types[j]! })), []);
}, { readsValues: true });
