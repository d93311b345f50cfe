// Fixed memory map of the CRC module (drawn in crc.ts); addresses only, no code.

/**
 * Where the caller puts input bytes (crc.ts exports it as INPUT_PTR). The fold's history
 * (its span A rounded up to 16, at most 8 KiB: fold.ts) lies just below it.
 */
export const HIST_END: usize = 65536;
/**
 * The fold's residual (fold.ts: finish), up to 8 KiB; the 512 bytes below it are never
 * written, so they stay zero (the empty history of its second reduction).
 */
export const RES: usize = 33280;
/** The second reduction's residual, up to 512 bytes. */
export const OUT2: usize = 41984;
