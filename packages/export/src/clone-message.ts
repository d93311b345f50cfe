// Copies of traced FunctionDefs: each export renames its functions (__inference_<name>_<n>), so
// it takes its own copy instead of changing the function the tracer keeps.
import { tensorflow } from '@savedmodel-js/core';
import { Long } from '@savedmodel-js/core/internal';

/**
 * A deep copy of a message tree (prototypes kept, so protobufjs defaults still read through;
 * bytes copied; Longs shared, they are immutable). Iterative: function bodies can be long. A
 * copy by value costs a fraction of an encode + decode round trip, which big graphs feel.
 */
export function cloneMessage<T>(root: T): T {
  const copyOf = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) return (v as Uint8Array).slice();
    if (Array.isArray(v)) return new Array(v.length);
    if (v instanceof Long) return v;
    return Object.create(Object.getPrototypeOf(v) as object | null);
  };
  const out = copyOf(root);
  const stack: Array<[Record<string, unknown>, Record<string, unknown>]> = [];
  if (out !== root && !ArrayBuffer.isView(out) && !(out instanceof Long)) stack.push([root as Record<string, unknown>, out as Record<string, unknown>]);
  while (stack.length > 0) {
    const [from, to] = stack.pop()!;
    for (const k of Object.keys(from)) {
      const v = from[k];
      const c = copyOf(v);
      to[k] = c;
      if (c !== v && c !== null && typeof c === 'object' && !ArrayBuffer.isView(c)) stack.push([v as Record<string, unknown>, c as Record<string, unknown>]);
    }
  }
  return out as T;
}

export function cloneFunctionDef(fd: tensorflow.IFunctionDef, name: string): tensorflow.FunctionDef {
  const copy = cloneMessage(fd) as tensorflow.FunctionDef;
  if (!copy.signature) copy.signature = tensorflow.OpDef.create({});
  copy.signature.name = name;
  return copy;
}
