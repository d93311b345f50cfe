// numpy's array printing, which saved_model_cli's `run` output is: a table of arrays and what
// `str(np.array(values, dtype).reshape(shape))` printed for them with numpy 2.4.6 (default print
// options; strings as dtype=object arrays of bytes, as TF returns them). Expected strings come from
// numpy itself, run once to make this table, not from our code.
import { describe, expect, it } from 'vitest';
import { formatNumpy, type NumpyKind } from '../src/numpy-format.js';

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const TABLE: [NumpyKind, number[], (number | boolean | Uint8Array)[], string][] = [
  ["float32", [2, 1], [2.5, 3.0], "[[2.5]\n [3. ]]"],
  ["float32", [3], [2.5, 3.0, 3.5], "[2.5 3.  3.5]"],
  ["float32", [3], [0.1, 0.3333333333333333, 100.25], "[1.0000000e-01 3.3333334e-01 1.0025000e+02]"],
  ["float32", [3], [-1.5, 2.0, -30.125], "[ -1.5     2.    -30.125]"],
  ["float32", [2], [1e-05, 1.0], "[1.e-05 1.e+00]"],
  ["float32", [3], [100000000.0, 1.0, -2.5], "[ 1.0e+08  1.0e+00 -2.5e+00]"],
  ["float32", [4], [NaN, 1.5, Infinity, -Infinity], "[ nan  1.5  inf -inf]"],
  ["float32", [2], [NaN, Infinity], "[nan inf]"],
  ["float64", [2], [0.3333333333333333, 2.0], "[0.33333333 2.        ]"],
  ["float64", [3], [0.1, 0.2, 0.30000000000000004], "[0.1 0.2 0.3]"],
  ["float64", [2], [123456.789, 0.5], "[1.23456789e+05 5.00000000e-01]"],
  ["float32", [2], [0.0, 0.0], "[0. 0.]"],
  ["float32", [], [3.0], "3.0"],
  ["float32", [], [1e-05], "1e-05"],
  ["float32", [], [1e+16], "1e+16"],
  ["float64", [], [0.1], "0.1"],
  ["float32", [2], [-0, 1.0], "[-0.  1.]"],
  ["int", [3], [1, -2, 10], "[ 1 -2 10]"],
  ["int", [2, 3], [1, 2, 3, 40, 5, -600], "[[   1    2    3]\n [  40    5 -600]]"],
  ["int", [], [7], "7"],
  ["int", [30], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29], "[ 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n 24 25 26 27 28 29]"],
  ["int", [2, 3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23], "[[[ 0  1  2  3]\n  [ 4  5  6  7]\n  [ 8  9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]"],
  ["float32", [40], [0.0, 1.5, 3.0, 4.5, 6.0, 7.5, 9.0, 10.5, 12.0, 13.5, 15.0, 16.5, 18.0, 19.5, 21.0, 22.5, 24.0, 25.5, 27.0, 28.5, 30.0, 31.5, 33.0, 34.5, 36.0, 37.5, 39.0, 40.5, 42.0, 43.5, 45.0, 46.5, 48.0, 49.5, 51.0, 52.5, 54.0, 55.5, 57.0, 58.5], "[ 0.   1.5  3.   4.5  6.   7.5  9.  10.5 12.  13.5 15.  16.5 18.  19.5\n 21.  22.5 24.  25.5 27.  28.5 30.  31.5 33.  34.5 36.  37.5 39.  40.5\n 42.  43.5 45.  46.5 48.  49.5 51.  52.5 54.  55.5 57.  58.5]"],
  ["int", [2000], range(2000), "[   0    1    2 ... 1997 1998 1999]"],
  ["float32", [3, 4], [0.0, 0.14285714285714285, 0.2857142857142857, 0.42857142857142855, 0.5714285714285714, 0.7142857142857143, 0.8571428571428571, 1.0, 1.1428571428571428, 1.2857142857142858, 1.4285714285714286, 1.5714285714285714], "[[0.         0.14285715 0.2857143  0.42857143]\n [0.5714286  0.71428573 0.85714287 1.        ]\n [1.1428572  1.2857143  1.4285715  1.5714285 ]]"],
  ["bool", [3], [true, false, true], "[ True False  True]"],
  ["bool", [1], [true], "[ True]"],
  ["bool", [], [false], "False"],
  ["bytes", [3], [latin1("ab"), latin1("c'd"), latin1("x\n\u0000")], "[b'ab' b\"c'd\" b'x\\n\\x00']"],
  ["bytes", [], [latin1("hello")], "b'hello'"],
  ["float32", [0], [], "[]"],
  ["int", [2, 0], [], "[]"],
];

describe('run prints arrays as numpy does', () => {
  it.each(TABLE.map((r, i) => [i, ...r] as const))('case %i: %s %j', (_i, kind, shape, values, want) => {
    expect(formatNumpy({ kind, shape, values })).toBe(want);
  });
});
