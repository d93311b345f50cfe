// Plain Node ESM consumer: export to a zip Blob, to a directory and to a .zip path, load each back.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportModel, loadSavedModel, saveToZipBlob } from 'savedmodel-js';

const input = tf.input({ shape: [3], name: 'x' });
const head = tf.layers.dense({ units: 2, name: 'y', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) });
const model = tf.model({ inputs: input, outputs: head.apply(input) });
const x = tf.tensor2d([[1, 2, 3], [-0.5, 0.25, 4]]);
const want = model.predict(x).dataSync();
const diff = (m) => {
  const got = m.predict(x).dataSync();
  return Math.max(...want.map((w, i) => Math.abs(w - got[i])));
};

const tmp = mkdtempSync(join(tmpdir(), 'smjs-consumer-'));
const result = {};
try {
  const logs = [];
  const log = console.log;
  console.log = (...a) => logs.push(a.join(' '));
  const blob = await saveToZipBlob((sink) => exportModel(model, sink));
  await exportModel(model, join(tmp, 'dir'));
  console.log = log;
  result.exportLogLines = logs.length;
  result.blob = diff(await loadSavedModel(blob));
  writeFileSync(join(tmp, 'model.zip'), new Uint8Array(await blob.arrayBuffer()));
  result.zipPath = diff(await loadSavedModel(join(tmp, 'model.zip')));
  result.dir = diff(await loadSavedModel(join(tmp, 'dir')));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
