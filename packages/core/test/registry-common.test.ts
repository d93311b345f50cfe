// The op registry in two parts: the bundled "common" part (what exports and loads of ordinary
// models look up, synchronously) and the "rest", imported by loadOpRegistry(). Checks the split
// and that every op name our packages' sources use is in the common part (a browser export must
// never need the lazy part).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from './shared.js';

const REGISTRY = join(REPO_ROOT, 'packages/core/src/registry');
const table = (f: string) => JSON.parse(readFileSync(join(REGISTRY, f), 'utf8')) as { count: number; part: string; ops: { n: string }[] };

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.includes('.gen.')) out.push(p);
  }
  return out;
}

describe('op registry parts', () => {
  it('common + rest partition the 1256 ops; the common part is small', () => {
    const common = table('op-registry-common.gen.json');
    const rest = table('op-registry-rest.gen.json');
    expect(common.part).toBe('common');
    expect(rest.part).toBe('rest');
    expect(common.ops.length + rest.ops.length).toBe(1256);
    const names = new Set(common.ops.map((o) => o.n));
    for (const o of rest.ops) expect(names.has(o.n), o.n).toBe(false);
    expect(common.ops.length).toBeLessThan(320);
    expect(statSync(join(REGISTRY, 'op-registry-common.gen.json')).size).toBeLessThan(70_000);
  });

  it('every op name quoted in the sources of the packages that export or load is in the common part', () => {
    const all = new Set([...table('op-registry-common.gen.json').ops, ...table('op-registry-rest.gen.json').ops].map((o) => o.n));
    const common = new Set(table('op-registry-common.gen.json').ops.map((o) => o.n));
    const missing: string[] = [];
    for (const pkg of readdirSync(join(REPO_ROOT, 'packages'))) {
      if (['core', 'cli', 'demo'].includes(pkg)) continue; // core's own tools and the CLI load the whole registry
      let files: string[];
      try {
        files = sources(join(REPO_ROOT, 'packages', pkg, 'src'));
      } catch {
        continue;
      }
      for (const f of files) {
        for (const m of readFileSync(f, 'utf8').matchAll(/['"`]([A-Z][A-Za-z0-9]*)['"`]/g)) {
          if (all.has(m[1]!) && !common.has(m[1]!)) missing.push(`${m[1]} (${f.slice(REPO_ROOT.length + 1)})`);
        }
      }
    }
    expect(missing, 'add these ops to COMMON_EXTRAS in scripts/gen-op-registry.mjs and run `node scripts/gen-op-registry.mjs`').toEqual([]);
  });

  it('before loadOpRegistry(): common ops resolve, others are UNSUPPORTED naming loadOpRegistry; ensureOpDefs loads on need', async () => {
    vi.resetModules();
    const r = await import('../src/registry/op-registry.js');
    expect(r.isOpRegistryLoaded()).toBe(false);
    expect(r.getOpDef('MatMul')?.name).toBe('MatMul');
    expect(r.getOpDef('SaveV2')?.name).toBe('SaveV2');
    expect(r.getOpDef('_Arg')).toBeUndefined();
    let err: unknown;
    try {
      r.getOpDef('Abort');
    } catch (e) {
      err = e;
    }
    // a fresh module graph: its SavedModelError class is not this file's, compare name and code
    expect((err as Error).name).toBe('SavedModelError');
    expect((err as { code?: string }).code).toBe('UNSUPPORTED');
    expect((err as Error).message).toMatch(/await loadOpRegistry\(\)/);
    expect(() => r.registeredOpNames()).toThrow(/loadOpRegistry/);
    await r.ensureOpDefs(['MatMul', 'BiasAdd']);
    expect(r.isOpRegistryLoaded()).toBe(false);
    await r.ensureOpDefs(['MatMul', 'Abort']);
    expect(r.isOpRegistryLoaded()).toBe(true);
    expect(r.getOpDef('Abort')?.name).toBe('Abort');
    expect(r.getOpDef('NoSuchOpAnywhere')).toBeUndefined();
    expect(r.hasOp('NoSuchOpAnywhere')).toBe(false);
    expect(r.registeredOpNames()).toHaveLength(1256);
  });
});
