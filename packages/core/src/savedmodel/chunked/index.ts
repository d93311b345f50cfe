// saved_model.cpb: TensorFlow >= 2.14's chunked SavedModel (riegeli records + ChunkMetadata).
import { guardDecode, SavedModelError } from '../../errors.js';
import { tensorflow, toNumber } from '../../proto/index.js';
import { readRiegeliRecords } from './riegeli.js';

export { setBlockDecompressor, type BlockDecompressor, type RiegeliCompression } from './decompress.js';

export interface ChunkedReadOptions {
  file?: string;
  /** Largest record / merged message accepted (default: protobuf's 2 GiB limit). */
  maxBytes?: number;
}

/**
 * The bytes of the one message a chunked proto file assembles to (as TensorFlow's Merger
 * builds it), e.g. a tensorflow.SavedModel from saved_model.cpb.
 */
export async function mergeChunkedProto(bytes: Uint8Array, typeName: string, options: ChunkedReadOptions = {}): Promise<Uint8Array> {
  const file = options.file ?? 'saved_model.cpb';
  const maxBytes = options.maxBytes ?? 2 ** 31 - 1;
  const records = await readRiegeliRecords(bytes, { file, maxBytes });
  if (records.size === 0) throw new SavedModelError('CORRUPT', 'chunked proto file has no records (its last record must be the ChunkMetadata)', { file });
  const last = Math.max(...records.keys());
  const meta = guardDecode(file, 'proto_splitter.ChunkMetadata', () => tensorflow.proto_splitter.ChunkMetadata.decode(records.get(last)!));
  const infos = meta.chunks ?? [];
  const chunk = (i: number): Uint8Array => {
    const info = infos[i];
    if (!info) throw new SavedModelError('CORRUPT', `chunk index ${i} is out of range for ${infos.length} chunks`, { file });
    const rec = records.get(toNumber(info.offset));
    if (!rec) throw new SavedModelError('CORRUPT', `chunk ${i}: no record at position ${toNumber(info.offset)}`, { file });
    if (rec.length !== toNumber(info.size)) throw new SavedModelError('CORRUPT', `chunk ${i} is ${rec.length} bytes, metadata says ${toNumber(info.size)}`, { file });
    return rec;
  };
  // the merger runs on protobufjs reflection (descriptor.json, protobufjs/light): imported here,
  // not with the core index, whose importers mostly never see a .cpb (`savedmodel show`: ~3 ms)
  const { mergeChunks, reflectType } = await import('./merge.js');
  const type = reflectType(typeName);
  const target: Record<string, unknown> = {};
  mergeChunks(type, target, meta.message ?? {}, { chunk, file });
  const Ctor = (tensorflow as unknown as Record<string, { encode(m: unknown): { finish(): Uint8Array } }>)[typeName.replace(/^tensorflow\./, '')];
  if (!Ctor) throw new SavedModelError('UNSUPPORTED', `no encoder for ${typeName}`, { file });
  return guardDecode(file, typeName, () => Ctor.encode(target).finish());
}
