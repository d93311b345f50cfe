/**
 * Reassembling a message from the chunks TensorFlow's proto splitter wrote (the merge rules of
 * tensorflow/tools/proto_splitter/merge.cc, reimplemented over protobufjs reflection):
 *
 * - a ChunkedMessage with `chunk_index` merges that chunk into the message first (protobuf
 *   MergeFrom: repeated fields append, singular messages merge, scalars replace);
 * - then its chunked_fields, sorted by (field number / list index at each depth, then depth,
 *   then chunk index), each walk a path of field numbers (+ list index or map key) from the
 *   message, creating what is missing, and put their chunk there: a message chunk is merged
 *   (recursively, with its own chunked_fields), a bytes/string chunk replaces the value;
 * - an empty path means the chunk is more of the parent message itself.
 */
import protobuf from 'protobufjs/light.js';
import { SavedModelError } from '../../errors.js';
import { tensorflow, third_party, toNumber } from '../../proto/index.js';
import { lookupType } from '../../proto/reflection.js';

type Msg = Record<string, unknown>;
type ChunkedMessage = tensorflow.proto_splitter.IChunkedMessage;
type ChunkedField = tensorflow.proto_splitter.IChunkedField;
type FieldIndex = tensorflow.proto_splitter.IFieldIndex;

/** Nesting of ChunkedMessages and field paths accepted (the splitter nests a few levels). */
const MAX_DEPTH = 64;

export interface ChunkSource {
  /** Bytes of chunk `index` (throws CORRUPT when absent). */
  chunk(index: number): Uint8Array;
  file: string;
}

interface StaticCodec { decode(b: Uint8Array): Msg }

const has = (m: Msg, k: string) => Object.prototype.hasOwnProperty.call(m, k) && m[k] !== null && m[k] !== undefined;

function corrupt(file: string, msg: string): SavedModelError {
  return new SavedModelError('CORRUPT', `chunked SavedModel: ${msg}`, { file });
}

function staticCodec(type: protobuf.Type, file: string): StaticCodec {
  let o: unknown = { tensorflow, third_party };
  for (const part of type.fullName.replace(/^\./, '').split('.')) o = (o as Record<string, unknown> | undefined)?.[part];
  if (!o || typeof (o as StaticCodec).decode !== 'function') throw corrupt(file, `no decoder for ${type.fullName}`);
  return o as StaticCodec;
}

function messageType(field: protobuf.Field): protobuf.Type | null {
  field.resolve();
  return field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
}

function decodeInto(type: protobuf.Type, target: Msg, bytes: Uint8Array, file: string): void {
  let src: Msg;
  try {
    src = staticCodec(type, file).decode(bytes);
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    throw corrupt(file, `a chunk does not decode as ${type.fullName.replace(/^\./, '')}: ${(e as Error).message}`);
  }
  mergeMessage(type, target, src, 0);
}

/** protobuf MergeFrom on decoded objects. */
export function mergeMessage(type: protobuf.Type, target: Msg, source: Msg, depth: number): void {
  if (depth > 200) throw new SavedModelError('LIMIT_EXCEEDED', 'message nesting over 200 levels while merging chunks');
  for (const field of type.fieldsArray) {
    if (!has(source, field.name)) continue;
    const v = source[field.name];
    const sub = messageType(field);
    if (field.map) {
      const into: Msg = has(target, field.name) ? (target[field.name] as Msg) : {};
      for (const [k, x] of Object.entries(v as Msg)) {
        if (sub && has(into, k) && x) mergeMessage(sub, into[k] as Msg, x as Msg, depth + 1);
        else into[k] = x;
      }
      target[field.name] = into;
    } else if (field.repeated) {
      target[field.name] = has(target, field.name) ? [...(target[field.name] as unknown[]), ...(v as unknown[])] : [...(v as unknown[])];
    } else {
      if (field.partOf) for (const other of field.partOf.oneof) if (other !== field.name) delete target[other];
      if (sub && has(target, field.name)) mergeMessage(sub, target[field.name] as Msg, v as Msg, depth + 1);
      else target[field.name] = v;
    }
  }
}

interface PathStep { field: protobuf.Field; index?: number; key?: string }

function parsePath(type: protobuf.Type, tags: FieldIndex[], file: string): PathStep[] {
  const steps: PathStep[] = [];
  let t: protobuf.Type | null = type;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    if (tag.field === null || tag.field === undefined) throw corrupt(file, `field path element ${i} is a ${tag.map_key ? 'map key' : 'list index'} that belongs to no field`);
    if (!t) throw corrupt(file, 'field path continues below a non-message field');
    const field: protobuf.Field | undefined = t.fieldsById[tag.field];
    if (!field) throw corrupt(file, `field number ${tag.field} is not in ${t.fullName.replace(/^\./, '')}`);
    const step: PathStep = { field };
    const next = tags[i + 1];
    if (next && (next.index !== null && next.index !== undefined) && field.repeated && !field.map) {
      step.index = toNumber(next.index);
      i++;
    } else if (next?.map_key && field.map) {
      const mk = next.map_key;
      const key = mk.s ?? mk.boolean ?? mk.ui32 ?? mk.ui64 ?? mk.i32 ?? mk.i64;
      step.key = typeof key === 'object' && key !== null ? key.toString() : String(key ?? '');
      i++;
    }
    steps.push(step);
    t = messageType(field);
  }
  return steps;
}

