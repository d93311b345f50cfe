// Raw Snappy decompression against an independent compressor (snappyjs), and malformed input.
import { describe, expect, it } from 'vitest';
import { snappyDecompress, snappyMaxExpansion } from '../src/checkpoint/index.js';
import { SavedModelError } from '../src/errors.js';
import { snappyjsCompress } from './checkpoint-snappyjs.js';
import { mulberry32, randomBytes, randomInt } from './checkpoint-prng.js';

const compress = snappyjsCompress;

function expectCode(fn: () => unknown, codes: string[]): SavedModelError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SavedModelError);
    expect(codes).toContain((e as SavedModelError).code);
    return e as SavedModelError;
  }
  throw new Error('expected a SavedModelError');
}

/** Inputs with different match structure: random, runs, short repeats, long repeats, text-like. */
function samples(rand: () => number, n: number): Record<string, Uint8Array> {
  const runs = new Uint8Array(n);
  for (let i = 0; i < n; ) {
    const len = 1 + randomInt(rand, 300);
    runs.fill(randomInt(rand, 4), i, Math.min(n, i + len));
    i += len;
  }
  const period = new Uint8Array(n);
  const p = 1 + randomInt(rand, 7);
  for (let i = 0; i < n; i++) period[i] = (i % p) * 17;
  const words = ['layer', '/kernel', '/.ATTRIBUTES/', 'VARIABLE_VALUE', '_', '0', '1', 'bias', '\n'];
  let text = '';
  while (text.length < n) text += words[randomInt(rand, words.length)];
  const mixed = randomBytes(rand, n);
  for (let i = 0; i + 100 < n; i += 200 + randomInt(rand, 500)) {
    const src = randomInt(rand, Math.max(1, i));
    mixed.copyWithin(i, src, src + Math.min(100 + randomInt(rand, 5000), n - i));
  }
  return {
    random: randomBytes(rand, n),
    zeros: new Uint8Array(n),
    runs,
    period,
    text: new TextEncoder().encode(text.slice(0, n)),
    mixed,
  };
}

