// numpy's .npy format (numpy/lib/format.py, "NEP 1"): magic "\x93NUMPY", major/minor version, a
// little-endian header length (uint16 in 1.0, uint32 in 2.0/3.0), then an ASCII (3.0: UTF-8)
// Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with spaces
// and a newline so the data starts 64-byte aligned, then the raw elements.
//
// Written as numpy >= 1.23 writes it (same bytes as np.save for the dtypes below, including the
// spare spaces numpy leaves for growing the first axis). Read defensively: the file is untrusted,
// so every size comes from bytes actually present (never a length field alone) and is bounded.
import { SavedModelError } from '@savedmodel-js/core';
import { checkedElementCount, halfToFloat, quoteSnippet } from '@savedmodel-js/core/internal';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;
/** numpy leaves room for the first axis to grow to this many digits. */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** numpy refuses longer headers by default (np.load's max_header_size). */
export const MAX_HEADER_BYTES = 10_000;
const MAX_RANK = 64; // numpy's NPY_MAXDIMS

export type NpyKind = 'b' | 'i' | 'u' | 'f' | 'S' | 'U';

export interface NpyDtype {
  kind: NpyKind;
  /** Bytes per element (UTF-32 code units × 4 for 'U'). */
  itemSize: number;
  littleEndian: boolean;
}

export interface NpyArray {
  descr: string;
  dtype: NpyDtype;
  fortranOrder: boolean;
  shape: number[];
  /** Raw element bytes (a view into the file). */
  data: Uint8Array;
}

function invalid(what: string, msg: string): never {
  throw new SavedModelError('INVALID_ARGUMENT', `${what}: ${msg}`, { file: what });
}

/** `'<f4'` → kind / width / byte order; object ('|O'), structured and other dtypes are UNSUPPORTED. */
export function parseDescr(descr: string, what: string): NpyDtype {
  const m = /^([<>|=])([biufSU])(\d{1,9})$/.exec(descr);
  if (!m) {
    if (/^[<>|=]?O/.test(descr)) {
      throw new SavedModelError('UNSUPPORTED', `${what}: dtype ${quoteSnippet(descr)} is a pickled object array; save strings as fixed-width bytes (np.array(x, dtype='S')) instead`, { file: what });
    }
    throw new SavedModelError('UNSUPPORTED', `${what}: numpy dtype ${quoteSnippet(descr)} is not supported (bool, int, uint, float16/32/64, bytes S<n> and str U<n> are)`, { file: what });
  }
  const kind = m[2] as NpyKind;
  const n = Number(m[3]);
  const ok = kind === 'b' ? n === 1 : kind === 'f' ? n === 2 || n === 4 || n === 8 : kind === 'i' || kind === 'u' ? [1, 2, 4, 8].includes(n) : n >= 1;
  if (!ok) throw new SavedModelError('UNSUPPORTED', `${what}: numpy dtype ${quoteSnippet(descr)} is not supported`, { file: what });
  return { kind, itemSize: kind === 'U' ? n * 4 : n, littleEndian: m[1] !== '>' };
}

/** The header dict: only the three keys numpy writes, with literal values (no evaluation). */
function parseHeader(text: string, what: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  let i = 0;
  const ws = () => { while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++; };
  const expect = (c: string) => { ws(); if (text[i] !== c) invalid(what, `bad .npy header, expected '${c}' at offset ${i}: ${quoteSnippet(text)}`); i++; };
  const str = (): string => {
    ws();
    const q = text[i];
    if (q !== "'" && q !== '"') invalid(what, `bad .npy header, expected a string at offset ${i}: ${quoteSnippet(text)}`);
    const end = text.indexOf(q, i + 1);
    if (end < 0) invalid(what, `bad .npy header, unterminated string: ${quoteSnippet(text)}`);
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  const fields = new Map<string, unknown>();
  expect('{');
  for (;;) {
    ws();
    if (text[i] === '}') { i++; break; }
    const key = str();
    expect(':');
    ws();
    let value: unknown;
    if (key === 'descr') {
      if (text[i] === '[') throw new SavedModelError('UNSUPPORTED', `${what}: structured numpy dtypes are not supported`, { file: what });
      value = str();
    } else if (key === 'fortran_order') {
      const m = /^(True|False)/.exec(text.slice(i));
      if (!m) invalid(what, `bad .npy header, fortran_order must be True or False: ${quoteSnippet(text)}`);
      value = m[1] === 'True';
      i += m[1]!.length;
    } else if (key === 'shape') {
      expect('(');
      const dims: number[] = [];
      for (;;) {
        ws();
        if (text[i] === ')') { i++; break; }
        const m = /^\d{1,16}/.exec(text.slice(i));
        if (!m) invalid(what, `bad .npy header, shape must be a tuple of non-negative integers: ${quoteSnippet(text)}`);
        dims.push(Number(m[0]));
        if (dims.length > MAX_RANK) invalid(what, `.npy shape has more than ${MAX_RANK} dimensions`);
        i += m[0].length;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ')') invalid(what, `bad .npy header, expected ',' or ')' in shape: ${quoteSnippet(text)}`);
      }
      value = dims;
    } else {
      invalid(what, `bad .npy header, unexpected key ${quoteSnippet(JSON.stringify(key))}`);
    }
    if (fields.has(key)) invalid(what, `bad .npy header, key '${key}' given twice`);
    fields.set(key, value);
    ws();
    if (text[i] === ',') { i++; continue; }
    expect('}');
    break;
  }
  if (text.slice(i).trim() !== '') invalid(what, `bad .npy header, text after the dict: ${quoteSnippet(text)}`);
  for (const k of ['descr', 'fortran_order', 'shape']) if (!fields.has(k)) invalid(what, `bad .npy header, no '${k}': ${quoteSnippet(text)}`);
  return { descr: fields.get('descr') as string, fortranOrder: fields.get('fortran_order') as boolean, shape: fields.get('shape') as number[] };
}

/**
 * Parses a .npy file. Malformed → INVALID_ARGUMENT; header longer than numpy accepts, or data
 * beyond `maxBytes` → LIMIT_EXCEEDED; the data must be exactly shape × item size bytes.
 */
export function decodeNpy(bytes: Uint8Array, what: string, maxBytes: number): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) invalid(what, 'not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new SavedModelError('UNSUPPORTED', `${what}: .npy format version ${major}.${bytes[7]} (1.0 to 3.0 are read)`, { file: what });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) invalid(what, 'truncated .npy header');
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (headerLen > MAX_HEADER_BYTES) {
    throw new SavedModelError('LIMIT_EXCEEDED', `${what}: .npy header of ${headerLen} bytes (numpy reads at most ${MAX_HEADER_BYTES})`, { file: what });
  }
  const start = 8 + lenBytes;
  if (bytes.length < start + headerLen) invalid(what, `truncated .npy header (${headerLen} bytes declared, ${bytes.length - start} present)`);
  const raw = bytes.subarray(start, start + headerLen);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(raw);
  } catch {
    invalid(what, 'the .npy header is not valid text');
  }
  const header = parseHeader(text.replace(/\n$/, ''), what);
  const dtype = parseDescr(header.descr, what);
  const count = checkedElementCount(header.shape, { file: what });
  const dataLen = bytes.length - start - headerLen;
  const want = count * dtype.itemSize;
  if (want > maxBytes) {
    throw new SavedModelError('LIMIT_EXCEEDED', `${what}: array of shape (${header.shape.join(', ')}) is ${want} bytes, more than the ${maxBytes} allowed`, { file: what });
  }
  if (dataLen !== want) invalid(what, `.npy data is ${dataLen} bytes, but shape (${header.shape.join(', ')}) of ${header.descr} needs ${want}`);
  return { descr: header.descr, dtype, fortranOrder: header.fortranOrder, shape: header.shape, data: bytes.subarray(start + headerLen) };
}


