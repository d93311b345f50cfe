// `savedmodel run --inputs FILE.npy|FILE.npz[name] --outdir DIR [--overwrite]` and the numpy forms
// of `--input_exprs`, as saved_model_cli has them (fixture answers: shared/fixtures/tf/README.md).
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { parseInputExprs } from '../src/commands/run.js';
import { decodeNpy, npyElements } from '../src/npy.js';
import { FIXTURES } from '../../core/test/shared.js';

const NPY = join(import.meta.dirname, 'fixtures', 'npy');
const tmp = mkdtempSync(join(tmpdir(), 'run-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

const readNpy = (p: string) => {
  const a = decodeNpy(new Uint8Array(readFileSync(p)), p, 2 ** 20);
  return { descr: a.descr, shape: a.shape, values: npyElements(a, p) };
};

describe('--inputs from .npy / .npz', () => {
  it('an .npz holding one array, no name needed (half_plus_two_v1: y = x/2 + 2)', async () => {
    const r = await run('run', join(FIXTURES, 'half_plus_two_v1'), '--inputs', `x=${join(NPY, 'one.npz')}`);
    expect(r.err).toBe('');
    expect(r.out).toBe('Result for output key y:\n[[2.5]\n [4. ]\n [1. ]]\n');
  });

  it('.npz[name]; a missing name is NOT_FOUND; a several-array .npz without a name is refused', async () => {
    let r = await run('run', join(FIXTURES, 'half_plus_two_v1'), '--inputs', `x=${join(NPY, 'two.npz')}[b]`, '--json');
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).outputs.y).toEqual({ dtype: 'float32', shape: [1, 1], values: [3.5] });
    r = await run('run', join(FIXTURES, 'times_three_float'), '--inputs', `x=${join(NPY, 'two.npz')}[zz]`);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[NOT_FOUND]');
    expect(r.err).toContain('a, b');
    r = await run('run', join(FIXTURES, 'times_three_float'), '--inputs', `x=${join(NPY, 'two.npz')}`);
    expect(r.code).toBe(1);
    expect(r.err).toContain('contains 2 arrays');
  });

  it('an .npy; a [name] on an .npy is ignored with a warning; --input_exprs wins over --inputs', async () => {
    let r = await run('run', join(FIXTURES, 'int64_multiply'), '--inputs', `x=${join(NPY, 'i8_3.npy')}[v]`, '--json');
    // int64 beyond int32 is refused (TensorFlow.js runs int64 as int32), never wrapped
    expect(r.code).toBe(1);
    expect(r.err).toContain('Name key "v" ignored');
    expect(r.err).toMatch(/int32/);
    r = await run('run', join(FIXTURES, 'int64_multiply'), '--inputs', `x=${join(NPY, 'i8_3.npy')}`, '--input_exprs', 'x=np.array([1, -20])', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toContain('Value in --input_exprs will be used');
    expect(JSON.parse(r.out).outputs.output_0.values).toEqual([6, -120]);
  });

  it('bad files: not numpy, missing, hostile header → typed errors (exit 1)', async () => {
    const junk = join(tmp, 'junk.npy');
    writeFileSync(junk, 'hello');
    let r = await run('run', join(FIXTURES, 'times_three_float'), '--inputs', `x=${junk}`);
    expect([r.code, r.err]).toEqual([1, expect.stringContaining('[UNSUPPORTED]')]);
    r = await run('run', join(FIXTURES, 'times_three_float'), '--inputs', `x=${join(tmp, 'nope.npy')}`);
    expect([r.code, r.err]).toEqual([1, expect.stringContaining('[NOT_FOUND]')]);
    const evil = join(tmp, 'evil.npy');
    const dict = Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }\n");
    writeFileSync(evil, Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([dict.length, 0]), dict, Buffer.alloc(4)]));
    r = await run('run', join(FIXTURES, 'times_three_float'), '--inputs', `x=${evil}`);
    expect([r.code, r.err]).toEqual([1, expect.stringContaining('[LIMIT_EXCEEDED]')]);
    r = await run('run', join(FIXTURES, 'times_three_float'), '--inputs', 'x=a.npy[b]c');
    expect(r.code).toBe(2);
  });
});

