// The streaming writer against independent readers: Info-ZIP `unzip -t`, Python's zipfile
// (testzip), jszip (with its CRC check) — STORE and DEFLATE, forced ZIP64, UTF-8 names, empty
// files, streamed data of unknown size, >65,535 entries, and a real >4 GiB archive.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { isSavedModelError } from '@savedmodel-js/core';
import { fromDosDateTime, toDosDateTime, ZipWriter, zipSource, type ZipWriterOptions } from '@savedmodel-js/zip';
import { collector, jszipRead, pythonTest, same, tempDir, text, UNZIP, unzipTest } from './helpers.js';
import { PROGRESS_SLICE } from '../src/zip-writer.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A float-weights-like file: random low bytes, repetitive high bytes (compresses a little). */
function weightsLike(n: number, seed: number): Uint8Array {
  const f = new Float32Array(n / 4);
  const r = pseudoRandom(n / 4, seed);
  for (let i = 0; i < f.length; i++) f[i] = (r[i]! - 128) / 1024;
  return new Uint8Array(f.buffer);
}

/** The file set every configuration writes, with the way each is handed to the writer. */
function sampleFiles() {
  const pb = pseudoRandom(10_000, 1);
  const shard = [weightsLike(1 << 20, 2), pseudoRandom(3, 3), new Uint8Array(0), weightsLike(40_000, 4)];
  const streamed = [pseudoRandom(100_000, 5), pseudoRandom(70_001, 6)];
  const blobBytes = pseudoRandom(12_345, 7);
  const expected = new Map<string, Uint8Array>([
    ['saved_model.pb', pb],
    ['variables/variables.data-00000-of-00001', new Uint8Array(Buffer.concat(shard))],
    ['variables/variables.index', text('index')],
    ['assets/vocab ünïcödé 日本語 ☃.txt', text('héllo\nwörld\n')],
    ['assets/empty.txt', new Uint8Array(0)],
    ['streamed.bin', new Uint8Array(Buffer.concat(streamed))],
    ['blob.bin', blobBytes],
  ]);
  const add = async (w: ZipWriter) => {
    await w.add('saved_model.pb', pb);
    await w.add('variables/variables.data-00000-of-00001', shard);
    await w.add('variables/variables.index', text('index'));
    await w.add('assets/vocab ünïcödé 日本語 ☃.txt', text('héllo\nwörld\n'));
    await w.add('assets/empty.txt', new Uint8Array(0));
    await w.add('streamed.bin', (async function* () { for (const c of streamed) yield c; })());
    await w.add('blob.bin', new Blob([blobBytes as Uint8Array<ArrayBuffer>]));
    await w.addDirectory('extra-folder');
  };
  return { expected, add };
}

const CONFIGS: [string, ZipWriterOptions][] = [
  ['store', {}],
  ['deflate', { compression: 'deflate' }],
  ['store, forced ZIP64', { forceZip64: true }],
  ['deflate, forced ZIP64', { compression: 'deflate', forceZip64: true }],
  ['deflate level 1', { compression: 'deflate', level: 1 }],
];

