// jszip as the archive parser and inflater, behind our checks: the archive is first walked by
// scanZip (zip-scan.ts); jszip's parse must then agree with that walk entry for entry (names,
// folders, sizes, CRC, data offsets), and every byte it inflates is bounded by the declared size
// and checked against the CRC with core's CRC-32.
import JSZip from 'jszip';
import { DEFAULT_LIMITS, SavedModelError } from '@savedmodel-js/core';
import { asBytes, crc32Extend } from '@savedmodel-js/core/internal';
import { decodeEntryName } from './entry-name.js';
import { scanZip, type ScannedEntry, type ZipLimits } from './zip-scan.js';

/** The part of jszip's (partly undocumented) object model we use. */
interface JsZipStreamHelper {
  on(event: 'data', fn: (chunk: Uint8Array) => void): JsZipStreamHelper;
  on(event: 'error', fn: (e: unknown) => void): JsZipStreamHelper;
  on(event: 'end', fn: () => void): JsZipStreamHelper;
  resume(): JsZipStreamHelper;
  pause(): JsZipStreamHelper;
}
interface JsZipObject {
  name: string;
  dir: boolean;
  unsafeOriginalName?: string;
  internalStream(type: 'uint8array'): JsZipStreamHelper;
  _data?: { compressedSize?: number; uncompressedSize?: number; crc32?: number; compressedContent?: unknown };
}
interface JsZipArchive {
  files: Record<string, JsZipObject>;
}

/** Inflated chunks are queued up to this many bytes before jszip is paused. */
const HIGH_WATER = 4 * 1024 * 1024;
/** Stored data is handed out in slices of this size by `chunks()`. */
const STORE_SLICE = 4 * 1024 * 1024;

export interface ZipArchive {
  readonly location: string;
  readonly entries: readonly ScannedEntry[];
  get(name: string): ScannedEntry | undefined;
  /** The entry's contents, checked (size, CRC). Stored entries are views into the archive bytes. */
  read(entry: ScannedEntry): Promise<Uint8Array>;
  /** The entry's contents as checked chunks; throws at the end if the CRC does not match. */
  chunks(entry: ScannedEntry): AsyncIterable<Uint8Array>;
}

function toBytes(raw: unknown): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  if (Array.isArray(raw)) return Uint8Array.from(raw as number[]);
  return new Uint8Array(0);
}

function disagree(what: string, name: string): SavedModelError {
  return new SavedModelError('CORRUPT', `zip parsers disagree about this entry (${what}): ambiguous or crafted archive`, { file: name });
}

