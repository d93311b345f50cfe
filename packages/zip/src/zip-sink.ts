// A core FileSink that writes a SavedModel into a zip as the SavedModel writer hands files over:
// each file becomes one entry, streamed straight to the output; commit() writes the central
// directory, abort() leaves the output unusable (no central directory) and discards it where
// the output can discard (Blob, OPFS, temp file).
import { SavedModelError, type FileSink } from '@savedmodel-js/core';
import { checkRelativePath } from '@savedmodel-js/core/internal';
import type { ByteOutput } from './byte-sink.js';
import { unsafeNameReason } from './entry-name.js';
import { ZipWriter, type ZipCompression, type ZipSummary } from './zip-writer.js';

export interface ZipProgress {
  /** SavedModel path of the file being written (without rootFolder). */
  file: string;
  /** Files completed. */
  filesWritten: number;
  /** Uncompressed SavedModel bytes written so far. */
  bytesWritten: number;
  /** Archive bytes produced so far. */
  archiveBytes: number;
}

export interface ZipSinkOptions {
  /** Folder inside the archive holding the SavedModel, e.g. 'half_plus_two/1' (TF Serving layout). */
  rootFolder?: string;
  /** 'store' (default) or 'deflate'. */
  compression?: ZipCompression;
  /** DEFLATE level 0–9 (default 6). */
  level?: number;
  /** Entry dates (default 1980-01-01: reproducible archives). */
  date?: Date;
  forceZip64?: boolean;
  /** Called as data goes out (per chunk) and after each file. */
  onProgress?: (p: ZipProgress) => void;
  /** Shown in messages (default: the output's own location). */
  location?: string;
}

export interface ZipFileSink extends FileSink {
  /** Archive bytes produced so far. */
  readonly bytesWritten: number;
  /** Set after a successful commit. */
  readonly summary: ZipSummary | undefined;
}

/** 'name/1' or 'name/1/' → 'name/1'; absolute paths, '..', backslashes → INVALID_ARGUMENT. */
export function normalizeRootFolder(rootFolder: string | undefined): string {
  if (rootFolder === undefined || rootFolder === '') return '';
  const trimmed = rootFolder.length > 1 ? rootFolder.replace(/\/+$/, '') : rootFolder;
  const why = unsafeNameReason(trimmed);
  if (why) throw new SavedModelError('INVALID_ARGUMENT', `zip rootFolder is not a safe relative path: ${why}`, { file: rootFolder });
  return trimmed;
}

export function zipSink(out: ByteOutput, options: ZipSinkOptions = {}): ZipFileSink {
  const root = normalizeRootFolder(options.rootFolder);
  let filesWritten = 0;
  let bytesDone = 0;
  let current = '';
  const onProgress = options.onProgress;
  const writer = new ZipWriter(out, {
    compression: options.compression,
    level: options.level,
    date: options.date,
    forceZip64: options.forceZip64,
    onProgress: onProgress && ((p) => {
      onProgress({ file: current, filesWritten, bytesWritten: bytesDone + p.entryBytes, archiveBytes: p.bytesOut });
    }),
  });
  const location = options.location ?? writer.location;
  let summary: ZipSummary | undefined;
  let state: 'open' | 'committed' | 'aborted' = 'open';
  // Entries are sequential; a caller that does not await each write is queued, not rejected.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    location,
    get bytesWritten() { return writer.bytesWritten; },
    get summary() { return summary; },
    write(path, data) {
      return serial(async () => {
        if (state !== 'open') throw new SavedModelError('INVALID_ARGUMENT', `zip sink already ${state}`, { file: path });
        checkRelativePath(path);
        current = path;
        const rec = await writer.add(root ? `${root}/${path}` : path, data);
        filesWritten++;
        bytesDone += rec.uncompressedSize;
        onProgress?.({ file: path, filesWritten, bytesWritten: bytesDone, archiveBytes: writer.bytesWritten });
      });
    },
    commit() {
      return serial(async () => {
        if (state === 'committed') return;
        if (state === 'aborted') throw new SavedModelError('INVALID_ARGUMENT', 'zip sink was aborted', { file: location });
        summary = await writer.finish();
        state = 'committed';
      });
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      // Not queued: abort must interrupt a write in progress (the writer checks between chunks).
      await writer.abort();
      await queue;
    },
  };
}
