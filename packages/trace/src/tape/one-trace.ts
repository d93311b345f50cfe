// The symbolic tape of ONE trace, where that is provable: the second trace (mergeTapes) finds
// which numbers vary with the unknown dimension by running the function again at another size.
// For code known not to branch on sizes (traceModel's whitelisted layers) the same answer follows
// from kernel shape rules: output shapes are derived from the input shapes, and a number the JS
// computed (a Reshape target) must be symbolic exactly where the element count says so. Anything
// not covered — another kernel, a number in an attr or constant that could be a multiple of the
// traced size, a Reshape target with more than one reading — returns undefined and the caller
// takes the second trace. Assumes the model of mergeTapes: a size-dependent number is a monomial.
import { REDUCTION_AXIS_ATTR, reducedShape } from '../reductions.js';
import { evalSym, symEquals, type Sym, type SymDim } from './sym.js';
import type { KernelCall, SymbolInfo, SymCall, SymTape, SymValue, Tape } from './tape.js';

/** Kernels whose only output has the shape of their only tensor input. */
const SAME_SHAPE = new Set([
  'Abs', 'Cast', 'Ceil', 'ClipByValue', 'Elu', 'Erf', 'Exp', 'Floor', 'Identity', 'LeakyRelu', 'Log', 'LogSoftmax', 'Neg',
  'Reciprocal', 'Relu', 'Relu6', 'Round', 'Rsqrt', 'Selu', 'Sigmoid', 'Sign', 'Softmax', 'Softplus', 'Sqrt', 'Square', 'Step', 'Tanh',
]);
/** Element-wise kernels of two inputs with numpy broadcasting. */
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'RealDiv', 'Maximum', 'Minimum', 'Pow', 'SquaredDifference', 'Prelu']);

/** A dim as the monomial coef * s^exp of the one symbol (undefined: not one). */
function monomial(d: SymDim): { coef: number; exp: number } | undefined {
  if (typeof d === 'number') return { coef: d, exp: 0 };
  if (d.unknown || d.factors.some((f) => f !== 0)) return undefined;
  return { coef: d.coef, exp: d.factors.length };
}

function dimOf(coef: number, exp: number): SymDim {
  return exp === 0 ? coef : { sym: true, coef, factors: new Array<number>(exp).fill(0) } satisfies Sym;
}

function broadcast(a: readonly SymDim[], b: readonly SymDim[]): SymDim[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: SymDim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1, y = b[b.length - n + i] ?? 1;
    if (symEquals(x, y)) out.push(x);
    else if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else return undefined;
  }
  return out;
}

/** How many ways exponent `e` splits over entries holding at most caps[i] factors of the size. */
function splits(caps: readonly number[], e: number, from = 0): number {
  if (from === caps.length) return e === 0 ? 1 : 0;
  let n = 0;
  for (let k = 0; k <= Math.min(caps[from]!, e) && n < 2; k++) n += splits(caps, e - k, from + 1);
  return n;
}

/** The one reading of a Reshape target for an input of coef * s^exp elements, else undefined. */
function reshapeTarget(target: readonly number[], coef: number, exp: number, p: number): SymDim[] | undefined {
  const caps: number[] = [];
  let total = 1;
  for (const t of target) {
    if (!Number.isInteger(t) || t <= 0) return undefined;
    let k = 0;
    for (let v = t; v % p === 0; v /= p) k++;
    caps.push(k);
    total *= t;
  }
  if (total !== coef * p ** exp) return undefined;
  // no factor of the size: the target is static (the count is, too)
  if (exp === 0) return target as number[];
  if (splits(caps, exp) !== 1) return undefined;
  // the unique split: greedy from the left is it (any other would be a second split)
  let left = exp;
  return target.map((t, i) => {
    const k = Math.min(caps[i]!, left);
    left -= k;
    return dimOf(t / p ** k, k);
  });
}

