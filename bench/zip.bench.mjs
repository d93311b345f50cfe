#!/usr/bin/env node
// Zip packaging speed and memory: our streaming writer vs jszip STORE vs a plain copy of the
// same bytes, all in the same run.
//
//   node bench/zip.bench.mjs [--mib 200] [--runs 5]
//
// Input: a SavedModel-like file set written by core's writeSavedModel (saved_model.pb,
// fingerprint.pb, variables.index and a ~200 MB variables.data of random float32 tensors).
// In memory (the archive ends in a new buffer, as jszip's generateAsync produces it):
//   copy          every file's bytes copied into one new buffer (page faults + memory bandwidth)
//   copy (warm)   the same into a buffer reused across runs (memory bandwidth only)
//   jszip STORE   JSZip.generateAsync({ type: 'uint8array', compression: 'STORE' })
//   ours → buffer ZipWriter, each chunk copied into one new buffer (CRC-32 + copy)
//   ours → count  ZipWriter into a sink that only counts (the zip work itself: CRC-32 + headers)
//   ours → Blob   zipBlobSink (the browser download path; Node's Blob copies the parts)
// On disk (context; the disk sets the pace): ours → file (zipFileSink: temp file + rename),
// jszip → file (generateNodeStream piped to a file), copy → directory (writeFile per file).
// Memory: peak growth of RSS and ArrayBuffer memory over the baseline (input already allocated)
// while each writer runs, sampled at every output chunk and every millisecond. Candidates whose
// output is a buffer or Blob hold the archive itself (~200 MB) by design; the streaming figures
// are those of ours → count / → file and the 1 GiB stream at the end.
// Runs are interleaved (machine noise hits all alike); MB/s are medians (1 MB = 10^6 bytes);
// ratios are medians of per-run time ratios. Imports the TypeScript sources through tsx.
import { randomFillSync } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import JSZip from 'jszip';
import { tsImport } from 'tsx/esm/api';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MIB = opt('mib', 200);
const RUNS = opt('runs', 5);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

// Sibling packages from their TypeScript sources (tsconfig paths), never a stale dist/.
const tsOpts = { parentURL: import.meta.url, tsconfig: new URL('../packages/zip/tsconfig.bench.json', import.meta.url).pathname };
const zip = await tsImport('../packages/zip/src/node.ts', tsOpts);
const core = await tsImport('../packages/core/src/index.ts', tsOpts);

// ---- input: a SavedModel-like file set -------------------------------------------------------
const tensors = [];
let left = MIB * 1024 * 1024;
for (let i = 0; left > 0; i++) {
  const n = Math.min(left, 4 * 1024 * 1024) / 4;
  const kernel = new Float32Array(n);
  randomFillSync(new Uint32Array(kernel.buffer));
  for (let j = 0; j < n; j++) kernel[j] = (kernel[j] % 1) * 0.05; // finite, weight-like values
  tensors.push({ key: `layer_with_weights-${i}/kernel/.ATTRIBUTES/VARIABLE_VALUE`, dtype: 1, shape: [n / 1024, 1024], data: kernel });
  tensors.push({ key: `layer_with_weights-${i}/bias/.ATTRIBUTES/VARIABLE_VALUE`, dtype: 1, shape: [1024], data: new Float32Array(1024).fill(0.01) });
  left -= n * 4;
}
const fileSink = core.fileMapSink();
await core.writeSavedModel(fileSink, {
  savedModel: { saved_model_schema_version: 1, meta_graphs: [{ meta_info_def: { tags: ['serve'] } }] },
  checkpoint: tensors,
  fingerprint: { saved_model_checksum: 1, graph_def_program_hash: 2, signature_def_hash: 3, saved_object_graph_hash: 4, checkpoint_hash: 5 },
});
const files = [...fileSink.files].sort(([a], [b]) => a.localeCompare(b));
const TOTAL = files.reduce((n, [, b]) => n + b.length, 0);
const MB = TOTAL / 1e6;
const out = new Uint8Array(TOTAL + 1024 * 1024);

// ---- memory sampling -------------------------------------------------------------------------
let base = null, peak = null;
function memStart() {
  gc();
  base = process.memoryUsage();
  peak = { rss: 0, ab: 0 };
}
function memSample() {
  if (!base) return;
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss - base.rss);
  peak.ab = Math.max(peak.ab, m.arrayBuffers - base.arrayBuffers);
}
async function measured(fn) {
  memStart();
  const timer = setInterval(memSample, 1);
  const t0 = performance.now();
  try {
    const r = await fn();
    const ms = performance.now() - t0;
    memSample();
    return { ms, r, peak: { ...peak } };
  } finally {
    clearInterval(timer);
    base = null;
  }
}

// ---- candidates ------------------------------------------------------------------------------
const candidates = {
  'copy': async () => {
    const dst = new Uint8Array(TOTAL);
    let o = 0;
    for (const [, b] of files) { dst.set(b, o); memSample(); o += b.length; }
    return o;
  },
  'copy (warm buffer)': async () => {
    let o = 0;
    for (const [, b] of files) { out.set(b, o); memSample(); o += b.length; }
    return o;
  },
  'jszip STORE': async () => {
    const z = new JSZip();
    for (const [name, b] of files) z.file(name, b, { binary: true });
    const r = await z.generateAsync({ type: 'uint8array', compression: 'STORE' });
    return r.length;
  },
  'ours → buffer': async (_run, dst = new Uint8Array(TOTAL + 1024 * 1024)) => {
    let o = 0;
    const w = new zip.ZipWriter((c) => { dst.set(c, o); o += c.length; memSample(); });
    for (const [name, b] of files) await w.add(name, b);
    return (await w.finish()).bytes;
  },
  'ours → count': async () => {
    const w = new zip.ZipWriter(() => { memSample(); });
    for (const [name, b] of files) await w.add(name, b);
    return (await w.finish()).bytes;
  },
  'ours → Blob': async () => {
    const sink = zip.zipBlobSink();
    for (const [name, b] of files) await sink.write(name, b);
    await sink.commit();
    memSample();
    return sink.blob().size;
  },
};

