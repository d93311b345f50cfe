// A core FileSource over a zip archive (bytes, ArrayBuffer, Blob or File), rooted at the
// SavedModel inside it. The archive is checked as a whole when opened (zip-scan.ts, then jszip's
// parse is cross-checked); each file is size- and CRC-checked when read.
import { SavedModelError, type FileSource } from '@savedmodel-js/core';
import { asBytes, checkRelativePath } from '@savedmodel-js/core/internal';
import { openZipArchive, type ZipArchive } from './jszip-archive.js';
import { findSavedModelRoot } from './savedmodel-root.js';
import type { ZipLimits } from './zip-scan.js';
import { normalizeRootFolder } from './zip-sink.js';

export interface ZipSourceOptions extends ZipLimits {
  /** Folder of the SavedModel inside the archive ('' = archive root). Default: found automatically. */
  root?: string;
  /** Name for messages (default: the File's name, else "zip archive"). */
  location?: string;
}

export interface ZipEntryInfo {
  /** Full archive path (folders end with '/'). */
  name: string;
  directory: boolean;
  method: 'store' | 'deflate';
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
}

export interface ZipSource extends FileSource {
  /** The SavedModel's folder inside the archive ('' = root). */
  readonly root: string;
  /** Every entry of the archive, in central-directory order. */
  readonly entries: readonly ZipEntryInfo[];
  /** Reads any entry by its full archive path (checked like read()). */
  readEntry(name: string): Promise<Uint8Array>;
}

export type ZipInput = Uint8Array | ArrayBuffer | Blob;

export async function zipInputBytes(input: ZipInput): Promise<Uint8Array> {
  // Buffers (pool slices) and other views: exactly the bytes they view.
  if (ArrayBuffer.isView(input) || input instanceof ArrayBuffer) return asBytes(input, 'zip input');
  if (typeof Blob !== 'undefined' && input instanceof Blob) return new Uint8Array(await input.arrayBuffer());
  throw new SavedModelError('INVALID_ARGUMENT', 'zip input must be a Uint8Array, an ArrayBuffer or a Blob');
}

/** Wraps an opened archive as a FileSource rooted at `root`. */
export function archiveSource(archive: ZipArchive, root: string): ZipSource {
  const prefix = root ? `${root}/` : '';
  const files = archive.entries.filter((e) => !e.directory && e.name.startsWith(prefix)).map((e) => e.name.slice(prefix.length)).sort();
  const entryOf = (p: string) => {
    const e = archive.get(prefix + p);
    return e && !e.directory ? e : undefined;
  };
  return {
    location: root ? `${archive.location}:${root}` : archive.location,
    root,
    entries: archive.entries.map(({ name, directory, method, compressedSize, uncompressedSize, crc32 }) => ({
      name, directory, method, compressedSize, uncompressedSize, crc32,
    })),
    async list() { return [...files]; },
    async has(p) { return entryOf(p) !== undefined; },
    async read(p) {
      checkRelativePath(p);
      const e = entryOf(p);
      if (!e) throw new SavedModelError('NOT_FOUND', `no such file in ${archive.location}`, { file: prefix + p });
      return archive.read(e);
    },
    async readEntry(name) {
      const e = archive.get(name);
      if (!e) throw new SavedModelError('NOT_FOUND', `no such entry in ${archive.location}`, { file: name });
      return archive.read(e);
    },
  };
}

/**
 * Opens a zip archive as a FileSource at the SavedModel inside it. Rejects unsafe or ambiguous
 * archives up front: SavedModelError CORRUPT / INVALID_ARGUMENT / UNSUPPORTED / LIMIT_EXCEEDED.
 */
export async function zipSource(input: ZipInput, options: ZipSourceOptions = {}): Promise<ZipSource> {
  const location = options.location ??
    (typeof File !== 'undefined' && input instanceof File && input.name ? input.name : 'zip archive');
  const bytes = await zipInputBytes(input);
  const archive = await openZipArchive(bytes, options, location);
  return archiveSource(archive, archiveRoot(archive, options.root));
}

/** The SavedModel folder of `archive`: `root` checked to exist, or found automatically. */
export function archiveRoot(archive: ZipArchive, root: string | undefined): string {
  if (root === undefined) return findSavedModelRoot(archive.entries.filter((e) => !e.directory).map((e) => e.name));
  const r = normalizeRootFolder(root);
  if (r && !archive.entries.some((e) => e.name.startsWith(`${r}/`))) {
    throw new SavedModelError('NOT_FOUND', `no folder ${JSON.stringify(r)} in ${archive.location}`, { file: r });
  }
  return r;
}
