// The same bytes in the shapes callers hand them over: a plain Uint8Array, a Buffer from
// readFileSync, a Buffer slicing a larger (pool-like) ArrayBuffer at an odd offset, and a
// subarray with a non-zero offset. Every reader must give identical results for all four.
import { readFileSync } from 'node:fs';

export interface ByteView {
  kind: 'Uint8Array' | 'readFileSync Buffer' | 'pool-slice Buffer' | 'offset subarray';
  bytes: Uint8Array;
}

export function byteViews(path: string): ByteView[] {
  const file = readFileSync(path);
  const plain = new Uint8Array(file.length);
  plain.set(file);
  // A Buffer over a bigger ArrayBuffer filled with junk, starting at an odd offset: what the
  // 8 KiB Buffer pool hands out for small files, made explicit so it holds for any size.
  const pool = Buffer.allocUnsafeSlow(file.length + 4096 + 13).fill(0xa5);
  const poolSlice = pool.subarray(13, 13 + file.length);
  poolSlice.set(file);
  const wide = new Uint8Array(file.length + 77).fill(0x5a);
  wide.set(file, 29);
  const sub = wide.subarray(29, 29 + file.length);
  return [
    { kind: 'Uint8Array', bytes: plain },
    { kind: 'readFileSync Buffer', bytes: readFileSync(path) },
    { kind: 'pool-slice Buffer', bytes: poolSlice },
    { kind: 'offset subarray', bytes: sub },
  ];
}
