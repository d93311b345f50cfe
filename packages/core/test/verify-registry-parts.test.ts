// verify reads only the op-registry parts a SavedModel needs. TF 2.2's common part and TF 2.21's
// definitions of those ops (op-registry-2.21-common.gen.json, with DisableCopyOnRead, which every
// TF >= 2.13 save function holds) answer for a graph of common ops; the rest of TF 2.2's table and
// the whole 2.21 delta are read only for other ops. Expected: what the whole tables answer (the
// first test imports a fresh module graph: the test setup loads the whole TF 2.2 table).
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { getOpDef, loadNewestOpRegistry, loadOpRegistry, registeredOpNames } from '../src/index.js';
import { commonNewestLookup } from '../src/registry/op-registry-newest.js';
import { FIXTURES } from './shared.js';

describe('verify reads the op registry parts it needs', () => {
  it('half_plus_two_tf2 (DisableCopyOnRead, not in TF 2.2) is verified from the bundled parts alone', async () => {
    vi.resetModules();
    const core = await import('../src/index.js');
    const { dirSource } = await import('../src/node.js');
    expect(core.isOpRegistryLoaded()).toBe(false);
    const rep = await core.verifySavedModel(dirSource(join(FIXTURES, 'half_plus_two_tf2')));
    expect(core.isOpRegistryLoaded()).toBe(false);
    const newer = rep.findings.filter((f) => f.code === 'NEEDS_NEWER_TF');
    expect(newer.length).toBeGreaterThan(0);
    expect(newer.every((f) => f.message.includes('"DisableCopyOnRead"'))).toBe(true);
    expect(rep.errors).toBe(0);
    // the same findings as the whole tables give (loaded in this fresh module graph now)
    const full = await core.loadNewestOpRegistry();
    expect(core.isOpRegistryLoaded()).toBe(true);
    const graph = rep.loaded!.savedModel.meta_graphs[0]!.graph_def!;
    const whole = core.validateGraphDef(graph, { newer: full });
    expect(rep.findings.filter((f) => f.where.startsWith('meta_graphs[0]') && ['NEEDS_NEWER_TF', 'UNKNOWN_OP', 'UNKNOWN_ATTR'].includes(f.code)).map((f) => f.message).sort())
      .toEqual(whole.filter((f) => ['NEEDS_NEWER_TF', 'UNKNOWN_OP', 'UNKNOWN_ATTR'].includes(f.code)).map((f) => f.message).sort());
  });

  it('the bundled 2.21 part answers as the whole 2.21 table for every op it answers, and misses the others', async () => {
    await loadOpRegistry();
    const full = await loadNewestOpRegistry();
    let answered = 0;
    for (const name of [...registeredOpNames(), 'DisableCopyOnRead', '_Arg', '', 'NoSuchOp']) {
      const partial = await commonNewestLookup();
      const got = partial.lookup(name);
      if (partial.missed()) {
        expect(got, name).toBeUndefined();
        continue;
      }
      answered++;
      expect(got, name).toEqual(full(name));
    }
    // the common part (300 ops) and DisableCopyOnRead at least
    expect(answered).toBeGreaterThan(300);
    const partial = await commonNewestLookup();
    expect(partial.lookup('Abort')).toBeUndefined();
    expect(partial.missed()).toBe(true);
    expect(getOpDef('DisableCopyOnRead')).toBeUndefined();
  });
});
