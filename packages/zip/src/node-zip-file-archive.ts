// Node: a zip archive read from its file without loading it — for archives too big to hold in
// memory (≥ 2 GiB: Node's readFile stops there; ZIP64). The archive is checked by the same
// scanZip walk as in-memory archives: its structure (end records, central directory, every local
// header and data descriptor) is read into a sparse buffer the size of the file — pages never
// written stay unallocated, so resident memory is the headers, not the data — and entry data is
// then streamed from the file: STORE in slices, DEFLATE through Node's native streaming inflater
// (bounded output chunks, backpressure), size- and CRC-checked as it goes.
// (jszip's cross-check needs the whole archive in memory, so it is not made here.)
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { DEFAULT_LIMITS, SavedModelError } from '@savedmodel-js/core';
import { crc32Extend, quoteSnippet } from '@savedmodel-js/core/internal';
import { fsError } from '@savedmodel-js/core/node';
import type { ZipArchive } from './jszip-archive.js';
import { scanZip, type ScannedEntry, type ZipLimits } from './zip-scan.js';
import { CENTRAL_HEADER_SIZE, EOCD_SIZE, LOCAL_HEADER_SIZE, ZIP64_EOCD_SIZE, ZIP64_LOCATOR_SIZE } from './zip-format.js';

/** Largest piece of inflated output handed out at once. */
const INFLATE_CHUNK = 256 * 1024;
/** Stored data and compressed input are read from the file in slices of this size. */
const READ_SLICE = 1024 * 1024;
/** Largest archive the sparse structure buffer can span (an ArrayBuffer's limit on Node 20). */
const MAX_SPARSE = 2 ** 32 - 1;
/** Largest central directory read (every other structure read is bounded by the entry count). */
const MAX_CENTRAL_DIRECTORY = 256 * 1024 * 1024;

export interface ZipFileArchive extends ZipArchive {
  /** Size of the archive file in bytes. */
  readonly size: number;
  close(): Promise<void>;
}

async function readAt(fh: FileHandle, into: Uint8Array, position: number, location: string): Promise<void> {
  let o = 0;
  while (o < into.length) {
    let n: number;
    try {
      ({ bytesRead: n } = await fh.read(into, o, into.length - o, position + o));
    } catch (e) {
      throw fsError(e, 'read the zip archive', location);
    }
    if (n === 0) throw new SavedModelError('TRUNCATED', `zip archive ended at ${position + o} while reading ${into.length} bytes at ${position}`, { file: location });
    o += n;
  }
}

/** Opens the zip archive file `path`: only a regular file; its structure fully checked by scanZip. */
export async function openZipFile(path: string, limits: ZipLimits = {}, location = path): Promise<ZipFileArchive> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw fsError(e, 'open the zip archive', location);
  }
  try {
    const st = await fh.stat().catch((e: unknown) => { throw fsError(e, 'stat the zip archive', location); });
    if (!st.isFile()) throw new SavedModelError('INVALID_ARGUMENT', 'the zip archive is not a regular file', { file: location });
    const size = st.size;
    if (size > MAX_SPARSE) throw new SavedModelError('LIMIT_EXCEEDED', `zip archive of ${size} bytes is over the ${MAX_SPARSE}-byte limit for archives read from a file`, { file: location });
    let sparse: Uint8Array;
    try {
      sparse = new Uint8Array(size);
    } catch (e) {
      throw new SavedModelError('LIMIT_EXCEEDED', `cannot map a zip archive of ${size} bytes`, { file: location, cause: e });
    }
    // The tail: end record with the longest comment, ZIP64 locator and end record.
    const tailLen = Math.min(size, EOCD_SIZE + 0xffff + ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE + 1024);
    await readAt(fh, sparse.subarray(size - tailLen), size - tailLen, location);
    // First pass over the structure: find the central directory. scanZip on the tail alone would
    // report it outside the (zero) area, so read it from the offsets scanZip will check again.
    const cd = locateCentralDirectory(sparse, size, location);
    if (cd.end - cd.offset > MAX_CENTRAL_DIRECTORY) {
      throw new SavedModelError('LIMIT_EXCEEDED', `central directory of ${cd.end - cd.offset} bytes is over the ${MAX_CENTRAL_DIRECTORY}-byte limit`, { file: location });
    }
    if (cd.offset < size - tailLen) await readAt(fh, sparse.subarray(cd.offset, Math.min(cd.end, size - tailLen)), cd.offset, location);
    // Local headers (fixed part, then name + extra) and room for a data descriptor after each entry.
    const view = new DataView(sparse.buffer);
    for (let p = cd.offset; p + CENTRAL_HEADER_SIZE <= cd.end && view.getUint32(p, true) === 0x02014b50;) {
      const nameLen = view.getUint16(p + 28, true), extraLen = view.getUint16(p + 30, true), commentLen = view.getUint16(p + 32, true);
      let lho = view.getUint32(p + 42, true);
      if (lho === 0xffffffff) lho = zip64Offset(view, p, nameLen, extraLen) ?? lho;
      if (lho + LOCAL_HEADER_SIZE <= cd.offset) {
        await readAt(fh, sparse.subarray(lho, lho + LOCAL_HEADER_SIZE), lho, location);
        const lName = view.getUint16(lho + 26, true), lExtra = view.getUint16(lho + 28, true);
        const end = Math.min(lho + LOCAL_HEADER_SIZE + lName + lExtra, cd.offset);
        await readAt(fh, sparse.subarray(lho + LOCAL_HEADER_SIZE, end), lho + LOCAL_HEADER_SIZE, location);
      }
      p += CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
    }
    // Room for a data descriptor right after each entry's data (scanZip checks those that are flagged).
    for (const at of descriptorOffsets(sparse, cd)) await readAt(fh, sparse.subarray(at, Math.min(at + 24, cd.offset)), at, location);
    const scan = scanZip(sparse, limits, location);
    return fileArchive(fh, scan.entries, size, limits, location);
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw e;
  }
}

