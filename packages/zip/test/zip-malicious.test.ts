// Hand-crafted hostile archives (built byte by byte in helpers.ts, independent of our writer):
// every one gives the typed error naming the entry, and extractZip never writes outside its
// target (nor leaves its temp dir behind).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, isSavedModelError, type SavedModelErrorCode } from '@savedmodel-js/core';
import { zipSource, type ZipSourceOptions } from '@savedmodel-js/zip';
import { extractZip } from '@savedmodel-js/zip/node';
import { craftZip, tempDir, text, walk, type CraftEntry } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const evilAbs = join(tmpdir(), `zip-evil-${randomBytes(4).toString('hex')}.txt`);
const zeros64M = new Uint8Array(64 << 20);
const bomb = deflateRawSync(zeros64M, { level: 9 });
const zerosCrc = crc32(zeros64M);
const payload = text('pwned\n');

interface Case {
  name: string;
  bytes: Uint8Array;
  code: SavedModelErrorCode;
  /** The entry the error must name (default: none checked). */
  file?: string;
  /** Message fragment. */
  message?: RegExp;
  options?: ZipSourceOptions;
  /** The archive opens; reading `read` fails. */
  read?: string;
}

function entry(name: string, data: Uint8Array = payload, more: Partial<CraftEntry> = {}): CraftEntry {
  return { name, data, ...more };
}

const unicodePathExtra = (forName: string, path: string) => {
  const p = text(path);
  const out = new Uint8Array(4 + 5 + p.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0x7075, true);
  v.setUint16(2, 5 + p.length, true);
  out[4] = 1;
  v.setUint32(5, crc32(text(forName)), true);
  out.set(p, 9);
  return out;
};

