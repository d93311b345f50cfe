// Symbolic sizes. Every unknown (null) dimension of the input signature is a symbol; a number in
// the trace that depends on it is modelled as a monomial coef * s_i * s_j * ... (e.g. a Reshape
// target [21] = 7 * batch). Two traces with different, distinct-prime sizes per symbol identify
// the monomial uniquely; anything that does not fit one is rejected.

export interface Sym {
  readonly sym: true;
  readonly coef: number;
  /** Symbol indices, sorted, repeated for powers. */
  readonly factors: readonly number[];
  /** A tensor dim that varies with the input sizes but is no monomial (e.g. batch + 1). */
  readonly unknown?: true;
  /** For unknown dims: the value in each of the two traces (lets a lowering relate it to another dim). */
  readonly traced?: readonly [number, number];
}

/** A dim known to vary but not expressible: fine in shapes, an error where a value is needed. */
export const UNKNOWN_DIM: Sym = { sym: true, coef: NaN, factors: [], unknown: true };

export type SymDim = number | Sym;

/** An unknown dim that was `a` in the first trace and `b` in the second. */
export function unknownDim(a: number, b: number): Sym {
  return { ...UNKNOWN_DIM, traced: [a, b] };
}

/** The integer k with `size` = k * `dim` (both static, the same monomial, or unknown dims in that ratio in both traces). */
export function dimRatio(size: SymDim, dim: SymDim | undefined): number | undefined {
  if (dim === undefined) return undefined;
  if (typeof size === 'number' && typeof dim === 'number') return dim > 0 && size % dim === 0 ? size / dim : undefined;
  if (typeof size === 'number' || typeof dim === 'number') return undefined;
  if (size.unknown || dim.unknown) {
    const a = size.traced, b = dim.traced;
    if (!a || !b || b[0] <= 0 || b[1] <= 0 || a[0] % b[0] !== 0) return undefined;
    const k = a[0] / b[0];
    return a[1] === k * b[1] ? k : undefined;
  }
  const sameFactors = size.factors.length === dim.factors.length && size.factors.every((f, i) => f === dim.factors[i]);
  return sameFactors && size.coef % dim.coef === 0 ? size.coef / dim.coef : undefined;
}

export function isSym(v: unknown): v is Sym {
  return typeof v === 'object' && v !== null && (v as { sym?: unknown }).sym === true;
}

export function symOf(index: number, coef = 1): Sym {
  return { sym: true, coef, factors: [index] };
}

export function symEquals(a: SymDim, b: SymDim): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  if (a.unknown || b.unknown) return false;
  return a.coef === b.coef && a.factors.length === b.factors.length && a.factors.every((f, i) => f === b.factors[i]);
}

/** Value of a SymDim for concrete symbol sizes. */
export function evalSym(d: SymDim, sizes: readonly number[]): number {
  if (typeof d === 'number') return d;
  let v = d.coef;
  for (const f of d.factors) v *= sizes[f] ?? NaN;
  return v;
}

export function symToString(d: SymDim, names: readonly string[] = []): string {
  if (typeof d === 'number') return String(d);
  if (d.unknown) return '?';
  const parts = d.factors.map((f) => names[f] ?? `s${f}`);
  return d.coef === 1 && parts.length > 0 ? parts.join('*') : [String(d.coef), ...parts].join('*');
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function multiplicity(n: number, p: number): [count: number, rest: number] {
  let c = 0;
  while (n % p === 0) { n /= p; c++; }
  return [c, n];
}

/**
 * The SymDim explaining value `a` (trace A) and `b` (trace B), or undefined when no monomial
 * fits. `sizesA[i]`, `sizesB[i]` are the sizes symbol i had in each trace: all distinct primes.
 */
export function fitSym(a: number, b: number, sizesA: readonly number[], sizesB: readonly number[]): SymDim | undefined {
  if (a === b) return a;
  if (!Number.isInteger(a) || !Number.isInteger(b) || a === 0 || b === 0 || Math.sign(a) !== Math.sign(b)) return undefined;
  const sign = Math.sign(a);
  const g = gcd(Math.abs(a), Math.abs(b));
  let num = Math.abs(a) / g, den = Math.abs(b) / g;
  const factors: number[] = [];
  for (let i = 0; i < sizesA.length; i++) {
    const pa = sizesA[i]!, pb = sizesB[i]!;
    const [ea, restNum] = multiplicity(num, pa);
    const [eb, restDen] = multiplicity(den, pb);
    if (ea !== eb) return undefined;
    num = restNum; den = restDen;
    for (let k = 0; k < ea; k++) factors.push(i);
  }
  if (num !== 1 || den !== 1 || factors.length === 0) return undefined;
  let prodA = 1;
  for (const f of factors) prodA *= sizesA[f]!;
  const coef = a / prodA;
  if (!Number.isInteger(coef)) return undefined;
  const s: Sym = { sym: true, coef, factors };
  if (evalSym(s, sizesB) !== b || sign !== Math.sign(coef)) return undefined;
  return s;
}
