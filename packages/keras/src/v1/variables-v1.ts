// TF1 graph-mode resource variables (what tf.keras creates in TF 1.x: make_variable uses
// use_resource=True) and the name-based Saver around them, laid out as TF1's graph builder and
// saver_lib write them (compare half_plus_two_v1: same `save/…` node names and SaverDef).
import { attr, tensorflow } from '@savedmodel-js/core';
import type { GraphV1 } from './graph-v1.js';

const DT = tensorflow.DataType;

export interface V1Variable {
  /** Node name of the VarHandleOp (also its checkpoint key: a name-based checkpoint). */
  name: string;
  dtype: tensorflow.DataType;
  shape: number[];
  trainable: boolean;
}

export interface EmittedVariables {
  /** Variable name → VarHandleOp node. */
  handles: Map<string, string>;
  /** VariableDef of each variable (collection `variables`), trainable ones also in `trainable_variables`. */
  collections: Record<string, tensorflow.ICollectionDef>;
}

/**
 * VarHandleOp + zeros initializer + Assign + IsInitialized + Read per variable, named as TF1
 * names them (`v`, `v/Initializer/zeros`, `v/Assign`, `v/IsInitialized/VarIsInitializedOp`,
 * `v/Read/ReadVariableOp`). Values come from the checkpoint (restore), never the initializer.
 */
export function emitVariables(g: GraphV1, vars: readonly V1Variable[]): EmittedVariables {
  const handles = new Map<string, string>();
  const all: Uint8Array[] = [];
  const trainable: Uint8Array[] = [];
  for (const v of vars) {
    const init = emitZeros(g, `${v.name}/Initializer/zeros`, v.dtype, v.shape);
    const h = g.add(v.name, 'VarHandleOp', [], {
      container: attr.str(''), shared_name: attr.str(v.name), dtype: attr.type(v.dtype), shape: attr.shape(v.shape),
    });
    handles.set(v.name, h);
    g.add(`${h}/IsInitialized/VarIsInitializedOp`, 'VarIsInitializedOp', [h]);
    const assign = g.add(`${h}/Assign`, 'AssignVariableOp', [h, init], { dtype: attr.type(v.dtype) });
    const read = g.add(`${h}/Read/ReadVariableOp`, 'ReadVariableOp', [h], { dtype: attr.type(v.dtype) });
    const def = tensorflow.VariableDef.encode({
      variable_name: `${h}:0`, initial_value_name: `${init}:0`, initializer_name: assign, snapshot_name: `${read}:0`,
      trainable: v.trainable, is_resource: true,
    }).finish();
    all.push(def);
    if (v.trainable) trainable.push(def);
  }
  const collections: Record<string, tensorflow.ICollectionDef> = {};
  if (all.length) collections.variables = { bytes_list: { value: all } };
  if (trainable.length) collections.trainable_variables = { bytes_list: { value: trainable } };
  return { handles, collections };
}

/** A zeros tensor: Const for scalars, Fill(shape, 0) otherwise (TF1's zeros initializer). */
function emitZeros(g: GraphV1, name: string, dtype: tensorflow.DataType, shape: readonly number[]): string {
  const zero: tensorflow.ITensorProto = dtype === DT.DT_INT32 ? { dtype, tensor_shape: {}, int_val: [0] }
    : dtype === DT.DT_BOOL ? { dtype, tensor_shape: {}, bool_val: [false] } : { dtype, tensor_shape: {}, float_val: [0] };
  if (shape.length === 0) return g.add(name, 'Const', [], { dtype: attr.type(dtype), value: attr.tensor(zero) });
  const dims = g.add(`${name}/shape_as_tensor`, 'Const', [], {
    dtype: attr.type(DT.DT_INT32),
    value: attr.tensor({ dtype: DT.DT_INT32, tensor_shape: { dim: [{ size: shape.length }] }, int_val: [...shape] }),
  });
  const c = g.add(`${name}/Const`, 'Const', [], { dtype: attr.type(dtype), value: attr.tensor(zero) });
  return g.add(name, 'Fill', [dims, c], { T: attr.type(dtype), index_type: attr.type(DT.DT_INT32) });
}

