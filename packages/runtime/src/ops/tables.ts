// Lookup tables on the host: HashTable / MutableHashTable resources created in the top-level
// graph, filled by the init op (InitializeTable*, LookupTableImport/Insert) and read by
// signatures (LookupTableFind/Size), with TensorFlow's semantics for text-file vocabularies.
import { tensorflow } from '@savedmodel-js/core';
import { latin1 } from '@savedmodel-js/core/internal';
import { scalar, type Tensor } from '@tensorflow/tfjs-core';
import { attrInt, defineHostOp, hostFail, hostValues, numbersToTensor, stringsToTensor, tensorBytes, type HostNode, type HostTable } from '../host-ops.js';
import { assetBytes } from './state.js';

const DT = tensorflow.DataType;

function isString(dtype: number): boolean {
  return dtype === DT.DT_STRING;
}

function keysOf(t: Tensor, table: HostTable): Array<string | number> {
  if (isString(table.keyDtype)) return tensorBytes(t).map((b) => latin1(b));
  return Array.from(hostValues(t));
}

function valuesOf(t: Tensor, table: HostTable): Array<number | Uint8Array> {
  if (isString(table.valueDtype)) return tensorBytes(t);
  return Array.from(hostValues(t));
}

function put(node: HostNode, table: HostTable, keys: Array<string | number>, values: Array<number | Uint8Array>, strict: boolean): void {
  if (keys.length !== values.length) hostFail(node, 'INVALID_ARGUMENT', `${keys.length} keys but ${values.length} values`);
  keys.forEach((k, i) => {
    const v = values[i]!;
    const had = table.map.get(k);
    if (strict && had !== undefined && !sameValue(had, v)) {
      hostFail(node, 'INVALID_ARGUMENT', `HashTable has different value for same key ${JSON.stringify(String(k)).slice(0, 100)}`);
    }
    table.map.set(k, v);
  });
}

function sameValue(a: number | Uint8Array, b: number | Uint8Array): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function tableOf(ctx: { node: HostNode; store: { table(name: string, node: HostNode): HostTable } }): HostTable {
  return ctx.store.table(ctx.node.resource!, ctx.node);
}

defineHostOp(['LookupTableFindV2', 'LookupTableFind'], (ctx) => {
  const table = tableOf(ctx);
  const [keysT, dflt] = ctx.inputs;
  const keys = keysOf(keysT!, table);
  const d = valuesOf(dflt!, table);
  if (d.length !== 1) hostFail(ctx.node, 'UNSUPPORTED', 'only scalar default values (scalar table values) are supported');
  const out = keys.map((k) => table.map.get(k) ?? d[0]!);
  if (isString(table.valueDtype)) return [stringsToTensor(out as Uint8Array[], [...keysT!.shape])];
  return [numbersToTensor(out as number[], [...keysT!.shape], table.valueDtype, `table ${ctx.node.resource}`)];
}, { readsValues: true });

defineHostOp(['LookupTableSizeV2', 'LookupTableSize'], (ctx) => [scalar(tableOf(ctx).map.size, 'int32')]);

defineHostOp(['LookupTableImportV2', 'LookupTableImport', 'InitializeTableV2', 'InitializeTable'], (ctx) => {
  const table = tableOf(ctx);
  const init = ctx.node.op.startsWith('Initialize');
  if (init && table.initialized) return [scalar(true, 'bool')]; // TensorFlow initializes a table once
  if (ctx.node.op.startsWith('LookupTableImport')) table.map.clear();
  put(ctx.node, table, keysOf(ctx.inputs[0]!, table), valuesOf(ctx.inputs[1]!, table), init);
  table.initialized = true;
  return [scalar(true, 'bool')];
}, { readsValues: true });

defineHostOp(['LookupTableInsertV2', 'LookupTableInsert'], (ctx) => {
  const table = tableOf(ctx);
  if (!table.mutable) hostFail(ctx.node, 'INVALID_ARGUMENT', `table ${ctx.node.resource} is not mutable`);
  put(ctx.node, table, keysOf(ctx.inputs[0]!, table), valuesOf(ctx.inputs[1]!, table), false);
  return [scalar(true, 'bool')];
}, { readsValues: true });

