/**
 * The crc32c implementation the checkpoint code uses (one switch point):
 * CRC-32C, finalized values; `crc32cExtend(crc, data)` continues a finalized crc.
 * WebAssembly-backed for large inputs, JavaScript otherwise (crc32c/crc32c.ts).
 */
export { crc32c, crc32cExtend, maskCrc, unmaskCrc } from '../crc32c/crc32c.js';
