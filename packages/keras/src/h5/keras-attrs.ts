// Attributes as Keras writes them with h5py: `bytes` values become fixed-length ASCII strings,
// `str` values variable-length UTF-8, and name lists longer than HDF5's object-header budget are
// split into `name0`, `name1`, … (Keras's `save_attributes_to_hdf5_group`).
import { SavedModelError } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';
import type { H5Dataset, H5Group } from './h5wasm-files.js';

/** Keras's HDF5_OBJECT_HEADER_LIMIT: the largest attribute it writes in one piece. */
export const HDF5_OBJECT_HEADER_LIMIT = 64512;

type HasAttrs = H5Group | H5Dataset;

const utf8 = new TextEncoder();
const isAscii = (s: string) => !/[^\x00-\x7f]/.test(s);

/** JSON as Python's `json.dumps` writes it by default: `", "` / `": "` separators, non-ASCII escaped. */
export function pythonJson(value: unknown): string {
  const walk = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'number') return Number.isFinite(v) ? pythonNumber(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (Array.isArray(v)) return `[${v.map(walk).join(', ')}]`;
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries.map(([k, x]) => `${walk(k)}: ${walk(x)}`).join(', ')}}`;
  };
  return walk(value);
}

/** Python's float repr for the common cases (1.0 for integral floats is not knowable from JS; ints stay ints). */
function pythonNumber(n: number): string {
  const s = String(n);
  // Python writes 1e-07 where JS writes 1e-7
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** A `bytes` attribute (fixed-length ASCII string), or variable-length UTF-8 when the text is not ASCII. */
export function setBytesAttr(obj: HasAttrs, name: string, text: string): void {
  if (isAscii(text) && text.length > 0) obj.create_attribute(name, text, null, `A${text.length}`);
  else obj.create_attribute(name, text);
}

/** A `str` attribute (variable-length UTF-8). */
export function setStrAttr(obj: HasAttrs, name: string, text: string): void {
  obj.create_attribute(name, text);
}

/** A list of names as Keras stores it: one fixed-length string array, chunked past the header limit; [] as an empty float64 array (numpy's default for an empty list). */
export function setNameListAttr(obj: HasAttrs, name: string, names: string[]): void {
  if (names.length === 0) {
    obj.create_attribute(name, new Float64Array(0), [0], '<d');
    return;
  }
  const width = Math.max(1, ...names.map((n) => utf8.encode(n).length));
  const tooLong = names.find((n) => utf8.encode(n).length > HDF5_OBJECT_HEADER_LIMIT);
  if (tooLong !== undefined) {
    throw new SavedModelError('INVALID_ARGUMENT', `name longer than ${HDF5_OBJECT_HEADER_LIMIT} bytes cannot be stored in HDF5 attribute ${name}: ${quoteSnippet(tooLong)}`, { key: name });
  }
  const dtype = names.every(isAscii) ? `A${width}` : `S${width}`;
  // numpy.array_split into the fewest chunks that each fit
  let chunks = 1;
  while (Math.ceil(names.length / chunks) * width > HDF5_OBJECT_HEADER_LIMIT) chunks++;
  if (chunks === 1) {
    obj.create_attribute(name, names, [names.length], dtype);
    return;
  }
  const base = Math.floor(names.length / chunks);
  const extra = names.length % chunks;
  let at = 0;
  for (let i = 0; i < chunks; i++) {
    const n = base + (i < extra ? 1 : 0);
    const part = names.slice(at, at + n);
    at += n;
    obj.create_attribute(`${name}${i}`, part, [part.length], dtype);
  }
}

function attrValue(obj: HasAttrs, name: string): unknown {
  const attrs = obj.attrs;
  return Object.prototype.hasOwnProperty.call(attrs, name) ? attrs[name]!.value : undefined;
}

const decoder = new TextDecoder();
function asText(v: unknown, where: string, name: string): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return decoder.decode(v);
  throw new SavedModelError('CORRUPT', `HDF5 attribute ${name} of ${where} is not a string`, { key: name });
}

/** A string attribute (fixed or variable length), or undefined when absent. */
export function getStringAttr(obj: HasAttrs, name: string): string | undefined {
  const v = attrValue(obj, name);
  if (v === undefined || v === null) return undefined;
  const one = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return asText(one, obj.path, name);
}

/** A Keras name list (also its chunked form `name0`, `name1`, …); [] when absent or empty. */
export function getNameListAttr(obj: HasAttrs, name: string): string[] {
  const read = (n: string): string[] | undefined => {
    const v = attrValue(obj, n);
    if (v === undefined || v === null) return undefined;
    if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array)) return []; // numpy's empty float array
    const list = Array.isArray(v) ? v : [v];
    return list.map((x) => asText(x, obj.path, n));
  };
  const whole = read(name);
  if (whole !== undefined) return whole;
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const part = read(`${name}${i}`);
    if (part === undefined) return out;
    out.push(...part);
  }
}
