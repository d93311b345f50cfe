// Where a single-file Keras model (.h5, .keras) goes: a file path (Node; written to a temporary
// sibling and renamed, so a failed save never leaves a partial file), or any FileSink (browser
// memory, zip, OPFS) under a file name.
import { SavedModelError, type FileSink } from '@savedmodel-js/core';
import { assertPathSupported } from '@savedmodel-js/core/internal';

interface NodeFs {
  stat(p: string): Promise<unknown>;
  writeFile(p: string, d: Uint8Array): Promise<void>;
  rename(a: string, b: string): Promise<void>;
  rm(p: string, o: { force: boolean }): Promise<void>;
  mkdir(p: string, o: { recursive: boolean }): Promise<unknown>;
}
// Node only, imported through a specifier bundlers do not follow: browser builds never load node:fs
const NODE_FS = 'node:fs/promises';

export type ModelFileTarget = string | FileSink;

const isFileSink = (t: unknown): t is FileSink =>
  typeof t === 'object' && t !== null && typeof (t as FileSink).write === 'function' && typeof (t as FileSink).commit === 'function';

function ioError(e: unknown, file: string, what: string): SavedModelError {
  const errno = (e as { code?: unknown }).code;
  return new SavedModelError('IO_ERROR', `${what}: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`, {
    file, errno: typeof errno === 'string' ? errno : undefined, cause: e,
  });
}

/** Writes `bytes` to `target`; `fileName` names the entry in a FileSink. */
export async function writeModelFile(target: ModelFileTarget, bytes: Uint8Array, fileName: string, overwrite: boolean): Promise<string> {
  if (isFileSink(target)) {
    try {
      await target.write(fileName, bytes);
      await target.commit();
    } catch (e) {
      await target.abort();
      throw e;
    }
    return `${target.location}/${fileName}`;
  }
  if (typeof target !== 'string' || target.length === 0) {
    throw new SavedModelError('INVALID_ARGUMENT', 'the target is a file path (Node) or a FileSink (fileMapSink(), zipSink(), … in the browser)');
  }
  assertPathSupported(target, 'the target');
  const fs = (await import(/* @vite-ignore */ NODE_FS)) as NodeFs;
  let exists = true;
  try { await fs.stat(target); } catch { exists = false; }
  if (exists && !overwrite) {
    throw new SavedModelError('ALREADY_EXISTS', `${target} already exists; pass overwrite: true to replace it`, { file: target });
  }
  const slash = target.lastIndexOf('/');
  if (slash > 0) await fs.mkdir(target.slice(0, slash), { recursive: true }).catch((e: unknown) => { throw ioError(e, target, 'cannot create the folder'); });
  const tmp = `${target}.tmp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw ioError(e, target, 'cannot write the model file');
  }
  return target;
}

export type ModelFileInput = Uint8Array | ArrayBuffer | ArrayBufferView | Blob | string;

/** The bytes of a model file given as bytes, a Blob/File, or a path (Node). */
export async function readModelFile(input: ModelFileInput, what: string): Promise<{ bytes: Uint8Array; label: string }> {
  if (typeof input === 'string') {
    assertPathSupported(input, what);
    const fs = (await import(/* @vite-ignore */ NODE_FS)) as { readFile(p: string): Promise<Uint8Array> };
    try {
      const b = await fs.readFile(input);
      return { bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength), label: input };
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ENOENT') throw new SavedModelError('NOT_FOUND', `${what} not found`, { file: input });
      throw ioError(e, input, `cannot read ${what}`);
    }
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    const name = (input as Blob & { name?: unknown }).name;
    return { bytes: new Uint8Array(await input.arrayBuffer()), label: typeof name === 'string' ? name : 'blob' };
  }
  if (input instanceof ArrayBuffer) return { bytes: new Uint8Array(input), label: 'memory' };
  if (ArrayBuffer.isView(input)) return { bytes: new Uint8Array(input.buffer, input.byteOffset, input.byteLength), label: 'memory' };
  throw new SavedModelError('INVALID_ARGUMENT', `${what} must be bytes, a Blob/File or a path (Node)`);
}
