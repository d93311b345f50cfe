import './long-setup.js';
import Long from 'long';
import protobuf from 'protobufjs/light.js';
import { tensorflow, third_party } from './gen/messages.js';
import descriptor from './gen/descriptor.json';

export { tensorflow, third_party, Long };

/** Reflection view of the same .proto files (field names, numbers, map/repeated flags). */
export const protoRoot: protobuf.Root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);

export function lookupType(fullName: string): protobuf.Type {
  return protoRoot.lookupType(fullName);
}

/** int64 fields decode as Long; this gives a JS number (exact below 2^53). */
export function toNumber(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** int64 fields as bigint, exact. */
export function toBigInt(v: number | Long | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  return BigInt(v.toString());
}

const utf8 = new TextEncoder();

/** Bytewise comparison of strings' UTF-8 encodings (protobuf's deterministic map order). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  // Fast path: ASCII strings compare the same by code unit and by byte.
  let ascii = true;
  for (let i = 0; i < a.length && ascii; i++) if (a.charCodeAt(i) > 0x7f) ascii = false;
  for (let i = 0; i < b.length && ascii; i++) if (b.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) return a < b ? -1 : 1;
  const x = utf8.encode(a), y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

type Msg = Record<string, unknown>;

/**
 * Visit `msg` and every nested message, calling `onMap` for each map field; the object it
 * returns (if any) replaces the map. Map values that are messages are visited after `onMap`.
 */
function visitMaps(
  type: protobuf.Type,
  msg: Msg,
  onMap: (field: protobuf.MapField, map: Record<string, unknown>, valueType: protobuf.Type | null) => Record<string, unknown> | void,
  depth = 0,
): void {
  if (depth > 200) return; // decoding already bounds nesting; this only guards the walk
  for (const field of type.fieldsArray) {
    const v = msg[field.name];
    if (v === null || v === undefined) continue;
    field.resolve();
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
    if (field.map) {
      const map = onMap(field as unknown as protobuf.MapField, v as Record<string, unknown>, sub) ?? (v as Record<string, unknown>);
      msg[field.name] = map;
      if (sub) for (const k of Object.keys(map)) if (map[k]) visitMaps(sub, map[k] as Msg, onMap, depth + 1);
    } else if (sub) {
      if (field.repeated) for (const e of v as Msg[]) visitMaps(sub, e, onMap, depth + 1);
      else visitMaps(sub, v as Msg, onMap, depth + 1);
    }
  }
}

const compareIntKeys = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/**
 * Put every map field's entries in key order, recursively, as TensorFlow's deterministic
 * serialization does (strings bytewise, integers numerically). Mutates `msg`.
 * JS objects enumerate integer-like keys first; for integer-keyed maps that is numeric order
 * already, and string maps whose keys look like integers are rare in SavedModels.
 */
export function sortMapsDeep(type: protobuf.Type, msg: Msg): void {
  visitMaps(type, msg, (field, map) => {
    const keys = Object.keys(map).sort(field.keyType !== 'string' ? compareIntKeys : compareUtf8);
    const sorted: Record<string, unknown> = {};
    for (const k of keys) sorted[k] = map[k];
    return sorted;
  });
}

interface StaticMessageType<T> {
  encode(message: T, writer?: protobuf.Writer): protobuf.Writer;
  decode(reader: protobuf.Reader | Uint8Array, length?: number): T;
}

/** Deterministic encoding (map entries sorted by key), as TensorFlow writes SavedModels. */
export function encodeDeterministic<T extends object>(typeName: string, ctor: StaticMessageType<T>, msg: T): Uint8Array {
  sortMapsDeep(lookupType(typeName), msg as unknown as Msg);
  return ctor.encode(msg).finish();
}

/**
 * protobufjs decodes a map entry without a value as `null`; protobuf semantics say the value is
 * then the default (an empty message, 0, ""). Put those defaults in, recursively, so consumers
 * never meet nulls inside decoded maps. Mutates `msg`.
 */
export function fillMapDefaults(type: protobuf.Type, msg: Msg): void {
  visitMaps(type, msg, (field, map, valueType) => {
    for (const k of Object.keys(map)) {
      if (map[k] !== null && map[k] !== undefined) continue;
      map[k] = valueType ? valueType.create() : field.type === 'string' ? '' : field.type === 'bytes' ? new Uint8Array(0) : 0;
    }
  });
}
