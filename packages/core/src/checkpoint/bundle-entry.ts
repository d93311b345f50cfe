/**
 * BundleHeaderProto / BundleEntryProto (tensor_bundle.proto) as plain objects.
 *
 * Encoding follows TensorFlow's byte layout exactly: fields in number order,
 * proto3 zero values omitted, `shape` always present (an empty message for
 * scalars). Decoding turns every malformed input into a SavedModelError and
 * every int64 into a checked safe-integer number.
 */
import type Long from 'long';
import { SavedModelError } from '../errors.js';
import { tensorflow } from '../proto/index.js';

export const ENDIANNESS_LITTLE = 0;
export const ENDIANNESS_BIG = 1;

/** TensorBundle format version written by TF (kTensorBundleVersion) and the oldest producer it reads. */
export const BUNDLE_VERSION = 1;
export const BUNDLE_MIN_PRODUCER = 0;

export interface BundleVersion {
  producer: number;
  minConsumer: number;
  badConsumers: number[];
}

export interface BundleHeader {
  numShards: number;
  /** 0 = little-endian, 1 = big-endian. */
  endianness: number;
  version: BundleVersion;
}

export interface TensorSliceExtent {
  start: number;
  /** Absent = the whole dimension. */
  length?: number;
}

export interface BundleEntry {
  dtype: number;
  shape: number[];
  shardId: number;
  offset: number;
  size: number;
  /** Masked crc32c of the record, as stored. */
  crc32c: number;
  /** Only for partitioned variables (then offset/size/crc describe nothing). */
  slices: TensorSliceExtent[][];
}

function int64(v: number | Long | null | undefined, what: string): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  if (!Number.isSafeInteger(n)) throw new SavedModelError('LIMIT_EXCEEDED', `${what} ${v.toString()} does not fit in 2^53`);
  return n;
}

export function encodeBundleHeader(h: BundleHeader): Uint8Array {
  const version: tensorflow.IVersionDef = {};
  if (h.version.producer) version.producer = h.version.producer;
  if (h.version.minConsumer) version.min_consumer = h.version.minConsumer;
  if (h.version.badConsumers.length) version.bad_consumers = h.version.badConsumers;
  const msg: tensorflow.IBundleHeaderProto = { version };
  if (h.numShards) msg.num_shards = h.numShards;
  if (h.endianness) msg.endianness = h.endianness;
  return tensorflow.BundleHeaderProto.encode(msg).finish();
}

export function decodeBundleHeader(bytes: Uint8Array): BundleHeader {
  let m: tensorflow.BundleHeaderProto;
  try {
    m = tensorflow.BundleHeaderProto.decode(bytes);
  } catch (e) {
    throw new SavedModelError('CORRUPT', `cannot decode BundleHeaderProto: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const v = m.version;
  return {
    numShards: m.num_shards,
    endianness: m.endianness,
    version: {
      producer: v?.producer ?? 0,
      minConsumer: v?.min_consumer ?? 0,
      badConsumers: v?.bad_consumers ? [...v.bad_consumers] : [],
    },
  };
}

export function encodeBundleEntry(e: BundleEntry): Uint8Array {
  return encodePlainEntry(e) ?? encodeEntryMessage(e);
}

// A checkpoint writes one entry per tensor: the common entry (no slices, small non-negative
// numbers) is written here byte by byte, as protobufjs lays it out (fields in number order,
// zeros omitted, a Dim of size 0 an empty message), without building the message.
const scratch = new Uint8Array(256);
const MAX_PLAIN_RANK = 16;

function putVarint(b: Uint8Array, p: number, v: number): number {
  while (v >= 128) { b[p++] = (v % 128) + 128; v = Math.floor(v / 128); }
  b[p++] = v;
  return p;
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) { v = Math.floor(v / 128); n++; }
  return n;
}

const plainInt = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max;

function encodePlainEntry(e: BundleEntry): Uint8Array | undefined {
  if (e.slices.length || e.shape.length > MAX_PLAIN_RANK || !plainInt(e.dtype, 0x7fffffff) || !plainInt(e.shardId, 0x7fffffff)
    || !plainInt(e.offset, Number.MAX_SAFE_INTEGER) || !plainInt(e.size, Number.MAX_SAFE_INTEGER) || !plainInt(e.crc32c, 0xffffffff)) return undefined;
  let shapeLen = 0;
  for (const d of e.shape) {
    if (!plainInt(d, Number.MAX_SAFE_INTEGER)) return undefined;
    shapeLen += d ? 2 + 1 + varintSize(d) : 2;
  }
  const b = scratch;
  let p = 0;
  if (e.dtype) { b[p++] = 8; p = putVarint(b, p, e.dtype); }
  b[p++] = 18;
  p = putVarint(b, p, shapeLen);
  for (const d of e.shape) {
    b[p++] = 18;
    if (d) { b[p++] = 1 + varintSize(d); b[p++] = 8; p = putVarint(b, p, d); } else b[p++] = 0;
  }
  if (e.shardId) { b[p++] = 24; p = putVarint(b, p, e.shardId); }
  if (e.offset) { b[p++] = 32; p = putVarint(b, p, e.offset); }
  if (e.size) { b[p++] = 40; p = putVarint(b, p, e.size); }
  if (e.crc32c) {
    const c = e.crc32c;
    b[p++] = 53; b[p++] = c & 255; b[p++] = (c >>> 8) & 255; b[p++] = (c >>> 16) & 255; b[p++] = c >>> 24;
  }
  return b.slice(0, p);
}

function encodeEntryMessage(e: BundleEntry): Uint8Array {
  const msg: tensorflow.IBundleEntryProto = {};
  if (e.dtype) msg.dtype = e.dtype;
  // A Dim with size 0 is an empty (but present) message, like TF's AsProto.
  msg.shape = { dim: e.shape.map((size) => (size ? { size } : {})) };
  if (e.shardId) msg.shard_id = e.shardId;
  if (e.offset) msg.offset = e.offset;
  if (e.size) msg.size = e.size;
  if (e.crc32c) msg.crc32c = e.crc32c;
  if (e.slices.length) {
    msg.slices = e.slices.map((extents) => ({
      extent: extents.map((x) => {
        const out: tensorflow.TensorSliceProto.IExtent = {};
        if (x.start) out.start = x.start;
        if (x.length !== undefined) out.length = x.length;
        return out;
      }),
    }));
  }
  return tensorflow.BundleEntryProto.encode(msg).finish();
}

export function decodeBundleEntry(bytes: Uint8Array): BundleEntry {
  let m: tensorflow.BundleEntryProto;
  try {
    m = tensorflow.BundleEntryProto.decode(bytes);
  } catch (e) {
    throw new SavedModelError('CORRUPT', `cannot decode BundleEntryProto: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (m.shape?.unknown_rank) throw new SavedModelError('CORRUPT', 'checkpoint entry has a shape of unknown rank');
  const shape = (m.shape?.dim ?? []).map((d) => int64(d.size, 'dimension size'));
  return {
    dtype: m.dtype,
    shape,
    shardId: m.shard_id,
    offset: int64(m.offset, 'offset'),
    size: int64(m.size, 'size'),
    crc32c: m.crc32c >>> 0,
    slices: m.slices.map((s) =>
      (s.extent ?? []).map((x) => {
        const out: TensorSliceExtent = { start: int64(x.start, 'slice start') };
        if (x.length !== null && x.length !== undefined) out.length = int64(x.length, 'slice length');
        return out;
      }),
    ),
  };
}
