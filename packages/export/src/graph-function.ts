// Graph functions: a body that writes TensorFlow ops directly through a FunctionBuilder (each
// checked against TensorFlow's op registry as it is emitted), for what tfjs cannot express:
// int64 / uint8 tensors, variable assignment. graphFunction wraps it as a PolymorphicFunction.
import type * as tf from '@tensorflow/tfjs';
import { attr, getOpDef, SavedModelError, tensorflow } from '@savedmodel-js/core';
import { checkOptions } from '@savedmodel-js/core/internal';
import { flatten, GraphBuilder, TensorSpec, type AttrInput, type GraphTensor, type Nested } from '@savedmodel-js/trace';
import { toDataType, type DTypeName } from './dtypes.js';
import {
  FUNCTION_OPTION_KEYS, isTensorSpec, parameterNames, PolymorphicFunction, type ExportableFunction, type FunctionOptions, type Tracer,
} from './function.js';
import { isVariable, variableKey, variableInfo, type AnyVariable } from './variables.js';

const DT = tensorflow.DataType;

/** A tensor inside a graph function. */
export type GraphValue = GraphTensor;

/** Builds the body of a graph function: ops by name (checked against TensorFlow's op registry). */
export class FunctionBuilder {
  /** @internal */
  readonly captures: { argName: string; variable: object; info: ReturnType<typeof variableInfo> }[] = [];
  /** @internal nodes with side effects (assignments), for control outputs */
  readonly sideEffects: string[] = [];
  private readonly resources = new Map<object, GraphTensor>();

  /** @internal */
  constructor(readonly graph: GraphBuilder) {}

  /** Emits `op` on the variable's resource arg; the arg is named after the first node using it, as TF does. */
  private onResource(v: AnyVariable, op: string, inputs: readonly GraphTensor[], attrs: Record<string, AttrInput>, shapes?: (readonly number[])[]): GraphTensor[] {
    if (!isVariable(v)) throw new SavedModelError('INVALID_ARGUMENT', `${op} needs a tf.Variable or RawVariable`);
    const key = variableKey(v);
    let res = this.resources.get(key);
    const fresh = !res;
    if (!res) res = { ref: '__resource__', dtype: DT.DT_RESOURCE, shape: [] };
    const at = this.graph.nodes.length;
    const outs = this.graph.emit(op, [res, ...inputs], attrs, { name: op, ...(shapes ? { shapes } : {}) });
    const node = this.graph.nodes[at]!;
    if (fresh) {
      const argName = this.graph.uniqueName(`${(node.name ?? op).toLowerCase().replace(/[^a-z0-9_]/g, '_')}_resource`);
      node.input![0] = argName;
      res = { ref: argName, dtype: DT.DT_RESOURCE, shape: [] };
      this.resources.set(key, res);
      this.captures.push({ argName, variable: key, info: variableInfo(v) });
    }
    if (op === 'AssignVariableOp') this.sideEffects.push(node.name ?? op);
    return outs;
  }

  /** ReadVariableOp: the variable's current value. */
  read(v: AnyVariable): GraphTensor {
    const info = variableInfo(v);
    return this.onResource(v, 'ReadVariableOp', [], { dtype: info.dtype }, [info.shape])[0]!;
  }

  /** AssignVariableOp (a side effect: the function's outputs and control outputs depend on it). */
  assign(v: AnyVariable, value: GraphTensor): void {
    const info = variableInfo(v);
    if (value.dtype !== info.dtype) throw new SavedModelError('INVALID_ARGUMENT', `assign: ${info.label} has DataType ${info.dtype}, the value ${value.dtype}`);
    this.onResource(v, 'AssignVariableOp', [value], { dtype: info.dtype });
  }

