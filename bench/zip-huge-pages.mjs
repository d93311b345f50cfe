#!/usr/bin/env node
// The zip rows again where large allocations get transparent huge pages: the suite runs this file
// in a child process with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc >= 2.35 then advises huge
// pages for the big buffers it maps; the kernel's THP setting must be "madvise" or "always").
// Why: on a VM where a first write to a fresh 4 KiB page costs ~10 µs (this one: 2.7 ms/MiB), the
// 200 MB archive buffer alone is ~0.5 s, and it bounds any writer into one buffer to ~2× jszip
// (the "floor" row). With huge pages the same buffer faults 512× less often, and the rows show
// the writers' own work. Both contenders run in the same child, alternating, as in the suite.
//
//   node --expose-gc bench/zip-huge-pages.mjs [--mb 200]     (prints the rows as JSON; the suite adds them)
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { opt } from './lib.mjs';

const TUNABLE = 'glibc.malloc.hugetlb=1';

/** Why huge pages cannot be had here, or undefined. */
function unavailable() {
  let thp = '';
  try {
    thp = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
  } catch {
    return 'no transparent huge pages (not Linux?)';
  }
  if (/\[never\]/.test(thp)) return 'transparent huge pages are off ([never])';
  const glibc = process.report?.getReport()?.header?.glibcVersionRuntime;
  if (!glibc) return 'not glibc';
  const [maj, min] = String(glibc).split('.').map(Number);
  if (maj < 2 || (maj === 2 && min < 35)) return `glibc ${glibc} has no glibc.malloc.hugetlb (2.35+)`;
  return undefined;
}

/** The zip rows measured in a child process with huge pages for large allocations. */
export function zipHugePageRows({ mb }) {
  const why = unavailable();
  const label = `zip writer into memory, ${mb} MB, large buffers on huge pages (${TUNABLE})`;
  if (why) return [{ row: label, baseline: 'jszip STORE', ratio: 'n/a', note: why }];
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', '--mb', String(mb), ...process.argv.slice(2).filter((a) => a === '--quick')], {
    env: { ...process.env, GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, TUNABLE].filter(Boolean).join(':') },
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('ROWS '));
  if (r.status !== 0 || !line) return [{ row: label, baseline: 'jszip STORE', ratio: 'failed', note: `child exited ${r.status}: ${r.stderr.slice(-300)}` }];
  return JSON.parse(line.slice(5)).map((row) => ({ ...row, row: `${row.row}, huge pages` }));
}

if (process.argv.includes('--child')) {
  const { zipRows } = await import('./rows.mjs');
  console.log(`ROWS ${JSON.stringify(await zipRows({ mb: Number(opt('mb', '200')) }))}`);
}
