// Symbolic sizes: the monomial fit behind dynamic dimensions, and the merge of two traces.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { evalSym, fitSym, isSym, mergeTapes, symToString, type Tape } from '../src/index.js';

describe('fitSym', () => {
  const A = [2, 5], B = [3, 7];
  it('keeps equal numbers', () => {
    expect(fitSym(4, 4, A, B)).toBe(4);
  });
  it('finds coef * product of symbols', () => {
    const cases: [number, number, string][] = [
      [2, 3, 's0'], [14, 21, '7*s0'], [12, 18, '6*s0'], [4, 9, 's0*s0'], [10, 21, 's0*s1'], [60, 189, '3*s0*s0*s1'], [-2, -3, '-1*s0'],
    ];
    for (const [a, b, want] of cases) {
      const d = fitSym(a, b, A, B);
      expect(isSym(d), `${a},${b}`).toBe(true);
      expect(symToString(d!)).toBe(want);
      expect(evalSym(d!, A)).toBe(a);
      expect(evalSym(d!, B)).toBe(b);
    }
  });
  it('rejects what no monomial explains', () => {
    for (const [a, b] of [[3, 4], [1, 2], [2, -3], [0, 3], [4, 6.5], [6, 9 * 7 * 7]]) expect(fitSym(a!, b!, A, B), `${a},${b}`).toBeUndefined();
  });
});

describe('mergeTapes', () => {
  const variable = tf.variable(tf.zeros([2]));
  const tape = (batch: number, reshapeTo: number[]): Tape => ({
    values: [
      { id: 0, dtype: 'float32', shape: [batch, 4], source: { kind: 'input', index: 0 } },
      { id: 1, dtype: 'float32', shape: [batch * 2, 2], source: { kind: 'kernel', call: 0, output: 0 } },
      { id: 2, dtype: 'float32', shape: [2], source: { kind: 'variable', variable } },
      { id: 3, dtype: 'float32', shape: [batch, 2], source: { kind: 'constant', values: new Float32Array(batch * 2) } },
      { id: 4, dtype: 'int32', shape: [2], source: { kind: 'constant', values: Int32Array.from([batch, 2]) } },
    ],
    calls: [{ index: 0, kernel: 'Reshape', inputs: [['x', 0]], attrs: { shape: reshapeTo }, outputs: [1], layer: '' }],
    inputs: [0],
    outputs: [1],
  });
  const symbols = [{ input: 0, axis: 0, sizes: [2, 3] }];

  it('turns differing numbers into symbols', () => {
    const m = mergeTapes(tape(2, [-1, 2]), tape(3, [-1, 2]), symbols);
    expect(m.values[1]!.shape.map((d) => symToString(d))).toEqual(['2*s0', '2']);
    expect(m.calls[0]!.attrs['shape']).toEqual([-1, 2]);
    expect(m.values[3]!.source).toEqual({ kind: 'fill', value: 0 });
    const s4 = m.values[4]!.source;
    expect(s4.kind).toBe('symbolic-constant');
    const m2 = mergeTapes(tape(2, [4, 2]), tape(3, [6, 2]), symbols);
    expect(symToString(((m2.calls[0]!.attrs['shape']) as never[])[0]!)).toBe('2*s0');
  });

  it('rejects differing kernel sequences', () => {
    const b = tape(3, [-1, 2]);
    b.calls[0] = { ...b.calls[0]!, kernel: 'Identity' };
    expect(() => mergeTapes(tape(2, [-1, 2]), b, symbols)).toThrow(/kernel Reshape.*differ/);
  });
});
