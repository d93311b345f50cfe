// dirSource's ranged reads (data-file records, read one by one): every range returns the file's own
// bytes — across the read-ahead block's edges, small and large — in a buffer the caller owns; the
// handle opened for a burst of reads is closed when the event loop turns, and a later burst sees
// the file as it is then.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirSource } from '@savedmodel-js/core/node';
import { mulberry32, randomBytes, randomInt } from './checkpoint-prng.js';

const tmp = mkdtempSync(join(tmpdir(), 'ranged-file-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const same = (x: Uint8Array, y: Uint8Array) => Buffer.compare(x, y) === 0;
const turn = () => new Promise((r) => setImmediate(r));
// Linux lists a process's open descriptors here (CI and this project's machines are Linux)
const openFds = () => readdirSync('/proc/self/fd').length;

describe.each([false, true])('ranged reads (dirSource blocking: %s)', (blocking) => {
  const rand = mulberry32(blocking ? 7 : 11);
  const bytes = randomBytes(rand, (1 << 20) + 12345);
  const name = `data-${blocking}`;
  writeFileSync(join(tmp, name), bytes);

  it('any range is the file\'s bytes: consecutive small records, block edges, large and empty reads', async () => {
    const f = await dirSource(tmp, { blocking }).openRanged!(name);
    expect(f.size).toBe(bytes.length);
    // consecutive records as a checkpoint lays them out, then random ones in any order
    let o = 0;
    while (o < bytes.length) {
      const n = Math.min(bytes.length - o, 1 + randomInt(rand, 3000));
      expect(same(f.read(o, n), bytes.subarray(o, o + n)), `[${o}, ${o + n})`).toBe(true);
      o += n;
    }
    const ranges: [number, number][] = [[0, 0], [bytes.length, 0], [bytes.length - 1, 1], [(256 << 10) - 3, 7], [(256 << 10) - 3, 70_000], [5, 1 << 20]];
    for (let i = 0; i < 200; i++) {
      const at = randomInt(rand, bytes.length);
      ranges.push([at, randomInt(rand, Math.min(bytes.length - at, i % 10 === 0 ? 200_000 : 5000) + 1)]);
    }
    for (const [at, n] of ranges) expect(same(f.read(at, n), bytes.subarray(at, at + n)), `[${at}, ${at + n})`).toBe(true);
  });

  it('returns a copy the caller owns: changing it changes no later read', async () => {
    const f = await dirSource(tmp, { blocking }).openRanged!(name);
    const a = f.read(100, 50);
    a.fill(0);
    expect(same(f.read(100, 50), bytes.subarray(100, 150))).toBe(true);
    expect(same(f.read(120, 10), bytes.subarray(120, 130))).toBe(true);
  });

  it('a range outside the file is TRUNCATED naming the file; the reader still works after it', async () => {
    const f = await dirSource(tmp, { blocking }).openRanged!(name);
    expect(() => f.read(bytes.length - 10, 11)).toThrow(expect.objectContaining({ code: 'TRUNCATED', file: name }));
    expect(() => f.read(-1, 1)).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
    expect(same(f.read(0, 10), bytes.subarray(0, 10))).toBe(true);
  });

  it('the handle of a burst of reads is closed when the event loop turns; the next burst reads the file as it is then', async () => {
    const file = `changing-${blocking}`;
    writeFileSync(join(tmp, file), bytes.subarray(0, 4096));
    await turn();
    const before = openFds();
    const f = await dirSource(tmp, { blocking }).openRanged!(file);
    for (let i = 0; i < 100; i++) f.read(i * 16, 16);
    expect(openFds()).toBe(before + 1);
    await turn();
    expect(openFds()).toBe(before);
    // same size, new bytes: a later burst must not answer from the old read-ahead block
    const next = randomBytes(rand, 4096);
    writeFileSync(join(tmp, file), next);
    expect(same(f.read(16, 16), next.subarray(16, 32))).toBe(true);
    await turn();
    expect(openFds()).toBe(before);
  });

  it('many files read in one burst hold at most 32 handles at once (the longest-open is closed first), every read still right', async () => {
    const files = Array.from({ length: 40 }, (_, i) => {
      const f = `shard-${blocking}-${i}`;
      writeFileSync(join(tmp, f), bytes.subarray(i * 1000, i * 1000 + 5000));
      return f;
    });
    await turn();
    const before = openFds();
    const source = dirSource(tmp, { blocking });
    const ranged = await Promise.all(files.map((f) => source.openRanged!(f)));
    let most = 0;
    for (let round = 0; round < 2; round++) {
      ranged.forEach((f, i) => {
        expect(same(f.read(100 * round, 64), bytes.subarray(i * 1000 + 100 * round, i * 1000 + 100 * round + 64))).toBe(true);
        most = Math.max(most, openFds() - before);
      });
    }
    expect(most).toBe(32);
    await turn();
    expect(openFds()).toBe(before);
  });
});
