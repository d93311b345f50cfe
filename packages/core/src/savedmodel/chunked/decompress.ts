/**
 * Brotli / zstd for riegeli blocks. TensorFlow's proto splitter writes brotli (riegeli's
 * default). The browser entry uses `DecompressionStream` where it knows the format; the Node
 * entry (`@savedmodel-js/core/node`) installs node:zlib's decoders at import, so the
 * browser bundle never references Node modules.
 */
import { SavedModelError } from '../../errors.js';

export type RiegeliCompression = 'brotli' | 'zstd';

/** Decompresses `data` (exactly `size` bytes expected); may return null for "format not available here". */
export type BlockDecompressor = (format: RiegeliCompression, data: Uint8Array, size: number) => Promise<Uint8Array | null> | Uint8Array | null;

let installed: BlockDecompressor | undefined;

/** Installs the decompressor used for chunked SavedModels (the Node entry point does this itself). */
export function setBlockDecompressor(fn: BlockDecompressor | undefined): void {
  installed = fn;
}

async function viaDecompressionStream(format: RiegeliCompression, data: Uint8Array, size: number): Promise<Uint8Array | null> {
  const DS = (globalThis as { DecompressionStream?: new (f: string) => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream;
  if (!DS) return null;
  let stream: TransformStream<Uint8Array, Uint8Array>;
  try {
    stream = new DS(format);
  } catch {
    return null; // this browser does not know the format
  }
  const out = new Uint8Array(size);
  let n = 0;
  const writer = stream.writable.getWriter();
  void writer.write(data).then(() => writer.close()).catch(() => {});
  const reader = stream.readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > size) {
      await reader.cancel();
      throw new SavedModelError('CORRUPT', `a ${format} block inflates past its declared ${size} bytes`);
    }
    out.set(value, n);
    n += value.length;
  }
  return n === size ? out : out.subarray(0, n);
}

export async function decompressRiegeliBlock(format: RiegeliCompression, data: Uint8Array, size: number, file: string): Promise<Uint8Array> {
  let out: Uint8Array | null;
  try {
    out = installed ? await installed(format, data, size) : null;
    out ??= await viaDecompressionStream(format, data, size);
  } catch (e) {
    if (e instanceof SavedModelError) throw new SavedModelError(e.code, e.message, { file, cause: e });
    throw new SavedModelError('CORRUPT', `cannot decompress a ${format} block: ${(e as Error).message}`, { file, cause: e });
  }
  if (!out) throw new SavedModelError('UNSUPPORTED', `${format} decompression is not available in this environment (needed for a chunked SavedModel)`, { file });
  return out;
}
