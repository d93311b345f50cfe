// LevelDB-style table format: varints, blocks, comparator rules, writer parameters, reader
// checks — and an independent check of our tables with LevelDB's own reader.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlockBuilder,
  DataType,
  TableWriter,
  findShortSuccessor,
  findShortestSeparator,
  readBlock,
  readCheckpoint,
  readTable,
  writeCheckpoint,
  writeTable,
  type CheckpointTensor,
} from '../src/checkpoint/index.js';
import { ByteBuffer } from '../src/checkpoint/table/byte-buffer.js';
import {
  putVarint32,
  putVarint64,
  putVarintSigned,
  readVarint32,
  readVarint64,
  readVarint64Signed,
  readVarintInt32,
  varintLength,
} from '../src/checkpoint/table/varint.js';
import { SavedModelError } from '../src/errors.js';
import { CHECKPOINT_FIXTURES, loadFixtureCheckpoint } from './checkpoint-fixtures.js';
import { LevelDbTableDump, dumpLine, hexOf } from './checkpoint-leveldb.js';
import { snappyjsCompress } from './checkpoint-snappyjs.js';
import { mulberry32, randomBytes, randomInt } from './checkpoint-prng.js';

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const snappyCompressor = {
  type: 1,
  compress: snappyjsCompress,
};

function expectCode(fn: () => unknown, code: string): SavedModelError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SavedModelError);
    expect((e as SavedModelError).code).toBe(code);
    return e as SavedModelError;
  }
  throw new Error(`expected SavedModelError ${code}`);
}

describe('varints', () => {
  it('round-trip 32-bit, 64-bit and signed values', () => {
    const values = [0, 1, 127, 128, 255, 300, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1];
    const wide = [...values, 2 ** 32, 2 ** 35 + 7, 2 ** 49 + 3, Number.MAX_SAFE_INTEGER];
    for (const v of values) {
      const b = new ByteBuffer();
      putVarint32(b, v);
      expect(b.length).toBe(varintLength(v));
      expect(readVarint32(b.view(), { pos: 0 })).toBe(v);
    }
    for (const v of wide) {
      const b = new ByteBuffer();
      putVarint64(b, v);
      expect(b.length).toBe(varintLength(v));
      const cur = { pos: 0 };
      expect(readVarint64(b.view(), cur)).toBe(v);
      expect(cur.pos).toBe(b.length);
    }
    for (const v of [...wide, ...wide.filter((x) => x > 0).map((x) => -x), -(2 ** 31)]) {
      const b = new ByteBuffer();
      putVarintSigned(b, v);
      if (v < 0) expect(b.length).toBe(10);
      expect(readVarint64Signed(b.view(), { pos: 0 })).toBe(v);
    }
    const neg = new ByteBuffer();
    putVarintSigned(neg, -5);
    expect(readVarintInt32(neg.view(), { pos: 0 })).toBe(-5);
  });

  it('reject truncated, overlong and oversized encodings', () => {
    expectCode(() => readVarint32(new Uint8Array([0x80, 0x80]), { pos: 0 }), 'TRUNCATED');
    expectCode(() => readVarint32(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x1f]), { pos: 0 }), 'CORRUPT');
    expectCode(() => readVarint32(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), { pos: 0 }), 'CORRUPT');
    expectCode(() => readVarint64(new Uint8Array(11).fill(0x80), { pos: 0 }), 'CORRUPT');
    expectCode(() => readVarint64(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), { pos: 0 }), 'CORRUPT');
    expectCode(() => readVarint64(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]), { pos: 0 }), 'LIMIT_EXCEEDED');
    // The end bound is respected even when the buffer continues.
    expectCode(() => readVarint32(new Uint8Array([0x80, 0x01]), { pos: 0 }, 1), 'TRUNCATED');
    expectCode(() => putVarint32(new ByteBuffer(), 2 ** 32), 'INVALID_ARGUMENT');
    expectCode(() => putVarint64(new ByteBuffer(), 2 ** 53), 'INVALID_ARGUMENT');
  });
});

