// The CLI's edges from issue 8: `example` never replaces an existing path without --overwrite;
// `run` passes --max_tensor_bytes / --max_total_bytes to the loader's memory budget.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.js';
import { parseByteSize } from '../src/args.js';
import { FIXTURES } from '../../core/test/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'savedmodel-hostile-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

describe('savedmodel example DIR never replaces what is there without --overwrite', () => {
  it('an existing file → ALREADY_EXISTS, the file untouched', async () => {
    const target = join(tmp, 'a-file');
    writeFileSync(target, 'precious');
    const r = await run('example', target);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[ALREADY_EXISTS]');
    expect(readFileSync(target, 'utf8')).toBe('precious');
  });

  it('an existing non-empty directory → ALREADY_EXISTS, its content untouched; --overwrite replaces it', async () => {
    const target = join(tmp, 'a-dir');
    mkdirSync(target);
    writeFileSync(join(target, 'notes.txt'), 'precious');
    const r = await run('example', target);
    expect(r.code).toBe(1);
    expect(r.err).toContain('[ALREADY_EXISTS]');
    expect(r.err).toContain('--overwrite');
    expect(readdirSync(target)).toEqual(['notes.txt']);
    const again = await run('example', target, '--overwrite');
    expect(again.code, again.err).toBe(0);
    expect(again.err).not.toContain('error');
    expect(existsSync(join(target, 'notes.txt'))).toBe(false);
    expect(existsSync(join(target, 'saved_model.pb'))).toBe(true);
    // nothing of ours left beside it
    expect(readdirSync(tmp).filter((n) => n.includes('.tmp-'))).toEqual([]);
  }, 60_000);
});

describe('savedmodel run --max_tensor_bytes / --max_total_bytes', () => {
  const dir = join(FIXTURES, 'half_plus_two_tf2');

  it('a budget below the model\'s variables → LIMIT_EXCEEDED; a sufficient one runs', async () => {
    let r = await run('run', dir, '--input_exprs', 'x=[3]', '--max_total_bytes', '4');
    expect(r.code).toBe(1);
    expect(r.err).toContain('[LIMIT_EXCEEDED]');
    expect(r.err).toContain('maxTotalBytes');
    r = await run('run', dir, '--input_exprs', 'x=[3]', '--max_tensor_bytes', '1MiB', '--max_total_bytes', '1e6');
    expect(r.err).toBe('');
    expect(r.out).toBe('Result for output key y:\n[3.5]\n');
  }, 30_000);

  it('bad sizes are usage errors', async () => {
    const r = await run('run', dir, '--max_tensor_bytes', 'lots');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--max_tensor_bytes');
    expect(parseByteSize('x', '4GiB')).toBe(2 ** 32);
    expect(parseByteSize('x', '1e9')).toBe(1e9);
    expect(() => parseByteSize('x', '0')).toThrow(/positive/);
    expect(() => parseByteSize('x', '-5')).toThrow(/positive/);
  });
});