describe('zip writer: archives pass unzip -t, Python zipfile and jszip', () => {
  it.each(CONFIGS)('%s', async (label, options) => {
    const { expected, add } = sampleFiles();
    const out = collector();
    const w = new ZipWriter(out.sink, options);
    await add(w);
    const summary = await w.finish();
    const bytes = out.bytes();
    expect(summary.bytes).toBe(bytes.length);
    expect(summary.entries).toBe(expected.size + 1);
    expect(summary.zip64).toBe(options.forceZip64 === true);
    const path = join(tmp.dir, `${label.replace(/\W+/g, '_')}.zip`);
    writeFileSync(path, bytes);

    const log = unzipTest(path);
    for (const name of expected.keys()) expect(log).toContain(name);

    const py = pythonTest(path);
    expect(py.map((e) => e.name)).toEqual([...expected.keys(), 'extra-folder/']);
    for (const e of py) {
      expect(e.flags & 0x800, `${e.name}: UTF-8 flag`).toBe(0x800);
      expect(e.date).toEqual([1980, 1, 1, 0, 0, 0]);
      expect(e.size).toBe(expected.get(e.name)?.length ?? 0);
      expect(e.method).toBe(options.compression === 'deflate' && !e.name.endsWith('/') ? 8 : 0);
    }

    const js = await jszipRead(bytes);
    expect([...js.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, data] of expected) expect(same(js.get(name), data), name).toBe(true);

    const src = await zipSource(bytes);
    for (const [name, data] of expected) expect(same(await src.read(name), data), name).toBe(true);
  });

  it('is deterministic: the same input gives the same bytes', async () => {
    const outs = [];
    for (let i = 0; i < 2; i++) {
      const { add } = sampleFiles();
      const out = collector();
      const w = new ZipWriter(out.sink, { compression: 'deflate' });
      await add(w);
      await w.finish();
      outs.push(out.bytes());
    }
    expect(same(outs[0], outs[1])).toBe(true);
  });

  it('writes the given date as DOS time (UTC components)', async () => {
    const date = new Date(Date.UTC(2024, 1, 29, 13, 45, 58));
    const out = collector();
    const w = new ZipWriter(out.sink, { date });
    await w.add('a.txt', text('a'));
    await w.add('b.txt', text('b'), { date: new Date(Date.UTC(2001, 8, 9, 1, 2, 3)) });
    await w.finish();
    const path = join(tmp.dir, 'dated.zip');
    writeFileSync(path, out.bytes());
    const py = pythonTest(path);
    expect(py[0]!.date).toEqual([2024, 2, 29, 13, 45, 58]);
    expect(py[1]!.date).toEqual([2001, 9, 9, 1, 2, 2]); // 2-second resolution
    const dos = toDosDateTime(date);
    expect(fromDosDateTime(dos.date, dos.time).getTime()).toBe(date.getTime());
    expect(toDosDateTime(new Date(Date.UTC(1970, 0, 1)))).toEqual({ date: 0x21, time: 0 });
  });

  it('ZIP64 by entry count: 70,000 entries (not forced)', async () => {
    const out = collector();
    const w = new ZipWriter(out.sink);
    const n = 70_000;
    for (let i = 0; i < n; i++) await w.add(`d${i % 10}/f${i}`, text(String(i)));
    const summary = await w.finish();
    expect(summary.zip64).toBe(true);
    const bytes = out.bytes();
    const path = join(tmp.dir, 'many.zip');
    writeFileSync(path, bytes);
    const log = unzipTest(path);
    expect(log).toContain('d9/f69999');
    const py = pythonTest(path);
    expect(py.length).toBe(n);
    expect(py[n - 1]!.name).toBe(`d9/f${n - 1}`);
    const src = await zipSource(bytes);
    expect((await src.list()).length).toBe(n);
    expect(new TextDecoder().decode(await src.read('d3/f12343'))).toBe('12343');
    const js = await JSZip.loadAsync(bytes);
    expect(Object.keys(js.files).length).toBe(n);
    expect(await js.file('d9/f69999')!.async('string')).toBe('69999');
  });

  it('a real archive past 4 GiB (sparse file): ZIP64 sizes and offsets, streamed and known-size entries', async () => {
    // Two 4.02 GiB all-zero entries, handed over as the same 16 MiB buffer again and again, so
    // the test allocates 16 MiB; the file is sparse (zero chunks are skipped, not written).
    // Python's zipfile CRC-checks every byte (~10 s); `unzip -t` checks the small entries that
    // lie past 4 GiB (checking 8 GiB of zeros takes Info-ZIP ~90 s) and lists them all.
    const ZERO = new Uint8Array(16 << 20);
    const N = 257; // 257 × 16 MiB = 4,311,744,512 bytes > 4 GiB
    const path = join(tmp.dir, 'big.zip');
    const fd = openSync(path, 'w');
    let pos = 0;
    try {
      const w = new ZipWriter((c) => {
        if (c !== ZERO) writeSync(fd, c, 0, c.length, pos);
        pos += c.length;
      });
      await w.add('big-streamed.bin', (function* () { for (let i = 0; i < N; i++) yield ZERO; })());
      await w.add('middle.txt', text('in the middle\n'));
      await w.add('big-known.bin', Array.from({ length: N }, () => ZERO));
      await w.add('after.txt', text('past 8 GiB\n'));
      const s = await w.finish();
      expect(s.zip64).toBe(true);
      expect(s.bytes).toBeGreaterThan(2 * 4 * 1024 ** 3);
      ftruncateSync(fd, pos);
    } finally {
      closeSync(fd);
    }
    const r = spawnSync(UNZIP, ['-t', path, 'middle.txt', 'after.txt'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('No errors detected');
    const listing = spawnSync(UNZIP, ['-Z', '-l', path], { encoding: 'utf8' }).stdout;
    expect(listing).toContain('4311744512');
    const py = pythonTest(path);
    expect(py.map((e) => [e.name, e.size])).toEqual([
      ['big-streamed.bin', N * (16 << 20)], ['middle.txt', 14], ['big-known.bin', N * (16 << 20)], ['after.txt', 11],
    ]);
    const p = spawnSync(UNZIP, ['-p', path, 'after.txt'], { encoding: 'utf8' });
    expect(p.stdout).toBe('past 8 GiB\n');
  }, 300_000);
});

describe('zip writer: API rules', () => {
  it('rejects unsafe and duplicate names, and use after finish/abort', async () => {
    const w = new ZipWriter(() => {});
    for (const bad of ['../x', '/abs', 'a/../b', 'C:/x', 'a\\b', '', 'a//b', './a', 'nul\0', 'folder/']) {
      await expect(w.add(bad, text('x')), bad).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    }
    await w.add('A.txt', text('x'));
    await expect(w.add('A.txt', text('y'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    await expect(w.add('a.TXT', text('y'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    await expect(w.add('b', text('x'), { compression: 'zstd' as 'store' })).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    // A name cannot be both a file and a folder (it could not be extracted).
    await w.add('dir/file', text('x'));
    await expect(w.add('dir', text('x'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    await expect(w.add('dir/file/inner', text('x'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    await expect(w.addDirectory('A.txt')).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    await w.addDirectory('dir');
    await expect(w.addDirectory('dir/')).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    await w.finish();
    await expect(w.add('c', text('x'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
  });

  it('rejects a second add while one is in progress', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const w = new ZipWriter(async () => { await gate; });
    const first = w.add('a', text('a'.repeat(100_000)));
    await expect(w.add('b', text('b'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    release();
    await first;
    await w.finish();
  });

  it('checks a declared size and chunk types', async () => {
    const w = new ZipWriter(() => {});
    await expect(w.add('a', (function* () { yield text('abc'); })(), { size: 4 })).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    const w2 = new ZipWriter(() => {});
    await expect(w2.add('a', (function* () { yield 'abc' as unknown as Uint8Array; })())).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
  });

  it('abort() leaves no central directory and calls the output\'s abort; backpressure is awaited', async () => {
    const seen: string[] = [];
    let pending = 0, maxPending = 0;
    const target = {
      write: async (c: Uint8Array) => {
        pending++; maxPending = Math.max(maxPending, pending);
        await new Promise((r) => setTimeout(r, 1));
        pending--;
        seen.push(`w${c.length}`);
      },
      close: () => { seen.push('close'); },
      abort: () => { seen.push('abort'); },
    };
    const w = new ZipWriter(target);
    await w.add('a', [new Uint8Array(100_000), new Uint8Array(100_000)]);
    await w.abort(new Error('stop'));
    expect(seen.at(-1)).toBe('abort');
    expect(seen).not.toContain('close');
    expect(maxPending).toBe(1);
    await expect(w.finish()).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
  });

  it('reports progress per chunk and per entry', async () => {
    const events: [string, number, number, number][] = [];
    const out = collector();
    const w = new ZipWriter(out.sink, { onProgress: (p) => events.push([p.entry, p.entriesWritten, p.entryBytes, p.bytesIn]) });
    await w.add('a', [new Uint8Array(10), new Uint8Array(20)]);
    await w.add('b', text('xyz'), { compression: 'deflate' });
    await w.finish();
    expect(events).toEqual([
      ['a', 0, 10, 10], ['a', 0, 30, 30], ['a', 1, 30, 30],
      ['b', 1, 3, 33], ['b', 2, 3, 33],
    ]);
    expect(out.bytes().length).toBe(w.bytesWritten);
  });

  it('reports progress per PROGRESS_SLICE of a large stored chunk, known or streamed, and the bytes are unchanged', async () => {
    const big = new Uint8Array(PROGRESS_SLICE * 2 + 1000).map((_, i) => i * 7);
    for (const data of [[big], (async function* () { yield big; })()]) {
      const steps: number[] = [];
      const out = collector();
      const w = new ZipWriter(out.sink, { onProgress: (p) => steps.push(p.entryBytes) });
      await w.add('big.bin', data);
      await w.finish();
      expect(steps).toEqual([PROGRESS_SLICE, 2 * PROGRESS_SLICE, big.length, big.length]);
      expect(same(await (await zipSource(out.bytes())).read('big.bin'), big)).toBe(true);
    }
  });

  it.each([
    [2 * PROGRESS_SLICE, 2 * PROGRESS_SLICE],
    [PROGRESS_SLICE / 2, PROGRESS_SLICE],
    [Number.NaN, PROGRESS_SLICE],
  ])('a target asking for writes of %s bytes gets stored data in slices of %s, views of the caller\'s bytes', async (writeSize, slice) => {
    const big = new Uint8Array(PROGRESS_SLICE * 5 + 10_000).map((_, i) => i * 7);
    const writes: Uint8Array[] = [];
    const steps: number[] = [];
    const w = new ZipWriter({ write: (c) => { writes.push(c); }, writeSize }, { onProgress: (p) => steps.push(p.entryBytes) });
    await w.add('big.bin', (async function* () { yield big; })());
    await w.finish();
    const data = writes.filter((c) => c.buffer === big.buffer);
    expect(data.map((c) => c.length)).toEqual([...Array.from({ length: Math.floor(big.length / slice) }, () => slice), big.length % slice]);
    expect(steps.slice(0, -1)).toEqual(data.map((c) => c.byteOffset + c.length));
    const bytes = new Uint8Array(Buffer.concat(writes));
    expect(same(await (await zipSource(bytes)).read('big.bin'), big)).toBe(true);
  });

  it('accepts a WritableStream as output', async () => {
    const chunks: Uint8Array[] = [];
    let closed = false;
    const ws = new WritableStream<Uint8Array>({ write(c) { chunks.push(c); }, close() { closed = true; } });
    const w = new ZipWriter(ws);
    await w.add('x.txt', text('hello'));
    await w.finish();
    expect(closed).toBe(true);
    const js = await jszipRead(new Uint8Array(Buffer.concat(chunks)));
    expect(new TextDecoder().decode(js.get('x.txt'))).toBe('hello');
  });
});
