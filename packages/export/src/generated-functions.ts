// The functions a TF2 SavedModel carries beside the traced ones, as tf.saved_model.save (TF 2.3)
// writes them: the signature wrapper around each signature's function, and the
// __inference__traced_save / _traced_restore pair the saver_def names. Also the small node and
// attr helpers they share with the builder's top-level graph.
import { attr, shapeProto, stringTensor, tensorflow } from '@savedmodel-js/core';
import { compareUtf8 } from '@savedmodel-js/core/internal';
import type { TensorSpec } from '@savedmodel-js/trace';
import { toDataType } from './dtypes.js';
import type { ExportableFunction } from './function.js';

const DT = tensorflow.DataType;
type DataType = tensorflow.DataType;

/** The inner function a signature wrapper calls, under its exported name. */
export interface WrappedFunction {
  fn: ExportableFunction;
  exported: string;
}

/** What a wrapper needs of a signature: keyword per flat input, outputs sorted by key. */
export interface WrapperSignature {
  keywords: readonly string[];
  outputs: readonly { key: string; index: number; spec: TensorSpec }[];
}

/** Names argName leaves as they are (checked first: most names are). */
const ARG_NAME_OK = /^[a-z][a-z0-9_]*$/;

function argName(s: string): string {
  let n = s.toLowerCase();
  if (ARG_NAME_OK.test(n)) return n;
  n = n.replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(n)) n = `arg_${n}`;
  return n;
}

const nextSuffixes = new WeakMap<Set<string>, Map<string, number>>();
function uniqueIn(used: Set<string>, base: string): string {
  let n = base;
  if (used.has(n)) {
    // as NameScope.unique: remember where the search for this base stopped (the set only grows)
    let next = nextSuffixes.get(used);
    if (!next) nextSuffixes.set(used, (next = new Map()));
    let i = next.get(base) ?? 1;
    for (n = `${base}_${i}`; used.has(n); n = `${base}_${i}`) i++;
    next.set(base, i + 1);
  }
  used.add(n);
  return n;
}

/**
 * Deterministic 32-hex-digit id (the `_temp_<uuid>` of the save function) from the checkpoint
 * keys: four FNV-1a variants over the keys joined by newlines, in one pass without the join.
 */
export function tempId(keys: readonly string[]): string {
  const h = [0, 1, 2, 3].map((k) => 0x811c9dc5 ^ (k * 0x9e3779b9));
  let h0 = h[0]!, h1 = h[1]!, h2 = h[2]!, h3 = h[3]!;
  keys.forEach((key, j) => {
    if (j > 0) {
      h0 = Math.imul(h0 ^ 10, 0x01000193); h1 = Math.imul(h1 ^ 10, 0x01000193);
      h2 = Math.imul(h2 ^ 10, 0x01000193); h3 = Math.imul(h3 ^ 10, 0x01000193);
    }
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h0 = Math.imul(h0 ^ c, 0x01000193); h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x01000193); h3 = Math.imul(h3 ^ c, 0x01000193);
    }
  });
  return [h0, h1, h2, h3].map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}

export function shapesAttr(shapes: readonly (readonly (number | null)[] | null)[]): tensorflow.IAttrValue {
  return { list: { shape: shapes.map((s) => shapeProto(s)) } };
}

// Attr values repeated on thousands of nodes of a big model, made once per export (see node()).
export interface SharedAttrs {
  /** _output_shapes of one scalar, of one tensor of unknown shape; an empty list. */
  scalar: tensorflow.IAttrValue;
  unknown: tensorflow.IAttrValue;
  none: tensorflow.IAttrValue;
  type(t: DataType): tensorflow.IAttrValue;
}

export function sharedAttrs(): SharedAttrs {
  const types = new Map<DataType, tensorflow.IAttrValue>();
  return {
    scalar: shapesAttr([[]]),
    unknown: shapesAttr([null]),
    none: { list: {} },
    type(t) {
      let v = types.get(t);
      if (!v) types.set(t, (v = attr.type(t)));
      return v;
    },
  };
}

export function specShape(s: TensorSpec): (number | null)[] {
  return [...s.shape];
}

