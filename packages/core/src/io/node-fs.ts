// Node adapters for FileSource / FileSink. Kept out of the browser entry point.
import { readdirSync, statSync } from 'node:fs';
import { lstat, mkdir, open, readdir, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SavedModelError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import { checkRelativePath, type FileSink, type FileSource, type SinkData } from './file-source.js';
import { fsCall, fsError } from './node-fs-error.js';
import { publishDirectory, releaseTemporary, removeStaleTemporaries, temporarySibling } from './node-publish.js';
import { readRegularFile, readRegularFileSync } from './node-read-file.js';
import { openRangedFile, openRangedFileSync } from './node-ranged-file.js';

export { publishDirectory };

export interface DirSourceOptions {
  /** A file larger than limits.maxTotalBytes is LIMIT_EXCEEDED before it is read. */
  limits?: Partial<Limits>;
  /**
   * Use blocking file-system calls (same checks, same errors). For a process that only reads a
   * few small files and has nothing else to do meanwhile, such as a CLI command: each
   * asynchronous call is a round trip through Node's thread pool. Default false.
   */
  blocking?: boolean;
}

/**
 * A FileSource over a directory. Only regular files are read: a FIFO, a device or a directory
 * where a file is expected is INVALID_ARGUMENT at once (never a hang); fs failures are IO_ERROR.
 */
export function dirSource(dir: string, options: DirSourceOptions = {}): FileSource {
  const root = resolve(dir);
  const limits = resolveLimits(options.limits);
  if (options.blocking) return blockingDirSource(root, limits);
  return {
    location: root,
    async list() {
      const out: string[] = [];
      async function walk(rel: string): Promise<void> {
        const entries = await readdir(join(root, rel), { withFileTypes: true });
        for (const e of entries) {
          const p = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) await walk(p);
          else if (e.isFile()) out.push(p);
        }
      }
      try { await walk(''); } catch (e) {
        throw fsError(e, `list SavedModel directory ${root}`, root);
      }
      return out.sort();
    },
    async has(p) {
      // Anything there counts (read() then says what is wrong with a FIFO or a directory).
      try { await stat(join(root, checkRelativePath(p))); return true; } catch { return false; }
    },
    async read(p) {
      return readRegularFile(join(root, checkRelativePath(p)), { name: p, maxBytes: limits.maxTotalBytes });
    },
    async openRanged(p) {
      return openRangedFile(join(root, checkRelativePath(p)), p);
    },
  };
}

/** dirSource's answers from blocking calls (DirSourceOptions.blocking). */
function blockingDirSource(root: string, limits: Limits): FileSource {
  return {
    location: root,
    async list() {
      const out: string[] = [];
      const walk = (rel: string): void => {
        for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
          const p = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) out.push(p);
        }
      };
      try { walk(''); } catch (e) {
        throw fsError(e, `list SavedModel directory ${root}`, root);
      }
      return out.sort();
    },
    async has(p) {
      try { statSync(join(root, checkRelativePath(p))); return true; } catch { return false; }
    },
    async read(p) {
      return readRegularFileSync(join(root, checkRelativePath(p)), { name: p, maxBytes: limits.maxTotalBytes });
    },
    async openRanged(p) {
      return openRangedFileSync(join(root, checkRelativePath(p)), p);
    },
  };
}

export interface DirSinkOptions {
  /** Replace an existing non-empty directory (otherwise ALREADY_EXISTS). */
  overwrite?: boolean;
}

/** True for a non-empty directory or any non-directory at `p`; false when nothing is there. */
export async function isNonEmptyDir(p: string): Promise<boolean> {
  try {
    const s = await lstat(p);
    if (!s.isDirectory()) return true;
    return (await readdir(p)).length > 0;
  } catch {
    return false;
  }
}

/**
 * Writes into `<parent>/.<name>.tmp-<pid>-<random>/` and renames it onto `dir` at commit, so a
 * failed export never leaves a half-written SavedModel behind (see node-publish.ts for what
 * readers observe and how concurrent writers are kept apart). Temporaries left by killed
 * writers to the same target are removed first. fs failures are IO_ERROR with the errno.
 */
export async function dirSink(dir: string, options: DirSinkOptions = {}): Promise<FileSink> {
  const startedAt = Date.now();
  const target = resolve(dir);
  if (!options.overwrite && (await isNonEmptyDir(target))) {
    throw new SavedModelError('ALREADY_EXISTS', `export directory ${target} already exists and is not empty; pass overwrite to replace it`, { file: target });
  }
  const parent = dirname(target);
  await fsCall('create the parent directory', parent, () => mkdir(parent, { recursive: true }));
  await removeStaleTemporaries(target, startedAt);
  const tmp = temporarySibling(target);
  await fsCall('create the temporary directory', tmp, () => mkdir(tmp));
  let done = false;
  const discard = async () => {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    releaseTemporary(tmp);
  };
  return {
    location: target,
    releasesChunksAfter: WRITES_IN_FLIGHT + 1,
    async write(path, data) {
      const full = join(tmp, checkRelativePath(path));
      try {
        await mkdir(dirname(full), { recursive: true });
        if (data instanceof Uint8Array) {
          await writeFile(full, data);
          return;
        }
        // Stream chunk by chunk: large checkpoints never need one contiguous buffer.
        await writeChunks(full, data);
      } catch (e) {
        throw fsError(e, 'write', path);
      }
    },
    async commit() {
      if (done) return;
      try {
        await publishDirectory(tmp, target, options.overwrite === true, 'export directory');
      } catch (e) {
        await discard();
        throw e;
      }
      done = true;
    },
    async abort() {
      done = true;
      await discard();
    },
  };
}

/**
 * Writes of a streamed file in flight at once (positional writes, so they may complete in any
 * order): the thread pool writes a few pieces while the next ones are produced and checksummed.
 * When asking for chunk i, chunks up to i − WRITES_IN_FLIGHT − 1 are written and released.
 */
const WRITES_IN_FLIGHT = 3;

async function writeFully(fh: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  for (let off = 0; off < chunk.length;) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.length - off, position + off);
    off += bytesWritten;
  }
}

/**
 * Writes chunks at their offsets with up to WRITES_IN_FLIGHT writes in flight: the next chunks
 * are produced (a weight copied from its backend, pieces checksummed) while the thread pool
 * writes the previous ones. The chunk's buffer is not kept once its write is done.
 */
async function writeChunks(file: string, data: SinkData): Promise<void> {
  const fh = await open(file, 'w');
  const inFlight: Promise<void>[] = [];
  let position = 0;
  try {
    for await (const chunk of data as Iterable<Uint8Array> | AsyncIterable<Uint8Array>) {
      if (chunk.length === 0) continue;
      if (inFlight.length >= WRITES_IN_FLIGHT) await inFlight.shift();
      const write = writeFully(fh, chunk, position);
      write.catch(() => undefined); // awaited in turn; a later write failing first is not unhandled
      inFlight.push(write);
      position += chunk.length;
    }
    while (inFlight.length > 0) await inFlight.shift();
  } catch (e) {
    await Promise.allSettled(inFlight);
    throw e;
  } finally {
    await fh.close();
  }
}
