// Streaming zip writer. Entries go out as they come: local header, data, (data descriptor),
// and only the central directory records stay in memory until finish() writes them.
//
// - Data given as bytes or an array of chunks (sizes known): CRC-32 is computed first, so
//   STORE entries get a complete local header and no data descriptor (readable by every
//   streaming reader too). DEFLATE entries and data given as a stream or iterator use flag
//   bit 3 and a data descriptor after the data.
// - ZIP64 is automatic: an entry whose size is known to reach 4 GiB gets the ZIP64 extra in its
//   local header; sizes, offsets or counts past the 32/16-bit limits go into ZIP64 fields of the
//   central directory and a ZIP64 end record. A stream of unknown size that turns out ≥ 4 GiB
//   gets a ZIP64 data descriptor (as Java's and Go's writers do). `forceZip64` uses ZIP64
//   everywhere (tests, or readers that require it).
// - CRC-32 runs incrementally per chunk in core's WebAssembly CRC.
import { SavedModelError } from '@savedmodel-js/core';
import { crc32Extend } from '@savedmodel-js/core/internal';
import { toByteTarget, type ByteOutput, type ByteTarget } from './byte-sink.js';
import { createDeflater, checkDeflateLevel, DEFLATE_SLICE } from './deflate.js';
import { DEFAULT_ZIP_DATE, toDosDateTime } from './dos-time.js';
import {
  centralHeader, dataDescriptor, endOfCentralDirectory, FLAG_DESCRIPTOR, FLAG_UTF8, localHeader, MAX16, MAX32,
  METHOD_DEFLATE, METHOD_STORE, zip64End, type LocalHeaderFields,
} from './zip-format.js';
import { chunksOf, knownChunks, type ZipEntryData } from './zip-entry-data.js';
import { ZipEntryNames } from './zip-entry-names.js';
import { ZipOutput } from './zip-output.js';

/**
 * Stored data goes to the output in slices of at most this size, with progress after each: one
 * large weight must not freeze a progress bar (a 16 MiB export reports in steps under 2 %).
 */
export const PROGRESS_SLICE = 256 * 1024;
/** Largest stored slice a target's writeSize may ask for. */
const MAX_SLICE = 64 * 1024 * 1024;

export type ZipCompression = 'store' | 'deflate';

export interface ZipWriterProgress {
  /** Entry being written. */
  entry: string;
  /** Entries completed. */
  entriesWritten: number;
  /** Uncompressed bytes of `entry` so far. */
  entryBytes: number;
  /** Uncompressed bytes of all entries so far. */
  bytesIn: number;
  /** Archive bytes produced so far. */
  bytesOut: number;
}

export interface ZipWriterOptions {
  /** Default 'store' (float weights barely compress). */
  compression?: ZipCompression;
  /** DEFLATE level 0–9 (default 6). */
  level?: number;
  /** Modification time of every entry (default 1980-01-01 00:00 UTC: reproducible archives). */
  date?: Date;
  /** ZIP64 records for every entry and the end of the archive, whatever the sizes. */
  forceZip64?: boolean;
  /** After every chunk of entry data and at the end of each entry. */
  onProgress?: (p: ZipWriterProgress) => void;
}

export interface ZipEntryOptions {
  compression?: ZipCompression;
  level?: number;
  date?: Date;
  /** Uncompressed size, when known for streamed data (decides the ZIP64 local header; checked). */
  size?: number;
}

export interface ZipEntryRecord {
  name: string;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the local header. */
  offset: number;
  method: 'store' | 'deflate';
}

export interface ZipSummary {
  entries: number;
  /** Archive size in bytes. */
  bytes: number;
  zip64: boolean;
}

interface CentralRecord extends Omit<LocalHeaderFields, 'zip64'> {
  offset: number;
  localZip64: boolean;
  directory: boolean;
}

type State = 'open' | 'busy' | 'finished' | 'aborted' | 'failed';

/** Deflate output can exceed its input by ~5 bytes per 64 KiB block plus a little. */
function mayReach4GiB(size: number, method: number): boolean {
  const worst = method === METHOD_DEFLATE ? size + Math.ceil(size / 16384) * 5 + 1024 : size;
  return worst >= MAX32;
}

