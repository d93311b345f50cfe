// The symbolic tape of ONE trace, where that is provable: the second trace (mergeTapes) finds
// which numbers vary with the unknown dimension by running the function again at another size.
// For code known not to branch on sizes (traceModel's whitelisted layers) the same answer follows
// from kernel shape rules: output shapes are derived from the input shapes, and a number the JS
// computed (a Reshape target) must be symbolic exactly where the element count says so. Anything
// not covered — another kernel, a number in an attr or constant that could be a multiple of the
// traced size, a Reshape target with more than one reading — returns undefined and the caller
// takes the second trace. Assumes the model of mergeTapes: a size-dependent number is a monomial.
import { evalSym, isSym, symEquals, symOf, type Sym, type SymDim } from './sym.js';
import type { InputRef, KernelCall, SymbolInfo, SymCall, SymTape, SymValue, Tape } from './tape.js';

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

/** The one reading of a Reshape target for an input of `count` elements, else undefined. */
function reshapeTarget(target: readonly number[], count: SymDim, p: number): SymDim[] | undefined {
  const c = monomial(count);
  if (!c || !target.every((t) => Number.isInteger(t) && t > 0)) return undefined;
  const caps = target.map((t) => { let k = 0; for (let v = t; v % p === 0; v /= p) k++; return k; });
  if (splits(caps, c.exp) !== 1) return undefined;
  // the unique split: greedy from the left is it (any other would be a second split)
  let left = c.exp;
  return target.map((t, i) => {
    const k = Math.min(caps[i]!, left);
    left -= k;
    return dimOf(t / p ** k, k);
  });
}

/** True when `x` (an attr or constant) holds a nonzero integer multiple of `p`. */
function holdsMultiple(x: unknown, p: number): boolean {
  if (typeof x === 'number') return Number.isInteger(x) && x !== 0 && x % p === 0;
  if (Array.isArray(x)) return x.some((e) => holdsMultiple(e, p));
  if (ArrayBuffer.isView(x)) {
    if (x instanceof Uint8Array || x instanceof Float32Array || x instanceof Int32Array) {
      for (let i = 0; i < x.length; i++) { const v = x[i]!; if (v !== 0 && Number.isInteger(v) && v % p === 0) return true; }
      return false;
    }
    return true;
  }
  if (x && typeof x === 'object') return Object.values(x).some((e) => holdsMultiple(e, p));
  return false;
}

const refIds = (ref: InputRef): number[] => (ref === null ? [] : typeof ref === 'number' ? [ref] : [...ref]);

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
  const matches = (s: readonly SymDim[], recorded: readonly number[]) => s.length === recorded.length && s.every((d, i) => evalSym(d, sizes) === recorded[i]);

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

  const calls: SymCall[] = [];
  for (const c of t.calls) {
    const ins = new Map<string, SymDim[][]>();
    for (const [name, ref] of c.inputs) {
      const list: SymDim[][] = [];
      for (const id of refIds(ref)) { const s = shapeOf(id); if (!s) return undefined; list.push(s); }
      ins.set(name, list);
    }
    const inferred = inferCall(c, ins, p);
    if (!inferred || inferred.outputs.length !== c.outputs.length) return undefined;
    for (let k = 0; k < c.outputs.length; k++) {
      const id = c.outputs[k]!;
      if (!matches(inferred.outputs[k]!, t.values[id]!.shape)) return undefined;
      shapes[id] = inferred.outputs[k]!;
    }
    calls.push(inferred.attrs === c.attrs ? c : { ...c, attrs: inferred.attrs });
  }
  const values: SymValue[] = [];
  for (const v of t.values) {
    const s = shapeOf(v.id);
    if (!s) return undefined;
    values.push(s === v.shape ? v : { id: v.id, dtype: v.dtype, shape: s, source: v.source });
  }
  return { values, calls, inputs: t.inputs, outputs: t.outputs, symbols };
}

function inferCall(c: KernelCall, ins: Map<string, SymDim[][]>, p: number): { outputs: SymDim[][]; attrs: Record<string, unknown> } | undefined {
  const one = (name: string) => { const l = ins.get(name); return l?.length === 1 ? l[0] : undefined; };
  const all = [...ins.values()].flat();
  // every attr number other than a Reshape target must be no multiple of the traced size
  const { shape: target, ...rest } = c.attrs;
  if (holdsMultiple(c.kernel === 'Reshape' ? rest : c.attrs, p)) return undefined;
  if (SAME_SHAPE.has(c.kernel)) return all.length === 1 ? { outputs: [all[0]!], attrs: c.attrs } : undefined;
  if (BROADCAST.has(c.kernel)) {
    if (all.length !== 2) return undefined;
    const out = broadcast(all[0]!, all[1]!);
    return out ? { outputs: [out], attrs: c.attrs } : undefined;
  }
  if (c.kernel === 'Reshape') {
    const x = one('x');
    if (!x || all.length !== 1 || !Array.isArray(target)) return undefined;
    let count: SymDim = 1;
    for (const d of x) {
      const a = monomial(count), b = monomial(d);
      if (!a || !b) return undefined;
      count = dimOf(a.coef * b.coef, a.exp + b.exp);
    }
    const out = reshapeTarget(target as number[], count, p);
    return out ? { outputs: [out], attrs: out.some(isSym) ? { ...c.attrs, shape: out } : c.attrs } : undefined;
  }
  if (c.kernel === '_FusedMatMul' || c.kernel === 'BatchMatMul') {
    const a = one('a'), b = one('b');
    if (!a || !b || a.length < 2 || b.length < 2) return undefined;
    const ta = c.attrs.transposeA === true, tb = c.attrs.transposeB === true;
    const [m, ka] = ta ? [a.at(-1)!, a.at(-2)!] : [a.at(-2)!, a.at(-1)!];
    const [kb, n] = tb ? [b.at(-1)!, b.at(-2)!] : [b.at(-2)!, b.at(-1)!];
    const batch = broadcast(a.slice(0, -2), b.slice(0, -2));
    if (!batch || !symEquals(ka, kb)) return undefined;
    const out = [...batch, m, n];
    // bias and prelu weights broadcast into the product, never widen it
    for (const [name, list] of ins) {
      if (name === 'a' || name === 'b') continue;
      for (const s of list) { const w = broadcast(out, s); if (!w || w.length !== out.length || !w.every((d, i) => symEquals(d, out[i]!))) return undefined; }
    }
    return { outputs: [out], attrs: c.attrs };
  }
  return undefined;
}
