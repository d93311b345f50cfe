// Exact-copy bytes fields of messages we decoded from buffers of our own making (pbtxt, merged cpb).
// Reflection-driven; imported lazily by the reader so plain .pb reads don't carry the reflection runtime.
import protobuf from 'protobufjs/light.js';
import { lookupType } from '../proto/reflection.js';

/**
 * Replace every bytes field of a decoded message by an exact copy: a plain Uint8Array whose
 * ArrayBuffer is exactly its bytes. protobufjs hands out views into the message buffer (in Node,
 * Buffer slices of a pooled allocation), and code downstream (tfjs among it) reads `.buffer`.
 * Used for messages we re-encoded ourselves (pbtxt, merged cpb), whose buffers nobody else holds.
 */
export function ownBytesDeep(type: protobuf.Type | string, root: Record<string, unknown>): void {
  const stack: [protobuf.Type, Record<string, unknown>][] = [[typeof type === 'string' ? lookupType(type) : type, root]];
  const own = (b: Uint8Array) => (Object.getPrototypeOf(b) === Uint8Array.prototype && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b));
  while (stack.length) {
    const [t, m] = stack.pop()!;
    for (const f of t.fieldsArray) {
      const v = m[f.name];
      if (v === null || v === undefined || !Object.prototype.hasOwnProperty.call(m, f.name)) continue;
      f.resolve();
      const sub = f.resolvedType instanceof protobuf.Type ? f.resolvedType : null;
      if (f.map) {
        const map = v as Record<string, unknown>;
        for (const k of Object.keys(map)) {
          if (sub && map[k]) stack.push([sub, map[k] as Record<string, unknown>]);
          else if (f.type === 'bytes' && map[k]) map[k] = own(map[k] as Uint8Array);
        }
      } else if (sub) {
        if (f.repeated) for (const e of v as Record<string, unknown>[]) stack.push([sub, e]);
        else stack.push([sub, v as Record<string, unknown>]);
      } else if (f.type === 'bytes') {
        m[f.name] = f.repeated ? (v as Uint8Array[]).map(own) : own(v as Uint8Array);
      }
    }
  }
}
