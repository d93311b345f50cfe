// Bad input to the .h5 functions: typed errors naming what is wrong, never a raw exception.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKerasH5, saveKerasH5 } from '../src/index.js';
import { ZOO } from './helpers/format-zoo.js';
import { h5StringAttr, withH5StringAttr } from './helpers/h5-attrs.js';

const dir = mkdtempSync(join(tmpdir(), 'keras-h5-err-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const code = async (p: Promise<unknown>) => p.then(() => 'no error', (e: { code?: string; name?: string }) => `${e.name}:${e.code}`);

describe('.h5 errors', () => {
  it('not HDF5, truncated HDF5, missing file → CORRUPT / NOT_FOUND', async () => {
    expect(await code(loadKerasH5(new TextEncoder().encode('{"not": "hdf5"}')))).toBe('SavedModelError:CORRUPT');
    const good = await saveKerasH5(ZOO[0]!.make());
    expect(await code(loadKerasH5(good.subarray(0, 700)))).toBe('SavedModelError:CORRUPT');
    expect(await code(loadKerasH5(join(dir, 'absent.h5')))).toBe('SavedModelError:NOT_FOUND');
  });

  it('an HDF5 file without model_config → NOT_FOUND naming the attribute', async () => {
    const h5 = (await import('h5wasm')).default;
    const mod = await h5.ready;
    const f = new h5.File('/plain.h5', 'w');
    f.create_group('data');
    f.close();
    const bytes = mod.FS.readFile('/plain.h5');
    const err = await loadKerasH5(bytes).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND', key: 'model_config' });
  });

  it('weights that do not fit the architecture → CORRUPT naming the layer', async () => {
    const a = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4], name: 'd' })] });
    const bytes = await saveKerasH5(a);
    // the same file with a config whose layer is bigger than its weights
    const patched = await withH5StringAttr(bytes, 'model_config', (await h5StringAttr(bytes, 'model_config'))!.replace('"units": 3', '"units": 5'));
    const err = await loadKerasH5(patched).catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'CORRUPT' });
    expect(String(err)).toMatch(/layer d|d\/kernel/);
  });

  it('unknown option keys → INVALID_ARGUMENT; overwrite: false on an existing file → ALREADY_EXISTS', async () => {
    const m = ZOO[0]!.make();
    expect(await code(saveKerasH5(m, undefined, { includeOptimiser: true } as never))).toBe('SavedModelError:INVALID_ARGUMENT');
    expect(await code(loadKerasH5(new Uint8Array(8), { compiled: false } as never))).toBe('SavedModelError:INVALID_ARGUMENT');
    const p = join(dir, 'exists.h5');
    writeFileSync(p, 'x');
    expect(await code(saveKerasH5(m, p, { overwrite: false }))).toBe('SavedModelError:ALREADY_EXISTS');
    await saveKerasH5(m, p);
    expect((await loadKerasH5(p)).layers).toHaveLength(2);
  });
});
