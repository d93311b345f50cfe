// Browser targets against in-memory fakes of the DOM APIs they use (the real thing is tested in
// Chromium later): downloads:// (Blob + <a download>), OPFS (createWritable, swap-on-close),
// and a File System Access directory handle (a real SavedModel folder).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isSavedModelError, readSavedModel, verifySavedModel, writeSavedModel, fileMapSource } from '@savedmodel-js/core';
import { directoryHandleSink, downloadFileName, downloadsTarget, opfsPathSegments, opfsSink, zipSource } from '@savedmodel-js/zip';
import { fixtureFiles } from '../../core/test/shared.js';
import { text } from './helpers.js';


async function fixtureContent() {
  const a = await readSavedModel(fileMapSource(fixtureFiles('half_plus_two_tf2')));
  return {
    savedModel: a.savedModel,
    checkpoint: a.checkpoint!.entries.slice().sort((x, y) => x.offset - y.offset)
      .map((e) => ({ key: e.key, dtype: e.dtype, shape: e.shape, data: e.dtype === 7 ? a.checkpoint!.stringBytes(e) : a.checkpoint!.bytes(e) })),
    assets: new Map([['foo.txt', text('asset')]]),
  };
}

// --- A minimal in-memory File System Access API -------------------------------------------------
class FakeFile {
  readonly kind = 'file';
  data = new Uint8Array(0);
  writables = 0;
  constructor(readonly name: string) {}
  async createWritable(): Promise<WritableStream<Uint8Array> & { write(c: Uint8Array): Promise<void> }> {
    const swap: Uint8Array[] = [];
    this.writables++;
    const ws = new WritableStream<Uint8Array>({
      write: (c) => { swap.push(c.slice()); },
      close: () => { this.data = new Uint8Array(Buffer.concat(swap)); },
      abort: () => { swap.length = 0; },
    });
    return Object.assign(ws, {
      write: async (c: Uint8Array) => { const w = ws.getWriter(); try { await w.write(c); } finally { w.releaseLock(); } },
    });
  }
}

class FakeDir {
  readonly kind = 'directory';
  readonly children = new Map<string, FakeDir | FakeFile>();
  constructor(readonly name: string) {}
  async getDirectoryHandle(name: string, opts: { create?: boolean } = {}): Promise<FakeDir> {
    const c = this.children.get(name);
    if (c instanceof FakeDir) return c;
    if (c || !opts.create) throw new DOMException(`${name} not found`, c ? 'TypeMismatchError' : 'NotFoundError');
    const d = new FakeDir(name);
    this.children.set(name, d);
    return d;
  }
  async getFileHandle(name: string, opts: { create?: boolean } = {}): Promise<FakeFile> {
    const c = this.children.get(name);
    if (c instanceof FakeFile) return c;
    if (c || !opts.create) throw new DOMException(`${name} not found`, c ? 'TypeMismatchError' : 'NotFoundError');
    const f = new FakeFile(name);
    this.children.set(name, f);
    return f;
  }
  async removeEntry(name: string): Promise<void> {
    if (!this.children.delete(name)) throw new DOMException(`${name} not found`, 'NotFoundError');
  }
  async *keys(): AsyncIterableIterator<string> { yield* this.children.keys(); }
  /** path → bytes of every file below. */
  files(prefix = ''): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const [k, v] of this.children) {
      if (v instanceof FakeFile) out.set(prefix + k, v.data);
      else for (const [p, d] of v.files(`${prefix}${k}/`)) out.set(p, d);
    }
    return out;
  }
}
const asHandle = (d: FakeDir) => d as unknown as FileSystemDirectoryHandle;

afterEach(() => { vi.unstubAllGlobals(); });

