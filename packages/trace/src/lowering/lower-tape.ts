// Lowers a symbolic tape to FunctionDef nodes: only the calls the outputs depend on, in trace
// order, each through its entry in the lowering table.
import type { Variable } from '@tensorflow/tfjs';
import { SavedModelError, tensorflow } from '../core.js';
import { dtypeName, tfDtype, type TfDtype } from '../dtype.js';
import { kernelError, type KernelSite } from '../errors.js';
import { GraphBuilder, withShape, type AttrInput, type EmitOptions, type GraphTensor, type NodeOrigin } from '../graph/graph-builder.js';
import { ShapeExprs } from '../graph/shape-expr.js';
import { isSym, type SymDim } from '../tape/sym.js';
import type { InputRef, SymCall, SymTape } from '../tape/tape.js';
import { LOWERINGS, UNSUPPORTED } from './index.js';
import { isOpLowering, type LoweringContext, type RecordedOutput } from './types.js';

const DT = tensorflow.DataType;

export interface CaptureArg {
  argName: string;
  variable: Variable;
}

export interface LoweredGraph {
  nodes: tensorflow.INodeDef[];
  /** Resource args for the captured variables, in order of first use. */
  captures: CaptureArg[];
  /** Graph tensors of the flat outputs (Identity nodes). */
  outputs: GraphTensor[];
  /** Node name → the tfjs kernel and layer path it was emitted for. */
  origins: ReadonlyMap<string, NodeOrigin>;
}

function refIds(ref: InputRef): number[] {
  if (ref === null) return [];
  return typeof ref === 'number' ? [ref] : [...ref];
}

/** Calls `fn` for each value id of an input (no array made for the common single value). */
function eachRef(ref: InputRef, fn: (id: number) => void): void {
  if (ref === null) return;
  if (typeof ref === 'number') fn(ref);
  else for (const id of ref) fn(id);
}

/** Calls the outputs depend on, in trace order. */
export function neededCalls(tape: SymTape): SymCall[] {
  const needed = new Set<number>(tape.outputs);
  const keep: SymCall[] = [];
  for (let i = tape.calls.length - 1; i >= 0; i--) {
    const c = tape.calls[i]!;
    if (!c.outputs.some((o) => needed.has(o))) continue;
    keep.push(c);
    for (const [, ref] of c.inputs) eachRef(ref, (id) => needed.add(id));
  }
  return keep.reverse();
}

/** Arg name rules of OpDef signatures: [a-z][a-z0-9_]*. */
export function sanitizeArgName(s: string): string {
  let n = s.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z]/.test(n)) n = `arg_${n}`;
  return n;
}