/** float → IEEE half bits, round to nearest even (as numpy's float16 cast). */
export function numberToHalf(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // rounds to inf
  if (a < 2 ** -14) {
    // subnormal: units of 2^-24
    const q = a / 2 ** -24;
    let r = Math.floor(q);
    const rem = q - r;
    if (rem > 0.5 || (rem === 0.5 && r % 2 === 1)) r++;
    return sign | r;
  }
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = (a / 2 ** e - 1) * 1024;
  let m = Math.floor(q);
  const rem = q - m;
  if (rem > 0.5 || (rem === 0.5 && m % 2 === 1)) m++;
  if (m === 1024) { m = 0; e++; }
  if (e + 15 >= 31) return sign | 0x7c00;
  return sign | ((e + 15) << 10) | m;
}

export type NpyValue = number | bigint | boolean | string | Uint8Array;

/** Elements in C (row-major) order. Bytes ('S') lose trailing NULs and str ('U') trailing U+0000, as numpy does. */
export function npyElements(a: NpyArray, what: string): NpyValue[] {
  const { kind, itemSize, littleEndian: le } = a.dtype;
  const dv = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const count = a.shape.reduce((x, y) => x * y, 1);
  const out = new Array<NpyValue>(count);
  for (let k = 0; k < count; k++) {
    const o = k * itemSize;
    switch (kind) {
      case 'b': out[k] = a.data[o] !== 0; break;
      case 'f': out[k] = itemSize === 2 ? halfToFloat(dv.getUint16(o, le)) : itemSize === 4 ? dv.getFloat32(o, le) : dv.getFloat64(o, le); break;
      case 'i': out[k] = itemSize === 1 ? dv.getInt8(o) : itemSize === 2 ? dv.getInt16(o, le) : itemSize === 4 ? dv.getInt32(o, le) : dv.getBigInt64(o, le); break;
      case 'u': out[k] = itemSize === 1 ? dv.getUint8(o) : itemSize === 2 ? dv.getUint16(o, le) : itemSize === 4 ? dv.getUint32(o, le) : dv.getBigUint64(o, le); break;
      case 'S': {
        let end = o + itemSize;
        while (end > o && a.data[end - 1] === 0) end--;
        out[k] = a.data.slice(o, end);
        break;
      }
      case 'U': {
        const cps: number[] = [];
        for (let c = 0; c < itemSize / 4; c++) cps.push(dv.getUint32(o + c * 4, le));
        while (cps.length > 0 && cps[cps.length - 1] === 0) cps.pop();
        if (cps.some((cp) => cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) invalid(what, `element ${k} is not valid UTF-32`);
        out[k] = String.fromCodePoint(...cps);
        break;
      }
    }
  }
  if (!a.fortranOrder || a.shape.length < 2) return out;
  // Fortran order: element (i0, i1, …) is at i0 + d0·(i1 + d1·(…)); reorder to row-major
  const n = a.shape.length;
  const strides = new Array<number>(n);
  let s = 1;
  for (let d = 0; d < n; d++) { strides[d] = s; s *= a.shape[d]!; }
  const c = new Array<NpyValue>(count);
  const idx = new Array<number>(n).fill(0);
  for (let k = 0; k < count; k++) {
    let f = 0;
    for (let d = 0; d < n; d++) f += idx[d]! * strides[d]!;
    c[k] = out[f]!;
    for (let d = n - 1; d >= 0; d--) { if (++idx[d]! < a.shape[d]!) break; idx[d] = 0; }
  }
  return c;
}

/** Row-major elements as nested arrays of `shape` (a 0-d array is its scalar). */
export function nest<T>(flat: readonly T[], shape: readonly number[]): T | unknown[] {
  if (shape.length === 0) return flat[0]!;
  let level: unknown[] = [...flat];
  for (let d = shape.length - 1; d >= 1; d--) {
    const w = shape[d]!;
    const next: unknown[] = [];
    for (let k = 0; k < level.length; k += w) next.push(level.slice(k, k + w));
    level = w === 0 ? Array.from({ length: shape.slice(0, d).reduce((x, y) => x * y, 1) }, () => []) : next;
  }
  return level;
}

/** Header bytes (magic … newline) exactly as numpy writes them for a C-order array. */
export function npyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr}, }`;
  if (shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length));
  let major = 1;
  let lenBytes = 2;
  if (dict.length + 1 + 10 + ALIGN > 0xffff) { major = 2; lenBytes = 4; }
  const pad = ALIGN - ((6 + 2 + lenBytes + dict.length + 1) % ALIGN);
  const text = dict + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(8 + lenBytes + text.length);
  out.set(MAGIC);
  out[6] = major;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (lenBytes === 2) dv.setUint16(8, text.length, true); else dv.setUint32(8, text.length, true);
  for (let k = 0; k < text.length; k++) out[8 + lenBytes + k] = text.charCodeAt(k);
  return out;
}

/** A whole .npy file: header + data (little-endian, C order). */
export function encodeNpy(descr: string, shape: readonly number[], data: Uint8Array): Uint8Array {
  const h = npyHeader(descr, shape);
  const out = new Uint8Array(h.length + data.length);
  out.set(h);
  out.set(data, h.length);
  return out;
}