function compressionMethod(c: ZipCompression | undefined): number {
  if (c === undefined || c === 'store') return METHOD_STORE;
  if (c === 'deflate') return METHOD_DEFLATE;
  throw new SavedModelError('INVALID_ARGUMENT', `unknown zip compression ${JSON.stringify(c)} (use 'store' or 'deflate')`);
}

export class ZipWriter {
  private readonly target: ByteTarget;
  private readonly out: ZipOutput;
  private readonly records: CentralRecord[] = [];
  private readonly names = new ZipEntryNames();
  private readonly method: number;
  private readonly level: number;
  private readonly dos: { time: number; date: number };
  private readonly forceZip64: boolean;
  private readonly onProgress: ((p: ZipWriterProgress) => void) | undefined;
  /** Most stored bytes per write to the target (PROGRESS_SLICE, or the target's larger writeSize). */
  private readonly slice: number;
  private state: State = 'open';
  private bytesIn = 0;

  constructor(out: ByteOutput, options: ZipWriterOptions = {}) {
    this.target = toByteTarget(out);
    this.out = new ZipOutput(this.target);
    this.method = compressionMethod(options.compression);
    this.level = checkDeflateLevel(options.level ?? 6);
    this.dos = toDosDateTime(options.date ?? DEFAULT_ZIP_DATE);
    this.forceZip64 = options.forceZip64 === true;
    this.onProgress = options.onProgress;
    const w = this.target.writeSize;
    // a hint only: anything but a sane byte count (up to 64 MiB) keeps the default
    this.slice = typeof w === 'number' && Number.isSafeInteger(w) && w > PROGRESS_SLICE ? Math.min(w, MAX_SLICE) : PROGRESS_SLICE;
  }

  /** Archive bytes produced so far. */
  get bytesWritten(): number { return this.out.offset; }
  /** Entries completed so far. */
  get entryCount(): number { return this.records.length; }
  get location(): string { return this.target.location ?? 'zip output'; }

  /** Adds a file. Entries are written one at a time: await each add before the next. */
  async add(name: string, data: ZipEntryData, options: ZipEntryOptions = {}): Promise<ZipEntryRecord> {
    if (name.endsWith('/')) throw new SavedModelError('INVALID_ARGUMENT', 'file entry names cannot end with "/" (use addDirectory)', { file: name });
    const nameBytes = this.claimName(name, false);
    const method = options.compression === undefined ? this.method : compressionMethod(options.compression);
    const level = options.level === undefined ? this.level : checkDeflateLevel(options.level);
    const dos = options.date ? toDosDateTime(options.date) : this.dos;
    if (options.size !== undefined && !(Number.isSafeInteger(options.size) && options.size >= 0)) {
      throw new SavedModelError('INVALID_ARGUMENT', `zip entry size must be a non-negative integer, got ${options.size}`, { file: name });
    }
    this.state = 'busy';
    try {
      const rec = await this.writeEntry(name, nameBytes, data, method, level, dos, options.size);
      this.names.register(name, false);
      if (this.state === 'busy') this.state = 'open';
      return rec;
    } catch (e) {
      if (this.state === 'busy') this.state = 'failed';
      if (e instanceof SavedModelError) throw e;
      throw new SavedModelError('INVALID_ARGUMENT', `cannot write zip entry to ${this.location}: ${(e as Error)?.message ?? String(e)}`, { file: name, cause: e });
    }
  }

  /** Adds a folder entry (`name` with or without the trailing '/'). Optional: readers infer folders. */
  async addDirectory(name: string, options: { date?: Date } = {}): Promise<void> {
    const dirName = name.endsWith('/') ? name : `${name}/`;
    const nameBytes = this.claimName(dirName, true);
    const dos = options.date ? toDosDateTime(options.date) : this.dos;
    this.state = 'busy';
    try {
      const offset = this.out.offset;
      const zip64 = this.forceZip64;
      await this.out.write(localHeader({ name: nameBytes, flags: FLAG_UTF8, method: METHOD_STORE, ...dos, crc: 0, compressedSize: 0, uncompressedSize: 0, zip64 }));
      this.records.push({ name: nameBytes, flags: FLAG_UTF8, method: METHOD_STORE, ...dos, crc: 0, compressedSize: 0, uncompressedSize: 0, offset, localZip64: zip64, directory: true });
      this.names.register(dirName, true);
      if (this.state === 'busy') this.state = 'open';
    } catch (e) {
      if (this.state === 'busy') this.state = 'failed';
      throw new SavedModelError('INVALID_ARGUMENT', `cannot write zip entry to ${this.location}: ${(e as Error)?.message ?? String(e)}`, { file: dirName, cause: e });
    }
  }

