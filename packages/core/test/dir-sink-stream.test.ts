// The directory sink writes a streamed file (the checkpoint's data file) with one write in
// flight (it asks for the next chunk while the previous one is being written); it keeps the
// order, and a source that fails mid-way fails the write without leaving a published directory.
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirSink } from '@savedmodel-js/core/node';
import { mulberry32, randomBytes } from './checkpoint-prng.js';

const root = mkdtempSync(join(tmpdir(), 'sm-dir-sink-stream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function chunks(seed: number, n: number): Uint8Array[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => randomBytes(rand, i % 5 === 3 ? 0 : 1 + Math.floor(rand() * 300_000)));
}

const concat = (cs: Uint8Array[]) => Buffer.concat(cs);

describe('dirSink streaming writes', () => {
  it('writes an async iterable in order, empty chunks included', async () => {
    const parts = chunks(1, 23);
    const dir = join(root, 'ok');
    const sink = await dirSink(dir);
    let pulled = 0;
    async function* source() {
      for (const c of parts) { pulled++; yield c; }
    }
    await sink.write('variables/data', source());
    await sink.commit();
    expect(pulled).toBe(parts.length);
    expect(readFileSync(join(dir, 'variables/data')).equals(concat(parts))).toBe(true);
  });

  it('writes a plain iterable of chunks too', async () => {
    const parts = chunks(2, 5);
    const dir = join(root, 'sync');
    const sink = await dirSink(dir);
    await sink.write('data', parts);
    await sink.commit();
    expect(readFileSync(join(dir, 'data')).equals(concat(parts))).toBe(true);
  });

  it('a source failing after some chunks fails the write; abort leaves nothing', async () => {
    const dir = join(root, 'fail');
    const sink = await dirSink(dir);
    async function* source() {
      yield new Uint8Array(200_000);
      yield new Uint8Array(10);
      throw new Error('read failed');
    }
    await expect(sink.write('data', source())).rejects.toThrow(/read failed/);
    await sink.abort();
    expect(existsSync(dir)).toBe(false);
  });
});