export function specDtype(s: TensorSpec): DataType {
  return toDataType(s.dtype);
}

/**
 * A NodeDef that takes ownership of `inputs` and `attrs` (every caller passes fresh ones; core's
 * `node` copies both, which thousands of save / restore nodes feel). Attr values may be shared
 * between nodes: nothing downstream changes an AttrValue (default stripping removes map entries).
 */
export function node(name: string, op: string, inputs: string[], attrs: Record<string, tensorflow.IAttrValue> = {}, device?: string): tensorflow.INodeDef {
  const n: tensorflow.INodeDef = { name, op, input: inputs, attr: attrs };
  if (device) n.device = device;
  return n;
}

const fnNode = node;

/**
 * The signature wrapper: inputs in sorted keyword order (then the captured resources), one
 * StatefulPartitionedCall of the traced function, one Identity per output in sorted key order.
 */
export function signatureWrapper(name: string, inner: WrappedFunction, s: WrapperSignature): { def: tensorflow.IFunctionDef; argKeys: string[] } {
  const fn = inner.fn;
  const used = new Set<string>(['StatefulPartitionedCall']);
  const order = s.keywords.map((k, i) => ({ k, i })).sort((a, b) => compareUtf8(a.k, b.k));
  const argOf = new Map<number, string>();
  const inputArgs: tensorflow.OpDef.IArgDef[] = [];
  const argAttr: Record<string, tensorflow.FunctionDef.IArgAttrs> = {};
  order.forEach(({ k, i }, pos) => {
    const a = uniqueIn(used, argName(k));
    argOf.set(i, a);
    inputArgs.push({ name: a, type: specDtype(fn.inputs[i]!.spec) });
    argAttr[String(pos)] = { attr: { _user_specified_name: attr.str(k), _output_shapes: shapesAttr([specShape(fn.inputs[i]!.spec)]) } };
  });
  const capArgs = fn.captures.map((_, j) => uniqueIn(used, j === 0 ? 'unknown' : `unknown_${j - 1}`));
  for (const c of capArgs) inputArgs.push({ name: c, type: DT.DT_RESOURCE });
  const nodes: tensorflow.INodeDef[] = [];
  nodes.push(fnNode('StatefulPartitionedCall', 'StatefulPartitionedCall', [...fn.inputs.map((_, i) => argOf.get(i)!), ...capArgs], {
    Tin: attr.types([...fn.inputs.map((x) => specDtype(x.spec)), ...capArgs.map(() => DT.DT_RESOURCE)]),
    Tout: attr.types(fn.outputs.map((o) => specDtype(o.spec))),
    _output_shapes: shapesAttr(fn.outputs.map((o) => specShape(o.spec))),
    f: attr.func(inner.exported),
  }));
  const outputArgs: tensorflow.OpDef.IArgDef[] = [];
  const ret: Record<string, string> = {};
  s.outputs.forEach((o, j) => {
    const idName = j === 0 ? 'Identity' : `Identity_${j}`;
    const outName = j === 0 ? 'identity' : `identity_${j}`;
    nodes.push(fnNode(idName, 'Identity', [`StatefulPartitionedCall:output:${o.index}`, '^StatefulPartitionedCall'], {
      T: attr.type(specDtype(o.spec)), _output_shapes: shapesAttr([specShape(o.spec)]),
    }));
    outputArgs.push({ name: outName, type: specDtype(o.spec) });
    ret[outName] = `${idName}:output:0`;
  });
  return {
    def: {
      signature: { name, input_arg: inputArgs, output_arg: outputArgs, is_stateful: true, control_output: ['StatefulPartitionedCall'] },
      node_def: nodes,
      ret,
      control_ret: { StatefulPartitionedCall: 'StatefulPartitionedCall' },
      arg_attr: argAttr,
    },
    argKeys: order.map((x) => x.k),
  };
}