  /** Writes the central directory and end records, then closes the output. */
  async finish(): Promise<ZipSummary> {
    this.expectOpen('finish');
    this.state = 'busy';
    try {
      const out = this.out;
      const cdOffset = out.offset;
      for (const r of this.records) {
        await out.write(centralHeader({ ...r, forceZip64: this.forceZip64 }));
      }
      const cdSize = out.offset - cdOffset;
      const entries = this.records.length;
      const zip64 = this.forceZip64 || entries >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32 ||
        this.records.some((r) => r.localZip64);
      if (zip64) await out.write(zip64End({ entries, cdOffset, cdSize }, out.offset));
      await out.write(endOfCentralDirectory({ entries, cdOffset, cdSize }, this.forceZip64));
      await out.flush();
      if ((this.state as State) === 'aborted') throw new SavedModelError('INVALID_ARGUMENT', 'zip archive was aborted while finishing', { file: this.location });
      await this.target.close?.();
      this.state = 'finished';
      this.records.length = 0;
      return { entries, bytes: out.offset, zip64 };
    } catch (e) {
      if (this.state === 'busy') this.state = 'failed';
      if (e instanceof SavedModelError) throw e;
      throw new SavedModelError('INVALID_ARGUMENT', `cannot finish zip archive ${this.location}: ${(e as Error)?.message ?? String(e)}`, { file: this.location, cause: e });
    }
  }

  /**
   * Gives up: no central directory is written (so no reader accepts the bytes already out) and
   * the output's abort() discards them where it can. Safe to call at any time, also twice.
   */
  async abort(reason?: unknown): Promise<void> {
    if (this.state === 'aborted' || this.state === 'finished') return;
    this.state = 'aborted';
    this.records.length = 0;
    await this.target.abort?.(reason);
  }

  /** A new entry's name bytes, once the name is checked (ZipEntryNames.claim). */
  private claimName(name: string, directory: boolean): Uint8Array {
    this.expectOpen('add a zip entry');
    return this.names.claim(name, directory);
  }

  private expectOpen(what: string): void {
    if (this.state === 'open') return;
    const why = {
      busy: 'another entry is still being written (await each add)',
      finished: 'the archive is already finished',
      aborted: 'the archive was aborted',
      failed: 'an earlier write failed',
      open: '',
    }[this.state];
    throw new SavedModelError('INVALID_ARGUMENT', `cannot ${what}: ${why}`, { file: this.location });
  }

  private checkNotAborted(name: string): void {
    if (this.state === 'aborted') throw new SavedModelError('INVALID_ARGUMENT', 'zip archive was aborted while writing this entry', { file: name });
  }

  private progress(entry: string, entryBytes: number): void {
    this.onProgress?.({ entry, entriesWritten: this.records.length, entryBytes, bytesIn: this.bytesIn, bytesOut: this.out.offset });
  }

  /**
   * Writes stored bytes in slices of at most PROGRESS_SLICE, or the target's larger writeSize
   * (views, no copy), reporting progress after each: one large weight must not freeze a
   * progress bar for a quarter of an export. Returns the entry's uncompressed bytes written so far.
   */
  private async writeStored(name: string, chunk: Uint8Array, entryBytes: number): Promise<number> {
    const slice = this.slice;
    for (let o = 0; o < chunk.length; o += slice) {
      const end = Math.min(o + slice, chunk.length);
      await this.out.write(o === 0 && end === chunk.length ? chunk : chunk.subarray(o, end));
      this.bytesIn += end - o;
      this.progress(name, entryBytes + end);
    }
    return entryBytes + chunk.length;
  }

