// zipSource gives identical results for the same archive as a Uint8Array, a Buffer from
// readFileSync, a pool-slice Buffer and a subarray with a non-zero offset (all TF fixtures,
// stored and deflated).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSavedModel, tensorflow } from '@savedmodel-js/core';
import { ZipWriter, zipSource } from '@savedmodel-js/zip';
import { byteViews } from '../../core/test/byte-views.js';
import { FIXTURE_NAMES, FIXTURES } from '../../core/test/shared.js';
import { collector, tempDir } from './helpers.js';

const tmp = tempDir('zip-views-');
afterAll(() => tmp.cleanup());

function files(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel))) {
    const p = rel ? `${rel}/${e}` : e;
    if (statSync(join(dir, p)).isDirectory()) out.push(...files(dir, p));
    else out.push(p);
  }
  return out.sort();
}

describe.each(FIXTURE_NAMES)('zip byte views of %s', (name) => {
  it.each(['store', 'deflate'] as const)('%s: every view kind reads the same files and SavedModel', async (compression) => {
    const c = collector();
    const w = new ZipWriter(c.sink, { compression });
    for (const p of files(join(FIXTURES, name))) await w.add(`${name}/${p}`, new Uint8Array(readFileSync(join(FIXTURES, name, p))));
    await w.finish();
    const path = join(tmp.dir, `${name}-${compression}.zip`);
    writeFileSync(path, c.bytes());
    const results = [];
    for (const v of byteViews(path)) {
      const src = await zipSource(v.bytes);
      await new Promise((r) => setImmediate(r)); // keep the runner's RPC alive on a busy machine
      const contents: Record<string, string> = {};
      for (const p of await src.list()) contents[p] = Buffer.from(await src.read(p)).toString('base64');
      const sm = await readSavedModel(src);
      results.push({ kind: v.kind, contents, savedModel: Buffer.from(tensorflow.SavedModel.encode(sm.savedModel).finish()).toString('base64') });
    }
    expect(Object.keys(results[0]!.contents)).toContain('saved_model.pb');
    for (const r of results.slice(1)) {
      expect(r.contents, r.kind).toEqual(results[0]!.contents);
      expect(r.savedModel, r.kind).toEqual(results[0]!.savedModel);
    }
  });
});
