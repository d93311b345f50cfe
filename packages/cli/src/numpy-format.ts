/**
 * `str(ndarray)` as numpy prints it (numpy >= 1.14 defaults: precision 8, floatmode 'maxprec',
 * linewidth 75, threshold 1000, edgeitems 3), which is how saved_model_cli prints results:
 *
 * - floats: shortest round-trip digits of the element's own width (float32 / float64), at most 8
 *   fractional digits, trailing zeros trimmed to "3."; one column width for the whole array
 *   (integer part right-aligned, fraction padded with spaces: `[2.5 3. ]`); scientific for all
 *   elements when a nonzero |x| < 1e-4, any |x| >= 1e8, or max/min > 1e3 (`[1.e-05 1.e+00]`);
 *   nan / inf right-aligned in the column;
 * - ints right-aligned to the widest; bools ` True` / `False`; bytes as Python bytes reprs;
 * - rows wrap at 75 columns, nested rows on new lines (a blank line per extra dimension);
 *   more than 1000 elements print 3 at each edge around `...`;
 * - 0-d arrays print as the scalar (`3.0`, `1e-05`, `True`, `b'x'`).
 */
export type NumpyKind = 'float32' | 'float64' | 'float16' | 'int' | 'bool' | 'bytes';

export interface NumpyArray {
  kind: NumpyKind;
  shape: number[];
  /** Row-major values; bytes as Uint8Array or (already decoded) strings. */
  values: ArrayLike<number | bigint | boolean | string | Uint8Array>;
}

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 8;

/** Shortest digits that read back as the same value at the element's width, as a JS number string. */
function shortest(v: number, kind: NumpyKind): string {
  if (kind === 'float64') return String(v);
  const round = kind === 'float16' ? roundHalf : Math.fround;
  const want = round(v);
  for (let p = 1; p <= 17; p++) {
    const t = Number(v.toPrecision(p));
    if (round(t) === want) return String(t);
  }
  return String(v);
}

function roundHalf(x: number): number {
  // float16 rounding through Math.f16round where available; else float32 (close enough to pick digits)
  const f16 = (Math as unknown as { f16round?: (x: number) => number }).f16round;
  return f16 ? f16(x) : Math.fround(x);
}

/** Positional digits: shortest, cut to 8 fractional digits, zeros trimmed, "." kept. */
function positional(v: number, kind: NumpyKind): [string, string] {
  let s = shortest(v, kind);
  if (Object.is(v, -0)) s = '-0';
  if (/e/i.test(s) || (s.split('.')[1]?.length ?? 0) > PRECISION) s = v.toFixed(PRECISION).replace(/0+$/, '');
  if (!s.includes('.')) s += '.';
  const [i, f] = s.split('.') as [string, string];
  return [i === '' ? '0' : i, f];
}

/** Scientific digits: mantissa shortest (at most 8 fractional digits), exponent with sign. */
function scientific(v: number, kind: NumpyKind): { int: string; frac: string; exp: string } {
  const digits = shortest(v, kind).replace('-', '').replace('.', '').replace(/e.*$/i, '').replace(/^0+/, '');
  const precision = Math.min(PRECISION, Math.max(0, digits.replace(/0+$/, '').length - 1));
  const t = v.toExponential(precision);
  const m = /^(-?\d)(?:\.(\d*))?e([+-])(\d+)$/.exec(t)!;
  return { int: m[1]!, frac: (m[2] ?? '').replace(/0+$/, ''), exp: `${m[3]}${m[4]}` };
}

type Fmt = (i: number) => string;

/** An element as the number its dtype holds (float32 values rounded to float32). */
function num(a: NumpyArray, i: number): number {
  const x = Number(a.values[i] as number);
  return a.kind === 'float32' ? Math.fround(x) : x;
}

function floatFormatter(a: NumpyArray, indices: number[]): Fmt {
  const vals = indices.map((i) => num(a, i));
  const finite = vals.filter((x) => Number.isFinite(x));
  const nonzero = finite.filter((x) => x !== 0).map(Math.abs);
  let exp = false;
  if (nonzero.length) {
    const max = Math.max(...nonzero), min = Math.min(...nonzero);
    exp = max >= 1e8 || min < 1e-4 || max / min > 1e3;
  }
  let padLeft = 0, padRight = 0, fracDigits = 0, expDigits = 2;
  if (exp) {
    for (const x of finite) {
      const s = scientific(x, a.kind);
      padLeft = Math.max(padLeft, s.int.length);
      fracDigits = Math.max(fracDigits, s.frac.length);
      expDigits = Math.max(expDigits, s.exp.length - 1);
    }
    padRight = fracDigits;
  } else {
    for (const x of finite) {
      const [i, f] = positional(x, a.kind);
      padLeft = Math.max(padLeft, i.length);
      padRight = Math.max(padRight, f.length);
    }
  }
  if (finite.length !== vals.length) {
    const neginf = vals.some((x) => x === -Infinity) ? 1 : 0;
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + neginf - (padRight + 1));
  }
  return (i) => {
    const x = num(a, i);
    if (!Number.isFinite(x)) {
      const r = Number.isNaN(x) ? 'nan' : x < 0 ? '-inf' : 'inf';
      return r.padStart(padLeft + padRight + 1);
    }
    if (exp) {
      const s = scientific(x, a.kind);
      const e = s.exp[0]! + s.exp.slice(1).padStart(expDigits, '0');
      return `${s.int.padStart(padLeft)}.${s.frac.padEnd(fracDigits, '0')}e${e}`;
    }
    const [ip, fp] = positional(x, a.kind);
    return `${ip.padStart(padLeft)}.${fp.padEnd(padRight)}`;
  };
}

