// A protobufjs Writer that writes straight into one growing buffer. protobufjs's own Writer
// queues an operation object per field and a state object per nested message, then copies
// everything in finish(): for a big SavedModel (millions of fields) that is most of the encode
// time and much of the garbage. This one writes each field where it goes; a nested message gets
// one byte reserved for its length, and the (rare) message of 128 bytes or more is moved up by
// the extra length bytes when it ends. The generated encoders take it as their `writer`
// argument and call the same methods; the bytes are exactly protobufjs's own (same varints,
// same 64-bit and float conversions, and the same UTF-8 for every string, lone surrogates
// included, as the Writer protobufjs would have picked here).
import protobuf from 'protobufjs/minimal.js';

const util = protobuf.util;
/** Node's Buffer as protobufjs finds it; where it exists, Writer.create() picks BufferWriter. */
const NODE_BUFFER = util.Buffer as unknown as {
  from(s: string, encoding: 'base64'): Uint8Array;
  from(b: ArrayBufferLike, byteOffset: number, length: number): Uint8Array;
  allocUnsafe(n: number): Uint8Array;
} | null;
/** A finished writer's buffer up to this size is kept for the next one; above it, the buffer is the result. */
const SPARE_MAX_BYTES = 1 << 20;
const utf8 = new TextEncoder();

type LongLike = Parameters<typeof util.LongBits.from>[0];

let spare: Uint8Array | null = null;

export class FlatWriter {
  private buf: Uint8Array;
  private pos = 0;
  /** Start of each open fork, innermost last (numbers: no object per nested message). */
  private readonly forks: number[] = [];

  constructor() {
    this.buf = spare ?? new Uint8Array(1 << 16);
    spare = null;
  }

  private need(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 1024); // a finished writer has an empty buffer
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private varint32(v: number): void {
    this.need(5);
    const b = this.buf;
    let p = this.pos;
    while (v > 127) { b[p++] = (v & 127) | 128; v >>>= 7; }
    b[p++] = v;
    this.pos = p;
  }

