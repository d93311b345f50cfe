// Node adapters for FileSource / FileSink. Kept out of the browser entry point.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, lstat } from 'node:fs/promises';
import { dirname, join, resolve, basename } from 'node:path';
import { SavedModelError } from '../errors.js';
import { checkRelativePath, type FileSink, type FileSource } from './file-source.js';

export function dirSource(dir: string): FileSource {
  const root = resolve(dir);
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
        throw new SavedModelError('NOT_FOUND', `cannot list SavedModel directory ${root}`, { file: root, cause: e });
      }
      return out.sort();
    },
    async has(p) {
      try { return (await stat(join(root, checkRelativePath(p)))).isFile(); } catch { return false; }
    },
    async read(p) {
      try {
        return new Uint8Array(await readFile(join(root, checkRelativePath(p))));
      } catch (e) {
        if (e instanceof SavedModelError) throw e;
        throw new SavedModelError('NOT_FOUND', `cannot read ${join(root, p)}`, { file: p, cause: e });
      }
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
 * Writes into `<parent>/.<name>.tmp-<random>/` and renames it onto `dir` at commit, so a failed
 * export never leaves a half-written SavedModel behind.
 */
export async function dirSink(dir: string, options: DirSinkOptions = {}): Promise<FileSink> {
  const target = resolve(dir);
  if (!options.overwrite && (await isNonEmptyDir(target))) {
    throw new SavedModelError('ALREADY_EXISTS', `export directory ${target} already exists and is not empty; pass overwrite to replace it`, { file: target });
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(target)}.tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp);
  let done = false;
  return {
    location: target,
    async write(path, data) {
      const full = join(tmp, checkRelativePath(path));
      await mkdir(dirname(full), { recursive: true });
      if (data instanceof Uint8Array) {
        const { writeFile } = await import('node:fs/promises');
        await writeFile(full, data);
        return;
      }
      // Stream chunk by chunk: large checkpoints never need one contiguous buffer.
      await new Promise<void>((res, rej) => {
        const ws = createWriteStream(full);
        ws.on('error', rej);
        (async () => {
          for (const chunk of data) {
            if (!ws.write(chunk)) await new Promise<void>((r) => ws.once('drain', () => r()));
          }
          ws.end(res);
        })().catch(rej);
      });
    },
    async commit() {
      if (done) return;
      try {
        await publishDirectory(tmp, target, options.overwrite === true, 'export directory');
      } catch (e) {
        await rm(tmp, { recursive: true, force: true });
        throw e;
      }
      done = true;
    },
    async abort() {
      done = true;
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * Moves the finished temporary directory `tmp` onto `target` by renames: a target that is
 * non-empty is replaced only with `overwrite` (ALREADY_EXISTS otherwise), and is removed only
 * after the new one is in place.
 */
export async function publishDirectory(tmp: string, target: string, overwrite: boolean, what: string): Promise<void> {
  if (await isNonEmptyDir(target)) {
    if (!overwrite) throw new SavedModelError('ALREADY_EXISTS', `${what} ${target} appeared while writing`, { file: target });
    const old = `${tmp}.old`;
    await rename(target, old);
    await rename(tmp, target);
    await rm(old, { recursive: true, force: true });
  } else {
    await rm(target, { recursive: true, force: true });
    await rename(tmp, target);
  }
}
