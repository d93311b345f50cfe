// Fixed memory map of the CRC module (drawn in crc.ts); addresses only, no code.

/**
 * Where the caller puts input bytes (crc.ts exports it as INPUT_PTR). The fold's history
 * (its span A rounded up to 16, at most 8 KiB: fold.ts) lies just below it.
 */
export const HIST_END: usize = 65536;
/** Scratch for the fold's residual (fold.ts), as long as the history. */
export const SCRATCH: usize = 32768;