  private async writeEntry(
    name: string, nameBytes: Uint8Array, data: ZipEntryData, method: number, level: number,
    dos: { time: number; date: number }, declaredSize: number | undefined,
  ): Promise<ZipEntryRecord> {
    const out = this.out;
    const offset = out.offset;
    const chunks = knownChunks(data);
    if (chunks && declaredSize !== undefined) {
      const n = chunks.reduce((a, c) => a + c.length, 0);
      if (n !== declaredSize) throw new SavedModelError('INVALID_ARGUMENT', `zip entry has ${n} bytes, declared size ${declaredSize}`, { file: name });
    }

    if (chunks && method === METHOD_STORE) {
      // Sizes and CRC known before the header: no data descriptor needed.
      let crc = 0, size = 0;
      for (const c of chunks) { crc = crc32Extend(crc, c); size += c.length; }
      const zip64 = this.forceZip64 || size >= MAX32;
      await out.write(localHeader({ name: nameBytes, flags: FLAG_UTF8, method, ...dos, crc, compressedSize: size, uncompressedSize: size, zip64 }));
      let done = 0;
      for (const c of chunks) {
        this.checkNotAborted(name);
        done = await this.writeStored(name, c, done);
      }
      this.records.push({ name: nameBytes, flags: FLAG_UTF8, method, ...dos, crc, compressedSize: size, uncompressedSize: size, offset, localZip64: zip64, directory: false });
      this.progress(name, size);
      return { name, crc32: crc >>> 0, compressedSize: size, uncompressedSize: size, offset, method: 'store' };
    }

    const blobSize = typeof Blob !== 'undefined' && data instanceof Blob ? data.size : undefined;
    const sizeHint = chunks ? chunks.reduce((a, c) => a + c.length, 0) : (declaredSize ?? blobSize);
    const localZip64 = this.forceZip64 || (sizeHint !== undefined && mayReach4GiB(sizeHint, method));
    const flags = FLAG_UTF8 | FLAG_DESCRIPTOR;
    // Before the header: the compressor may be a lazy chunk, and a failed load must not leave half an entry.
    const deflater = method === METHOD_DEFLATE ? await createDeflater(level) : undefined;
    await out.write(localHeader({ name: nameBytes, flags, method, ...dos, crc: 0, compressedSize: 0, uncompressedSize: 0, zip64: localZip64 }));
    let crc = 0, usize = 0, csize = 0;
    for await (const chunk of chunks ?? chunksOf(data)) {
      this.checkNotAborted(name);
      if (!(chunk instanceof Uint8Array)) {
        throw new SavedModelError('INVALID_ARGUMENT', `zip entry data chunks must be Uint8Array, got ${Object.prototype.toString.call(chunk)}`, { file: name });
      }
      crc = crc32Extend(crc, chunk);
      usize += chunk.length;
      if (deflater) {
        const before = usize - chunk.length;
        for (let o = 0; o < chunk.length; o += DEFLATE_SLICE) {
          const end = Math.min(o + DEFLATE_SLICE, chunk.length);
          for (const c of deflater.push(chunk.subarray(o, end))) {
            csize += c.length;
            await out.write(c);
          }
          this.bytesIn += end - o;
          this.progress(name, before + end);
        }
      } else {
        csize += chunk.length;
        await this.writeStored(name, chunk, usize - chunk.length);
      }
    }
    if (deflater) {
      for (const c of deflater.finish()) {
        csize += c.length;
        await out.write(c);
      }
    }
    if (declaredSize !== undefined && usize !== declaredSize) {
      throw new SavedModelError('INVALID_ARGUMENT', `zip entry had ${usize} bytes, declared size ${declaredSize}`, { file: name });
    }
    const descriptor64 = localZip64 || csize >= MAX32 || usize >= MAX32;
    await out.write(dataDescriptor(crc, csize, usize, descriptor64));
    this.records.push({ name: nameBytes, flags, method, ...dos, crc, compressedSize: csize, uncompressedSize: usize, offset, localZip64, directory: false });
    this.progress(name, usize);
    return { name, crc32: crc >>> 0, compressedSize: csize, uncompressedSize: usize, offset, method: method === METHOD_DEFLATE ? 'deflate' : 'store' };
  }
}
