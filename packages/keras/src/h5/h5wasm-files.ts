// h5wasm (the HDF5 C library compiled to WebAssembly) behind two calls: build a file in memory and
// get its bytes, or open bytes and read them. h5wasm keeps files in Emscripten's in-memory file
// system, so both run the same way in Node and in the browser. The module (~4 MB) is imported on
// first use only.
import { SavedModelError } from '@savedmodel-js/core';
import { asBytes } from '@savedmodel-js/core/internal';
import type * as H5 from 'h5wasm';

type H5Api = typeof import('h5wasm');
export type H5File = H5.File;
export type H5Group = H5.Group;
export type H5Dataset = H5.Dataset;

let loading: Promise<{ api: H5Api; fs: { writeFile(p: string, d: Uint8Array): void; readFile(p: string): Uint8Array; unlink(p: string): void } }> | undefined;

async function h5wasm() {
  loading ??= (async () => {
    const api = (await import('h5wasm')) as H5Api;
    const module = await api.ready;
    return { api, fs: module.FS as unknown as { writeFile(p: string, d: Uint8Array): void; readFile(p: string): Uint8Array; unlink(p: string): void } };
  })();
  return loading;
}

let serial = 0;
const tempName = () => `/savedmodel-js-${Date.now().toString(36)}-${(serial++).toString(36)}.h5`;

/** HDF5 superblock signature; it sits at offset 0 or at a power of two ≥ 512 after a user block. */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

function h5Error(code: 'CORRUPT' | 'INVALID_ARGUMENT', file: string, what: string, e: unknown): SavedModelError {
  if (e instanceof SavedModelError) return e;
  const text = e instanceof Error ? e.message : String(e);
  return new SavedModelError(code, `${what}: ${text.slice(0, 200)}`, { file, cause: e });
}

/** Builds an HDF5 file with `build` and returns its bytes. */
export async function writeHdf5(label: string, build: (file: H5File) => void): Promise<Uint8Array> {
  const { api, fs } = await h5wasm();
  const name = tempName();
  let file: H5File | undefined;
  try {
    file = new api.File(name, 'w');
    build(file);
    file.close();
    file = undefined;
    // copy out of the wasm heap: the file is unlinked right after
    return fs.readFile(name).slice();
  } catch (e) {
    throw h5Error('INVALID_ARGUMENT', label, 'cannot write HDF5 file', e);
  } finally {
    try { file?.close(); } catch { /* already failing */ }
    try { fs.unlink(name); } catch { /* never created */ }
  }
}

/** Opens HDF5 `bytes` read-only and runs `read` on it. Non-HDF5 input → CORRUPT naming `label`. */
export async function readHdf5<T>(label: string, bytes: Uint8Array, read: (file: H5File) => T): Promise<T> {
  if (!hasHdf5Signature(bytes)) {
    throw new SavedModelError('CORRUPT', 'not an HDF5 file (no HDF5 signature)', { file: label });
  }
  const { api, fs } = await h5wasm();
  const name = tempName();
  let file: H5File | undefined;
  try {
    fs.writeFile(name, asBytes(bytes));
    try {
      file = new api.File(name, 'r');
    } catch (e) {
      throw h5Error('CORRUPT', label, 'cannot open HDF5 file', e);
    }
    return read(file);
  } catch (e) {
    throw h5Error('CORRUPT', label, 'cannot read HDF5 file', e);
  } finally {
    try { file?.close(); } catch { /* already failing */ }
    try { fs.unlink(name); } catch { /* never created */ }
  }
}
