// Field numbers and message-typed children of every message in our .proto files, read straight
// from the generated descriptor JSON. It is what a wire-level walk needs (which field numbers exist,
// which of them hold a nested message or a map of messages) without building the protobufjs
// reflection runtime: `savedmodel verify` spent ~30–40 ms building and code-generating that schema
// to look up field numbers alone.
import descriptor from './gen/descriptor.json';

interface JsonField { type: string; id: number; keyType?: string }
interface JsonNamespace { nested?: Record<string, JsonNamespace>; fields?: Record<string, JsonField>; values?: unknown }

export interface FieldInfo {
  readonly name: string;
  /** Full name of the message type this field holds (of the map's values for a map), if any. */
  readonly message?: string;
  readonly map: boolean;
}

export interface MessageInfo {
  readonly fullName: string;
  readonly fields: ReadonlyMap<number, FieldInfo>;
}

// Built per message on first use: a SavedModel walk touches ~40 of the ~300 messages.
let defs: Map<string, JsonNamespace> | undefined;
const infos = new Map<string, MessageInfo | undefined>();

/** The message named `fullName` (e.g. "tensorflow.SavedModel"), or undefined. */
export function messageInfo(fullName: string): MessageInfo | undefined {
  if (infos.has(fullName)) return infos.get(fullName);
  defs ??= collect(descriptor as JsonNamespace);
  const def = defs.get(fullName);
  const info = def?.fields ? build(defs, fullName, def.fields) : undefined;
  infos.set(fullName, info);
  return info;
}

/** Every declared name (messages, enums, packages) with its definition. */
function collect(root: JsonNamespace): Map<string, JsonNamespace> {
  const defs = new Map<string, JsonNamespace>();
  const walk = (ns: JsonNamespace, prefix: string) => {
    for (const [name, child] of Object.entries(ns.nested ?? {})) {
      const full = prefix ? `${prefix}.${name}` : name;
      defs.set(full, child);
      walk(child, full);
    }
  };
  walk(root, '');
  return defs;
}

function build(defs: Map<string, JsonNamespace>, full: string, jsonFields: Record<string, JsonField>): MessageInfo {
  // protobuf scoping: a reference is looked up in the enclosing scope, then each outer one
  const resolve = (ref: string, scope: string): string | undefined => {
    if (ref.startsWith('.')) return defs.has(ref.slice(1)) ? ref.slice(1) : undefined;
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      const name = s ? `${s}.${ref}` : ref;
      if (defs.has(name)) return name;
      if (!s) return undefined;
    }
  };
  const fields = new Map<number, FieldInfo>();
  for (const [name, f] of Object.entries(jsonFields)) {
    const target = resolve(f.type, full);
    const isMessage = target !== undefined && defs.get(target)!.fields !== undefined;
    fields.set(f.id, { name, map: f.keyType !== undefined, ...(isMessage ? { message: target } : {}) });
  }
  return { fullName: full, fields };
}
