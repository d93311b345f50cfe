// `--input_exprs 'x=np.ones((2,3));y=[1,2]'`: saved_model_cli evaluates each value as Python with
// numpy as `np`. We never evaluate anything: a small parser reads the forms people write —
// Python / JSON literals (numbers, strings, b'bytes', True/False, lists, tuples) and the numpy
// constructors np.array / np.asarray (with dtype=), np.ones / np.zeros / np.full / np.empty,
// np.arange, np.linspace, np.eye / np.identity, np.random.rand / np.random.randn / np.random.random,
// np.<dtype>(x) scalars, np.inf / np.nan / np.pi / np.e — into nested arrays for model.run().
import { DEFAULT_LIMITS, isSavedModelError } from '@savedmodel-js/core';
import { checkedElementCount } from '@savedmodel-js/core/internal';
import { UsageError } from './args.js';
import { nest } from './npy.js';

type Value = number | bigint | boolean | string | Uint8Array | Value[];
/** Python tuples (shapes) are kept apart from lists only where it matters (np.ones((2,3)) vs np.ones([2,3]) are the same). */
const MAX_DEPTH = 64;
/** Elements one constructor may make (8 bytes each as JS numbers). */
const MAX_ELEMENTS = Math.floor(DEFAULT_LIMITS.maxTensorBytes / 8);

const INT_DTYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'int', 'intc', 'int_', 'uint', 'longlong']);
const FLOAT_DTYPES = new Set(['float16', 'float32', 'float64', 'float', 'float_', 'double', 'single', 'half']);