export function lowerTape(tape: SymTape, inputArgNames: readonly string[]): LoweredGraph {
  const b = new GraphBuilder();
  for (const n of inputArgNames) b.reserve(n);
  const calls = neededCalls(tape);

  // captured variables: resource args named after the variable, in order of first use
  const captures: CaptureArg[] = [];
  const captureArg = new Map<Variable, string>();
  const usedArgs = new Set(inputArgNames);
  const noteValue = (id: number) => {
    const v = tape.values[id]!;
    if (v.source.kind !== 'variable' || captureArg.has(v.source.variable)) return;
    let name = `${sanitizeArgName(v.source.variable.name)}_resource`;
    for (let k = 1; usedArgs.has(name); k++) name = `${sanitizeArgName(v.source.variable.name)}_resource_${k}`;
    usedArgs.add(name);
    b.reserve(name);
    captureArg.set(v.source.variable, name);
    captures.push({ argName: name, variable: v.source.variable });
  };
  for (const c of calls) for (const [, ref] of c.inputs) eachRef(ref, noteValue);
  tape.outputs.forEach(noteValue);

  const tensors = new Map<number, GraphTensor>();
  const inputTensor = (index: number): GraphTensor => valueTensor(tape.inputs[index]!, { kernel: '(input)' });
  const shapes = new ShapeExprs(b, tape.symbols, inputTensor);

  function valueTensor(id: number, site: KernelSite): GraphTensor {
    const hit = tensors.get(id);
    if (hit) return hit;
    const v = tape.values[id];
    if (!v) throw new SavedModelError('INVALID_GRAPH', `tape has no value ${id}`);
    const dtype = tfDtype(v.dtype);
    const s = v.source;
    let t: GraphTensor;
    switch (s.kind) {
      case 'input':
        t = { ref: inputArgNames[s.index]!, dtype, shape: v.shape };
        break;
      case 'variable': {
        const resource: GraphTensor = { ref: captureArg.get(s.variable)!, dtype: DT.DT_RESOURCE, shape: [] };
        t = withShape(b.emit1('ReadVariableOp', [resource], { dtype }), v.shape);
        break;
      }
      case 'constant': {
        // merge turns constants of varying shape into fills (or rejects them)
        if (v.shape.some(isSym)) throw kernelError('INVALID_GRAPH', site, 'a constant has a symbolic shape');
        const dims = v.shape as number[];
        const values = v.dtype === 'bool' ? Array.from(s.values as Uint8Array, (x) => x !== 0) : s.values;
        t = b.constant(dtype, dims, values as ArrayLike<number>);
        break;
      }
      case 'symbolic-constant':
        if (v.shape.length > 1) throw kernelError('UNSUPPORTED', site, `an int constant of rank ${v.shape.length} depends on the input size`);
        t = withShape(v.shape.length === 0 ? shapes.scalar(s.elements[0]!) : shapes.vector(s.elements), v.shape);
        if (dtype !== DT.DT_INT32) t = withShape(b.emit1('Cast', [t], { DstT: dtype }), v.shape);
        break;
      case 'fill': {
        const value = b.constant(dtype, [], [typeof s.value === 'boolean' ? (s.value ? 1 : 0) : s.value] as number[]);
        t = b.emit1('Fill', [shapes.vector(v.shape), value], {}, { shapes: [v.shape] });
        break;
      }
      case 'tiled': {
        // the row, with a 1 for each leading dim, broadcast to the input-dependent shape
        const lead = v.shape.length - s.rowShape.length;
        const values = v.dtype === 'bool' ? Array.from(s.row, (x) => x !== 0) : s.row;
        const row = b.constant(dtype, [...new Array<number>(lead).fill(1), ...s.rowShape], values as ArrayLike<number>);
        t = b.emit1('BroadcastTo', [row, shapes.vector(v.shape)], {}, { shapes: [v.shape] });
        break;
      }
      case 'kernel':
        throw new SavedModelError('INVALID_GRAPH', `value ${id} (output of call #${s.call}) used before it was lowered`);
    }
    tensors.set(id, t);
    return t;
  }

  for (const call of calls) {
    const site: KernelSite = { kernel: call.kernel, layer: call.layer, index: call.index };
    const lowering = LOWERINGS[call.kernel];
    if (!lowering) {
      const why = UNSUPPORTED[call.kernel] ?? 'no lowering to TensorFlow ops yet';
      throw kernelError('UNSUPPORTED', site, why);
    }
    b.scope = call.layer;
    b.kernel = call.kernel;
    const ctx = new CallContext(call, site, b, shapes, (id) => valueTensor(id, site), tape);
    let result: readonly GraphTensor[];
    try {
      if (isOpLowering(lowering)) {
        const inputs = lowering.inputs.map((n) => ctx.input(n));
        result = ctx.emit(lowering.op, inputs, lowering.attrs?.(ctx) ?? {});
      } else {
        const r = lowering(ctx);
        result = Array.isArray(r) ? (r as readonly GraphTensor[]) : [r as GraphTensor];
      }
    } catch (e) {
      if (e instanceof SavedModelError && e.key === call.kernel) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw kernelError(e instanceof SavedModelError ? e.code : 'INVALID_GRAPH', site, msg, e);
    }
    if (result.length !== call.outputs.length) {
      throw kernelError('INVALID_GRAPH', site, `lowering gave ${result.length} outputs, the kernel produced ${call.outputs.length}`);
    }
    call.outputs.forEach((id, i) => {
      const v = tape.values[id]!;
      const got = result[i]!;
      const want = tfDtype(v.dtype);
      if (got.dtype !== want) {
        throw kernelError('INVALID_GRAPH', site, `lowering produced ${dtypeName(got.dtype)} for output ${i}, tfjs produced ${v.dtype}`);
      }
      tensors.set(id, withShape(got, v.shape));
    });
  }

  b.scope = '';
  b.kernel = '(output)';
  const outputs = tape.outputs.map((id) => {
    const t = valueTensor(id, { kernel: '(output)' });
    return b.emit1('Identity', [t], {}, { shapes: [t.shape] });
  });
  return { nodes: b.nodes, captures, outputs, origins: b.origins };
}

