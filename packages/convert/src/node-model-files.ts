// Reading a tfjs model from disk (Node only): model.json and its weight files, each a regular
// file (FIFOs, devices, directories are refused before reading), sized against the memory budget
// before it is read, and — after symlinks are resolved — inside the folder of model.json.
import { open, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { SavedModelError, type MemoryBudget } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';
import { checkWeightPath, parseModelJson } from './model-json.js';
import type { OpenedModel } from './model-source.js';

function ioError(e: unknown, what: string, file: string): SavedModelError {
  if (e instanceof SavedModelError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new SavedModelError('NOT_FOUND', `${what} does not exist`, { file, cause: e });
  return new SavedModelError('IO_ERROR', `cannot read ${what}: ${quoteSnippet((e as Error).message)}`, { file, errno: code, cause: e });
}

/** A regular file's bytes, its size checked first (and the read bounded by it). */
async function readRegularFile(path: string, what: string, budget: MemoryBudget): Promise<Uint8Array> {
  let fh;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new SavedModelError('INVALID_ARGUMENT', `${what} is not a regular file`, { file: path });
    budget.take(s.size, what, { file: path });
    fh = await open(path, 'r');
    const size = (await fh.stat()).size;
    if (size !== s.size) throw new SavedModelError('IO_ERROR', `${what} changed while it was read`, { file: path });
    const out = new Uint8Array(size);
    let o = 0;
    while (o < size) {
      const { bytesRead } = await fh.read(out, o, size - o, o);
      if (bytesRead === 0) break;
      o += bytesRead;
    }
    if (o !== size) throw new SavedModelError('IO_ERROR', `${what} was truncated while it was read`, { file: path });
    return out;
  } catch (e) {
    throw ioError(e, what, path);
  } finally {
    await fh?.close();
  }
}

export async function openModelJsonFile(path: string, budget: MemoryBudget): Promise<OpenedModel> {
  const file = resolve(path);
  const text = new TextDecoder().decode(await readRegularFile(file, 'model.json', budget));
  const json = parseModelJson(text, file);
  let root: string;
  try {
    root = await realpath(dirname(file));
  } catch (e) {
    throw ioError(e, 'the folder of model.json', dirname(file));
  }
  return {
    json, location: file,
    read: async (p, b) => {
      const rel = checkWeightPath(p, file);
      const target = join(dirname(file), rel);
      let real: string;
      try {
        real = await realpath(target);
      } catch (e) {
        throw ioError(e, `weight file ${JSON.stringify(quoteSnippet(p))} listed in model.json`, target);
      }
      if (!real.startsWith(root + sep)) {
        throw new SavedModelError('INVALID_ARGUMENT', `weight path ${JSON.stringify(quoteSnippet(p))} leads out of the model's folder (through a symbolic link)`, { file });
      }
      return readRegularFile(real, `weight file ${quoteSnippet(p)}`, b);
    },
  };
}
