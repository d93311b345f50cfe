import { mkdtempSync, readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { FIXTURES, FIXTURE_NAMES } from '../../core/test/shared.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'savedmodel-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('savedmodel show', () => {
  it('times_three_float --all: serving_default x -> serving_default_x:0, output_0 -> StatefulPartitionedCall:0', async () => {
    const r = await run('show', join(FIXTURES, 'times_three_float'), '--all');
    expect(r.code).toBe(0);
    // Expected layout and values from TensorFlow's saved_model_cli and tfjs-node's saved_model_test.ts.
    expect(r.out).toContain([
      "signature_def['serving_default']:",
      '  The given SavedModel SignatureDef contains the following input(s):',
      "    inputs['x'] tensor_info:",
      '        dtype: DT_FLOAT',
      '        shape: ()',
      '        name: serving_default_x:0',
      '  The given SavedModel SignatureDef contains the following output(s):',
      "    outputs['output_0'] tensor_info:",
      '        dtype: DT_FLOAT',
      '        shape: ()',
      '        name: StatefulPartitionedCall:0',
      '  Method name is: tensorflow/serving/predict',
    ].join('\n'));
    expect(r.out).toContain("\nMetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:\n");
    expect(r.out).toContain([
      "signature_def['__saved_model_init_op']:",
      '  The given SavedModel SignatureDef contains the following input(s):',
      '  The given SavedModel SignatureDef contains the following output(s):',
      "    outputs['__saved_model_init_op'] tensor_info:",
      '        dtype: DT_INVALID',
      '        shape: unknown_rank',
      '        name: NoOp',
      '  Method name is: ',
    ].join('\n'));
    // The module's functions, from the object graph (the fixture README: __call__(x) and mutate(new_v)).
    expect(r.out).toContain([
      'Concrete Functions:',
      "  Function Name: '__call__'",
      '    Option #1',
      '      Callable with:',
      '        Argument #1',
      "          x: TensorSpec(shape=(), dtype=tf.float32, name='x')",
      '',
      "  Function Name: 'mutate'",
      '    Option #1',
      '      Callable with:',
      '        Argument #1',
      "          new_v: TensorSpec(shape=(), dtype=tf.float32, name='new_v')",
    ].join('\n'));
  });

  it.each(FIXTURE_NAMES)('%s: tag-sets, signature keys', async (name) => {
    const dir = join(FIXTURES, name);
    const r = await run('show', dir);
    expect(r.code).toBe(0);
    expect(r.out).toBe("The given SavedModel contains the following tag-sets:\n'serve'\n");
    const k = await run('show', '--dir', dir, '--tag_set', 'serve');
    expect(k.code).toBe(0);
    // Every signature key in the protoc decode of the fixture is listed.
    const pbtxt = readFileSync(join(FIXTURES, `${name}.pbtxt`), 'utf8');
    const keys = [...pbtxt.matchAll(/^ {2}signature_def \{\n {4}key: "([^"]+)"/gm)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(k.out).toContain(`SignatureDef key: "${key}"\n`);
  });

  it('unknown tag set and signature give typed errors, exit 1', async () => {
    const dir = join(FIXTURES, 'times_two_int');
    expect((await run('show', dir, '--tag_set', 'train')).code).toBe(1);
    const r = await run('show', dir, '--tag_set', 'serve', '--signature_def', 'nope');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[NOT_FOUND]');
    expect((await run('show', join(tmp, 'missing'))).code).toBe(1);
    expect((await run('show')).code).toBe(2);
  });
});

describe('savedmodel checkpoint', () => {
  it.each(FIXTURE_NAMES)('%s: one line per variable: key, dtype, shape (as in NAME.variables.txt)', async (name) => {
    const r = await run('checkpoint', join(FIXTURES, name));
    expect(r.code).toBe(0);
    const listing = readFileSync(join(FIXTURES, `${name}.variables.txt`), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    const rows = listing.slice(1).map((l) => l.split('\t').slice(0, 3).join('\t'));
    expect(r.out.trim().split('\n')).toEqual(rows);
  });

  it('--values prints small tensors', async () => {
    const r = await run('checkpoint', join(FIXTURES, 'times_three_float'), '--values');
    expect(r.out).toContain('v/.ATTRIBUTES/VARIABLE_VALUE\tDT_FLOAT\t[]\t3.0\n');
    const i = await run('checkpoint', join(FIXTURES, 'int64_multiply'), '--values');
    expect(i.out).toContain('v1/.ATTRIBUTES/VARIABLE_VALUE\tDT_INT64\t[]\t3\n');
  });
});

describe('savedmodel verify', () => {
  it.each(FIXTURE_NAMES)('%s passes (exit 0)', async (name) => {
    const r = await run('verify', join(FIXTURES, name));
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^OK: /m);
    expect(r.code).toBe(0);
  });

  it('half_plus_two_tf2: DisableCopyOnRead (in TF 2.21, not in 2.2) needs newer TensorFlow: a warning, an error with --strict', async () => {
    const dir = join(FIXTURES, 'half_plus_two_tf2');
    const r = await run('verify', dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: \[NEEDS_NEWER_TF\].*DisableCopyOnRead/);
    const s = await run('verify', dir, '--strict');
    expect(s.code).toBe(1);
    expect(s.out).toMatch(/error: \[NEEDS_NEWER_TF\].*DisableCopyOnRead/);
  });
});

describe('savedmodel example', () => {
  it('exports the example with the SDK; it passes verify --strict and answers 0.5·x + 2', async () => {
    const out = join(tmp, 'example');
    const r = await run('example', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain("signature_def['serving_default']:");
    expect(r.out).toContain("signature_def['serve']:");
    expect(existsSync(join(out, 'saved_model.pb'))).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const v = await run('verify', out, '--strict');
    expect(v.out).toContain('OK:');
    expect(v.code).toBe(0);
    const res = await run('run', out, '--signature_def', 'serving_default', '--input_exprs', 'x=[[1],[4],[-2]]', '--json');
    expect(res.code).toBe(0);
    const outputs = JSON.parse(res.out).outputs as Record<string, { values: number[] }>;
    expect(Object.values(outputs)[0]!.values).toEqual([2.5, 4, 1]);
  });
});
