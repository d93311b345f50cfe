// The directory sink writes a streamed file (the checkpoint's data file) with a few positional
// writes in flight (it asks for the next chunks while the previous ones are being written); it
// keeps the order, keeps its promise to release chunk i before asking for chunk
// i + releasesChunksAfter, and a source that fails mid-way fails the write without leaving a
// published directory.
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

  it('a producer reusing buffers as releasesChunksAfter allows gets its exact bytes written', async () => {
    const dir = join(root, 'reuse');
    const sink = await dirSink(dir);
    const window = sink.releasesChunksAfter!;
    expect(Number.isInteger(window) && window >= 1).toBe(true);
    const parts = chunks(3, 120).filter((c) => c.length > 0);
    const pool = Array.from({ length: window }, () => new Uint8Array(300_001));
    async function* source() {
      for (let j = 0; j < parts.length; j++) {
        const piece = pool[j % window]!.subarray(0, parts[j]!.length);
        piece.set(parts[j]!);
        yield piece;
        // what a checksum over the piece does after the sink has it: a tick of other work
        await new Promise((r) => setImmediate(r));
      }
    }
    await sink.write('data', source());
    await sink.commit();
    expect(readFileSync(join(dir, 'data')).equals(concat(parts))).toBe(true);
  });
});
