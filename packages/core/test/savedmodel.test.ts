import { describe, expect, it } from 'vitest';
import { isSavedModelError, SavedModelError } from '../src/errors.js';
import { fileMapSink, fileMapSource, type FileMap } from '../src/io/file-source.js';
import { encodeDeterministic, tensorflow } from '../src/proto/index.js';
import { readSavedModel } from '../src/savedmodel/read.js';
import { verifySavedModel } from '../src/savedmodel/verify.js';
import { writeSavedModel } from '../src/savedmodel/write.js';
import { mulberry32, randomInt } from './checkpoint-prng.js';
import { FIXTURE_NAMES, fixtureFiles } from './shared.js';


const sortedSm = (sm: tensorflow.ISavedModel) => encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, tensorflow.SavedModel.decode(tensorflow.SavedModel.encode(sm).finish()));

describe('SavedModel read/write through in-memory file maps', () => {
  it.each(FIXTURE_NAMES)('%s: read → write (pb and pbtxt) → read gives the same model and tensors', async (name) => {
    const src = fixtureFiles(name);
    const a = await readSavedModel(fileMapSource(src), { verifyChecksums: true });
    const tensors = (a.checkpoint?.entries ?? []).map((e) => ({
      key: e.key, dtype: e.dtype, shape: e.shape,
      data: e.dtype === tensorflow.DataType.DT_STRING ? a.checkpoint!.stringBytes(e) : a.checkpoint!.bytes(e),
    }));
    const assets = new Map(a.assets.map((p) => [p.slice('assets/'.length), src.get(p)!]));
    for (const asText of [false, true]) {
      const sink = fileMapSink();
      await writeSavedModel(sink, { savedModel: a.savedModel, checkpoint: tensors, assets }, { asText });
      const names = [...sink.files.keys()];
      expect(names).toContain(asText ? 'saved_model.pbtxt' : 'saved_model.pb');
      const b = await readSavedModel(fileMapSource(sink.files), { verifyChecksums: true });
      expect(b.format).toBe(asText ? 'pbtxt' : 'pb');
      expect(Buffer.from(sortedSm(b.savedModel)).equals(Buffer.from(sortedSm(a.savedModel)))).toBe(true);
      expect(b.checkpoint?.keys()).toEqual(a.checkpoint?.keys());
      for (const e of a.checkpoint?.entries ?? []) {
        const x = e.dtype === 7 ? a.checkpoint!.stringBytes(e) : a.checkpoint!.bytes(e);
        const y = e.dtype === 7 ? b.checkpoint!.stringBytes(e.key) : b.checkpoint!.bytes(e.key);
        expect(Buffer.from(y as Uint8Array).equals(Buffer.from(x as Uint8Array)) || JSON.stringify(x) === JSON.stringify(y)).toBe(true);
      }
      expect(b.assets).toEqual(a.assets);
    }
  });

  it('TF 2.3.1 fixtures: written saved_model.pb and variables/ are byte-identical to TensorFlow\'s', async () => {
    for (const name of ['int64_multiply', 'uint8_multiply']) {
      const src = fixtureFiles(name);
      const a = await readSavedModel(fileMapSource(src));
      const tensors = a.checkpoint!.entries
        .slice()
        .sort((x, y) => x.offset - y.offset) // data-file order, as TF wrote it
        .map((e) => ({ key: e.key, dtype: e.dtype, shape: e.shape, data: e.dtype === 7 ? a.checkpoint!.stringBytes(e) : a.checkpoint!.bytes(e) }));
      const sink = fileMapSink();
      await writeSavedModel(sink, { savedModel: a.savedModel, checkpoint: tensors });
      for (const f of ['saved_model.pb', 'variables/variables.index', 'variables/variables.data-00000-of-00001']) {
        expect(Buffer.from(sink.files.get(f)!).equals(Buffer.from(src.get(f)!)), `${name}/${f}`).toBe(true);
      }
    }
  });

  it('a failed write leaves the target map untouched and reports a typed error', async () => {
    const target: FileMap = new Map();
    const sink = fileMapSink(target);
    const bad = [{ key: 'v', dtype: 1, shape: [2], data: new Float32Array(3) }];
    await expect(writeSavedModel(sink, { savedModel: { meta_graphs: [] }, checkpoint: bad })).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    expect(target.size).toBe(0);
  });

  it('missing saved_model.pb is NOT_FOUND, naming both file names', async () => {
    const err = await readSavedModel(fileMapSource(new Map())).catch((e) => e);
    expect(isSavedModelError(err, 'NOT_FOUND')).toBe(true);
    expect(String(err.message)).toContain('saved_model.pbtxt|saved_model.pb');
  });

  it('a sink target or source that is not a map is INVALID_ARGUMENT at once, not a TypeError at commit', () => {
    for (const bad of [{}, [], null, 'dir']) {
      expect(() => fileMapSink(bad as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    for (const bad of [null, 3, 'dir']) {
      expect(() => fileMapSource(bad as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  it('rejects unsafe paths in file maps', () => {
    for (const p of ['../x', '/abs', 'a/../../b', 'a\\b', 'C:/x', '']) {
      expect(() => fileMapSource(new Map([[p, new Uint8Array(1)]]))).toThrow(SavedModelError);
    }
  });
});

/**
 * Corrupt input: every file of every fixture truncated at 50 points and hit by 2,000 random
 * byte flips. Reading (and, when reading works, verifying) must give a result or a
 * SavedModelError naming the file — never another exception, never a hang.
 */
describe('SavedModel files: corrupt input gives typed errors only', () => {
  const CUTS = 50, FLIPS = 2000;
  const SKIP = /^variables\//; // checkpoint files have their own, deeper fuzz tests
  it.each(FIXTURE_NAMES)('%s', async (name) => {
    const src = fixtureFiles(name);
    const rand = mulberry32(0x5eed ^ name.length * 7919);
    let typed = 0, ok = 0;
    let n = 0;
    const attempt = async (file: string, bytes: Uint8Array) => {
      // Let the worker's event loop breathe: a long synchronous stretch starves vitest's RPC.
      if (++n % 50 === 0) await new Promise((r) => setImmediate(r));
      const files = new Map(src);
      files.set(file, bytes);
      try {
        const r = await readSavedModel(fileMapSource(files), { checkpoint: false });
        // Verification of whatever decoded must not blow up either (findings only). The
        // checkpoint is left out here: its corruption has its own tests, and re-reading it
        // 2,000 times per fixture would only cost time.
        // (Every 8th decodable mutation, to keep the suite fast; each run is seeded.)
        if (ok % 8 === 0) {
          const rep = await verifySavedModel(fileMapSource(new Map([...files].filter(([p]) => !p.startsWith('variables/')))));
          expect(rep.findings).toBeInstanceOf(Array);
        }
        expect(r.savedModel).toBeDefined();
        ok++;
      } catch (e) {
        if (!(e instanceof SavedModelError)) throw new Error(`${name}/${file}: non-typed ${(e as Error)?.name}: ${(e as Error)?.message}`);
        expect(e.file).toBeTruthy();
        typed++;
      }
    };
    const targets = [...src.keys()].filter((f) => !SKIP.test(f) && !f.startsWith('assets/'));
    // 2,000 flips per fixture: most in saved_model.pb, the rest shared by the other files.
    const others = targets.length - 1;
    for (const [file, bytes] of src) {
      if (!targets.includes(file)) continue;
      for (let k = 1; k <= CUTS; k++) await attempt(file, bytes.subarray(0, Math.floor((bytes.length * k) / (CUTS + 1))));
      const flips = others === 0 ? FLIPS : file === 'saved_model.pb' ? FLIPS - 400 : Math.floor(400 / others);
      for (let k = 0; k < flips; k++) {
        const copy = bytes.slice();
        const i = randomInt(rand, copy.length);
        copy[i] = copy[i]! ^ (1 + randomInt(rand, 255));
        await attempt(file, copy);
      }
    }
    expect(typed + ok).toBeGreaterThan(CUTS);
  });
});
