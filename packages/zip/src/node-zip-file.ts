// Node: a SavedModel zip written to a file. The archive goes to a temporary sibling file and is
// renamed onto the target at commit, so a failed export never leaves a half-written zip.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { SavedModelError } from '@savedmodel-js/core';
import type { ByteTarget } from './byte-sink.js';
import { zipSink, type ZipFileSink, type ZipSinkOptions } from './zip-sink.js';

export interface ZipFileSinkOptions extends ZipSinkOptions {
  /** Replace an existing file (otherwise ALREADY_EXISTS). */
  overwrite?: boolean;
}

async function exists(p: string): Promise<boolean> {
  try { await lstat(p); return true; } catch { return false; }
}

/** A ByteTarget writing to a temporary file that close() renames onto `path` and abort() deletes. */
export async function fileTarget(path: string, options: { overwrite?: boolean } = {}): Promise<ByteTarget> {
  const target = resolve(path);
  if (!options.overwrite && (await exists(target))) {
    throw new SavedModelError('ALREADY_EXISTS', `${target} already exists; pass overwrite to replace it`, { file: target });
  }
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o644);
  let open_ = true;
  const closeHandle = async () => { if (open_) { open_ = false; await fh.close(); } };
  return {
    location: target,
    async write(chunk) {
      let o = 0;
      while (o < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, o, chunk.length - o);
        o += bytesWritten;
      }
    },
    async close() {
      try {
        await closeHandle();
        if (!options.overwrite && (await exists(target))) {
          throw new SavedModelError('ALREADY_EXISTS', `${target} appeared while writing`, { file: target });
        }
        await rename(tmp, target);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async abort() {
      await closeHandle().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}

/** A zip FileSink writing the archive file `path` (temp file + rename at commit). */
export async function zipFileSink(path: string, options: ZipFileSinkOptions = {}): Promise<ZipFileSink> {
  const target = await fileTarget(path, options);
  return zipSink(target, { location: target.location, ...options });
}

/**
 * A Node Writable (file stream, HTTP response, …) as a ByteTarget: writes wait for 'drain' when
 * the stream's buffer is full; close() ends the stream and waits for 'finish'; abort() destroys it.
 */
export function nodeStreamTarget(stream: Writable, location = 'Node stream'): ByteTarget {
  let failure: unknown;
  stream.on('error', (e) => { failure ??= e; });
  const check = () => { if (failure !== undefined) throw failure; };
  const waitFor = (event: 'drain' | 'finish') => new Promise<void>((res, rej) => {
    const done = () => { stream.off('error', fail); res(); };
    const fail = (e: unknown) => { stream.off(event, done); rej(e); };
    stream.once(event, done);
    stream.once('error', fail);
  });
  return {
    location,
    async write(chunk) {
      check();
      if (!stream.write(chunk)) await waitFor('drain');
    },
    async close() {
      check();
      const finished = waitFor('finish');
      stream.end();
      await finished;
    },
    abort(reason) {
      stream.destroy(reason instanceof Error ? reason : undefined);
    },
  };
}