describe('--outdir', () => {
  it('writes KEY.npy as np.save would, refuses to overwrite unless --overwrite', async () => {
    const out = join(tmp, 'out', 'nested');
    let r = await run('run', join(FIXTURES, 'model_multi_output'), '--input_exprs', 'y=7; x=3', '--outdir', out);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`Result for output key output_0:\n6\nOutput output_0 is saved to ${join(out, 'output_0.npy')}\n`
      + `Result for output key output_1:\n7\nOutput output_1 is saved to ${join(out, 'output_1.npy')}\n`);
    expect(readNpy(join(out, 'output_0.npy'))).toEqual({ descr: '<i4', shape: [], values: [6] });
    // np.save(np.int32(6)) bytes: the i4_0d fixture holds 7, so compare headers and the one element
    const want = readFileSync(join(NPY, 'i4_0d.npy'));
    const got = readFileSync(join(out, 'output_0.npy'));
    expect(got.subarray(0, want.length - 4)).toEqual(want.subarray(0, want.length - 4));

    r = await run('run', join(FIXTURES, 'model_multi_output'), '--input_exprs', 'y=1; x=1', '--outdir', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[ALREADY_EXISTS]');
    expect(r.err).toContain('--overwrite');
    expect(readNpy(join(out, 'output_1.npy')).values).toEqual([7]); // nothing was written
    r = await run('run', join(FIXTURES, 'model_multi_output'), '--input_exprs', 'y=1; x=1', '--outdir', out, '--overwrite', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).outputs.output_1.values).toEqual([1]); // stdout is only the JSON
    expect(r.err).toContain('Output output_1 is saved to');
    expect(readNpy(join(out, 'output_1.npy')).values).toEqual([1]);
  });

  it('float64 outputs are written exactly (<f8), 2-D float32 as <f4', async () => {
    const out = join(tmp, 'f');
    const r = await run('run', join(FIXTURES, 'half_plus_two_v1'), '--inputs', `x=${join(NPY, 'one.npz')}`, '--outdir', out);
    expect(r.code).toBe(0);
    expect(readNpy(join(out, 'y.npy'))).toEqual({ descr: '<f4', shape: [3, 1], values: [2.5, 4, 1] });
    copyFileSync(join(out, 'y.npy'), join(tmp, 'y-in.npy'));
    // round trip: an output file fed back as an input
    const r2 = await run('run', join(FIXTURES, 'half_plus_two_v1'), '--inputs', `x=${join(tmp, 'y-in.npy')}`);
    expect(r2.out).toBe('Result for output key y:\n[[3.25]\n [4.  ]\n [2.5 ]]\n');
  });

  it('--overwrite without --outdir is a usage error', async () => {
    const r = await run('run', join(FIXTURES, 'times_three_float'), '--input_exprs', 'x=1', '--overwrite');
    expect(r.code).toBe(2);
  });
});

describe('--input_exprs: numpy forms without eval', () => {
  it('np.ones / zeros / full / array / arange / linspace / eye, tuples, dtypes, Python literals', () => {
    expect(parseInputExprs('a=np.ones((2,3))')).toEqual({ a: [[1, 1, 1], [1, 1, 1]] });
    expect(parseInputExprs('a=np.zeros([2])')).toEqual({ a: [0, 0] });
    expect(parseInputExprs('a=np.zeros(3, dtype=np.int32)')).toEqual({ a: [0, 0, 0] });
    expect(parseInputExprs('a=numpy.full((1, 2), 2.5)')).toEqual({ a: [[2.5, 2.5]] });
    expect(parseInputExprs('a=np.array([[1.7, -2.2]], dtype=np.int64)')).toEqual({ a: [[1, -2]] });
    expect(parseInputExprs("a=np.array([1, 0], dtype='bool')")).toEqual({ a: [true, false] });
    expect(parseInputExprs('a=np.arange(4); b=np.arange(1, 2, 0.5)')).toEqual({ a: [0, 1, 2, 3], b: [1, 1.5] });
    expect(parseInputExprs('a=np.linspace(0, 1, 5)')).toEqual({ a: [0, 0.25, 0.5, 0.75, 1] });
    expect(parseInputExprs('a=np.eye(2)')).toEqual({ a: [[1, 0], [0, 1]] });
    expect(parseInputExprs("a=(1, 2); b=(3); c=[True, False]; d='s;t'; e=b'\\x00b'; f=-np.inf; g=np.float32(2)"))
      .toEqual({ a: [1, 2], b: 3, c: [true, false], d: 's;t', e: new Uint8Array([0, 98]), f: -Infinity, g: 2 });
    expect(parseInputExprs('a=12345678901234567890')).toEqual({ a: 12345678901234567890n });
    const r = parseInputExprs('a=np.random.rand(2, 3)').a as number[][];
    expect(r.length).toBe(2);
    expect(r.flat().every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('anything else is a usage error, never evaluated; sizes are bounded', () => {
    for (const bad of ['a=__import__("os").system("x")', 'a=np.load("x.npy")', 'a=open("f")', 'a=np.ones((2,3)) * 2', 'a=np.ones((1e20,))',
      'a=np.ones((100000, 100000))', 'a=np.array([1], copy=False)', `a=${'['.repeat(100)}1${']'.repeat(100)}`, 'a=1j', 'a=np.ones((-1,))']) {
      expect(() => parseInputExprs(bad), bad).toThrow(/--input_exprs/);
    }
  });

  it('runs: np.ones((2,1)) into half_plus_two_v1', async () => {
    const r = await run('run', join(FIXTURES, 'half_plus_two_v1'), '--input_exprs', 'x=np.ones((2,1))');
    expect(r.out).toBe('Result for output key y:\n[[2.5]\n [2.5]]\n');
  });
});
