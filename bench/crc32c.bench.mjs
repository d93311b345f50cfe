#!/usr/bin/env node
// CRC throughput: WebAssembly vs the JavaScript fallbacks vs a plain memory copy.
//
//   pnpm gen && node bench/crc32c.bench.mjs [--mib 64] [--reps 10] [--only TEXT]
//        [--sizes 64,1024,16384,65536,1048576] [--baseline OLD.wasm]
//
// --baseline adds rows for another build of the module (e.g. the previous one:
// check out the old wasm/crc32c, `node scripts/build-wasm.mjs`, copy wasm/build/crc.wasm
// away), run through the same chunked table-CRC loop the loader used before the fold.
// --sizes adds a table of MB/s per call size (consecutive slices of the buffer), where
// fixed per-call costs show.
//
// Imports the TypeScript sources directly through tsx (no build needed). One 64 MiB
// random buffer; every candidate runs `reps` times, interleaved (so machine noise hits
// all alike); the table shows best and median MB/s (1 MB = 10^6 bytes) and ratios from
// this same run: the median over repetitions of (time of the reference / time of the
// candidate) within one repetition, which cancels slow machine phases better than a
// ratio of medians would.
import { existsSync, readFileSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { tsImport } from 'tsx/esm/api';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'packages/core/src/crc32c');
if (!existsSync(join(SRC, 'crc32c-wasm.gen.ts'))) {
  console.error('crc32c-wasm.gen.ts is missing: run `pnpm gen` (node scripts/build-wasm.mjs) first.');
  process.exit(1);
}

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MIB = opt('mib', 64);
const REPS = opt('reps', 10);
const strOpt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const BASELINE = strOpt('baseline');
const SIZES = (strOpt('sizes') ?? '').split(',').filter(Boolean).map(Number);

const api = await tsImport(join(SRC, 'crc32c.ts'), import.meta.url);
const { crc32cExtendJs } = await tsImport(join(SRC, 'crc32c-js.ts'), import.meta.url);
const { crc32ExtendJs } = await tsImport(join(SRC, 'crc32-js.ts'), import.meta.url);
const { CRC_WASM_BYTES, CRC_WASM_SIMD_BYTES } = await tsImport(join(SRC, 'crc32c-wasm.gen.ts'), import.meta.url);
const { crcWasmVariant, loadCrcWasmVariant } = await tsImport(join(SRC, 'crc32c-wasm.ts'), import.meta.url);
const mvp = loadCrcWasmVariant('mvp');
const require = createRequire(join(ROOT, 'package.json'));
const jszipCrc32 = require('jszip/lib/crc32.js'); // pako's byte-at-a-time table loop, as zip writers use

api.setCrcImplementation('wasm');
if (api.crcImplementation() !== 'wasm') throw new Error('WebAssembly CRC not in use');

const N = MIB << 20;
const data = new Uint8Array(N);
for (let o = 0; o < N; o += 1 << 16) randomFillSync(data, o, Math.min(1 << 16, N - o));
const dst = Buffer.allocUnsafe(N);

/** An older build of the module (exports extend32c / extend32 / INPUT_PTR / INPUT_SIZE), chunked as before. */
function loadBaseline(path) {
  const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {}).exports;
  const heap = new Uint8Array(ex.memory.buffer);
  const ptr = ex.INPUT_PTR.value;
  const size = ex.INPUT_SIZE.value;
  const run = (fn) => (d) => {
    let c = 0;
    for (let off = 0; off < d.length; off += size) {
      const len = Math.min(size, d.length - off);
      heap.set(d.subarray(off, off + len), ptr);
      c = fn(c, ptr, len);
    }
    return c >>> 0;
  };
  return { crc32c: run(ex.extend32c), crc32: run(ex.extend32) };
}
const baseline = BASELINE ? loadBaseline(BASELINE) : undefined;

const ALL = [
  { name: `crc32c wasm (${crcWasmVariant()})`, group: 'crc32c', fn: (d) => api.crc32c(d) },
  ...(crcWasmVariant() === 'mvp' ? [] : [{ name: 'crc32c wasm (mvp)', group: 'crc32c', fn: (d) => mvp.crc32cExtend(0, d) }]),
  ...(baseline ? [{ name: 'crc32c wasm (baseline)', group: 'crc32c', fn: (d) => baseline.crc32c(d) }] : []),
  { name: 'crc32c js (slicing-by-8)', group: 'crc32c', fn: (d) => crc32cExtendJs(0, d), ref: true },
  { name: `crc32 wasm (${crcWasmVariant()})`, group: 'crc32', fn: (d) => api.crc32(d) },
  ...(crcWasmVariant() === 'mvp' ? [] : [{ name: 'crc32 wasm (mvp)', group: 'crc32', fn: (d) => mvp.crc32Extend(0, d) }]),
  ...(baseline ? [{ name: 'crc32 wasm (baseline)', group: 'crc32', fn: (d) => baseline.crc32(d) }] : []),
  { name: 'crc32 js (slicing-by-8)', group: 'crc32', fn: (d) => crc32ExtendJs(0, d), ref: true },
  { name: 'crc32 jszip (byte-at-a-time)', group: 'crc32', fn: (d) => jszipCrc32(d) >>> 0 },
  ...(typeof zlib.crc32 === 'function'
    ? [{ name: 'crc32 node zlib.crc32 (native)', group: 'crc32', fn: (d) => zlib.crc32(d) >>> 0 }]
    : []),
  {
    name: 'Buffer.copy (baseline)',
    group: 'copy',
    fn: (d) => (Buffer.from(d.buffer, d.byteOffset, d.byteLength).copy(dst), undefined),
  },
];

