import { diffSavedModels, formatDifference, isSavedModelError, loadOpRegistry } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { parse, UsageError } from '../args.js';
import type { Io } from '../dispatch.js';

/**
 * `savedmodel diff A B`: structural comparison (function uids, TF versions and private attrs
 * ignored). Exit 0 when equivalent, 1 with one line per difference, 2 when a model cannot
 * be read or the arguments are wrong.
 */
export async function diffCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    json: { type: 'boolean' },
    functions: { type: 'boolean' },
    'strict-names': { type: 'boolean' },
    'all-attrs': { type: 'boolean' },
    versions: { type: 'boolean' },
    'float-tolerance': { type: 'string' },
    'no-values': { type: 'boolean' },
  }, ['A', 'B']);
  const [dirA, dirB] = positionals;
  if (!dirA || !dirB) throw new UsageError('diff needs two SavedModel directories: savedmodel diff A B');
  let floatTolerance = 0;
  if (values['float-tolerance'] !== undefined) {
    floatTolerance = Number(values['float-tolerance']);
    if (!Number.isFinite(floatTolerance) || floatTolerance < 0) throw new UsageError(`--float-tolerance must be a non-negative number, got '${values['float-tolerance']}'`);
  }
  let a, b;
  try {
    a = await readSavedModelDir(dirA, { blocking: true });
    b = await readSavedModelDir(dirB, { blocking: true });
  } catch (e) {
    // Trouble is exit 2 here (as diff(1)), so that 1 always means "they differ".
    if (isSavedModelError(e)) {
      io.err(`savedmodel diff: error [${e.code}]: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  await loadOpRegistry();
  const differences = diffSavedModels(a, b, {
    functions: values.functions === true,
    strictNames: values['strict-names'] === true,
    allAttrs: values['all-attrs'] === true,
    versions: values.versions === true,
    checkpointValues: values['no-values'] !== true,
    floatTolerance,
  });
  if (values.json) {
    io.out(JSON.stringify({ a: dirA, b: dirB, equivalent: differences.length === 0, differences }, null, 2) + '\n');
  } else {
    for (const d of differences) io.out(formatDifference(d) + '\n');
  }
  return differences.length === 0 ? 0 : 1;
}
