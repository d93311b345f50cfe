// Reading one file whose path comes from a user or a model: only regular files, never more bytes
// than the budget allows. Opening with O_NONBLOCK means a FIFO cannot block the open; fstat on the
// opened handle then rejects FIFOs, devices (/dev/zero), sockets and directories at once.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { SavedModelError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { fsError } from './node-fs-error.js';

export interface ReadRegularFileOptions {
  /** Largest file accepted (default DEFAULT_LIMITS.maxTotalBytes); larger is LIMIT_EXCEEDED before reading. */
  maxBytes?: number;
  /** Name for messages (default the path). */
  name?: string;
}

/** Kind of a non-regular file, for messages. */
function kindOf(s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A buffer for the whole of a regular file of `size` bytes, after the checks both readers make. */
function fileBuffer(st: { isFile(): boolean; size: number } & Parameters<typeof kindOf>[0], name: string, maxBytes: number): Uint8Array {
  if (!st.isFile()) throw new SavedModelError('INVALID_ARGUMENT', `cannot read ${kindOf(st)} as a file`, { file: name });
  if (st.size > maxBytes) {
    throw new SavedModelError('LIMIT_EXCEEDED', `file of ${st.size} bytes is over the ${maxBytes}-byte limit (limits.maxTotalBytes)`, { file: name });
  }
  try {
    return new Uint8Array(st.size);
  } catch (e) {
    throw new SavedModelError('LIMIT_EXCEEDED', `cannot allocate ${st.size} bytes for this file`, { file: name, cause: e });
  }
}

/** The bytes of the regular file `path`. NOT_FOUND / INVALID_ARGUMENT / LIMIT_EXCEEDED / IO_ERROR otherwise. */
export async function readRegularFile(path: string, options: ReadRegularFileOptions = {}): Promise<Uint8Array> {
  const name = options.name ?? path;
  const maxBytes = options.maxBytes ?? DEFAULT_LIMITS.maxTotalBytes;
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw fsError(e, 'open file', name);
  }
  try {
    const out = fileBuffer(await fh.stat(), name, maxBytes);
    // Read exactly the size fstat reported (a file growing meanwhile cannot push us past it).
    let o = 0;
    while (o < out.length) {
      const { bytesRead } = await fh.read(out, o, Math.min(out.length - o, 2 ** 30), o);
      if (bytesRead === 0) break;
      o += bytesRead;
    }
    return o === out.length ? out : out.subarray(0, o);
  } catch (e) {
    throw fsError(e, 'read file', name);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * readRegularFile with blocking calls (same checks, same errors): for a process that reads a few
 * small files and has nothing else to do meanwhile (a CLI command), where each asynchronous call
 * is a thread-pool round trip.
 */
export function readRegularFileSync(path: string, options: ReadRegularFileOptions = {}): Uint8Array {
  const name = options.name ?? path;
  const maxBytes = options.maxBytes ?? DEFAULT_LIMITS.maxTotalBytes;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw fsError(e, 'open file', name);
  }
  try {
    return readFullySync(fd, fileBuffer(fstatSync(fd), name, maxBytes), 0);
  } catch (e) {
    throw fsError(e, 'read file', name);
  } finally {
    try { closeSync(fd); } catch { /* already failed */ }
  }
}

/**
 * Fills `out` from `fd` at `position` with blocking reads (≤ 1 GiB each); at the end of the file
 * it stops and returns the part read.
 */
export function readFullySync(fd: number, out: Uint8Array, position: number): Uint8Array {
  let o = 0;
  while (o < out.length) {
    const n = readSync(fd, out, o, Math.min(out.length - o, 2 ** 30), position + o);
    if (n === 0) break;
    o += n;
  }
  return o === out.length ? out : out.subarray(0, o);
}
