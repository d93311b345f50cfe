// Writer: input validation, string records, streaming, shards, dtype coverage.
import { describe, expect, it } from 'vitest';
import {
  BundleWriter,
  DataType,
  dtypeElementSize,
  dtypeFromName,
  dtypeName,
  readCheckpoint,
  readTable,
  writeCheckpoint,
  type CheckpointTensor,
} from '../src/checkpoint/index.js';
import { SavedModelError } from '../src/errors.js';

function invalid(fn: () => unknown, key?: string): SavedModelError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SavedModelError);
  expect((err as SavedModelError).code).toBe('INVALID_ARGUMENT');
  if (key !== undefined) {
    expect((err as SavedModelError).key).toBe(key);
    expect((err as SavedModelError).message).toContain(JSON.stringify(key));
  }
  return err as SavedModelError;
}

describe('checkpoint writer', () => {
  it('validates inputs and names the key', () => {
    const f = (t: Partial<CheckpointTensor>): CheckpointTensor => ({ key: 'k', dtype: DataType.DT_FLOAT, shape: [2], data: new Float32Array(2), ...t });
    invalid(() => writeCheckpoint([f({ data: new Float32Array(3) })]), 'k');
    invalid(() => writeCheckpoint([f({ data: new Uint8Array(7) })]), 'k');
    invalid(() => writeCheckpoint([f({ shape: [2 ** 40, 2 ** 40] })]), 'k');
    invalid(() => writeCheckpoint([f({ shape: [-2] })]), 'k');
    invalid(() => writeCheckpoint([f({ shape: [1.5] })]), 'k');
    invalid(() => writeCheckpoint([f({}), f({})]), 'k');
    invalid(() => writeCheckpoint([f({ dtype: 99 })]), 'k');
    invalid(() => writeCheckpoint([f({ dtype: DataType.DT_VARIANT })]), 'k');
    invalid(() => writeCheckpoint([f({ dtype: DataType.DT_STRING, data: ['a'] })]), 'k');
    invalid(() => writeCheckpoint([f({ dtype: DataType.DT_STRING, data: new Uint8Array(2) })]), 'k');
    invalid(() => writeCheckpoint([f({ data: ['a', 'b'] })]), 'k');
    invalid(() => writeCheckpoint([f({ key: '' })]), '');
    invalid(() => writeCheckpoint([f({ shardId: 1 })]), 'k');
    invalid(() => writeCheckpoint([f({ key: '\ud800' }), f({ key: '\udc00' })]));
  });

  it('writes string records with TF layout: varint lengths, masked length crc, bytes', () => {
    const { index, data } = writeCheckpoint([{ key: 's', dtype: DataType.DT_STRING, shape: [3], data: ['', 'é', new Uint8Array(200)] }]);
    const d = data[0]!;
    expect([...d.subarray(0, 4)]).toEqual([0, 2, 0xc8, 0x01]); // lengths 0, 2, 200 as varints
    expect(d.length).toBe(4 + 4 + 2 + 200);
    const r = readCheckpoint(index, () => d);
    const v = r.stringBytes('s');
    expect(v.map((x) => x.length)).toEqual([0, 2, 200]);
    expect(new TextDecoder().decode(v[1])).toBe('é');
    // Empty string tensor: just the 4-byte checksum of no lengths.
    const empty = writeCheckpoint([{ key: 'e', dtype: DataType.DT_STRING, shape: [0], data: [] }]);
    expect(empty.data[0]!.length).toBe(4);
    expect(readCheckpoint(empty.index, () => empty.data[0]!).strings('e')).toEqual([]);
  });

  it('round-trips every fixed-width dtype as typed arrays', () => {
    const tensors: CheckpointTensor[] = [];
    for (let dt = 1; dt <= 23; dt++) {
      const size = dtypeElementSize(dt);
      if (size === undefined) continue;
      const bytes = new Uint8Array(size * 6).map((_, i) => (i * 37 + dt) & 0xff);
      tensors.push({ key: `t/${dtypeName(dt)}`, dtype: dt, shape: [2, 3], data: bytes });
    }
    expect(tensors).toHaveLength(20);
    const { index, data } = writeCheckpoint(tensors);
    const r = readCheckpoint(index, () => data[0]!);
    const kinds: Record<string, string> = {};
    for (const t of tensors) {
      const v = r.value(t.key) as ArrayBufferView;
      kinds[dtypeName(t.dtype)!] = v.constructor.name;
      expect(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).toEqual(t.data);
    }
    expect(kinds).toMatchObject({
      DT_FLOAT: 'Float32Array',
      DT_DOUBLE: 'Float64Array',
      DT_HALF: 'Uint16Array',
      DT_BFLOAT16: 'Uint16Array',
      DT_INT64: 'BigInt64Array',
      DT_UINT64: 'BigUint64Array',
      DT_BOOL: 'Uint8Array',
      DT_INT8: 'Int8Array',
      DT_UINT32: 'Uint32Array',
      DT_COMPLEX64: 'Float32Array',
    });
    expect(dtypeFromName('float')).toBe(1);
    expect(dtypeFromName('DT_STRING')).toBe(7);
    expect(dtypeName(101)).toBe('DT_FLOAT_REF');
  });

  it('streams: add() returns record chunks (numeric data not copied), finish() the index', () => {
    const big = new Float32Array(1 << 20).map((_, i) => i);
    const w = new BundleWriter();
    const r1 = w.add({ key: 'big', dtype: DataType.DT_FLOAT, shape: [1 << 20], data: big });
    expect(r1.chunks).toHaveLength(1);
    expect(r1.chunks[0]!.buffer).toBe(big.buffer); // a view, no copy
    const r2 = w.add({ key: 'a', dtype: DataType.DT_STRING, shape: [], data: ['x'] });
    expect(r2.offset).toBe(4 << 20);
    const idx = w.finish();
    expect(() => w.add({ key: 'z', dtype: 1, shape: [], data: new Float32Array(1) })).toThrow(SavedModelError);
    const whole = writeCheckpoint([
      { key: 'big', dtype: DataType.DT_FLOAT, shape: [1 << 20], data: big },
      { key: 'a', dtype: DataType.DT_STRING, shape: [], data: ['x'] },
    ]);
    expect(Buffer.from(idx).equals(Buffer.from(whole.index))).toBe(true);
    const streamed = Buffer.concat([...r1.chunks, ...r2.chunks]);
    expect(streamed.equals(Buffer.from(whole.data[0]!))).toBe(true);
  });

  it('writes several shards with per-shard offsets', () => {
    const { index, data } = writeCheckpoint(
      [
        { key: 'a', dtype: DataType.DT_INT32, shape: [1], data: new Int32Array([1]), shardId: 1 },
        { key: 'b', dtype: DataType.DT_INT32, shape: [1], data: new Int32Array([2]), shardId: 0 },
        { key: 'c', dtype: DataType.DT_INT32, shape: [2], data: new Int32Array([3, 4]), shardId: 1 },
      ],
      { numShards: 2 },
    );
    expect(data.map((d) => d.length)).toEqual([4, 12]);
    const files: string[] = [];
    const r = readCheckpoint(index, (i) => data[i]!);
    expect(r.header.numShards).toBe(2);
    expect(r.entries.map((e) => [e.key, e.shardId, e.offset])).toEqual([
      ['a', 1, 0],
      ['b', 0, 0],
      ['c', 1, 4],
    ]);
    expect([...(r.value('c') as Int32Array)]).toEqual([3, 4]);
    files.push(r.shardFile(1));
    expect(files).toEqual(['variables/variables.data-00001-of-00002']);
  });

  it('sorts index keys bytewise by UTF-8, not by UTF-16 code units', () => {
    // U+FF5E (EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
    const keys = ['\u{1F600}', '\uFF5E', 'z'];
    const { index } = writeCheckpoint(keys.map((key) => ({ key, dtype: DataType.DT_UINT8, shape: [], data: new Uint8Array([1]) })));
    const t = readTable(index);
    expect(t.entries.slice(1).map((e) => new TextDecoder().decode(e.key))).toEqual(['z', '\uFF5E', '\u{1F600}']);
  });

  it('begin(): a record checksummed piece by piece after its bytes are placed gives the same index as add()', () => {
    const a = new Float32Array(1000).map((_, i) => i * 0.5 - 7);
    const b = new Int32Array([1, -2, 3]);
    const eager = writeCheckpoint([
      { key: 'a', dtype: DataType.DT_FLOAT, shape: [10, 100], data: a },
      { key: 's', dtype: DataType.DT_STRING, shape: [], data: ['x'] },
      { key: 'b', dtype: DataType.DT_INT32, shape: [3], data: b },
    ]);
    const w = new BundleWriter();
    const ra = w.begin({ key: 'a', dtype: DataType.DT_FLOAT, shape: [10, 100] }, a.byteLength);
    const s = w.add({ key: 's', dtype: DataType.DT_STRING, shape: [], data: ['x'] });
    const rb = w.begin({ key: 'b', dtype: DataType.DT_INT32, shape: [3] }, b.byteLength);
    expect([ra.offset, s.offset, rb.offset]).toEqual([0, 4000, 4000 + s.size]);
    const bytes = new Uint8Array(a.buffer);
    for (let o = 0; o < bytes.length; o += 999) ra.update(bytes.subarray(o, o + 999));
    ra.end();
    rb.update(new Uint8Array(b.buffer));
    rb.end();
    expect(w.finish()).toEqual(eager.index);
  });

  it('begin(): wrong lengths, string dtype and unfinished records are INVALID_ARGUMENT', () => {
    const w = new BundleWriter();
    invalid(() => w.begin({ key: 'k', dtype: DataType.DT_FLOAT, shape: [2] }, 7), 'k');
    invalid(() => w.begin({ key: 's', dtype: DataType.DT_STRING, shape: [] }, 0), 's');
    const r = w.begin({ key: 'r', dtype: DataType.DT_FLOAT, shape: [2] }, 8);
    invalid(() => r.update(new Uint8Array(9)), 'r');
    const r2 = w.begin({ key: 'r2', dtype: DataType.DT_FLOAT, shape: [2] }, 8);
    r2.update(new Uint8Array(4));
    invalid(() => r2.end(), 'r2');
    expect(invalid(() => w.finish()).message).toMatch(/not ended/);
  });
});
