// encodeBundleEntry's direct byte path for plain entries: the bytes of every entry TensorFlow
// wrote in the fixtures' variables.index, and protobufjs's own encoding of the message for
// entries the fixtures lack (dims of 0, numbers past 2^32, zero fields, high ranks, slices).
import { describe, expect, it } from 'vitest';
import { decodeBundleEntry, encodeBundleEntry, readTable, type BundleEntry } from '../src/checkpoint/index.js';
import { tensorflow } from '../src/proto/index.js';
import { mulberry32 } from './checkpoint-prng.js';
import { FIXTURE_NAMES, fixtureFiles } from './shared.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The message protobufjs encodes: the fields TF sets (zeros omitted, a Dim of size 0 empty). */
function protobufjsBytes(e: BundleEntry): Uint8Array {
  const m: tensorflow.IBundleEntryProto = { shape: { dim: e.shape.map((size) => (size ? { size } : {})) } };
  if (e.dtype) m.dtype = e.dtype;
  if (e.shardId) m.shard_id = e.shardId;
  if (e.offset) m.offset = e.offset;
  if (e.size) m.size = e.size;
  if (e.crc32c) m.crc32c = e.crc32c;
  if (e.slices.length) m.slices = e.slices.map((s) => ({ extent: s.map((x) => ({ ...(x.start ? { start: x.start } : {}), ...(x.length !== undefined ? { length: x.length } : {}) })) }));
  return tensorflow.BundleEntryProto.encode(m).finish();
}

describe('encodeBundleEntry', () => {
  it('gives back the bytes of every entry TensorFlow wrote in the fixtures', () => {
    let n = 0;
    for (const name of FIXTURE_NAMES) {
      const index = fixtureFiles(name).get('variables/variables.index');
      if (!index) continue;
      for (const { key, value } of readTable(index).entries) {
        if (key.length === 0) continue; // the header
        expect(hex(encodeBundleEntry(decodeBundleEntry(value))), `${name} ${new TextDecoder().decode(key)}`).toBe(hex(value));
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });

  it('writes what protobufjs writes for the message', () => {
    const rand = mulberry32(7);
    const big = (bits: number) => Math.floor(rand() * 2 ** bits);
    const cases: BundleEntry[] = [
      { dtype: 1, shape: [], shardId: 0, offset: 0, size: 0, crc32c: 0, slices: [] },
      { dtype: 0, shape: [0, 3, 0], shardId: 0, offset: 0, size: 0, crc32c: 0, slices: [] },
      { dtype: 9, shape: [2 ** 40, 1], shardId: 5, offset: 2 ** 52 + 1, size: 2 ** 33, crc32c: 0xffffffff, slices: [] },
      { dtype: 1, shape: Array.from({ length: 16 }, () => 2 ** 50), shardId: 2 ** 31 - 1, offset: Number.MAX_SAFE_INTEGER, size: 1, crc32c: 1, slices: [] },
      // past the direct path: rank 17, slices, a negative number
      { dtype: 1, shape: Array.from({ length: 17 }, (_, i) => i), shardId: 0, offset: 3, size: 4, crc32c: 5, slices: [] },
      { dtype: 1, shape: [4, 4], shardId: 0, offset: 0, size: 0, crc32c: 0, slices: [[{ start: 0, length: 2 }, { start: 1 }]] },
      { dtype: 1, shape: [-1], shardId: 0, offset: 0, size: 0, crc32c: 0, slices: [] },
    ];
    for (let i = 0; i < 300; i++) {
      const rank = Math.floor(rand() * 5);
      cases.push({
        dtype: Math.floor(rand() * 30), shape: Array.from({ length: rank }, () => (rand() < 0.2 ? 0 : big(rand() < 0.5 ? 8 : 45))),
        shardId: rand() < 0.7 ? 0 : big(20), offset: rand() < 0.2 ? 0 : big(rand() < 0.5 ? 20 : 53), size: big(rand() < 0.5 ? 14 : 40),
        crc32c: rand() < 0.1 ? 0 : big(32), slices: [],
      });
    }
    for (const e of cases) expect(hex(encodeBundleEntry(e)), JSON.stringify(e)).toBe(hex(protobufjsBytes(e)));
  });
});
