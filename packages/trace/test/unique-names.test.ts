// Node names stay unique when a base repeats thousands of times (big graphs): the suffix search
// resumes where it stopped instead of rescanning from _1, and still skips reserved names.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../src/graph/graph-builder.js';

describe('GraphBuilder.uniqueName', () => {
  it('gives base, base_1, … and skips names reserved in between', () => {
    const g = new GraphBuilder();
    g.reserve('x_2');
    expect(g.uniqueName('x')).toBe('x');
    expect(g.uniqueName('x')).toBe('x_1');
    expect(g.uniqueName('x')).toBe('x_3');
    g.reserve('x_4');
    expect(g.uniqueName('x')).toBe('x_5');
    expect(g.uniqueName('x_1')).toBe('x_1_1');
  });

  it('10,000 repeats of one base are all distinct, in order', () => {
    const g = new GraphBuilder();
    const names = Array.from({ length: 10_000 }, () => g.uniqueName('ReadVariableOp'));
    expect(new Set(names).size).toBe(10_000);
    expect(names[9_999]).toBe('ReadVariableOp_9999');
  });
});