describe('downloads:// target', () => {
  it('names', () => {
    expect(downloadFileName('downloads://my_model')).toBe('my_model.zip');
    expect(downloadFileName('model.ZIP')).toBe('model.ZIP');
    expect(() => downloadFileName('downloads://a/b')).toThrow(/plain file name/);
  });

  it('is UNSUPPORTED outside a browser', () => {
    expect(() => downloadsTarget('m')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('commit builds the Blob and clicks an <a download> with it', async () => {
    const clicks: { href: string; download: string }[] = [];
    const appended: unknown[] = [];
    const anchor = {
      href: '', download: '', style: {} as Record<string, string>,
      click() { clicks.push({ href: this.href, download: this.download }); },
      remove() { appended.pop(); },
    };
    vi.stubGlobal('document', { createElement: (tag: string) => { expect(tag).toBe('a'); return anchor; }, body: { appendChild: (x: unknown) => appended.push(x) } });
    const revoked: string[] = [];
    const realRevoke = URL.revokeObjectURL;
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation((u) => { revoked.push(u); realRevoke(u); });
    const sink = downloadsTarget('downloads://half_plus_two', { rootFolder: 'half_plus_two/1', revokeAfterMs: 0 });
    await writeSavedModel(sink, await fixtureContent());
    expect(clicks).toHaveLength(1);
    expect(clicks[0]!.download).toBe('half_plus_two.zip');
    expect(clicks[0]!.href).toMatch(/^blob:/);
    expect(appended).toHaveLength(0);
    const src = await zipSource(sink.blob());
    expect(src.root).toBe('half_plus_two/1');
    expect((await verifySavedModel(src)).errors).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(revoked).toEqual([clicks[0]!.href]);
  });
});

describe('opfs:// sink', () => {
  it('paths', () => {
    expect(opfsPathSegments('opfs://models/m.zip')).toEqual(['models', 'm.zip']);
    expect(() => opfsPathSegments('opfs://../m.zip')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('is UNSUPPORTED without navigator.storage', async () => {
    vi.stubGlobal('navigator', {});
    await expect(opfsSink('m.zip')).rejects.toSatisfy((e) => isSavedModelError(e, 'UNSUPPORTED'));
  });

  it('streams the zip through createWritable; the file appears on commit', async () => {
    const root = new FakeDir('');
    vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
    const sink = await opfsSink('opfs://models/hp2.zip', { compression: 'deflate' });
    await sink.write('saved_model.pb', text('x'));
    expect(root.files().get('models/hp2.zip')!.length).toBe(0); // nothing visible before commit
    await sink.abort();
    expect(root.files().has('models/hp2.zip')).toBe(false); // created by us → removed

    const sink2 = await opfsSink('opfs://models/hp2.zip');
    await writeSavedModel(sink2, await fixtureContent());
    const zip = root.files().get('models/hp2.zip')!;
    expect(zip.length).toBe(sink2.bytesWritten);
    expect((await verifySavedModel(await zipSource(zip))).errors).toBe(0);

    // A failed re-export keeps the previous file (swap semantics), not a half-written one.
    const sink3 = await opfsSink('models/hp2.zip', { root: asHandle(root) });
    await sink3.write('saved_model.pb', text('partial'));
    await sink3.abort();
    expect(root.files().get('models/hp2.zip')).toEqual(zip);
  });
});

describe('directory handle sink', () => {
  it('writes a real SavedModel folder', async () => {
    const root = new FakeDir('picked');
    const sink = await directoryHandleSink(asHandle(root), { rootFolder: 'hp2/1' });
    await writeSavedModel(sink, await fixtureContent());
    const files = root.files();
    expect([...files.keys()].sort()).toEqual([
      'hp2/1/assets/foo.txt', 'hp2/1/saved_model.pb', 'hp2/1/variables/variables.data-00000-of-00001', 'hp2/1/variables/variables.index',
    ]);
    const map = new Map([...files].map(([k, v]) => [k.slice('hp2/1/'.length), v]));
    expect((await verifySavedModel(fileMapSource(map))).errors).toBe(0);
    // Not empty now: a second export needs overwrite.
    await expect(directoryHandleSink(asHandle(root), { rootFolder: 'hp2/1' })).rejects.toSatisfy((e) => isSavedModelError(e, 'ALREADY_EXISTS'));
    await directoryHandleSink(asHandle(root), { rootFolder: 'hp2/1', overwrite: true });
  });

  it('abort removes what it created', async () => {
    const root = new FakeDir('picked');
    await root.getFileHandle('keep.txt', { create: true });
    const sink = await directoryHandleSink(asHandle(root), { rootFolder: 'm', overwrite: true });
    await sink.write('variables/variables.index', text('i'));
    await sink.write('saved_model.pb', text('p'));
    await sink.abort();
    expect([...root.children.keys()]).toEqual(['keep.txt']);
    await expect(sink.write('x', text('x'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
  });

  it('a failing export is aborted by writeSavedModel: nothing left', async () => {
    const root = new FakeDir('picked');
    const sink = await directoryHandleSink(asHandle(root));
    const content = await fixtureContent();
    // The checkpoint files are written, then an unsafe asset name fails the export.
    const written: string[] = [];
    const spy = { ...sink, write: async (p: string, d: Uint8Array | Iterable<Uint8Array>) => { written.push(p); await sink.write(p, d); } };
    const bad = { ...content, assets: new Map([['../evil.txt', text('x')]]) };
    await expect(writeSavedModel(spy, bad)).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    expect(written).toEqual(['variables/variables.data-00000-of-00001', 'variables/variables.index']);
    expect(root.children.size).toBe(0);
  });
});