/** Python's repr of bytes: b'..' (double quotes when the text has ' and no "). */
export function pyBytesRepr(b: Uint8Array | string): string {
  const bytes = typeof b === 'string' ? new TextEncoder().encode(b) : b;
  const q = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let s = '';
  for (const c of bytes) {
    if (c === 0x5c) s += '\\\\';
    else if (c === q.charCodeAt(0)) s += `\\${q}`;
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x0d) s += '\\r';
    else if (c === 0x09) s += '\\t';
    else if (c < 0x20 || c >= 0x7f) s += `\\x${c.toString(16).padStart(2, '0')}`;
    else s += String.fromCharCode(c);
  }
  return `b${q}${s}${q}`;
}

/** numpy's str() of a scalar (a 0-d array). */
function scalarStr(a: NumpyArray): string {
  const v = a.values[0]!;
  if (a.kind === 'bool') return v ? 'True' : 'False';
  if (a.kind === 'int') return String(v);
  if (a.kind === 'bytes') return pyBytesRepr(v as Uint8Array | string);
  const x = num(a, 0);
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const ax = Math.abs(x);
  if (ax !== 0 && (ax < 1e-4 || ax >= 1e16)) {
    const s = scientific(x, a.kind);
    return `${s.int}${s.frac ? `.${s.frac}` : ''}e${s.exp[0]}${s.exp.slice(1).padStart(2, '0')}`;
  }
  const [i, f] = positional(x, a.kind);
  return `${i}.${f || '0'}`;
}

export function formatNumpy(a: NumpyArray): string {
  const size = a.shape.reduce((n, d) => n * d, 1);
  if (a.shape.length === 0) return scalarStr(a);
  if (size === 0) return '[]';
  const summary = size > THRESHOLD;
  // indices numpy looks at to choose the format (the edges only, when summarized)
  const strides = a.shape.map((_, k) => a.shape.slice(k + 1).reduce((n, d) => n * d, 1));
  const shown: number[] = [];
  const collect = (axis: number, base: number) => {
    if (axis === a.shape.length) { shown.push(base); return; }
    const n = a.shape[axis]!;
    const idx = summary && n > 2 * EDGE ? [...Array(EDGE).keys(), ...Array.from({ length: EDGE }, (_, k) => n - EDGE + k)] : [...Array(n).keys()];
    for (const i of idx) collect(axis + 1, base + i * strides[axis]!);
  };
  collect(0, 0);

  let fmt: Fmt;
  if (a.kind === 'bool') fmt = (i) => (a.values[i] ? ' True' : 'False');
  else if (a.kind === 'bytes') fmt = (i) => pyBytesRepr(a.values[i] as Uint8Array | string);
  else if (a.kind === 'int') {
    const width = Math.max(...shown.map((i) => String(a.values[i]).length));
    fmt = (i) => String(a.values[i]).padStart(width);
  } else fmt = floatFormatter(a, shown);

  const extend = (s: string, line: string, word: string, width: number, indent: string): [string, string] => {
    if (line.length + word.length > width && line.length > indent.length) {
      s += line.trimEnd() + '\n';
      line = indent;
    }
    return [s, line + word];
  };
  const rec = (axis: number, base: number, indent: string, width: number): string => {
    const n = a.shape[axis]!;
    const left = a.shape.length - axis;
    const showSummary = summary && 2 * EDGE < n;
    const lead = showSummary ? EDGE : 0;
    const trail = showSummary ? EDGE : n;
    const nextIndent = indent + ' ';
    const nextWidth = width - 1;
    const item = (i: number) => (left === 1 ? fmt(base + i * strides[axis]!) : rec(axis + 1, base + i * strides[axis]!, nextIndent, nextWidth));
    let s = '';
    if (left === 1) {
      let line = indent;
      // every element keeps room for a closing ']'
      for (let i = 0; i < lead; i++) { [s, line] = extend(s, line, item(i), nextWidth, indent); line += ' '; }
      if (showSummary) { [s, line] = extend(s, line, '...', nextWidth, indent); line += ' '; }
      for (let i = trail; i > 1; i--) { [s, line] = extend(s, line, item(n - i), nextWidth, indent); line += ' '; }
      [s, line] = extend(s, line, item(n - 1), nextWidth, indent);
      s += line;
    } else {
      const sep = '\n'.repeat(left - 1);
      for (let i = 0; i < lead; i++) s += indent + item(i) + sep;
      if (showSummary) s += indent + '...' + sep;
      for (let i = trail; i > 1; i--) s += indent + item(n - i) + sep;
      s += indent + item(n - 1);
    }
    return '[' + s.slice(indent.length) + ']';
  };
  return rec(0, 0, ' ', LINE_WIDTH);
}
