// A regular file read by byte ranges, synchronously (the checkpoint reader is synchronous): each
// read opens, checks and closes the file, so nothing stays open for the life of a loaded model.
// Used for data files, whose records are read one by one instead of the whole file at once.
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

function rangedFile(path: string, name: string, size: number): RangedFile {
  return {
    size,
    read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
        throw new SavedModelError('TRUNCATED', `range [${offset}, ${offset + length}) is outside the file (${size} bytes)`, { file: name, offset });
      }
      let fd: number | undefined;
      try {
        fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
        checkRegular(fstatSync(fd).isFile(), name);
        return readFullySync(fd, new Uint8Array(length), offset);
      } catch (e) {
        throw fsError(e, 'read file', name);
      } finally {
        if (fd !== undefined) try { closeSync(fd); } catch { /* already failed or closed */ }
      }
    },
  };
}
