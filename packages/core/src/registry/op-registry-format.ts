// The compact JSON form of the op registry (op-registry.gen.json), shared by the generator
// (scripts/gen-op-registry.mjs: OpDef -> compact) and the runtime (compact -> OpDef).
//
// File layout:
//   { "format": "savedmodel-js/op-registry@1",
//     "source": "<where the OpDefs came from, with the sha256 of that file>",
//     "count":  <number of ops>,
//     "ops": [ <op>, ... ] }          one op per line, sorted by name (bytewise)
//
//   <op>   = { "n": name,
//              "i": [<arg>, ...]      input_arg      (omitted when empty)
//              "o": [<arg>, ...]      output_arg     (omitted when empty)
//              "a": [<attr>, ...]     attr           (omitted when empty)
//              "f": "<flags>"         letters: s = is_stateful, c = is_commutative,
//                                     g = is_aggregate, u = allows_uninitialized_input,
//                                     d = is_distributed_communication
//              "dep": [version, "explanation"]   deprecation
//              "co": [names]          control_output }
//          or { "n": name, "pb": "<base64 of the OpDef bytes>" } for an OpDef that the
//             short form cannot express exactly (none in the TF 2.2 registry).
//   <arg>  = "name:TYPE[&]"  TYPE = "T" (type_attr T) | "$float" (fixed type: DataType name
//            without DT_, lower case) | "N*T" / "N*$int32" (number_attr N times that type) |
//            "[L]" (type_list_attr L); a trailing "&" means is_ref.
//   <attr> = "name:type string" (e.g. "T:type", "N:int") when the attr has nothing else, or
//            { "n": "name:type string", "d": <value> default_value,
//              "v": <value> allowed_values, "m": minimum (present iff has_minimum) }
//   <value> (an AttrValue) = exactly one of
//            {"s": "text"} | {"i": n} | {"f": n (float32; or "inf", "-inf", "nan")} | {"b": bool} |
//            {"type": "float"} (DataType name without DT_, lower case) |
//            {"shape": "?" (unknown rank) or [dim sizes]} | {"func": "name"} |
//            {"placeholder": "x"} |
//            {"list": {"s": [...], "i": [...], "f": [...], "b": [...], "type": "float,int32,...", "shape": [...]}}
//            (an empty list is {"list": {}}) | {"pb": "<base64 of the AttrValue bytes>"}.
// Docs (summary, description, arg and attr descriptions) are not kept.
// The generator proves that every op expands back to exactly the OpDef it came from
// (identical encoded bytes) before it writes the file.
// compact -> OpDef: op-def-from-compact.ts; OpDef -> compact: op-def-to-compact.ts.
import protobuf from 'protobufjs/minimal.js';
import { tensorflow } from '../proto/index.js';

export const REGISTRY_FORMAT = 'savedmodel-js/op-registry@1';

export type CompactValue =
  | { s: string }
  | { i: number }
  | { f: number | 'inf' | '-inf' | 'nan' }
  | { b: boolean }
  | { type: string }
  | { shape: '?' | number[] }
  | { func: string }
  | { placeholder: string }
  | { list: { s?: string[]; i?: number[]; f?: (number | 'inf' | '-inf' | 'nan')[]; b?: boolean[]; type?: string; shape?: ('?' | number[])[] } }
  | { pb: string };

export type CompactAttr = string | {
  /** "name:type" */
  n: string;
  d?: CompactValue;
  v?: CompactValue;
  m?: number;
};

export interface CompactOp {
  n: string;
  i?: string[];
  o?: string[];
  a?: CompactAttr[];
  f?: string;
  dep?: [number, string];
  co?: string[];
  pb?: string;
}

export interface CompactRegistry {
  format: string;
  source: string;
  count: number;
  ops: CompactOp[];
}

const DataType = tensorflow.DataType as unknown as Record<string, number>;
/** "float" for DT_FLOAT (names of the DataType enum, DT_ removed, lower case). */
export const shortTypeName = (v: number): string | undefined => {
  for (const [k, n] of Object.entries(DataType)) if (n === v && k.startsWith('DT_')) return k.slice(3).toLowerCase();
  return undefined;
};
// memoized: building an OpDef looks up a type name for most args and many attrs
const typeByShort = new Map<string, number>();
export const typeFromShort = (s: string): number => {
  let v = typeByShort.get(s);
  if (v === undefined) {
    v = DataType['DT_' + s.toUpperCase()];
    if (v === undefined) throw new Error(`op registry: unknown data type "${s}"`);
    typeByShort.set(s, v);
  }
  return v;
};

export function b64(bytes: Uint8Array): string {
  return protobuf.util.base64.encode(bytes, 0, bytes.length);
}
export function unb64(s: string): Uint8Array {
  const out = new Uint8Array(protobuf.util.base64.length(s));
  protobuf.util.base64.decode(s, out, 0);
  return out;
}
