// Zip archives and extractions published exclusively: two concurrent writers to one new path,
// exactly one succeeds (the other ALREADY_EXISTS), 20 trials each.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensorflow, type SavedModelError } from '@savedmodel-js/core';
import { ZipWriter } from '@savedmodel-js/zip';
import { extractZip, writeSavedModelZip } from '@savedmodel-js/zip/node';
import { collector, tempDir, text } from './helpers.js';

const tmp = tempDir('zip-publish-');
afterAll(() => tmp.cleanup());
const model = (tag: string) => ({ savedModel: tensorflow.SavedModel.create({ saved_model_schema_version: 1, meta_graphs: [{ meta_info_def: { tags: [tag] } }] }) });

function exactlyOne(results: PromiseSettledResult<unknown>[], what: string): number {
  const ok = results.map((r) => r.status === 'fulfilled');
  expect(ok.filter(Boolean).length, what).toBe(1);
  const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  expect((loser.reason as SavedModelError).code, what).toBe('ALREADY_EXISTS');
  return ok.indexOf(true);
}

describe('exclusive publishing', () => {
  it('writeSavedModelZip: 20 trials of two concurrent writers to one new path', async () => {
    for (let t = 0; t < 20; t++) {
      const target = join(tmp.dir, `zip-${t}`, 'model.zip');
      const winner = exactlyOne(await Promise.allSettled([writeSavedModelZip(target, model('a')), writeSavedModelZip(target, model('b'))]), `trial ${t}`);
      const bytes = readFileSync(target);
      expect(bytes.includes(Buffer.from(winner === 0 ? 'a' : 'b'))).toBe(true);
      expect(readdirSync(join(tmp.dir, `zip-${t}`))).toEqual(['model.zip']);
    }
  });

  it('extractZip: 20 trials of two concurrent extractions to one new path', async () => {
    const archives = await Promise.all(['a', 'b'].map(async (tag) => {
      const c = collector();
      const w = new ZipWriter(c.sink);
      await w.add('saved_model.pb', text(tag));
      await w.finish();
      return c.bytes();
    }));
    for (let t = 0; t < 20; t++) {
      const target = join(tmp.dir, `x-${t}`, 'out');
      const winner = exactlyOne(await Promise.allSettled(archives.map((a) => extractZip(a, target))), `trial ${t}`);
      expect(readFileSync(join(target, 'saved_model.pb'), 'utf8')).toBe(winner === 0 ? 'a' : 'b');
      expect(readdirSync(join(tmp.dir, `x-${t}`))).toEqual(['out']);
    }
  });
});
