// snappyjs (an independent Snappy implementation, devDependency without type declarations).
// @ts-ignore -- the package ships no .d.ts
import SnappyJS from 'snappyjs';

/** Raw Snappy block compression by snappyjs. */
export function snappyjsCompress(data: Uint8Array): Uint8Array {
  return new Uint8Array((SnappyJS as { compress(x: Uint8Array): Uint8Array | ArrayBuffer }).compress(data));
}
