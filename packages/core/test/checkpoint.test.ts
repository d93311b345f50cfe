// TensorBundle reader/writer against the TensorFlow-written fixtures and their independent listings.
import { describe, expect, it } from 'vitest';
import {
  DataType,
  readCheckpoint,
  readTable,
  writeCheckpoint,
  type CheckpointReader,
  type CheckpointTensor,
} from '../src/checkpoint/index.js';
import { tensorflow } from '../src/proto/index.js';
import { CHECKPOINT_FIXTURES, SNAPPY_FIXTURES, loadFixtureCheckpoint } from './checkpoint-fixtures.js';
import { readListing, type ListedEntry } from './checkpoint-listing.js';
import { printTextFormat } from './checkpoint-text-format.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const FLOATS = new Set(['DT_FLOAT', 'DT_DOUBLE', 'DT_HALF', 'DT_BFLOAT16']);

/** Listing numbers are Python reprs of float64 conversions; compare at the tensor's precision. */
function sameNumber(dtype: string, actual: number | bigint, text: string): void {
  if (dtype === 'DT_INT64' || dtype === 'DT_UINT64') {
    expect(actual).toBe(BigInt(text));
  } else if (dtype === 'DT_FLOAT') {
    expect(actual).toBe(Math.fround(Number(text)));
  } else if (FLOATS.has(dtype)) {
    expect(actual).toBe(Number(text));
  } else if (dtype === 'DT_BOOL') {
    expect(actual).toBe(text === 'True' ? 1 : 0);
  } else {
    expect(actual).toBe(Number(text));
  }
}

function checkValue(reader: CheckpointReader, le: ListedEntry): void {
  const v = reader.value(le.key);
  const lv = le.value;
  if (lv.kind === 'strings') {
    expect(Array.isArray(v)).toBe(true);
    expect((v as Uint8Array[]).map((x) => x.length)).toEqual(lv.lengths);
    expect(lv.lengthCrcOk).toBe(true);
    return;
  }
  expect(Array.isArray(v)).toBe(false);
  const arr = v as Exclude<typeof v, Uint8Array[]>;
  const at = (i: number): number | bigint => arr[i]!;
  if (lv.kind === 'scalar') {
    expect(arr.length).toBe(1);
    sameNumber(le.dtype, at(0), lv.text);
  } else if (lv.kind === 'list') {
    expect(arr.length).toBe(lv.items.length);
    lv.items.forEach((t, i) => sameNumber(le.dtype, at(i), t));
  } else {
    expect(le.dtype).toBe('DT_FLOAT');
    expect(arr.length).toBe(lv.count);
    lv.first8.forEach((t, i) => sameNumber(le.dtype, at(i), t));
    let sum = 0;
    let sumAbs = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i] as number;
      sum += x;
      sumAbs += Math.abs(x);
      if (x < min) min = x;
      if (x > max) max = x;
    }
    // The listing's sum may come from float32 accumulation: allow float32 rounding of every partial sum.
    const tol = sumAbs * 2 ** -24 * Math.log2(arr.length + 1) + 1e-7;
    expect(Math.abs(sum - lv.sum)).toBeLessThanOrEqual(tol);
    expect(min).toBe(Math.fround(Number(lv.min)));
    expect(max).toBe(Math.fround(Number(lv.max)));
  }
}

/** Tensors of a checkpoint in data-file order, as a writer would receive them. */
function tensorsInFileOrder(reader: CheckpointReader): CheckpointTensor[] {
  return [...reader.entries]
    .sort((a, b) => a.offset - b.offset)
    .map((e) => ({
      key: e.key,
      dtype: e.dtype,
      shape: e.shape,
      data: e.dtype === DataType.DT_STRING ? reader.stringBytes(e) : reader.bytes(e),
    }));
}

