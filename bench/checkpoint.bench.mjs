// Checkpoint writing speed against tfjs's own save, on the same ~100 MB float32 model.
//
//   node bench/checkpoint.bench.mjs [--runs N]
//
// (a) tfjs: model.save(tf.io.withSaveHandler(...)) — weights gathered and concatenated
//     into one buffer plus the topology JSON; no checksums.
// (b) ours: writeCheckpoint() of the same weights (bytes from model.getWeights() dataSync,
//     keys layer_with_weights-N/{kernel,bias}/.ATTRIBUTES/VARIABLE_VALUE): crc32c of every
//     tensor, index table, and one data buffer. Also shown: the streaming BundleWriter
//     (records handed out as views, no data copy), and (b) including the dataSync extraction.
// Imports the TypeScript sources directly (tsx), so no build is needed.
import { tsImport } from 'tsx/esm/api';
import * as tf from '@tensorflow/tfjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;

const ckpt = await tsImport('../packages/core/src/checkpoint/index.ts', import.meta.url);
const crc = await tsImport('../packages/core/src/crc32c/crc32c.ts', import.meta.url);

await tf.setBackend('cpu');
await tf.ready();

// ~100 MB of float32: 2048 → 4096 → 4096 → 10 Dense layers (25.2 M parameters).
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [2048], units: 4096, activation: 'relu' }),
    tf.layers.dense({ units: 4096, activation: 'relu' }),
    tf.layers.dense({ units: 10 }),
  ],
});
const params = model.countParams();

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function tfjsSave() {
  let bytes = 0;
  const t0 = performance.now();
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const wd = artifacts.weightData;
      bytes = Array.isArray(wd) ? wd.reduce((a, b) => a + b.byteLength, 0) : wd.byteLength;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { ms: performance.now() - t0, bytes };
}

/** Model weights as checkpoint tensors (kernel then bias per layer, tfjs order). */
function extractTensors() {
  const tensors = [];
  model.layers
    .filter((l) => l.getWeights().length > 0)
    .forEach((layer, n) => {
      for (const w of layer.getWeights()) {
        const name = w.name.includes('kernel') ? 'kernel' : 'bias';
        const values = w.dataSync(); // Float32Array of the backend's values
        tensors.push({
          key: `layer_with_weights-${n}/${name}/.ATTRIBUTES/VARIABLE_VALUE`,
          dtype: ckpt.DataType.DT_FLOAT,
          shape: w.shape,
          data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
        });
      }
    });
  return tensors;
}

function oursWrite(tensors) {
  const t0 = performance.now();
  const out = ckpt.writeCheckpoint(tensors);
  return { ms: performance.now() - t0, bytes: out.data[0].length + out.index.length };
}

function oursStream(tensors) {
  const t0 = performance.now();
  const w = new ckpt.BundleWriter();
  let bytes = 0;
  for (const t of tensors) for (const c of w.add(t).chunks) bytes += c.length;
  bytes += w.finish().length;
  return { ms: performance.now() - t0, bytes };
}

function oursWithExtraction() {
  const t0 = performance.now();
  const out = ckpt.writeCheckpoint(extractTensors());
  return { ms: performance.now() - t0, bytes: out.data[0].length + out.index.length };
}

// Warm up every path once (JIT, WebAssembly compile), then alternate the measured runs.
const tensors = extractTensors();
await tfjsSave();
oursWrite(tensors);
oursStream(tensors);
oursWithExtraction();

const r = { tfjs: [], ours: [], stream: [], extract: [] };
let tfjsBytes = 0;
let oursBytes = 0;
for (let i = 0; i < RUNS; i++) {
  const a = await tfjsSave();
  tfjsBytes = a.bytes;
  r.tfjs.push(a.ms);
  const b = oursWrite(tensors);
  oursBytes = b.bytes;
  r.ours.push(b.ms);
  r.stream.push(oursStream(tensors).ms);
  r.extract.push(oursWithExtraction().ms);
}

// The part of our time no copy can avoid: crc32c over every byte.
const big = tensors.map((t) => t.data);
const c0 = performance.now();
for (const d of big) crc.crc32c(d);
const crcMs = performance.now() - c0;

const mb = (n) => (n / 1e6).toFixed(1);
const tf_ = median(r.tfjs);
const ours = median(r.ours);
console.log(`model: ${params.toLocaleString('en-US')} float32 parameters (${mb(params * 4)} MB), ${tensors.length} tensors; node ${process.version}; tfjs ${tf.version.tfjs} (${tf.getBackend()} backend); crc32c: ${crc.crcImplementation()}`);
console.log(`median of ${RUNS} runs:`);
console.log(`  (a) tfjs model.save(withSaveHandler)       ${tf_.toFixed(1).padStart(8)} ms   (${mb(tfjsBytes)} MB of weights)`);
console.log(`  (b) writeCheckpoint (index + one data buf)  ${ours.toFixed(1).padStart(8)} ms   (${mb(oursBytes)} MB)   ratio b/a = ${(ours / tf_).toFixed(2)}`);
console.log(`      BundleWriter streaming (no data copy)   ${median(r.stream).toFixed(1).padStart(8)} ms   ratio ${(median(r.stream) / tf_).toFixed(2)}`);
console.log(`      writeCheckpoint incl. dataSync extract  ${median(r.extract).toFixed(1).padStart(8)} ms   ratio ${(median(r.extract) / tf_).toFixed(2)}`);
console.log(`      of which crc32c of all weights          ${crcMs.toFixed(1).padStart(8)} ms`);
// writeSavedModel streams records to its sink (the BundleWriter path): that is the SDK's export cost.
const sdk = median(r.stream) / tf_;
console.log(`goal ≤ 1.5× tfjs's save: export path (streaming) ${sdk.toFixed(2)}× ${sdk <= 1.5 ? 'met' : 'NOT met'}; ` +
  `contiguous writeCheckpoint ${(ours / tf_).toFixed(2)}× ${ours / tf_ <= 1.5 ? 'met' : 'NOT met'}`);