/** True when `x` (an attr or constant) holds a nonzero integer multiple of `p`. */
function holdsMultiple(x: unknown, p: number): boolean {
  if (typeof x === 'number') return x !== 0 && x % p === 0;
  if (typeof x !== 'object' || x === null) return false;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) if (holdsMultiple(x[i], p)) return true;
    return false;
  }
  if (ArrayBuffer.isView(x)) {
    if (x instanceof Uint8Array || x instanceof Float32Array || x instanceof Int32Array) {
      for (let i = 0; i < x.length; i++) { const v = x[i]!; if (v !== 0 && v % p === 0) return true; }
      return false;
    }
    return true;
  }
  for (const k in x) if (holdsMultiple((x as Record<string, unknown>)[k], p)) return true;
  return false;
}

/** holdsMultiple over a call's attrs, but for `skip` (a Reshape target, settled by its own rule). */
function attrsHoldMultiple(attrs: Record<string, unknown>, p: number, skip: string | undefined): boolean {
  for (const k in attrs) if (k !== skip && holdsMultiple(attrs[k], p)) return true;
  return false;
}

/**
 * The symbolic tape of `t`, one trace in which symbol 0 (the only one) had size
 * `symbols[0].sizes[0]`; `inputShapes` are the flat inputs' shapes with that symbol in place of
 * the unknown dims. Undefined when the one trace does not determine it.
 */
export function symbolicFromOneTrace(t: Tape, symbols: SymbolInfo[], inputShapes: readonly (readonly SymDim[])[]): SymTape | undefined {
  if (symbols.length !== 1) return undefined;
  const p = symbols[0]!.sizes[0]!;
  const sizes = [p];
  const shapes: (SymDim[] | undefined)[] = new Array(t.values.length);
  const matches = (s: readonly SymDim[], recorded: readonly number[]): boolean => {
    if (s.length !== recorded.length) return false;
    for (let i = 0; i < s.length; i++) {
      const d = s[i]!;
      if ((typeof d === 'number' ? d : evalSym(d, sizes)) !== recorded[i]) return false;
    }
    return true;
  };

  const rootShape = (id: number): SymDim[] | undefined => {
    const v = t.values[id]!;
    const s = v.source;
    if (s.kind === 'input') {
      const sh = inputShapes[s.index];
      return sh && matches(sh, v.shape) ? [...sh] : undefined;
    }
    if (s.kind === 'variable') return v.shape;
    if (s.kind === 'constant') return holdsMultiple(v.shape, p) || (v.dtype !== 'string' && holdsMultiple(s.values, p)) ? undefined : v.shape;
    return undefined;
  };
  const shapeOf = (id: number): SymDim[] | undefined => (shapes[id] ??= rootShape(id));

  const calls: SymCall[] = new Array(t.calls.length);
  const names: string[] = [], ins: SymDim[][] = [];
  for (let ci = 0; ci < t.calls.length; ci++) {
    const c = t.calls[ci]!;
    names.length = 0;
    ins.length = 0;
    for (let k = 0; k < c.inputs.length; k++) {
      const name = c.inputs[k]![0], ref = c.inputs[k]![1];
      if (ref === null) continue;
      if (typeof ref === 'number') {
        const s = shapeOf(ref);
        if (!s) return undefined;
        names.push(name); ins.push(s);
      } else {
        for (const id of ref) { const s = shapeOf(id); if (!s) return undefined; names.push(name); ins.push(s); }
      }
    }
    const inferred = inferCall(c, names, ins, p, t.values);
    if (!inferred || inferred.outputs.length !== c.outputs.length) return undefined;
    for (let k = 0; k < c.outputs.length; k++) {
      const id = c.outputs[k]!;
      const out = inferred.outputs[k]!, recorded = t.values[id]!.shape;
      if (!matches(out, recorded)) return undefined;
      // a static shape is the recorded one: its value object is kept
      let symbolic = false;
      for (let i = 0; i < out.length && !symbolic; i++) symbolic = typeof out[i] !== 'number';
      shapes[id] = symbolic ? out : recorded;
    }
    calls[ci] = inferred.attrs === c.attrs ? c : { ...c, attrs: inferred.attrs };
  }
  const values: SymValue[] = new Array(t.values.length);
  for (let i = 0; i < t.values.length; i++) {
    const v = t.values[i]!;
    const s = shapeOf(v.id);
    if (!s) return undefined;
    values[i] = s === v.shape ? v : { id: v.id, dtype: v.dtype, shape: s, source: v.source };
  }
  return { values, calls, inputs: t.inputs, outputs: t.outputs, symbols };
}

