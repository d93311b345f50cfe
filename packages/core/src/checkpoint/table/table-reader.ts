/**
 * Reads a whole table file (format in table-writer.ts): footer → index block →
 * data blocks, returning every entry in key order.
 *
 * Checked, so that untrusted files fail with a SavedModelError and bounded work:
 * - every block handle lies inside the file; data blocks are in ascending,
 *   non-overlapping order (so the total work is linear in the file size);
 * - every trailer crc (masked crc32c of contents ‖ type byte) matches;
 * - compression type 0 or 1 (Snappy, bounded decompression), else UNSUPPORTED;
 * - block structure (block-reader.ts);
 * - keys strictly increasing across the table, and consistent with the index
 *   separators (last key of a block ≤ its index key < first key of the next).
 */
import { asBytes } from '../../bytes.js';
import { SavedModelError, guardDecode } from '../../errors.js';
import { crc32c, crc32cExtend, unmaskCrc } from '../crc.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { readBlock, type BlockEntry, type KeyBudget } from './block-reader.js';
import { compareBytes } from './comparator.js';
import { BLOCK_TRAILER_LENGTH, FOOTER_LENGTH, decodeBlockHandle, decodeFooter, type BlockHandle, type Footer } from './footer.js';
import { snappyDecompress } from './snappy.js';
import { COMPRESSION_NONE, COMPRESSION_SNAPPY } from './table-writer.js';
import { getFixed32 } from './varint.js';

export interface TableReaderOptions {
  /** File name for error messages. */
  file?: string;
  /** Verify block trailer checksums (default true). Off only for tests of the parsers behind them. */
  verifyChecksums?: boolean;
  /** Largest uncompressed block accepted (default 256 MiB); Snappy blocks are also bounded by their input. */
  maxBlockSize?: number;
  /** Longest key accepted (default DEFAULT_LIMITS.maxKeyBytes, 64 KiB). */
  maxKeyBytes?: number;
  /**
   * Most key bytes materialized for the whole table (default: 16 × the file size + 64 MiB —
   * real indexes stay far below; prefix-compression bombs stop here).
   */
  maxTotalKeyBytes?: number;
}

export interface DataBlockInfo extends BlockHandle {
  /** Trailer compression byte: 0 none, 1 Snappy. */
  compression: number;
  entryCount: number;
}

export interface TableContents {
  footer: Footer;
  entries: BlockEntry[];
  /** Separator keys of the index block, one per data block. */
  indexKeys: Uint8Array[];
  dataBlocks: DataBlockInfo[];
}

const DEFAULT_MAX_BLOCK_SIZE = 256 * 1024 * 1024;
const TYPE_BYTE = new Uint8Array(1);

export function readTable(file: Uint8Array, options: TableReaderOptions = {}): TableContents {
  const name = options.file ?? 'table';
  const bytes = asBytes(file, name);
  return guardDecode(name, 'table', () => readTableUnguarded(bytes, options));
}

