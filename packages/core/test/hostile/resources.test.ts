// Resource-exhaustion cases in child processes (hostile-kit: heap cap, RSS watchdog, timeout):
// each must end with a typed code and a bounded peak RSS. Prints the summary table.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeResult, HostileSummary, runHostile, type HostileCase } from '../hostile-kit.js';
import { FIXTURES } from '../shared.js';

const CASES = fileURLToPath(new URL('./resource-cases.ts', import.meta.url));
const summary = new HostileSummary('core resource cases');
const tmp = mkdtempSync(join(tmpdir(), 'hostile-res-'));
afterAll(() => { summary.print(); rmSync(tmp, { recursive: true, force: true }); });

function modelWith(name: string, replace: string, make: (p: string) => void): string {
  const dir = join(tmp, name);
  cpSync(join(FIXTURES, 'half_plus_two_tf2'), dir, { recursive: true });
  rmSync(join(dir, replace), { force: true });
  make(join(dir, replace));
  return dir;
}

interface Expect { code: string; maxRssMb: number }
const cases: [Omit<HostileCase, 'module'>, Expect][] = [
  [{ name: 'index: 1 MB key + 40,000 sharing it', fn: 'keyAmplification', args: { keyBytes: 2 ** 20, followers: 40_000 }, rssLimitMb: 1024 }, { code: 'LIMIT_EXCEEDED', maxRssMb: 300 }],
  [{ name: 'index: 60 KB key + 40,000 sharing it', fn: 'keyAmplification', args: { keyBytes: 60_000, followers: 40_000 }, rssLimitMb: 1024 }, { code: 'LIMIT_EXCEEDED', maxRssMb: 350 }],
  [{ name: 'pbtxt: one 200 MB string', fn: 'pbtxtHugeString', args: { mb: 200 }, heapMb: 1024, rssLimitMb: 2048 }, { code: 'LIMIT_EXCEEDED', maxRssMb: 800 }],
  [{ name: 'dir: FIFO as variables.index', fn: 'readDir', args: { dir: modelWith('fifo', 'variables/variables.index', (p) => execFileSync('mkfifo', [p])) }, timeoutMs: 60_000 }, { code: 'INVALID_ARGUMENT', maxRssMb: 250 }],
  [{ name: 'dir: /dev/zero as variables.index', fn: 'readDir', args: { dir: modelWith('zero', 'variables/variables.index', (p) => execFileSync('ln', ['-s', '/dev/zero', p])) } }, { code: 'INVALID_ARGUMENT', maxRssMb: 250 }],
];

describe('resource cases (child processes)', () => {
  it.each(cases.map(([c, x]) => ({ c, x, name: c.name })))('$name', async ({ c, x }) => {
    const r = summary.add(await runHostile({ ...c, module: CASES }));
    expect(r.outcome, describeResult(r)).toBe('error');
    expect(r.code, describeResult(r)).toBe(x.code);
    expect(r.messageLength ?? 0).toBeLessThan(2000);
    expect(r.peakRssMb, describeResult(r)).toBeLessThan(x.maxRssMb);
  });
});