/** Split `a=[1,2];b="x;y"` on top-level semicolons (not inside brackets, parentheses or strings). */
export function splitExprs(s: string): string[] {
  const parts: string[] = [];
  let depth = 0, quote = '', start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{' || c === '(') depth++;
    else if (c === ']' || c === '}' || c === ')') depth--;
    else if (c === ';' && depth === 0) { parts.push(s.slice(start, i)); start = i + 1; }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

class Parser {
  i = 0;
  depth = 0;
  constructor(readonly text: string, readonly what: string) {}

  fail(msg: string): never {
    throw new UsageError(`${this.what}: ${msg} at offset ${this.i} of ${JSON.stringify(this.text.slice(0, 200))}`);
  }
  ws(): void { while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++; }
  peek(): string { this.ws(); return this.text[this.i] ?? ''; }
  eat(c: string): boolean { if (this.peek() === c) { this.i++; return true; } return false; }
  need(c: string): void { if (!this.eat(c)) this.fail(`expected '${c}'`); }

  /** value (unary minus on numbers and on np.inf). */
  value(): Value {
    if (++this.depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH}`);
    try {
      const c = this.peek();
      if (c === '[' || c === '(') return this.sequence(c === '[' ? ']' : ')');
      if (c === '"' || c === "'") return this.string(false);
      if ((c === 'b' || c === 'B') && /^[bB]['"]/.test(this.text.slice(this.i))) { this.i++; return this.string(true); }
      if (c === '-' || c === '+') {
        this.i++;
        const v = this.value();
        if (c === '+') return v;
        if (typeof v === 'number') return -v;
        if (typeof v === 'bigint') return -v;
        return this.fail('unary minus applies to numbers only');
      }
      const num = /^(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?[jJ]?/.exec(this.text.slice(this.i));
      if (num) {
        if (/[jJ]$/.test(num[0])) this.fail('complex numbers are not supported');
        this.i += num[0].length;
        const t = num[0].replace(/_/g, '');
        if (/[.eE]/.test(t)) return Number(t);
        const b = BigInt(t);
        return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
      }
      const id = /^[A-Za-z_][A-Za-z0-9_]*(\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*/.exec(this.text.slice(this.i));
      if (!id) return this.fail('expected a value');
      this.i += id[0].length;
      return this.name(id[0].replace(/\s+/g, ''));
    } finally {
      this.depth--;
    }
  }

  sequence(close: string): Value[] {
    this.i++;
    const out: Value[] = [];
    for (;;) {
      if (this.eat(close)) return out;
      out.push(this.value());
      if (this.eat(',')) continue;
      this.need(close);
      // `(x)` is x in Python; `(x,)` a tuple
      return close === ')' && out.length === 1 ? (out[0] as Value[]) : out;
    }
  }

  string(bytes: boolean): Value {
    const q = this.text[this.i]!;
    this.i++;
    let s = '';
    while (this.i < this.text.length && this.text[this.i] !== q) {
      let ch = this.text[this.i]!;
      if (ch === '\\') {
        this.i++;
        const e = this.text[this.i] ?? '';
        const hex = e === 'x' ? /^[0-9a-fA-F]{2}/.exec(this.text.slice(this.i + 1)) : null;
        if (hex) { ch = String.fromCharCode(parseInt(hex[0], 16)); this.i += 2; }
        else ch = e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '0' ? '\0' : e;
      }
      s += ch;
      this.i++;
    }
    if (this.text[this.i] !== q) this.fail('unterminated string');
    this.i++;
    if (!bytes) return s;
    const out = new Uint8Array(s.length);
    for (let k = 0; k < s.length; k++) {
      const code = s.charCodeAt(k);
      if (code > 255) this.fail('bytes literals hold ASCII / \\x escapes only');
      out[k] = code;
    }
    return out;
  }

  /** Arguments of a call: positional values and keyword values. */
  args(): { pos: Value[]; kw: Map<string, Value | string> } {
    const pos: Value[] = [];
    const kw = new Map<string, Value | string>();
    this.need('(');
    for (;;) {
      if (this.eat(')')) return { pos, kw };
      const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/.exec(this.text.slice(this.i));
      if (m) {
        this.i += m[0].length;
        if (m[1] === 'dtype') kw.set('dtype', this.dtypeArg());
        else kw.set(m[1]!, this.value());
      } else {
        if (kw.size > 0) this.fail('positional argument after a keyword argument');
        pos.push(this.value());
      }
      if (this.eat(',')) continue;
      this.need(')');
      return { pos, kw };
    }
  }

  /** dtype=np.float32 / 'float32' / float / int / bool → a numpy type name. */
  dtypeArg(): string {
    const c = this.peek();
    let name: string;
    if (c === '"' || c === "'") name = String(this.string(false));
    else {
      const id = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.text.slice(this.i));
      if (!id) return this.fail('expected a dtype');
      this.i += id[0].length;
      name = id[0].replace(/^(np|numpy)\./, '');
    }
    if (name === 'bool' || name === 'bool_' || INT_DTYPES.has(name) || FLOAT_DTYPES.has(name) || name === 'str' || name === 'bytes' || name === 'object') return name;
    return this.fail(`dtype '${name}' is not supported`);
  }

  name(id: string): Value {
    if (id === 'True' || id === 'true') return true;
    if (id === 'False' || id === 'false') return false;
    const np = /^(np|numpy)\.(.+)$/.exec(id);
    if (id === 'float' || id === 'int' || id === 'bool' || id === 'str') {
      const { pos } = this.args();
      return cast(this.one(pos, id), id);
    }
    if (!np) return this.fail(`unknown name '${id}' (numpy is 'np')`);
    const fn = np[2]!;
    switch (fn) {
      case 'inf': case 'Inf': case 'infty': return Infinity;
      case 'nan': case 'NaN': return NaN;
      case 'pi': return Math.PI;
      case 'e': return Math.E;
    }
    const { pos, kw } = this.args();
    const dtype = kw.get('dtype') as string | undefined;
    for (const k of kw.keys()) if (!['dtype', 'shape', 'fill_value', 'size', 'endpoint'].includes(k)) this.fail(`np.${fn}: keyword '${k}' is not supported`);
    const shapeArg = () => this.shape(kw.get('shape') ?? pos[0], fn);
    switch (fn) {
      case 'array': case 'asarray': return cast(this.one(pos, fn), dtype);
      case 'ones': return this.filled(shapeArg(), () => 1, dtype);
      case 'zeros': case 'empty': return this.filled(shapeArg(), () => 0, dtype);
      case 'full': {
        const fill = kw.get('fill_value') ?? pos[1];
        if (fill === undefined || Array.isArray(fill)) this.fail('np.full: fill_value must be a scalar');
        return this.filled(shapeArg(), () => fill as Value, dtype);
      }
      case 'arange': {
        const nums = pos.map((v) => this.scalarNumber(v, fn));
        const [start, stop, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
        if (step === 0 || nums.length === 0 || nums.length > 3) this.fail('np.arange: expected (stop), (start, stop) or (start, stop, step)');
        const n = Math.max(0, Math.ceil((stop - start) / step));
        this.checkCount(n, fn);
        return cast(Array.from({ length: n }, (_, k) => start + k * step), dtype);
      }
      case 'linspace': {
        const [a, b] = [this.scalarNumber(pos[0], fn), this.scalarNumber(pos[1], fn)];
        const n = pos[2] === undefined ? 50 : this.scalarNumber(pos[2], fn);
        const endpoint = kw.get('endpoint') !== false;
        if (!Number.isInteger(n) || n < 0) this.fail('np.linspace: num must be a non-negative integer');
        this.checkCount(n, fn);
        const div = endpoint ? n - 1 : n;
        return cast(Array.from({ length: n }, (_, k) => (div > 0 ? a + ((b - a) * k) / div : a)), dtype);
      }
      case 'eye': case 'identity': {
        const n = this.scalarNumber(pos[0], fn);
        const shape = this.shape([n, n], fn);
        return cast(nest(Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 : 0)), shape) as Value, dtype ?? 'float64');
      }
      case 'random.rand': case 'random.random': case 'random.random_sample': case 'random.randn': case 'random.standard_normal': {
        const dims = fn === 'random.rand' || fn === 'random.randn' ? pos : pos.length > 0 ? [pos[0]!] : kw.has('size') ? [kw.get('size') as Value] : [];
        const shape = this.shape(fn === 'random.rand' || fn === 'random.randn' ? dims : dims[0] ?? [], fn);
        const normal = fn === 'random.randn' || fn === 'random.standard_normal';
        return this.filled(shape, () => (normal ? Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random()) : Math.random()), dtype);
      }
      default:
        if (fn === 'bool_' || INT_DTYPES.has(fn) || FLOAT_DTYPES.has(fn)) return cast(this.one(pos, fn), fn);
        return this.fail(`np.${fn} is not supported (supported: array, asarray, ones, zeros, empty, full, arange, linspace, eye, identity, random.rand, random.randn, random.random, and dtype scalars)`);
    }
  }

  one(pos: Value[], fn: string): Value {
    if (pos.length !== 1) this.fail(`${fn}: expected one argument`);
    return pos[0]!;
  }

  scalarNumber(v: Value | undefined, fn: string): number {
    if (typeof v === 'bigint') return Number(v);
    if (typeof v !== 'number') return this.fail(`np.${fn}: expected a number`);
    return v;
  }

  shape(v: Value | string | undefined, fn: string): number[] {
    const dims = v === undefined ? this.fail(`np.${fn}: missing shape`) : Array.isArray(v) ? v : [v];
    const out = dims.map((d) => {
      const n = typeof d === 'bigint' ? Number(d) : d;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return this.fail(`np.${fn}: shape must hold non-negative integers`);
      return n;
    });
    if (out.length > MAX_DEPTH) this.fail(`np.${fn}: more than ${MAX_DEPTH} dimensions`);
    this.checkCount(out, fn);
    return out;
  }

  checkCount(shape: number | number[], fn: string): void {
    let n: number;
    try {
      n = checkedElementCount(Array.isArray(shape) ? shape : [shape]);
    } catch (e) {
      if (isSavedModelError(e)) this.fail(`np.${fn}: ${e.message}`);
      throw e;
    }
    if (n > MAX_ELEMENTS) this.fail(`np.${fn}: ${n} elements is more than the ${MAX_ELEMENTS} accepted`);
  }

  filled(shape: number[], f: () => Value, dtype: string | undefined): Value {
    const n = shape.reduce((x, y) => x * y, 1);
    return cast(nest(Array.from({ length: n }, f), shape) as Value, dtype);
  }
}

/** Applies a numpy dtype to every element (ints truncate toward zero, as numpy's cast). */
function cast(v: Value, dtype: string | undefined): Value {
  if (dtype === undefined || dtype === 'object' || dtype === 'str' || dtype === 'bytes') return v;
  if (Array.isArray(v)) return v.map((x) => cast(x, dtype));
  if (typeof v === 'string' || v instanceof Uint8Array) return v;
  if (dtype === 'bool' || dtype === 'bool_') return typeof v === 'boolean' ? v : Number(v) !== 0;
  const x = typeof v === 'boolean' ? Number(v) : v;
  if (INT_DTYPES.has(dtype)) return typeof x === 'bigint' ? x : Math.trunc(x);
  return Number(x);
}

/** One expression → a plain value (UsageError on anything outside the supported subset). */
export function parseInputExpr(text: string, what: string): unknown {
  const p = new Parser(text, what);
  const v = p.value();
  p.ws();
  if (p.i !== text.length) p.fail('unexpected text after the value');
  return v;
}

/**
 * `x=[[1,2,3]]; y=np.ones((2,3))` → { x: [[1,2,3]], y: [[1,1,1],[1,1,1]] }. A null-prototype
 * object: inputs may be named `constructor`, `toString` or `__proto__`.
 */
export function parseInputExprs(s: string): Record<string, unknown> {
  const seen = new Map<string, unknown>();
  for (const part of splitExprs(s)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input_exprs: expected KEY=VALUE, got '${part.slice(0, 200)}'`);
    const key = part.slice(0, eq).trim();
    if (seen.has(key)) throw new UsageError(`--input_exprs: input '${key}' given twice`);
    seen.set(key, parseInputExpr(part.slice(eq + 1).trim(), `--input_exprs: value of '${key}'`));
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of seen) out[k] = v;
  return out;
}
