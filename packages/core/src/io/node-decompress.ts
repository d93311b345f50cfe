// node:zlib's brotli (and zstd where this Node has it) for chunked SavedModels. node:zlib is
// imported on the first chunked model, not with the Node entry: loading it pulls in node:stream
// (~5 ms of every `savedmodel show` / `verify` start, which almost never see a .cpb).
import type { BlockDecompressor } from '../savedmodel/chunked/index.js';

type Zlib = typeof import('node:zlib');
let zlib: Promise<Zlib> | undefined;

export const nodeBlockDecompressor: BlockDecompressor = async (format, data, size) => {
  const z = await (zlib ??= import('node:zlib'));
  if (format === 'brotli') return new Uint8Array(z.brotliDecompressSync(data, { maxOutputLength: Math.max(1, size) }));
  const zstd = (z as unknown as { zstdDecompressSync?: (b: Uint8Array, o: object) => Buffer }).zstdDecompressSync;
  return zstd ? new Uint8Array(zstd(data, { maxOutputLength: Math.max(1, size) })) : null;
};