/** __inference__traced_save_N, as TF 2.3 writes it (one shard, temp prefix, MergeV2Checkpoints). */
export function saveFunction(name: string, keys: string[], readNodes: string[], dtypes: DataType[], constName: string, uuid: string): tensorflow.IFunctionDef {
  const used = new Set<string>(['file_prefix']);
  const args = [
    ...readNodes.map((r) => uniqueIn(used, `savev2_${argName(r).replace(/^arg_/, '')}`)),
    uniqueIn(used, `savev2_${argName(constName).replace(/^arg_/, '')}`),
  ];
  const n = keys.length;
  const S = DT.DT_STRING;
  const scalar = shapesAttr([[]]);
  const CPU_ANY = '/device:CPU:*', CPU0 = '/device:CPU:0';
  const nodes: tensorflow.INodeDef[] = [
    fnNode('StaticRegexFullMatch', 'StaticRegexFullMatch', ['file_prefix'], { _output_shapes: scalar, pattern: attr.str('^s3://.*') }, CPU_ANY),
    fnNode('Const', 'Const', [], { _output_shapes: scalar, dtype: attr.type(S), value: attr.tensor(stringTensor(['.part'], [])) }, CPU_ANY),
    fnNode('Const_1', 'Const', [], { _output_shapes: scalar, dtype: attr.type(S), value: attr.tensor(stringTensor([`_temp_${uuid}/part`], [])) }, CPU_ANY),
    fnNode('Select', 'Select', ['StaticRegexFullMatch:output:0', 'Const:output:0', 'Const_1:output:0'], { T: attr.type(S), _output_shapes: scalar }, CPU_ANY),
    fnNode('StringJoin', 'StringJoin', ['file_prefix', 'Select:output:0'], { N: attr.int(2), _output_shapes: scalar }, CPU_ANY),
    fnNode('num_shards', 'Const', [], { _output_shapes: scalar, dtype: attr.type(DT.DT_INT32), value: attr.tensor({ dtype: DT.DT_INT32, tensor_shape: {}, int_val: [1] }) }),
    fnNode('ShardedFilename/shard', 'Const', [], { _output_shapes: scalar, dtype: attr.type(DT.DT_INT32), value: attr.tensor({ dtype: DT.DT_INT32, tensor_shape: {}, int_val: [0] }) }, CPU0),
    fnNode('ShardedFilename', 'ShardedFilename', ['StringJoin:output:0', 'ShardedFilename/shard:output:0', 'num_shards:output:0'], { _output_shapes: scalar }, CPU0),
    fnNode('SaveV2/tensor_names', 'Const', [], { _output_shapes: shapesAttr([[n]]), dtype: attr.type(S), value: attr.tensor(stringTensor(keys, [n])) }, CPU0),
    fnNode('SaveV2/shape_and_slices', 'Const', [], { _output_shapes: shapesAttr([[n]]), dtype: attr.type(S), value: attr.tensor(stringTensor(keys.map(() => ''), [n])) }, CPU0),
    fnNode('SaveV2', 'SaveV2', ['ShardedFilename:filename:0', 'SaveV2/tensor_names:output:0', 'SaveV2/shape_and_slices:output:0', ...args], {
      _output_shapes: { list: {} }, dtypes: attr.types([...dtypes, S]),
    }, CPU0),
    fnNode('MergeV2Checkpoints/checkpoint_prefixes', 'Pack', ['ShardedFilename:filename:0', '^SaveV2'], { N: attr.int(1), T: attr.type(S), _output_shapes: shapesAttr([[1]]) }, CPU0),
    fnNode('MergeV2Checkpoints', 'MergeV2Checkpoints', ['MergeV2Checkpoints/checkpoint_prefixes:output:0', 'file_prefix'], { _output_shapes: { list: {} } }, CPU0),
    fnNode('Identity', 'Identity', ['file_prefix', '^MergeV2Checkpoints'], { T: attr.type(S), _output_shapes: scalar }, CPU0),
    fnNode('Identity_1', 'Identity', ['Identity:output:0', '^MergeV2Checkpoints'], { T: attr.type(S), _output_shapes: scalar }),
  ];
  const argAttr: Record<string, tensorflow.FunctionDef.IArgAttrs> = {
    0: { attr: { _output_shapes: scalar, _user_specified_name: attr.str('file_prefix') } },
  };
  return {
    signature: {
      name,
      input_arg: [{ name: 'file_prefix', type: S }, ...args.map((a, i) => ({ name: a, type: i < dtypes.length ? dtypes[i]! : S }))],
      output_arg: [{ name: 'identity_1', type: S }],
      is_stateful: true,
      control_output: ['MergeV2Checkpoints'],
    },
    node_def: nodes,
    ret: { identity_1: 'Identity_1:output:0' },
    control_ret: { MergeV2Checkpoints: 'MergeV2Checkpoints' },
    arg_attr: argAttr,
  };
}

