// The checkpoint's data file streamed to a sink in pieces: pieces checksummed after the sink has
// them, readable tensors copied into reused buffers only for sinks that promise to release chunks
// (FileSink.releasesChunksAfter), and never for sinks that keep them; sinks that keep whole files
// in memory (FileSink.allocate) get the data file written into one buffer they allocate.
import { describe, expect, it } from 'vitest';
import {
  DataType, fileMapSink, SavedModelError, writeCheckpoint, writeSavedModel, type CheckpointTensor, type DeferredCheckpointTensor,
  type FileSink, type SinkData, type TensorByteReader,
} from '../src/index.js';
import { READ_AHEAD_BYTES } from '../src/savedmodel/read-ahead.js';
import { mulberry32, randomBytes } from './checkpoint-prng.js';

const DATA = 'variables/variables.data-00000-of-00001';
const INDEX = 'variables/variables.index';
const MiB = 1 << 20;

/** Float tensors of a few pieces each (odd sizes: partial last pieces), and one string tensor. */
function tensors(): CheckpointTensor[] {
  const rand = mulberry32(7);
  const sizes = [5 * MiB + 12, 4, 2 * MiB, 3 * MiB - 8];
  const out: CheckpointTensor[] = sizes.map((n, i) => ({ key: `w${i}`, dtype: DataType.DT_FLOAT, shape: [n / 4], data: randomBytes(rand, n) }));
  out.splice(2, 0, { key: 'names', dtype: DataType.DT_STRING, shape: [2], data: ['a', 'bc'] });
  return out;
}

interface Counts { opens: number; closes: number; loads: number }

/** Deferred tensors with a piecewise reader over their bytes (as the wasm heap reader). */
function deferred(list: CheckpointTensor[], counts: Counts, readable = true): (CheckpointTensor | DeferredCheckpointTensor)[] {
  return list.map((t) => {
    if (t.dtype === DataType.DT_STRING) return t;
    const { data, ...rest } = t;
    const bytes = data as Uint8Array;
    return {
      ...rest,
      load: async () => { counts.loads++; return bytes.slice(); },
      openReader: (): TensorByteReader | undefined => {
        if (!readable) return undefined;
        counts.opens++;
        return {
          byteLength: bytes.length,
          read: (offset, target) => target.set(bytes.subarray(offset, offset + target.length)),
          close: () => { counts.closes++; },
        };
      },
    };
  });
}

const savedModel = { saved_model_schema_version: 1 };

/** Byte equality without a diff of megabytes on failure. */
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean => !!a && !!b && Buffer.from(a).equals(Buffer.from(b));

async function* iterate(data: SinkData): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) yield data;
  else yield* data as AsyncIterable<Uint8Array>;
}

/**
 * A sink that promises `window` and checks the producer keeps to it: when chunk j arrives, the
 * chunks not yet released (j − window < i < j) still hold what they held when they arrived.
 */
function checkingSink(window: number): FileSink & { files: Map<string, Uint8Array>; buffers: Set<ArrayBufferLike>; chunks: number; violations: string[] } {
  const files = new Map<string, Uint8Array>();
  const buffers = new Set<ArrayBufferLike>();
  const violations: string[] = [];
  const sink = {
    location: 'checking', files, buffers, chunks: 0, violations, releasesChunksAfter: window,
    async write(path: string, data: SinkData) {
      const held: { chunk: Uint8Array; copy: Uint8Array }[] = [];
      const out: Uint8Array[] = [];
      let j = 0;
      for await (const chunk of iterate(data)) {
        for (let i = Math.max(0, j - window + 1); i < j; i++) {
          const h = held[i]!;
          if (!Buffer.from(h.chunk).equals(Buffer.from(h.copy))) violations.push(`${path}: chunk ${i} changed before chunk ${i + window} was asked for`);
        }
        held[j++] = { chunk, copy: chunk.slice() };
        out.push(chunk.slice());
        if (path === DATA) buffers.add(chunk.buffer);
        sink.chunks++;
      }
      files.set(path, Buffer.concat(out));
    },
    async commit() {},
    async abort() {},
  };
  return sink;
}

