// Fixed memory map of the FarmHash module (drawn in farmhash.ts); addresses only, no code.

/** The input's last 64 bytes, for finish(). */
export const LAST: usize = 1024;
/** The input buffer (INPUT_SIZE bytes from here). */
export const INPUT: usize = 65536;
