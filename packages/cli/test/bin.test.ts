// The built CLI (dist/, an esbuild bundle made by build.mjs) behind bin/savedmodel.cjs: it answers
// like the sources, and it reaches nothing outside itself but tfjs, h5wasm and Node's built-ins
// (the workspace packages are bundled in; in a packed tarball they are not dependencies).
// Skipped before `pnpm build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { INSPECT_COMMANDS } from '../src/inspect-main.js';
import { main } from '../src/main.js';
import { FIXTURES, FIXTURES_MORE } from '../../core/test/shared.js';

const PKG = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(PKG, 'bin/savedmodel.cjs');
const DIST = join(PKG, 'dist');
const built = existsSync(join(DIST, 'main.js'));

// every run gets its own code cache directory unless a test passes one
const CACHE = mkdtempSync(join(tmpdir(), 'sm-cli-cache-'));

function binEnv(env: Record<string, string>, ...argv: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, SAVEDMODEL_CACHE_DIR: CACHE, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const bin = (...argv: string[]) => binEnv({}, ...argv);

async function fromSource(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: () => undefined });
  return { code, out };
}

describe.skipIf(!built)('bin/savedmodel.cjs on the built dist/', () => {
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

// Node 20 has no module.enableCompileCache: the bin runs dist/inspect.cjs through its own V8 code cache.
const oldNode = !('enableCompileCache' in (await import('node:module')).default);
describe.skipIf(!built || !oldNode)('the read-only commands through the code cache (dist/inspect.cjs)', () => {
  const dir = join(FIXTURES, 'half_plus_two_tf2');
  const other = join(FIXTURES, 'half_plus_two_tf1');
  // keras3_power_consumption has attrs newer than TF 2.2: verify reads TF 2.21's registry part too
  // (beside the bundle: dist/op-registry-*.gen.json, read when first needed)
  const newer = join(FIXTURES_MORE, 'keras3_power_consumption');
  const cases = [['show', dir, '--all'], ['verify', dir], ['verify', newer], ['checkpoint', dir, '--values'], ['diff', dir, other], ['verify', join(dir, 'no-such-dir')], ['show', join(dir, 'no-such-dir')], ['show', dir, '--no-such-flag']];

  it('the bin sends exactly the commands inspect-main holds there', () => {
    const text = readFileSync(BIN, 'utf8');
    const m = /const INSPECT_COMMANDS = (\[[^\]]*\]);/.exec(text);
    expect(m).not.toBeNull();
    expect(JSON.parse(m![1]!.replace(/'/g, '"'))).toEqual([...INSPECT_COMMANDS]);
  });

  it('writes a cache on the first run, uses it on the next, and answers like the sources each time (errors too)', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'sm-cli-cache-'));
    try {
      for (const argv of cases) {
        const want = await fromSource(...argv);
        const first = binEnv({ SAVEDMODEL_CACHE_DIR: cache }, ...argv);
        const files = readdirSync(cache).filter((f) => f.startsWith(`inspect.cjs-${argv[0]}-`));
        expect(files, argv.join(' ')).toHaveLength(1);
        const bytes = readFileSync(join(cache, files[0]!));
        const second = binEnv({ SAVEDMODEL_CACHE_DIR: cache }, ...argv);
        for (const r of [first, second]) {
          expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(want.code);
          expect(r.out).toBe(want.out);
        }
        if (argv[1] === newer) expect(first.out).toMatch(/NEEDS_NEWER_TF/);
        // a used cache is not rewritten
        expect(readFileSync(join(cache, files[0]!)).equals(bytes)).toBe(true);
      }
      expect(binEnv({ SAVEDMODEL_CACHE_DIR: cache }, 'show', join(dir, 'no-such-dir')).err).toMatch(/^savedmodel show: error \[NOT_FOUND\]/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('a damaged cache file is rejected by V8, the command still answers right, and the cache is rewritten', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'sm-cli-cache-'));
    try {
      const argv = ['show', dir, '--all'];
      const want = await fromSource(...argv);
      binEnv({ SAVEDMODEL_CACHE_DIR: cache }, ...argv);
      const [file] = readdirSync(cache);
      const good = readFileSync(join(cache, file!));
      const bad = Buffer.from(good);
      for (let i = 0; i < bad.length; i += 97) bad[i] = bad[i]! ^ 0x5a;
      writeFileSync(join(cache, file!), bad);
      const r = binEnv({ SAVEDMODEL_CACHE_DIR: cache }, ...argv);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toBe(want.out);
      expect(readFileSync(join(cache, file!)).equals(bad)).toBe(false);
      // garbage that is not a code cache at all
      writeFileSync(join(cache, file!), 'not a cache');
      expect(binEnv({ SAVEDMODEL_CACHE_DIR: cache }, ...argv).out).toBe(want.out);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('SAVEDMODEL_CODE_CACHE=0 runs the ES module build and writes no cache; an unwritable cache directory is no error', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'sm-cli-cache-'));
    try {
      const want = await fromSource('show', dir, '--all');
      const r = binEnv({ SAVEDMODEL_CACHE_DIR: cache, SAVEDMODEL_CODE_CACHE: '0' }, 'show', dir, '--all');
      expect(r.out).toBe(want.out);
      expect(readdirSync(cache)).toEqual([]);
      const blocked = join(cache, 'a-file');
      writeFileSync(blocked, '');
      const r2 = binEnv({ SAVEDMODEL_CACHE_DIR: join(blocked, 'sub') }, 'show', dir, '--all');
      expect(r2.code, r2.err).toBe(0);
      expect(r2.out).toBe(want.out);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('dist/inspect.cjs calls no import() and requires nothing but Node built-ins', () => {
    const text = readFileSync(join(DIST, 'inspect.cjs'), 'utf8');
    expect(text).not.toMatch(/\bimport\(/);
    const builtins = new Set(builtinModules);
    const req = new Set([...text.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
    expect(req.size).toBeGreaterThan(0);
    expect([...req].filter((s) => !(s.startsWith('node:') || builtins.has(s)))).toEqual([]);
  });
});
