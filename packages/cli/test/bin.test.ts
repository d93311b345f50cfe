// The built CLI (dist/, an esbuild bundle made by build.mjs) behind bin/savedmodel.mjs: it answers
// like the sources, and it reaches nothing outside itself but tfjs, h5wasm and Node's built-ins
// (the workspace packages are bundled in; in a packed tarball they are not dependencies).
// Skipped before `pnpm build`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { FIXTURES } from '../../core/test/shared.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PKG, 'bin/savedmodel.mjs');
const DIST = join(PKG, 'dist');
const built = existsSync(join(DIST, 'main.js'));

function bin(...argv: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function fromSource(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: () => undefined });
  return { code, out };
}

describe.skipIf(!built)('bin/savedmodel.mjs on the built dist/', () => {
  it('show --all and verify print what the sources print', async () => {
    const dir = join(FIXTURES, 'half_plus_two_tf2');
    for (const argv of [['show', dir, '--all'], ['verify', dir]]) {
      const r = bin(...argv);
      const want = await fromSource(...argv);
      expect(r.code, r.err).toBe(want.code);
      expect(r.out).toBe(want.out);
    }
    expect(bin('verify', dir).out).toMatch(/^OK: .*\(3 warnings\)\n$/m);
  });

  it('an unknown command exits 2 with the usage', () => {
    const r = bin('no-such-command');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'no-such-command'");
  });

  it('imports nothing but tfjs, h5wasm and Node built-ins', () => {
    const files = [join(DIST, 'main.js'), ...readdirSync(join(DIST, 'chunks')).filter((f) => f.endsWith('.js')).map((f) => join(DIST, 'chunks', f))];
    const builtins = new Set(builtinModules);
    const bare = new Set<string>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"'./][^"']*)["']/g)) bare.add(m[1]!);
    }
    const outside = [...bare].filter((s) => !(s.startsWith('node:') || builtins.has(s) || /^@tensorflow\/tfjs(-[a-z-]+)?$/.test(s) || s === 'h5wasm'));
    expect(outside).toEqual([]);
    expect(bare.has('@tensorflow/tfjs')).toBe(true);
  });
});
