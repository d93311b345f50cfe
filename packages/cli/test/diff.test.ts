import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensorflow } from '@savedmodel-js/core';
import { main } from '../src/main.js';
import { FIXTURES } from '../../core/test/shared.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

const tmp = mkdtempSync(join(tmpdir(), 'savedmodel-cli-diff-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const fx = (name: string) => join(FIXTURES, name);

/** A copy of a fixture whose saved_model.pb went through `edit`. */
function editedCopy(name: string, edit: (sm: tensorflow.SavedModel) => void): string {
  const dir = join(tmp, `${name}-${Math.random().toString(36).slice(2)}`);
  cpSync(fx(name), dir, { recursive: true });
  const sm = tensorflow.SavedModel.decode(readFileSync(join(dir, 'saved_model.pb')));
  edit(sm);
  writeFileSync(join(dir, 'saved_model.pb'), tensorflow.SavedModel.encode(sm).finish());
  return dir;
}

/** What another TensorFlow run writes: other function uids (renamed everywhere they occur). */
function renumber(sm: tensorflow.SavedModel): void {
  const names = new Map<string, string>();
  for (const f of sm.meta_graphs[0]!.graph_def!.library!.function ?? []) {
    const m = /^(.*)_(\d+)$/.exec(f.signature?.name ?? '');
    if (m) names.set(m[0], `${m[1]}_${Number(m[2]) + 5000}`);
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return names.get(v) ?? v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
      const o = v as Record<string, unknown>;
      if (Object.getPrototypeOf(o) === Object.prototype) return Object.fromEntries(Object.entries(o).map(([k, x]) => [names.get(k) ?? k, walk(x)]));
      for (const k of Object.keys(o)) o[k] = walk(o[k]);
    }
    return v;
  };
  walk(sm);
}

describe('savedmodel diff', () => {
  it('a fixture vs itself: exit 0, no output', async () => {
    const r = await run('diff', fx('module_with_multiple_signatures'), fx('module_with_multiple_signatures'));
    expect(r).toEqual({ code: 0, out: '', err: '' });
  });

  it('a fixture vs a copy with renumbered function uids: exit 0 (the parity case), also with --functions', async () => {
    const copy = editedCopy('keras_cnn', renumber);
    expect(await run('diff', fx('keras_cnn'), copy)).toEqual({ code: 0, out: '', err: '' });
    expect((await run('diff', fx('keras_cnn'), copy, '--functions', '--strict-names')).code).toBe(0);
  });

  it('times_three_float vs times_two_int: exit 1, one line per difference', async () => {
    const r = await run('diff', fx('times_three_float'), fx('times_two_int'));
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    const lines = r.out.trimEnd().split('\n');
    // 18 differences, read off the two pbtxt files (see packages/core/test/diff.test.ts)
    expect(lines).toHaveLength(18);
    expect(lines).toContain("signature_def['serving_default'].inputs['x'].dtype: DT_FLOAT != DT_INT32");
    expect(lines).toContain("object_graph_def.nodes['mutate']: function != <absent>");
    expect(lines).toContain("graph_def.library.function['__inference_mutate']: __inference_mutate_22 != <absent>");
    expect(lines).toContain("checkpoint['v/.ATTRIBUTES/VARIABLE_VALUE'].dtype: DT_FLOAT != DT_INT32");
    expect([...lines].sort()).toEqual(lines);
    // --functions adds the bodies
    const f = await run('diff', fx('times_three_float'), fx('times_two_int'), '--functions');
    expect(f.code).toBe(1);
    expect(f.out.trimEnd().split('\n').length).toBeGreaterThan(18);
    expect(f.out).toContain("graph_def.library.function['__inference___call__'].node_def['mul'].attr['T']: DT_FLOAT != DT_INT32\n");
  });

  it('--json: {equivalent, differences: [{path, a, b, message}]}', async () => {
    const r = await run('diff', fx('model_multi_output'), fx('model_single_input_multi_output'), '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { equivalent: boolean; differences: { path: string; a: string; b: string; message: string }[] };
    expect(j.equivalent).toBe(false);
    expect(j.differences).toHaveLength(10);
    expect(j.differences).toContainEqual({
      path: "signature_def['serving_default'].inputs['y']",
      a: 'serving_default_y:0 DT_INT32 ()',
      b: '<absent>',
      message: 'signature input only in A',
    });
    const same = await run('diff', fx('int64_multiply'), fx('int64_multiply'), '--json');
    expect(same.code).toBe(0);
    expect(JSON.parse(same.out)).toMatchObject({ equivalent: true, differences: [] });
  });

  it('a changed signature dtype gives exactly that line', async () => {
    const copy = editedCopy('times_three_float', (sm) => { sm.meta_graphs[0]!.signature_def!['serving_default']!.outputs!['output_0']!.dtype = tensorflow.DataType.DT_HALF; });
    expect(await run('diff', fx('times_three_float'), copy)).toEqual({
      code: 1,
      out: "signature_def['serving_default'].outputs['output_0'].dtype: DT_FLOAT != DT_HALF\n",
      err: '',
    });
  });

  it('version strings are ignored unless --versions', async () => {
    const copy = editedCopy('int64_multiply', (sm) => { sm.meta_graphs[0]!.meta_info_def!.tensorflow_version = '2.15.0'; });
    expect((await run('diff', fx('int64_multiply'), copy)).code).toBe(0);
    const v = await run('diff', fx('int64_multiply'), copy, '--versions');
    expect(v).toEqual({ code: 1, out: 'meta_info_def.tensorflow_version: 2.3.1 != 2.15.0\n', err: '' });
  });

  it('usage errors exit 2; an unreadable model exits 2 with a typed error', async () => {
    expect((await run('diff', fx('times_two_int'))).code).toBe(2);
    expect((await run('diff', fx('times_two_int'), fx('times_two_int'), fx('times_two_int'))).code).toBe(2);
    expect((await run('diff', fx('times_two_int'), fx('times_two_int'), '--float-tolerance', 'abc')).code).toBe(2);
    expect((await run('diff', fx('times_two_int'), fx('times_two_int'), '--float-tolerance', '0.001')).code).toBe(0);
    const missing = await run('diff', fx('times_two_int'), join(tmp, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^savedmodel diff: error \[NOT_FOUND\]/);
  });
});
