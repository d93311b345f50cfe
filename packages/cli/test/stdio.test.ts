// stdio.ts: the CLI's output written straight to fds 1 and 2 arrives whole and in order through
// a pipe the parent drains slowly (a full pipe), and a reader that closes early ends the writer
// quietly with exit code 0, as process.stdout's EPIPE handling did.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./stdio-child.ts', import.meta.url));
const TSX = createRequire(fileURLToPath(new URL('../../../package.json', import.meta.url))).resolve('tsx');

function child(lines: number, per: number, onOut: (c: Buffer, stop: () => void) => void): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', TSX, CHILD, String(lines), String(per)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    p.stdout.on('data', (c: Buffer) => onOut(c, () => p.stdout.destroy()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, err }));
  });
}

const expected = (lines: number) => Array.from({ length: lines }, (_, j) => `line ${j} ${'é'.repeat(j % 7)}\n`).join('');

describe('writeText (stdio.ts)', () => {
  it('~2.5 MB through a pipe read slowly arrives whole and in order; stderr too', async () => {
    const lines = 200_000;
    const chunks: Buffer[] = [];
    let n = 0;
    const r = await child(lines, 5000, (c) => {
      chunks.push(c);
      // a slow reader now and then: the pipe fills up behind it
      if (++n % 20 === 0) { const until = Date.now() + 5; while (Date.now() < until); }
    });
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe('done\n');
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected(lines));
  }, 30_000);

  it('a reader that closes the pipe early: the writer stops quietly with exit code 0', async () => {
    const r = await child(2_000_000, 10_000, (_c, stop) => stop());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  }, 30_000);
});
