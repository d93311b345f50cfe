// verify checks ops and attrs against TF 2.21's registry as well as TF 2.2's (the floor of what we
// emit): what only 2.21 knows "needs TensorFlow newer than 2.2" (warning; error when strict), what
// neither knows is UNKNOWN_OP, and attrs added after 2.2 give the input types (Tsegmentids).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNewestOpRegistry, loadOpRegistry, registeredOpNames, tensorflow, validateGraphDef, verifySavedModel, type Finding } from '../src/index.js';
import { dirSource } from '../src/node.js';
import { stripOpDocs } from '../src/registry/op-def-to-compact.js';
import { parseTextFormat } from '../src/text-format/index.js';
import { withoutFullTypes } from '../../../scripts/ops-pbtxt.mjs';
import { FIXTURES, FIXTURES_MORE, FIXTURE_NAMES, OPS_2_21_PBTXT, REPO_ROOT } from './shared.js';

const DT = tensorflow.DataType;
const errors = (fs: Finding[]) => fs.filter((f) => f.severity === 'error');
const show = (fs: Finding[]) => fs.map((f) => `${f.code} ${f.where}: ${f.message}`).join('\n');
const MORE = readdirSync(FIXTURES_MORE, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('verify against the TF 2.21 registry: fixtures', () => {
  it('finds the ten tf-more fixtures', () => {
    expect(MORE.length).toBe(10);
    expect(MORE.filter((n) => n.startsWith('tf_fuzz_')).length).toBe(3);
  });

  for (const name of MORE) {
    const fuzz = name.startsWith('tf_fuzz_');
    it(`tf-more/${name}: ${fuzz ? 'reports findings' : 'no errors'}`, async () => {
      const rep = await verifySavedModel(dirSource(join(FIXTURES_MORE, name)));
      if (fuzz) expect(rep.errors, show(rep.findings)).toBeGreaterThan(0);
      else expect(show(errors(rep.findings))).toBe('');
    });
  }

  it('keras3_power_consumption (TF 2.18): attrs after 2.2 are NEEDS_NEWER_TF warnings, errors when strict', async () => {
    const dir = join(FIXTURES_MORE, 'keras3_power_consumption');
    const rep = await verifySavedModel(dirSource(dir));
    const newer = rep.findings.filter((f) => f.code === 'NEEDS_NEWER_TF');
    expect(newer.length).toBeGreaterThan(0);
    expect(newer.every((f) => f.severity === 'warning' && /needs TensorFlow newer than 2\.2/.test(f.message))).toBe(true);
    expect(rep.findings.filter((f) => f.code === 'UNKNOWN_OP' || f.code === 'UNKNOWN_ATTR')).toEqual([]);
    const strict = await verifySavedModel(dirSource(dir), { strict: true });
    expect(strict.errors).toBe(newer.length);
  });

  for (const name of FIXTURE_NAMES) {
    it(`tf/${name}: no errors`, async () => {
      const rep = await verifySavedModel(dirSource(join(FIXTURES, name)));
      expect(show(errors(rep.findings))).toBe('');
    });
  }
});

const ph = (name: string, dtype: number): tensorflow.INodeDef => ({ name, op: 'Placeholder', attr: { dtype: { type: dtype } } });

describe('verify against the TF 2.21 registry: hand-built graphs', () => {
  // What a TF 2.9 Estimator writes for an embedding column: int64 segment ids.
  const sparseSegmentSum = (withAttr: boolean): tensorflow.IGraphDef => ({
    node: [
      ph('data', DT.DT_FLOAT), ph('indices', DT.DT_INT64), ph('segment_ids', DT.DT_INT64),
      {
        name: 'sss', op: 'SparseSegmentSum', input: ['data', 'indices', 'segment_ids'],
        attr: { T: { type: DT.DT_FLOAT }, Tidx: { type: DT.DT_INT64 }, ...(withAttr ? { Tsegmentids: { type: DT.DT_INT64 } } : {}) },
      },
    ],
  });

  it('SparseSegmentSum with Tsegmentids int64 validates (the attr only warns that it needs TF > 2.2)', async () => {
    await loadOpRegistry();
    const newer = await loadNewestOpRegistry();
    const fs = validateGraphDef(sparseSegmentSum(true), { newer });
    expect(show(errors(fs))).toBe('');
    expect(fs.map((f) => f.code)).toEqual(['NEEDS_NEWER_TF']);
    expect(fs[0]!.message).toMatch(/attr "Tsegmentids" of op SparseSegmentSum needs TensorFlow newer than 2\.2/);
    // against TF 2.2 alone the same graph gets the false INPUT_TYPE error this fixes
    expect(validateGraphDef(sparseSegmentSum(true)).map((f) => f.code).sort()).toEqual(['INPUT_TYPE', 'UNKNOWN_ATTR']);
  });

  it('SparseSegmentSum without Tsegmentids takes its default (int32): int64 segment ids are an INPUT_TYPE error', async () => {
    const newer = await loadNewestOpRegistry();
    const fs = validateGraphDef(sparseSegmentSum(false), { newer });
    expect(fs.map((f) => f.code)).toEqual(['INPUT_TYPE']);
    expect(fs[0]!.message).toMatch(/input 2 "segment_ids" is DT_INT64, op SparseSegmentSum expects DT_INT32/);
  });

  // BesselI0 is in ops-2.21.pbtxt and not in ops.pbtxt (TF 2.2).
  const bessel: tensorflow.IGraphDef = { node: [ph('x', DT.DT_FLOAT), { name: 'b', op: 'BesselI0', input: ['x'], attr: { T: { type: DT.DT_FLOAT } } }] };

  it('an op only TF 2.21 knows warns "needs TensorFlow newer than 2.2", and is an error when strict', async () => {
    await loadOpRegistry();
    const newer = await loadNewestOpRegistry();
    expect(newer('BesselI0')?.name).toBe('BesselI0');
    const fs = validateGraphDef(bessel, { newer });
    expect(fs.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning NEEDS_NEWER_TF']);
    expect(fs[0]!.message).toMatch(/op "BesselI0" needs TensorFlow newer than 2\.2/);
    expect(validateGraphDef(bessel, { newer, strict: true }).map((f) => `${f.severity} ${f.code}`)).toEqual(['error NEEDS_NEWER_TF']);
    // its OpDef is used: a wrong input type is still caught
    const bad: tensorflow.IGraphDef = { node: [ph('x', DT.DT_INT32), { name: 'b', op: 'BesselI0', input: ['x'], attr: { T: { type: DT.DT_FLOAT } } }] };
    expect(validateGraphDef(bad, { newer }).map((f) => f.code).sort()).toEqual(['INPUT_TYPE', 'NEEDS_NEWER_TF']);
  });

  it('an op in neither registry is UNKNOWN_OP', async () => {
    await loadOpRegistry();
    const newer = await loadNewestOpRegistry();
    const g: tensorflow.IGraphDef = { node: [ph('x', DT.DT_FLOAT), { name: 'm', op: 'MadeUpOpForVerify', input: ['x'] }] };
    const fs = validateGraphDef(g, { newer });
    expect(fs.map((f) => `${f.severity} ${f.code}`)).toEqual(['warning UNKNOWN_OP']);
    expect(validateGraphDef(g, { newer, strict: true }).map((f) => `${f.severity} ${f.code}`)).toEqual(['error UNKNOWN_OP']);
  });
});

describe('the TF 2.21 table stays out of export and load', () => {
  it('only op-registry-newest.ts imports it (dynamically); only verify and convert (reading what TF >= 2.3 wrote) load it', () => {
    const importers: string[] = [];
    const loaders: string[] = [];
    const pkgs = join(REPO_ROOT, 'packages');
    for (const pkg of readdirSync(pkgs)) {
      let files: string[];
      try {
        files = (readdirSync(join(pkgs, pkg, 'src'), { recursive: true }) as string[]).filter((f) => /\.(ts|tsx|mjs|js)$/.test(f));
      } catch {
        continue;
      }
      for (const f of files) {
        const text = readFileSync(join(pkgs, pkg, 'src', f), 'utf8');
        const rel = `${pkg}/src/${f.split('\\').join('/')}`;
        if (text.includes('op-registry-2.21.gen.json')) importers.push(rel);
        if (/loadNewestOpRegistry\(/.test(text) && !rel.endsWith('op-registry-newest.ts')) loaders.push(rel);
      }
    }
    expect(importers).toEqual(['core/src/registry/op-registry-newest.ts']);
    // convert loads it only for a graph model with an attr TF 2.2 does not declare (to drop it at its default)
    expect(loaders.sort()).toEqual(['convert/src/convert-tfjs.ts', 'core/src/savedmodel/verify.ts']);
    const src = readFileSync(join(pkgs, 'core/src/registry/op-registry-newest.ts'), 'utf8');
    expect(src).toMatch(/import\('\.\/op-registry-2\.21\.gen\.json'\)/);
    expect(src).not.toMatch(/^import .*gen\.json/m);
  });
});

describe('the TF 2.21 table (a delta on TF 2.2\'s)', () => {
  it('looks up every op of tf/ops-2.21.pbtxt as TensorFlow wrote it (docs aside), and nothing else', async () => {
    const list = parseTextFormat('tensorflow.OpList', withoutFullTypes(readFileSync(OPS_2_21_PBTXT, 'utf8')), 'ops-2.21.pbtxt') as tensorflow.IOpList;
    const ops = list.op ?? [];
    expect(ops.length).toBeGreaterThan(1500);
    const newer = await loadNewestOpRegistry();
    const bytes = (op: tensorflow.IOpDef) => Buffer.from(tensorflow.OpDef.encode(op).finish()).toString('base64');
    const wrong = ops.filter((op) => {
      const got = newer(op.name ?? '');
      return !got || bytes(got) !== bytes(tensorflow.OpDef.decode(tensorflow.OpDef.encode(stripOpDocs(op)).finish()));
    }).map((op) => op.name);
    expect(wrong).toEqual([]);
    // ops TF 2.2 had and 2.21 dropped are not in it (they are in 2.2's table), nor is a made-up one
    const names = new Set(ops.map((op) => op.name));
    await loadOpRegistry();
    const dropped = registeredOpNames().filter((n) => !names.has(n));
    expect(dropped.length).toBeGreaterThan(0);
    for (const n of dropped) expect(newer(n), n).toBeUndefined();
    expect(newer('NoSuchOpAnywhere')).toBeUndefined();
  });
});
