// The built demo (packages/demo/dist), rebuilt with `pnpm --filter ./packages/demo build` when
// missing or older than any source it bundles.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/** Builds the demo unless dist/ is newer than its sources; returns the build time in ms (0 when skipped). */
export function ensureDemoBuilt(): number {
  const index = join(DIST, 'index.html');
  const sw = join(DIST, 'sw.js');
  const built = existsSync(index) && existsSync(sw) ? Math.min(statSync(index).mtimeMs, statSync(sw).mtimeMs) : 0;
  if (built > Math.max(...SOURCES.map((d) => newestMtime(join(REPO, d))))) return 0;
  const t0 = Date.now();
  // NODE_ENV: vitest sets 'test', which would make vite build a non-production bundle (no service worker).
  execFileSync('pnpm', ['--filter', './packages/demo', 'build'], { cwd: REPO, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  return Date.now() - t0;
}
