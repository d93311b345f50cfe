// ParseSequenceExample / ParseSequenceExampleV2 on the host, for dense features: serialized
// tf.train.SequenceExample strings → context dense tensors [batch, ...shape] (defaults for missing
// features) and feature-list dense tensors [batch, longest sequence, ...shape] padded with zeros /
// empty strings, with their lengths (int64 [batch]); a missing feature list is an error unless it
// is "assumed empty", as in TensorFlow. Sparse and ragged features are UNSUPPORTED, named.
import { tensorflow } from '@savedmodel-js/core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { decodeSequenceExample } from '../examples.js';
import { defineHostOp, hostFail, hostValues, numbersToTensor, tensorBytes, type HostNode } from '../host-ops.js';
import { dtypeName } from '../host-tensor.js';
import { MAX_PADDED_ELEMENTS, featureValues, shapesAttr, toTensor, typesAttr, valuesOf, type DenseSpec, type Values } from './parse-example.js';

const DT = tensorflow.DataType;
const dec = new TextDecoder();

interface ListSpec { key: string; dtype: number; shape: number[]; missingEmpty: boolean }

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function parseSequences(node: HostNode, serialized: Uint8Array[], context: DenseSpec[], lists: ListSpec[]): Tensor[] {
  const batch = serialized.length;
  const seqs = serialized.map((b, i) => decodeSequenceExample(b, `op ${node.op} (${node.where}) example ${i}`));
  const contextOut = context.map((d) => {
    if (d.shape.some((x) => x < 0)) hostFail(node, 'UNSUPPORTED', `context dense feature ${d.key}: unknown dimensions in shape [${d.shape.join(', ')}]`);
    const n = count(d.shape);
    const flat = seqs.flatMap((s, i): unknown[] => {
      const f = s.context.get(d.key);
      if (!f) {
        if (d.dflt.length === 0) hostFail(node, 'INVALID_ARGUMENT', `Name: <unknown>, Context feature '${d.key}' is required but could not be found.`);
        return d.dflt as unknown[];
      }
      const v = featureValues(node, f, d.key, d.dtype, i);
      if (v.length !== n) hostFail(node, 'INVALID_ARGUMENT', `Name: <unknown>, Key: ${d.key}, Index: ${i}. Number of values != expected. Values size: ${v.length} but output shape: [${d.shape.join(',')}]`);
      return v as unknown[];
    });
    return toTensor(flat as Values, [batch, ...d.shape], d.dtype, d.key);
  });
  const valuesOut: Tensor[] = [];
  const lengthsOut: Tensor[] = [];
  for (const l of lists) {
    if (l.shape.some((x) => x < 0)) hostFail(node, 'UNSUPPORTED', `feature list ${l.key}: unknown dimensions in frame shape [${l.shape.join(', ')}]`);
    const n = count(l.shape);
    const perExample = seqs.map((s, i): unknown[][] => {
      const frames = s.lists.get(l.key);
      if (!frames) {
        if (!l.missingEmpty) hostFail(node, 'INVALID_ARGUMENT', `Name: <unknown>, Feature list '${l.key}' is required but could not be found. Did you mean to include it in feature_list_dense_missing_assumed_empty?`);
        return [];
      }
      return frames.map((f, t) => {
        const v = featureValues(node, f, l.key, l.dtype, i);
        if (v.length !== n) hostFail(node, 'INVALID_ARGUMENT', `Name: <unknown>, Key: ${l.key}, Index: ${i}, frame ${t}. Number of values != expected. Values size: ${v.length} but frame shape: [${l.shape.join(',')}]`);
        return v as unknown[];
      });
    });
    const longest = perExample.reduce((m, f) => Math.max(m, f.length), 0);
    // padding every sequence to the longest is bounded: an untrusted batch must not allocate batch × longest
    if (batch * longest * n > MAX_PADDED_ELEMENTS) hostFail(node, 'LIMIT_EXCEEDED', `feature list ${l.key}: padding ${batch} sequences to ${longest} frames needs over ${MAX_PADDED_ELEMENTS} elements`);
    const pad = l.dtype === DT.DT_STRING ? new Uint8Array(0) : l.dtype === DT.DT_INT64 ? 0n : 0;
    const flat = perExample.flatMap((frames) => [...frames.flat(), ...new Array<unknown>((longest - frames.length) * n).fill(pad)]);
    valuesOut.push(toTensor(flat as Values, [batch, longest, ...l.shape], l.dtype, l.key));
    lengthsOut.push(numbersToTensor(perExample.map((f) => f.length), [batch], DT.DT_INT64, `${l.key} lengths`));
  }
  return [...contextOut, ...valuesOut, ...lengthsOut];
}

