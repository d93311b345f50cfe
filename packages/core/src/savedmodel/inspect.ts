// Text views of a SavedModel in the layout of TensorFlow's `saved_model_cli show`,
// so people can diff our output against theirs line by line.
import { SavedModelError } from '../errors.js';
import { tensorflow, toNumber } from '../proto/index.js';
import { dtypeLabel, pyDtypeName } from './dtype-names.js';

type SavedModel = tensorflow.ISavedModel;
type MetaGraph = tensorflow.IMetaGraphDef;

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function tagSetsOf(sm: SavedModel): string[][] {
  return (sm.meta_graphs ?? []).map((m) => [...(m.meta_info_def?.tags ?? [])]);
}

/** The MetaGraphDef whose tag set equals `tagSet` ("serve" or "serve,gpu"), as TF matches it. */
export function metaGraphFor(sm: SavedModel, tagSet: string): MetaGraph {
  const want = tagSet.split(',').filter(Boolean).sort().join(',');
  for (const m of sm.meta_graphs ?? []) {
    if ([...(m.meta_info_def?.tags ?? [])].sort().join(',') === want) return m;
  }
  const available = tagSetsOf(sm).map((t) => `[${t.join(', ')}]`).join(', ');
  throw new SavedModelError('NOT_FOUND', `MetaGraphDef associated with tag-set ${tagSet} could not be found in SavedModel; available tag-sets: ${available}`, { key: tagSet });
}

export function showTagSets(sm: SavedModel): string {
  const lines = ['The given SavedModel contains the following tag-sets:'];
  for (const t of tagSetsOf(sm).map((t) => [...t].sort().join(', ')).sort(byKey)) lines.push(`'${t}'`);
  return lines.join('\n') + '\n';
}

export function showSignatureKeys(mg: MetaGraph): string {
  const lines = ['The given SavedModel MetaGraphDef contains SignatureDefs with the following keys:'];
  for (const k of Object.keys(mg.signature_def ?? {}).sort(byKey)) lines.push(`SignatureDef key: "${k}"`);
  return lines.join('\n') + '\n';
}

function shapeText(shape: tensorflow.ITensorShapeProto | null | undefined): string {
  if (shape?.unknown_rank) return 'unknown_rank';
  return '(' + (shape?.dim ?? []).map((d) => String(toNumber(d.size))).join(', ') + ')';
}

function tensorInfoLines(info: tensorflow.ITensorInfo, indent: string): string[] {
  return [
    `${indent}    dtype: ${dtypeLabel(info.dtype)}`,
    `${indent}    shape: ${shapeText(info.tensor_shape)}`,
    `${indent}    name: ${info.name ?? ''}`,
  ];
}

export function showSignature(mg: MetaGraph, key: string, indentLevel = 0): string {
  const sig = mg.signature_def?.[key];
  if (!sig) throw new SavedModelError('NOT_FOUND', `SignatureDef ${key} not found in MetaGraphDef`, { key });
  const ind = '  '.repeat(indentLevel);
  const lines: string[] = [];
  lines.push(`${ind}The given SavedModel SignatureDef contains the following input(s):`);
  for (const k of Object.keys(sig.inputs ?? {}).sort(byKey)) {
    lines.push(`${ind}  inputs['${k}'] tensor_info:`, ...tensorInfoLines(sig.inputs![k]!, ind + '  '));
  }
  lines.push(`${ind}The given SavedModel SignatureDef contains the following output(s):`);
  for (const k of Object.keys(sig.outputs ?? {}).sort(byKey)) {
    lines.push(`${ind}  outputs['${k}'] tensor_info:`, ...tensorInfoLines(sig.outputs![k]!, ind + '  '));
  }
  lines.push(`${ind}Method name is: ${sig.method_name ?? ''}`);
  return lines.join('\n') + '\n';
}