  /**
   * Any registered op; returns its outputs (`node:out_arg:i`). Type attrs are inferred from the
   * inputs; `shapes` gives the outputs' static shapes where they matter (function outputs).
   */
  op(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs: Record<string, AttrInput | undefined> = {}, opts: { name?: string; shapes?: readonly (readonly (number | null)[] | null)[] } = {}): GraphTensor[] {
    const shapes = opts.shapes?.map((s) => (s ? s.map((d) => (d === null ? -1 : d)) : null));
    return this.graph.emit(op, inputs, attrs, { ...(opts.name ? { name: opts.name } : {}), ...(shapes ? { shapes } : {}) });
  }

  op1(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs: Record<string, AttrInput | undefined> = {}, opts: { name?: string; shape?: readonly (number | null)[] | null } = {}): GraphTensor {
    const o = this.op(op, inputs, attrs, { ...(opts.name ? { name: opts.name } : {}), ...(opts.shape !== undefined ? { shapes: [opts.shape] } : {}) });
    if (!o[0]) throw new SavedModelError('INVALID_GRAPH', `${op} has no outputs`);
    return o[0];
  }

  /** Const of float32/int32/bool (GraphBuilder) or int64/uint8/float64 values. */
  constant(values: number | bigint | boolean | readonly (number | bigint | boolean)[], dtype: DTypeName = 'float32', shape?: readonly number[]): GraphTensor {
    const list = Array.isArray(values) ? [...values] : [values as number | bigint | boolean];
    const dims = shape ? [...shape] : Array.isArray(values) ? [list.length] : [];
    const t = toDataType(dtype);
    if (t === DT.DT_FLOAT || t === DT.DT_INT32 || t === DT.DT_BOOL) {
      return this.graph.constant(t, dims, list.map((x) => (typeof x === 'bigint' ? Number(x) : x)) as number[]);
    }
    const tensor: tensorflow.ITensorProto = { dtype: t, tensor_shape: { dim: dims.map((size) => ({ size })) } };
    if (t === DT.DT_INT64) tensor.int64_val = list.map((x) => Number(x));
    else if (t === DT.DT_DOUBLE) tensor.double_val = list.map((x) => Number(x));
    else if (t === DT.DT_UINT8 || t === DT.DT_INT8 || t === DT.DT_INT16 || t === DT.DT_UINT16) tensor.int_val = list.map((x) => Number(x));
    else throw new SavedModelError('UNSUPPORTED', `constants of ${dtype} are not supported in graph functions`);
    return this.graph.emit1('Const', [], { value: tensor, dtype: t }, { name: 'Const', shapes: [dims] });
  }

  private binary(op: string, name: string, a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.graph.emit1(op, [a, b], {}, { name, shapes: [broadcast(a.shape, b.shape)] });
  }

  mul(a: GraphTensor, b: GraphTensor): GraphTensor { return this.binary('Mul', 'mul', a, b); }
  add(a: GraphTensor, b: GraphTensor): GraphTensor { return this.binary('AddV2', 'add', a, b); }
  sub(a: GraphTensor, b: GraphTensor): GraphTensor { return this.binary('Sub', 'sub', a, b); }
  cast(x: GraphTensor, dtype: DTypeName): GraphTensor { return this.graph.emit1('Cast', [x], { DstT: toDataType(dtype) }, { name: 'Cast', shapes: [x.shape] }); }
  identity(x: GraphTensor): GraphTensor { return this.graph.emit1('Identity', [x], {}, { name: 'Identity', shapes: [x.shape] }); }
}

/** Broadcast shape of two static shapes (-1 = unknown dim); null when either is unknown. */
function broadcast(a: GraphTensor['shape'], b: GraphTensor['shape']): number[] | null {
  if (!a || !b || a.some((d) => typeof d !== 'number') || b.some((d) => typeof d !== 'number')) return null;
  const x = a as readonly number[], y = b as readonly number[];
  const n = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = x[x.length - n + i] ?? 1, q = y[y.length - n + i] ?? 1;
    if (p === 1) out.push(q);
    else if (q === 1 || p === q) out.push(p);
    else if (p === -1 || q === -1) out.push(p === -1 ? q : p);
    else throw new SavedModelError('INVALID_ARGUMENT', `shapes [${x}] and [${y}] do not broadcast`);
  }
  return out;
}