  private varint64(lo: number, hi: number): void {
    this.need(10);
    const b = this.buf;
    let p = this.pos;
    while (hi) {
      b[p++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) { b[p++] = (lo & 127) | 128; lo >>>= 7; }
    b[p++] = lo;
    this.pos = p;
  }

  private fixed32At(v: number): void {
    this.need(4);
    const b = this.buf, p = this.pos;
    b[p] = v & 255; b[p + 1] = (v >>> 8) & 255; b[p + 2] = (v >>> 16) & 255; b[p + 3] = v >>> 24;
    this.pos = p + 4;
  }

  uint32(value: number): this {
    this.varint32(value >>> 0);
    return this;
  }

  int32(value: number): this {
    if ((value |= 0) < 0) {
      const bits = util.LongBits.fromNumber(value);
      this.varint64(bits.lo, bits.hi);
    } else {
      this.varint32(value);
    }
    return this;
  }

  sint32(value: number): this {
    return this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  uint64(value: LongLike): this {
    // a safe integer (every dim and int attr we build): its two's-complement words without the
    // LongBits object protobufjs allocates per value; the same bytes
    if (typeof value === 'number' && Number.isSafeInteger(value)) {
      this.varint64(value >>> 0, Math.floor(value / 4294967296) >>> 0);
      return this;
    }
    const bits = util.LongBits.from(value);
    this.varint64(bits.lo, bits.hi);
    return this;
  }

  int64(value: LongLike): this {
    return this.uint64(value);
  }

  sint64(value: LongLike): this {
    if (typeof value === 'number' && Number.isSafeInteger(value) && Math.abs(value) < 2 ** 52) {
      // zigzag: 2v for v >= 0, -2v - 1 below (exact: |2v| < 2^53)
      const z = value >= 0 ? 2 * value : -2 * value - 1;
      this.varint64(z >>> 0, Math.floor(z / 4294967296) >>> 0);
      return this;
    }
    const bits = util.LongBits.from(value).zzEncode();
    this.varint64(bits.lo, bits.hi);
    return this;
  }

  bool(value: boolean): this {
    this.need(1);
    this.buf[this.pos++] = value ? 1 : 0;
    return this;
  }

  fixed32(value: number): this {
    this.fixed32At(value >>> 0);
    return this;
  }

  sfixed32(value: number): this {
    return this.fixed32(value);
  }

  fixed64(value: LongLike): this {
    const bits = util.LongBits.from(value);
    this.fixed32At(bits.lo);
    this.fixed32At(bits.hi);
    return this;
  }

  sfixed64(value: LongLike): this {
    return this.fixed64(value);
  }

  float(value: number): this {
    this.need(4);
    util.float.writeFloatLE(value, this.buf, this.pos);
    this.pos += 4;
    return this;
  }

  double(value: number): this {
    this.need(8);
    util.float.writeDoubleLE(value, this.buf, this.pos);
    this.pos += 8;
    return this;
  }

  bytes(value: Uint8Array | readonly number[] | string): this {
    let data: ArrayLike<number>;
    if (typeof value === 'string') {
      // base64, as protobufjs accepts it
      if (NODE_BUFFER) data = NODE_BUFFER.from(value, 'base64');
      else {
        const out = new Uint8Array(util.base64.length(value));
        util.base64.decode(value, out, 0);
        data = out;
      }
    } else {
      data = value;
    }
    const len = data.length >>> 0;
    this.varint32(len);
    if (len) {
      this.need(len);
      this.buf.set(data, this.pos);
      this.pos += len;
    }
    return this;
  }

  string(value: string): this {
    const n = value.length;
    // ASCII (nearly every name in a graph): one byte per character. (Buffer's utf8Write was
    // tried here: no faster on fresh names, slower on flat ones, 30,000-node graphs.)
    this.need(n + 5);
    const b = this.buf;
    let p = this.pos + (n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : n < 268435456 ? 4 : 5);
    const start = p;
    let i = 0;
    for (; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c > 127) break;
      b[p++] = c;
    }
    if (i === n) {
      this.varint32(n);
      this.pos = start + n;
      return this;
    }
    // anything else as the Writer protobufjs would have used here: BufferWriter (Node) takes
    // protobufjs's own UTF-8 for strings under 40 UTF-16 units and Buffer's above (which, as
    // TextEncoder, writes U+FFFD for a lone surrogate); the plain Writer always its own
    const own = !NODE_BUFFER || n < 40;
    if (own) {
      const len = util.utf8.length(value);
      this.varint32(len);
      this.need(len);
      util.utf8.write(value, this.buf, this.pos);
      this.pos += len;
    } else {
      const bytes = utf8.encode(value);
      this.varint32(bytes.length);
      this.need(bytes.length);
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
    }
    return this;
  }

  /** Starts a length-delimited part (a nested message): one byte is kept for its length. */
  fork(): this {
    this.need(1);
    this.forks.push(this.pos);
    this.pos += 1;
    return this;
  }

  /** Drops what was written since the last fork (protobufjs: back to the last state). */
  reset(): this {
    this.pos = this.forks.length > 0 ? this.forks.pop()! : 0;
    return this;
  }

  /** Ends the part begun by the last fork: its length goes in front of it. */
  ldelim(): this {
    const start = this.forks.pop();
    if (start === undefined) throw new Error('FlatWriter.ldelim without fork');
    const body = start + 1;
    const len = this.pos - body;
    if (len < 128) {
      this.buf[start] = len;
      return this;
    }
    const size = len < 16384 ? 2 : len < 2097152 ? 3 : len < 268435456 ? 4 : 5;
    this.need(size - 1);
    this.buf.copyWithin(body + size - 1, body, this.pos);
    this.pos = start;
    this.varint32(len);
    this.pos += len;
    return this;
  }

  /** The bytes written (a Buffer in Node, as protobufjs's writer returns); the writer starts over empty. */
  finish(): Uint8Array {
    const n = this.pos;
    let out: Uint8Array;
    if (this.buf.length > SPARE_MAX_BYTES) {
      // A big message: the writer's own buffer, not a copy. Its unused tail is address space the
      // allocator has not backed with memory yet; a copy would touch n more bytes of fresh memory
      // (a 6 MB saved_model.pb: ~16 ms of page faults where those are slow).
      out = NODE_BUFFER ? NODE_BUFFER.from(this.buf.buffer, this.buf.byteOffset, n) : this.buf.subarray(0, n);
    } else {
      out = NODE_BUFFER ? NODE_BUFFER.allocUnsafe(n) : new Uint8Array(n);
      out.set(this.buf.subarray(0, n));
      // keep a moderately sized buffer for the next writer
      spare = this.buf;
    }
    this.buf = new Uint8Array(0);
    this.pos = 0;
    this.forks.length = 0;
    return out;
  }
}

/** A FlatWriter typed as the protobufjs Writer the generated `encode` functions take. */
export function flatWriter(): protobuf.Writer {
  return new FlatWriter() as unknown as protobuf.Writer;
}