const CASES: Case[] = [
  { name: '../ path', bytes: craftZip([entry('ok.txt'), entry('../evil.txt')]), code: 'INVALID_ARGUMENT', file: '../evil.txt', message: /parent-directory/ },
  { name: 'nested ../ path', bytes: craftZip([entry('a/b/../../../evil.txt')]), code: 'INVALID_ARGUMENT', file: 'a/b/../../../evil.txt' },
  { name: 'absolute path', bytes: craftZip([entry(evilAbs)]), code: 'INVALID_ARGUMENT', file: evilAbs, message: /absolute/ },
  { name: 'drive letter', bytes: craftZip([entry('C:/evil.txt')]), code: 'INVALID_ARGUMENT', file: 'C:/evil.txt', message: /drive/ },
  { name: 'drive-relative', bytes: craftZip([entry('C:evil.txt')]), code: 'INVALID_ARGUMENT', file: 'C:evil.txt' },
  { name: 'backslashes', bytes: craftZip([entry('a\\..\\..\\evil.txt')]), code: 'INVALID_ARGUMENT', file: 'a\\..\\..\\evil.txt', message: /backslash/ },
  { name: 'NUL in name', bytes: craftZip([entry('evil.txt\0.pb')]), code: 'INVALID_ARGUMENT', file: 'evil.txt\0.pb' },
  { name: 'duplicate names', bytes: craftZip([entry('saved_model.pb', text('one')), entry('saved_model.pb', text('two'))]), code: 'INVALID_ARGUMENT', file: 'saved_model.pb', message: /duplicate/ },
  { name: 'names differing only in case', bytes: craftZip([entry('Saved_Model.pb'), entry('saved_model.pb')]), code: 'INVALID_ARGUMENT', file: 'saved_model.pb', message: /case/ },
  { name: 'a file that is also a folder', bytes: craftZip([entry('variables'), entry('variables/variables.index')]), code: 'INVALID_ARGUMENT', file: 'variables/variables.index' },
  { name: 'central directory offset outside the file', bytes: craftZip([entry('a.txt')], { cdOffsetDelta: 1_000_000 }), code: 'CORRUPT', message: /outside the file/ },
  { name: 'central directory offset off by one', bytes: craftZip([entry('a.txt')], { cdOffsetDelta: -1 }), code: 'CORRUPT' },
  { name: 'prepended bytes (offsets not adjusted)', bytes: new Uint8Array(Buffer.concat([text('MZ stub'), craftZip([entry('a.txt')])])), code: 'CORRUPT' },
  { name: 'entry count lies', bytes: craftZip([entry('a.txt'), entry('b.txt')], { declaredEntries: 5 }), code: 'CORRUPT' },
  { name: 'central size runs past the data (sizes lie)', bytes: craftZip([entry('a.txt', payload, { csize: 5000, usize: 5000, localCsize: 5000, localUsize: 5000 })]), code: 'CORRUPT', file: 'a.txt', message: /sizes lie/ },
  { name: 'local and central sizes differ', bytes: craftZip([entry('a.txt', payload, { localCsize: 3, localUsize: 3 })]), code: 'CORRUPT', file: 'a.txt', message: /disagrees/ },
  { name: 'stored entry with compressed ≠ uncompressed size', bytes: craftZip([entry('a.txt', payload, { usize: 100, localUsize: 100 })]), code: 'CORRUPT', file: 'a.txt' },
  { name: 'impossible DEFLATE ratio', bytes: craftZip([entry('w.bin', bomb.subarray(0, 100), { method: 8, usize: 1e9, localUsize: 1e9 })]), code: 'CORRUPT', file: 'w.bin', message: /impossible/ },
  { name: 'overlapping entries', bytes: craftZip([entry('a.bin', new Uint8Array(200), { csize: 200 + 30 + 5 + 6, localCsize: 200 + 30 + 5 + 6, usize: 241, localUsize: 241 }), entry('b.txt')]), code: 'CORRUPT' },
  { name: 'local name differs from the central name', bytes: craftZip([entry('safe.txt', payload, { localName: '../evil.txt' })]), code: 'CORRUPT', file: 'safe.txt', message: /name different/ },
  { name: 'Unicode-path extra field with another path', bytes: craftZip([entry('safe.txt', payload, { centralExtra: unicodePathExtra('safe.txt', '../evil.txt') })]), code: 'CORRUPT', file: 'safe.txt', message: /Unicode path/ },
  { name: 'local header offset outside the entry area', bytes: craftZip([entry('a.txt', payload, { offsetOverride: 0x7fff_0000 })]), code: 'CORRUPT', file: 'a.txt' },
  { name: 'encrypted entry', bytes: craftZip([entry('a.txt', payload, { flags: 0x801 })]), code: 'UNSUPPORTED', file: 'a.txt', message: /encrypted/ },
  { name: 'bzip2 method', bytes: craftZip([entry('a.txt', payload, { method: 12 })]), code: 'UNSUPPORTED', file: 'a.txt' },
  { name: 'symbolic link', bytes: craftZip([entry('link', text('/etc/passwd'), { externalAttrs: (0o120777 << 16) >>> 0 })]), code: 'UNSUPPORTED', file: 'link' },
  { name: 'not a zip', bytes: text('just some text, long enough to look for an end record'), code: 'CORRUPT' },
  { name: 'truncated archive', bytes: craftZip([entry('a.txt')]).subarray(0, 60), code: 'CORRUPT' },
  { name: 'zip bomb: 64 MiB of zeros against a 16 MiB limit', bytes: craftZip([entry('bomb.bin', bomb, { method: 8, usize: zeros64M.length, crc: zerosCrc })]), code: 'LIMIT_EXCEEDED', file: 'bomb.bin', options: { maxUncompressedBytes: 16 << 20 } },
  { name: 'many small bombs add up past the limit', bytes: craftZip(Array.from({ length: 8 }, (_, i) => entry(`b${i}.bin`, bomb, { method: 8, usize: zeros64M.length, crc: zerosCrc }))), code: 'LIMIT_EXCEEDED', file: 'b3.bin', options: { maxUncompressedBytes: 200 << 20 } },
  { name: 'too many entries', bytes: craftZip(Array.from({ length: 20 }, (_, i) => entry(`f${i}`))), code: 'LIMIT_EXCEEDED', options: { maxEntries: 10 } },
  // Opens (the declared sizes are plausible); reading finds the lie.
  { name: 'DEFLATE entry inflating past its declared size (bomb in disguise)', bytes: craftZip([entry('bomb.bin', bomb, { method: 8, usize: 1000, crc: zerosCrc })]), code: 'CORRUPT', file: 'bomb.bin', message: /more than its declared/, read: 'bomb.bin' },
  { name: 'DEFLATE entry shorter than declared', bytes: craftZip([entry('a.txt', deflateRawSync(payload), { method: 8, usize: 500, crc: crc32(payload) })]), code: 'CORRUPT', file: 'a.txt', message: /not its declared/, read: 'a.txt' },
  { name: 'stored entry with a wrong CRC', bytes: craftZip([entry('a.txt', payload, { crc: 1234 })]), code: 'CHECKSUM_MISMATCH', file: 'a.txt', read: 'a.txt' },
  { name: 'DEFLATE entry with a wrong CRC', bytes: craftZip([entry('a.txt', deflateRawSync(payload), { method: 8, usize: payload.length, crc: 1234 })]), code: 'CHECKSUM_MISMATCH', file: 'a.txt', read: 'a.txt' },
  { name: 'garbage DEFLATE data', bytes: craftZip([entry('a.txt', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), { method: 8, usize: 10, crc: 0 })]), code: 'CORRUPT', file: 'a.txt', read: 'a.txt' },
];