function zip64Offset(view: DataView, p: number, nameLen: number, extraLen: number): number | undefined {
  let q = p + CENTRAL_HEADER_SIZE + nameLen;
  const end = q + extraLen;
  while (q + 4 <= end) {
    const id = view.getUint16(q, true), len = view.getUint16(q + 2, true);
    if (id === 0x0001) {
      // Fields present in order usize, csize, offset — each only if its 32-bit field is the sentinel.
      let f = q + 4;
      if (view.getUint32(p + 24, true) === 0xffffffff) f += 8;
      if (view.getUint32(p + 20, true) === 0xffffffff) f += 8;
      return f + 8 <= q + 4 + len ? Number(view.getBigUint64(f, true)) : undefined;
    }
    q += 4 + len;
  }
  return undefined;
}

/** Where the central directory is, from the end records (validated again by scanZip). */
function locateCentralDirectory(bytes: Uint8Array, size: number, location: string): { offset: number; end: number } {
  const view = new DataView(bytes.buffer);
  for (let p = size - EOCD_SIZE; p >= Math.max(0, size - EOCD_SIZE - 0xffff); p--) {
    if (bytes[p] !== 0x50 || view.getUint32(p, true) !== 0x06054b50 || p + EOCD_SIZE + view.getUint16(p + 20, true) !== size) continue;
    let offset = view.getUint32(p + 16, true), end = p;
    const loc = p - ZIP64_LOCATOR_SIZE;
    if (loc >= 0 && view.getUint32(loc, true) === 0x07064b50) {
      const rec = Number(view.getBigUint64(loc + 8, true));
      if (rec >= size - (EOCD_SIZE + 0xffff + ZIP64_LOCATOR_SIZE + ZIP64_EOCD_SIZE + 1024) && rec + ZIP64_EOCD_SIZE <= loc && view.getUint32(rec, true) === 0x06064b50) {
        offset = Number(view.getBigUint64(rec + 48, true));
        end = rec;
      }
    }
    if (offset > end) break;
    return { offset, end };
  }
  throw new SavedModelError('CORRUPT', 'not a zip archive (or truncated): no end-of-central-directory record at its end', { file: location });
}

