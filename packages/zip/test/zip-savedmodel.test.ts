// SavedModels through the zip packager: written with core's writeSavedModel into zipSink, read
// back through zipSource (readSavedModel + verifySavedModel), files byte-identical to a directory
// export of the same content; Blob, file and stream targets; extraction; root detection.
import { spawnSync } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fileMapSource, isSavedModelError, readSavedModel, tensorflow, verifySavedModel, writeSavedModel, type SavedModelContent,
} from '@savedmodel-js/core';
import { readSavedModelDir, writeSavedModelDir } from '@savedmodel-js/core/node';
import { findSavedModelRoot, saveToZipBlob, zipSink, zipSource, type ZipProgress } from '@savedmodel-js/zip';
import { extractZip, nodeStreamTarget, writeSavedModelZip, zipFileSink, zipFileSource } from '@savedmodel-js/zip/node';
import { FIXTURE_NAMES, FIXTURES } from '../../core/test/shared.js';
import { collector, jszipRead, pythonTest, same, tempDir, text, UNZIP, unzipTest, walk } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A fixture's content as writeSavedModel takes it (tensors in data-file order). */
async function fixtureContent(name: string): Promise<SavedModelContent> {
  const a = await readSavedModelDir(join(FIXTURES, name));
  const ckpt = a.checkpoint;
  const content: SavedModelContent = { savedModel: a.savedModel };
  if (ckpt) {
    content.checkpoint = ckpt.entries.slice().sort((x, y) => x.offset - y.offset).map((e) => ({
      key: e.key, dtype: e.dtype, shape: e.shape,
      data: e.dtype === tensorflow.DataType.DT_STRING ? ckpt.stringBytes(e) : ckpt.bytes(e),
    }));
  }
  if (a.assets.length > 0) {
    content.assets = new Map(a.assets.map((p) => [p.slice('assets/'.length), new Uint8Array(readFileSync(join(FIXTURES, name, p)))]));
  }
  if (a.fingerprint) content.fingerprint = a.fingerprint;
  if (a.kerasMetadata) content.kerasMetadata = a.kerasMetadata;
  return content;
}

