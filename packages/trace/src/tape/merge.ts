// Merges the tapes of two traces taken with different sizes for the unknown dimensions into one
// symbolic tape: the kernel sequences must match one to one, and every number that differs
// (in an attr, a shape or an int constant) becomes a Sym or the trace is rejected.
import { kernelError, type KernelSite } from '../errors.js';
import { SavedModelError } from '../core.js';
import { fitSym, unknownDim, type SymDim } from './sym.js';
import type { BackendValues, InputRef, KernelCall, SymbolInfo, SymCall, SymTape, SymValue, SymValueSource, Tape, TapeValue } from './tape.js';

/** A tape with no unknown dimensions, as a symbolic tape. */
export function symbolicFromSingle(t: Tape, symbols: SymbolInfo[] = []): SymTape {
  return {
    values: t.values.map((v) => ({ id: v.id, dtype: v.dtype, shape: [...v.shape], source: v.source })),
    calls: t.calls.map((c) => ({ ...c })),
    inputs: t.inputs,
    outputs: t.outputs,
    symbols,
  };
}

function site(c: KernelCall): KernelSite {
  return { kernel: c.kernel, layer: c.layer, index: c.index };
}

const DIFFER = 'the two traces taken with different sizes for the unknown dimensions differ';

function allEqual(v: BackendValues, x: number | boolean | Uint8Array): boolean {
  if (Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (v[i] !== x) return false;
  return true;
}

function sameRef(x: InputRef, y: InputRef): boolean {
  if (x === y) return true;
  if (x === null || y === null || typeof x === 'number' || typeof y === 'number') return false;
  return x.length === y.length && x.every((id, i) => id === y[i]);
}

/** Same input names and value ids, in the same order. */
function sameInputs(x: KernelCall['inputs'], y: KernelCall['inputs']): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const [nx, rx] = x[i]!, [ny, ry] = y[i]!;
    if (nx !== ny || !sameRef(rx, ry)) return false;
  }
  return true;
}

function sameIds(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((id, i) => id === y[i]);
}

