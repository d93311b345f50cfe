// `savedmodel run`: saved_model_cli-style execution of a signature, on TensorFlow-written fixtures
// (expected values from the programs in shared/fixtures/tf/README.md).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { float64ScalingFiles } from '../../runtime/test/graph-kit.js';
import { main } from '../src/main.js';
import { formatTensor, parseInputExprs } from '../src/commands/run.js';
import { FIXTURES } from '../../core/test/shared.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

describe('savedmodel run', () => {
  it('half_plus_two_tf2 serving_default: y = 0.5x + 2', async () => {
    const r = await run('run', join(FIXTURES, 'half_plus_two_tf2'), '--signature_def', 'serving_default', '--input_exprs', 'x=[3]');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe('Result for output key y:\n[3.5]\n');
  });

  it('half_plus_two_tf2 --json, and the x2 → y3 signature (0.5x + 3)', async () => {
    const r = await run('run', join(FIXTURES, 'half_plus_two_tf2'), '--signature_def', 'regress_x2_to_y3', '--input_exprs', 'inputs=[5]', '--tag_set', 'serve', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ outputs: { outputs: { dtype: 'float32', shape: [1], values: [5.5] } } });
  });

  it('times_three_float: scalar in, scalar out (numpy prints 7.5, 6.0)', async () => {
    let r = await run('run', join(FIXTURES, 'times_three_float'), '--signature_def', 'serving_default', '--input_exprs', 'x=2.5');
    expect(r.code).toBe(0);
    expect(r.out).toBe('Result for output key output_0:\n7.5\n');
    r = await run('run', join(FIXTURES, 'times_three_float'), '--input_exprs', 'x=2', '--json');
    expect(JSON.parse(r.out)).toEqual({ outputs: { output_0: { dtype: 'float32', shape: [], values: [6] } } });
  });

  it('several inputs separated by ";", outputs in sorted key order (model_multi_output: x*2, y)', async () => {
    const r = await run('run', join(FIXTURES, 'model_multi_output'), '--signature_def', 'serving_default', '--input_exprs', 'y=7; x=3');
    expect(r.code).toBe(0);
    expect(r.out).toBe('Result for output key output_0:\n6\nResult for output key output_1:\n7\n');
  });

  it('int64 signature: dtype int64 in JSON, values exact (int64_multiply: 6x)', async () => {
    const r = await run('run', join(FIXTURES, 'int64_multiply'), '--input_exprs', 'x=[1,-20]', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ outputs: { output_0: { dtype: 'int64', shape: [2], values: [6, -120] } } });
  });

  it('TF1 graph, 2-D input (half_plus_two_v1)', async () => {
    const r = await run('run', join(FIXTURES, 'half_plus_two_v1'), '--input_exprs', 'x=[[1],[2]]');
    expect(r.code).toBe(0);
    expect(r.out).toBe('Result for output key y:\n[[2.5]\n [3. ]]\n'); // numpy pads the column: str(np.array([[2.5],[3.]], np.float32))
  });

  it('errors: unknown input, bad dtype, unsupported op, bad syntax', async () => {
    let r = await run('run', join(FIXTURES, 'times_three_float'), '--input_exprs', 'z=1');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[INVALID_ARGUMENT]');
    expect(r.err).toContain("unknown input 'z'");
    r = await run('run', join(FIXTURES, 'times_two_int'), '--input_exprs', 'x=1.5');
    expect(r.code).toBe(1);
    expect(r.err).toContain('expected an integer');
    r = await run('run', join(FIXTURES, 'uint8_multiply'), '--input_exprs', 'x=[256]');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[0, 255]');
    r = await run('run', join(FIXTURES, 'half_plus_two_tf2'), '--signature_def', 'classify_x_to_y', '--input_exprs', 'inputs=["a"]');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[INVALID_ARGUMENT]'); // "a" is no serialized tf.train.Example
    expect(r.err).toContain('ParseExampleV2');
    r = await run('run', join(FIXTURES, 'times_three_float'), '--input_exprs', 'x=[1,');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--input_exprs');
    r = await run('run', join(FIXTURES, 'times_three_float'), '--signature_def', 'nope', '--input_exprs', 'x=1');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[NOT_FOUND]');
  });

  it('input_exprs parsing and numpy-like printing', () => {
    expect(parseInputExprs('a=[[1,2],[3,4]];b="x;y"; c=true')).toEqual({ a: [[1, 2], [3, 4]], b: 'x;y', c: true });
    expect(formatTensor({ dtype: 'float32', tfDtype: 'DT_FLOAT', shape: [2, 3], values: [0.1, 2, 3.5, -1, 0, 1e-7] }))
      .toBe('[[ 1.0e-01  2.0e+00  3.5e+00]\n [-1.0e+00  0.0e+00  1.0e-07]]');
    expect(formatTensor({ dtype: 'int32', tfDtype: 'DT_INT32', shape: [3], values: [1, 2, 3] })).toBe('[1 2 3]');
    expect(formatTensor({ dtype: 'bool', tfDtype: 'DT_BOOL', shape: [2], values: [true, false] })).toBe('[ True False]');
  });
});

describe('--input_exprs keys are user strings, not object properties', () => {
  it('accepts inputs named constructor, toString, __proto__, hasOwnProperty', () => {
    const got = parseInputExprs('constructor=1;toString=[2];__proto__=3;hasOwnProperty="x"');
    expect(Object.getPrototypeOf(got)).toBe(null);
    expect(Object.keys(got)).toEqual(['constructor', 'toString', '__proto__', 'hasOwnProperty']);
    expect(got['constructor']).toBe(1);
    expect(got['toString']).toEqual([2]);
    expect(got['__proto__']).toBe(3);
    expect(got['hasOwnProperty']).toBe('x');
    expect(() => parseInputExprs('toString=1;toString=2')).toThrow(/given twice/);
  });
});

describe('savedmodel run --round_float64', () => {
  it('a graph computing in float64 is refused naming the flag; with it, runs in float32 (x · 0.1 as float32 rounds it)', async () => {
    const files = await float64ScalingFiles([1]);
    const dir = mkdtempSync(join(tmpdir(), 'cli-f64-'));
    try {
      for (const [p, b] of files) { mkdirSync(dirname(join(dir, p)), { recursive: true }); writeFileSync(join(dir, p), b); }
      let r = await run('run', dir, '--input_exprs', 'x=[3]', '--json');
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/UNSUPPORTED.*computes in float64.*roundFloat64/);
      r = await run('run', dir, '--input_exprs', 'x=[3]', '--json', '--round_float64');
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).outputs.y.values).toEqual([Math.fround(Math.fround(3) * Math.fround(0.1))]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