describe('comparator rules', () => {
  const s = (a: string, b: string) => new TextDecoder().decode(findShortestSeparator(bytes(a), bytes(b)));
  it('shortest separator', () => {
    expect(s('abcd', 'abzz')).toBe('abd');
    expect(s('abc', 'abd')).toBe('abc'); // adjacent bytes: unchanged
    expect(s('ab', 'abc')).toBe('ab'); // prefix: unchanged
    expect(s('layer_1/kernel', 'layer_3/bias')).toBe('layer_2');
    expect([...findShortestSeparator(new Uint8Array([1, 0xff, 5]), new Uint8Array([1, 0xff, 9]))]).toEqual([1, 0xff, 6]);
    expect([...findShortestSeparator(new Uint8Array([0xff, 1]), new Uint8Array([0xff, 2]))]).toEqual([0xff, 1]);
  });
  it('short successor', () => {
    expect(new TextDecoder().decode(findShortSuccessor(bytes('v/.ATTRIBUTES/VARIABLE_VALUE')))).toBe('w');
    expect([...findShortSuccessor(new Uint8Array([0xff, 0xff, 1, 7]))]).toEqual([0xff, 0xff, 2]);
    expect([...findShortSuccessor(new Uint8Array([0xff, 0xff]))]).toEqual([0xff, 0xff]);
  });
});

describe('blocks', () => {
  it('prefix-compress keys with restarts every N entries', () => {
    const b = new BlockBuilder(4);
    const keys = Array.from({ length: 10 }, (_, i) => bytes(`key/${String(i).padStart(3, '0')}`));
    keys.forEach((k, i) => b.add(k, bytes(`v${i}`)));
    const block = b.finish().slice();
    const n = new DataView(block.buffer).getUint32(block.length - 4, true);
    expect(n).toBe(3); // entries 0, 4, 8
    expect(block[0]).toBe(0); // restart entry: shared 0
    expect(block[3 + 7 + 2]).toBe(6); // entry 1 shares "key/00"
    const entries = readBlock(block);
    expect(entries.map((e) => new TextDecoder().decode(e.key))).toEqual(keys.map((k) => new TextDecoder().decode(k)));
    expect(entries.map((e) => new TextDecoder().decode(e.value))).toEqual(keys.map((_, i) => `v${i}`));
    expect([...new BlockBuilder().finish()]).toEqual([0, 0, 0, 0, 1, 0, 0, 0]);
  });

  it('reject malformed blocks', () => {
    const b = new BlockBuilder(2);
    ['aa', 'ab', 'ac'].forEach((k) => b.add(bytes(k), bytes('x')));
    const good = b.finish().slice();
    readBlock(good);
    const bad = (mut: (x: Uint8Array) => void) => {
      const x = good.slice();
      mut(x);
      return x;
    };
    expectCode(() => readBlock(new Uint8Array(3)), 'CORRUPT');
    expectCode(() => readBlock(bad((x) => (x[x.length - 4] = 200))), 'CORRUPT'); // restart count too large
    expectCode(() => readBlock(bad((x) => (x[0] = 1))), 'CORRUPT'); // first entry shares with nothing
    expectCode(() => readBlock(bad((x) => (x[6] = 5))), 'CORRUPT'); // second entry shares more than the previous key
    expectCode(() => readBlock(bad((x) => (x[1] = 100))), 'CORRUPT'); // key runs past entries
    expectCode(() => readBlock(bad((x) => (x[2] = 100))), 'CORRUPT'); // value runs past entries
    expectCode(() => readBlock(bad((x) => (x[x.length - 8] = 3))), 'CORRUPT'); // restart not at an entry boundary
    expectCode(() => readBlock(bad((x) => (x[x.length - 12] = 1))), 'CORRUPT'); // first restart not 0
  });
});