/**
 * Ops a MetaGraph uses, as TensorFlow's `ops_used_by_graph_def` (what `saved_model_cli show
 * --list_ops` prints): the graph's nodes, then the bodies of the functions reached from them
 * (a node whose op is a function, or the `f` of a (Stateful)PartitionedCall), transitively;
 * function names themselves are left out. Library functions nothing reaches do not count. Sorted.
 */
export function opsUsed(mg: MetaGraph): string[] {
  const byName = new Map<string, tensorflow.IFunctionDef>();
  for (const f of mg.graph_def?.library?.function ?? []) byName.set(f.signature?.name ?? '', f);
  const used = new Set<string>();
  const pending: tensorflow.IFunctionDef[] = [];
  const mark = (op: string) => {
    if (!used.has(op) && byName.has(op)) pending.push(byName.get(op)!);
    used.add(op);
  };
  const visit = (n: tensorflow.INodeDef) => {
    mark(n.op ?? '');
    if (n.op === 'PartitionedCall' || n.op === 'StatefulPartitionedCall') mark(n.attr?.f?.func?.name ?? '');
  };
  for (const n of mg.graph_def?.node ?? []) visit(n);
  while (pending.length) for (const n of pending.pop()!.node_def ?? []) visit(n);
  return [...used].filter((op) => !byName.has(op)).sort(byKey);
}

/** `saved_model_cli show --tag_set T --list_ops` (and the line `--all` prints per MetaGraph). */
export function showOps(mg: MetaGraph): string {
  const tags = (mg.meta_info_def?.tags ?? []).map((x) => pyStr(x)).join(', ');
  const ops = opsUsed(mg);
  return `The MetaGraph with tag set [${tags}] contains the following ops: ${ops.length ? `{${ops.map(pyStr).join(', ')}}` : 'set()'}\n`;
}

// ---- Concrete functions, read from the object graph (what TF prints after loading) ----

