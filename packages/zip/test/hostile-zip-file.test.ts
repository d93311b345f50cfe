// openZipFile (archives read from the file, used past 1 GiB) agrees with the in-memory reader on
// small archives of every shape our writer makes (STORE, DEFLATE, streamed entries with data
// descriptors, ZIP64 records), and rejects what the in-memory reader rejects.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SavedModelError } from '@savedmodel-js/core';
import { openZipArchive, ZipWriter } from '@savedmodel-js/zip';
import { openZipFile } from '@savedmodel-js/zip/node';
import { collector, craftZip, tempDir, text } from './helpers.js';

const tmp = tempDir('zip-file-');
afterAll(() => tmp.cleanup());

async function contents(a: { entries: readonly { name: string; directory: boolean }[]; chunks(e: never): AsyncIterable<Uint8Array> }): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const e of a.entries) {
    const parts: number[] = [];
    for await (const c of a.chunks(e as never)) parts.push(...c);
    out[e.name] = parts;
  }
  return out;
}

describe('openZipFile', () => {
  it.each([
    { compression: 'store' as const, forceZip64: false },
    { compression: 'deflate' as const, forceZip64: false },
    { compression: 'deflate' as const, forceZip64: true },
  ])('$compression, forceZip64 $forceZip64: same entries and contents as openZipArchive', async (o) => {
    const c = collector();
    const w = new ZipWriter(c.sink, o);
    await w.add('m/saved_model.pb', new Uint8Array(3000).map((_, i) => i * 7));
    await w.addDirectory('m/assets/');
    await w.add('m/variables/variables.data-00000-of-00001', [new Uint8Array(70_000).fill(1), new Uint8Array(5).fill(2)]); // streamed: data descriptor
    await w.add('m/empty', new Uint8Array(0));
    await w.finish();
    const path = join(tmp.dir, `${o.compression}-${o.forceZip64}.zip`);
    writeFileSync(path, c.bytes());
    const mem = await openZipArchive(c.bytes());
    const file = await openZipFile(path);
    try {
      expect(file.entries).toEqual(mem.entries);
      expect(await contents(file as never)).toEqual(await contents(mem as never));
      expect(Array.from(await file.read(file.get('m/saved_model.pb')!))).toEqual(Array.from(await mem.read(mem.get('m/saved_model.pb')!)));
    } finally {
      await file.close();
    }
  });

  it('a CRC mismatch, a lying size and a non-regular file are typed errors', async () => {
    const bad = join(tmp.dir, 'bad.zip');
    writeFileSync(bad, craftZip([{ name: 'a', data: text('payload'), crc: 1 }]));
    const a = await openZipFile(bad);
    let err: SavedModelError | undefined;
    try { for await (const _ of a.chunks(a.get('a')!)) { /* drain */ } } catch (e) { err = e as SavedModelError; }
    expect(err?.code).toBe('CHECKSUM_MISMATCH');
    await a.close();
    const lie = join(tmp.dir, 'lie.zip');
    writeFileSync(lie, craftZip([{ name: 'a', data: text('payload'), localCsize: 3 }]));
    await expect(openZipFile(lie)).rejects.toMatchObject({ code: 'CORRUPT' });
    const fifo = join(tmp.dir, 'fifo.zip');
    execFileSync('mkfifo', [fifo]);
    await expect(openZipFile(fifo)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(openZipFile(join(tmp.dir, 'missing.zip'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
