// ad-hoc fuzz (not committed): mutated real files through the public loaders; report non-SavedModelError throws.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { convertSavedModelToTfjs, saveToZipBlob, loadSavedModel, loadKerasModel, loadKerasH5, loadKerasV3, fileMapSource, isSavedModelError, convertTfjsModel, fileMapSink } from './dist/index.js';
console.warn = () => {}; console.log = console.log;
let seed = Number(process.env.SEED ?? 1);
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x80000000; };
const ri = (n) => Math.floor(rnd() * n);
function readDir(d) { const m = {}; const walk = (p) => { for (const f of readdirSync(p)) { const q = join(p, f); if (statSync(q).isDirectory()) walk(q); else m[relative(d, q)] = new Uint8Array(readFileSync(q)); } }; walk(d); return m; }
function mutate(b) {
  const c = new Uint8Array(b); const k = ri(6);
  if (b.length === 0) return c;
  if (k === 0) { for (let i = 0; i < 1 + ri(4); i++) c[ri(c.length)] ^= 1 << ri(8); return c; }
  if (k === 1) return c.subarray(0, ri(c.length));
  if (k === 2) { for (let i = 0; i < 1 + ri(4); i++) c[ri(c.length)] = [0, 0xff, 0x7f, 0x80][ri(4)]; return c; }
  if (k === 3) { const o = ri(c.length); const n = Math.min(c.length - o, 1 + ri(16)); for (let i = 0; i < n; i++) c[o + i] = ri(256); return c; }
  if (k === 4) { const o = ri(c.length); const n = 1 + ri(64); const out = new Uint8Array(c.length + n); out.set(c.subarray(0, o)); out.set(c.subarray(o, o + n), o); out.set(c.subarray(o), o + Math.min(n, c.length - o)); return out; }
  const o = ri(c.length); c.fill(0xff, o, Math.min(c.length, o + 1 + ri(8))); return c;
}
const bad = new Map();
async function check(label, fn) {
  try { await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('TIMEOUT 20s')), 20000))]); }
  catch (e) {
    if (isSavedModelError(e)) return;
    const key = `${label}: ${e?.name}: ${String(e?.message).slice(0, 140)}`;
    if (!bad.has(key)) { bad.set(key, (e?.stack ?? '').split('\n').slice(0, 6).join('\n')); process.stdout.write(`\nBAD ${key}\n${bad.get(key)}\n`); }
  }
}
const target = process.argv[2]; const N = Number(process.argv[3] ?? 100);
await tf.setBackend('cpu');
const shared = '/work/shared/fixtures';
if (target === 'sm') {
  const dirs = [...readdirSync(shared + '/tf').filter((d) => !d.includes('.') && d !== 'README').map((d) => shared + '/tf/' + d), ...['tf_half_plus_two', 'tf_x_plus_y_v2_debuginfo', 'tf_StaticHashTableModule', 'tf_AssetModule', 'keras3_power_consumption', 'tf_chunked_model'].map((d) => shared + '/tf-more/' + d)];
  for (const d of dirs) {
    const files = readDir(d); const names = Object.keys(files);
    for (let i = 0; i < N; i++) {
      const f = names[ri(names.length)]; const m = { ...files, [f]: mutate(files[f]) };
      await check(`sm ${d.split('/').pop()} ${f}`, async () => {
        const model = await loadSavedModel(fileMapSource(m));
        const feeds = {};
        for (const inp of model.inputs) { const shape = (inp.shape ?? []).map((s) => (s < 0 ? 2 : s)); feeds[inp.name] = inp.dtype === 'string' ? tf.tensor(['a'], shape.length ? shape : []) : tf.zeros(shape, inp.dtype ?? 'float32'); }
        try { const out = await model.predictAsync(model.inputs.length === 1 ? Object.values(feeds)[0] : feeds); tf.dispose(out); } finally { model.dispose(); }
      });
    }
    process.stdout.write('.');
  }
} else if (target === 'keras') {
  const files = readDir(shared + '/tf/keras_cnn'); const names = Object.keys(files);
  for (let i = 0; i < N; i++) { const f = names[ri(names.length)]; const m = { ...files, [f]: mutate(files[f]) }; await check(`keras_cnn ${f}`, async () => { const mdl = await loadKerasModel(fileMapSource(m)); mdl.dispose?.(); }); }
  const k2 = '/work/main/packages/keras/test/fixtures/keras2/';
  for (const f of readdirSync(k2).filter((x) => x.endsWith('.h5'))) { const b = new Uint8Array(readFileSync(k2 + f)); for (let i = 0; i < N; i++) await check(`h5 ${f}`, async () => { await loadKerasH5(mutate(b)); }); process.stdout.write('.'); }
  const k3 = new Uint8Array(readFileSync('/work/main/packages/keras/test/fixtures/keras3/flownet_final_model.keras'));
  for (let i = 0; i < N; i++) await check('keras3', async () => { await loadKerasV3(mutate(k3)); });
}
if (target === 'convert') {
  const m = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3 }), tf.layers.batchNormalization(), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] });
  let art; await m.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const json = { modelTopology: art.modelTopology, format: 'layers-model', generatedBy: 'x', convertedBy: null, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: art.weightSpecs }] };
  const weights = new Uint8Array(art.weightData);
  const HOSTILE = [-1, 0, 1e12, 2 ** 53, NaN, '', 'float16', 'int64', 'string', null, [], {}, [1e9, 1e9], ['a'], true, '../x.bin', { dtype: 'uint8', scale: 1e30, min: -1 }];
  const paths = []; const walk = (o, p) => { if (o && typeof o === 'object') for (const k of Object.keys(o)) { paths.push([...p, k]); walk(o[k], [...p, k]); } }; walk(json, []);
  for (let i = 0; i < N; i++) {
    const j = structuredClone(json); let w = weights;
    const nm = 1 + ri(3);
    for (let t = 0; t < nm; t++) { const p = paths[ri(paths.length)]; let o = j; for (const k of p.slice(0, -1)) { o = o?.[k]; } if (o && typeof o === 'object') { if (ri(5) === 0) delete o[p[p.length - 1]]; else o[p[p.length - 1]] = structuredClone(HOSTILE[ri(HOSTILE.length)]); } }
    if (ri(4) === 0) w = mutate(weights);
    const src = new Map([['model.json', new TextEncoder().encode(JSON.stringify(j))], ['group1-shard1of1.bin', w]]);
    await check('convert', async () => { await convertTfjsModel(src, fileMapSink({})); });
  }
}
const smDirs = () => [...readdirSync(shared + '/tf').filter((d) => !d.includes('.') && d !== 'README').map((d) => shared + '/tf/' + d), ...['tf_half_plus_two', 'tf_x_plus_y_v2_debuginfo', 'tf_StaticHashTableModule', 'tf_AssetModule', 'keras3_power_consumption'].map((d) => shared + '/tf-more/' + d)];
if (target === 'tojs') {
  for (const d of smDirs()) {
    const files = readDir(d); const names = Object.keys(files);
    await check(`tojs-clean ${d}`, async () => { await convertSavedModelToTfjs(fileMapSource(files), fileMapSink({})); });
    for (let i = 0; i < N; i++) { const f = names[ri(names.length)]; const m = { ...files, [f]: mutate(files[f]) }; await check(`tojs ${d.split('/').pop()} ${f}`, async () => { await convertSavedModelToTfjs(fileMapSource(m), fileMapSink({})); }); }
    process.stdout.write('.');
  }
}
if (target === 'zip') {
  for (const d of smDirs()) {
    const files = readDir(d);
    const blob = await saveToZipBlob(async (sink) => { for (const [k, v] of Object.entries(files)) await sink.write(k, v); });
    const zb = new Uint8Array(await blob.arrayBuffer());
    for (let i = 0; i < N; i++) await check(`zip ${d.split('/').pop()}`, async () => { const m = await loadSavedModel(new Blob([mutate(zb)])); m.dispose(); });
    process.stdout.write('.');
  }
}
if (target === 'run') {
  const vals = [1, -1, NaN, 'a', null, undefined, [], [[]], [1, [2]], [[1, 2], [3]], { a: 1 }, true, 2n ** 70n, 1e300, new Float32Array(3), new Uint8Array(1e6), [1e9], Array(5).fill('x'), new Array(1e5).fill(0)];
  for (const d of smDirs()) {
    let model; try { model = await loadSavedModel(fileMapSource(readDir(d))); } catch (e) { console.log('load fail', d, e.message); continue; }
    for (let i = 0; i < N; i++) { const inp = {}; for (const t of model.inputs) inp[t.name] = vals[ri(vals.length)]; if (ri(5) === 0) inp['zz' + ri(3)] = 1; await check(`run ${d.split('/').pop()}`, async () => { await model.run(inp); }); }
    model.dispose(); process.stdout.write('.');
  }
}
console.log(`\ndone ${target}: ${bad.size} distinct bad`);
process.exit(0);
