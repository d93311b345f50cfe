// Node: a SavedModel zip written to a file. The archive goes to a temporary sibling file and is
// published onto the target at commit (core's publishFile: link(2) without overwrite, so two
// writers can never both succeed; rename(2) with it), so a failed export never leaves a
// half-written zip. fs failures are IO_ERROR with the errno.
import { lstat, mkdir, open, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { SavedModelError } from '@savedmodel-js/core';
import { fsCall, fsError, publishFile, releaseTemporary, removeStaleTemporaries, temporarySibling } from '@savedmodel-js/core/node';
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
  const startedAt = Date.now();
  const target = resolve(path);
  if (!options.overwrite && (await exists(target))) {
    throw new SavedModelError('ALREADY_EXISTS', `${target} already exists; pass overwrite to replace it`, { file: target });
  }
  await fsCall('create the parent directory', dirname(target), () => mkdir(dirname(target), { recursive: true }));
  await removeStaleTemporaries(target, startedAt);
  const tmp = temporarySibling(target);
  const fh = await fsCall('create the temporary file', tmp, () => open(tmp, 'wx', 0o644));
  let open_ = true;
  const closeHandle = async () => { if (open_) { open_ = false; await fh.close(); } };
  const discard = async () => {
    await closeHandle().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    releaseTemporary(tmp);
  };
  return {
    location: target,
    async write(chunk) {
      try {
        let o = 0;
        while (o < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, o, chunk.length - o);
          o += bytesWritten;
        }
      } catch (e) {
        throw fsError(e, 'write the zip archive', target);
      }
    },
    async close() {
      try {
        await fsCall('close the zip archive', target, closeHandle);
        await publishFile(tmp, target, options.overwrite === true, 'zip archive');
      } catch (e) {
        await discard();
        throw e;
      }
    },
    async abort() {
      await discard();
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
