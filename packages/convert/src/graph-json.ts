// A graph model's `modelTopology` is a GraphDef in proto3 JSON (camelCase field names, enum
// names, int64 as strings, bytes as base64). This turns it into our protobufjs messages by
// walking the message reflection: map keys (attr names, ret names) are kept as they are, so
// nothing about the graph is lost or renamed.
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import { Long, quoteSnippet } from '@savedmodel-js/core/internal';
import type { lookupType as LookupType } from '@savedmodel-js/core/reflection';

type Reflected = ReturnType<typeof LookupType>;

// The protobufjs reflection runtime is loaded on first use (the async entry points call
// loadReflection), so apps that import the facade but never convert don't bundle it.
let reflect: typeof LookupType | undefined;

export async function loadReflection(): Promise<void> {
  reflect ??= (await import('@savedmodel-js/core/reflection')).lookupType;
}

function lookupType(typeName: string): Reflected {
  if (!reflect) throw new SavedModelError('INVALID_ARGUMENT', 'internal: await loadReflection() before converting model JSON');
  return reflect(typeName);
}
type Field = Reflected['fieldsArray'][number];

const MAX_DEPTH = 200;

function camelToSnake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function base64(s: string, where: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  } catch (e) {
    throw new SavedModelError('INVALID_ARGUMENT', `modelTopology ${where}: not base64: ${JSON.stringify(quoteSnippet(s))}`, { cause: e });
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

class JsonReader {
  constructor(private readonly file: string) {}

  private fail(where: string, what: string): never {
    throw new SavedModelError('INVALID_ARGUMENT', `modelTopology ${quoteSnippet(where)} ${what}`, { file: this.file });
  }

  private scalar(field: Field, v: unknown, where: string): unknown {
    const rt = field.resolvedType as { values?: Record<string, number>; fieldsArray?: unknown } | null;
    if (rt && rt.values) {
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && v in rt.values) return rt.values[v];
      this.fail(where, `has unknown enum value ${JSON.stringify(quoteSnippet(String(v)))}`);
    }
    if (rt && rt.fieldsArray) return this.message(rt as unknown as Reflected, v, where, 0);
    switch (field.type) {
      case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': {
        if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
        if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) {
          const n = Number(v);
          return Number.isSafeInteger(n) ? n : Long.fromString(v, field.type.startsWith('u') || field.type === 'fixed64');
        }
        return this.fail(where, `must be an integer, got ${JSON.stringify(quoteSnippet(String(v)))}`);
      }
      case 'int32': case 'uint32': case 'sint32': case 'fixed32': case 'sfixed32': {
        const n = typeof v === 'string' ? Number(v) : v;
        if (typeof n !== 'number' || !Number.isInteger(n)) this.fail(where, 'must be an integer');
        return n;
      }
      case 'float': case 'double': {
        if (typeof v === 'number') return v;
        if (v === 'NaN') return NaN;
        if (v === 'Infinity') return Infinity;
        if (v === '-Infinity') return -Infinity;
        if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
        return this.fail(where, 'must be a number');
      }
      case 'bool':
        if (typeof v !== 'boolean') this.fail(where, 'must be true or false');
        return v;
      case 'string':
        if (typeof v !== 'string') this.fail(where, 'must be a string');
        return v;
      case 'bytes':
        if (typeof v === 'string') return base64(v, where);
        // Some writers (ours, tfjs' own in-memory graphs) give bytes as arrays of numbers.
        if (Array.isArray(v) && v.every((b) => typeof b === 'number' && b >= 0 && b <= 255)) return Uint8Array.from(v as number[]);
        return this.fail(where, 'must be base64 bytes');
      default:
        return this.fail(where, `has an unsupported field type ${field.type}`);
    }
  }

  message(type: Reflected, v: unknown, where: string, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail(where, `nests deeper than ${MAX_DEPTH} levels`);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(where, `must be an object (${type.name})`);
    type.resolveAll();
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
      if (value === null || value === undefined) continue;
      const field = type.fields[key] ?? type.fields[camelToSnake(key)];
      if (!field) continue; // fields newer than our protos: proto3 JSON readers ignore them too
      const at = `${where}.${key}`;
      const rt = field.resolvedType as { fieldsArray?: unknown } | null;
      const convert = (x: unknown, w: string) => (rt && rt.fieldsArray ? this.message(rt as unknown as Reflected, x, w, depth + 1) : this.scalar(field, x, w));
      if (field.map) {
        if (typeof value !== 'object' || Array.isArray(value)) this.fail(at, 'must be an object (a map)');
        const m: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(value as Record<string, unknown>)) m[k] = convert(x, `${at}[${JSON.stringify(quoteSnippet(k, 60))}]`);
        out[field.name] = m;
      } else if (field.repeated) {
        if (!Array.isArray(value)) this.fail(at, 'must be an array');
        out[field.name] = value.map((x, i) => convert(x, `${at}[${i}]`));
      } else {
        out[field.name] = convert(value, at);
      }
    }
    return out;
  }
}

/** The GraphDef of a graph model's `modelTopology` (nodes, library functions, versions). */
export function graphDefFromJson(topology: unknown, file = 'model.json'): tensorflow.IGraphDef {
  return new JsonReader(file).message(lookupType('tensorflow.GraphDef'), topology, 'modelTopology', 0) as tensorflow.IGraphDef;
}

/** A TensorInfo / any message from proto3 JSON (used for model.json's `signature`). */
export function messageFromJson<T>(typeName: string, json: unknown, where: string, file = 'model.json'): T {
  return new JsonReader(file).message(lookupType(typeName), json, where, 0) as T;
}

// ---- the other way: our messages → proto3 JSON (what tensorflowjs_converter writes) ----

function snakeToCamel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

function scalarToJson(field: Field, v: unknown): unknown {
  const rt = field.resolvedType as { values?: Record<string, number>; valuesById?: Record<number, string>; fieldsArray?: unknown } | null;
  if (rt && rt.valuesById) return rt.valuesById[v as number] ?? v;
  if (rt && rt.fieldsArray) return messageToJsonOf(rt as unknown as Reflected, v as Record<string, unknown>);
  switch (field.type) {
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return String(v);
    case 'bytes': return toBase64(v as Uint8Array);
    case 'float': case 'double': {
      const n = v as number;
      return Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : n;
    }
    default: return v;
  }
}

function messageToJsonOf(type: Reflected, msg: Record<string, unknown>): Record<string, unknown> {
  type.resolveAll();
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = msg[field.name];
    if (v === null || v === undefined) continue;
    const key = snakeToCamel(field.name);
    if (field.map) {
      const m: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== null && x !== undefined) m[k] = scalarToJson(field, x);
      if (Object.keys(m).length) out[key] = m;
    } else if (field.repeated) {
      const arr = Array.from(v as ArrayLike<unknown>);
      if (arr.length) out[key] = arr.map((x) => scalarToJson(field, x));
    } else {
      out[key] = scalarToJson(field, v);
    }
  }
  return out;
}

/** proto3 JSON of a message of `typeName` (camelCase names, enum names, int64 strings, base64 bytes). */
export function messageToJson(typeName: string, msg: object): Record<string, unknown> {
  return messageToJsonOf(lookupType(typeName), msg as Record<string, unknown>);
}
