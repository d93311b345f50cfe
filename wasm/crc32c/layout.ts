// Fixed memory map of the CRC module (see crc.ts); addresses only, no code.

/** Where the caller puts input bytes (crc.ts exports it as INPUT_PTR). */
export const HIST_END: usize = 65536;
/** Fold history: up to this many bytes just below HIST_END. */
export const HIST_MAX: usize = 8192;
/** Scratch for the fold's residual (fold.ts), HIST_MAX bytes. */
export const SCRATCH: usize = 32768;
