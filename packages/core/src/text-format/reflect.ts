// Reflection helpers shared by the text printer and parser (protobufjs/light schema).
import protobuf from 'protobufjs/light.js';
import { SavedModelError } from '../errors.js';
import { reflectionRoot } from '../proto/reflection.js';

export const INT32_TYPES = new Set(['int32', 'sint32', 'sfixed32']);
export const UINT32_TYPES = new Set(['uint32', 'fixed32']);
export const INT64_TYPES = new Set(['int64', 'sint64', 'sfixed64']);
export const UINT64_TYPES = new Set(['uint64', 'fixed64']);

export function resolveMessageType(typeName: string): protobuf.Type {
  const name = typeName.startsWith('.') ? typeName.slice(1) : typeName;
  let t: protobuf.ReflectionObject | null = null;
  try {
    t = reflectionRoot().lookup(name);
  } catch {
    t = null;
  }
  if (!(t instanceof protobuf.Type)) {
    throw new SavedModelError('INVALID_ARGUMENT', `unknown protobuf message type ${JSON.stringify(typeName)}`);
  }
  return t;
}

/** Fields sorted by field number (the order protoc prints them). Cached per type. */
const sortedFields = new WeakMap<protobuf.Type, protobuf.Field[]>();
export function fieldsByNumber(type: protobuf.Type): protobuf.Field[] {
  let f = sortedFields.get(type);
  if (!f) {
    f = [...type.fieldsArray].sort((a, b) => a.id - b.id);
    for (const x of f) x.resolve();
    sortedFields.set(type, f);
  }
  return f;
}

/** Full name without the leading dot, e.g. "tensorflow.NodeDef". */
export function fullName(t: protobuf.ReflectionObject): string {
  return t.fullName.startsWith('.') ? t.fullName.slice(1) : t.fullName;
}

/** Explicit presence: message fields, oneof members (incl. proto3 `optional`). */
export function hasExplicitPresence(field: protobuf.Field): boolean {
  return field.resolvedType instanceof protobuf.Type || field.partOf !== null;
}
