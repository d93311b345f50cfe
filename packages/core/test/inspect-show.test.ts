// saved_model_cli's show layout details: op sets as TF computes them, Python reprs of arguments.
import { describe, expect, it } from 'vitest';
import { opsUsed, showAll, showConcreteFunctions, tensorflow } from '../src/index.js';

const tuple = (...values: tensorflow.IStructuredValue[]) => ({ tuple_value: { values } });
const dict = (fields: Record<string, tensorflow.IStructuredValue>) => ({ dict_value: { fields } });

function modelWith(args: tensorflow.IStructuredValue[], kwargs: Record<string, tensorflow.IStructuredValue> = {}): tensorflow.ISavedModel {
  return {
    meta_graphs: [{
      meta_info_def: { tags: ['serve'] },
      graph_def: { library: { function: [{ signature: { name: 'f_1' } }] } },
      object_graph_def: {
        nodes: [{ children: [{ local_name: 'f', node_id: 1 }], user_object: {} }, { function: { concrete_functions: ['f_1'] } }],
        concrete_functions: { f_1: { canonicalized_input_signature: tuple(tuple(...args), dict(kwargs)) } },
      },
    }],
  };
}

describe('show: concrete functions and op sets', () => {
  it('Python bools, ints, floats, strings print with their Python type names', () => {
    const out = showConcreteFunctions(modelWith([
      { tensor_spec_value: { name: 'x', dtype: tensorflow.DataType.DT_FLOAT, shape: { dim: [{ size: -1 }, { size: 3 }] } } },
      { bool_value: true }, { int64_value: 7 }, { float64_value: 1 }, { none_value: {} },
    ]));
    expect(out).toBe(
      "\nConcrete Functions:\n  Function Name: 'f'\n    Option #1\n      Callable with:\n" +
      "        Argument #1\n          x: TensorSpec(shape=(None, 3), dtype=tf.float32, name='x')\n" +
      '        Argument #2\n          DType: bool\n          Value: True\n' +
      '        Argument #3\n          DType: int\n          Value: 7\n' +
      '        Argument #4\n          DType: float\n          Value: 1.0\n' +
      '        Argument #5\n          DType: NoneType\n          Value: None\n',
    );
  });

  it('TypeSpecs print as ClassName(serialized state), not <value>', () => {
    const shape = (...d: number[]) => ({ tensor_shape_value: { dim: d.map((size) => ({ size })) } });
    const out = showConcreteFunctions(modelWith([
      { type_spec_value: { type_spec_class: tensorflow.TypeSpecProto.TypeSpecClass.SPARSE_TENSOR_SPEC, type_state: tuple(shape(-1, 3), { tensor_dtype_value: tensorflow.DataType.DT_FLOAT }) } },
      { type_spec_value: { type_spec_class: tensorflow.TypeSpecProto.TypeSpecClass.RAGGED_TENSOR_SPEC, type_state: tuple(shape(-1, -1), { tensor_dtype_value: tensorflow.DataType.DT_INT32 }, { int64_value: 1 }, { tensor_dtype_value: tensorflow.DataType.DT_INT64 }) } },
    ]));
    expect(out).toContain('          DType: SparseTensorSpec\n          Value: SparseTensorSpec(TensorShape([None, 3]), tf.float32)\n');
    expect(out).toContain('          DType: RaggedTensorSpec\n          Value: RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64)\n');
    expect(out).not.toContain('<value>');
  });

  it('an object graph without functions ends right after "Concrete Functions:" (no extra newline)', () => {
    const sm: tensorflow.ISavedModel = { meta_graphs: [{ meta_info_def: { tags: ['serve'] }, object_graph_def: { nodes: [{ user_object: {} }] } }] };
    expect(showConcreteFunctions(sm)).toBe('\nConcrete Functions:');
    expect(showAll(sm).endsWith("contains the following ops: set()\n\nConcrete Functions:")).toBe(true);
  });

  it('op set: graph nodes plus functions reached through calls, not every library function', () => {
    const mg: tensorflow.IMetaGraphDef = {
      graph_def: {
        node: [{ op: 'Placeholder' }, { op: 'StatefulPartitionedCall', attr: { f: { func: { name: 'called' } } } }, { op: 'direct' }],
        library: {
          function: [
            { signature: { name: 'called' }, node_def: [{ op: 'MatMul' }, { op: 'PartitionedCall', attr: { f: { func: { name: 'nested' } } } }] },
            { signature: { name: 'nested' }, node_def: [{ op: 'Relu' }] },
            { signature: { name: 'direct' }, node_def: [{ op: 'Tanh' }] },
            { signature: { name: 'unreached' }, node_def: [{ op: 'CustomOnlyHere' }] },
          ],
        },
      },
    };
    expect(opsUsed(mg)).toEqual(['MatMul', 'PartitionedCall', 'Placeholder', 'Relu', 'StatefulPartitionedCall', 'Tanh']);
  });
});
