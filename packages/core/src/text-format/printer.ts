// Protobuf text format printer, laid out exactly like protoc --decode / the C++
// TextFormat::Printer (which TensorFlow's `as_text` uses): fields in field-number order,
// `name: value`, sub-messages as `name {` … `}` with two spaces of indent per level,
// one line per repeated element, maps as repeated `{ key: … value: … }` entries,
// enums by name, C-escaped strings/bytes, floats as %.6g/%.9g and doubles as %.15g/%.17g.
//
// Only the fields the schema declares can be printed: protobufjs drops unknown fields on
// decode (protoc would print them as bare field numbers).
import { Long } from '../proto/long.js';
import protobuf from 'protobufjs/light.js';
import { SavedModelError } from '../errors.js';
import { compareUtf8 } from '../proto/index.js';
import { cEscape, cEscapeString } from './escape.js';
import { formatFloat32, formatFloat64 } from './float-format.js';
import { INT32_TYPES, INT64_TYPES, UINT32_TYPES, UINT64_TYPES, fieldsByNumber, hasExplicitPresence, resolveMessageType } from './reflect.js';

export interface ToTextFormatOptions {
  /**
   * Print map entries sorted by key (strings bytewise, integers numerically), as protoc
   * does. Default false: entries are printed in the message object's key order
   * (use `sortMapsDeep` / `encodeDeterministic` first to get protoc's order).
   */
  sortMaps?: boolean;
}

const MAX_DEPTH = 200;

type Msg = Record<string, unknown>;

/** Text format of `message` (a decoded message or a plain object) of type `typeName`. */
export function toTextFormat(typeName: string, message: object, options: ToTextFormatOptions = {}): string {
  const type = resolveMessageType(typeName);
  const out: string[] = [];
  printMessage(type, message as Msg, '', out, options, 0);
  return out.join('');
}

function printMessage(type: protobuf.Type, msg: Msg, indent: string, out: string[], opts: ToTextFormatOptions, depth: number): void {
  if (depth > MAX_DEPTH) {
    throw new SavedModelError('INVALID_ARGUMENT', `toTextFormat: message nesting deeper than ${MAX_DEPTH} (cyclic object?) at ${type.fullName}`);
  }
  if (msg === null || typeof msg !== 'object') {
    throw new SavedModelError('INVALID_ARGUMENT', `toTextFormat: expected an object for message ${type.fullName}, got ${msg === null ? 'null' : typeof msg}`);
  }
  for (const field of fieldsByNumber(type)) {
    const v = msg[field.name];
    if (v === null || v === undefined) continue;
    if (field.map) {
      printMap(field as unknown as protobuf.MapField, v as Msg, indent, out, opts, depth);
    } else if (field.repeated) {
      if (!Array.isArray(v) && !ArrayBuffer.isView(v)) {
        throw new SavedModelError('INVALID_ARGUMENT', `toTextFormat: repeated field ${type.fullName}.${field.name} is not an array`);
      }
      const arr = v as ArrayLike<unknown>;
      for (let i = 0; i < arr.length; i++) printValue(field, arr[i], indent, out, opts, depth);
    } else {
      if (!hasExplicitPresence(field) && isDefaultScalar(field, v)) continue;
      printValue(field, v, indent, out, opts, depth);
    }
  }
}

function printValue(field: protobuf.Field, v: unknown, indent: string, out: string[], opts: ToTextFormatOptions, depth: number): void {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) {
    out.push(`${indent}${field.name} {\n`);
    printMessage(rt, (v ?? {}) as Msg, indent + '  ', out, opts, depth + 1);
    out.push(`${indent}}\n`);
  } else {
    out.push(`${indent}${field.name}: ${scalarText(field.type, rt, v, field)}\n`);
  }
}

