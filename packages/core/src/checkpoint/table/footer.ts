/**
 * Table footer (48 bytes at the end of the file) and block handles.
 *
 *   metaindex handle, index handle  (varint64 offset + varint64 size each)
 *   zero padding up to 40 bytes
 *   magic 0xdb4775248b80fb57 as two uint32 LE (low word first)
 *
 * TensorFlow's table format is a fork of LevelDB's and uses the same magic.
 */
import { SavedModelError } from '../../errors.js';
import { ByteBuffer } from './byte-buffer.js';
import { getFixed32, putVarint64, readVarint64, type Cursor } from './varint.js';

export const FOOTER_LENGTH = 48;
/** 2 × the longest BlockHandle encoding (two 10-byte varints). */
export const BLOCK_HANDLE_MAX_LENGTH = 20;
export const TABLE_MAGIC_LO = 0x8b80fb57;
export const TABLE_MAGIC_HI = 0xdb477524;
/** Compression type byte + masked crc32c after every block. */
export const BLOCK_TRAILER_LENGTH = 5;

export interface BlockHandle {
  offset: number;
  /** Block contents length, without the 5-byte trailer. */
  size: number;
}

export interface Footer {
  metaindex: BlockHandle;
  index: BlockHandle;
}

export function encodeBlockHandle(out: ByteBuffer, h: BlockHandle): void {
  putVarint64(out, h.offset);
  putVarint64(out, h.size);
}

export function decodeBlockHandle(buf: Uint8Array, cur: Cursor, end: number = buf.length): BlockHandle {
  const offset = readVarint64(buf, cur, end);
  const size = readVarint64(buf, cur, end);
  return { offset, size };
}

export function encodeFooter(f: Footer): Uint8Array {
  const out = new ByteBuffer(FOOTER_LENGTH);
  encodeBlockHandle(out, f.metaindex);
  encodeBlockHandle(out, f.index);
  while (out.length < 2 * BLOCK_HANDLE_MAX_LENGTH) out.pushByte(0);
  out.pushFixed32(TABLE_MAGIC_LO);
  out.pushFixed32(TABLE_MAGIC_HI);
  return out.toBytes();
}

/** Decode the last 48 bytes of a table file (`footer` must be exactly those bytes). */
export function decodeFooter(footer: Uint8Array, baseOffset = 0): Footer {
  if (footer.length !== FOOTER_LENGTH) {
    throw new SavedModelError('TRUNCATED', `table footer must be ${FOOTER_LENGTH} bytes, got ${footer.length}`, { offset: baseOffset });
  }
  const lo = getFixed32(footer, 40);
  const hi = getFixed32(footer, 44);
  if (lo !== TABLE_MAGIC_LO || hi !== TABLE_MAGIC_HI) {
    throw new SavedModelError('CORRUPT', 'not a table file (bad magic number)', { offset: baseOffset + 40 });
  }
  // Handles must fit in the 40 bytes before the magic; padding is not checked (neither TF nor LevelDB does).
  const cur: Cursor = { pos: 0 };
  const metaindex = decodeBlockHandle(footer, cur, 2 * BLOCK_HANDLE_MAX_LENGTH);
  const index = decodeBlockHandle(footer, cur, 2 * BLOCK_HANDLE_MAX_LENGTH);
  return { metaindex, index };
}