describe('snappy decompression', () => {
  const sizes = [0, 1, 2, 3, 4, 5, 15, 16, 17, 59, 60, 61, 63, 64, 65, 255, 256, 257, 1000, 4096, 65535, 65536, 65537, 100_000, 262_144, 1_000_003];

  it('decodes snappyjs output for random and repetitive buffers of many sizes', () => {
    const rand = mulberry32(1234);
    let cases = 0;
    for (const n of sizes) {
      for (const [kind, input] of Object.entries(samples(rand, n))) {
        const c = compress(input);
        const out = snappyDecompress(c);
        if (out.length !== input.length || Buffer.compare(Buffer.from(out), Buffer.from(input)) !== 0) {
          throw new Error(`mismatch for ${kind} of ${n} bytes`);
        }
        cases++;
      }
    }
    expect(cases).toBe(sizes.length * 6);
  });

  it('decodes hand-made streams with every element kind (incl. long literals and overlapping copies)', () => {
    // 4-byte-offset copy and 1..4-byte literal lengths are not produced by snappyjs for small inputs.
    const lit = (bytes: number[]): number[] => {
      const n = bytes.length - 1;
      if (n < 60) return [n << 2, ...bytes];
      const ext: number[] = [];
      for (let v = n; v > 0; v = Math.floor(v / 256)) ext.push(v & 0xff);
      return [(59 + ext.length) << 2, ...ext, ...bytes];
    };
    const abc = [0x61, 0x62, 0x63];
    const big = Array.from({ length: 70_000 }, (_, i) => i & 0xff);
    const stream = [
      ...lit(abc),
      // copy-1: len 4 + 3 = 7, offset 3 (overlapping) → "abcabca"
      0b000_011_01 | (3 << 2), 3,
      // copy-2: len 5, offset 2 → "cacac"
      ((5 - 1) << 2) | 2, 2, 0,
      // copy-4: len 3, offset 10 → bytes from position 15-10 = 5
      ((3 - 1) << 2) | 3, 10, 0, 0, 0,
      ...lit(big),
    ];
    const expected: number[] = [...abc];
    const copy = (len: number, off: number): void => {
      for (let i = 0; i < len; i++) expected.push(expected[expected.length - off]!);
    };
    copy(7, 3);
    copy(5, 2);
    copy(3, 10);
    expected.push(...big);
    const lenVarint: number[] = [];
    for (let v = expected.length; ; v = Math.floor(v / 128)) {
      if (v < 128) {
        lenVarint.push(v);
        break;
      }
      lenVarint.push((v & 0x7f) | 0x80);
    }
    const out = snappyDecompress(new Uint8Array([...lenVarint, ...stream]));
    expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
  });

  it('rejects malformed input with typed errors', () => {
    const good = compress(new TextEncoder().encode('hello hello hello hello hello world'));
    // Declared length beyond what the body can produce (no allocation happens).
    expectCode(() => snappyDecompress(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])), ['LIMIT_EXCEEDED']);
    expect(snappyMaxExpansion(3)).toBe(64);
    // Caller limit.
    expectCode(() => snappyDecompress(good, { maxOutputLength: 10 }), ['LIMIT_EXCEEDED']);
    // Bad preamble varints.
    expectCode(() => snappyDecompress(new Uint8Array([])), ['TRUNCATED']);
    expectCode(() => snappyDecompress(new Uint8Array([0x80, 0x80])), ['TRUNCATED']);
    expectCode(() => snappyDecompress(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), ['CORRUPT']);
    // Copy before the start of the output / offset 0.
    expectCode(() => snappyDecompress(new Uint8Array([4, (3 << 2) | 2, 1, 0])), ['CORRUPT']);
    expectCode(() => snappyDecompress(new Uint8Array([8, 0, 0x61, (3 << 2) | 2, 0, 0])), ['CORRUPT']);
    // Literal longer than the input / than the declared output.
    expectCode(() => snappyDecompress(new Uint8Array([5, 4 << 2, 0x61])), ['TRUNCATED']);
    expectCode(() => snappyDecompress(new Uint8Array([1, 1 << 2, 0x61, 0x62])), ['CORRUPT']);
    // Output shorter than declared.
    expectCode(() => snappyDecompress(new Uint8Array([3, 0, 0x61])), ['CORRUPT']);
    // Copy overflowing the declared length.
    expectCode(() => snappyDecompress(new Uint8Array([2, 0, 0x61, (3 << 2) | 2, 1, 0])), ['CORRUPT']);
    // Truncated copy operands and extended literal lengths.
    expectCode(() => snappyDecompress(new Uint8Array([5, 0, 0x61, 0x01])), ['TRUNCATED']);
    expectCode(() => snappyDecompress(new Uint8Array([5, 0, 0x61, 0x02, 0x01])), ['TRUNCATED']);
    expectCode(() => snappyDecompress(new Uint8Array([5, 0, 0x61, 0x03, 0x01, 0x00])), ['TRUNCATED']);
    expectCode(() => snappyDecompress(new Uint8Array([5, 61 << 2, 0x00])), ['TRUNCATED']);
  });

  it('random corruption of valid streams never throws anything but SavedModelError', () => {
    const rand = mulberry32(99);
    const bases = Object.values(samples(rand, 3000)).map(compress);
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const src = bases[i % bases.length]!;
      const buf = src.slice(0, i % 7 === 0 ? randomInt(rand, src.length + 1) : src.length);
      const flips = 1 + randomInt(rand, 4);
      for (let f = 0; f < flips && buf.length > 0; f++) buf[randomInt(rand, buf.length)] = randomInt(rand, 256);
      try {
        const out = snappyDecompress(buf);
        expect(out.length).toBeLessThanOrEqual(snappyMaxExpansion(buf.length));
      } catch (e) {
        if (!(e instanceof SavedModelError)) throw e;
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(100);
  });
});