/**
 * The sharded V2 saver (`save/…`) over `vars` keyed by their names, as saver_lib.Saver(sharded=True)
 * builds it: SaveV2 + MergeV2Checkpoints behind save/Identity; RestoreV2 → Identity →
 * AssignVariableOp per variable, grouped by save/restore_shard and save/restore_all.
 */
export function emitSaver(g: GraphV1, vars: readonly V1Variable[], handles: ReadonlyMap<string, string>, tempId: string): tensorflow.ISaverDef {
  const sorted = [...vars].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const str = attr.type(DT.DT_STRING);
  const fnInput = g.constString('save/filename/input', ['model']);
  const filename = g.add('save/filename', 'PlaceholderWithDefault', [fnInput], { dtype: str, shape: attr.shape([]) });
  const prefix = g.add('save/Const', 'PlaceholderWithDefault', [filename], { dtype: str, shape: attr.shape([]) });
  const tmpPart = g.constString('save/StringJoin/inputs_1', [`_temp_${tempId}/part`]);
  const join = g.add('save/StringJoin', 'StringJoin', [prefix, tmpPart], { N: attr.int(2), separator: attr.str('') });
  const numShards = g.constInt('save/num_shards', 1);
  const shard = g.constInt('save/ShardedFilename/shard', 0);
  const sharded = g.add('save/ShardedFilename', 'ShardedFilename', [join, shard, numShards]);
  const names = sorted.map((v) => v.name);
  const dtypes = attr.types(sorted.map((v) => v.dtype));
  const saveNames = g.constString('save/SaveV2/tensor_names', names, [names.length]);
  const saveSlices = g.constString('save/SaveV2/shape_and_slices', names.map(() => ''), [names.length]);
  const reads = sorted.map((v) => `${handles.get(v.name)!}/Read/ReadVariableOp`);
  const save = g.add('save/SaveV2', 'SaveV2', [sharded, saveNames, saveSlices, ...reads], { dtypes });
  const ctrl = g.add('save/control_dependency', 'Identity', [sharded, `^${save}`], { T: str });
  const prefixes = g.add('save/MergeV2Checkpoints/checkpoint_prefixes', 'Pack', [sharded, `^${ctrl}`], { N: attr.int(1), T: str, axis: attr.int(0) });
  const merge = g.add('save/MergeV2Checkpoints', 'MergeV2Checkpoints', [prefixes, prefix], { delete_old_dirs: attr.bool(true) });
  const saveId = g.add('save/Identity', 'Identity', [prefix, `^${merge}`, `^${ctrl}`], { T: str });

  const restoreNames = g.constString('save/RestoreV2/tensor_names', names, [names.length]);
  const restoreSlices = g.constString('save/RestoreV2/shape_and_slices', names.map(() => ''), [names.length]);
  const restore = g.add('save/RestoreV2', 'RestoreV2', [prefix, restoreNames, restoreSlices], { dtypes });
  const assigns = sorted.map((v, i) => {
    const id = g.add('save/Identity', 'Identity', [i === 0 ? restore : `${restore}:${i}`], { T: attr.type(v.dtype) });
    return g.add('save/AssignVariableOp', 'AssignVariableOp', [handles.get(v.name)!, id], { dtype: attr.type(v.dtype) });
  });
  const restoreShard = g.add('save/restore_shard', 'NoOp', assigns.map((a) => `^${a}`));
  const restoreAll = g.add('save/restore_all', 'NoOp', [`^${restoreShard}`]);
  return {
    filename_tensor_name: `${prefix}:0`,
    save_tensor_name: `${saveId}:0`,
    restore_op_name: restoreAll,
    max_to_keep: 5,
    sharded: true,
    keep_checkpoint_every_n_hours: 10000,
    version: tensorflow.SaverDef.CheckpointFormatVersion.V2,
  };
}