/** Scans `bytes`, parses them with jszip, and cross-checks the two. */
export async function openZipArchive(view: Uint8Array, limits: ZipLimits = {}, location = 'zip archive'): Promise<ZipArchive> {
  const bytes = asBytes(view, location);
  const scan = scanZip(bytes, limits, location);
  const maxEntryBytes = limits.maxEntryBytes ?? DEFAULT_LIMITS.maxTensorBytes;
  const byName = new Map(scan.entries.map((e) => [e.name, e]));

  let zip: JsZipArchive;
  try {
    zip = (await JSZip.loadAsync(bytes, {
      checkCRC32: false, // we check every entry's CRC-32 ourselves, on read, with core's fast CRC
      createFolders: false,
      decodeFileName: (raw: unknown) => decodeEntryName(toBytes(raw), false) ?? '\uFFFD',
    })) as unknown as JsZipArchive;
  } catch (e) {
    throw new SavedModelError('CORRUPT', `cannot parse zip archive: ${(e as Error)?.message ?? String(e)}`, { file: location, cause: e });
  }

  const objects = new Map<string, JsZipObject>();
  const jsFiles = Object.values(zip.files);
  if (jsFiles.length !== scan.entries.length) {
    throw new SavedModelError('CORRUPT', `zip parsers disagree: ${jsFiles.length} entries vs ${scan.entries.length}`, { file: location });
  }
  for (const obj of jsFiles) {
    const name = obj.dir ? obj.name : (obj.unsafeOriginalName ?? obj.name);
    const e = byName.get(name);
    if (!e) throw disagree('name', name);
    if (e.directory !== obj.dir) throw disagree('folder or file', name);
    const d = obj._data;
    if (d && !obj.dir) {
      if ((d.compressedSize !== undefined && d.compressedSize !== e.compressedSize) ||
          (d.uncompressedSize !== undefined && d.uncompressedSize !== e.uncompressedSize) ||
          (d.crc32 !== undefined && d.crc32 >>> 0 !== e.crc32)) {
        throw disagree('sizes or CRC', name);
      }
      const c = d.compressedContent;
      if (c instanceof Uint8Array && c.buffer === bytes.buffer &&
          (c.byteOffset !== bytes.byteOffset + e.dataOffset || c.length !== e.compressedSize)) {
        throw disagree('data offset', name);
      }
    }
    objects.set(name, obj);
  }

  function mismatch(e: ScannedEntry): SavedModelError {
    return new SavedModelError('CHECKSUM_MISMATCH', `CRC-32 of the contents does not match the archive's (${e.crc32.toString(16).padStart(8, '0')})`, { file: e.name });
  }

  async function* inflate(e: ScannedEntry): AsyncGenerator<Uint8Array> {
    const obj = objects.get(e.name);
    if (!obj) throw new SavedModelError('NOT_FOUND', 'no such zip entry', { file: e.name });
    const helper = obj.internalStream('uint8array');
    const queue: Uint8Array[] = [];
    let queued = 0, paused = false, ended = false, failure: unknown;
    let wake: (() => void) | undefined;
    const signal = () => { const w = wake; wake = undefined; w?.(); };
    // Handlers never throw: jszip calls them from its own scheduler.
    helper
      .on('data', (chunk) => {
        queue.push(chunk);
        queued += chunk.length;
        if (queued > HIGH_WATER && !paused) { paused = true; helper.pause(); }
        signal();
      })
      .on('error', (err) => { failure = err; signal(); })
      .on('end', () => { ended = true; signal(); });
    helper.resume();
    let produced = 0, crc = 0;
    try {
      for (;;) {
        const chunk = queue.shift();
        if (chunk) {
          queued -= chunk.length;
          if (paused && queued < HIGH_WATER / 2) { paused = false; helper.resume(); }
          produced += chunk.length;
          if (produced > e.uncompressedSize) {
            throw new SavedModelError('CORRUPT', `entry inflates to more than its declared ${e.uncompressedSize} bytes: sizes lie (zip bomb?)`, { file: e.name });
          }
          crc = crc32Extend(crc, chunk);
          yield chunk;
          continue;
        }
        if (failure !== undefined) {
          const msg = (failure as Error)?.message ?? String(failure);
          if (/size mismatch/i.test(msg)) {
            throw new SavedModelError('CORRUPT', `entry inflates to ${produced} bytes, not its declared ${e.uncompressedSize}: sizes lie`, { file: e.name, cause: failure });
          }
          throw new SavedModelError('CORRUPT', `cannot inflate entry: ${msg}`, { file: e.name, cause: failure });
        }
        if (ended) break;
        await new Promise<void>((r) => { wake = r; });
      }
    } finally {
      if (!ended) helper.pause();
      queue.length = 0;
    }
    if (produced !== e.uncompressedSize) {
      throw new SavedModelError('CORRUPT', `entry inflates to ${produced} bytes, not its declared ${e.uncompressedSize}: sizes lie`, { file: e.name });
    }
    if (crc >>> 0 !== e.crc32) throw mismatch(e);
  }

  function stored(e: ScannedEntry): Uint8Array {
    return bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  }

  return {
    location,
    entries: scan.entries,
    get: (name) => byName.get(name),
    async read(e) {
      if (e.directory) return new Uint8Array(0);
      if (e.uncompressedSize > maxEntryBytes) {
        throw new SavedModelError('LIMIT_EXCEEDED', `entry of ${e.uncompressedSize} bytes is over the ${maxEntryBytes}-byte limit for one file read into memory (maxEntryBytes); nothing was inflated`, { file: e.name });
      }
      if (e.method === 'store') {
        const data = stored(e);
        if (crc32Extend(0, data) >>> 0 !== e.crc32) throw mismatch(e);
        return data;
      }
      let out: Uint8Array;
      try {
        out = new Uint8Array(e.uncompressedSize);
      } catch (err) {
        throw new SavedModelError('LIMIT_EXCEEDED', `cannot allocate ${e.uncompressedSize} bytes for this entry`, { file: e.name, cause: err });
      }
      let o = 0;
      for await (const c of inflate(e)) { out.set(c, o); o += c.length; }
      return out;
    },
    chunks(e) {
      if (e.method === 'deflate') return inflate(e);
      return (async function* () {
        const data = stored(e);
        let crc = 0;
        for (let o = 0; o < data.length; o += STORE_SLICE) {
          const c = data.subarray(o, Math.min(o + STORE_SLICE, data.length));
          crc = crc32Extend(crc, c);
          yield c;
        }
        if (crc >>> 0 !== e.crc32) throw mismatch(e);
      })();
    },
  };
}
