#!/usr/bin/env node
// The benchmark suite: one table, each row a ratio against a baseline measured in the same run
// (contenders alternate, ≥ 5 rounds, min / median / max of the per-round ratios).
//
//   pnpm bench                          (builds, then the full suite, written to bench/RESULTS.md)
//   node --expose-gc bench/suite.mjs [--quick] [--reps 5] [--only export,cli,trace,load,zip,big,browser] [--results bench/RESULTS.md]
//
// --quick: 25/100 MB MLPs, a 96² MobileNetV2-like, 50 MB zip, 500 layers, 100 for saveKerasModel (full: 100/400 MB,
// 224², 200 MB, 2,000 layers, 500 for saveKerasModel). Timing is wall time; "mem" is the peak growth of JS heap +
// ArrayBuffer memory (wasm memory included) while a contender runs. Uses the built packages.
// The Chromium rows (browser.bench.mjs: wasm, webgpu; 32 MB MLP, 8 MB with --quick) are skipped,
// with the reason printed, where Chromium is missing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { QUICK, REPS, flag, freshMemoryCost, load, machine, opt, printTable } from './lib.mjs';
import { exportRows } from './export.bench.mjs';
import { cliRows } from './cli.bench.mjs';
import { browserRows } from './browser.bench.mjs';
import { bigGraphRows, loadRows, traceRows, zipRows } from './rows.mjs';
import { zipHugePageRows } from './zip-huge-pages.mjs';

const only = opt('only', 'export,cli,trace,load,zip,big,browser').split(',');
const backends = opt('backend', 'cpu,wasm').split(',');
const loadBefore = load();
const memoryCost = freshMemoryCost();
const started = new Date();
const rows = [];
const step = async (name, f) => {
  if (!only.includes(name)) return;
  process.stderr.write(`bench: ${name}…\n`);
  rows.push(...(await f()));
};
await step('export', () => exportRows({ backends, sizes: QUICK ? [25, 100] : [100, 400] }));
await step('trace', () => traceRows({ backends, quick: QUICK }));
await step('load', () => loadRows({ mb: QUICK ? 25 : 100, layers: QUICK ? 500 : 2000 }));
await step('zip', () => zipRows({ mb: QUICK ? 50 : 200 }));
// the same rows in a child process whose large buffers get huge pages (zip-huge-pages.mjs: why)
await step('zip', async () => zipHugePageRows({ mb: QUICK ? 50 : 200 }));
await step('cli', () => cliRows());
await step('big', () => bigGraphRows({ layers: QUICK ? 500 : 2000, kerasLayers: QUICK ? 100 : 500 }));
await step('browser', async () => {
  const r = await browserRows({ mb: QUICK ? 8 : 32 });
  for (const x of r) if (x.ratio === 'skipped') process.stderr.write(`bench: ${x.row} skipped: ${x.note}\n`);
  return r;
});
const loadAfter = load();
const header = `${started.toISOString()} — ${machine()}; ${QUICK ? 'quick sizes' : 'full sizes'}, ${REPS} rounds; load average (1/5/15 min) before ${loadBefore}, after ${loadAfter}; ${memoryCost}`;
console.log(header);
const table = printTable(rows);
const results = opt('results', flag('write') ? 'RESULTS.md' : undefined);
if (results) {
  // RESULTS.md keeps hand-written sections around the run: only the part between the markers is replaced
  const START = '<!-- last-run:start -->', END = '<!-- last-run:end -->';
  const block = `${START}\n**Machine and load.** ${header}\n\n${table}\n${END}`;
  const old = existsSync(results) ? readFileSync(results, 'utf8') : '';
  const a = old.indexOf(START), b = old.indexOf(END);
  writeFileSync(results, a >= 0 && b > a ? `${old.slice(0, a)}${block}${old.slice(b + END.length)}` : `# Benchmark results\n\n## Last full run\n\n${block}\n`);
}
