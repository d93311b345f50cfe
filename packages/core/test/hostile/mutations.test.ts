// Generated attacks on the readers (in-process: every read is bounded): structured mutations of
// saved_model.pb and fingerprint.pb per field by wire type (varints at their extremes, lengths
// past the end or at 2^31 / 2^53, invalid wire types, payloads overwritten), random mutations
// with fixed seeds of saved_model.pb, the checkpoint index and the text format. Every outcome is
// a value or a SavedModelError with a code and a short message — never another exception.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileMapSource, readSavedModel, SavedModelError } from '@savedmodel-js/core';
import { parseTextFormat } from '@savedmodel-js/core/reflection';
import { seedOf } from '../checkpoint-fuzz.js';
import { HostileSummary } from '../hostile-kit.js';
import { FIXTURE_NAMES, FIXTURES, fixtureFiles } from '../shared.js';
import { fieldSites, randomMutations, structuredMutations } from './mutate.js';

const summary = new HostileSummary('core mutations (in-process)');
afterAll(() => summary.print());

/** Sites spread evenly over the message, at most `max`. */
function sample<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  return Array.from({ length: max }, (_, i) => xs[Math.floor((i * xs.length) / max)]!);
}

class Tally {
  readonly codes = new Map<string, number>();
  count = 0;
  async run(what: string, fn: () => unknown): Promise<void> {
    // Let the event loop breathe (the test runner's RPC must not starve on a busy machine).
    if (++this.count % 20 === 0) await new Promise((r) => setImmediate(r));
    try {
      await fn();
      this.codes.set('OK', (this.codes.get('OK') ?? 0) + 1);
    } catch (e) {
      if (!(e instanceof SavedModelError)) throw new Error(`${what}: untyped ${(e as Error)?.constructor?.name}: ${String(e).slice(0, 300)}`, { cause: e });
      expect(e.message.length, what).toBeLessThan(2000);
      this.codes.set(e.code, (this.codes.get(e.code) ?? 0) + 1);
    }
  }
  text(): string {
    return [...this.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
  }
}

describe.each(FIXTURE_NAMES)('mutations of %s', (name) => {
  const files = fixtureFiles(name);

  it('structured: every field kind of saved_model.pb and fingerprint.pb', async () => {
    const t0 = performance.now();
    const tally = new Tally();
    for (const file of ['saved_model.pb', 'fingerprint.pb']) {
      const bytes = files.get(file);
      if (!bytes) continue;
      const sites = sample(fieldSites(bytes), file === 'saved_model.pb' ? 60 : 20);
      expect(sites.length).toBeGreaterThan(0);
      for (const s of sites) {
        for (const m of structuredMutations(bytes, s)) {
          const mutated = new Map(files);
          mutated.set(file, m.bytes);
          await tally.run(`${file} @${s.tagAt} ${m.what}`, () => readSavedModel(fileMapSource(mutated), { checkpoint: false }));
        }
      }
    }
    summary.addInline(`${name}: ${tally.count} structured`, tally.text(), Math.round(performance.now() - t0));
  });

  it('random (seeded): saved_model.pb, variables.index', async () => {
    const t0 = performance.now();
    const tally = new Tally();
    for (const file of ['saved_model.pb', 'variables/variables.index']) {
      const bytes = files.get(file)!;
      for (const m of randomMutations(bytes, seedOf(`${name}/${file}`), 150)) {
        const mutated = new Map(files);
        mutated.set(file, m);
        await tally.run(file, async () => {
          const sm = await readSavedModel(fileMapSource(mutated));
          sm.checkpoint?.verifyAll();
        });
      }
    }
    summary.addInline(`${name}: ${tally.count} random`, tally.text(), Math.round(performance.now() - t0));
  });
});

describe('text format', () => {
  it.each(['half_plus_two_v1', 'times_two_int'])('random (seeded) edits of %s.pbtxt', async (name) => {
    const t0 = performance.now();
    const tally = new Tally();
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, `${name}.pbtxt`)));
    for (const m of randomMutations(bytes, seedOf(`${name}.pbtxt`), 150)) {
      await tally.run('pbtxt', () => parseTextFormat('tensorflow.SavedModel', m, { file: 'saved_model.pbtxt' }));
    }
    summary.addInline(`${name}.pbtxt: ${tally.count} random`, tally.text(), Math.round(performance.now() - t0));
  });
});
