// Zip writing and extraction under injected fs faults: IO_ERROR with the errno, never a raw Node
// error, and nothing left behind (no archive, no directory, no temporary sibling). Also a
// corrupt archive's extraction leaves nothing.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { tensorflow, type SavedModelError } from '@savedmodel-js/core';
import { ZipWriter } from '@savedmodel-js/zip';
import { extractZip, writeSavedModelZip } from '@savedmodel-js/zip/node';
import { clearFaults, faultHits, injectFault } from '../../core/test/fs-faults.js';
import { collector, craftZip, tempDir, text } from './helpers.js';

vi.mock('node:fs/promises', async (orig) => (await import('../../core/test/fs-faults.js')).faultyFsPromises(await orig()));

const tmp = tempDir('zip-faults-');
afterAll(() => tmp.cleanup());
afterEach(() => clearFaults());

const ERRNOS = ['EACCES', 'EROFS', 'ENOSPC', 'EMFILE', 'EIO'];
const content = { savedModel: tensorflow.SavedModel.create({ saved_model_schema_version: 1, meta_graphs: [{ meta_info_def: { tags: ['serve'] } }] }) };

async function failure(fn: () => Promise<unknown>): Promise<SavedModelError> {
  try { await fn(); } catch (e) { return e as SavedModelError; }
  throw new Error('expected a failure');
}

async function sampleZip(): Promise<Uint8Array> {
  const c = collector();
  const w = new ZipWriter(c.sink, { compression: 'deflate' });
  await w.add('m/saved_model.pb', tensorflow.SavedModel.encode(content.savedModel).finish());
  await w.add('m/variables/variables.index', new Uint8Array(5000).fill(3));
  await w.finish();
  return c.bytes();
}

let n = 0;
describe('writeSavedModelZip under fs faults', () => {
  const SITES = ['mkdir', 'open', 'handle.write', 'link'];
  it.each(ERRNOS.flatMap((errno) => SITES.map((op) => ({ errno, op }))))('$errno at $op → IO_ERROR, nothing left', async ({ errno, op }) => {
    const parent = join(tmp.dir, `z${n++}`);
    const target = join(parent, 'model.zip');
    injectFault({ op, errno });
    const e = await failure(() => writeSavedModelZip(target, content));
    expect(faultHits()).toBe(1);
    expect(e.name).toBe('SavedModelError');
    expect(e.code).toBe('IO_ERROR');
    expect(e.errno).toBe(errno);
    expect(existsSync(parent) ? readdirSync(parent) : []).toEqual([]);
    await writeSavedModelZip(target, content);
    expect(readdirSync(parent)).toEqual(['model.zip']);
  });
});

describe('extractZip under fs faults', () => {
  const SITES = [{ op: 'mkdir', skip: 0 }, { op: 'mkdir', skip: 2 }, { op: 'open', skip: 0 }, { op: 'handle.write', skip: 1 }, { op: 'rename', skip: 0 }];
  it.each(ERRNOS.flatMap((errno) => SITES.map((s) => ({ errno, ...s }))))('$errno at $op #$skip → IO_ERROR, nothing left', async ({ errno, op, skip }) => {
    const zip = await sampleZip();
    const parent = join(tmp.dir, `x${n++}`);
    const target = join(parent, 'out');
    injectFault({ op, errno, skip });
    const e = await failure(() => extractZip(zip, target));
    expect(faultHits()).toBe(1);
    expect(e.code).toBe('IO_ERROR');
    expect(e.errno).toBe(errno);
    expect(existsSync(parent) ? readdirSync(parent) : []).toEqual([]);
  });

  it('a corrupt archive (second entry fails its CRC) leaves nothing behind', async () => {
    const bad = craftZip([
      { name: 'm/saved_model.pb', data: text('fine') },
      { name: 'm/variables/variables.index', data: text('payload'), crc: 0x12345678 },
    ]);
    const parent = join(tmp.dir, 'corrupt');
    mkdirSync(parent);
    writeFileSync(join(parent, 'keep.txt'), 'x');
    const e = await failure(() => extractZip(bad, join(parent, 'out')));
    expect(e.code).toBe('CHECKSUM_MISMATCH');
    expect(readdirSync(parent)).toEqual(['keep.txt']);
  });
});
