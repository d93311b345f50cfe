const utf8 = new TextEncoder();

/** Bytewise comparison of strings' UTF-8 encodings (protobuf's deterministic map order). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  // Fast path: ASCII strings compare the same by code unit and by byte.
  let ascii = true;
  for (let i = 0; i < a.length && ascii; i++) if (a.charCodeAt(i) > 0x7f) ascii = false;
  for (let i = 0; i < b.length && ascii; i++) if (b.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) return a < b ? -1 : 1;
  const x = utf8.encode(a), y = utf8.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
