#!/usr/bin/env node
// FarmHash Fingerprint64 (fingerprint.pb's hash): WebAssembly vs our JavaScript version.
//
//   pnpm gen && node bench/farmhash.bench.mjs [--reps 5] [--quick]
//
// Per input size (64 B, 4 KiB, 6 MB: saved_model.pb of a 2,000-layer model, 64 MB), each timed
// round hashes the same slices (about 16 MB in all, at least one call) with both, alternating
// which goes first (lib.mjs compare). Whole calls as fingerprint64 makes them: JavaScript
// (fingerprint64Js) vs the WebAssembly entry point (fingerprint64Wasm: copy into the module,
// the call, the BigInt result). Prints MB/s (median, 1 MB = 10^6 bytes) and the ratio
// wasm time / JS time (min / median / max of per-round ratios), then the per-call time at 0 and
// 16 bytes (the fixed cost that sets fingerprint64's threshold). Imports the TypeScript sources
// through tsx. No timing assertions.
import { existsSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { QUICK, REPS, ROOT, compare, fmtRatio, machine, printTable, stats } from './lib.mjs';

const SRC = join(ROOT, 'packages/core/src/hash');
if (!existsSync(join(SRC, 'farmhash-wasm.gen.ts'))) {
  console.error('farmhash-wasm.gen.ts is missing: run `pnpm gen` (node scripts/build-wasm.mjs) first.');
  process.exit(1);
}
const { fingerprint64Js } = await tsImport(join(SRC, 'farmhash.ts'), import.meta.url);
const { fingerprint64Wasm, farmhashWasmAvailable } = await tsImport(join(SRC, 'farmhash-wasm.ts'), import.meta.url);
if (!farmhashWasmAvailable()) throw new Error('WebAssembly FarmHash unavailable');

const SIZES = QUICK ? [64, 4096, 6e6] : [64, 4096, 6e6, 64e6];
const ROUND_BYTES = QUICK ? 4e6 : 16e6;
const data = new Uint8Array(Math.max(...SIZES) + 4096);
for (let o = 0; o < data.length; o += 65536) randomFillSync(data, o, Math.min(65536, data.length - o));

/**
 * Slices of `size` bytes covering ~ROUND_BYTES, at distinct offsets within the first MiB for small
 * sizes (in cache, like the freshly encoded bytes fingerprint.ts hashes; spread over the whole
 * buffer, memory latency would dominate 64-byte calls).
 */
function slicesOf(size) {
  const calls = Math.max(1, Math.floor(ROUND_BYTES / Math.max(size, 1)));
  const span = Math.min(data.length - size, Math.max(1 << 20, size) - size + 4096);
  return Array.from({ length: calls }, (_, k) => {
    const off = span > 0 ? ((k * 4099) % span) : 0;
    return data.subarray(off, off + size);
  });
}

let sink = 0n;
const loop = (fn, slices) => () => { for (const s of slices) sink ^= fn(s); };

// Warm-up: many short calls first, so both run optimized code (not on-stack replacement).
for (const s of slicesOf(256).slice(0, 20000)) { fingerprint64Js(s); fingerprint64Wasm(s); }

console.log(`FarmHash Fingerprint64: WebAssembly vs JavaScript, ${REPS} alternating rounds per size`);
console.log(machine());
const rows = [];
for (const size of SIZES) {
  const slices = slicesOf(size);
  for (const s of slices.slice(0, 3)) {
    if (fingerprint64Js(s) !== fingerprint64Wasm(s)) throw new Error(`wasm and JS disagree at ${size} bytes`);
  }
  const r = await compare({ baseline: loop(fingerprint64Js, slices), contender: loop(fingerprint64Wasm, slices) });
  const bytes = slices.length * size;
  const mbps = (ms) => (bytes / 1e6 / (ms / 1e3)).toFixed(0);
  rows.push({
    row: `${size >= 1e6 ? `${size / 1e6} MB` : size >= 1024 ? `${size / 1024} KiB` : `${size} B`} × ${slices.length}`,
    baseline: 'JS fingerprint64',
    ratio: fmtRatio(r.time),
    note: `JS ${mbps(r.baseMs.median)} MB/s, wasm ${mbps(r.ms.median)} MB/s (${(r.baseMs.median / r.ms.median).toFixed(1)}× faster)`,
  });
}
printTable(rows);

// Per-call cost of tiny inputs (ns per call, median of REPS rounds of 200,000 calls).
console.log('');
for (const size of [0, 16]) {
  const slices = Array.from({ length: 64 }, (_, k) => data.subarray(k * 3, k * 3 + size));
  const per = (fn) => {
    const t = [];
    for (let r = 0; r < REPS; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 200000; i++) sink ^= fn(slices[i & 63]);
      t.push(((performance.now() - t0) * 1e6) / 200000);
    }
    return stats(t).median;
  };
  per(fingerprint64Js); per(fingerprint64Wasm); // warm-up
  console.log(`${String(size).padStart(2)} bytes per call: JS ${per(fingerprint64Js).toFixed(0)} ns, wasm ${per(fingerprint64Wasm).toFixed(0)} ns`);
}
if (sink === -1n) console.log(''); // keep the results alive
