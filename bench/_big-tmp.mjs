import * as tf from '@tensorflow/tfjs';
const ROOT='/work/wt-load-speed';
const { exportModel } = await import(ROOT+'/packages/export/dist/index.js');
const { fileMapSink } = await import(ROOT+'/packages/core/dist/index.js');
await tf.setBackend('cpu');
const layers = Number(process.argv[2] ?? 2000);
const x = tf.input({ shape: [8], name: 'x' });
let h = x;
for (let i = 0; i < layers; i++) h = tf.layers.dense({ units: 8, activation: 'relu' }).apply(h);
const model = tf.model({ inputs: x, outputs: h });
const input = tf.ones([1, 8]);
const rounds = Number(process.argv[3] ?? 3);
for (let r = 0; r < rounds; r++) {
  let t0 = performance.now(); const y = model.predict(input); await y.data(); y.dispose(); const p = performance.now() - t0;
  t0 = performance.now(); const files = new Map(); await exportModel(model, fileMapSink(files)); const e = performance.now() - t0;
  console.log(`round ${r}: predict ${p.toFixed(0)} ms export ${e.toFixed(0)} ms ratio ${(e/p).toFixed(2)} pb ${files.get('saved_model.pb').length}`);
}
