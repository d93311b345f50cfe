// Minimal protobuf text-format printer (Python text_format style) for comparing a decoded
// message with the `protoc`/Python text dumps in the fixture listings.
import type protobuf from 'protobufjs/light.js';
import { lookupType } from '../src/proto/reflection.js';

const enc = new TextEncoder();

function cEscape(s: string | Uint8Array): string {
  const bytes = typeof s === 'string' ? enc.encode(s) : s;
  let out = '';
  for (const b of bytes) {
    if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += '\\\\';
    else if (b < 0x20 || b >= 0x7f) out += '\\' + b.toString(8).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

function isDefault(v: unknown): boolean {
  if (v === null || v === undefined || v === 0 || v === '' || v === false) return true;
  if (v instanceof Uint8Array) return v.length === 0;
  if (typeof v === 'object' && v !== null && 'isZero' in v && typeof (v as { isZero: unknown }).isZero === 'function') {
    return (v as { isZero(): boolean }).isZero();
  }
  return false;
}

function scalar(field: protobuf.Field, v: unknown): string {
  if (field.type === 'string' || field.type === 'bytes') return `"${cEscape(v as string | Uint8Array)}"`;
  if (field.type === 'bool') return v ? 'true' : 'false';
  const rt = field.resolvedType as protobuf.Enum | null;
  if (rt && 'valuesById' in rt) return rt.valuesById[v as number] ?? String(v);
  return String(v);
}

function printInto(type: protobuf.Type, msg: Record<string, unknown>, indent: string, out: string[]): void {
  const fields = [...type.fieldsArray].sort((a, b) => a.id - b.id);
  for (const f of fields) {
    f.resolve();
    const v = msg[f.name];
    const isMsg = f.resolvedType !== null && 'fieldsArray' in f.resolvedType;
    const values: unknown[] = f.repeated ? ((v as unknown[] | undefined) ?? []) : isMsg ? (v == null ? [] : [v]) : isDefault(v) ? [] : [v];
    for (const x of values) {
      if (isMsg) {
        out.push(`${indent}${f.name} {`);
        printInto(f.resolvedType as protobuf.Type, x as Record<string, unknown>, indent + '  ', out);
        out.push(`${indent}}`);
      } else {
        out.push(`${indent}${f.name}: ${scalar(f, x)}`);
      }
    }
  }
}

/** Text-format lines of a decoded protobufjs message of type `typeName`. */
export function printTextFormat(typeName: string, msg: object): string[] {
  const out: string[] = [];
  printInto(lookupType(typeName), msg as Record<string, unknown>, '', out);
  return out;
}
