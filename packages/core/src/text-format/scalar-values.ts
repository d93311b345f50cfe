// Scalar and wire-level values for the text format parser: integer ranges, raw wire values of
// fields given by number, packed scalars and embedded messages printed as byte strings.
import { Long } from '../proto/long.js';
import protobuf from 'protobufjs/light.js';
import { SavedModelError } from '../errors.js';
import * as gen from '../proto/gen/messages.js';
import { INT32_TYPES, INT64_TYPES, UINT32_TYPES, UINT64_TYPES, fullName } from './reflect.js';

type Msg = Record<string, unknown>;

export interface ScalarSpec {
  /** protobufjs type name ("int32", "string", …) */
  type: string;
  enumType: protobuf.Enum | null;
  /** for messages */
  what: string;
}

export function intRange(type: string): [bigint, bigint] {
  if (INT32_TYPES.has(type)) return [-(2n ** 31n), 2n ** 31n - 1n];
  if (UINT32_TYPES.has(type)) return [0n, 2n ** 32n - 1n];
  if (INT64_TYPES.has(type)) return [-(2n ** 63n), 2n ** 63n - 1n];
  if (UINT64_TYPES.has(type)) return [0n, 2n ** 64n - 1n];
  throw new SavedModelError('CORRUPT', `text format: unsupported scalar type ${type}`);
}

export function intValue(type: string, v: bigint): unknown {
  if (INT64_TYPES.has(type)) return Long.fromString(v.toString(), false);
  if (UINT64_TYPES.has(type)) return Long.fromString(v.toString(), true);
  return Number(v);
}

export function parseIntText(text: string): bigint {
  if (/^0[xX]/.test(text)) return BigInt(text);
  if (text.length > 1 && text[0] === '0') return BigInt('0o' + text.slice(1));
  return BigInt(text);
}

/** A field given by number with an integer: protoc printed the raw varint / fixed value. */
export function rawWireValue(spec: ScalarSpec, raw: bigint, text: string, err: (m: string) => SavedModelError): unknown {
  const { type } = spec;
  if (raw >= 2n ** 64n) throw err(`integer out of range: ${text}`);
  const hex = /^0[xX]/.test(text);
  if (spec.enumType) return Number(BigInt.asIntN(32, raw));
  switch (type) {
    case 'bool':
      return raw !== 0n;
    case 'float':
      if (hex) {
        if (raw >= 2n ** 32n) throw err(`fixed32 value out of range: ${text}`);
        const dv = new DataView(new ArrayBuffer(4));
        dv.setUint32(0, Number(raw));
        return dv.getFloat32(0);
      }
      return Math.fround(Number(raw));
    case 'double':
      if (hex) {
        const dv = new DataView(new ArrayBuffer(8));
        dv.setBigUint64(0, raw);
        return dv.getFloat64(0);
      }
      return Number(raw);
    case 'sint32':
    case 'sint64': {
      const z = (raw >> 1n) ^ -(raw & 1n);
      return type === 'sint32' ? Number(BigInt.asIntN(32, z)) : Long.fromString(BigInt.asIntN(64, z).toString(), false);
    }
  }
  if (INT32_TYPES.has(type)) return Number(BigInt.asIntN(32, raw));
  if (UINT32_TYPES.has(type)) return Number(BigInt.asUintN(32, raw));
  if (INT64_TYPES.has(type)) return Long.fromString(BigInt.asIntN(64, raw).toString(), false);
  if (UINT64_TYPES.has(type)) return Long.fromString(raw.toString(), true);
  throw err(`an integer is not a valid value for a ${type} field`);
}

export function isDefault(v: unknown): boolean {
  if (typeof v === 'number') return Object.is(v, 0);
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') return v === '';
  if (v instanceof Uint8Array) return v.length === 0;
  if (Long.isLong(v)) return (v as Long).isZero();
  return false;
}

export function defaultFor(spec: ScalarSpec): unknown {
  if (spec.enumType) return 0;
  switch (spec.type) {
    case 'string': return '';
    case 'bytes': return new Uint8Array(0);
    case 'bool': return false;
  }
  if (INT64_TYPES.has(spec.type)) return Long.ZERO;
  if (UINT64_TYPES.has(spec.type)) return Long.UZERO;
  return 0;
}

export function mapKeyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  return String(k); // numbers and Long (decimal)
}

export function decodePacked(type: string, isEnum: boolean, bytes: Uint8Array, err: (m: string) => SavedModelError): unknown[] {
  const r = protobuf.Reader.create(bytes);
  const out: unknown[] = [];
  try {
    while (r.pos < r.len) {
      if (isEnum) {
        out.push(r.int32());
        continue;
      }
      switch (type) {
        case 'double': out.push(r.double()); break;
        case 'float': out.push(r.float()); break;
        case 'int32': out.push(r.int32()); break;
        case 'uint32': out.push(r.uint32()); break;
        case 'sint32': out.push(r.sint32()); break;
        case 'fixed32': out.push(r.fixed32()); break;
        case 'sfixed32': out.push(r.sfixed32()); break;
        case 'int64': out.push(r.int64()); break;
        case 'uint64': out.push(r.uint64()); break;
        case 'sint64': out.push(r.sint64()); break;
        case 'fixed64': out.push(r.fixed64()); break;
        case 'sfixed64': out.push(r.sfixed64()); break;
        case 'bool': out.push(r.bool()); break;
        default: throw err(`a byte string is not a valid value for a ${type} field`);
      }
    }
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    throw err(`cannot decode packed ${type} values: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

/** Static (generated) class for a message type, found by its full name. */
function staticCtor(type: protobuf.Type): { encode(m: unknown): protobuf.Writer; decode(b: Uint8Array): unknown } | null {
  let o: unknown = gen as unknown;
  for (const part of fullName(type).split('.')) {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function')) return null;
    o = (o as Record<string, unknown>)[part];
  }
  if (typeof o === 'function' && typeof (o as { encode?: unknown }).encode === 'function') {
    return o as unknown as { encode(m: unknown): protobuf.Writer; decode(b: Uint8Array): unknown };
  }
  return null;
}

export function encodeMessage(type: protobuf.Type, msg: Msg): Uint8Array {
  const ctor = staticCtor(type);
  return ctor ? ctor.encode(msg).finish() : type.encode(msg).finish();
}

export function decodeMessageBytes(type: protobuf.Type, bytes: Uint8Array, err: (m: string) => SavedModelError): Msg {
  try {
    const ctor = staticCtor(type);
    return (ctor ? ctor.decode(bytes) : type.decode(bytes)) as Msg;
  } catch (e) {
    throw err(`cannot decode bytes as ${fullName(type)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
