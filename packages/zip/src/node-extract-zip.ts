// Node: extract a zip archive into a directory, with every check zipSource makes (zip-scan.ts,
// jszip cross-check, sizes, CRC). Files go into a temporary sibling directory that is renamed
// onto the target only when everything was extracted and checked (core's publishDirectory:
// exclusive without overwrite); entries are only ever written as regular files created inside
// that fresh directory, so nothing lands outside it. On any failure nothing is left behind.
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { DEFAULT_LIMITS, SavedModelError } from '@savedmodel-js/core';
import {
  fsCall, fsError, isNonEmptyDir, publishDirectory, readRegularFile, releaseTemporary, removeStaleTemporaries, temporarySibling,
} from '@savedmodel-js/core/node';
import { openZipArchive, type ZipArchive } from './jszip-archive.js';
import { openZipFile, type ZipFileArchive } from './node-zip-file-archive.js';
import { findSavedModelRoot } from './savedmodel-root.js';
import type { ZipLimits } from './zip-scan.js';

export interface ExtractZipOptions extends ZipLimits {
  /** Replace an existing non-empty directory (otherwise ALREADY_EXISTS). */
  overwrite?: boolean;
}

export interface ExtractedZip {
  /** The directory written (absolute). */
  dir: string;
  /** Files extracted (archive paths). */
  files: string[];
  /** Folder of the SavedModel inside `dir` ('' = dir itself), as zipSource would find it. */
  savedModelRoot: string;
}

/** Extracts `zip` (a path or the archive's bytes) into `dir`. */
export async function extractZip(zip: string | Uint8Array, dir: string, options: ExtractZipOptions = {}): Promise<ExtractedZip> {
  const location = typeof zip === 'string' ? resolve(zip) : 'zip archive';
  const archive = await openArchive(zip, location, options);
  try {
    return await extractArchive(archive, location, dir, options);
  } finally {
    await (archive as Partial<ZipFileArchive>).close?.();
  }
}

/** Big archive files (over 1 GiB, ZIP64) are read from the file as needed; smaller ones loaded. */
async function openArchive(zip: string | Uint8Array, location: string, options: ExtractZipOptions): Promise<ZipArchive> {
  if (typeof zip !== 'string') return openZipArchive(zip, options, location);
  const st = await fsCall('stat the zip archive', location, () => stat(location));
  if (st.isFile() && st.size > DEFAULT_LIMITS.maxTensorBytes) return openZipFile(location, options, location);
  return openZipArchive(await readRegularFile(location, { maxBytes: DEFAULT_LIMITS.maxTotalBytes }), options, location);
}

async function extractArchive(archive: ZipArchive, location: string, dir: string, options: ExtractZipOptions): Promise<ExtractedZip> {
  const target = resolve(dir);
  if (!options.overwrite && (await isNonEmptyDir(target))) {
    throw new SavedModelError('ALREADY_EXISTS', `extraction directory ${target} already exists and is not empty; pass overwrite to replace it`, { file: target });
  }
  const startedAt = Date.now();
  const parent = dirname(target);
  await fsCall('create the parent directory', parent, () => mkdir(parent, { recursive: true }));
  await removeStaleTemporaries(target, startedAt);
  const tmp = temporarySibling(target);
  await fsCall('create the temporary directory', tmp, () => mkdir(tmp));
  const files: string[] = [];
  try {
    for (const e of archive.entries) {
      const full = resolve(tmp, e.directory ? e.name.slice(0, -1) : e.name);
      // The scan already rejected every unsafe name; this is the last line of defence.
      if (!full.startsWith(tmp + sep)) {
        throw new SavedModelError('INVALID_ARGUMENT', 'zip entry would be extracted outside the target directory', { file: e.name });
      }
      if (e.directory) {
        await mkdir(full, { recursive: true });
        continue;
      }
      await mkdir(dirname(full), { recursive: true });
      const fh = await open(full, 'wx', 0o644); // never follows or replaces anything: the folder is new
      try {
        for await (const chunk of archive.chunks(e)) {
          let o = 0;
          while (o < chunk.length) o += (await fh.write(chunk, o, chunk.length - o)).bytesWritten;
        }
      } finally {
        await fh.close();
      }
      files.push(e.name);
    }
    await publishDirectory(tmp, target, options.overwrite === true, 'extraction directory');
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    releaseTemporary(tmp);
    throw fsError(e, `extract ${location} to ${target}`, target);
  }
  return { dir: target, files, savedModelRoot: findSavedModelRoot(files) };
}
