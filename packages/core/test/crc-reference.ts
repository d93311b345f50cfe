// Bit-at-a-time CRC (reflected form), independent of every table-driven or folding implementation:
// the reference the CRC tests compare against.

/** Reflected polynomials: CRC-32C (Castagnoli) and CRC-32 (IEEE / zip). */
export const CASTAGNOLI = 0x82f63b78;
export const IEEE = 0xedb88320;

/** The finalized CRC of `data` continuing the finalized `crc` (0 to start), one bit at a time. */
export function crcBitwise(poly: number, crc: number, data: Uint8Array): number {
  let c = ~crc >>> 0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
  }
  return ~c >>> 0;
}