export function mergeTapes(a: Tape, b: Tape, symbols: SymbolInfo[]): SymTape {
  const sa = symbols.map((s) => s.sizes[0]!), sb = symbols.map((s) => s.sizes[1]!);
  const n = Math.min(a.calls.length, b.calls.length);
  // kernel sequence first: the most telling difference
  for (let i = 0; i < n; i++) {
    const ca = a.calls[i]!, cb = b.calls[i]!;
    if (ca.kernel !== cb.kernel || !sameInputs(ca.inputs, cb.inputs) || ca.outputs.length !== cb.outputs.length) {
      throw kernelError('UNSUPPORTED', site(ca), `${DIFFER} here (${ca.kernel} vs ${cb.kernel}): the computation depends on input values or has size-dependent control flow`);
    }
  }
  if (a.calls.length !== b.calls.length) {
    const extra = (a.calls.length > b.calls.length ? a.calls : b.calls)[n]!;
    throw kernelError('UNSUPPORTED', site(extra), `${DIFFER}: one trace has ${a.calls.length} kernel calls, the other ${b.calls.length}`);
  }
  if (a.values.length !== b.values.length || !sameIds(a.outputs, b.outputs)) {
    throw new SavedModelError('UNSUPPORTED', `${DIFFER}: they see different tensors`);
  }
  // first consumer of each value, for error messages (indexed when the first one is needed)
  let consumer: Map<number, KernelCall> | undefined;
  const where = (id: number): KernelSite => {
    if (!consumer) {
      consumer = new Map();
      for (const c of a.calls) {
        for (const [, ref] of c.inputs) {
          for (const v of ref === null ? [] : typeof ref === 'number' ? [ref] : ref) if (!consumer.has(v)) consumer.set(v, c);
        }
      }
    }
    const c = consumer.get(id);
    return c ? site(c) : { kernel: '(output)' };
  };

  // a dim that is no monomial (batch + 1 after a Pad) is fine until a lowering needs its value
  const mergeDim = (x: number, y: number): SymDim => fitSym(x, y, sa, sb) ?? unknownDim(x, y);

  const values: SymValue[] = a.values.map((va: TapeValue, i): SymValue => {
    const vb = b.values[i]!;
    if (va.dtype !== vb.dtype || va.shape.length !== vb.shape.length || va.source.kind !== vb.source.kind) {
      throw kernelError('UNSUPPORTED', where(i), `${DIFFER} in tensor #${i} (${va.dtype}[${va.shape}] vs ${vb.dtype}[${vb.shape}])`);
    }
    // the first trace's shape array and value where nothing differs (most of a graph's values)
    let shape: SymDim[] = va.shape;
    for (let k = 0; k < va.shape.length; k++) {
      if (va.shape[k] !== vb.shape[k]) { shape = va.shape.map((d, j) => mergeDim(d, vb.shape[j]!)); break; }
    }
    let source: SymValueSource;
    const s = va.source, t = vb.source;
    if (s.kind === 'constant' && t.kind === 'constant') {
      const merged = mergeConstant(va, s.values, vb, t.values, sa, sb, where(i));
      source = merged.kind === 'constant' && merged.values === s.values ? s : merged;
    } else if (s.kind === 'variable' && t.kind === 'variable') {
      if (s.variable !== t.variable) throw kernelError('UNSUPPORTED', where(i), `${DIFFER}: they read different variables`);
      source = s;
    } else if (s.kind === 'input' && t.kind === 'input') {
      if (s.index !== t.index) throw kernelError('UNSUPPORTED', where(i), DIFFER);
      source = s;
    } else if (s.kind === 'kernel' && t.kind === 'kernel') {
      if (s.call !== t.call || s.output !== t.output) throw kernelError('UNSUPPORTED', where(i), DIFFER);
      source = s;
    } else {
      throw kernelError('UNSUPPORTED', where(i), DIFFER);
    }
    return shape === va.shape && source === s && va.id === i ? va : { id: i, dtype: va.dtype, shape, source };
  });

  const calls: SymCall[] = a.calls.map((ca, i) => {
    const cb = b.calls[i]!;
    const attrs = mergeAttr(ca.attrs, cb.attrs, sa, sb, site(ca), ['attrs']) as Record<string, unknown>;
    return attrs === ca.attrs ? ca : { ...ca, attrs };
  });
  return { values, calls, inputs: a.inputs, outputs: a.outputs, symbols };
}

function mergeConstant(va: TapeValue, x: BackendValues, vb: TapeValue, y: BackendValues,
  sa: number[], sb: number[], at: KernelSite): SymValueSource {
  const sameShape = va.shape.every((d, k) => d === vb.shape[k]);
  if (sameShape && Array.isArray(x) && Array.isArray(y)) {
    const same = x.length === y.length && x.every((s, i) => s.length === y[i]!.length && s.every((c, j) => c === y[i]![j]));
    if (same) return { kind: 'constant', values: x };
    throw kernelError('UNSUPPORTED', at, `a string constant of shape [${va.shape}] has different values in the two traces`);
  }
  if (sameShape && !Array.isArray(x) && !Array.isArray(y)) {
    let equal = true;
    for (let i = 0; i < x.length && equal; i++) if (x[i] !== y[i]) equal = false;
    if (equal) return { kind: 'constant', values: x };
    // int constants computed from the input size (shapes); float ones too (a gradient's 1 / batch size divisor)
    if (va.dtype === 'int32' || (va.dtype === 'float32' && x.length === 1)) {
      const elements: SymDim[] = [];
      for (let i = 0; i < x.length; i++) {
        const d = fitSym(x[i]!, y[i]!, sa, sb);
        if (d === undefined) break;
        elements.push(d);
      }
      if (elements.length === x.length) return { kind: 'symbolic-constant', elements };
    }
    throw kernelError('UNSUPPORTED', at, `a ${va.dtype} constant of shape [${va.shape}] has different values in the two traces (a value computed from the input size or a random tensor)`);
  }
  if (!Array.isArray(x) && !Array.isArray(y) && x.length > 0 && va.dtype !== 'string') {
    const first = x[0]!;
    if (allEqual(x, first) && allEqual(y, first)) {
      return { kind: 'fill', value: va.dtype === 'bool' ? first !== 0 : first };
    }
  }
  const tiled = !Array.isArray(x) && !Array.isArray(y) && va.dtype !== 'string' ? tiledRow(va.shape, x, vb.shape, y) : undefined;
  if (tiled) return tiled;
  throw kernelError('UNSUPPORTED', at, `a constant's shape depends on the input size ([${va.shape}] vs [${vb.shape}]) and it is neither filled with one value nor one row repeated along the dims that vary`);
}

