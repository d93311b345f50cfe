// verify checks ops and attrs against TF 2.21's registry as well as TF 2.2's (the floor of what we
// emit): what only 2.21 knows "needs TensorFlow newer than 2.2" (warning; error when strict), what
// neither knows is UNKNOWN_OP, and attrs added after 2.2 give the input types (Tsegmentids).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadNewestOpRegistry, loadOpRegistry, tensorflow, validateGraphDef, verifySavedModel, type Finding } from '../src/index.js';
import { dirSource } from '../src/node.js';
import { FIXTURES, FIXTURES_MORE, FIXTURE_NAMES } from './shared.js';

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