function readTableUnguarded(file: Uint8Array, options: TableReaderOptions): TableContents {
  const verify = options.verifyChecksums ?? true;
  const keys: KeyBudget = {
    maxKeyBytes: options.maxKeyBytes ?? DEFAULT_LIMITS.maxKeyBytes,
    remaining: options.maxTotalKeyBytes ?? 16 * file.length + 64 * 2 ** 20,
  };
  const maxBlockSize = options.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE;
  if (file.length < FOOTER_LENGTH) {
    throw new SavedModelError('TRUNCATED', `file of ${file.length} bytes is too short to be a table (footer is ${FOOTER_LENGTH})`);
  }
  const footerStart = file.length - FOOTER_LENGTH;
  const footer = decodeFooter(file.subarray(footerStart), footerStart);

  const readBlockContents = (h: BlockHandle, what: string): { contents: Uint8Array; type: number } => {
    if (h.offset > footerStart || h.size > footerStart - h.offset || BLOCK_TRAILER_LENGTH > footerStart - h.offset - h.size) {
      throw new SavedModelError('TRUNCATED', `${what} (offset ${h.offset}, size ${h.size}) extends past the end of the table data (${footerStart} bytes)`, { offset: h.offset });
    }
    const raw = file.subarray(h.offset, h.offset + h.size);
    const typePos = h.offset + h.size;
    const type = file[typePos]!;
    if (verify) {
      TYPE_BYTE[0] = type;
      const actual = crc32cExtend(crc32c(raw), TYPE_BYTE);
      const stored = unmaskCrc(getFixed32(file, typePos + 1));
      if (actual !== stored) {
        throw new SavedModelError('CHECKSUM_MISMATCH', `${what} checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)})`, { offset: h.offset });
      }
    }
    if (type === COMPRESSION_NONE) {
      if (raw.length > maxBlockSize) throw new SavedModelError('LIMIT_EXCEEDED', `${what} of ${raw.length} bytes exceeds the limit ${maxBlockSize}`, { offset: h.offset });
      return { contents: raw, type };
    }
    if (type === COMPRESSION_SNAPPY) {
      try {
        return { contents: snappyDecompress(raw, { maxOutputLength: maxBlockSize }), type };
      } catch (e) {
        if (e instanceof SavedModelError) {
          throw new SavedModelError(e.code, `${what}: ${e.message}`, { offset: h.offset + (e.offset ?? 0), cause: e });
        }
        throw e;
      }
    }
    throw new SavedModelError('UNSUPPORTED', `${what} has unknown compression type ${type}`, { offset: typePos });
  };

  // LevelDB reads the metaindex only for filters; TF never writes any. Its checksum and structure are still checked.
  const meta = readBlockContents(footer.metaindex, 'metaindex block');
  readBlock(meta.contents, footer.metaindex.offset, keys);

  const index = readBlockContents(footer.index, 'index block');
  const indexEntries = readBlock(index.contents, footer.index.offset, keys);

  const entries: BlockEntry[] = [];
  const dataBlocks: DataBlockInfo[] = [];
  const indexKeys: Uint8Array[] = [];
  let prevIndexKey: Uint8Array | undefined;
  let prevBlockEnd = 0;
  let lastKey: Uint8Array | undefined;
  for (let i = 0; i < indexEntries.length; i++) {
    const ie = indexEntries[i]!;
    if (prevIndexKey !== undefined && compareBytes(ie.key, prevIndexKey) <= 0) {
      throw new SavedModelError('CORRUPT', `index block keys are not strictly increasing at entry ${i}`, { offset: footer.index.offset });
    }
    const cur = { pos: 0 };
    const handle = decodeBlockHandle(ie.value, cur);
    if (cur.pos !== ie.value.length) {
      throw new SavedModelError('CORRUPT', `index entry ${i} has ${ie.value.length - cur.pos} bytes after its block handle`, { offset: footer.index.offset });
    }
    if (handle.offset < prevBlockEnd) {
      throw new SavedModelError('CORRUPT', `data block ${i} at offset ${handle.offset} overlaps or precedes the previous block (ends at ${prevBlockEnd})`, { offset: footer.index.offset });
    }
    const block = readBlockContents(handle, `data block ${i}`);
    prevBlockEnd = handle.offset + handle.size + BLOCK_TRAILER_LENGTH;
    const blockEntries = readBlock(block.contents, handle.offset, keys);
    for (const e of blockEntries) {
      if (lastKey !== undefined && compareBytes(e.key, lastKey) <= 0) {
        throw new SavedModelError('CORRUPT', `keys are not strictly increasing in data block ${i}`, { offset: handle.offset });
      }
      if (prevIndexKey !== undefined && compareBytes(e.key, prevIndexKey) <= 0) {
        throw new SavedModelError('CORRUPT', `key in data block ${i} is not above the previous block's index key`, { offset: handle.offset });
      }
      lastKey = e.key;
      entries.push(e);
    }
    if (lastKey !== undefined && blockEntries.length > 0 && compareBytes(lastKey, ie.key) > 0) {
      throw new SavedModelError('CORRUPT', `data block ${i}'s last key is above its index key`, { offset: handle.offset });
    }
    dataBlocks.push({ ...handle, compression: block.type, entryCount: blockEntries.length });
    indexKeys.push(ie.key);
    prevIndexKey = ie.key;
  }
  return { footer, entries, indexKeys, dataBlocks };
}
