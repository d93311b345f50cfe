// The built-in example: y = a·x + b with a = 0.5, b = 2 ("half plus two", the model TensorFlow
// Serving uses in its own docs), built node by node with the core serializer as a
// session-style (TF1) SavedModel: variables restored by a saver, one `serving_default` signature.
import {
  attr, buildStrippedOpList, DataType, node, shapeProto, stringTensor, stripDefaultAttrs, tensorflow,
  type SavedModelContent,
} from '@savedmodel-js/core';

const F = tensorflow.DataType.DT_FLOAT;
const S = tensorflow.DataType.DT_STRING;

export function exampleModel(a = 0.5, b = 2): SavedModelContent {
  const varNames = ['a', 'b'];
  const nodes: tensorflow.INodeDef[] = [
    node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([null, 1]) }),
    ...varNames.flatMap((v) => [
      node(v, 'VarHandleOp', [], { dtype: attr.type(F), shape: attr.shape([]), shared_name: attr.str(v), container: attr.str('') }),
      node(`${v}/Read/ReadVariableOp`, 'ReadVariableOp', [v], { dtype: attr.type(F) }),
    ]),
    node('mul', 'Mul', ['a/Read/ReadVariableOp', 'x'], { T: attr.type(F) }),
    node('y', 'AddV2', ['mul', 'b/Read/ReadVariableOp'], { T: attr.type(F) }),
    // Saver: feed the checkpoint prefix to save/filename, run save/restore_all.
    node('save/filename', 'PlaceholderWithDefault', ['save/Const'], { dtype: attr.type(S), shape: attr.shape([]) }),
    node('save/Const', 'Const', [], { dtype: attr.type(S), value: attr.tensor(stringTensor(['model'])) }),
    node('save/SaveV2/tensor_names', 'Const', [], { dtype: attr.type(S), value: attr.tensor(stringTensor(varNames, [2])) }),
    node('save/SaveV2/shape_and_slices', 'Const', [], { dtype: attr.type(S), value: attr.tensor(stringTensor(['', ''], [2])) }),
    node('save/SaveV2', 'SaveV2', ['save/filename', 'save/SaveV2/tensor_names', 'save/SaveV2/shape_and_slices', 'a/Read/ReadVariableOp', 'b/Read/ReadVariableOp'], { dtypes: attr.types([F, F]) }),
    node('save/control_dependency', 'Identity', ['save/filename', '^save/SaveV2'], { T: attr.type(S) }),
    node('save/RestoreV2/tensor_names', 'Const', [], { dtype: attr.type(S), value: attr.tensor(stringTensor(varNames, [2])) }),
    node('save/RestoreV2/shape_and_slices', 'Const', [], { dtype: attr.type(S), value: attr.tensor(stringTensor(['', ''], [2])) }),
    node('save/RestoreV2', 'RestoreV2', ['save/filename', 'save/RestoreV2/tensor_names', 'save/RestoreV2/shape_and_slices'], { dtypes: attr.types([F, F]) }),
    node('save/AssignVariableOp', 'AssignVariableOp', ['a', 'save/RestoreV2'], { dtype: attr.type(F) }),
    node('save/AssignVariableOp_1', 'AssignVariableOp', ['b', 'save/RestoreV2:1'], { dtype: attr.type(F) }),
    node('save/restore_all', 'NoOp', ['^save/AssignVariableOp', '^save/AssignVariableOp_1']),
  ];
  const graph: tensorflow.IGraphDef = { node: nodes, versions: { producer: 440, min_consumer: 12 } };
  stripDefaultAttrs(graph);
  const tensorInfo = (name: string): tensorflow.ITensorInfo => ({ name, dtype: F, tensor_shape: shapeProto([null, 1]) });
  const savedModel: tensorflow.ISavedModel = {
    saved_model_schema_version: 1,
    meta_graphs: [{
      meta_info_def: { stripped_op_list: buildStrippedOpList(graph), tags: ['serve'], stripped_default_attrs: true },
      graph_def: graph,
      saver_def: {
        filename_tensor_name: 'save/filename:0',
        save_tensor_name: 'save/control_dependency:0',
        restore_op_name: 'save/restore_all',
        max_to_keep: 5,
        keep_checkpoint_every_n_hours: 10000,
        version: tensorflow.SaverDef.CheckpointFormatVersion.V2,
      },
      signature_def: {
        serving_default: { inputs: { x: tensorInfo('x:0') }, outputs: { y: tensorInfo('y:0') }, method_name: 'tensorflow/serving/predict' },
      },
    }],
  };
  const f32 = (v: number) => new Float32Array([v]);
  return {
    savedModel,
    checkpoint: [
      { key: 'a', dtype: DataType.DT_FLOAT, shape: [], data: f32(a) },
      { key: 'b', dtype: DataType.DT_FLOAT, shape: [], data: f32(b) },
    ],
  };
}
