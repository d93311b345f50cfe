// .npy / .npz against files numpy 2.4.6 wrote (test/fixtures/npy/make.py): decoding gives the
// values make.py saved; encoding gives numpy's bytes exactly; hostile headers are typed errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSavedModelError } from '@savedmodel-js/core';
import { decodeNpy, encodeNpy, nest, npyElements, npyHeader } from '../src/npy.js';
import { plainToNpy } from '../src/npy-files.js';

const DIR = join(import.meta.dirname, 'fixtures', 'npy');
const file = (n: string) => new Uint8Array(readFileSync(join(DIR, n)));
const read = (n: string) => {
  const a = decodeNpy(file(n), n, 2 ** 30);
  return { ...a, values: npyElements(a, n) };
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isSavedModelError(e)) return e.code;
    return `not a SavedModelError: ${String(e)}`;
  }
  return 'no error';
}

describe('decode numpy-written .npy files', () => {
  it('values, shapes and dtypes as make.py saved them', () => {
    let a = read('f4_2x3.npy');
    expect([a.descr, a.shape]).toEqual(['<f4', [2, 3]]);
    expect(a.values).toEqual([1.5, -2, 3.25, 0, Math.fround(1e-3), 7]);
    a = read('f8_3.npy');
    expect(a.values).toEqual([0.1, 1 / 3, 2 ** 60]); // exact float64
    a = read('i8_3.npy');
    expect(a.values).toEqual([-(2n ** 40n), 5n, 2n ** 53n + 1n]); // exact int64, beyond 2^53
    a = read('i4_0d.npy');
    expect([a.shape, a.values]).toEqual([[], [7]]);
    expect(read('b1_4.npy').values).toEqual([true, false, false, true]);
    expect(read('u1_2x2.npy').values).toEqual([0, 255, 7, 8]);
    expect(read('f2_3.npy').values).toEqual([0.5, -65504, 1.1920928955078125e-7]); // float16(1e-7) is the subnormal 2^-23
    expect(read('S_2.npy').values).toEqual([new TextEncoder().encode('ab'), new TextEncoder().encode('c')]);
    expect(read('U_2.npy').values).toEqual(['hé', 'x']);
    a = read('f4_fortran.npy');
    expect([a.fortranOrder, a.values]).toEqual([true, [0, 1, 2, 3, 4, 5]]); // reordered to row-major
    expect(read('f4_be.npy').values).toEqual([1.5, -2]);
    a = read('i4_0x3.npy');
    expect([a.shape, a.values]).toEqual([[0, 3], []]);
  });

  it('nest() builds the nested arrays of a shape', () => {
    expect(nest([1, 2, 3, 4, 5, 6], [2, 3])).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(nest([7], [])).toBe(7);
    expect(nest([], [2, 0])).toEqual([[], []]);
  });
});

describe('encode: np.save bytes exactly', () => {
  const cases: Array<[string, string, unknown[]]> = [
    ['f4_2x3.npy', 'DT_FLOAT', [1.5, -2, 3.25, 0, Math.fround(1e-3), 7]],
    ['f8_3.npy', 'DT_DOUBLE', [0.1, 1 / 3, 2 ** 60]],
    ['i8_3.npy', 'DT_INT64', [String(-(2 ** 40)), 5, '9007199254740993']],
    ['i4_0d.npy', 'DT_INT32', [7]],
    ['b1_4.npy', 'DT_BOOL', [true, false, false, true]],
    ['u1_2x2.npy', 'DT_UINT8', [0, 255, 7, 8]],
    ['f2_3.npy', 'DT_HALF', [0.5, -65504, 1e-7]], // 1e-7 rounds to float16 as numpy rounds it
    ['S_2.npy', 'DT_STRING', ['ab', 'c']],
    ['i4_0x3.npy', 'DT_INT32', []],
  ];
  for (const [name, tfDtype, values] of cases) {
    it(`${name} from ${tfDtype}`, () => {
      const want = file(name);
      const shape = decodeNpy(want, name, 2 ** 30).shape;
      const got = plainToNpy({ dtype: 'float32', tfDtype, shape, values: values as number[] }, 'k');
      expect(Buffer.from(got).toString('hex')).toBe(Buffer.from(want).toString('hex'));
    });
  }

  it('header is 64-byte aligned for any rank and size; a long header switches to version 2.0', () => {
    for (const shape of [[], [1], [123456789012], [1, 2, 3, 4, 5, 6, 7, 8]]) {
      const h = npyHeader('<f4', shape);
      expect(h.length % 64).toBe(0);
      expect(h[h.length - 1]).toBe(0x0a);
    }
    const big = npyHeader('<f4', Array.from({ length: 64 }, () => 1e15));
    expect(big.length % 64).toBe(0);
    expect(decodeNpy(encodeNpy('|u1', [3], new Uint8Array([1, 2, 3])), 'x', 100).shape).toEqual([3]);
  });
});

