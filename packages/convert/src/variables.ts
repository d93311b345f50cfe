// `{variables: true}`: the weights of a graph model as TF1 variables in a checkpoint instead of
// Const values, the layout tf.compat.v1 SavedModels have: each weight Const `w` becomes
// `w/variable` (VariableV2) read by an Identity that keeps the name `w` (so consumers are
// unchanged), and a saver restores them: `save/RestoreV2` reads the checkpoint keys (the
// variable node names) and `save/Assign_i` writes each variable, grouped by `save/restore_all`;
// `save/SaveV2` writes them back. saver_def points at these nodes, as TF1's Saver does.
import { SavedModelError, shapeProto, stringTensor, tensorflow, type CheckpointTensor } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';

const DT = tensorflow.DataType;
type NodeDef = tensorflow.INodeDef;

const VARIABLE_DTYPES = new Set<number>([
  DT.DT_FLOAT, DT.DT_DOUBLE, DT.DT_HALF, DT.DT_BFLOAT16, DT.DT_INT32, DT.DT_INT64, DT.DT_INT8, DT.DT_UINT8, DT.DT_INT16, DT.DT_UINT16, DT.DT_BOOL,
]);

function dims(t: tensorflow.ITensorProto): number[] {
  return (t.tensor_shape?.dim ?? []).map((d) => Number(d.size ?? 0));
}

export interface VariablesResult {
  checkpoint: CheckpointTensor[];
  saverDef: tensorflow.ISaverDef;
}

/** Turns the Consts named in `weights` (top-level, with tensor_content) into restored variables. */
export function addVariables(graph: tensorflow.IGraphDef, weights: ReadonlySet<string>): VariablesResult {
  const nodes = graph.node ?? [];
  const taken = new Set(nodes.map((n) => n.name ?? ''));
  const unique = (base: string) => {
    let n = base;
    for (let i = 1; taken.has(n); i++) n = `${base}_${i}`;
    taken.add(n);
    return n;
  };
  const out: NodeDef[] = [];
  const vars: { name: string; dtype: number; shape: number[]; bytes: Uint8Array }[] = [];
  for (const n of nodes) {
    const t = n.attr?.value?.tensor;
    const dtype = n.attr?.dtype?.type ?? DT.DT_FLOAT;
    if (n.op !== 'Const' || !weights.has(n.name ?? '') || !t?.tensor_content || !VARIABLE_DTYPES.has(dtype)) { out.push(n); continue; }
    const v = unique(`${n.name}/variable`);
    const shape = dims(t);
    out.push({ name: v, op: 'VariableV2', input: [], attr: { dtype: { type: dtype }, shape: { shape: shapeProto(shape) }, container: { s: new Uint8Array(0) }, shared_name: { s: new Uint8Array(0) } } });
    out.push({ name: n.name!, op: 'Identity', input: [v, ...(n.input ?? [])], attr: { T: { type: dtype } } });
    vars.push({ name: v, dtype, shape, bytes: t.tensor_content });
  }
  if (vars.length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'variables: the model has no numeric weights to make variables of');
  vars.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  const p = unique('save');
  const filename = `${p}/filename`, constName = `${p}/Const`;
  const names = stringTensor(vars.map((x) => x.name), [vars.length]);
  const slices = stringTensor(vars.map(() => ''), [vars.length]);
  const strConst = (name: string, t: tensorflow.ITensorProto): NodeDef => ({ name, op: 'Const', input: [], attr: { dtype: { type: DT.DT_STRING }, value: { tensor: t } } });
  out.push({ name: filename, op: 'PlaceholderWithDefault', input: [`${p}/filename/input`], attr: { dtype: { type: DT.DT_STRING }, shape: { shape: { dim: [] } } } });
  out.push(strConst(`${p}/filename/input`, stringTensor(['model'], [])));
  out.push({ name: constName, op: 'PlaceholderWithDefault', input: [filename], attr: { dtype: { type: DT.DT_STRING }, shape: { shape: { dim: [] } } } });
  out.push(strConst(`${p}/SaveV2/tensor_names`, names));
  out.push(strConst(`${p}/SaveV2/shape_and_slices`, slices));
  out.push({ name: `${p}/SaveV2`, op: 'SaveV2', input: [constName, `${p}/SaveV2/tensor_names`, `${p}/SaveV2/shape_and_slices`, ...vars.map((x) => x.name)], attr: { dtypes: { list: { type: vars.map((x) => x.dtype) } } } });
  out.push({ name: `${p}/control_dependency`, op: 'Identity', input: [constName, `^${p}/SaveV2`], attr: { T: { type: DT.DT_STRING }, _class: { list: { s: [new TextEncoder().encode(`loc:@${constName}`)] } } } });
  out.push(strConst(`${p}/RestoreV2/tensor_names`, names));
  out.push(strConst(`${p}/RestoreV2/shape_and_slices`, slices));
  out.push({ name: `${p}/RestoreV2`, op: 'RestoreV2', input: [constName, `${p}/RestoreV2/tensor_names`, `${p}/RestoreV2/shape_and_slices`], attr: { dtypes: { list: { type: vars.map((x) => x.dtype) } } } });
  const assigns = vars.map((x, i) => {
    const name = `${p}/Assign${i ? `_${i}` : ''}`;
    out.push({ name, op: 'Assign', input: [x.name, `${p}/RestoreV2${i ? `:${i}` : ''}`], attr: { T: { type: x.dtype }, validate_shape: { b: true }, use_locking: { b: true } } });
    return `^${name}`;
  });
  out.push({ name: `${p}/restore_all`, op: 'NoOp', input: assigns, attr: {} });
  graph.node = out;

  for (const x of vars) {
    if (x.name.length > 60_000) throw new SavedModelError('LIMIT_EXCEEDED', `variable name ${quoteSnippet(x.name)} is too long for a checkpoint key`);
  }
  return {
    checkpoint: vars.map((x) => ({ key: x.name, dtype: x.dtype, shape: x.shape, data: x.bytes })),
    saverDef: {
      filename_tensor_name: `${constName}:0`,
      save_tensor_name: `${p}/control_dependency:0`,
      restore_op_name: `${p}/restore_all`,
      max_to_keep: 5,
      keep_checkpoint_every_n_hours: 10000,
      version: tensorflow.SaverDef.CheckpointFormatVersion.V2,
    },
  };
}
