// hostile-kit's own behaviour: result codes, the RSS watchdog and the timeout.
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { HostileSummary, describeResult, runHostile } from '../hostile-kit.js';

const CASES = fileURLToPath(new URL('./kit-cases.ts', import.meta.url));
const summary = new HostileSummary('hostile-kit self-test');
afterAll(() => summary.print());

describe('hostile-kit', () => {
  it('reports returned values, typed codes, raw errors, RSS kills and timeouts', async () => {
    const [ok, typed, raw, rss, slow] = await Promise.all([
      runHostile({ name: 'returns', module: CASES, fn: 'returns', args: { n: 21 } }),
      runHostile({ name: 'typed', module: CASES, fn: 'throwsTyped' }),
      runHostile({ name: 'raw', module: CASES, fn: 'throwsRaw' }),
      runHostile({ name: 'eats memory', module: CASES, fn: 'eatsMemory', rssLimitMb: 300 }),
      runHostile({ name: 'spins', module: CASES, fn: 'spins', timeoutMs: 20_000 }),
    ]);
    for (const r of [ok, typed, raw, rss, slow]) summary.add(r);
    expect(ok.outcome, describeResult(ok)).toBe('ok');
    expect(ok.value).toBe(42);
    expect(ok.exitCode).toBe(0);
    expect(ok.peakRssMb).toBeGreaterThan(10);
    expect(typed.outcome, describeResult(typed)).toBe('error');
    expect(typed.code).toBe('LIMIT_EXCEEDED');
    expect(typed.message).toContain('x.pb');
    expect(raw.outcome).toBe('raw-error');
    expect(raw.errorName).toBe('TypeError');
    expect(rss.outcome).toBe('crash');
    expect(rss.killedFor).toBe('rss');
    expect(rss.peakRssMb).toBeGreaterThanOrEqual(300);
    expect(slow.outcome).toBe('crash');
    expect(slow.killedFor).toBe('timeout');
    expect(slow.elapsedMs).toBeGreaterThanOrEqual(20_000);
  });
});