/** End of each entry's data (where a descriptor would be), from the central directory and local headers. */
function descriptorOffsets(bytes: Uint8Array, cd: { offset: number; end: number }): number[] {
  const view = new DataView(bytes.buffer);
  const out: number[] = [];
  for (let p = cd.offset; p + CENTRAL_HEADER_SIZE <= cd.end && view.getUint32(p, true) === 0x02014b50;) {
    const nameLen = view.getUint16(p + 28, true), extraLen = view.getUint16(p + 30, true), commentLen = view.getUint16(p + 32, true);
    let csize = view.getUint32(p + 20, true);
    let lho = view.getUint32(p + 42, true);
    if (csize === 0xffffffff || lho === 0xffffffff) {
      let q = p + CENTRAL_HEADER_SIZE + nameLen;
      const end = q + extraLen;
      while (q + 4 <= end) {
        const id = view.getUint16(q, true), len = view.getUint16(q + 2, true);
        if (id === 0x0001) {
          let f = q + 4;
          if (view.getUint32(p + 24, true) === 0xffffffff) f += 8;
          if (csize === 0xffffffff) { csize = Number(view.getBigUint64(f, true)); f += 8; }
          if (lho === 0xffffffff) lho = Number(view.getBigUint64(f, true));
          break;
        }
        q += 4 + len;
      }
    }
    if (lho + LOCAL_HEADER_SIZE <= bytes.length) {
      const data = lho + LOCAL_HEADER_SIZE + view.getUint16(lho + 26, true) + view.getUint16(lho + 28, true);
      if (data + csize < cd.offset) out.push(data + csize);
    }
    p += CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
  }
  return out;
}

function fileArchive(fh: FileHandle, entries: ScannedEntry[], size: number, limits: ZipLimits, location: string): ZipFileArchive {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const maxEntryBytes = limits.maxEntryBytes ?? DEFAULT_LIMITS.maxTensorBytes;
  let closed = false;

  async function* compressed(e: ScannedEntry, slice: number): AsyncGenerator<Uint8Array> {
    for (let o = 0; o < e.compressedSize; o += slice) {
      if (closed) throw new SavedModelError('INVALID_ARGUMENT', 'the zip archive was closed', { file: location });
      const buf = new Uint8Array(Math.min(slice, e.compressedSize - o));
      await readAt(fh, buf, e.dataOffset + o, location);
      yield buf;
    }
  }

  async function* chunks(e: ScannedEntry): AsyncGenerator<Uint8Array> {
    if (e.directory) return;
    let produced = 0, crc = 0;
    const tooBig = () => new SavedModelError('CORRUPT', `entry inflates to more than its declared ${e.uncompressedSize} bytes: sizes lie (zip bomb?)`, { file: e.name });
    if (e.method === 'store') {
      for await (const c of compressed(e, READ_SLICE)) {
        crc = crc32Extend(crc, c);
        produced += c.length;
        yield c;
      }
    } else {
      // Node's native raw inflater, fed compressed slices as it asks for them (stream backpressure);
      // its output comes in chunks of at most INFLATE_CHUNK bytes.
      const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK });
      const input = Readable.from(compressed(e, READ_SLICE));
      input.on('error', (err) => inflater.destroy(err));
      input.pipe(inflater);
      try {
        for await (const d of inflater as AsyncIterable<Uint8Array>) {
          produced += d.length;
          if (produced > e.uncompressedSize) throw tooBig();
          crc = crc32Extend(crc, d);
          yield d;
        }
      } catch (err) {
        if (err instanceof SavedModelError) throw err;
        throw new SavedModelError('CORRUPT', `cannot inflate entry: ${quoteSnippet((err as Error)?.message ?? String(err))}`, { file: e.name, cause: err });
      } finally {
        input.destroy();
        inflater.destroy();
      }
    }
    if (produced !== e.uncompressedSize) {
      throw new SavedModelError('CORRUPT', `entry inflates to ${produced} bytes, not its declared ${e.uncompressedSize}: sizes lie`, { file: e.name });
    }
    if (crc >>> 0 !== e.crc32) {
      throw new SavedModelError('CHECKSUM_MISMATCH', `CRC-32 of the contents does not match the archive's (${e.crc32.toString(16).padStart(8, '0')})`, { file: e.name });
    }
  }

  return {
    location,
    size,
    entries,
    get: (name) => byName.get(name),
    chunks,
    async read(e) {
      if (e.directory) return new Uint8Array(0);
      if (e.uncompressedSize > maxEntryBytes) {
        throw new SavedModelError('LIMIT_EXCEEDED', `entry of ${e.uncompressedSize} bytes is over the ${maxEntryBytes}-byte limit for one file read into memory (maxEntryBytes); nothing was inflated`, { file: e.name });
      }
      const out = new Uint8Array(e.uncompressedSize);
      let o = 0;
      for await (const c of chunks(e)) { out.set(c, o); o += c.length; }
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await fh.close().catch(() => undefined);
    },
  };
}