function pyShape(shape: tensorflow.ITensorShapeProto | null | undefined): string {
  if (!shape || shape.unknown_rank) return '<unknown>';
  const dims = (shape.dim ?? []).map((d) => (toNumber(d.size) < 0 ? 'None' : String(toNumber(d.size))));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

function pyTensorShape(shape: tensorflow.ITensorShapeProto | null | undefined): string {
  if (!shape || shape.unknown_rank) return 'TensorShape(None)';
  return `TensorShape([${(shape.dim ?? []).map((d) => (toNumber(d.size) < 0 ? 'None' : String(toNumber(d.size)))).join(', ')}])`;
}

function pyStr(s: string): string {
  // Python's repr picks double quotes when the text has a single quote and no double quote
  if (s.includes("'") && !s.includes('"')) return `"${s.replace(/\\/g, '\\\\')}"`;
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Python's repr of a float: shortest round-trip digits; exponent form below 1e-4 and from 1e16. */
function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    // JS gives "1e-7" / "1.5e+21"; Python writes at least two exponent digits
    return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  const s = a >= 1e21 ? v.toFixed(0) : String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

const TYPE_SPEC_CLASS: Record<number, string> = {
  1: 'SparseTensorSpec', 2: 'IndexedSlicesSpec', 3: 'RaggedTensorSpec', 4: 'TensorArraySpec', 5: 'DatasetSpec',
  6: 'IteratorSpec', 7: 'OptionalSpec', 8: 'PerReplicaSpec', 9: 'VariableSpec', 10: 'RowPartitionSpec',
};

/** What kind of Python value a StructuredValue leaf is (saved_model_cli prints `type(x).__name__`). */
function pyTypeName(v: tensorflow.IStructuredValue): string {
  if (v.tensor_spec_value) return 'TensorSpec';
  if (v.bounded_tensor_spec_value) return 'BoundedTensorSpec';
  if (v.type_spec_value) return typeSpecName(v.type_spec_value);
  if (v.none_value) return 'NoneType';
  if (v.bool_value !== undefined && v.bool_value !== null) return 'bool';
  if (v.int64_value !== undefined && v.int64_value !== null) return 'int';
  if (v.float64_value !== undefined && v.float64_value !== null) return 'float';
  if (v.string_value !== undefined && v.string_value !== null) return 'str';
  if (v.list_value) return 'list';
  if (v.tuple_value) return 'tuple';
  if (v.dict_value) return 'dict';
  if (v.named_tuple_value) return v.named_tuple_value.name ?? 'tuple';
  if (v.tensor_dtype_value !== undefined && v.tensor_dtype_value !== null) return 'DType';
  if (v.tensor_shape_value) return 'TensorShape';
  return 'object';
}

function typeSpecName(t: tensorflow.ITypeSpecProto): string {
  return TYPE_SPEC_CLASS[t.type_spec_class ?? 0] ?? (t.type_spec_class_name || 'TypeSpec');
}

/** Python repr of a StructuredValue, as saved_model_cli prints arguments. */
function pyRepr(v: tensorflow.IStructuredValue): string {
  if (v.tensor_spec_value) {
    const t = v.tensor_spec_value;
    return `TensorSpec(shape=${pyShape(t.shape)}, dtype=${pyDtypeName(t.dtype)}, name=${t.name ? pyStr(t.name) : 'None'})`;
  }
  if (v.bounded_tensor_spec_value) {
    const t = v.bounded_tensor_spec_value;
    return `BoundedTensorSpec(shape=${pyShape(t.shape)}, dtype=${pyDtypeName(t.dtype)}, name=${t.name ? pyStr(t.name) : 'None'}, minimum=<value>, maximum=<value>)`;
  }
  // TypeSpec.__repr__: the class name followed by the repr of its serialized state (a tuple)
  if (v.type_spec_value) return `${typeSpecName(v.type_spec_value)}${v.type_spec_value.type_state ? pyRepr(v.type_spec_value.type_state) : '()'}`;
  if (v.none_value) return 'None';
  if (v.bool_value !== undefined && v.bool_value !== null) return v.bool_value ? 'True' : 'False';
  if (v.string_value !== undefined && v.string_value !== null) return pyStr(v.string_value);
  if (v.int64_value !== undefined && v.int64_value !== null) return String(v.int64_value);
  if (v.float64_value !== undefined && v.float64_value !== null) return pyFloat(v.float64_value);
  if (v.list_value) return '[' + (v.list_value.values ?? []).map(pyRepr).join(', ') + ']';
  if (v.tuple_value) {
    const items = (v.tuple_value.values ?? []).map(pyRepr);
    return '(' + items.join(', ') + (items.length === 1 ? ',)' : ')');
  }
  if (v.dict_value) {
    return '{' + Object.entries(v.dict_value.fields ?? {}).map(([k, x]) => `${pyStr(k)}: ${pyRepr(x)}`).join(', ') + '}';
  }
  if (v.named_tuple_value) {
    return `${v.named_tuple_value.name ?? ''}(${(v.named_tuple_value.values ?? []).map((p) => `${p.key ?? ''}=${p.value ? pyRepr(p.value) : 'None'}`).join(', ')})`;
  }
  if (v.tensor_dtype_value !== undefined && v.tensor_dtype_value !== null) return pyDtypeName(v.tensor_dtype_value);
  if (v.tensor_shape_value) return pyTensorShape(v.tensor_shape_value);
  return '<value>';
}

/** `str(x)` with quotes around Python strings (saved_model_cli's `_maybe_add_quotes`). */
function quotedStr(v: tensorflow.IStructuredValue): string {
  if (v.string_value !== undefined && v.string_value !== null) return `'${v.string_value}'`;
  return pyRepr(v);
}

/**
 * Printed as saved_model_cli's `_print_args` prints them (indent 4), including its quirk of
 * ending list and dict values with two backspace characters.
 */
function argLines(args: tensorflow.IStructuredValue[] | string[], kind: string): string {
  let out = '';
  const ind = '        ';
  args.forEach((el, i) => {
    out += `${ind}${kind} #${i + 1}\n`;
    if (typeof el === 'string') {
      out += `${ind}  ${el}\n`;
    } else if (el.string_value !== undefined && el.string_value !== null) {
      out += `${ind}  ${el.string_value}\n`;
    } else if (el.tensor_spec_value) {
      out += `${ind}  ${el.tensor_spec_value.name ?? ''}: ${pyRepr(el)}\n`;
    } else if (el.list_value || el.tuple_value) {
      const vals = (el.list_value ?? el.tuple_value)!.values ?? [];
      out += `${ind}  DType: ${el.list_value ? 'list' : 'tuple'}\n`;
      out += `${ind}  Value: [${vals.map((x) => `${quotedStr(x)}, `).join('')}\b\b]\n`;
    } else if (el.dict_value) {
      out += `${ind}  DType: dict\n`;
      out += `${ind}  Value: {${Object.entries(el.dict_value.fields ?? {}).map(([k, x]) => `'${k}': ${quotedStr(x)}, `).join('')}\b\b}\n`;
    } else {
      out += `${ind}  DType: ${pyTypeName(el)}\n`;
      out += `${ind}  Value: ${pyRepr(el)}\n`;
    }
  });
  return out;
}

function concreteFunctionText(og: tensorflow.ISavedObjectGraph, fnNames: string[], fallbackKeywords: string[] | null): string {
  let out = '';
  [...fnNames].sort(byKey).forEach((name, idx) => {
    const cf = og.concrete_functions?.[name];
    const sig = cf?.canonicalized_input_signature?.tuple_value?.values;
    let args: tensorflow.IStructuredValue[] | string[] | null = null;
    let kwargs: tensorflow.IStructuredValue[] = [];
    if (sig && sig.length === 2) {
      args = sig[0]?.tuple_value?.values ?? sig[0]?.list_value?.values ?? [];
      kwargs = Object.values(sig[1]?.dict_value?.fields ?? {});
    }
    if ((!args || args.length === 0) && kwargs.length === 0 && fallbackKeywords) args = fallbackKeywords;
    if (args && args.length > 0) out += `    Option #${idx + 1}\n      Callable with:\n` + argLines(args, 'Argument');
    if (kwargs.length > 0) out += argLines(kwargs, 'Named Argument');
  });
  return out;
}

/**
 * The "Concrete Functions:" part of `show --all`, read from the object graph (what TF prints
 * after loading). Byte for byte as saved_model_cli prints it: the heading and each function name
 * start with a newline and end without one.
 */
export function showConcreteFunctions(sm: SavedModel): string {
  const og = (sm.meta_graphs ?? []).find((m) => m.object_graph_def)?.object_graph_def;
  if (!og) return '';
  const nodes = og.nodes ?? [];
  const root = nodes[0];
  let out = '\nConcrete Functions:';
  const children = [...(root?.children ?? [])].sort((a, b) => byKey(a.local_name ?? '', b.local_name ?? ''));
  for (const c of children) {
    const node = nodes[c.node_id ?? 0];
    if (!node) continue;
    if (node.function) {
      out += `\n  Function Name: '${c.local_name ?? ''}'\n`;
      out += concreteFunctionText(og, node.function.concrete_functions ?? [], null);
    } else if (node.bare_concrete_function) {
      out += `\n  Function Name: '${c.local_name ?? ''}'\n`;
      const b = node.bare_concrete_function;
      out += concreteFunctionText(og, [b.concrete_function_name ?? ''], b.argument_keywords ?? []);
    }
  }
  return out;
}

/** `saved_model_cli show --all`. */
export function showAll(sm: SavedModel): string {
  let out = '';
  const sets = tagSetsOf(sm).map((t) => t.join(', ')).sort(byKey);
  for (const t of sets) {
    out += `\nMetaGraphDef with tag-set: '${t}' contains the following SignatureDefs:\n`;
    const mg = metaGraphFor(sm, t.replace(/, /g, ','));
    for (const k of Object.keys(mg.signature_def ?? {}).sort(byKey)) {
      out += `\nsignature_def['${k}']:\n` + showSignature(mg, k, 1);
    }
    out += showOps(mg);
  }
  out += showConcreteFunctions(sm);
  return out;
}
