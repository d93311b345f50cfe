// Publishing finished output onto its target path with renames, and cleaning up after writers that
// died. What readers of the target can observe:
//   - overwrite false: the target appears complete, in one rename(2). rename replaces nothing but
//     an empty directory, so when two writers race for one new path exactly one succeeds; the
//     other gets ALREADY_EXISTS (files: link(2), which never replaces, then unlink of the temp).
//   - overwrite true, file: one rename(2), atomic — readers see the old file or the new one.
//   - overwrite true, directory: the old directory is renamed aside, the new one renamed in, then
//     the old one deleted. Between the two renames (two system calls, microseconds) the target
//     path does not exist; a reader opening files during the swap may see ENOENT and should retry.
//     A reader that already opened files of the old directory keeps reading the old contents.
// Temporary siblings are named `.<name>.tmp-<pid>-<random>` (+ `.old` for a directory being
// replaced). A writer that is killed leaves its sibling behind; the next write to the same target
// removes siblings whose process is gone and that are older than that write.
import { randomBytes } from 'node:crypto';
import { link, lstat, readdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SavedModelError } from '../errors.js';
import { errnoOf, fsError } from './node-fs-error.js';

/** Temporary paths of writes in progress in this process (never removed as stale). */
const active = new Set<string>();

/** A fresh temporary sibling path for `target` (registered as active until `release`). */
export function temporarySibling(target: string): string {
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  active.add(tmp);
  return tmp;
}

/** The write using `tmp` is over (published or removed). */
export function releaseTemporary(tmp: string): void {
  active.delete(tmp);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Removes `.<name>.tmp-<pid>-<hex>` siblings of `target` left by writers that are gone (their
 * process no longer exists, or it is this process and the write is not in progress) and that were
 * last modified before `startedAt` (ms). Returns the paths removed. Failures to remove are ignored
 * (the sibling is someone else's business then).
 */
export async function removeStaleTemporaries(target: string, startedAt: number = Date.now()): Promise<string[]> {
  const parent = dirname(target);
  const prefix = `.${basename(target)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const m = /^(\d+)-[0-9a-f]{12}(\.old)?$/.exec(n.slice(prefix.length));
    if (!m) continue;
    const full = join(parent, n);
    const pid = Number(m[1]);
    const mine = pid === process.pid;
    if (mine ? active.has(m[2] ? full.slice(0, -4) : full) : processAlive(pid)) continue;
    try {
      const st = await lstat(full);
      if (st.mtimeMs >= startedAt) continue;
      await rm(full, { recursive: true, force: true });
      removed.push(full);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}

function isTargetExists(e: unknown): boolean {
  const errno = errnoOf(e);
  return errno === 'ENOTEMPTY' || errno === 'EEXIST' || errno === 'ENOTDIR' || errno === 'EISDIR';
}

/**
 * Moves the finished temporary directory `tmp` onto `target` (see the header for what readers
 * observe). Without `overwrite` an existing non-empty target, or one that appears meanwhile, is
 * ALREADY_EXISTS and `tmp` is left for the caller to remove. File-system failures are IO_ERROR.
 */
export async function publishDirectory(tmp: string, target: string, overwrite: boolean, what: string): Promise<void> {
  try {
    await rename(tmp, target); // replaces at most an empty directory
    releaseTemporary(tmp);
    return;
  } catch (e) {
    if (!isTargetExists(e)) throw fsError(e, `move the finished ${what} into place`, target);
    if (!overwrite) throw new SavedModelError('ALREADY_EXISTS', `${what} ${target} already exists (or appeared while writing); pass overwrite to replace it`, { file: target });
  }
  const old = `${tmp}.old`;
  try {
    await rename(target, old);
  } catch (e) {
    throw fsError(e, `move the existing ${what} aside`, target);
  }
  try {
    await rename(tmp, target);
  } catch (e) {
    await rename(old, target).catch(() => undefined); // put the old one back
    throw isTargetExists(e)
      ? new SavedModelError('ALREADY_EXISTS', `${what} ${target} was recreated by another writer during the swap`, { file: target })
      : fsError(e, `move the finished ${what} into place`, target);
  }
  releaseTemporary(tmp);
  await rm(old, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Moves the finished temporary file `tmp` onto `target`: with `overwrite` one atomic rename;
 * without, link(2) (fails if the target exists, whatever appeared meanwhile) then unlink of `tmp`.
 */
export async function publishFile(tmp: string, target: string, overwrite: boolean, what: string): Promise<void> {
  if (overwrite) {
    try {
      await rename(tmp, target);
    } catch (e) {
      throw fsError(e, `move the finished ${what} into place`, target);
    }
    releaseTemporary(tmp);
    return;
  }
  try {
    await link(tmp, target);
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') throw new SavedModelError('ALREADY_EXISTS', `${what} ${target} already exists (or appeared while writing); pass overwrite to replace it`, { file: target });
    throw fsError(e, `move the finished ${what} into place`, target);
  }
  releaseTemporary(tmp);
  await unlink(tmp).catch(() => undefined);
}
