// Map fields without the reflection runtime: a small generated table (gen/map-schema.json) says
// which fields are maps and which lead to one, so readers and writers need only protobufjs/minimal.
import type protobuf from 'protobufjs/minimal.js';
import schemaJson from './gen/map-schema.json';
import { flatWriter } from './flat-writer.js';
import { tensorflow, third_party } from './gen/messages.js';
import { compareUtf8 } from './utf8-order.js';

type Msg = Record<string, unknown>;
type SchemaField =
  | [field: string, kind: 'msg', type: string]
  | [field: string, kind: 'map', below: string | null, intKeys: 0 | 1, value: string];
const schema = schemaJson as unknown as Record<string, SchemaField[]>;

/** A message type with its map-bearing fields, linked to the types below (no lookup per message). */
interface WalkType {
  fields: WalkField[];
}
type WalkField =
  | { name: string; map: false; below: WalkType }
  | { name: string; map: true; below: WalkType | null; intKeys: boolean; value: string };

const walkTypes = new Map<string, WalkType>();
function walkType(name: string): WalkType | undefined {
  let t = walkTypes.get(name);
  if (t) return t;
  const fields = schema[name];
  if (!fields) return undefined;
  t = { fields: [] };
  walkTypes.set(name, t);
  for (const f of fields) {
    if (f[1] === 'map') {
      t.fields.push({ name: f[0], map: true, below: f[2] ? walkType(f[2]) ?? null : null, intKeys: f[3] === 1, value: f[4] });
    } else {
      const below = walkType(f[2]);
      if (below) t.fields.push({ name: f[0], map: false, below });
    }
  }
  return t;
}

/**
 * Calls `onMap` for every map field of `msg` and of the messages below it; what it returns
 * replaces the map. Iterative: a built message's nesting is not bounded by a decoder.
 */
function walkMaps(typeName: string, msg: Msg, onMap: (map: Msg, intKeys: boolean, value: string) => Msg | void): void {
  const root = walkType(typeName);
  if (!root) return;
  // two parallel stacks (type, message): no pair allocated per message of a big graph
  const types: WalkType[] = [root];
  const msgs: Msg[] = [msg];
  while (msgs.length > 0) {
    const type = types.pop()!;
    const m = msgs.pop()!;
    const fields = type.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const v = m[f.name];
      if (v === null || v === undefined) continue;
      if (f.map) {
        const map = onMap(v as Msg, f.intKeys, f.value) ?? (v as Msg);
        if (map !== v) m[f.name] = map;
        const below = f.below;
        if (below) for (const k in map) if (map[k]) { types.push(below); msgs.push(map[k] as Msg); }
      } else if (Array.isArray(v)) {
        const below = f.below;
        for (let k = 0; k < v.length; k++) { const e = v[k]; if (e) { types.push(below); msgs.push(e as Msg); } }
      } else {
        types.push(f.below);
        msgs.push(v as Msg);
      }
    }
  }
}

const compareIntKeys = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/**
 * Put every map field's entries in key order, recursively, as TensorFlow's deterministic
 * serialization does (strings bytewise, integers numerically). Mutates `msg`.
 */
export function sortMapsDeep(typeName: string, msg: Msg): void {
  walkMaps(typeName, msg, (map, intKeys) => {
    const keys = Object.keys(map);
    const cmp = intKeys ? compareIntKeys : compareUtf8;
    // already in order (small attr maps often are; sorted once, always): keep the object
    let inOrder = true;
    for (let i = 1; i < keys.length && inOrder; i++) inOrder = cmp(keys[i - 1]!, keys[i]!) < 0;
    if (inOrder) return;
    const sorted: Msg = {};
    for (const k of keys.sort(cmp)) sorted[k] = map[k];
    return sorted;
  });
}

interface StaticMessageType<T> {
  encode(message: T, writer?: protobuf.Writer): protobuf.Writer;
}

/** Deterministic encoding (map entries sorted by key), as TensorFlow writes SavedModels. */
export function encodeDeterministic<T extends object>(typeName: string, ctor: StaticMessageType<T>, msg: T): Uint8Array {
  sortMapsDeep(typeName, msg as unknown as Msg);
  return ctor.encode(msg, flatWriter()).finish();
}

const namespaces: Record<string, unknown> = { tensorflow, third_party };

function messageClass(fullName: string): { create(): unknown } | null {
  let o: unknown = namespaces;
  for (const part of fullName.split('.')) o = o && typeof o === 'object' || typeof o === 'function' ? (o as Record<string, unknown>)[part] : undefined;
  return typeof o === 'function' && 'create' in o ? (o as unknown as { create(): unknown }) : null;
}

/**
 * protobufjs decodes a map entry without a value as `null`; protobuf semantics say the value is
 * then the default (an empty message, 0, ""). Put those defaults in, recursively, so consumers
 * never meet nulls inside decoded maps. Mutates `msg`.
 */
export function fillMapDefaults(typeName: string, msg: Msg): void {
  walkMaps(typeName, msg, (map, _intKeys, value) => {
    for (const k of Object.keys(map)) {
      if (map[k] !== null && map[k] !== undefined) continue;
      const cls = messageClass(value);
      map[k] = cls ? cls.create() : value === 'string' ? '' : value === 'bytes' ? new Uint8Array(0) : value === 'bool' ? false : 0;
    }
  });
}
