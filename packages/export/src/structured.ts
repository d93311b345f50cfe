// StructuredValue (struct.proto) builders for FunctionSpec, canonicalized input signatures and
// output signatures, as TensorFlow's nested_structure_coder writes them.
import { shapeProto, tensorflow } from '@savedmodel-js/core';
import { TensorSpec, type Nested } from '@savedmodel-js/trace';
import { toDataType } from './dtypes.js';
import type { PolymorphicFunction } from './function.js';

type SV = tensorflow.IStructuredValue;

export const sv = {
  none: (): SV => ({ none_value: {} }),
  str: (s: string): SV => ({ string_value: s }),
  list: (values: SV[]): SV => ({ list_value: { values } }),
  tuple: (values: SV[]): SV => ({ tuple_value: { values } }),
  dict: (fields: Record<string, SV>): SV => ({ dict_value: { fields } }),
  spec: (spec: { shape: readonly (number | null)[]; dtype: string }, name?: string): SV => {
    const t: tensorflow.ITensorSpecProto = { shape: shapeProto(spec.shape), dtype: toDataType(spec.dtype) };
    if (name) t.name = name;
    return { tensor_spec_value: t };
  },
};

/** tf.nest structure of specs; arrays as lists (inputs) or tuples (outputs). */
export function nestedValue(x: Nested<TensorSpec>, arrays: 'list' | 'tuple', name: (spec: TensorSpec, path: string[]) => string | undefined, path: string[] = []): SV {
  if (x instanceof TensorSpec) return sv.spec(x, name(x, path));
  if (Array.isArray(x)) {
    const values = (x as Nested<TensorSpec>[]).map((y, i) => nestedValue(y, arrays, name, [...path, String(i)]));
    return arrays === 'list' ? sv.list(values) : sv.tuple(values);
  }
  const fields: Record<string, SV> = {};
  for (const k of Object.keys(x).sort()) fields[k] = nestedValue((x as Record<string, Nested<TensorSpec>>)[k]!, arrays, name, [...path, k]);
  return sv.dict(fields);
}

/** FunctionSpec.fullargspec: inspect.FullArgSpec as a NamedTuple. */
export function fullArgSpec(args: readonly string[]): SV {
  return {
    named_tuple_value: {
      name: 'FullArgSpec',
      values: [
        { key: 'args', value: sv.list(args.map(sv.str)) },
        { key: 'varargs', value: sv.none() },
        { key: 'varkw', value: sv.none() },
        { key: 'defaults', value: sv.none() },
        { key: 'kwonlyargs', value: sv.list([]) },
        { key: 'kwonlydefaults', value: sv.none() },
        { key: 'annotations', value: sv.dict({}) },
      ],
    },
  };
}

/** The declared input_signature as TF stores it: a tuple with one entry per positional argument. */
export function inputSignatureValue(sig: readonly Nested<TensorSpec>[] | null): SV {
  if (!sig) return sv.none();
  return sv.tuple(sig.map((s) => nestedValue(s, 'list', (spec) => spec.name)));
}

/** canonicalized_input_signature of a traced function: ((args...), {}) with every spec named. */
export function canonicalInputs(sig: readonly Nested<TensorSpec>[]): SV {
  return sv.tuple([sv.tuple(sig.map((s) => nestedValue(s, 'list', (spec) => spec.name))), sv.dict({})]);
}

/** output_signature of a traced function: its return structure (single spec unnamed, tuple items "0", "1", ...). */
export function outputSignature(structure: Nested<TensorSpec> | null): SV {
  if (structure === null) return sv.none();
  return nestedValue(structure, 'tuple', (_spec, path) => (path.length ? path.join('/') : undefined));
}

/** FunctionSpec of a tf.function node: its argument names (self first for a method) and input signature. */
export function polymorphicSpec(f: Pick<PolymorphicFunction, 'isMethod' | 'argNames' | 'inputSignature'>): tensorflow.IFunctionSpec {
  const args = f.isMethod ? ['self', ...f.argNames] : [...f.argNames];
  const spec: tensorflow.IFunctionSpec = { fullargspec: fullArgSpec(args), input_signature: inputSignatureValue(f.inputSignature) };
  if (f.isMethod) spec.is_method = true;
  return spec;
}

/** FullArgSpec with no named args and *args / **kwargs, as TF writes for bare concrete functions. */
export function argSpec(args: string[], varargs: string | null, varkw: string | null): tensorflow.IStructuredValue {
  const full = fullArgSpec(args);
  for (const v of full.named_tuple_value!.values!) {
    if (v.key === 'varargs' && varargs) v.value = sv.str(varargs);
    if (v.key === 'varkw' && varkw) v.value = sv.str(varkw);
  }
  return full;
}
