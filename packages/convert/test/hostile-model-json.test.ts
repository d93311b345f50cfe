// Bad model.json files and weight paths: typed errors naming the field or file, never a
// TypeError, never a read outside the model's folder, never a hang on a FIFO or a device.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { isSavedModelError, type SavedModelErrorCode } from '@savedmodel-js/core';
import { convertTfjsModel } from '../src/index.js';
import { f32, jconst, jnode, jt, tempDir, writeGraphModel } from './helpers.js';

const tmp = tempDir('convert-hostile-');
afterAll(() => tmp.cleanup());
let n = 0;

async function expectCode(code: SavedModelErrorCode, p: Promise<unknown>, text?: string): Promise<void> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!isSavedModelError(e)) throw new Error(`expected SavedModelError ${code}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  expect(e.code, e.message).toBe(code);
  if (text) expect(e.message).toContain(text);
  expect(e.message.length).toBeLessThan(1000);
}

function raw(json: unknown, files: Record<string, Uint8Array> = {}): string {
  const dir = join(tmp.dir, `m${n++}`);
  mkdirSync(dir, { recursive: true });
  for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
  writeFileSync(join(dir, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  return join(dir, 'model.json');
}

const topology = { node: [jnode('x', 'Placeholder', [], { dtype: jt.type('DT_FLOAT') }), jconst('w', 'DT_FLOAT', [2]), jnode('y', 'Mul', ['x', 'w'], { T: jt.type('DT_FLOAT') })] };
const weights = [{ name: 'w', shape: [2], dtype: 'float32' }];
const withPaths = (paths: string[]) => ({ format: 'graph-model', modelTopology: topology, weightsManifest: [{ paths, weights }] });
const out = () => join(tmp.dir, `out${n++}`);

describe('model.json schema', () => {
  it('a weight group without paths or weights is INVALID_ARGUMENT naming the field', async () => {
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ format: 'graph-model', modelTopology: topology, weightsManifest: [{ weights }] }), out()), 'weightsManifest[0].paths');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ format: 'graph-model', modelTopology: topology, weightsManifest: [{ paths: ['a.bin'] }] }), out()), 'weightsManifest[0].weights');
  });

  it('wrong JSON types, unknown dtypes, bad quantization, duplicate weights, not JSON at all', async () => {
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw('{"format": '), out()), 'not JSON');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw([1, 2]), out()), '(root)');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ modelTopology: 3 }), out()), 'modelTopology');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ format: 'saved-model', modelTopology: {} }), out()), 'format');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ ...withPaths(['a.bin']), weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'w', shape: [-2], dtype: 'float32' }] }] }), out()), 'shape[0]');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ ...withPaths(['a.bin']), weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float64' }] }] }), out()), 'dtype');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ ...withPaths(['a.bin']), weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'w', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8' } }] }] }), out()), 'scale');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ ...withPaths(['a.bin']), weightsManifest: [{ paths: ['a.bin'], weights: [weights[0], weights[0]] }] }), out()), 'twice');
    await expectCode('LIMIT_EXCEEDED', convertTfjsModel(raw({ ...withPaths(['a.bin']), weightsManifest: [{ paths: ['a.bin'], weights: [{ name: 'w', shape: [2 ** 20, 2 ** 20], dtype: 'float32' }] }] }), out()));
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw(withPaths(['a.bin']), { 'a.bin': f32([1, 2]) }), out(), { nope: 1 } as never), 'unknown convertTfjsModel option');
  });

  it('weight files whose size disagrees with the manifest', async () => {
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw(withPaths(['a.bin']), { 'a.bin': f32([1]) }), out()), 'needs 8 bytes');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw(withPaths(['a.bin']), { 'a.bin': f32([1, 2, 3]) }), out()), 'hold 12 bytes');
  });

  it('graph faults: unknown ops are UNSUPPORTED, a Const without weight or value is INVALID_ARGUMENT, a bad attr type is INVALID_ARGUMENT', async () => {
    const bad = { ...topology, node: [...topology.node, jnode('z', 'MyCustomOp', ['y'])] };
    await expectCode('UNSUPPORTED', convertTfjsModel(raw({ ...withPaths(['a.bin']), modelTopology: bad }, { 'a.bin': f32([1, 2]) }), out()), 'MyCustomOp');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ format: 'graph-model', modelTopology: topology, weightsManifest: [] }), out()), 'no weight');
    const badAttr = { node: [jnode('x', 'Placeholder', [], { dtype: { type: 'DT_NOPE' } })] };
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw({ format: 'graph-model', modelTopology: badAttr }), out()), 'DT_NOPE');
  });
});

describe('weight paths stay in the model folder', () => {
  it('../, absolute paths and URLs are refused before reading', async () => {
    writeFileSync(join(tmp.dir, 'outside.bin'), f32([1, 2]));
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw(withPaths(['../outside.bin'])), out()), "leaves the folder");
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw(withPaths([join(tmp.dir, 'outside.bin')])), out()), 'absolute');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw(withPaths(['sub/../../outside.bin'])), out()), 'leaves the folder');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(raw(withPaths(['file:///etc/passwd'])), out()), 'absolute');
  });

  it('a symbolic link out of the folder, a device and a FIFO are refused (no read, no hang)', async () => {
    const a = raw(withPaths(['link.bin']));
    symlinkSync(join(tmp.dir, 'outside.bin'), join(a, '..', 'link.bin'));
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(a, out()), 'symbolic link');
    const d = raw(withPaths(['zero.bin']));
    symlinkSync('/dev/zero', join(d, '..', 'zero.bin'));
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(d, out()));
    const f = raw(withPaths(['fifo.bin']));
    execFileSync('mkfifo', [join(f, '..', 'fifo.bin')]);
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(f, out()), 'not a regular file');
    const dir = raw(withPaths(['adir']));
    mkdirSync(join(dir, '..', 'adir'));
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(dir, out()), 'not a regular file');
    await expectCode('NOT_FOUND', convertTfjsModel(raw(withPaths(['missing.bin'])), out()), 'missing.bin');
  });

  it('an oversized weight file is LIMIT_EXCEEDED before it is read', async () => {
    const big = raw(withPaths(['a.bin']), { 'a.bin': f32([1, 2]) });
    await expectCode('LIMIT_EXCEEDED', convertTfjsModel(big, out(), { limits: { maxTotalBytes: 100 } }));
    expect(existsSync(big)).toBe(true);
  });

  it('a layers model whose input dtype is not a dtype name is a typed error (found by fuzzing)', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    let art: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    m.dispose();
    const weightData = new Uint8Array(art!.weightData as ArrayBuffer);
    const withDtype = (dtype: unknown) => {
      const topo = structuredClone(art!.modelTopology) as { config: { layers: { config: Record<string, unknown> }[] } };
      topo.config.layers[0]!.config['dtype'] = dtype;
      return raw({ format: 'layers-model', modelTopology: topo, weightsManifest: [{ paths: ['w.bin'], weights: art!.weightSpecs }] }, { 'w.bin': weightData });
    };
    // tfjs's loader accepts these; the SavedModel's input signature can't be built from them.
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(withDtype(5.5), out()), 'dtype');
    await expectCode('INVALID_ARGUMENT', convertTfjsModel(withDtype([]), out()), 'dtype');
    await expectCode('UNSUPPORTED', convertTfjsModel(withDtype('constructor'), out()), 'constructor');
  });

  it('a layers model whose config asks for far more weights than its manifest: LIMIT_EXCEEDED before tfjs allocates them', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, name: 'd' })] });
    let art: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    m.dispose();
    // Dense(20000) on a 20000-wide input: a 1.6 GB kernel from a 48-byte weights file
    const topo = JSON.parse(JSON.stringify(art!.modelTopology).replace(/"units":3/g, '"units":20000').replace(/\[null,4\]/g, '[null,20000]'));
    const rss0 = process.memoryUsage().rss;
    const file = raw({ format: 'layers-model', modelTopology: topo, weightsManifest: [{ paths: ['w.bin'], weights: art!.weightSpecs }] }, { 'w.bin': new Uint8Array(art!.weightData as ArrayBuffer) });
    await expectCode('LIMIT_EXCEEDED', convertTfjsModel(file, out()), 'layer d would make weight kernel of shape [20000, 20000]');
    expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * 2 ** 20);
  });

  it('an initializer config tfjs would draw from forever (found by fuzzing): the weights come from the manifest, nothing is drawn', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, name: 'd' })] });
    let art: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    m.dispose();
    // VarianceScaling drawing from a normal distribution whose scale is no number
    const topo = JSON.parse(JSON.stringify(art!.modelTopology).replace(/"scale":1,/, '"scale":{"class_name":"Nope","config":{}},').replace(/"distribution":"[a-z_]+"/, '"distribution":"normal"'));
    expect(JSON.stringify(topo)).toContain('Nope');
    const file = raw({ format: 'layers-model', modelTopology: topo, weightsManifest: [{ paths: ['w.bin'], weights: art!.weightSpecs }] }, { 'w.bin': new Uint8Array(art!.weightData as ArrayBuffer) });
    const r = await convertTfjsModel(file, out());
    expect(r.format).toBe('layers-model');
  }, 20_000);

  it('a valid model next to these converts', async () => {
    const ok = writeGraphModel(join(tmp.dir, 'ok'), topology.node, [{ files: [['a.bin', f32([2, 3])]], weights }]);
    const r = await convertTfjsModel(ok, out());
    expect(r.graph!.opHistogram).toEqual({ Const: 1, Mul: 1, Placeholder: 1 });
  });
});