/** Table writer parameters as TF uses them, observed in the bytes. */
describe('table writer', () => {
  it('closes blocks at the size estimate, gives huge entries their own block, shortens index keys', () => {
    const rand = mulberry32(7);
    const w = new TableWriter({ blockSize: 1024 });
    const keys: Uint8Array[] = [];
    for (let i = 0; i < 300; i++) {
      const k = bytes(`k${String(i).padStart(5, '0')}/${'x'.repeat(randomInt(rand, 20))}`);
      keys.push(k);
      // Entry 150 is ≥ 2 × blockSize: it must start a new block even though the current one is small.
      w.add(k, i === 150 ? randomBytes(rand, 2100) : randomBytes(rand, randomInt(rand, 60)));
    }
    const table = w.finish();
    const t = readTable(table);
    expect(t.entries.map((e) => hexOf(e.key))).toEqual(keys.map(hexOf));
    expect(t.dataBlocks.length).toBeGreaterThan(10);
    let first = 0;
    for (const [bi, blk] of t.dataBlocks.entries()) {
      const blockKeys = t.entries.slice(first, first + blk.entryCount);
      first += blk.entryCount;
      const last = blockKeys[blockKeys.length - 1]!.key;
      const k150 = hexOf(keys[150]!);
      if (blockKeys.some((e) => hexOf(e.key) === k150)) {
        expect(hexOf(blockKeys[0]!.key)).toBe(k150); // huge entry starts its block
        expect(blk.size).toBeGreaterThanOrEqual(1024); // and closes it
      } else if (bi < t.dataBlocks.length - 1 && hexOf(t.entries[first]!.key) !== k150) {
        expect(blk.size).toBeGreaterThanOrEqual(1024); // closed by the estimate rule
      }
      // Index key separates this block from the next one.
      const ik = t.indexKeys[bi]!;
      expect(Buffer.compare(Buffer.from(ik), Buffer.from(last))).toBeGreaterThanOrEqual(0);
      if (first < t.entries.length) expect(Buffer.compare(Buffer.from(ik), Buffer.from(t.entries[first]!.key))).toBeLessThan(0);
      expect(ik.length).toBeLessThanOrEqual(last.length);
    }
  });

  it('rejects unsorted or duplicate keys', () => {
    const w = new TableWriter();
    w.add(bytes('b'), bytes(''));
    expectCode(() => w.add(bytes('a'), bytes('')), 'INVALID_ARGUMENT');
    expectCode(() => w.add(bytes('b'), bytes('')), 'INVALID_ARGUMENT');
  });

  it('reader rejects bad footers, handles, checksums and compression types', () => {
    const table = writeTable([{ key: bytes('a'), value: bytes('1') }, { key: bytes('b'), value: bytes('2') }]);
    readTable(table);
    expectCode(() => readTable(table.subarray(0, 47)), 'TRUNCATED');
    const e1 = expectCode(() => readTable(table.subarray(0, table.length - 1), { file: 'x.index' }), 'CORRUPT'); // bad magic
    expect(e1.file).toBe('x.index');
    const flip = (i: number, v?: number) => {
      const x = table.slice();
      x[i] = v ?? x[i]! ^ 1;
      return x;
    };
    expectCode(() => readTable(flip(table.length - 1)), 'CORRUPT'); // magic
    expectCode(() => readTable(flip(3)), 'CHECKSUM_MISMATCH'); // data block byte
    const t = readTable(table);
    const typePos = t.dataBlocks[0]!.size;
    expectCode(() => readTable(flip(typePos, 2), { verifyChecksums: false }), 'UNSUPPORTED');
    const f = table.length - 48;
    expectCode(() => readTable(flip(f + 3, 0x7f)), 'TRUNCATED'); // index handle size beyond the file
  });
});

function manyVariables(count: number): CheckpointTensor[] {
  const rand = mulberry32(20_000);
  const out: CheckpointTensor[] = [];
  for (let n = 0; n < count; n++) {
    const kind = n % 8;
    const key = `layer_${n}/${kind % 2 ? 'bias' : 'kernel'}/.ATTRIBUTES/VARIABLE_VALUE`;
    switch (kind) {
      case 0:
        out.push({ key, dtype: DataType.DT_FLOAT, shape: [2, 3], data: new Float32Array(6).map(() => rand() - 0.5) });
        break;
      case 1:
        out.push({ key, dtype: DataType.DT_INT64, shape: [2], data: new BigInt64Array([BigInt(n), -BigInt(n) * 3n]) });
        break;
      case 2:
        out.push({ key, dtype: DataType.DT_BOOL, shape: [3], data: new Uint8Array([1, 0, n & 1]) });
        break;
      case 3:
        out.push({ key, dtype: DataType.DT_STRING, shape: [2], data: [`name ${n}`, randomBytes(rand, randomInt(rand, 40))] });
        break;
      case 4:
        out.push({ key, dtype: DataType.DT_HALF, shape: [4], data: new Uint16Array([0x3c00, n & 0xffff, 0, 0x7bff]) });
        break;
      case 5:
        out.push({ key, dtype: DataType.DT_UINT8, shape: [], data: new Uint8Array([n & 0xff]) });
        break;
      case 6:
        out.push({ key, dtype: DataType.DT_DOUBLE, shape: [1, 1], data: new Float64Array([n / 7]) });
        break;
      default:
        out.push({ key, dtype: DataType.DT_INT32, shape: [0, 5], data: new Int32Array(0) });
    }
  }
  out.push({ key: '_CHECKPOINTABLE_OBJECT_GRAPH', dtype: DataType.DT_STRING, shape: [], data: [randomBytes(rand, 500)] });
  return out;
}

