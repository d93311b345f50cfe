// Zip entries are read into memory only up to maxEntryBytes (default: core's maxTensorBytes);
// larger ones are LIMIT_EXCEEDED before anything is inflated and can still be streamed.
import { describe, expect, it } from 'vitest';
import { crc32, type SavedModelError } from '@savedmodel-js/core';
import { crc32Extend } from '@savedmodel-js/core/internal';
import { openZipArchive, ZipWriter, zipSource } from '@savedmodel-js/zip';
import { collector } from './helpers.js';

describe('zip entry budget', () => {
  it('read() refuses an entry over maxEntryBytes before inflating; chunks() streams it', async () => {
    const c = collector();
    const w = new ZipWriter(c.sink, { compression: 'deflate' });
    const data = new Uint8Array(4 * 2 ** 20).fill(7);
    await w.add('saved_model.pb', data);
    await w.finish();
    const src = await zipSource(c.bytes(), { maxEntryBytes: 2 ** 20 });
    let err: SavedModelError | undefined;
    try { await src.read('saved_model.pb'); } catch (e) { err = e as SavedModelError; }
    expect(err?.code).toBe('LIMIT_EXCEEDED');
    expect(err?.file).toBe('saved_model.pb');
    expect(err?.message).toMatch(/maxEntryBytes/);
    const archive = await openZipArchive(c.bytes(), { maxEntryBytes: 2 ** 20 });
    let n = 0, crc = 0;
    for await (const chunk of archive.chunks(archive.get('saved_model.pb')!)) { n += chunk.length; crc = crc32Extend(crc, chunk); }
    expect(n).toBe(data.length);
    expect(crc >>> 0).toBe(crc32(data));
    expect((await (await zipSource(c.bytes())).read('saved_model.pb')).length).toBe(data.length);
  });
});
