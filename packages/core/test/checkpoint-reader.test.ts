// Reader checks on hand-made checkpoints: absurd shapes and sizes, bad headers, bad shards,
// mismatched records. Each must fail with the right code and file, before allocating.
import { describe, expect, it } from 'vitest';
import {
  DataType,
  encodeBundleEntry,
  encodeBundleHeader,
  readCheckpoint,
  shardFileName,
  writeCheckpoint,
  writeTable,
  type BundleEntry,
  type BundleHeader,
} from '../src/checkpoint/index.js';
import { SavedModelError } from '../src/errors.js';

const enc = new TextEncoder();
const HEADER: BundleHeader = { numShards: 1, endianness: 0, version: { producer: 1, minConsumer: 0, badConsumers: [] } };
const INDEX = 'variables/variables.index';
const DATA = 'variables/variables.data-00000-of-00001';

function entry(e: Partial<BundleEntry>): BundleEntry {
  return { dtype: DataType.DT_FLOAT, shape: [], shardId: 0, offset: 0, size: 4, crc32c: 0, slices: [], ...e };
}

/** An index with `entries` (sorted by the caller) and the given header. */
function index(entries: [string, BundleEntry][], header: BundleHeader = HEADER): Uint8Array {
  return writeTable([
    { key: new Uint8Array(0), value: encodeBundleHeader(header) },
    ...entries.map(([k, e]) => ({ key: enc.encode(k), value: encodeBundleEntry(e) })),
  ]);
}

function fails(code: string, file: string, fn: () => unknown, key?: string): SavedModelError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SavedModelError);
  const e = err as SavedModelError;
  expect({ code: e.code, file: e.file }).toEqual({ code, file });
  if (key !== undefined) expect(e.key).toBe(key);
  return e;
}

describe('checkpoint reader validation', () => {
  const data = new Uint8Array(64);

  it('rejects absurd shapes before allocating', () => {
    const huge = index([['a', entry({ shape: [2 ** 31, 2 ** 31, 2 ** 31], size: 4 })]]);
    fails('CORRUPT', INDEX, () => readCheckpoint(huge, () => data), 'a');
    const hugeString = index([['s', entry({ dtype: DataType.DT_STRING, shape: [1e12], size: 10 })]]);
    fails('CORRUPT', INDEX, () => readCheckpoint(hugeString, () => data), 's');
    // Consistent shape and size, but far more than the data file: TRUNCATED when read, no allocation.
    const big = readCheckpoint(index([['b', entry({ shape: [2 ** 40], size: 2 ** 42 })]]), () => data);
    fails('TRUNCATED', DATA, () => big.value('b'), 'b');
    fails('CORRUPT', INDEX, () => readCheckpoint(index([['n', entry({ shape: [-1], size: 4 })]]), () => data), 'n');
    fails('CORRUPT', INDEX, () => readCheckpoint(index([['m', entry({ shape: [3], size: 4 })]]), () => data), 'm');
    // int64 beyond 2^53
    const wide = encodeBundleEntry(entry({})).slice();
    const t = writeTable([
      { key: new Uint8Array(0), value: encodeBundleHeader(HEADER) },
      { key: enc.encode('w'), value: new Uint8Array([...wide, 0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]) },
    ]);
    fails('LIMIT_EXCEEDED', INDEX, () => readCheckpoint(t, () => data), 'w');
  });

  it('checks the header: present, little-endian, compatible version, shard ids', () => {
    fails('CORRUPT', INDEX, () => readCheckpoint(writeTable([{ key: enc.encode('a'), value: encodeBundleEntry(entry({})) }]), () => data));
    fails('UNSUPPORTED', INDEX, () => readCheckpoint(index([], { ...HEADER, endianness: 1 }), () => data));
    fails('UNSUPPORTED', INDEX, () => readCheckpoint(index([], { ...HEADER, version: { producer: 1, minConsumer: 2, badConsumers: [] } }), () => data));
    fails('UNSUPPORTED', INDEX, () => readCheckpoint(index([], { ...HEADER, version: { producer: 1, minConsumer: 0, badConsumers: [1] } }), () => data));
    fails('CORRUPT', INDEX, () => readCheckpoint(index([['a', entry({ shardId: 1 })]]), () => data), 'a');
    const header = writeTable([{ key: new Uint8Array(0), value: new Uint8Array([0x0a, 0x05, 0x01]) }]);
    fails('CORRUPT', INDEX, () => readCheckpoint(header, () => data));
  });

  it('checks records against the data file', () => {
    const good = writeCheckpoint([
      { key: 'f', dtype: DataType.DT_FLOAT, shape: [2], data: new Float32Array([1, 2]) },
      { key: 's', dtype: DataType.DT_STRING, shape: [2], data: ['ab', 'c'] },
    ]);
    const shard = good.data[0]!;
    const r = readCheckpoint(good.index, () => shard);
    expect([...(r.value('f') as Float32Array)]).toEqual([1, 2]);
    expect(r.strings('s')).toEqual(['ab', 'c']);
    fails('TRUNCATED', DATA, () => readCheckpoint(good.index, () => shard.subarray(0, 10)).value('s'), 's');
    const flipped = shard.slice();
    flipped[1]! ^= 0x40;
    fails('CHECKSUM_MISMATCH', DATA, () => readCheckpoint(good.index, () => flipped).value('f'), 'f');
    const lens = shard.slice();
    lens[8] = 1; // first string length 2 → 1: the length checksum catches it
    fails('CHECKSUM_MISMATCH', DATA, () => readCheckpoint(good.index, () => lens).value('s'), 's');
    fails('NOT_FOUND', DATA, () =>
      readCheckpoint(good.index, () => {
        throw new Error('ENOENT');
      }).value('f'),
    );
    fails('NOT_FOUND', INDEX, () => r.value('nope'), 'nope');
    const sliced = readCheckpoint(index([['p', entry({ slices: [[{ start: 0, length: 1 }]] })]]), () => data);
    expect(sliced.entry('p').slices).toEqual([[{ start: 0, length: 1 }]]);
    fails('UNSUPPORTED', INDEX, () => sliced.value('p'), 'p');
    const variant = readCheckpoint(index([['v', entry({ dtype: DataType.DT_VARIANT, size: 3 })]]), () => data);
    fails('UNSUPPORTED', INDEX, () => variant.value('v'), 'v');
  });

  it('names files after the prefix and shard count', () => {
    expect(shardFileName('variables/variables', 0, 1)).toBe(DATA);
    expect(shardFileName('ckpt/model', 3, 12)).toBe('ckpt/model.data-00003-of-00012');
    const e = fails('CORRUPT', 'ckpt/model.index', () => readCheckpoint(new Uint8Array(100), () => data, { prefix: 'ckpt/model' }));
    expect(e.message).toContain('ckpt/model.index');
  });
});