function printMap(field: protobuf.MapField, obj: Msg, indent: string, out: string[], opts: ToTextFormatOptions, depth: number): void {
  if (typeof obj !== 'object') {
    throw new SavedModelError('INVALID_ARGUMENT', `toTextFormat: map field ${field.fullName} is not an object`);
  }
  const keyType = field.keyType;
  const entries = Object.keys(obj).map((k) => ({ raw: k, key: mapKeyValue(keyType, k) }));
  if (opts.sortMaps) {
    if (keyType === 'string') entries.sort((a, b) => compareUtf8(a.raw, b.raw));
    else if (keyType === 'bool') entries.sort((a, b) => Number(a.key === true) - Number(b.key === true));
    else entries.sort((a, b) => cmpBig(BigInt(String(a.key)), BigInt(String(b.key))));
  }
  const inner = indent + '  ';
  const rt = field.resolvedType;
  for (const { raw, key } of entries) {
    out.push(`${indent}${field.name} {\n`);
    out.push(`${inner}key: ${scalarText(keyType, null, key, field)}\n`);
    const v = obj[raw];
    if (rt instanceof protobuf.Type) {
      out.push(`${inner}value {\n`);
      printMessage(rt, (v ?? {}) as Msg, inner + '  ', out, opts, depth + 1);
      out.push(`${inner}}\n`);
    } else {
      out.push(`${inner}value: ${scalarText(field.type, rt, v ?? defaultScalar(field.type, rt), field)}\n`);
    }
    out.push(`${indent}}\n`);
  }
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** JS object keys of a map, turned back into the key's value. */
function mapKeyValue(keyType: string, k: string): unknown {
  if (keyType === 'string') return k;
  if (keyType === 'bool') return k === 'true';
  if ((INT64_TYPES.has(keyType) || UINT64_TYPES.has(keyType)) && !/^-?\d+$/.test(k) && k.length === 8) {
    // protobufjs keys 64-bit maps by an 8-character "hash" string
    return protobuf.util.LongBits.fromHash(k).toLong(UINT64_TYPES.has(keyType));
  }
  return k;
}

function defaultScalar(type: string, rt: protobuf.ReflectionObject | null): unknown {
  if (rt instanceof protobuf.Enum) return 0;
  switch (type) {
    case 'string': return '';
    case 'bytes': return new Uint8Array(0);
    case 'bool': return false;
    default: return 0;
  }
}

function isDefaultScalar(field: protobuf.Field, v: unknown): boolean {
  if (typeof v === 'number') return Object.is(v, 0); // -0.0 has non-zero bits: present
  if (typeof v === 'boolean') return v === false;
  if (typeof v === 'string') return v === '' || (field.type !== 'string' && field.type !== 'bytes' && /^0+$/.test(v));
  if (Long.isLong(v)) return (v as Long).isZero();
  if (v instanceof Uint8Array || Array.isArray(v)) return (v as ArrayLike<unknown>).length === 0;
  return false;
}

function badValue(field: protobuf.FieldBase, v: unknown): SavedModelError {
  let shown: string;
  try {
    shown = typeof v === 'object' ? Object.prototype.toString.call(v) : String(v);
  } catch {
    shown = typeof v;
  }
  return new SavedModelError('INVALID_ARGUMENT', `toTextFormat: bad value ${shown.slice(0, 40)} for ${field.type} field ${field.fullName}`);
}

function scalarText(type: string, rt: protobuf.ReflectionObject | null, v: unknown, field: protobuf.FieldBase): string {
  if (rt instanceof protobuf.Enum) {
    const n = typeof v === 'string' && v in rt.values ? rt.values[v]! : Number(v);
    if (!Number.isFinite(n)) throw badValue(field, v);
    const name = rt.valuesById[n];
    return name ?? String(n | 0);
  }
  switch (type) {
    case 'double':
      if (typeof v !== 'number') throw badValue(field, v);
      return formatFloat64(v);
    case 'float':
      if (typeof v !== 'number') throw badValue(field, v);
      return formatFloat32(v);
    case 'bool':
      return v ? 'true' : 'false';
    case 'string':
      if (typeof v !== 'string') throw badValue(field, v);
      return `"${cEscapeString(v)}"`;
    case 'bytes':
      return `"${cEscape(toBytes(v, field))}"`;
  }
  if (INT32_TYPES.has(type)) return String(Number(intText(v, field, false)) | 0);
  if (UINT32_TYPES.has(type)) return String(Number(intText(v, field, false)) >>> 0);
  if (INT64_TYPES.has(type)) return int64Text(v, field, false);
  if (UINT64_TYPES.has(type)) return int64Text(v, field, true);
  throw badValue(field, v);
}

function intText(v: unknown, field: protobuf.FieldBase, unsigned: boolean): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw badValue(field, v);
    return String(Math.trunc(v));
  }
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return v;
  if (Long.isLong(v)) {
    const l = v as Long;
    return (unsigned ? l.toUnsigned() : l.toSigned()).toString();
  }
  throw badValue(field, v);
}

function int64Text(v: unknown, field: protobuf.FieldBase, unsigned: boolean): string {
  if (Long.isLong(v)) return intText(v, field, unsigned);
  const s = intText(v, field, unsigned);
  // normalise to the field's width as the wire would
  const big = BigInt.asIntN(64, BigInt(s));
  return (unsigned ? BigInt.asUintN(64, big) : big).toString();
}

function toBytes(v: unknown, field: protobuf.FieldBase): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') {
    // protobufjs convention: a string in a bytes field is base64
    const len = protobuf.util.base64.length(v);
    const buf = new Uint8Array(len);
    protobuf.util.base64.decode(v, buf, 0);
    return buf;
  }
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  throw badValue(field, v);
}
