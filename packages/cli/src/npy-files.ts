// saved_model_cli's file side of `run`: `--inputs 'x=a.npy;y=b.npz[key];z=c.npz'` (numpy.load)
// and `--outdir DIR [--overwrite]` (one np.save'd KEY.npy per output).
import { mkdir, rename, stat, readFile, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SavedModelError } from '@savedmodel-js/core';
import { asBytes } from '@savedmodel-js/core/internal';
import { openZipArchive } from '@savedmodel-js/zip';
import type { PlainTensor } from 'savedmodel-js';
import { UsageError } from './args.js';
import { decodeNpy, encodeNpy, nest, npyElements, numberToHalf } from './npy.js';

export interface InputFileSpec {
  key: string;
  file: string;
  /** Array name inside an .npz (`file.npz[name]`). */
  name?: string;
}

/** `x=file.npy;y=file.npz[arr]` → specs, as saved_model_cli splits them (on ';', then `=`, then `[...]`). */
export function parseInputsArg(s: string): InputFileSpec[] {
  const out: InputFileSpec[] = [];
  for (const raw of s.split(';').filter((p) => p.trim() !== '')) {
    const m = /^([^=]+)=([^[\]]+)\[([^[\]]+)\]$/.exec(raw.trim()) ?? /^([^=]+)=([^[\]]+)$/.exec(raw.trim());
    if (!m) throw new UsageError(`--inputs '${raw.slice(0, 200)}' format is incorrect; use <input_key>=<filename> or <input_key>=<filename>[<variable_name>]`);
    const spec: InputFileSpec = { key: m[1]!.trim(), file: m[2]!.trim() };
    if (m[3] !== undefined) spec.name = m[3].trim();
    if (out.some((o) => o.key === spec.key)) throw new UsageError(`--inputs: input '${spec.key}' given twice`);
    out.push(spec);
  }
  return out;
}

/** A nested plain value (numbers, bigints, booleans, bytes, strings) for model.run(). */
function npyToPlain(bytes: Uint8Array, what: string, maxBytes: number): unknown {
  const a = decodeNpy(bytes, what, maxBytes);
  const count = a.shape.reduce((x, y) => x * y, 1);
  // JS values cost at least 8 bytes each: bound what we build, not only what was read
  if (count * 8 > maxBytes) {
    throw new SavedModelError('LIMIT_EXCEEDED', `${what}: ${count} elements would take more than the ${maxBytes} bytes allowed`, { file: what });
  }
  return nest(npyElements(a, what), a.shape);
}

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

async function readBounded(file: string, maxBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new SavedModelError('INVALID_ARGUMENT', `--inputs: ${file} is not a file`, { file });
    size = st.size;
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    throw new SavedModelError('NOT_FOUND', `--inputs: cannot read ${file}: ${(e as Error).message}`, { file, cause: e });
  }
  // an .npz may compress, but a file larger than everything we accept is refused unread
  if (size > maxBytes + 64 * 1024 * 1024) throw new SavedModelError('LIMIT_EXCEEDED', `--inputs: ${file} is ${size} bytes, more than the ${maxBytes} allowed`, { file });
  return asBytes(await readFile(file), file);
}

/**
 * Loads each `--inputs` spec as numpy.load + saved_model_cli do: an .npy is the array (a `[name]`
 * is ignored with a warning); an .npz needs `[name]` unless it holds exactly one array.
 * Pickled object arrays and pickle files are refused (UNSUPPORTED): nothing is unpickled.
 */
export async function loadInputFiles(specs: readonly InputFileSpec[], maxBytes: number, warn: (s: string) => void): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const spec of specs) {
    const bytes = await readBounded(spec.file, maxBytes);
    if (!isZip(bytes)) {
      if (bytes[0] !== 0x93) {
        throw new SavedModelError('UNSUPPORTED', `--inputs: ${spec.file} is neither an .npy nor an .npz file (pickle files are not read)`, { file: spec.file });
      }
      if (spec.name !== undefined) warn(`Input file ${spec.file} contains a single ndarray. Name key "${spec.name}" ignored.\n`);
      out.set(spec.key, npyToPlain(bytes, spec.file, maxBytes));
      continue;
    }
    const archive = await openZipArchive(bytes, { maxEntryBytes: maxBytes, maxUncompressedBytes: 4 * maxBytes, maxEntries: 100_000 }, spec.file);
    const arrays = archive.entries.filter((e) => !e.directory && e.name.endsWith('.npy'));
    let entry;
    if (spec.name !== undefined) {
      entry = arrays.find((e) => e.name === `${spec.name}.npy`);
      if (!entry) throw new SavedModelError('NOT_FOUND', `--inputs: ${spec.file} does not contain an array named "${spec.name}" (it has ${arrays.map((e) => e.name.slice(0, -4)).slice(0, 20).join(', ') || 'none'})`, { file: spec.file });
    } else {
      if (arrays.length !== 1) {
        throw new SavedModelError('INVALID_ARGUMENT', `--inputs: ${spec.file} contains ${arrays.length} arrays; name the one to use as ${spec.file}[name]`, { file: spec.file });
      }
      entry = arrays[0]!;
    }
    out.set(spec.key, npyToPlain(await archive.read(entry), `${spec.file}[${entry.name.slice(0, -4)}]`, maxBytes));
  }
  return out;
}

