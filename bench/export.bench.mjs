#!/usr/bin/env node
// Export of a large MLP (our exportModel to a directory) vs tfjs's own model.save (model.json +
// weights.bin written with fs), same process, alternating, ratio per round; and the extra peak
// memory (JS heap + ArrayBuffers, sampled in rounds of their own) over the weight bytes.
//
//   node --expose-gc bench/export.bench.mjs [--quick] [--reps 5] [--backend cpu,wasm] [--mb 100,400]
//
// --quick: 25 MB and 100 MB models. Uses the built packages (dist/).
import { mkdtemp, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { QUICK, compare, dist, fmtRatio, loadWasmBackend, MiB, opt } from './lib.mjs';

const WIDTH = 2048;

/** Dense stack of ≈ `mb` MB of float32 weights (width 2048: 16 MiB per kernel). */
export function mlp(mb) {
  const layers = Math.max(1, Math.round((mb * 1e6) / (WIDTH * WIDTH * 4)));
  const x = tf.input({ shape: [WIDTH], name: 'x' });
  let h = x;
  for (let i = 0; i < layers; i++) {
    h = tf.layers.dense({ units: WIDTH, activation: i < layers - 1 ? 'relu' : 'linear', kernelInitializer: 'ones' }).apply(h);
  }
  return tf.model({ inputs: x, outputs: h });
}

export const weightBytes = (model) => model.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);

/** tfjs's own save, files written to `dir`. */
export async function tfjsSave(model, dir) {
  await mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const data = Array.isArray(a.weightData) ? a.weightData : [a.weightData];
    await writeFile(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    await writeFile(join(dir, 'weights.bin'), data.map((b) => new Uint8Array(b)));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

/**
 * The floor of an export on this machine: the weights' bytes written to one file (16 MiB writes,
 * three in flight, as our exporter) with a CRC-32C of each piece computed while it is written —
 * what any TensorBundle writer must do — and nothing else (no trace, no graph, no index).
 */
async function writeWithCrcFloor(arrays, dir, crc32c) {
  await mkdir(dir, { recursive: true });
  const fh = await open(join(dir, 'data'), 'w');
  const inFlight = [];
  let pos = 0;
  try {
    for (const a of arrays) {
      for (let o = 0; o < a.length; o += 16 << 20) {
        const piece = a.subarray(o, Math.min(a.length, o + (16 << 20)));
        if (inFlight.length >= 3) await inFlight.shift();
        inFlight.push(fh.write(piece, 0, piece.length, pos));
        pos += piece.length;
        crc32c(piece);
      }
    }
    await Promise.all(inFlight);
  } finally {
    await fh.close();
  }
}

export async function exportRows({ backends, sizes }) {
  const { exportModel } = await dist('export');
  const { crc32c } = await dist('core');
  if (backends.includes('wasm')) await loadWasmBackend();
  const rows = [];
  const tmp = await mkdtemp(join(tmpdir(), 'sm-bench-export-'));
  try {
    for (const backend of backends) {
      await tf.setBackend(backend);
      for (const mb of sizes) {
        const model = mlp(mb);
        const bytes = weightBytes(model);
        const ours = join(tmp, 'ours'), theirs = join(tmp, 'theirs');
        const r = await compare({
          memory: true,
          baseline: () => tfjsSave(model, theirs),
          // both write into a fresh directory and have it removed untimed (an overwrite would time
          // the removal of the previous export for ours alone)
          contender: () => exportModel(model, ours),
          after: async () => { await rm(theirs, { recursive: true, force: true }); await rm(ours, { recursive: true, force: true }); },
        });
        rows.push({
          row: `export ${MiB(bytes)} MiB MLP (${backend})`, baseline: 'tfjs model.save', ratio: fmtRatio(r.time),
          note: `ours ${r.ms.median.toFixed(0)} ms, tfjs ${r.baseMs.median.toFixed(0)} ms; extra peak mem/weights: ours ${(r.extra.median / bytes).toFixed(2)}, tfjs ${(r.baseExtra.median / bytes).toFixed(2)}`,
        });
        if (backend === 'cpu' && mb === sizes[0]) {
          // the cpu backend's own arrays: no read-back copy, as the exporter's on cpu
          const arrays = model.weights.map((w) => { const d = w.read().dataSync(); return new Uint8Array(d.buffer, d.byteOffset, d.byteLength); });
          const f = await compare({
            baseline: () => tfjsSave(model, theirs),
            contender: () => writeWithCrcFloor(arrays, ours, crc32c),
            after: async () => { await rm(theirs, { recursive: true, force: true }); await rm(ours, { recursive: true, force: true }); },
          });
          rows.push({
            row: `floor: write + CRC-32C of the ${MiB(bytes)} MiB alone (cpu)`, baseline: 'tfjs model.save', ratio: fmtRatio(f.time),
            note: `floor ${f.ms.median.toFixed(0)} ms, tfjs ${f.baseMs.median.toFixed(0)} ms: the bytes written and checksummed, nothing else`,
          });
        }
        model.dispose();
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { printTable } = await import('./lib.mjs');
  const backends = opt('backend', 'cpu,wasm').split(',');
  const sizes = opt('mb', QUICK ? '25,100' : '100,400').split(',').map(Number);
  printTable(await exportRows({ backends, sizes }));
}
