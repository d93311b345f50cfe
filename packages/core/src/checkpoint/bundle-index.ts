// The index of a TensorBundle checkpoint, decoded and checked before any record is read: the
// header (version, endianness, shard count) and every entry (shape, shard id, record size
// against its dtype and shape), so that no later allocation trusts a stored number unchecked.
import { SavedModelError } from '../errors.js';
import {
  BUNDLE_MIN_PRODUCER,
  BUNDLE_VERSION,
  ENDIANNESS_BIG,
  ENDIANNESS_LITTLE,
  decodeBundleEntry,
  decodeBundleHeader,
  type BundleEntry,
  type BundleHeader,
} from './bundle-entry.js';
import { DataType, dtypeElementSize, dtypeName } from './dtypes.js';
import type { BlockEntry } from './table/block-reader.js';

export interface CheckpointEntry extends BundleEntry {
  key: string;
  /** The key as stored (UTF-8 bytes; `key` is its lenient decoding). */
  keyBytes: Uint8Array;
  /** "DT_FLOAT" etc., or "DT_<number>" for values this SDK does not know. */
  dtypeName: string;
  /**
   * Product of the shape's dimensions; checked against `size` for fixed-width and
   * string dtypes. -1 only for other dtypes whose count exceeds 2^53.
   */
  numElements: number;
}

const utf8Lenient = new TextDecoder('utf-8');

/**
 * Element count of `shape`, or -1 if it exceeds `cap`. Dimensions were checked
 * to be non-negative; a zero dimension anywhere makes the count 0.
 */
function boundedElementCount(shape: readonly number[], cap: number): number {
  if (shape.includes(0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > cap) return -1;
  }
  return n;
}

function validateHeader(h: BundleHeader): void {
  if (h.endianness === ENDIANNESS_BIG) throw new SavedModelError('UNSUPPORTED', 'big-endian checkpoints are not supported');
  if (h.endianness !== ENDIANNESS_LITTLE) throw new SavedModelError('CORRUPT', `unknown endianness ${h.endianness} in the bundle header`);
  if (h.numShards < 0) throw new SavedModelError('CORRUPT', `negative num_shards ${h.numShards} in the bundle header`);
  const v = h.version;
  // TF's CheckVersions(version, kTensorBundleVersion = 1, kTensorBundleMinProducer = 0).
  if (v.producer < BUNDLE_MIN_PRODUCER) throw new SavedModelError('UNSUPPORTED', `checkpoint producer version ${v.producer} is older than ${BUNDLE_MIN_PRODUCER}`);
  if (v.minConsumer > BUNDLE_VERSION) throw new SavedModelError('UNSUPPORTED', `checkpoint needs reader version ≥ ${v.minConsumer}; this reader is ${BUNDLE_VERSION}`);
  if (v.badConsumers.includes(BUNDLE_VERSION)) throw new SavedModelError('UNSUPPORTED', `checkpoint disallows reader version ${BUNDLE_VERSION}`);
}

function validateEntry(e: BundleEntry, numShards: number): number {
  for (const d of e.shape) {
    if (d < 0) throw new SavedModelError('CORRUPT', `negative dimension ${d} in shape [${e.shape.join(', ')}]`);
  }
  if (e.shardId < 0 || e.shardId >= numShards) throw new SavedModelError('CORRUPT', `shard_id ${e.shardId} is not in [0, ${numShards})`);
  if (e.offset < 0 || e.size < 0) throw new SavedModelError('CORRUPT', `negative offset ${e.offset} or size ${e.size}`);
  if (e.slices.length > 0) return boundedElementCount(e.shape, Number.MAX_SAFE_INTEGER);
  const elemSize = dtypeElementSize(e.dtype);
  if (elemSize !== undefined) {
    const n = boundedElementCount(e.shape, Math.floor(e.size / elemSize));
    if (n < 0 || n * elemSize !== e.size) {
      throw new SavedModelError('CORRUPT', `record size ${e.size} does not match ${dtypeName(e.dtype)} shape [${e.shape.join(', ')}]`);
    }
    return n;
  }
  if (e.dtype === DataType.DT_STRING) {
    // Each element needs ≥ 1 length byte, plus the 4-byte length checksum.
    const n = boundedElementCount(e.shape, Math.max(0, e.size - 4));
    if (n < 0) throw new SavedModelError('CORRUPT', `string record of ${e.size} bytes cannot hold shape [${e.shape.join(', ')}]`);
    return n;
  }
  // Other dtypes (variant, resource, new types) are listed; reading their value is UNSUPPORTED.
  return boundedElementCount(e.shape, Number.MAX_SAFE_INTEGER);
}

/**
 * The header and entries of the index table's key/value pairs (sorted by key; the header is the
 * entry with the empty key, first). Entry failures name the key; `file` names the index file.
 */
export function decodeBundleIndex(tableEntries: readonly BlockEntry[], file: string): { header: BundleHeader; entries: CheckpointEntry[] } {
  const first = tableEntries[0];
  if (!first || first.key.length !== 0) throw new SavedModelError('CORRUPT', 'the index has no bundle header (entry with the empty key)');
  const header = decodeBundleHeader(first.value);
  validateHeader(header);
  const entries: CheckpointEntry[] = [];
  for (let i = 1; i < tableEntries.length; i++) {
    const te = tableEntries[i]!;
    const key = utf8Lenient.decode(te.key);
    let be: BundleEntry;
    let n: number;
    try {
      be = decodeBundleEntry(te.value);
      n = validateEntry(be, header.numShards);
    } catch (err) {
      if (err instanceof SavedModelError) throw new SavedModelError(err.code, err.message, { file, key, cause: err });
      throw err;
    }
    // Explicit fields (an object spread per entry is several times slower on large indexes).
    entries.push({
      key,
      keyBytes: te.key,
      dtype: be.dtype,
      dtypeName: dtypeName(be.dtype) ?? `DT_${be.dtype}`,
      shape: be.shape,
      numElements: n,
      shardId: be.shardId,
      offset: be.offset,
      size: be.size,
      crc32c: be.crc32c,
      slices: be.slices,
    });
  }
  return { header, entries };
}
