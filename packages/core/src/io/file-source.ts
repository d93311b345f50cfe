// Where SavedModel files come from and go to. The format code only sees these two
// interfaces, so the same reader/writer serves a Node directory, an in-memory map in the
// browser, and (later) zip archives and OPFS.
import { asBytes } from '../bytes.js';
import { SavedModelError } from '../errors.js';

/** Read side: relative POSIX paths such as `saved_model.pb`, `variables/variables.index`. */
export interface FileSource {
  /** Human-readable location for messages (a directory path, "memory", an archive name). */
  readonly location: string;
  list(): Promise<string[]>;
  has(path: string): Promise<boolean>;
  /** Throws SavedModelError NOT_FOUND when absent. */
  read(path: string): Promise<Uint8Array>;
  /**
   * Optional: the file opened for synchronous reads of byte ranges (a Node file), so that a
   * checkpoint reads only the records it is asked for instead of whole data files.
   */
  openRanged?(path: string): Promise<RangedFile>;
}

/** One file read by ranges (see FileSource.openRanged). */
export interface RangedFile {
  /** Byte length when opened. */
  readonly size: number;
  /** `length` bytes at `offset` in a fresh buffer the caller owns; shorter when the file is. */
  read(offset: number, length: number): Uint8Array;
}

/** Write side. Nothing is visible at the target until `commit()`; `abort()` removes everything. */
export interface FileSink {
  readonly location: string;
  /**
   * Writes one file. `data` may be an async iterable: writeSavedModel streams the checkpoint's
   * data file that way, each weight read from its backend just before its bytes are written.
   */
  write(path: string, data: SinkData): Promise<void>;
  /**
   * Optional promise for chunked (iterable) data: by the time the sink asks the iterable for
   * chunk i + releasesChunksAfter, it is done with chunk i — it neither reads it again nor keeps
   * a reference. Producers may then reuse chunk i's buffer (writeSavedModel does, for weights it
   * copies out of their backend). Leave it unset for a sink that keeps chunks (an in-memory map,
   * a Blob builder): it then only receives buffers that are never written again.
   */
  readonly releasesChunksAfter?: number;
  /**
   * Optional, for sinks that keep each file whole in memory: a zeroed buffer of exactly
   * `byteLength` bytes for `path`. A producer that knows a file's size before writing it (the
   * checkpoint's data file) fills it and passes it to write(path, buffer) unchanged, which keeps
   * it as the file without collecting and concatenating chunks.
   */
  allocate?(path: string, byteLength: number): Uint8Array;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Reject absolute paths, `..`, backslashes and empty segments: a path can never leave its root. */
export function checkRelativePath(path: string): string {
  if (
    path.length === 0 || path.startsWith('/') || path.includes('\\') || /^[A-Za-z]:/.test(path) ||
    path.split('/').some((s) => s === '' || s === '.' || s === '..') || path.includes('\0')
  ) {
    throw new SavedModelError('INVALID_ARGUMENT', `unsafe path in SavedModel file set: ${JSON.stringify(path)}`, { file: path });
  }
  return path;
}

/** What a FileSink writes: one buffer, or chunks in order (possibly produced asynchronously). */
export type SinkData = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/** `data` as one list of chunks (awaiting an async iterable). */
export async function collectChunks(data: SinkData): Promise<Uint8Array[]> {
  if (data instanceof Uint8Array) return [data];
  const out: Uint8Array[] = [];
  if (Symbol.asyncIterator in data) for await (const c of data) out.push(c);
  else for (const c of data) out.push(c);
  return out;
}

export type FileMap = Map<string, Uint8Array>;

/** A FileSource over an in-memory map (browser uploads, tests). */
export function fileMapSource(files: FileMap | Record<string, Uint8Array>, location = 'memory'): FileSource {
  if (files === null || typeof files !== 'object') {
    throw new SavedModelError('INVALID_ARGUMENT', `fileMapSource needs a Map or an object of path → bytes, got ${files === null ? 'null' : typeof files}`);
  }
  const map: FileMap = files instanceof Map ? files : new Map(Object.entries(files));
  for (const p of map.keys()) checkRelativePath(p);
  return {
    location,
    async list() { return [...map.keys()].sort(); },
    async has(p) { return map.has(p); },
    async read(p) {
      const v = map.get(p);
      if (!v) throw new SavedModelError('NOT_FOUND', `no such file in ${location}`, { file: p });
      // Buffers (readFileSync, pool slices) and other views: exactly the bytes they view.
      return asBytes(v, p);
    },
  };
}

/**
 * A FileSink that fills a map. The map only receives the files on commit, so a failed
 * export leaves the caller's map untouched.
 */
export function fileMapSink(target: FileMap = new Map(), location = 'memory'): FileSink & { files: FileMap } {
  // Checked now, not at commit: a plain object would only fail after the whole export ran.
  if (!(target instanceof Map)) {
    throw new SavedModelError('INVALID_ARGUMENT', `fileMapSink needs a Map to fill (new Map()), got ${target === null ? 'null' : Array.isArray(target) ? 'an array' : typeof target}`);
  }
  const pending: FileMap = new Map();
  return {
    location,
    files: target,
    allocate(path, byteLength) {
      checkRelativePath(path);
      return allocateBytes(byteLength, path);
    },
    async write(path, data) {
      checkRelativePath(path);
      pending.set(path, data instanceof Uint8Array ? data : concatChunks(await collectChunks(data)));
    },
    async commit() {
      for (const [k, v] of pending) target.set(k, v);
      pending.clear();
    },
    async abort() { pending.clear(); },
  };
}

/** A zeroed buffer for a file of `byteLength` bytes; INVALID_ARGUMENT / LIMIT_EXCEEDED instead of a RangeError. */
function allocateBytes(byteLength: number, path: string): Uint8Array {
  if (!Number.isSafeInteger(byteLength) || byteLength < 0) {
    throw new SavedModelError('INVALID_ARGUMENT', `cannot allocate ${String(byteLength)} bytes for a file`, { file: path });
  }
  try {
    return new Uint8Array(byteLength);
  } catch (e) {
    throw new SavedModelError('LIMIT_EXCEEDED', `cannot allocate ${byteLength} bytes for this file in memory`, { file: path, cause: e });
  }
}

export function concatChunks(chunks: Iterable<Uint8Array>): Uint8Array {
  const list = [...chunks];
  let n = 0;
  for (const c of list) n += c.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of list) { out.set(c, o); o += c.length; }
  return out;
}
