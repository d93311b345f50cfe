#!/usr/bin/env node
// CLI start: `savedmodel show` / `verify` on a small model vs `node -e 0`, alternating, one
// child process per run (wall time from spawn to exit). Uses the built CLI (dist/). A run takes
// ~0.2 s and its time varies by ±10 % with what else the machine does: three times the suite's
// rounds, so that the median says more than one noisy round.
//
//   node bench/cli.bench.mjs [--reps 5]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPS, ROOT, compare, fmtRatio } from './lib.mjs';

const BIN = join(ROOT, 'packages/cli/bin/savedmodel.cjs');
const MODEL = [join(ROOT, '../shared/fixtures/tf/half_plus_two_tf2'), '/work/shared/fixtures/tf/half_plus_two_tf2'].find((p) => existsSync(p));

function run(argv) {
  return async () => {
    const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  };
}

export async function cliRows() {
  if (!MODEL) return [{ row: 'CLI show / verify', baseline: 'node -e 0', ratio: 'n/a', note: 'fixture half_plus_two_tf2 not found' }];
  const rows = [];
  for (const cmd of [['show', MODEL, '--all'], ['verify', MODEL]]) {
    const r = await compare({ baseline: run(['-e', '0']), contender: run([BIN, ...cmd]), reps: 3 * REPS });
    rows.push({ row: `CLI ${cmd[0]} (small model)`, baseline: 'node -e 0', ratio: fmtRatio(r.time), note: `${cmd[0]} ${r.ms.median.toFixed(0)} ms, node -e 0 ${r.baseMs.median.toFixed(0)} ms` });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./lib.mjs');
  printTable(await cliRows());
}