class CallContext implements LoweringContext {
  readonly kernel: string;
  readonly layer: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly outputs: readonly RecordedOutput[];

  constructor(
    private readonly call: SymCall,
    private readonly site: KernelSite,
    private readonly b: GraphBuilder,
    private readonly shapes: ShapeExprs,
    private readonly value: (id: number) => GraphTensor,
    tape: SymTape,
  ) {
    this.kernel = call.kernel;
    this.layer = call.layer;
    this.attrs = call.attrs;
    this.outputs = call.outputs.map((id) => {
      const v = tape.values[id]!;
      return { dtype: tfDtype(v.dtype), shape: v.shape };
    });
  }

  private ref(name: string): InputRef | undefined {
    const e = this.call.inputs.find(([n]) => n === name);
    return e ? e[1] : undefined;
  }

  input(name: string): GraphTensor {
    const r = this.ref(name);
    if (typeof r !== 'number') throw this.fail(`input ${name} is missing`);
    return this.value(r);
  }

  optionalInput(name: string): GraphTensor | undefined {
    const r = this.ref(name);
    return typeof r === 'number' ? this.value(r) : undefined;
  }

  inputList(): GraphTensor[] {
    return this.call.inputs.flatMap(([, r]) => refIds(r)).map((id) => this.value(id));
  }

  emit(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs: Record<string, AttrInput | undefined> = {}, opts: EmitOptions = {}): GraphTensor[] {
    return this.b.emit(op, inputs, attrs, opts);
  }

  emit1(op: string, inputs: readonly (GraphTensor | readonly GraphTensor[])[], attrs: Record<string, AttrInput | undefined> = {}, opts: EmitOptions = {}): GraphTensor {
    return this.b.emit1(op, inputs, attrs, opts);
  }

  constant(dtype: TfDtype, dims: readonly number[], values: ArrayLike<number> | readonly boolean[]): GraphTensor {
    return this.b.constant(dtype, dims, values);
  }

  scalar(value: number | boolean, dtype: TfDtype): GraphTensor {
    return this.b.constant(dtype, [], [typeof value === 'boolean' ? (value ? 1 : 0) : value]);
  }

  intVector(dims: readonly SymDim[], opts: { inferOne?: boolean } = {}): GraphTensor {
    return this.shapes.vector(dims, opts);
  }

  affineIntVector(dims: readonly SymDim[], t: GraphTensor): GraphTensor {
    return this.shapes.affineVector(dims, t);
  }

  intScalar(d: SymDim): GraphTensor {
    return this.shapes.scalar(d);
  }

  num(name: string): number {
    const v = this.attrs[name];
    if (typeof v === 'number') return v;
    if (isSym(v)) throw this.fail(`attr ${name} depends on the input size, but TensorFlow needs it fixed here`);
    throw this.fail(`attr ${name} must be a number, got ${JSON.stringify(v)}`);
  }

  nums(name: string): number[] {
    const v = this.attrs[name];
    if (typeof v === 'number') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
    if (Array.isArray(v) && v.some(isSym)) throw this.fail(`attr ${name} depends on the input size, but TensorFlow needs it fixed here`);
    throw this.fail(`attr ${name} must be numbers, got ${JSON.stringify(v)}`);
  }

  dims(name: string): SymDim[] {
    const v = this.attrs[name];
    const ok = (x: unknown): x is SymDim => typeof x === 'number' || isSym(x);
    if (ok(v)) return [v];
    if (Array.isArray(v) && v.every(ok)) return v as SymDim[];
    throw this.fail(`attr ${name} must be sizes, got ${JSON.stringify(v)}`);
  }

  str(name: string): string {
    const v = this.attrs[name];
    if (typeof v !== 'string') throw this.fail(`attr ${name} must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(name: string, fallback?: boolean): boolean {
    const v = this.attrs[name];
    if (typeof v === 'boolean') return v;
    if (v == null && fallback !== undefined) return fallback;
    throw this.fail(`attr ${name} must be a boolean, got ${JSON.stringify(v)}`);
  }

  fail(message: string): SavedModelError {
    return kernelError('UNSUPPORTED', this.site, message);
  }
}