/**
 * `x` (shape `a`) and `y` (shape `b`) as one row repeated along their leading dims, when the dims
 * that differ between the traces all lead and the trailing ones (the row's shape) agree.
 */
function tiledRow(a: readonly number[], x: Float32Array | Int32Array | Uint8Array, b: readonly number[], y: Float32Array | Int32Array | Uint8Array):
  SymValueSource | undefined {
  if (a.length !== b.length) return undefined;
  let lead = a.length;
  while (lead > 0 && a[lead - 1] === b[lead - 1]) lead--;
  // every dim before the last differing one is leading; a dim that agrees among them is repeated too
  if (lead === 0 || lead === a.length) return undefined;
  const rowShape = a.slice(lead);
  const n = rowShape.reduce((p, d) => p * d, 1);
  if (n === 0 || x.length === 0 || y.length === 0) return undefined;
  const repeats = (v: Float32Array | Int32Array | Uint8Array) => {
    if (v.length % n !== 0) return false;
    for (let i = n; i < v.length; i++) if (!Object.is(v[i], v[i % n])) return false;
    return true;
  };
  if (!repeats(x) || !repeats(y)) return undefined;
  for (let i = 0; i < n; i++) if (!Object.is(x[i], y[i])) return undefined;
  return { kind: 'tiled', row: x.slice(0, n), rowShape };
}

/** Where in a call's attrs mergeAttr is: segments joined only for an error message. */
type AttrPath = (string | number)[];

function pathText(path: AttrPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function mergeAttr(x: unknown, y: unknown, sa: number[], sb: number[], at: KernelSite, path: AttrPath): unknown {
  if (typeof x === 'number' && typeof y === 'number') {
    if (x === y || (Number.isNaN(x) && Number.isNaN(y))) return x;
    // a size that is no product of the input sizes (2 * ceil(h / 2)) may still be a multiple of
    // a tensor dim (UpSampling2D after a strided Conv2D): the lowering decides, or fails
    if (Number.isInteger(x) && Number.isInteger(y)) return fitSym(x, y, sa, sb) ?? unknownDim(x, y);
    throw kernelError('UNSUPPORTED', at, `${pathText(path)} is ${x} in one trace and ${y} in the other, not a product of the input sizes`);
  }
  // lists and objects: the first trace's own where nothing in them differs (attrs are plain data, never changed)
  if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) throw kernelError('UNSUPPORTED', at, `${pathText(path)} has ${x.length} vs ${y.length} elements in the two traces`);
    let out: unknown[] | undefined;
    for (let i = 0; i < x.length; i++) {
      path.push(i);
      const m = mergeAttr(x[i], y[i], sa, sb, at, path);
      path.pop();
      if (m !== x[i]) (out ??= x.slice())[i] = m;
    }
    return out ?? x;
  }
  if (x && y && typeof x === 'object' && typeof y === 'object') {
    const xo = x as Record<string, unknown>, yo = y as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    const merge = (k: string) => {
      path.push(k);
      const m = mergeAttr(xo[k], yo[k], sa, sb, at, path);
      path.pop();
      if (m !== xo[k] || !Object.prototype.hasOwnProperty.call(xo, k)) (out ??= { ...xo })[k] = m;
    };
    for (const k of Object.keys(xo)) merge(k);
    for (const k of Object.keys(yo)) if (!Object.prototype.hasOwnProperty.call(xo, k)) merge(k);
    return out ?? xo;
  }
  if (x !== y) throw kernelError('UNSUPPORTED', at, `${pathText(path)} differs between the two traces (${String(x)} vs ${String(y)})`);
  return x;
}