const tmp = await mkdtemp(join(tmpdir(), 'zip-bench-'));
const diskCandidates = {
  'copy → directory': async (i) => {
    const dir = join(tmp, `dir-${i}`);
    for (const [name, b] of files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), b);
      memSample();
    }
    return TOTAL;
  },
  'jszip → file': async (i) => {
    const z = new JSZip();
    for (const [name, b] of files) z.file(name, b, { binary: true });
    const path = join(tmp, `jszip-${i}.zip`);
    await new Promise((res, rej) => {
      z.generateNodeStream({ type: 'nodebuffer', compression: 'STORE', streamFiles: true })
        .pipe(createWriteStream(path)).on('finish', res).on('error', rej);
    });
    return statSync(path).size;
  },
  'ours → file': async (i) => {
    const path = join(tmp, `ours-${i}.zip`);
    const sink = await zip.zipFileSink(path);
    for (const [name, b] of files) await sink.write(name, b);
    await sink.commit();
    return statSync(path).size;
  },
};

// Check once that what we time is a valid archive with the right contents.
{
  const n = await candidates['ours → buffer'](0, out);
  const src = await zip.zipSource(out.subarray(0, n));
  for (const [name, b] of files) {
    const got = await src.read(name);
    if (got.length !== b.length || Buffer.compare(got, b) !== 0) throw new Error(`ours: ${name} differs`);
  }
  const j = await JSZip.loadAsync(out.subarray(0, n));
  if (Object.keys(j.files).length !== files.length) throw new Error('jszip does not read our archive');
}

async function runAll(set, label) {
  const times = Object.fromEntries(Object.keys(set).map((k) => [k, []]));
  const mem = Object.fromEntries(Object.keys(set).map((k) => [k, { rss: 0, ab: 0 }]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, fn] of Object.entries(set)) {
      const { ms, peak: p } = await measured(() => fn(run));
      times[name].push(ms);
      mem[name].rss = Math.max(mem[name].rss, p.rss);
      mem[name].ab = Math.max(mem[name].ab, p.ab);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ratio = (a, b) => median(times[a].map((t, i) => t / times[b][i]));
  console.log(`\n${label}`);
  console.log('  candidate          MB/s (median)   best    peak extra RSS   peak extra ArrayBuffers');
  for (const name of Object.keys(set)) {
    const mbs = MB / (median(times[name]) / 1000);
    const best = MB / (Math.min(...times[name]) / 1000);
    console.log(`  ${name.padEnd(18)} ${mbs.toFixed(0).padStart(8)} ${best.toFixed(0).padStart(10)} ${(mem[name].rss / 2 ** 20).toFixed(1).padStart(12)} MiB ${(mem[name].ab / 2 ** 20).toFixed(1).padStart(14)} MiB`);
  }
  return ratio;
}

console.log(`zip bench: ${files.length} files, ${MB.toFixed(1)} MB (${files.map(([n, b]) => `${n} ${b.length}`).join(', ')})`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? '?'} ×${cpus().length}, CRC-32 implementation: ${core.crcImplementation()}, ${RUNS} runs interleaved`);

const r1 = await runAll(candidates, 'in memory');
console.log(`  ratios (median of per-run time ratios):`);
console.log(`    ours → buffer vs jszip STORE: ${r1('jszip STORE', 'ours → buffer').toFixed(2)}× faster (goal ≥ 3×)`);
console.log(`    ours → count  vs jszip STORE: ${r1('jszip STORE', 'ours → count').toFixed(2)}× faster`);
console.log(`    ours → buffer vs copy:        ${r1('ours → buffer', 'copy').toFixed(2)}× the time of a plain copy`);

const r2 = await runAll(diskCandidates, 'to disk (context)');
console.log(`  ratios: ours → file vs jszip → file ${r2('jszip → file', 'ours → file').toFixed(2)}× faster; vs copy → directory ${r2('ours → file', 'copy → directory').toFixed(2)}× the time`);

// Streaming memory over a larger-than-input stream: 1 GiB of generated 4 MiB chunks, counted.
// Once as is (the peak includes generator garbage V8 has not collected yet), once with a full GC
// every 16 MiB (what the writer itself keeps).
for (const collect of [false, true]) {
  let seen = 0;
  const { ms, peak: p } = await measured(async () => {
    const w = new zip.ZipWriter((c) => {
      seen += c.length;
      if (collect && seen % (16 * 1024 * 1024) < c.length) gc();
      memSample();
    });
    await w.add('variables/variables.data-00000-of-00001', (function* () {
      for (let i = 0; i < 256; i++) yield new Uint8Array(4 * 1024 * 1024).fill(i);
    })());
    return (await w.finish()).bytes;
  });
  console.log(`${collect ? '' : '\n'}streaming 1 GiB of fresh 4 MiB chunks${collect ? ', GC every 16 MiB' : ''}: ${(1073.7 / (ms / 1000)).toFixed(0)} MB/s, peak extra RSS ${(p.rss / 2 ** 20).toFixed(1)} MiB, ArrayBuffers ${(p.ab / 2 ** 20).toFixed(1)} MiB (goal ≤ 64 MiB)`);
}

rmSync(tmp, { recursive: true, force: true });