describe.each(CHECKPOINT_FIXTURES)('checkpoint fixture %s', (name) => {
  const fx = loadFixtureCheckpoint(name);
  const listing = readListing(name);
  const snappy = SNAPPY_FIXTURES.includes(name);

  it('table structure matches the listing (blocks, compression, trailer crcs, index keys)', () => {
    expect(fx.index.length).toBe(listing.indexBytes);
    expect(fx.data.length).toBe(listing.dataBytes['variables.data-00000-of-00001']);
    const t = readTable(fx.index, { file: 'variables/variables.index' });
    const [meta, index, ...data] = listing.blocks;
    expect(t.footer.metaindex).toEqual({ offset: meta!.offset, size: meta!.size });
    expect(t.footer.index).toEqual({ offset: index!.offset, size: index!.size });
    expect(t.dataBlocks.map((b) => ({ offset: b.offset, size: b.size, compression: b.compression, crcOk: true }))).toEqual(data);
    expect(t.dataBlocks.every((b) => b.compression === (snappy ? 1 : 0))).toBe(true);
    expect(t.indexKeys.map((k) => Buffer.from(k).toString('latin1'))).toEqual(listing.indexEntries.map((e) => e.key));
    expect(hex(t.entries[0]!.value)).toBe(listing.headerRaw);
  });

  it('every entry and every value equals the listing; every crc verifies', () => {
    const reader = readCheckpoint(fx.index, () => fx.data);
    expect(reader.header).toEqual({ numShards: 1, endianness: 0, version: { producer: 1, minConsumer: 0, badConsumers: [] } });
    expect(
      reader.entries.map((e) => ({
        key: e.key,
        dtype: e.dtypeName,
        shape: e.shape,
        shard: e.shardId,
        offset: e.offset,
        size: e.size,
        crcMasked: e.crc32c,
      })),
    ).toEqual(
      listing.entries.map((e) => ({
        key: e.key,
        dtype: e.dtype,
        shape: e.shape,
        shard: e.shard,
        offset: e.offset,
        size: e.size,
        crcMasked: e.crcMasked,
      })),
    );
    expect(listing.entries.every((e) => e.crcOk)).toBe(true);
    reader.verifyAll();
    for (const le of listing.entries) checkValue(reader, le);
    // Data file order (records back to back, no padding).
    const order = [...reader.entries].sort((a, b) => a.offset - b.offset);
    expect(order.map((e) => ({ start: e.offset, end: e.offset + e.size, key: e.key }))).toEqual(listing.fileOrder);
  });

  it('the object graph decodes to the listing', () => {
    const reader = readCheckpoint(fx.index, () => fx.data);
    if (listing.objectGraphText === undefined) {
      expect(reader.has('_CHECKPOINTABLE_OBJECT_GRAPH')).toBe(false); // TF1 export
      return;
    }
    const [bytes] = reader.stringBytes('_CHECKPOINTABLE_OBJECT_GRAPH');
    const graph = tensorflow.TrackableObjectGraph.decode(bytes!);
    expect(printTextFormat('tensorflow.TrackableObjectGraph', graph)).toEqual(listing.objectGraphText);
  });

  it(snappy ? 'rewritten uncompressed: same entries and values; data file byte-identical' : 'rewriting reproduces variables.index and the data file byte-for-byte', () => {
    const reader = readCheckpoint(fx.index, () => fx.data);
    const out = writeCheckpoint(tensorsInFileOrder(reader));
    expect(out.data).toHaveLength(1);
    expect(hex(out.data[0]!)).toBe(hex(fx.data));
    if (!snappy) {
      expect(hex(out.index)).toBe(hex(fx.index));
      return;
    }
    expect(out.index.length).not.toBe(fx.index.length);
    const t = readTable(out.index);
    expect(t.dataBlocks.every((b) => b.compression === 0)).toBe(true);
    const again = readCheckpoint(out.index, () => out.data[0]!);
    expect(again.header).toEqual(reader.header);
    const strip = (r: CheckpointReader) => r.entries.map((e) => ({ ...e, keyBytes: hex(e.keyBytes) }));
    expect(strip(again)).toEqual(strip(reader));
    // Same raw table entries (keys and BundleEntryProto bytes), only the block encoding differs.
    const orig = readTable(fx.index);
    expect(t.entries.map((e) => [hex(e.key), hex(e.value)])).toEqual(orig.entries.map((e) => [hex(e.key), hex(e.value)]));
    for (const e of reader.entries) expect(again.value(e.key)).toEqual(reader.value(e.key));
  });
});