describe('data file streaming', () => {
  const eager = writeCheckpoint(tensors());

  it.each([1, 2, 4])('a sink releasing chunks after %i gets reused buffers, never changed before their release', async (window) => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    const sink = checkingSink(window);
    await writeSavedModel(sink, { savedModel, checkpoint: deferred(tensors(), counts) });
    expect(sink.violations).toEqual([]);
    expect(same(sink.files.get(DATA), eager.data[0])).toBe(true);
    expect(same(sink.files.get(INDEX), eager.index)).toBe(true);
    expect(counts).toEqual({ opens: 4, closes: 4, loads: 0 });
    // the pool is `window` buffers of one piece (plus the string record's own 3 chunks): far fewer buffers than chunks
    expect(sink.chunks).toBeGreaterThan(8);
    expect(sink.buffers.size).toBe(window + 3);
  });

  it('a sink that keeps chunks (no promise) gets the loaded values, never a reused buffer', async () => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    const kept: Uint8Array[] = [];
    const sink: FileSink = {
      location: 'keeping',
      async write(path, data) { if (path === DATA) for await (const c of iterate(data)) kept.push(c); },
      async commit() {}, async abort() {},
    };
    await writeSavedModel(sink, { savedModel, checkpoint: deferred(tensors(), counts) });
    // checked after the whole export: a reused buffer would have been overwritten by later pieces
    expect(same(Buffer.concat(kept), eager.data[0])).toBe(true);
    expect(counts).toEqual({ opens: 0, closes: 0, loads: 4 });

  });

  it.each([true, false])('a sink that allocates (fileMapSink) gets the data file as the one buffer it allocated; readers: %s', async (readable) => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    const map = fileMapSink();
    const allocated: Uint8Array[] = [];
    const sink: FileSink = {
      ...map,
      allocate: (path, n) => { const b = map.allocate!(path, n); allocated.push(b); return b; },
    };
    await writeSavedModel(sink, { savedModel, checkpoint: deferred(tensors(), counts, readable) });
    expect(same(map.files.get(DATA), eager.data[0])).toBe(true);
    expect(same(map.files.get(INDEX), eager.index)).toBe(true);
    expect(allocated).toHaveLength(1);
    expect(map.files.get(DATA)).toBe(allocated[0]);
    // readable tensors are copied straight into that buffer (no load(), no copy of their own)
    expect(counts).toEqual(readable ? { opens: 4, closes: 4, loads: 0 } : { opens: 0, closes: 0, loads: 4 });
  });

  it('a sink that allocates still gets a stream when a size is unknown in advance (a deferred string tensor)', async () => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    const list = deferred(tensors(), counts).map((t) => (t.dtype === DataType.DT_STRING
      ? { key: t.key, dtype: t.dtype, shape: t.shape, load: async () => ['a', 'bc'] }
      : t));
    let allocations = 0;
    const map = fileMapSink();
    const sink: FileSink = { ...map, allocate: (path, n) => { allocations++; return map.allocate!(path, n); } };
    await writeSavedModel(sink, { savedModel, checkpoint: list });
    expect(allocations).toBe(0);
    expect(same(map.files.get(DATA), eager.data[0])).toBe(true);
    expect(same(map.files.get(INDEX), eager.index)).toBe(true);
  });

  it('a record that does not have the size its shape says is INVALID_ARGUMENT naming its key, and the sink is aborted', async () => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    const list = deferred(tensors(), counts, false);
    const bad = list[3] as DeferredCheckpointTensor;
    list[3] = { ...bad, load: async () => new Uint8Array(8) };
    let aborted = false;
    const map = fileMapSink();
    const sink: FileSink = { ...map, abort: async () => { aborted = true; } };
    await expect(writeSavedModel(sink, { savedModel, checkpoint: list })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', key: bad.key });
    expect(aborted).toBe(true);
    expect(map.files.size).toBe(0);
  });

  /** Deferred tensors without a reader whose loads count how many are in flight at once. */
  function timedLoads(list: CheckpointTensor[], readsFromDevice: boolean) {
    const stats = { inFlight: 0, most: 0, loads: 0 };
    const out = list.map((t) => {
      if (t.dtype === DataType.DT_STRING) return t;
      const { data, ...rest } = t;
      return {
        ...rest,
        ...(readsFromDevice ? { readsFromDevice } : {}),
        load: async () => {
          stats.loads++;
          stats.most = Math.max(stats.most, ++stats.inFlight);
          await new Promise((r) => setTimeout(r, 5));
          stats.inFlight--;
          return data;
        },
      };
    });
    return { list: out, stats };
  }

  // device reads (GPU readbacks) start ahead within the budget; any other load as before: one
  // ahead while a value is copied into an allocated buffer, none ahead when streamed
  for (const [allocates, device, most] of [[true, true, 4], [false, true, 4], [true, false, 2], [false, false, 1]] as const) {
    it(`loads ${device ? 'from a device' : 'of host values'} ${allocates ? 'into an allocated buffer' : 'streamed'}: ${most} of four (10 MiB) at once`, async () => {
      const { list, stats } = timedLoads(tensors(), device);
      const map = fileMapSink();
      const sink: FileSink = allocates ? map : { ...map, allocate: undefined };
      await writeSavedModel(sink, { savedModel, checkpoint: list });
      expect(same(map.files.get(DATA), eager.data[0])).toBe(true);
      expect(stats.loads).toBe(4);
      expect(stats.most).toBe(most);
    });
  }

  it('device reads ahead stop at the read-ahead budget: the one being written, and later ones until their bytes pass it', async () => {
    const S = 24 * MiB;
    const list: CheckpointTensor[] = Array.from({ length: 5 }, (_, i) => ({ key: `big${i}`, dtype: DataType.DT_UINT8, shape: [S], data: new Uint8Array(S).fill(i + 1) }));
    const { list: timed, stats } = timedLoads(list, true);
    const map = fileMapSink();
    await writeSavedModel(map, { savedModel, checkpoint: timed });
    expect(stats.loads).toBe(5);
    expect(stats.most).toBe(1 + Math.ceil(READ_AHEAD_BYTES / S));
    expect(stats.most).toBeLessThan(5);
    // each record holds its own tensor's bytes (in order)
    const data = map.files.get(DATA)!;
    for (let i = 0; i < 5; i++) expect([data[i * S], data[i * S + S - 1]]).toEqual([i + 1, i + 1]);
  });

  it('a reader failing in an allocated buffer: every reader opened is closed, also the next one already open', async () => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    const list = deferred(tensors(), counts);
    const first = list[0] as DeferredCheckpointTensor;
    list[0] = {
      ...first,
      openReader: () => {
        const r = first.openReader!()!;
        return { ...r, read: () => { throw new SavedModelError('IO_ERROR', 'device lost'); } };
      },
    };
    const map = fileMapSink();
    await expect(writeSavedModel(map, { savedModel, checkpoint: list })).rejects.toMatchObject({ code: 'IO_ERROR' });
    // the first tensor's reader failed after the second one's had been opened
    expect(counts).toEqual({ opens: 2, closes: 2, loads: 0 });
    expect(map.files.size).toBe(0);
  });

  it('an allocate that returns a buffer of another size is INVALID_ARGUMENT', async () => {
    const map = fileMapSink();
    const sink: FileSink = { ...map, allocate: (_path, n) => new Uint8Array(n + 1) };
    await expect(writeSavedModel(sink, { savedModel, checkpoint: tensors() })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', file: DATA });
  });

  it('fileMapSink.allocate rejects a size that is not a byte count', () => {
    expect(() => fileMapSink().allocate!('x', -1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => fileMapSink().allocate!('x', 2 ** 52)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
    expect(() => fileMapSink().allocate!('../x', 4)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it.each([0, 17, 1.5, '3'])('an invalid promise (%s) counts as none', async (bad) => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    const sink = Object.assign(fileMapSink(), { releasesChunksAfter: bad as number, allocate: undefined });
    await writeSavedModel(sink, { savedModel, checkpoint: deferred(tensors(), counts) });
    expect(counts.opens).toBe(0);
    expect(same(sink.files.get(DATA), eager.data[0])).toBe(true);
  });

  it('a tensor without a reader is loaded instead; same bytes', async () => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    const sink = checkingSink(2);
    await writeSavedModel(sink, { savedModel, checkpoint: deferred(tensors(), counts, false) });
    expect(counts.loads).toBe(4);
    expect(sink.violations).toEqual([]);
    expect(same(sink.files.get(DATA), eager.data[0])).toBe(true);
    expect(same(sink.files.get(INDEX), eager.index)).toBe(true);
  });

  it('a sink failing mid-record closes the open reader and aborts', async () => {
    const counts = { opens: 0, closes: 0, loads: 0 };
    let aborted = false;
    const sink: FileSink = {
      location: 'failing', releasesChunksAfter: 2,
      async write(_path, data) {
        let n = 0;
        for await (const _ of iterate(data)) if (++n === 2) throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
      async commit() { throw new Error('not reached'); },
      async abort() { aborted = true; },
    };
    await expect(writeSavedModel(sink, { savedModel, checkpoint: deferred(tensors(), counts) })).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(aborted).toBe(true);
    expect(counts.opens).toBe(1);
    expect(counts.closes).toBe(1);
  });
});