describe('SavedModel → zipSink → zipSource', () => {
  it.each(FIXTURE_NAMES)('%s: reads back, verifies, and matches a directory export byte for byte', async (name) => {
    const content = await fixtureContent(name);
    const dir = join(tmp.dir, `dir-${name}`);
    await writeSavedModelDir(dir, content);
    const dirFiles = walk(dir).filter((p) => !p.endsWith('/'));

    for (const [compression, rootFolder] of [['store', undefined], ['deflate', `${name}/1`]] as const) {
      const out = collector();
      const progress: ZipProgress[] = [];
      await writeSavedModel(zipSink(out.sink, { compression, rootFolder, onProgress: (p) => progress.push(p) }), content);
      const bytes = out.bytes();

      const src = await zipSource(bytes);
      expect(src.root).toBe(rootFolder ?? '');
      expect(await src.list()).toEqual(dirFiles);
      for (const f of dirFiles) {
        expect(same(await src.read(f), readFileSync(join(dir, f))), `${compression}: ${f}`).toBe(true);
      }
      const loaded = await readSavedModel(src, { verifyChecksums: true });
      expect(loaded.format).toBe('pb');
      const report = await verifySavedModel(src);
      expect(report.errors, JSON.stringify(report.findings)).toBe(0);

      // Independent readers agree.
      const path = join(tmp.dir, `${name}-${compression}.zip`);
      writeFileSync(path, bytes);
      unzipTest(path);
      const py = pythonTest(path);
      expect(py.map((e) => e.name).sort()).toEqual(dirFiles.map((f) => (rootFolder ? `${rootFolder}/${f}` : f)).sort());
      const js = await jszipRead(bytes);
      for (const f of dirFiles) expect(same(js.get(rootFolder ? `${rootFolder}/${f}` : f), readFileSync(join(dir, f))), f).toBe(true);

      // Progress: monotonic, ends with every file and byte.
      const last = progress.at(-1)!;
      expect(last.filesWritten).toBe(dirFiles.length);
      expect(last.bytesWritten).toBe(dirFiles.reduce((n, f) => n + readFileSync(join(dir, f)).length, 0));
      expect(last.archiveBytes).toBeLessThanOrEqual(bytes.length);
      for (let i = 1; i < progress.length; i++) {
        expect(progress[i]!.bytesWritten).toBeGreaterThanOrEqual(progress[i - 1]!.bytesWritten);
        expect(progress[i]!.archiveBytes).toBeGreaterThanOrEqual(progress[i - 1]!.archiveBytes);
      }
    }
  });

  it('Info-ZIP unzip extracts the TF Serving layout that TF-compatible tools then read', async () => {
    const content = await fixtureContent('half_plus_two_tf2');
    const path = join(tmp.dir, 'serving.zip');
    await writeSavedModelZip(path, content, { rootFolder: 'half_plus_two/1' });
    const out = join(tmp.dir, 'unzipped');
    const r = spawnSync(UNZIP, ['-q', path, '-d', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(walk(out)).toContain('half_plus_two/1/saved_model.pb');
    const report = await verifySavedModel((await import('@savedmodel-js/core/node')).dirSource(join(out, 'half_plus_two/1')));
    expect(report.errors).toBe(0);
  });
});

describe('zip targets', () => {
  it('saveToZipBlob: a Blob of parts, readable by zipSource (Blob input)', async () => {
    const content = await fixtureContent('keras_cnn');
    const blob = await saveToZipBlob(content, { rootFolder: 'keras_cnn/7' });
    expect(blob.type).toBe('application/zip');
    const src = await zipSource(blob);
    expect(src.root).toBe('keras_cnn/7');
    expect((await verifySavedModel(src)).errors).toBe(0);
    // The function form: any export API that writes to a FileSink.
    const blob2 = await saveToZipBlob((sink) => writeSavedModel(sink, content));
    expect((await zipSource(blob2)).root).toBe('');
    expect(blob2.size).toBeLessThan(blob.size); // no root folder prefix
  });

  it('zipFileSink: temp file + rename; a failed export leaves nothing behind', async () => {
    const content = await fixtureContent('half_plus_two_v1');
    const folder = join(tmp.dir, 'files');
    const path = join(folder, 'model.zip');
    await writeSavedModelZip(path, content);
    expect(readdirSync(folder)).toEqual(['model.zip']);
    const src = await zipFileSource(path);
    expect((await verifySavedModel(src)).errors).toBe(0);

    // Exists → ALREADY_EXISTS unless overwrite.
    await expect(zipFileSink(path)).rejects.toSatisfy((e) => isSavedModelError(e, 'ALREADY_EXISTS'));
    await writeSavedModelZip(path, content, { overwrite: true, compression: 'deflate' });
    expect(readdirSync(folder)).toEqual(['model.zip']);

    // Failing mid-export (checkpoint already in the archive, then an unsafe asset name): no zip,
    // no temp file. And failing before anything is written.
    const failed = join(folder, 'failed.zip');
    const sink = await zipFileSink(failed);
    await expect(writeSavedModel(sink, { ...content, assets: new Map([['../evil.txt', text('x')]]) }))
      .rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    expect(sink.bytesWritten).toBeGreaterThan(0);
    expect(readdirSync(folder)).toEqual(['model.zip']);
    const bad: SavedModelContent = {
      ...content,
      checkpoint: [...(content.checkpoint ?? []), { key: 'zz_bad', dtype: 1, shape: [1000], data: new Float32Array(3) }],
    };
    await expect(writeSavedModelZip(failed, bad)).rejects.toSatisfy((e) => isSavedModelError(e));
    expect(readdirSync(folder)).toEqual(['model.zip']);
  });

  it('zipSink.abort(): the output is unusable and the target is told to discard', async () => {
    const out = collector();
    let aborted = false;
    const sink = zipSink({ write: out.sink, abort: () => { aborted = true; } });
    await sink.write('saved_model.pb', text('not really'));
    await sink.abort();
    expect(aborted).toBe(true);
    await expect(zipSource(out.bytes())).rejects.toSatisfy((e) => isSavedModelError(e, 'CORRUPT'));
    await expect(sink.write('x', text('x'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    await expect(sink.commit()).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
  });

  it('zipSink queues writes that are not awaited', async () => {
    const out = collector();
    const sink = zipSink(out.sink);
    const writes = [sink.write('a.txt', text('a')), sink.write('b/c.txt', [text('b'), text('c')]), sink.commit()];
    await Promise.all(writes);
    const src = await zipSource(out.bytes());
    expect(await src.list()).toEqual(['a.txt', 'b/c.txt']);
    expect(new TextDecoder().decode(await src.read('b/c.txt'))).toBe('bc');
    expect(sink.summary?.entries).toBe(2);
  });

  it('zipSink rejects unsafe paths and root folders', async () => {
    const sink = zipSink(() => {});
    await expect(sink.write('../x', text('x'))).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    expect(() => zipSink(() => {}, { rootFolder: '../up' })).toThrow(/rootFolder/);
    expect(() => zipSink(() => {}, { rootFolder: '/abs' })).toThrow(/rootFolder/);
    expect(() => zipSink(() => {}, { rootFolder: 'a\\b' })).toThrow(/rootFolder/);
  });

  it('nodeStreamTarget: a Node Writable with backpressure', async () => {
    const content = await fixtureContent('times_three_float');
    const path = join(tmp.dir, 'stream.zip');
    const ws = createWriteStream(path, { highWaterMark: 1024 });
    await writeSavedModel(zipSink(nodeStreamTarget(ws), { compression: 'deflate' }), content);
    unzipTest(path);
    expect((await verifySavedModel(await zipFileSource(path))).errors).toBe(0);
  });
});

describe('extractZip', () => {
  it('extracts through a temp dir; the SavedModel root is reported', async () => {
    const content = await fixtureContent('half_plus_two_tf2');
    const path = join(tmp.dir, 'extract-me.zip');
    await writeSavedModelZip(path, content, { rootFolder: 'hp2/3', compression: 'deflate' });
    const dir = join(tmp.dir, 'extracted', 'hp2');
    const res = await extractZip(path, dir);
    expect(res.savedModelRoot).toBe('hp2/3');
    expect(res.files.length).toBe(5);
    expect(readdirSync(join(tmp.dir, 'extracted'))).toEqual(['hp2']);
    const report = await verifySavedModel((await import('@savedmodel-js/core/node')).dirSource(join(dir, res.savedModelRoot)));
    expect(report.errors).toBe(0);
    await expect(extractZip(path, dir)).rejects.toSatisfy((e) => isSavedModelError(e, 'ALREADY_EXISTS'));
    const again = await extractZip(readFileSync(path), dir, { overwrite: true });
    expect(again.files).toEqual(res.files);
    expect(readdirSync(join(tmp.dir, 'extracted'))).toEqual(['hp2']);
  });
});

describe('SavedModel root detection', () => {
  const files = (...names: string[]) => new Map(names.map((n) => [n, text(n)]));
  async function zipOf(map: Map<string, Uint8Array>): Promise<Uint8Array> {
    const out = collector();
    const sink = zipSink(out.sink);
    for (const [k, v] of map) await sink.write(k, v);
    await sink.commit();
    return out.bytes();
  }

  it('root, one folder, a version folder, the highest version, ambiguity', async () => {
    expect(findSavedModelRoot(['saved_model.pb', 'x/saved_model.pb'])).toBe('');
    expect(findSavedModelRoot(['export/saved_model.pb', 'export/variables/variables.index'])).toBe('export');
    expect(findSavedModelRoot(['model/1/saved_model.pbtxt'])).toBe('model/1');
    expect(findSavedModelRoot(['m/2/saved_model.pb', 'm/10/saved_model.pb', 'm/9/saved_model.pb'])).toBe('m/10');
    expect(findSavedModelRoot(['__MACOSX/m/saved_model.pb', 'm/saved_model.pb'])).toBe('m');
    expect(findSavedModelRoot(['readme.txt'])).toBe('');
    expect(() => findSavedModelRoot(['a/saved_model.pb', 'b/saved_model.pb'])).toThrow(/several SavedModels/);

    const bytes = await zipOf(files('a/saved_model.pb', 'b/saved_model.pb', 'b/variables/x'));
    await expect(zipSource(bytes)).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    const b = await zipSource(bytes, { root: 'b' });
    expect(await b.list()).toEqual(['saved_model.pb', 'variables/x']);
    expect(await b.has('saved_model.pb')).toBe(true);
    expect(await b.has('../a/saved_model.pb')).toBe(false);
    await expect(b.read('../a/saved_model.pb')).rejects.toSatisfy((e) => isSavedModelError(e, 'INVALID_ARGUMENT'));
    await expect(b.read('nope')).rejects.toSatisfy((e) => isSavedModelError(e, 'NOT_FOUND'));
    expect(new TextDecoder().decode(await b.readEntry('a/saved_model.pb'))).toBe('a/saved_model.pb');
    await expect(zipSource(bytes, { root: 'c' })).rejects.toSatisfy((e) => isSavedModelError(e, 'NOT_FOUND'));
    // In-memory sources agree with the zip's view of the same files.
    expect(await fileMapSource(new Map([['saved_model.pb', text('x')]])).list()).toEqual(['saved_model.pb']);
  });
});