function contextSpecs(node: HostNode, keys: string[], defaults: Tensor[]): DenseSpec[] {
  const types = typesAttr(node, 'Tcontext_dense');
  const shapes = shapesAttr(node, 'context_dense_shapes');
  if (types.length !== keys.length || shapes.length !== keys.length || defaults.length !== keys.length) {
    hostFail(node, 'INVALID_GRAPH', `${keys.length} context dense keys but ${types.length} Tcontext_dense, ${shapes.length} context_dense_shapes and ${defaults.length} defaults`);
  }
  return keys.map((key, j) => ({ key, dtype: types[j]!, shape: shapes[j]!, dflt: valuesOf(defaults[j]!) }));
}

function listSpecs(node: HostNode, keys: string[], missingEmpty: (key: string, j: number) => boolean): ListSpec[] {
  const types = typesAttr(node, 'feature_list_dense_types');
  const shapes = shapesAttr(node, 'feature_list_dense_shapes');
  if (types.length !== keys.length || shapes.length !== keys.length) {
    hostFail(node, 'INVALID_GRAPH', `${keys.length} feature list dense keys but ${types.length} feature_list_dense_types and ${shapes.length} feature_list_dense_shapes`);
  }
  for (const t of types) if (t !== DT.DT_FLOAT && t !== DT.DT_INT64 && t !== DT.DT_STRING) hostFail(node, 'UNSUPPORTED', `feature list dtype ${dtypeName(t)} is not a tf.Example type`);
  return keys.map((key, j) => ({ key, dtype: types[j]!, shape: shapes[j]!, missingEmpty: missingEmpty(key, j) }));
}

function onlyDense(node: HostNode, what: Array<[string, number]>): void {
  for (const [name, n] of what) if (n > 0) hostFail(node, 'UNSUPPORTED', `${n} ${name} (only dense context features and dense feature lists are supported)`);
}

function checkBatch(node: HostNode, ser: Tensor): void {
  if (ser.rank !== 1) hostFail(node, 'UNSUPPORTED', `serialized of shape [${ser.shape.join(', ')}] (a vector of SequenceExample strings is supported)`);
}

const strings = (t: Tensor) => tensorBytes(t).map((b) => dec.decode(b));

// inputs: serialized, debug_name, context sparse / dense / ragged keys, feature list sparse / dense /
// ragged keys, feature_list_dense_missing_assumed_empty (bool per dense key), context dense defaults
defineHostOp(['ParseSequenceExampleV2'], ({ node, inputs }) => {
  const ser = inputs[0]!;
  checkBatch(node, ser);
  onlyDense(node, [
    ['context sparse keys', inputs[2]!.size], ['context ragged keys', inputs[4]!.size],
    ['feature list sparse keys', inputs[5]!.size], ['feature list ragged keys', inputs[7]!.size],
  ]);
  const empty = Array.from(hostValues(inputs[8]!), (x) => x !== 0);
  const listKeys = strings(inputs[6]!);
  if (empty.length !== listKeys.length) hostFail(node, 'INVALID_ARGUMENT', `feature_list_dense_missing_assumed_empty has ${empty.length} values for ${listKeys.length} feature list dense keys`);
  return parseSequences(node, tensorBytes(ser), contextSpecs(node, strings(inputs[3]!), inputs.slice(9)), listSpecs(node, listKeys, (_, j) => empty[j]!));
}, { readsValues: true });

defineHostOp(['ParseSequenceExample'], ({ node, inputs }) => {
  const ser = inputs[0]!;
  checkBatch(node, ser);
  const attrStrings = (name: string) => (node.def.attr?.[name]?.list?.s ?? []).map((b) => dec.decode(b));
  onlyDense(node, [['context sparse keys', attrStrings('context_sparse_keys').length], ['feature list sparse keys', attrStrings('feature_list_sparse_keys').length]]);
  const assumedEmpty = new Set(attrStrings('feature_list_dense_missing_assumed_empty'));
  return parseSequences(node, tensorBytes(ser), contextSpecs(node, attrStrings('context_dense_keys'), inputs.slice(2)), listSpecs(node, attrStrings('feature_list_dense_keys'), (k) => assumedEmpty.has(k)));
}, { readsValues: true });