describe('hostile .npy', () => {
  const good = file('f4_2x3.npy');
  const withHeader = (dict: string, data = new Uint8Array(0), major = 1) => {
    const text = new TextEncoder().encode(dict + '\n');
    const lenBytes = major === 1 ? 2 : 4;
    const out = new Uint8Array(8 + lenBytes + text.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
    const dv = new DataView(out.buffer);
    if (major === 1) dv.setUint16(8, text.length, true); else dv.setUint32(8, text.length, true);
    out.set(text, 8 + lenBytes);
    out.set(data, 8 + lenBytes + text.length);
    return out;
  };
  const decode = (b: Uint8Array) => () => decodeNpy(b, 'evil.npy', 2 ** 20);

  it('malformed headers are INVALID_ARGUMENT', () => {
    expect(codeOf(decode(new Uint8Array([1, 2, 3])))).toBe('INVALID_ARGUMENT');
    expect(codeOf(decode(good.subarray(0, 9)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(decode(good.subarray(0, 40)))).toBe('INVALID_ARGUMENT'); // header cut short
    expect(codeOf(decode(good.subarray(0, good.length - 1)))).toBe('INVALID_ARGUMENT'); // data cut short
    for (const dict of [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }",
      "{'descr': '<f4', 'fortran_order': False, }",
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (0,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), '__class__': 1}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (0,)} + __import__('os')",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1 2)}",
      "[1, 2]",
    ]) {
      expect(codeOf(decode(withHeader(dict))), dict).toBe('INVALID_ARGUMENT');
    }
    // data longer than the shape says
    expect(codeOf(decode(withHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(2))))).toBe('INVALID_ARGUMENT');
  });

  it('huge declared sizes are refused before any allocation (LIMIT_EXCEEDED)', () => {
    // shape claims 10^15 float32s backed by 4 bytes
    expect(codeOf(decode(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000,), }", new Uint8Array(4))))).toBe('LIMIT_EXCEEDED');
    // 2^20 limit: a 2 MiB array
    expect(codeOf(decode(withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (262144,), }", new Uint8Array(8))))).toBe('LIMIT_EXCEEDED');
    // header length field of 4 GiB in a version 2.0 file; and a 60 kB version 1.0 header
    const v2 = withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4), 2);
    new DataView(v2.buffer).setUint32(8, 0xffffffff, true);
    expect(codeOf(decode(v2))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(decode(withHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }${' '.repeat(60000)}`)))).toBe('LIMIT_EXCEEDED');
    // 65 dimensions (numpy has at most 64)
    expect(codeOf(decode(withHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (${'0,'.repeat(65)}), }`)))).toBe('INVALID_ARGUMENT');
  });

  it('pickles, structured and exotic dtypes are UNSUPPORTED (nothing is unpickled)', () => {
    expect(codeOf(decode(withHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8))))).toBe('UNSUPPORTED');
    expect(codeOf(decode(withHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4))))).toBe('UNSUPPORTED');
    expect(codeOf(decode(withHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8))))).toBe('UNSUPPORTED');
    expect(codeOf(decode(withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4), 9)))).toBe('UNSUPPORTED');
  });
});
