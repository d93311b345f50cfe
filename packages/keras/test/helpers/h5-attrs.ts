// Reading and replacing a string attribute of an HDF5 file (a Keras .h5's model_config or
// training_config) through h5wasm's in-memory file system, for tests that damage real files.
import h5wasm from 'h5wasm';

const PATH = '/attr-edit.h5';

/** The string attribute `name` of the root of `bytes`; undefined when absent. */
export async function h5StringAttr(bytes: Uint8Array, name: string): Promise<string | undefined> {
  const mod = await h5wasm.ready;
  mod.FS.writeFile(PATH, bytes);
  const f = new h5wasm.File(PATH, 'r');
  try {
    const a = f.attrs[name];
    return a === undefined ? undefined : String(a.value);
  } finally {
    f.close();
  }
}

/** A copy of `bytes` whose root attribute `name` is the string `value` (written as h5wasm writes strings). */
export async function withH5StringAttr(bytes: Uint8Array, name: string, value: string): Promise<Uint8Array> {
  const mod = await h5wasm.ready;
  mod.FS.writeFile(PATH, bytes);
  const f = new h5wasm.File(PATH, 'a');
  if (f.attrs[name] !== undefined) f.delete_attribute(name);
  f.create_attribute(name, value);
  f.close();
  return mod.FS.readFile(PATH);
}
