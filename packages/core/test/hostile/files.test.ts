// Only regular files are read: FIFOs, devices and directories where a file is expected are
// INVALID_ARGUMENT at once (no hang, no endless read); a file over the budget is LIMIT_EXCEEDED.
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

describe('non-regular files', () => {
  it('a FIFO as saved_model.pb is INVALID_ARGUMENT at once (no hang)', async () => {
    const dir = modelWith('fifo-pb', 'saved_model.pb', (p) => execFileSync('mkfifo', [p]));
    const e = await failure(() => readSavedModelDir(dir));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.file).toBe('saved_model.pb');
    expect(e.message).toMatch(/FIFO/);
    expect(e.ms).toBeLessThan(5000);
  });

  it('a FIFO as the checkpoint index (savedmodel checkpoint) is INVALID_ARGUMENT at once', async () => {
    const dir = modelWith('fifo-index', 'variables/variables.index', (p) => execFileSync('mkfifo', [p]));
    const e = await failure(() => readCheckpointFrom(dirSource(dir)));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.file).toBe('variables/variables.index');
  });

  it('/dev/zero is INVALID_ARGUMENT, not read until memory runs out', async () => {
    const e = await failure(() => readRegularFile('/dev/zero'));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/device/);
    const dir = modelWith('devzero', 'variables/variables.index', (p) => execFileSync('ln', ['-s', '/dev/zero', p]));
    expect((await failure(() => readSavedModelDir(dir))).code).toBe('INVALID_ARGUMENT');
  });

  it('a directory where a file is expected is INVALID_ARGUMENT', async () => {
    const dir = modelWith('dir-pb', 'saved_model.pb', (p) => mkdirSync(p));
    const e = await failure(() => readSavedModelDir(dir));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/directory/);
  });

  it('a missing file is NOT_FOUND; a file over the budget is LIMIT_EXCEEDED (not NOT_FOUND)', async () => {
    expect((await failure(() => readRegularFile(join(tmp, 'nope')))).code).toBe('NOT_FOUND');
    const big = join(tmp, 'big.bin');
    writeFileSync(big, new Uint8Array(4096));
    const e = await failure(() => readRegularFile(big, { maxBytes: 1000 }));
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toContain('4096');
    const src = dirSource(join(FIXTURES, 'half_plus_two_tf2'), { limits: { maxTotalBytes: 100 } });
    expect((await failure(() => readSavedModel(src))).code).toBe('LIMIT_EXCEEDED');
    expect((await readRegularFile(big)).length).toBe(4096);
  });
});
