// Only regular files are read: FIFOs, devices and directories where a file is expected are
// INVALID_ARGUMENT at once (no hang, no endless read); a file over the budget is LIMIT_EXCEEDED.
// The same through dirSource's blocking calls (DirSourceOptions.blocking, used by the CLI).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpointFrom, readSavedModel, type SavedModelError } from '@savedmodel-js/core';
import { dirSource, readRegularFile, readSavedModelDir } from '@savedmodel-js/core/node';
import { FIXTURES } from '../shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'hostile-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function failure(fn: () => Promise<unknown>): Promise<SavedModelError & { ms: number }> {
  const t0 = performance.now();
  try { await fn(); } catch (e) { return Object.assign(e as SavedModelError, { ms: performance.now() - t0 }); }
  throw new Error('expected a failure');
}

function modelWith(name: string, replace: string, make: (p: string) => void): string {
  const dir = join(tmp, name);
  cpSync(join(FIXTURES, 'half_plus_two_tf2'), dir, { recursive: true });
  rmSync(join(dir, replace), { recursive: true, force: true });
  make(join(dir, replace));
  return dir;
}

describe.each([false, true])('non-regular files (dirSource blocking: %s)', (blocking) => {
  it('a FIFO as saved_model.pb is INVALID_ARGUMENT at once (no hang)', async () => {
    const dir = modelWith(`fifo-pb-${blocking}`, 'saved_model.pb', (p) => execFileSync('mkfifo', [p]));
    const e = await failure(() => readSavedModelDir(dir, { blocking }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.file).toBe('saved_model.pb');
    expect(e.message).toMatch(/FIFO/);
    expect(e.ms).toBeLessThan(5000);
  });

  it('a FIFO as the checkpoint index (savedmodel checkpoint) is INVALID_ARGUMENT at once', async () => {
    const dir = modelWith(`fifo-index-${blocking}`, 'variables/variables.index', (p) => execFileSync('mkfifo', [p]));
    const e = await failure(() => readCheckpointFrom(dirSource(dir, { blocking })));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.file).toBe('variables/variables.index');
  });

  it('/dev/zero is INVALID_ARGUMENT, not read until memory runs out', async () => {
    const e = await failure(() => readRegularFile('/dev/zero'));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/device/);
    const dir = modelWith(`devzero-${blocking}`, 'variables/variables.index', (p) => execFileSync('ln', ['-s', '/dev/zero', p]));
    expect((await failure(() => readSavedModelDir(dir, { blocking }))).code).toBe('INVALID_ARGUMENT');
  });

  it('a directory where a file is expected is INVALID_ARGUMENT', async () => {
    const dir = modelWith(`dir-pb-${blocking}`, 'saved_model.pb', (p) => mkdirSync(p));
    const e = await failure(() => readSavedModelDir(dir, { blocking }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/directory/);
  });

  it('a missing file is NOT_FOUND; a file over the budget is LIMIT_EXCEEDED (not NOT_FOUND)', async () => {
    expect((await failure(() => readRegularFile(join(tmp, 'nope')))).code).toBe('NOT_FOUND');
    const big = join(tmp, `big-${blocking}.bin`);
    writeFileSync(big, new Uint8Array(4096));
    const e = await failure(() => readRegularFile(big, { maxBytes: 1000 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toContain('4096');
    const src = dirSource(join(FIXTURES, 'half_plus_two_tf2'), { limits: { maxTotalBytes: 100 }, blocking });
    expect((await failure(() => readSavedModel(src))).code).toBe('LIMIT_EXCEEDED');
    const missing = dirSource(join(tmp, 'no-such-dir'), { blocking });
    expect(await missing.has('saved_model.pb')).toBe(false);
    expect((await failure(() => missing.read('saved_model.pb'))).code).toBe('NOT_FOUND');
    expect((await failure(() => missing.list())).code).toBe('NOT_FOUND');
    expect((await readRegularFile(big)).length).toBe(4096);
  });
});

// byte equality without vitest's element-by-element diffing of large arrays
const same = (x: Uint8Array, y: Uint8Array) => Buffer.compare(x, y) === 0;

describe('dirSource blocking and not: the same answers', () => {
  it('list, has, read and ranged reads agree on every fixture', async () => {
    const { FIXTURE_NAMES } = await import('../shared.js');
    for (const name of FIXTURE_NAMES) {
      const dir = join(FIXTURES, name);
      const a = dirSource(dir), b = dirSource(dir, { blocking: true });
      const files = await a.list();
      expect(await b.list()).toEqual(files);
      for (const f of [...files, 'no-such-file', '../escape']) expect(await b.has(f)).toBe(await a.has(f));
      for (const f of files) {
        const bytes = await a.read(f);
        expect(same(await b.read(f), bytes), f).toBe(true);
        const ra = await a.openRanged!(f), rb = await b.openRanged!(f);
        expect(rb.size).toBe(ra.size);
        if (bytes.length > 2) expect(same(rb.read(1, bytes.length - 2), ra.read(1, bytes.length - 2)), f).toBe(true);
      }
      const la = await readSavedModel(a), lb = await readSavedModel(b);
      expect(same(lb.savedModelBytes!, la.savedModelBytes!)).toBe(true);
      expect(lb.assets).toEqual(la.assets);
    }
  });
});
