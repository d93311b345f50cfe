// node:zlib's brotli (and zstd where this Node has it) for chunked SavedModels.
import * as zlib from 'node:zlib';
import type { BlockDecompressor } from '../savedmodel/chunked/index.js';

export const nodeBlockDecompressor: BlockDecompressor = (format, data, size) => {
  if (format === 'brotli') return new Uint8Array(zlib.brotliDecompressSync(data, { maxOutputLength: Math.max(1, size) }));
  const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Uint8Array, o: object) => Buffer }).zstdDecompressSync;
  return zstd ? new Uint8Array(zstd(data, { maxOutputLength: Math.max(1, size) })) : null;
};