/** numpy dtype string np.save writes for each TensorFlow dtype's results (strings: fixed-width bytes). */
const DESCR: Readonly<Record<string, string>> = Object.freeze({
  __proto__: null,
  DT_FLOAT: '<f4', DT_DOUBLE: '<f8', DT_HALF: '<f2', DT_INT32: '<i4', DT_INT64: '<i8', DT_INT8: '|i1', DT_INT16: '<i2',
  DT_UINT8: '|u1', DT_UINT16: '<u2', DT_UINT32: '<u4', DT_UINT64: '<u8', DT_BOOL: '|b1',
} as unknown as Record<string, string>);

/** An output as the bytes of the .npy numpy.save would write for it. */
export function plainToNpy(t: PlainTensor, key: string): Uint8Array {
  const n = t.values.length;
  if (t.tfDtype === 'DT_STRING') {
    const enc = new TextEncoder();
    const items = (t.values as unknown[]).map((v) => enc.encode(String(v)));
    const width = Math.max(1, ...items.map((b) => b.length));
    const data = new Uint8Array(width * n);
    items.forEach((b, k) => data.set(b, k * width));
    return encodeNpy(`|S${width}`, t.shape, data);
  }
  const descr = DESCR[t.tfDtype];
  if (!descr) throw new SavedModelError('UNSUPPORTED', `output '${key}' has dtype ${t.tfDtype}, which is not written as .npy`, { key });
  const size = Number(descr.slice(2));
  const data = new Uint8Array(size * n);
  const dv = new DataView(data.buffer);
  const kind = descr[1];
  const vals = t.values as ArrayLike<number | boolean | string | bigint>;
  for (let k = 0; k < n; k++) {
    const v = vals[k]!;
    const o = k * size;
    if (kind === 'b') data[o] = v ? 1 : 0;
    else if (kind === 'f') {
      const x = Number(v);
      if (size === 2) dv.setUint16(o, numberToHalf(x), true); else if (size === 4) dv.setFloat32(o, x, true); else dv.setFloat64(o, x, true);
    } else if (size === 8) {
      // int64 results may be exact decimal strings beyond 2^53
      const b = typeof v === 'bigint' ? v : BigInt(typeof v === 'string' ? v : Math.trunc(Number(v)));
      if (kind === 'i') dv.setBigInt64(o, b, true); else dv.setBigUint64(o, b, true);
    } else {
      const x = Number(v);
      if (size === 1) { if (kind === 'i') dv.setInt8(o, x); else dv.setUint8(o, x); }
      else if (size === 2) { if (kind === 'i') dv.setInt16(o, x, true); else dv.setUint16(o, x, true); }
      else if (kind === 'i') dv.setInt32(o, x, true); else dv.setUint32(o, x, true);
    }
  }
  return encodeNpy(descr, t.shape, data);
}

/** Output keys become file names: only plain names (no separators, no '..'). */
function outputFile(outdir: string, key: string): string {
  if (!key || key === '.' || key === '..' || /[/\\\0]/.test(key)) {
    throw new SavedModelError('INVALID_ARGUMENT', `output key ${JSON.stringify(key.slice(0, 200))} cannot be used as a file name in --outdir`, { key });
  }
  return join(outdir, `${key}.npy`);
}

/**
 * Checks and prepares `--outdir` for KEY.npy per output (the folder is created if missing). As
 * saved_model_cli, an existing file is an error unless `overwrite`; unlike it, every name is checked
 * before anything is written. `write(key)` writes one file (temporary name, then rename) and
 * returns its path.
 */
export async function prepareOutputFiles(outdir: string, outputs: Record<string, PlainTensor>, overwrite: boolean): Promise<{ write(key: string): Promise<string> }> {
  const files = new Map(Object.keys(outputs).map((k) => [k, outputFile(outdir, k)]));
  const encoded = new Map(Object.keys(outputs).map((k) => [k, plainToNpy(outputs[k]!, k)]));
  try {
    await mkdir(outdir, { recursive: true });
  } catch (e) {
    throw new SavedModelError('IO_ERROR', `--outdir: cannot create ${outdir}: ${(e as Error).message}`, { file: outdir, cause: e });
  }
  if (!overwrite) {
    for (const f of files.values()) {
      const exists = await stat(f).then(() => true, () => false);
      if (exists) throw new SavedModelError('ALREADY_EXISTS', `Output file ${f} already exists. Add "--overwrite" to overwrite the existing output files.`, { file: f });
    }
  }
  return {
    async write(key) {
      const f = files.get(key)!;
      const tmp = `${f}.tmp-${process.pid}`;
      try {
        await writeFile(tmp, encoded.get(key)!);
        await rename(tmp, f);
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw new SavedModelError('IO_ERROR', `--outdir: cannot write ${f}: ${(e as Error).message}`, { file: f, cause: e });
      }
      return f;
    },
  };
}
