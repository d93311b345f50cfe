// Where the ground truth lives (TensorFlow-written fixtures, op registry, format docs).
// One setting: SAVEDMODEL_SHARED, default `../shared` beside the checkout. Missing = loud failure.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = resolve(process.env.SAVEDMODEL_SHARED ?? join(repoRoot, '..', 'shared'));

if (!existsSync(join(SHARED, 'fixtures', 'tf'))) {
  throw new Error(
    `ground-truth folder not found: ${SHARED}/fixtures/tf. Set SAVEDMODEL_SHARED to the shared/ folder ` +
      `(fixtures, tf/ops.pbtxt); tests never skip without it.`,
  );
}

export const FIXTURES = join(SHARED, 'fixtures', 'tf');
export const OPS_PBTXT = join(SHARED, 'tf', 'ops.pbtxt');
/** More TensorFlow-written SavedModels (fixtures/tf-more, README there has the expected answers). */
export const FIXTURES_MORE = join(SHARED, 'fixtures', 'tf-more');
/** TF 2.21's op registry (checking what others wrote; ops.pbtxt stays the floor for what we emit). */
export const OPS_2_21_PBTXT = join(SHARED, 'tf', 'ops-2.21.pbtxt');
export const REPO_ROOT = repoRoot;

/** Names of the fixture SavedModel directories. */
export const FIXTURE_NAMES: string[] = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
if (FIXTURE_NAMES.length < 10) throw new Error(`expected 10 fixtures in ${FIXTURES}, found ${FIXTURE_NAMES.length}`);

/** Every file of fixture `name`, keyed by its relative POSIX path (an in-memory SavedModel). */
export function fixtureFiles(name: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(FIXTURES, name, rel))) {
      const p = rel ? `${rel}/${e}` : e;
      if (statSync(join(FIXTURES, name, p)).isDirectory()) walk(p);
      else files.set(p, new Uint8Array(readFileSync(join(FIXTURES, name, p))));
    }
  };
  walk('');
  return files;
}
