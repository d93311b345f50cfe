// The demo served by the real `vite preview` — the package's own `preview` script, run the way the
// README says (`pnpm --filter @savedmodel-js/demo preview`), on a free port and from a snapshot of
// dist/ (`--outDir`), so a `pnpm build` running meanwhile cannot pull files from under the
// service worker's precache. The URL is the one preview prints (asserted by the tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { REPO } from './checks.js';

export interface VitePreview {
  /** The URL preview printed ("Local: http://127.0.0.1:PORT/"). */
  url: string;
  /** Everything preview printed (ANSI colours removed). */
  output(): string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
  });
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Starts `pnpm --filter @savedmodel-js/demo preview -- --port P --strictPort --outDir DIR`; resolves once it printed its URL. */
export async function startVitePreview(outDir: string, timeoutMs = 60_000): Promise<VitePreview> {
  const port = await freePort();
  // detached: pnpm → sh → node (vite) form a process group, ended together by close()
  const child: ChildProcess = spawn('pnpm', ['--filter', '@savedmodel-js/demo', 'preview', '--port', String(port), '--strictPort', '--outDir', outDir], {
    cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let text = '';
  const output = () => text.replace(ANSI, '');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
  };
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`vite preview printed no URL within ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const onData = (b: Buffer) => {
      text += b.toString('utf8');
      const m = /Local:\s+(http:\/\/\S+)/.exec(output());
      if (m) {
        clearTimeout(timer);
        ok(m[1]!.endsWith('/') ? m[1]! : `${m[1]!}/`);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`vite preview exited (${code}) before printing its URL:\n${output()}`));
    });
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { url, output, close: stop };
}
