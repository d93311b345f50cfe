// Corrupt data files: truncations and random byte flips of every fixture's shard.
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FIXTURES, loadFixtureCheckpoint } from './checkpoint-fixtures.js';
import { CUTS, DATA_FILE, FLIPS, cutPoints, newOutcome, readEverything, seedOf, total, trial } from './checkpoint-fuzz.js';
import { mulberry32, randomInt } from './checkpoint-prng.js';

describe.each(CHECKPOINT_FIXTURES)('corrupt data file of %s', (name) => {
  const fx = loadFixtureCheckpoint(name);

  it(`${CUTS} truncations and ${FLIPS} byte flips: every one detected, with a typed error naming the file`, () => {
    const rand = mulberry32(seedOf(name) ^ 0x5eed);
    const out = newOutcome();
    const cuts = cutPoints(fx.data.length);
    for (const cut of cuts) trial(out, [DATA_FILE], () => readEverything(fx.index, fx.data.subarray(0, cut)));
    const buf = fx.data.slice();
    for (let i = 0; i < FLIPS; i++) {
      const pos = randomInt(rand, buf.length);
      const old = buf[pos]!;
      buf[pos] = old ^ (1 + randomInt(rand, 255));
      trial(out, [DATA_FILE], () => readEverything(fx.index, buf));
      buf[pos] = old;
    }
    expect(total(out)).toBe(cuts.length + FLIPS);
    // Every data byte belongs to a record covered by a crc: no corruption goes unnoticed.
    expect(out.ok).toBe(0);
    expect(out.errors.get('CHECKSUM_MISMATCH') ?? 0).toBeGreaterThan(FLIPS / 2);
    expect(out.errors.get('TRUNCATED') ?? 0).toBeGreaterThan(0);
  });
});
