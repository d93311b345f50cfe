// The built demo (packages/demo/dist), rebuilt with `pnpm --filter ./packages/demo build` when
// missing or older than any source it bundles.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './checks.js';

export const DIST = join(REPO, 'packages/demo/dist');

const SOURCES = ['packages/demo', 'packages/core/src', 'packages/trace/src', 'packages/zip/src', 'packages/runtime/src', 'packages/export/src', 'packages/convert/src', 'packages/savedmodel-js/src'];

function newestMtime(dir: string): number {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

function isFresh(): boolean {
  const index = join(DIST, 'index.html');
  const sw = join(DIST, 'sw.js');
  const built = existsSync(index) && existsSync(sw) ? Math.min(statSync(index).mtimeMs, statSync(sw).mtimeMs) : 0;
  return built > Math.max(...SOURCES.map((d) => newestMtime(join(REPO, d))));
}

const LOCK = join(REPO, 'node_modules', '.e2e-demo-build.lock');

/**
 * Builds the demo unless dist/ is newer than its sources; returns the build time in ms (0 when
 * skipped). Asynchronous (a blocked vitest worker misses its RPC deadlines during a minute-long
 * build) and serialized across test files by a lock directory (one build, the others wait for it).
 */
export async function ensureDemoBuilt(): Promise<number> {
  if (isFresh()) return 0;
  const t0 = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // another file is building: a lock older than 10 minutes is stale
      try { if (Date.now() - statSync(LOCK).mtimeMs > 600_000) rmSync(LOCK, { recursive: true, force: true }); } catch { /* gone */ }
      await new Promise((ok) => setTimeout(ok, 500));
    }
  }
  try {
    if (isFresh()) return Date.now() - t0;
    // NODE_ENV: vitest sets 'test', which would make vite build a non-production bundle (no service worker).
    const child = spawn('pnpm', ['--filter', './packages/demo', 'build'], { cwd: REPO, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    const code = await new Promise<number | null>((ok, fail) => { child.once('error', fail); child.once('exit', ok); });
    if (code !== 0) throw new Error(`pnpm --filter ./packages/demo build exited with ${code}`);
    return Date.now() - t0;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
