// A ZIP64 archive over 2 GiB with a 2.5 GiB deflated entry, written by our ZipWriter from generated
// data (not committed) and read back from the file: streamed, CRC-checked, bounded memory. Runs in
// child processes (hostile-kit) with an RSS watchdog. Set ZIP64_TEST_MIB to change the size.
// Figures on the loaded 2-core dev machine: write 50–96 s, read 88–187 s, peak RSS ≈ 150 MiB each.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { describeResult, HostileSummary, runHostile } from '../../core/test/hostile-kit.js';
import { tempDir } from './helpers.js';

const CASES = fileURLToPath(new URL('./hostile/zip64-cases.ts', import.meta.url));
const MIB = Number(process.env.ZIP64_TEST_MIB ?? 2560);
const tmp = tempDir('zip64-');
const summary = new HostileSummary('zip64 read-back');
afterAll(() => { summary.print(); tmp.cleanup(); });

describe('ZIP64 archives over 2 GiB', () => {
  it(`a ${MIB} MiB deflated entry written by ZipWriter reads back from the file (streamed, CRC, bounded RSS)`, async () => {
    const args = { path: join(tmp.dir, 'huge.zip'), mib: MIB, level: 0 };
    const w = summary.add(await runHostile({ name: `write ${MIB} MiB deflate`, module: CASES, fn: 'writeHuge', args, rssLimitMb: 600, timeoutMs: 300_000 }));
    expect(w.outcome, describeResult(w)).toBe('ok');
    const written = w.value as { bytes: number; zip64: boolean; crc: number; ms: number };
    expect(written.bytes).toBeGreaterThan(MIB * 2 ** 20);
    expect(written.zip64).toBe(true);
    const r = summary.add(await runHostile({ name: `read ${MIB} MiB back`, module: CASES, fn: 'readHuge', args, rssLimitMb: 600, timeoutMs: 300_000 }));
    rmSync(args.path, { force: true });
    expect(r.outcome, describeResult(r)).toBe('ok');
    const read = r.value as { bytes: number; crc: number; size: number; files: string[]; pb: number[] };
    expect(read.bytes).toBe(MIB * 2 ** 20);
    expect(read.crc).toBe(written.crc);
    expect(read.size).toBe(written.bytes);
    expect(read.files).toEqual(['saved_model.pb', 'variables/variables.data-00000-of-00001', `read big: ${MIB * 2 ** 20 > 2 ** 30 ? 'LIMIT_EXCEEDED' : 'skipped'}`]);
    expect(read.pb).toEqual([8, 1]);
    console.log(`zip64: wrote ${written.bytes} bytes in ${written.ms} ms (peak ${w.peakRssMb} MiB), read back in ${(r.value as { ms: number }).ms} ms (peak ${r.peakRssMb} MiB)`);
    expect(w.peakRssMb).toBeLessThan(400);
    expect(r.peakRssMb).toBeLessThan(400);
  }, 700_000);
});