/** Body of a graph function: gets the builder and one GraphTensor (or nested list/dict) per argument. */
export type GraphFunctionBody = (g: FunctionBuilder, ...args: never[]) => Nested<GraphTensor> | void | undefined | null;

function isGraphTensor(x: unknown): x is GraphTensor {
  const t = x as Partial<GraphTensor> | null;
  return !!t && typeof t === 'object' && typeof t.ref === 'string' && typeof t.dtype === 'number';
}

let graphUid = 1;

/** Builds one concrete function from a graph body for a named signature. */
export function buildGraphFunction(body: GraphFunctionBody, sig: readonly Nested<TensorSpec>[], name: string): ExportableFunction {
  const leaves = sig.flatMap((s) => flatten(s, isTensorSpec));
  const b = new GraphBuilder();
  const used = new Set<string>();
  const inputs = leaves.map((spec, i) => {
    let arg = (spec.name ?? `args_${i}`).toLowerCase().replace(/[^a-z0-9_]/g, '_');
    if (!/^[a-z]/.test(arg)) arg = `arg_${arg}`;
    const base = arg;
    for (let k = 1; used.has(arg); k++) arg = `${base}_${k}`;
    used.add(arg);
    b.reserve(arg);
    return { argName: arg, spec };
  });
  const g = new FunctionBuilder(b);
  let k = 0;
  const args = sig.map((s) => {
    const pack = (x: Nested<TensorSpec>): unknown => {
      if (isTensorSpec(x)) {
        const inp = inputs[k++]!;
        return { ref: inp.argName, dtype: toDataType(x.dtype), shape: x.shape.map((d) => (d === null ? -1 : d)) } as unknown as GraphTensor;
      }
      if (Array.isArray(x)) return (x as Nested<TensorSpec>[]).map(pack);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(x).sort()) out[key] = pack((x as Record<string, Nested<TensorSpec>>)[key]!);
      return out;
    };
    return pack(s);
  });
  const result = (body as (g: FunctionBuilder, ...a: unknown[]) => unknown)(g, ...args);
  if (result instanceof Promise) throw new SavedModelError('INVALID_ARGUMENT', 'a graph function body must be synchronous');
  const structure = result === undefined || result === null ? null : (result as Nested<GraphTensor>);
  const flat = structure === null ? [] : flatten(structure, isGraphTensor);
  const control = g.sideEffects.map((n) => `^${n}`);
  const outputs = flat.map((t) => {
    const o = b.emit1('Identity', [t], {}, { name: 'Identity', shapes: [t.shape] });
    b.nodes[b.nodes.length - 1]!.input!.push(...control);
    return o;
  });
  const fnName = `__inference_${name.replace(/[^A-Za-z0-9_<>.-]/g, '_')}_g${graphUid++}`;
  const outArgs = outputs.map((_, i) => (i === 0 ? 'identity' : `identity_${i}`));
  const functionDef: tensorflow.IFunctionDef = {
    signature: {
      name: fnName,
      input_arg: [
        ...inputs.map((inp) => ({ name: inp.argName, type: toDataType(inp.spec.dtype) })),
        ...g.captures.map((c) => ({ name: c.argName, type: DT.DT_RESOURCE })),
      ],
      output_arg: outputs.map((t, i) => ({ name: outArgs[i]!, type: t.dtype })),
    },
    node_def: b.nodes,
    ret: Object.fromEntries(outputs.map((t, i) => [outArgs[i]!, t.ref])),
    arg_attr: Object.fromEntries(inputs.map((inp, i) => [String(i), { attr: { _user_specified_name: attr.str(inp.spec.name ?? inp.argName) } }])),
  };
  if (b.nodes.some((n) => getOpDef(n.op ?? '')?.is_stateful)) functionDef.signature!.is_stateful = true;
  if (g.sideEffects.length) {
    functionDef.signature!.control_output = [...g.sideEffects];
    functionDef.control_ret = Object.fromEntries(g.sideEffects.map((n) => [n, n]));
    functionDef.signature!.is_stateful = true;
  }
  const outSpecs = flat.map((t, i) => {
    if (!t.shape || t.shape.some((d) => typeof d !== 'number')) {
      throw new SavedModelError('INVALID_ARGUMENT', `graph function ${name}: the shape of output ${i} is unknown; pass it as g.op(..., {shapes}) / g.op1(..., {shape})`);
    }
    return {
      argName: i === 0 ? 'identity' : `identity_${i}`,
      spec: new TensorSpec((t.shape as number[]).map((d) => (d >= 0 ? d : null)), dtypeName(t.dtype) as tf.DataType, `output_${i}`),
    };
  });
  let j = 0;
  const repack = (x: Nested<GraphTensor>): Nested<TensorSpec> => {
    if (isGraphTensor(x)) return outSpecs[j++]!.spec;
    if (Array.isArray(x)) return (x as Nested<GraphTensor>[]).map(repack);
    const out: Record<string, Nested<TensorSpec>> = {};
    for (const key of Object.keys(x).sort()) out[key] = repack((x as Record<string, Nested<GraphTensor>>)[key]!);
    return out;
  };
  return {
    name: fnName,
    functionDef,
    inputSignature: [...sig],
    inputs,
    captures: g.captures.map((c) => ({ argName: c.argName, variable: c.variable })),
    outputs: outSpecs,
    structuredOutputs: structure === null ? null : repack(structure),
  };
}

