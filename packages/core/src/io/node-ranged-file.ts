// A regular file read by byte ranges, synchronously (the checkpoint reader is synchronous). The
// file is opened and checked at the first read of a burst and closed when the event loop next
// turns, so nothing stays open for the life of a loaded model, yet a load restoring thousands of
// small variables opens it once, not once per record (open + fstat + close were ~2/3 of those
// reads). Small reads are served from one block read ahead, dropped with the handle. Used for data
// files, whose records are read one by one instead of the whole file at once.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { SavedModelError } from '../errors.js';
import type { RangedFile } from './file-source.js';
import { fsError } from './node-fs-error.js';
import { readFullySync } from './node-read-file.js';

function checkRegular(isFile: boolean, name: string): void {
  if (!isFile) throw new SavedModelError('INVALID_ARGUMENT', 'cannot read something other than a regular file as a file', { file: name });
}

/** `path` (named `name` in errors) for ranged reads; NOT_FOUND / INVALID_ARGUMENT / IO_ERROR as readRegularFile. */
export async function openRangedFile(path: string, name: string): Promise<RangedFile> {
  let size: number;
  try {
    const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = await fh.stat();
      checkRegular(st.isFile(), name);
      size = st.size;
    } finally {
      await fh.close().catch(() => undefined);
    }
  } catch (e) {
    throw fsError(e, 'open file', name);
  }
  return rangedFile(path, name, size);
}

/** openRangedFile with blocking calls (see readRegularFileSync). */
export function openRangedFileSync(path: string, name: string): RangedFile {
  let size: number;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      checkRegular(st.isFile(), name);
      size = st.size;
    } finally {
      try { closeSync(fd); } catch { /* already failed */ }
    }
  } catch (e) {
    throw fsError(e, 'open file', name);
  }
  return rangedFile(path, name, size);
}

/** Reads up to this size go through the read-ahead block (a record of a small variable). */
const SMALL_READ_BYTES = 64 << 10;
/** The read-ahead block: consecutive small records cost one read. */
const BLOCK_BYTES = 256 << 10;

/**
 * Handles open across all ranged files at most (a checkpoint of thousands of shards read in one
 * burst must not run out of file descriptors): opening one more closes the longest-open first.
 */
const MAX_OPEN_HANDLES = 32;
/** Release functions of the ranged files holding a handle, longest-open first. */
const openHandles = new Set<() => void>();

function rangedFile(path: string, name: string, size: number): RangedFile {
  let fd: number | undefined;
  let block: Uint8Array | undefined;
  let blockAt = 0;
  let releasing = false;
  const release = () => {
    releasing = false;
    block = undefined;
    openHandles.delete(release);
    const f = fd;
    fd = undefined;
    if (f !== undefined) try { closeSync(f); } catch { /* already failed or closed */ }
  };
  const handle = (): number => {
    if (fd === undefined) {
      for (const oldest of openHandles) {
        if (openHandles.size < MAX_OPEN_HANDLES) break;
        oldest();
      }
      const f = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        checkRegular(fstatSync(f).isFile(), name);
      } catch (e) {
        try { closeSync(f); } catch { /* already failed */ }
        throw e;
      }
      fd = f;
      openHandles.add(release);
    }
    if (!releasing) {
      releasing = true;
      setImmediate(release);
    }
    return fd;
  };
  return {
    size,
    read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new SavedModelError('TRUNCATED', `range [${offset}, ${offset + length}) is outside the file (${size} bytes)`, { file: name, offset });
      }
      try {
        const f = handle();
        if (length > SMALL_READ_BYTES) return readFullySync(f, new Uint8Array(length), offset);
        if (!block || offset < blockAt || offset + length > blockAt + block.length) {
          block = undefined;
          blockAt = offset;
          block = readFullySync(f, new Uint8Array(Math.min(BLOCK_BYTES, size - offset)), offset);
        }
        // a copy: the caller owns what it gets; shorter when the file shrank meanwhile
        const from = offset - blockAt;
        return block.slice(from, Math.min(from + length, block.length));
      } catch (e) {
        release();
        throw fsError(e, 'read file', name);
      }
    },
  };
}
