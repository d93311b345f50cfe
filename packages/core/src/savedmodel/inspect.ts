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

/** Ops used by the graph and its functions (function names themselves excluded), sorted. */
export function opsUsed(mg: MetaGraph): string[] {
  const fnNames = new Set((mg.graph_def?.library?.function ?? []).map((f) => f.signature?.name ?? ''));
  const ops = new Set<string>();
  for (const n of mg.graph_def?.node ?? []) if (n.op && !fnNames.has(n.op)) ops.add(n.op);
  for (const f of mg.graph_def?.library?.function ?? []) {
    for (const n of f.node_def ?? []) if (n.op && !fnNames.has(n.op)) ops.add(n.op);
  }
  return [...ops].sort(byKey);
}

// ---- Concrete functions, read from the object graph (what TF prints after loading) ----

function pyShape(shape: tensorflow.ITensorShapeProto | null | undefined): string {
  if (!shape || shape.unknown_rank) return '<unknown>';
  const dims = (shape.dim ?? []).map((d) => (toNumber(d.size) < 0 ? 'None' : String(toNumber(d.size))));
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
}

function pyStr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Python repr of a StructuredValue leaf, enough for saved_model_cli's argument listing. */
function pyRepr(v: tensorflow.IStructuredValue): string {
  if (v.tensor_spec_value) {
    const t = v.tensor_spec_value;
    return `TensorSpec(shape=${pyShape(t.shape)}, dtype=${pyDtypeName(t.dtype)}, name=${t.name ? pyStr(t.name) : 'None'})`;
  }
  if (v.none_value) return 'None';
  if (v.bool_value !== undefined && v.bool_value !== null) return v.bool_value ? 'True' : 'False';
  if (v.string_value !== undefined && v.string_value !== null) return pyStr(v.string_value);
  if (v.int64_value !== undefined && v.int64_value !== null) return String(v.int64_value);
  if (v.float64_value !== undefined && v.float64_value !== null) return String(v.float64_value);
  if (v.list_value) return '[' + (v.list_value.values ?? []).map(pyRepr).join(', ') + ']';
  if (v.tuple_value) {
    const items = (v.tuple_value.values ?? []).map(pyRepr);
    return '(' + items.join(', ') + (items.length === 1 ? ',)' : ')');
  }
  if (v.dict_value) {
    return '{' + Object.entries(v.dict_value.fields ?? {}).map(([k, x]) => `${pyStr(k)}: ${pyRepr(x)}`).join(', ') + '}';
  }
  if (v.tensor_dtype_value !== undefined && v.tensor_dtype_value !== null) return pyDtypeName(v.tensor_dtype_value);
  if (v.tensor_shape_value) return `TensorShape(${pyShape(v.tensor_shape_value).replace(/^\((.*?),?\)$/, '[$1]')})`;
  return '<value>';
}

function argLines(args: tensorflow.IStructuredValue[] | string[], kind: string): string[] {
  const out: string[] = [];
  const ind = '        ';
  args.forEach((el, i) => {
    out.push(`${ind}${kind} #${i + 1}`);
    if (typeof el === 'string') {
      out.push(`${ind}  ${el}`);
    } else if (el.tensor_spec_value) {
      out.push(`${ind}  ${el.tensor_spec_value.name ?? ''}: ${pyRepr(el)}`);
    } else if (el.list_value || el.tuple_value) {
      const vals = (el.list_value ?? el.tuple_value)!.values ?? [];
      out.push(`${ind}  DType: ${el.list_value ? 'list' : 'tuple'}`);
      out.push(`${ind}  Value: [${vals.map(pyRepr).join(', ')}]`);
    } else if (el.dict_value) {
      out.push(`${ind}  DType: dict`);
      out.push(`${ind}  Value: {${Object.entries(el.dict_value.fields ?? {}).map(([k, x]) => `'${k}': ${pyRepr(x)}`).join(', ')}}`);
    } else {
      out.push(`${ind}  DType: ${el.none_value ? 'NoneType' : 'object'}`);
      out.push(`${ind}  Value: ${pyRepr(el)}`);
    }
  });
  return out;
}

function concreteFunctionLines(og: tensorflow.ISavedObjectGraph, fnNames: string[], fallbackKeywords: string[] | null): string[] {
  const out: string[] = [];
  [...fnNames].sort(byKey).forEach((name, idx) => {
    const cf = og.concrete_functions?.[name];
    const sig = cf?.canonicalized_input_signature?.tuple_value?.values;
    let args: tensorflow.IStructuredValue[] | string[] | null = null;
    let kwargs: string[] = [];
    if (sig && sig.length === 2) {
      args = sig[0]?.tuple_value?.values ?? sig[0]?.list_value?.values ?? [];
      kwargs = Object.keys(sig[1]?.dict_value?.fields ?? {});
    }
    if ((!args || args.length === 0) && kwargs.length === 0 && fallbackKeywords) args = fallbackKeywords;
    if (args && args.length > 0) {
      out.push(`    Option #${idx + 1}`, '      Callable with:', ...argLines(args, 'Argument'));
    }
    if (kwargs.length > 0) out.push(...argLines(kwargs, 'Named Argument'));
  });
  return out;
}

export function showConcreteFunctions(sm: SavedModel): string {
  const og = (sm.meta_graphs ?? []).find((m) => m.object_graph_def)?.object_graph_def;
  if (!og) return '';
  const nodes = og.nodes ?? [];
  const root = nodes[0];
  const lines: string[] = ['', 'Concrete Functions:'];
  const children = [...(root?.children ?? [])].sort((a, b) => byKey(a.local_name ?? '', b.local_name ?? ''));
  let first = true;
  const header = (name: string) => {
    // TF prints each name with a leading newline; only the first follows the heading directly.
    if (!first) lines.push('');
    first = false;
    lines.push(`  Function Name: '${name}'`);
  };
  for (const c of children) {
    const node = nodes[c.node_id ?? 0];
    if (!node) continue;
    if (node.function) {
      header(c.local_name ?? '');
      lines.push(...concreteFunctionLines(og, node.function.concrete_functions ?? [], null));
    } else if (node.bare_concrete_function) {
      header(c.local_name ?? '');
      const b = node.bare_concrete_function;
      lines.push(...concreteFunctionLines(og, [b.concrete_function_name ?? ''], b.argument_keywords ?? []));
    }
  }
  return lines.join('\n') + '\n';
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
    const tags = (mg.meta_info_def?.tags ?? []).map((x) => `'${x}'`).join(', ');
    out += `The MetaGraph with tag set [${tags}] contains the following ops: {${opsUsed(mg).map((o) => `'${o}'`).join(', ')}}\n`;
  }
  out += showConcreteFunctions(sm);
  return out;
}