function ensureElement(parent: Msg, step: PathStep, file: string): Msg {
  const { field } = step;
  const sub = messageType(field);
  if (!sub) throw corrupt(file, `field ${field.name} is not a message but the path goes below it`);
  if (field.map) {
    const map: Msg = has(parent, field.name) ? (parent[field.name] as Msg) : (parent[field.name] = {});
    const key = step.key ?? '';
    if (!has(map, key)) map[key] = {};
    return map[key] as Msg;
  }
  if (field.repeated) {
    const arr: Msg[] = has(parent, field.name) ? (parent[field.name] as Msg[]) : ((parent[field.name] = []) as Msg[]);
    const index = step.index ?? arr.length;
    // TensorFlow adds at most one missing element; a larger gap is a damaged file.
    if (index > arr.length) throw corrupt(file, `list index ${index} of ${field.name} is past its end (${arr.length} elements)`);
    if (index === arr.length) arr.push({});
    return arr[index]!;
  }
  if (!has(parent, field.name)) parent[field.name] = {};
  return parent[field.name] as Msg;
}

function setScalar(parent: Msg, step: PathStep, chunk: Uint8Array, file: string): void {
  const { field } = step;
  let value: unknown;
  if (field.type === 'bytes') value = chunk.slice();
  else if (field.type === 'string') value = new TextDecoder().decode(chunk);
  else {
    // TensorFlow writes other scalars as their decimal text
    const text = new TextDecoder().decode(chunk).trim();
    if (field.resolvedType) throw corrupt(file, `enum field ${field.name} given as a chunk is not supported`);
    value = field.type === 'bool' ? text === 'true' || text === '1' : Number(text);
    if (typeof value === 'number' && Number.isNaN(value)) throw corrupt(file, `chunk for ${field.name} is not a number`);
  }
  if (field.map) {
    const map: Msg = has(parent, field.name) ? (parent[field.name] as Msg) : (parent[field.name] = {});
    map[step.key ?? ''] = value;
  } else if (field.repeated) {
    const arr: unknown[] = has(parent, field.name) ? (parent[field.name] as unknown[]) : ((parent[field.name] = []) as unknown[]);
    const index = step.index ?? arr.length;
    if (index > arr.length) throw corrupt(file, `list index ${index} of ${field.name} is past its end (${arr.length} elements)`);
    arr[index] = value;
  } else {
    if (field.partOf) for (const other of field.partOf.oneof) if (other !== field.name) delete parent[other];
    parent[field.name] = value;
  }
}

function compareFields(a: ChunkedField, b: ChunkedField, file: string): number {
  const ta = a.field_tag ?? [], tb = b.field_tag ?? [];
  for (let d = 0; d < Math.min(ta.length, tb.length); d++) {
    const x = ta[d]!, y = tb[d]!;
    if (x.field !== null && x.field !== undefined && y.field !== null && y.field !== undefined) {
      if (x.field !== y.field) return x.field - y.field;
    } else if (x.index !== null && x.index !== undefined && y.index !== null && y.index !== undefined) {
      const i = toNumber(x.index), j = toNumber(y.index);
      if (i !== j) return i - j;
    } else if (x.map_key && y.map_key) {
      return 0;
    } else {
      throw corrupt(file, 'chunked fields disagree on the kind of a path element');
    }
  }
  if (ta.length === tb.length) return toNumber(a.message?.chunk_index) - toNumber(b.message?.chunk_index);
  return ta.length - tb.length;
}

/** Merges `cm` (and everything below it) into `target`, a message of `type`. */
export function mergeChunks(type: protobuf.Type, target: Msg, cm: ChunkedMessage, chunks: ChunkSource, depth = 0): void {
  if (depth > MAX_DEPTH) throw new SavedModelError('LIMIT_EXCEEDED', `chunked messages nest over ${MAX_DEPTH} levels`, { file: chunks.file });
  if (cm.chunk_index !== null && cm.chunk_index !== undefined) decodeInto(type, target, chunks.chunk(toNumber(cm.chunk_index)), chunks.file);
  const fields = [...(cm.chunked_fields ?? [])].sort((a, b) => compareFields(a, b, chunks.file));
  for (const cf of fields) {
    const tags = cf.field_tag ?? [];
    const child = cf.message ?? {};
    if (tags.length === 0) {
      mergeChunks(type, target, child, chunks, depth + 1);
      continue;
    }
    const steps = parsePath(type, tags, chunks.file);
    let parent = target;
    for (const step of steps.slice(0, -1)) parent = ensureElement(parent, step, chunks.file);
    const last = steps[steps.length - 1]!;
    const sub = messageType(last.field);
    if (sub) {
      mergeChunks(sub, ensureElement(parent, last, chunks.file), child, chunks, depth + 1);
    } else {
      if (child.chunk_index === null || child.chunk_index === undefined) throw corrupt(chunks.file, `field ${last.field.name} has no chunk`);
      setScalar(parent, last, chunks.chunk(toNumber(child.chunk_index)), chunks.file);
    }
  }
}

/** The reflection type of a message by full name (e.g. "tensorflow.SavedModel"). */
export function reflectType(name: string): protobuf.Type {
  return lookupType(name);
}
