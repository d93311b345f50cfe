// Every fs failure in core's readers and writers is a SavedModelError IO_ERROR carrying the errno
// (never a raw Node error; ENOSPC is not INVALID_ARGUMENT), and a failed write leaves nothing:
// no target, no temporary sibling. Faults are injected into node:fs/promises.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { SavedModelError } from '@savedmodel-js/core';
import { readSavedModelDir, writeSavedModelDir } from '@savedmodel-js/core/node';
import { clearFaults, faultHits, injectFault } from '../fs-faults.js';
import { FIXTURES } from '../shared.js';

vi.mock('node:fs/promises', async (orig) => (await import('../fs-faults.js')).faultyFsPromises(await orig()));

const tmp = mkdtempSync(join(tmpdir(), 'hostile-faults-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => clearFaults());

const ERRNOS = ['EACCES', 'EROFS', 'ENOSPC', 'EMFILE', 'EIO'];

async function failure(fn: () => Promise<unknown>): Promise<SavedModelError> {
  try { await fn(); } catch (e) { return e as SavedModelError; }
  throw new Error('expected a failure');
}

let n = 0;
describe('writeSavedModelDir under fs faults', async () => {
  const model = await readSavedModelDir(join(FIXTURES, 'half_plus_two_tf2'));
  const content = {
    savedModel: model.savedModel,
    checkpoint: model.checkpoint!.entries.map((e) => ({
      key: e.key, dtype: e.dtype, shape: e.shape, data: e.dtypeName === 'DT_STRING' ? model.checkpoint!.stringBytes(e) : model.checkpoint!.bytes(e),
    })),
  };
  // Where a fault can hit: creating the parent, the temp dir, writing a file (2nd write: after
  // some files exist), publishing.
  const SITES = [
    { op: 'mkdir', skip: 0 }, { op: 'mkdir', skip: 1 }, { op: 'writeFile', skip: 1 }, { op: 'rename', skip: 0 },
  ];
  it.each(ERRNOS.flatMap((errno) => SITES.map((s) => ({ errno, ...s }))))('$errno at $op #$skip → IO_ERROR $errno, nothing left', async ({ errno, op, skip }) => {
    const parent = join(tmp, `w${n++}`);
    const target = join(parent, 'out');
    injectFault({ op, errno, skip });
    const e = await failure(() => writeSavedModelDir(target, content));
    expect(faultHits()).toBe(1);
    expect(e.name).toBe('SavedModelError');
    expect(e.code).toBe('IO_ERROR');
    expect(e.errno).toBe(errno);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(parent) ? readdirSync(parent) : []).toEqual([]);
    // The same write without the fault succeeds.
    await writeSavedModelDir(target, content);
    expect(readdirSync(parent)).toEqual(['out']);
  });
});

describe('readers under fs faults', () => {
  it.each(ERRNOS)('%s while opening saved_model.pb → IO_ERROR with errno and file', async (errno) => {
    injectFault({ op: 'open', errno, pathIncludes: 'saved_model.pb' });
    const e = await failure(() => readSavedModelDir(join(FIXTURES, 'half_plus_two_tf2')));
    expect(e.code).toBe('IO_ERROR');
    expect(e.errno).toBe(errno);
    expect(e.file).toBe('saved_model.pb');
  });
  it('EACCES listing the directory → IO_ERROR', async () => {
    injectFault({ op: 'readdir', errno: 'EACCES' });
    const e = await failure(() => readSavedModelDir(join(FIXTURES, 'half_plus_two_tf2')));
    expect(e.code).toBe('IO_ERROR');
    expect(e.errno).toBe('EACCES');
  });
});