function expectError(e: unknown, c: Case): void {
  expect(isSavedModelError(e), `${c.name}: ${String(e)}`).toBe(true);
  if (!isSavedModelError(e)) return;
  expect(e.code, `${c.name}: ${e.message}`).toBe(c.code);
  if (c.file !== undefined) expect(e.file, e.message).toBe(c.file);
  if (c.message) expect(e.message).toMatch(c.message);
}

describe('hostile archives → typed errors', () => {
  it('the crafted archives are well-formed apart from their one lie (jszip-free sanity check)', async () => {
    const ok = await zipSource(craftZip([entry('a.txt'), entry('b/c.txt', deflateRawSync(payload), { method: 8, usize: payload.length, crc: crc32(payload) })]));
    expect(await ok.list()).toEqual(['a.txt', 'b/c.txt']);
    expect(new TextDecoder().decode(await ok.read('b/c.txt'))).toBe('pwned\n');
    // Data before the first entry is fine when the offsets account for it (self-extracting archives).
    expect(await (await zipSource(craftZip([entry('a.txt')], { prepend: text('MZ stub') }))).list()).toEqual(['a.txt']);
    // The 64 MiB bomb is honest: with the default limit it reads back.
    const honest = await zipSource(craftZip([entry('bomb.bin', bomb, { method: 8, usize: zeros64M.length, crc: zerosCrc })]));
    expect((await honest.read('bomb.bin')).length).toBe(zeros64M.length);
  });

  it.each(CASES)('zipSource: $name', async (c) => {
    let err: unknown;
    try {
      const src = await zipSource(c.bytes, c.options);
      if (c.read === undefined) throw new Error('archive was accepted');
      await src.read(c.read);
      throw new Error('read succeeded');
    } catch (e) {
      err = e;
    }
    expectError(err, c);
  });

  it.each(CASES)('extractZip: $name — nothing outside the target, no temp dir left', async (c) => {
    const base = join(tmp.dir, c.name.replace(/\W+/g, '_'));
    const archive = join(base, 'archive.zip');
    mkdirSync(base, { recursive: true });
    writeFileSync(archive, c.bytes);
    const target = join(base, 'out', 'target');
    let err: unknown;
    try {
      await extractZip(archive, target, c.options);
    } catch (e) {
      err = e;
    }
    expectError(err, c);
    const left = walk(base);
    expect(left.filter((p) => p !== 'archive.zip' && p !== 'out/'), left.join(', ')).toEqual([]);
    expect(existsSync(join(base, 'evil.txt'))).toBe(false);
    expect(existsSync(join(tmp.dir, 'evil.txt'))).toBe(false);
    expect(existsSync(evilAbs)).toBe(false);
  });

  it('a bomb in disguise is stopped early: memory does not grow by its real size', async () => {
    // 256 MiB of zeros (≈256 KiB deflated) declared as 1 KiB: reading must stop right after the
    // first inflated chunks instead of inflating everything.
    const big = new Uint8Array(256 << 20);
    const chunk = deflateRawSync(big, { level: 9 });
    const bytes = craftZip([entry('bomb.bin', chunk, { method: 8, usize: 1024, crc: crc32(big.subarray(0, 1024)) })]);
    const src = await zipSource(bytes);
    const t0 = performance.now();
    const before = process.memoryUsage().arrayBuffers;
    await expect(src.read('bomb.bin')).rejects.toSatisfy((e) => isSavedModelError(e, 'CORRUPT'));
    const grew = process.memoryUsage().arrayBuffers - before;
    expect(grew).toBeLessThan(64 << 20);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
