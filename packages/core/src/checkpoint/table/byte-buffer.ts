/**
 * Growable byte buffer for building blocks and small protos. Doubling growth
 * keeps appends amortised O(1) (no quadratic concatenation).
 */
export class ByteBuffer {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  pushByte(b: number): void {
    if (this.len === this.buf.length) this.ensure(1);
    this.buf[this.len++] = b;
  }

  pushBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Append `bytes[start, end)` without creating a subarray for short runs. */
  pushRange(bytes: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.ensure(n);
    if (n < 16) {
      for (let i = 0; i < n; i++) this.buf[this.len + i] = bytes[start + i]!;
    } else {
      this.buf.set(bytes.subarray(start, end), this.len);
    }
    this.len += n;
  }

  pushFixed32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.len;
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    b[p + 3] = (v >>> 24) & 0xff;
    this.len += 4;
  }

  /** Drop the contents, keeping the allocation for reuse. */
  reset(): void {
    this.len = 0;
  }

  /** View of the bytes written so far (invalidated by later writes or reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** An exact-size copy of the contents. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