defineHostOp(['LookupTableRemoveV2'], (ctx) => {
  const table = tableOf(ctx);
  for (const k of keysOf(ctx.inputs[0]!, table)) table.map.delete(k);
  return [scalar(true, 'bool')];
}, { readsValues: true });

const WHOLE_LINE = -2;
const LINE_NUMBER = -1;
const dec = new TextDecoder();

function convert(node: HostNode, token: Uint8Array | number, dtype: number, line: number): string | number | Uint8Array {
  if (typeof token === 'number') {
    if (isString(dtype)) hostFail(node, 'INVALID_ARGUMENT', 'a line number cannot be a string key or value');
    return token;
  }
  if (isString(dtype)) return token;
  const s = dec.decode(token).trim();
  const n = Number(s);
  const integer = dtype !== DT.DT_FLOAT && dtype !== DT.DT_DOUBLE;
  if (s === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    hostFail(node, 'INVALID_ARGUMENT', `line ${line}: field ${JSON.stringify(s.slice(0, 100))} is not a valid ${integer ? 'integer' : 'number'}`);
  }
  return n;
}

defineHostOp(['InitializeTableFromTextFileV2', 'InitializeTableFromTextFile'], (ctx) => {
  const { node } = ctx;
  const table = tableOf(ctx);
  if (table.initialized) return [scalar(true, 'bool')];
  const [path] = tensorBytes(ctx.inputs[0]!);
  const bytes = assetBytes(ctx.store, path ?? new Uint8Array(0), (m) => hostFail(node, 'NOT_FOUND', m));
  const keyIndex = attrInt(node.def, 'key_index');
  const valueIndex = attrInt(node.def, 'value_index');
  const vocabSize = attrInt(node.def, 'vocab_size', -1);
  const offset = attrInt(node.def, 'offset', 0);
  const delimiter = node.def.attr?.delimiter?.s ?? new Uint8Array([9]);
  if (delimiter.length !== 1) hostFail(node, 'UNSUPPORTED', 'only one-byte delimiters are supported');
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      if (i === bytes.length && start === i) break; // no empty line after a final newline
      let end = i;
      if (end > start && bytes[end - 1] === 13) end--; // TensorFlow's ReadLine drops a trailing \r
      lines.push(bytes.subarray(start, end));
      start = i + 1;
    }
  }
  if (vocabSize >= 0 && lines.length < vocabSize) hostFail(node, 'INVALID_ARGUMENT', `the vocabulary file has ${lines.length} lines, fewer than vocab_size ${vocabSize}`);
  const n = vocabSize >= 0 ? vocabSize : lines.length;
  const keys: Array<string | number> = [];
  const values: Array<number | Uint8Array> = [];
  for (let l = 0; l < n; l++) {
    const line = lines[l]!;
    const tokens: Uint8Array[] = [];
    let s = 0;
    for (let i = 0; i <= line.length; i++) if (i === line.length || line[i] === delimiter[0]) { tokens.push(line.subarray(s, i)); s = i + 1; }
    const pick = (index: number): Uint8Array | number => {
      if (index === WHOLE_LINE) return line;
      if (index === LINE_NUMBER) return l + offset;
      const t = tokens[index];
      if (!t) hostFail(node, 'INVALID_ARGUMENT', `line ${l + 1} has ${tokens.length} fields, index ${index} is out of range`);
      return t;
    };
    const k = convert(node, pick(keyIndex), table.keyDtype, l + 1);
    keys.push(k instanceof Uint8Array ? latin1(k) : k);
    values.push(convert(node, pick(valueIndex), table.valueDtype, l + 1) as number | Uint8Array);
  }
  put(node, table, keys, values, true);
  table.initialized = true;
  return [scalar(true, 'bool')];
});
