// Corrupt variables.index files: truncations and random byte flips of every fixture.
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_FIXTURES, loadFixtureCheckpoint } from './checkpoint-fixtures.js';
import { CUTS, DATA_FILE, FLIPS, INDEX_FILE, cutPoints, newOutcome, readEverything, seedOf, total, trial } from './checkpoint-fuzz.js';
import { mulberry32, randomInt } from './checkpoint-prng.js';

/** Extra flips with block checksums off, so corrupt bytes reach the block / proto parsers. */
const UNCHECKED_FLIPS = 300;

describe.each(CHECKPOINT_FIXTURES)('corrupt index of %s', (name) => {
  const fx = loadFixtureCheckpoint(name);
  // A corrupt entry (offset, size, crc) is only noticed against the data file, so those errors name it.
  const files = [INDEX_FILE, DATA_FILE];

  it(`${CUTS} truncations and ${FLIPS} byte flips: valid result or typed error`, () => {
    const rand = mulberry32(seedOf(name));
    const out = newOutcome();
    const cuts = cutPoints(fx.index.length);
    for (const cut of cuts) trial(out, [INDEX_FILE], () => readEverything(fx.index.subarray(0, cut), fx.data));
    expect(out.ok).toBe(0); // every truncation is detected
    const buf = fx.index.slice();
    for (let i = 0; i < FLIPS; i++) {
      const pos = randomInt(rand, buf.length);
      const old = buf[pos]!;
      buf[pos] = old ^ (1 + randomInt(rand, 255)); // always a different value
      trial(out, files, () => readEverything(buf, fx.data));
      buf[pos] = old;
    }
    expect(total(out)).toBe(cuts.length + FLIPS);
    // Accepted flips can only be in bytes nothing reads (the footer's zero padding).
    expect(out.ok).toBeLessThan(FLIPS * 0.3);
    expect(out.errors.get('CHECKSUM_MISMATCH') ?? 0).toBeGreaterThan(FLIPS * 0.4);
  });

  it(`${UNCHECKED_FLIPS} byte flips with checksums off reach the parsers: still valid result or typed error`, () => {
    const rand = mulberry32(seedOf(name) ^ 0xc0ffee);
    const out = newOutcome();
    const buf = fx.index.slice();
    for (let i = 0; i < UNCHECKED_FLIPS; i++) {
      const pos = randomInt(rand, buf.length);
      const old = buf[pos]!;
      buf[pos] = old ^ (1 + randomInt(rand, 255));
      trial(out, files, () => readEverything(buf, fx.data, false));
      buf[pos] = old;
    }
    expect(total(out)).toBe(UNCHECKED_FLIPS);
    expect(out.errors.get('CORRUPT') ?? 0).toBeGreaterThan(0);
  });
});
