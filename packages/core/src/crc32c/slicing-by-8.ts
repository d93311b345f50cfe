/**
 * Table-driven reflected CRC-32, slicing-by-8, for any polynomial: the pure-JS fallback for the
 * WASM module (CRC-32C for TensorFlow checkpoints, CRC-32 for zip), with identical results.
 */
export type CrcExtend = (crc: number, data: Uint8Array) => number;

export function slicingBy8(reflectedPoly: number): CrcExtend {
  const t: Uint32Array[] = [];
  for (let k = 0; k < 8; k++) t.push(new Uint32Array(256));
  const [t0, t1, t2, t3, t4, t5, t6, t7] = t as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ reflectedPoly : c >>> 1;
    t0[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    let c = t0[i]!;
    for (let k = 1; k < 8; k++) {
      c = t0[c & 0xff]! ^ (c >>> 8);
      t[k]![i] = c >>> 0;
    }
  }
  /** Extend a running CRC (`crc` is the finalized value of the bytes so far; 0 to start). */
  return (crc, data) => {
    let c = ~crc >>> 0;
    let i = 0;
    const n = data.length;
    const end8 = n - (n % 8);
    while (i < end8) {
      const a = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ c;
      c =
        t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
        t3[data[i + 4]!]! ^ t2[data[i + 5]!]! ^ t1[data[i + 6]!]! ^ t0[data[i + 7]!]!;
      i += 8;
    }
    while (i < n) c = t0[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
    return ~c >>> 0;
  };
}
