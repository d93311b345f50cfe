// Walks protobuf wire bytes with the reflected schema and lists fields our .proto files do not
// declare. protobufjs silently skips unknown fields on decode, so this is how we prove that a
// TensorFlow-written file is fully understood (and how `verify` flags newer-TF content).
import protobuf from 'protobufjs/light.js';
import { guardDecode, SavedModelError } from '../errors.js';
import { lookupType } from './reflection.js';

export interface UnknownField {
  /** Dotted path of message types from the root, e.g. tensorflow.SavedModel.meta_graphs.graph_def */
  path: string;
  field: number;
  wireType: number;
}

const MAX_DEPTH = 100;

/** Throws SavedModelError CORRUPT when the bytes are not well-formed wire data for `typeName`. */
export function findUnknownFields(typeName: string, bytes: Uint8Array, file?: string): UnknownField[] {
  const out: UnknownField[] = [];
  guardDecode(file ?? typeName, `${typeName} wire data`, () => walk(lookupType(typeName), bytes, 0, bytes.length, typeName, out, 0));
  return out;
}

function walk(type: protobuf.Type, buf: Uint8Array, start: number, end: number, path: string, out: UnknownField[], depth: number): void {
  if (depth > MAX_DEPTH) throw new SavedModelError('LIMIT_EXCEEDED', `message nesting deeper than ${MAX_DEPTH} at ${path}`);
  const r = protobuf.Reader.create(buf.subarray(start, end));
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3, wt = tag & 7;
    const field = type.fieldsById[id];
    if (!field) {
      out.push({ path, field: id, wireType: wt });
      r.skipType(wt);
      continue;
    }
    field.resolve();
    if (wt === 2) {
      const len = r.uint32();
      const s = r.pos;
      if (s + len > r.len) throw new SavedModelError('TRUNCATED', `length-delimited field ${id} runs past the end of ${path}`);
      r.pos += len;
      if (field.map) {
        walkMapEntry(field as unknown as protobuf.MapField, buf, start + s, start + s + len, `${path}.${field.name}`, out, depth + 1);
      } else if (field.resolvedType instanceof protobuf.Type) {
        walk(field.resolvedType, buf, start + s, start + s + len, `${path}.${field.name}`, out, depth + 1);
      }
    } else {
      r.skipType(wt);
    }
  }
}

function walkMapEntry(field: protobuf.MapField, buf: Uint8Array, start: number, end: number, path: string, out: UnknownField[], depth: number): void {
  const r = protobuf.Reader.create(buf.subarray(start, end));
  while (r.pos < r.len) {
    const tag = r.uint32();
    const id = tag >>> 3, wt = tag & 7;
    if (id === 2 && wt === 2 && field.resolvedType instanceof protobuf.Type) {
      const len = r.uint32();
      const s = r.pos;
      r.pos += len;
      walk(field.resolvedType, buf, start + s, start + s + len, path, out, depth + 1);
    } else if (id === 1 || id === 2) {
      r.skipType(wt);
    } else {
      out.push({ path: `${path}<entry>`, field: id, wireType: wt });
      r.skipType(wt);
    }
  }
}