/** Kernels whose output carries their `x`'s dim 0 and is otherwise static when the rest of x is (convolutions, pooling). */
const BATCH_CARRY = new Set(['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D', 'MaxPool', 'AvgPool']);
/** Reductions with a shape rule here (their axes attr: REDUCTION_AXIS_ATTR). */
const REDUCTIONS = new Set(['Mean', 'Sum', 'Min', 'Max']);

const isStatic = (s: readonly SymDim[]): boolean => s.every((d) => typeof d === 'number');

/** Axes of a reduction or concat attr (a number, a list, or absent = all), normalized; undefined if malformed. */
function axesOf(v: unknown, rank: number): number[] | undefined {
  const list = v === null || v === undefined ? Array.from({ length: rank }, (_, i) => i) : Array.isArray(v) ? v : [v];
  const out: number[] = [];
  for (const a of list) {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < -rank || a >= rank) return undefined;
    out.push(a < 0 ? a + rank : a);
  }
  return out;
}

/** Output shapes (and attrs, symbolic where they hold sizes) of call `c` with inputs `ins` named `names`. */
function inferCall(c: KernelCall, names: readonly string[], ins: readonly SymDim[][], p: number, values: Tape['values']): { outputs: SymDim[][]; attrs: Record<string, unknown> } | undefined {
  const one = (name: string) => { const i = names.indexOf(name); return i >= 0 && names.lastIndexOf(name) === i ? ins[i] : undefined; };
  const all = ins;
  // every attr number other than a Reshape target must be no multiple of the traced size
  if (attrsHoldMultiple(c.attrs, p, c.kernel === 'Reshape' ? 'shape' : undefined)) return undefined;
  const target = c.attrs['shape'];
  if (SAME_SHAPE.has(c.kernel)) return all.length === 1 ? { outputs: [all[0]!], attrs: c.attrs } : undefined;
  if (BROADCAST.has(c.kernel)) {
    if (all.length !== 2) return undefined;
    const out = broadcast(all[0]!, all[1]!);
    return out ? { outputs: [out], attrs: c.attrs } : undefined;
  }
  if (c.kernel === 'Reshape') {
    const x = one('x');
    if (!x || all.length !== 1 || !Array.isArray(target)) return undefined;
    let coef = 1, exp = 0;
    for (let i = 0; i < x.length; i++) {
      const m = monomial(x[i]!);
      if (!m) return undefined;
      coef *= m.coef;
      exp += m.exp;
    }
    const out = reshapeTarget(target as number[], coef, exp, p);
    if (!out) return undefined;
    let symbolic = false;
    for (let i = 0; i < out.length && !symbolic; i++) symbolic = typeof out[i] !== 'number';
    return { outputs: [out], attrs: symbolic ? { ...c.attrs, shape: out } : c.attrs };
  }
  if (BATCH_CARRY.has(c.kernel) || c.kernel === 'FusedBatchNorm') {
    // filter, bias, statistics static; batch norm: x's shape (the recorded one is checked
    // against it); the others: x [n, ...static] gives the recorded output with x's n
    const x = one('x');
    if (!x || x.length === 0 || c.outputs.length !== 1) return undefined;
    for (let i = 0; i < ins.length; i++) if (names[i] !== 'x' && !isStatic(ins[i]!)) return undefined;
    if (c.kernel === 'FusedBatchNorm') return { outputs: [x], attrs: c.attrs };
    if (!isStatic(x.slice(1))) return undefined;
    const recorded = values[c.outputs[0]!]!.shape;
    return { outputs: [[x[0]!, ...recorded.slice(1)]], attrs: c.attrs };
  }
  if (REDUCTIONS.has(c.kernel)) {
    const x = one('x');
    const axes = x && all.length === 1 ? axesOf(c.attrs[REDUCTION_AXIS_ATTR[c.kernel]!], x.length) : undefined;
    if (!x || !axes) return undefined;
    return { outputs: [reducedShape<SymDim>(x, axes, c.attrs['keepDims'] === true, 1)], attrs: c.attrs };
  }
  if (c.kernel === 'Transpose') {
    const x = one('x');
    const perm = c.attrs['perm'];
    if (!x || all.length !== 1 || !Array.isArray(perm) || perm.length !== x.length) return undefined;
    const out: SymDim[] = [];
    for (const k of perm) { if (typeof k !== 'number' || x[k] === undefined) return undefined; out.push(x[k]!); }
    return { outputs: [out], attrs: c.attrs };
  }
  if (c.kernel === 'PadV2') {
    // a symbolic dim is kept where it is not padded (monomials only: d + 2 is no monomial)
    const x = one('x');
    const pads = c.attrs['paddings'];
    if (!x || all.length !== 1 || !Array.isArray(pads) || pads.length !== x.length) return undefined;
    const out: SymDim[] = [];
    for (let i = 0; i < x.length; i++) {
      const pr = pads[i] as unknown;
      if (!Array.isArray(pr) || pr.length !== 2 || typeof pr[0] !== 'number' || typeof pr[1] !== 'number') return undefined;
      const d = x[i]!;
      if (typeof d === 'number') out.push(pr[0] + d + pr[1]);
      else if (pr[0] === 0 && pr[1] === 0) out.push(d);
      else return undefined;
    }
    return { outputs: [out], attrs: c.attrs };
  }
  if (c.kernel === 'Concat') {
    // every input the same rank, equal off the axis; the axis itself static
    const first = all[0];
    const axis = first ? axesOf(c.attrs['axis'], first.length)?.[0] : undefined;
    if (!first || axis === undefined) return undefined;
    let sum = 0;
    for (const s of all) {
      if (s.length !== first.length) return undefined;
      const d = s[axis]!;
      if (typeof d !== 'number') return undefined;
      sum += d;
      for (let i = 0; i < s.length; i++) if (i !== axis && !symEquals(s[i]!, first[i]!)) return undefined;
    }
    const out = [...first];
    out[axis] = sum;
    return { outputs: [out], attrs: c.attrs };
  }
  if (c.kernel === '_FusedMatMul' || c.kernel === 'BatchMatMul') {
    const a = one('a'), b = one('b');
    if (!a || !b || a.length < 2 || b.length < 2) return undefined;
    const ta = c.attrs.transposeA === true, tb = c.attrs.transposeB === true;
    const ra = a.length, rb = b.length;
    const m = a[ta ? ra - 1 : ra - 2]!, ka = a[ta ? ra - 2 : ra - 1]!;
    const kb = b[tb ? rb - 1 : rb - 2]!, n = b[tb ? rb - 2 : rb - 1]!;
    const out = broadcast(a.slice(0, -2), b.slice(0, -2));
    if (!out || !symEquals(ka, kb)) return undefined;
    out.push(m, n);
    // bias and prelu weights broadcast into the product, never widen it
    for (let i = 0; i < ins.length; i++) {
      if (names[i] === 'a' || names[i] === 'b') continue;
      const w = broadcast(out, ins[i]!);
      if (!w || w.length !== out.length || !w.every((d, k) => symEquals(d, out[k]!))) return undefined;
    }
    return { outputs: [out], attrs: c.attrs };
  }
  return undefined;
}