function dtypeName(t: tensorflow.DataType): string {
  const names: Record<number, string> = {
    [DT.DT_FLOAT]: 'float32', [DT.DT_INT32]: 'int32', [DT.DT_BOOL]: 'bool', [DT.DT_STRING]: 'string', [DT.DT_INT64]: 'int64',
    [DT.DT_UINT8]: 'uint8', [DT.DT_DOUBLE]: 'float64', [DT.DT_INT8]: 'int8', [DT.DT_INT16]: 'int16', [DT.DT_UINT16]: 'uint16',
    [DT.DT_UINT32]: 'uint32', [DT.DT_UINT64]: 'uint64', [DT.DT_HALF]: 'float16', [DT.DT_COMPLEX64]: 'complex64',
  };
  const n = names[t];
  if (!n) throw new SavedModelError('UNSUPPORTED', `graph function output of DataType ${t}`);
  return n;
}

/**
 * A function written directly as TensorFlow ops: `body(g, ...inputs)` emits nodes with
 * `g.read(variable)`, `g.assign(variable, value)`, `g.op(name, inputs, attrs)`, `g.mul`, `g.cast`, ...
 * and returns the outputs (a GraphTensor, a list/dict of them, or nothing). For what tfjs cannot
 * trace: int64/uint8/float64 tensors, variable updates.
 */
export function graphFunction(body: GraphFunctionBody, options: FunctionOptions = {}): PolymorphicFunction {
  if (typeof body !== 'function') throw new SavedModelError('INVALID_ARGUMENT', 'graphFunction needs a body function');
  checkOptions(options, FUNCTION_OPTION_KEYS, 'graphFunction options');
  const tracer: Tracer = async (sig, name) => buildGraphFunction(body, sig, name);
  // parameter names come after the builder argument
  const params = parameterNames(body).slice(1);
  const opts: FunctionOptions = { ...options };
  if (!opts.argNames) {
    const n = Math.max(options.inputSignature?.length ?? 0, params.length);
    opts.argNames = Array.from({ length: n }, (_, i) => params[i] ?? `args_${i}`);
  }
  return new PolymorphicFunction(tracer, undefined, opts);
}