/** __inference__traced_restore_N: RestoreV2 of every key, AssignVariableOp per variable. */
export function restoreFunction(name: string, keys: string[], handles: string[], dtypes: DataType[]): tensorflow.IFunctionDef {
  const S = DT.DT_STRING;
  const used = new Set<string>(['file_prefix']);
  const args = handles.map((h, i) => uniqueIn(used, `assignvariableop${i === 0 ? '' : `_${i}`}_${argName(h).replace(/^arg_/, '')}`));
  const n = keys.length;
  const CPU0 = '/device:CPU:0';
  const nodes: tensorflow.INodeDef[] = [
    fnNode('RestoreV2/tensor_names', 'Const', [], { _output_shapes: shapesAttr([[n]]), dtype: attr.type(S), value: attr.tensor(stringTensor(keys, [n])) }, CPU0),
    fnNode('RestoreV2/shape_and_slices', 'Const', [], { _output_shapes: shapesAttr([[n]]), dtype: attr.type(S), value: attr.tensor(stringTensor(keys.map(() => ''), [n])) }, CPU0),
    fnNode('RestoreV2', 'RestoreV2', ['file_prefix', 'RestoreV2/tensor_names:output:0', 'RestoreV2/shape_and_slices:output:0'], {
      // one shared unknown shape per key: nothing downstream changes an AttrValue (see node())
      _output_shapes: { list: { shape: new Array<tensorflow.ITensorShapeProto>(n).fill(shapeProto(null)) } }, dtypes: attr.types([...dtypes, S]),
    }, CPU0),
  ];
  const assigns: string[] = [];
  const shared = sharedAttrs();
  dtypes.forEach((t, i) => {
    const id = i === 0 ? 'Identity' : `Identity_${i}`;
    const assign = i === 0 ? 'AssignVariableOp' : `AssignVariableOp_${i}`;
    const type = shared.type(t);
    nodes.push(fnNode(id, 'Identity', [`RestoreV2:tensors:${i}`], { T: type, _output_shapes: shared.unknown }, CPU0));
    nodes.push(fnNode(assign, 'AssignVariableOp', [args[i]!, `${id}:output:0`], { _output_shapes: shared.none, dtype: type }, CPU0));
    assigns.push(assign);
  });
  nodes.push(fnNode('NoOp', 'NoOp', [], { _output_shapes: { list: {} } }, CPU0));
  const k = dtypes.length;
  const penultimate = k === 0 ? 'Identity' : `Identity_${k}`;
  const last = `Identity_${k + 1}`;
  const controls = assigns.map((a) => `^${a}`); // the strings, shared by both nodes' input lists
  nodes.push(fnNode(penultimate, 'Identity', ['file_prefix', ...controls, '^NoOp'], { T: attr.type(S), _output_shapes: shapesAttr([[]]) }, CPU0));
  nodes.push(fnNode(last, 'Identity', [`${penultimate}:output:0`, ...controls], { T: attr.type(S), _output_shapes: shapesAttr([[]]) }));
  const outName = last.toLowerCase();
  const signature: tensorflow.IOpDef = {
    name,
    input_arg: [{ name: 'file_prefix', type: S }, ...args.map((a) => ({ name: a, type: DT.DT_RESOURCE }))],
    output_arg: [{ name: outName, type: S }],
    is_stateful: true,
  };
  if (assigns.length) signature.control_output = [...assigns];
  const def: tensorflow.IFunctionDef = {
    signature,
    node_def: nodes,
    ret: { [outName]: `${last}:output:0` },
    arg_attr: { 0: { attr: { _output_shapes: shapesAttr([[]]), _user_specified_name: attr.str('file_prefix') } } },
  };
  if (assigns.length) def.control_ret = Object.fromEntries(assigns.map((a) => [a, a]));
  return def;
}