// --only TEXT: just the candidates whose name contains TEXT (plus the copy baseline)
const onlyAt = args.indexOf('--only');
const ONLY = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
const candidates = ONLY ? ALL.filter((c) => c.name.includes(ONLY) || c.group === 'copy') : ALL;

// Warm up: many short calls first, so every JIT compiles its regular optimized code
// (a first call on 64 MiB would run on on-stack-replacement code, measurably slower
// for the JavaScript loops), then full-size calls; check that everything agrees.
const results = new Map();
const warm = data.subarray(0, 4096);
for (const c of candidates) {
  for (let i = 0; i < 3000; i++) c.fn(warm);
  c.fn(data);
  const v = c.fn(data);
  if (c.group !== 'copy') {
    const prev = results.get(c.group);
    if (prev !== undefined && prev !== v) throw new Error(`${c.name} disagrees: ${v.toString(16)} != ${prev.toString(16)}`);
    results.set(c.group, v);
  }
  c.times = [];
}

for (let r = 0; r < REPS; r++) {
  for (const c of candidates) {
    const t0 = performance.now();
    c.fn(data);
    c.times.push(performance.now() - t0);
  }
}

const mbps = (ms) => N / 1e6 / (ms / 1e3);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
for (const c of candidates) {
  c.best = mbps(Math.min(...c.times));
  c.median = mbps(median(c.times));
}
/** Speed of `c` relative to `ref`: median over repetitions of the per-repetition ratio. */
const ratioTo = (c, ref) => median(c.times.map((t, r) => ref.times[r] / t));
const copy = candidates.find((c) => c.group === 'copy');

console.log(`CRC benchmark: ${MIB} MiB random buffer, ${REPS} interleaved repetitions after warm-up`);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), crc-simd.wasm ${CRC_WASM_SIMD_BYTES} bytes, crc.wasm ${CRC_WASM_BYTES} bytes`);
console.log([...results].map(([g, v]) => `${g} = 0x${v.toString(16).padStart(8, '0')}`).join(', '));
console.log('');
const head = ['implementation', 'best MB/s', 'median MB/s', 'vs JS fallback', 'vs Buffer.copy'];
const rows = candidates.map((c) => {
  const ref = candidates.find((x) => x.group === c.group && x.ref);
  return [
    c.name,
    c.best.toFixed(0),
    c.median.toFixed(0),
    ref ? `${ratioTo(c, ref).toFixed(2)}x` : '',
    `${ratioTo(c, copy).toFixed(2)}x`,
  ];
});
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((s, i) => (i === 0 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));

const wasmC = candidates.find((c) => c.name === `crc32c wasm (${crcWasmVariant()})`);
const jsC = candidates.find((c) => c.group === 'crc32c' && c.ref);
if (wasmC && jsC) {
  const ratio = ratioTo(wasmC, jsC);
  console.log('');
  console.log(`crc32c: WebAssembly is ${ratio.toFixed(2)}x the JavaScript fallback (goal >= 2x): ${ratio >= 2 ? 'met' : 'NOT met'}`);
}
const baseC = candidates.find((c) => c.name === 'crc32c wasm (baseline)');
const baseI = candidates.find((c) => c.name === 'crc32 wasm (baseline)');
const wasmI = candidates.find((c) => c.name === `crc32 wasm (${crcWasmVariant()})`);
if (wasmC && baseC) console.log(`crc32c: this build is ${ratioTo(wasmC, baseC).toFixed(2)}x the baseline build`);
if (wasmI && baseI) console.log(`crc32: this build is ${ratioTo(wasmI, baseI).toFixed(2)}x the baseline build`);

// Per call size: the same candidates (CRC-32C only) over consecutive slices of the
// buffer, about 4 MiB per repetition, interleaved as above; with --baseline, the last
// column is the current build's speed relative to the baseline (median of per-repetition
// ratios).
if (SIZES.length > 0) {
  const crcs = candidates.filter((c) => c.group === 'crc32c');
  const base = crcs.find((c) => c.name === 'crc32c wasm (baseline)');
  const total = Math.min(N, 4 << 20);
  console.log('');
  console.log(`crc32c MB/s (median of ${REPS}) per call size, ${total >> 20} MiB of slices per repetition`);
  const sizeHead = ['size', ...crcs.map((c) => c.name), ...(base ? ['current vs baseline'] : [])];
  const sizeRows = [];
  for (const size of SIZES) {
    const calls = Math.max(1, Math.floor(total / size));
    const slices = Array.from({ length: calls }, (_, k) => data.subarray((k * size) % (N - size + 1), ((k * size) % (N - size + 1)) + size));
    const times = crcs.map(() => []);
    for (const c of crcs) for (const s of slices.slice(0, 2000)) c.fn(s); // warm-up at this size
    for (let r = 0; r < REPS; r++) {
      crcs.forEach((c, i) => {
        const t0 = performance.now();
        for (const s of slices) c.fn(s);
        times[i].push(performance.now() - t0);
      });
    }
    const row = [String(size), ...times.map((t) => ((calls * size) / 1e6 / (median(t) / 1e3)).toFixed(0))];
    if (base) {
      const bt = times[crcs.indexOf(base)];
      row.push(`${median(times[0].map((t, r) => bt[r] / t)).toFixed(2)}x`);
    }
    sizeRows.push(row);
  }
  const w2 = sizeHead.map((h, i) => Math.max(h.length, ...sizeRows.map((r) => r[i].length)));
  const line2 = (cells) => cells.map((s, i) => (i === 0 ? s.padEnd(w2[i]) : s.padStart(w2[i]))).join('  ');
  console.log(line2(sizeHead));
  for (const r of sizeRows) console.log(line2(r));
}