describe('LevelDB cross-check', () => {
  let leveldb: LevelDbTableDump;
  beforeAll(() => {
    leveldb = new LevelDbTableDump();
  });
  afterAll(() => leveldb?.close());

  const compareWithLevelDb = (table: Uint8Array, ours = readTable(table)): number => {
    const theirs = leveldb.dump(table);
    expect(theirs.count).toBe(ours.entries.length);
    // One string comparison (a per-entry toEqual over 20,000 entries is slow to diff).
    expect(theirs.lines.join('\n')).toBe(ours.entries.map((e) => dumpLine(e.key, e.value)).join('\n'));
    return theirs.count;
  };

  it('a 20,000-variable checkpoint round-trips; LevelDB reads its multi-block index identically', () => {
    const tensors = manyVariables(20_000);
    const out = writeCheckpoint(tensors);
    const t = readTable(out.index);
    expect(t.dataBlocks.length).toBeGreaterThan(1); // multi-block with TF's 256 KiB blocks
    const reader = readCheckpoint(out.index, () => out.data[0]!);
    expect(reader.entries).toHaveLength(tensors.length);
    let offset = 0;
    const got: string[] = [];
    const want: string[] = [];
    for (const tensor of tensors) {
      const e = reader.entry(tensor.key);
      const v = reader.value(e);
      got.push(`${e.offset} ${e.dtype} [${e.shape}] ${Array.isArray(v) ? v.map(hexOf).join(',') : hexOf(new Uint8Array(v.buffer))}`);
      const d = tensor.data;
      const wantValue = Array.isArray(d)
        ? d.map((x) => hexOf(typeof x === 'string' ? bytes(x) : (x as Uint8Array))).join(',')
        : hexOf(new Uint8Array((d as ArrayBufferView).buffer));
      want.push(`${offset} ${tensor.dtype} [${tensor.shape}] ${wantValue}`); // file order = given order
      offset += e.size;
    }
    expect(got.join('\n')).toBe(want.join('\n'));
    expect(offset).toBe(out.data[0]!.length);
    expect(compareWithLevelDb(out.index, t)).toBe(20_002);

    // Same checkpoint with small blocks and a restart interval of 16: many blocks, many restarts.
    const small = writeCheckpoint(tensors, { table: { blockSize: 4096 } });
    const smallTable = readTable(small.index);
    expect(smallTable.dataBlocks.length).toBeGreaterThan(100);
    expect(Buffer.from(small.data[0]!).equals(Buffer.from(out.data[0]!))).toBe(true);
    expect(compareWithLevelDb(small.index, smallTable)).toBe(20_002);
  });

  it('LevelDB reads Snappy-compressed tables we produce (type-1 blocks) identically', () => {
    const entries = Array.from({ length: 3000 }, (_, i) => ({
      key: bytes(`layer_${String(i).padStart(5, '0')}/kernel/.ATTRIBUTES/VARIABLE_VALUE`),
      value: bytes(`value ${i} `.repeat(1 + (i % 5))),
    }));
    const table = writeTable(entries, { blockSize: 2048, compressor: snappyCompressor });
    const t = readTable(table);
    expect(t.dataBlocks.filter((b) => b.compression === 1).length).toBeGreaterThan(10);
    expect(compareWithLevelDb(table)).toBe(3000);
  });

  it.each(CHECKPOINT_FIXTURES)('LevelDB and our reader agree on fixture %s', (name) => {
    const fx = loadFixtureCheckpoint(name);
    expect(compareWithLevelDb(fx.index)).toBeGreaterThan(1);
  });
});
