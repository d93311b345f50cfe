// The result of a trace: a FunctionDef plus what a SavedModel writer needs around it.
import type { Variable } from '@tensorflow/tfjs';
import { attr, getOpDef, tensorflow } from './core.js';
import type { LoweredGraph } from './lowering/lower-tape.js';
import type { NodeOrigin } from './graph/graph-builder.js';
import type { Nested, TensorSpec } from './tensor-spec.js';
import { tfDtype } from './dtype.js';

export interface FunctionInput {
  /** FunctionDef input arg name ([a-z][a-z0-9_]*). */
  argName: string;
  /** Shape (null = unknown), dtype, and the user-facing name. */
  spec: TensorSpec;
}

export interface CapturedVariable {
  /** Trailing DT_RESOURCE input arg of the FunctionDef. */
  argName: string;
  /** tfjs variable name ("dense_Dense1/kernel"). */
  name: string;
  dtype: Variable['dtype'];
  shape: number[];
  trainable: boolean;
  /** Value, copied from the variable on first access (no copy is held unless asked for). */
  values: Float32Array | Int32Array | Uint8Array;
  variable: Variable;
}

export interface FunctionOutput {
  /** FunctionDef output arg name ("identity", "identity_1", ...). */
  argName: string;
  spec: TensorSpec;
}

export interface ConcreteFunction {
  /** FunctionDef name: __inference_<name>_<uid>. */
  readonly name: string;
  readonly functionDef: tensorflow.IFunctionDef;
  /** The input signature, with every spec named. */
  readonly inputSignature: readonly Nested<TensorSpec>[];
  /** Flat user inputs, in FunctionDef order. */
  readonly inputs: readonly FunctionInput[];
  /** Captured variables: the FunctionDef's trailing resource inputs, in order. */
  readonly captures: readonly CapturedVariable[];
  /** Flat outputs, in FunctionDef order. */
  readonly outputs: readonly FunctionOutput[];
  /** The traced function's return structure with TensorSpecs as leaves. */
  readonly structuredOutputs: Nested<TensorSpec>;
  /** Node name → the tfjs kernel and layer path that produced it (SaveOptions.saveDebugInfo). */
  readonly nodeOrigins: ReadonlyMap<string, NodeOrigin>;
}

export function buildFunctionDef(name: string, inputs: readonly FunctionInput[], lowered: LoweredGraph): tensorflow.IFunctionDef {
  const outputArgs = lowered.outputs.map((_, i) => (i === 0 ? 'identity' : `identity_${i}`));
  const ret: Record<string, string> = {};
  outputArgs.forEach((a, i) => { ret[a] = lowered.outputs[i]!.ref; });
  const argAttr: Record<string, tensorflow.FunctionDef.IArgAttrs> = {};
  inputs.forEach((inp, i) => {
    argAttr[String(i)] = { attr: { _user_specified_name: attr.str(inp.spec.name ?? inp.argName) } };
  });
  const stateful = lowered.nodes.some((n) => getOpDef(n.op ?? '')?.is_stateful);
  return {
    signature: {
      name,
      input_arg: [
        ...inputs.map((inp) => ({ name: inp.argName, type: tfDtype(inp.spec.dtype) })),
        ...lowered.captures.map((c) => ({ name: c.argName, type: tensorflow.DataType.DT_RESOURCE })),
      ],
      output_arg: lowered.outputs.map((t, i) => ({ name: outputArgs[i]!, type: t.dtype })),
      ...(stateful ? { is_stateful: true } : {}),
    },
    node_def: lowered.nodes,
    ret,
    arg_attr: argAttr,
  };
}
