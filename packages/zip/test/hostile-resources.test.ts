// Zip resource cases in child processes (hostile-kit): an entry that inflates to ~1.9 GiB (under
// DEFLATE's ratio cap) is refused by the memory budget before anything is inflated, whether it is
// saved_model.pb or a checkpoint shard read after the SavedModel was parsed.
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeResult, HostileSummary, runHostile } from '../../core/test/hostile-kit.js';

const CASES = fileURLToPath(new URL('./hostile/resource-cases.ts', import.meta.url));
const summary = new HostileSummary('zip resource cases');
afterAll(() => summary.print());

describe('zip resource cases (child processes)', () => {
  it.each(['saved_model.pb', 'variables/variables.data-00000-of-00001'] as const)('a %s inflating to 1.9 GiB: LIMIT_EXCEEDED, bounded RSS', async (entry) => {
    const r = summary.add(await runHostile({ name: `zip: ${entry} inflating to 1.9 GiB`, module: CASES, fn: 'inflatingEntry', args: { n: 30, entry }, rssLimitMb: 1024 }));
    expect(r.outcome, describeResult(r)).toBe('error');
    expect(r.code, describeResult(r)).toBe('LIMIT_EXCEEDED');
    expect(r.message).toMatch(/maxEntryBytes/);
    expect(r.peakRssMb, describeResult(r)).toBeLessThan(400);
  });
});
