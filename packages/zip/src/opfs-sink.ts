// `opfs://path/model.zip`: the SavedModel as a zip in the Origin Private File System, streamed
// through the file's writable (createWritable), so only the current chunk is in memory.
// Nothing appears until commit: the writable swaps its data in on close(); abort() discards it
// (and removes the file if this sink created it).
import { SavedModelError } from '@savedmodel-js/core';
import { checkRelativePath } from '@savedmodel-js/core/internal';
import { writableStreamTarget } from './byte-sink.js';
import { zipSink, type ZipFileSink, type ZipSinkOptions } from './zip-sink.js';

/**
 * Bytes per write into the OPFS writable (see ByteTarget.writeSize): each write is a round trip to
 * the browser process, so larger writes go faster (32 MiB took ≈ 550 ms as 256 KiB writes, ≈ 300–460
 * as 1 MiB, ≈ 300 as 4 MiB; Chromium 150), but progress comes once per write: 1 MiB keeps a 64 MiB
 * export's progress steps under 2 % (e2e/demo-preview.e2e.test.ts).
 */
const OPFS_WRITE_SIZE = 1024 * 1024;

/** 'opfs://a/b.zip' or 'a/b.zip' → ['a', 'b.zip']. */
export function opfsPathSegments(path: string): string[] {
  const rel = path.replace(/^opfs:\/\//, '').replace(/^\/+/, '');
  checkRelativePath(rel);
  return rel.split('/');
}

export interface OpfsSinkOptions extends ZipSinkOptions {
  /** The directory to resolve `path` in (default: navigator.storage.getDirectory()). */
  root?: FileSystemDirectoryHandle;
}

export async function opfsSink(path: string, options: OpfsSinkOptions = {}): Promise<ZipFileSink> {
  const segments = opfsPathSegments(path);
  const fileName = segments.pop()!;
  let dir = options.root;
  if (!dir) {
    if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') {
      throw new SavedModelError('UNSUPPORTED', 'opfs:// targets need the Origin Private File System (navigator.storage.getDirectory)', { file: path });
    }
    dir = await navigator.storage.getDirectory();
  }
  for (const s of segments) dir = await dir.getDirectoryHandle(s, { create: true });
  let existed = true;
  try {
    await dir.getFileHandle(fileName);
  } catch {
    existed = false;
  }
  const handle = await dir.getFileHandle(fileName, { create: true });
  const writable = await handle.createWritable({ keepExistingData: false });
  // One write awaited at a time, each a view of the caller's bytes. Queuing writes, or copying the
  // writer's 256 KiB slices into 4 MiB blocks, made OPFS faster but held ~0.3× the weights in the JS
  // heap during a 256 MiB export in Chromium 150 (+3.5 MiB this way; e2e/demo.e2e.test.ts reports it).
  // Larger slices of the same bytes need no copy (OPFS_WRITE_SIZE).
  const target = writableStreamTarget(writable, `opfs://${[...segments, fileName].join('/')}`);
  const parent = dir;
  return zipSink({
    location: target.location,
    write: target.write,
    writeSize: OPFS_WRITE_SIZE,
    close: target.close,
    async abort(reason: unknown) {
      await target.abort?.(reason);
      if (!existed) await parent.removeEntry(fileName).catch(() => undefined);
    },
  }, { location: target.location, ...options });
}
