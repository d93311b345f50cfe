// Shared bench helpers: alternate contenders within one run, ratios against the baseline of
// the same repetition, min/median/max, peak memory sampled while a contender runs.
import { cpus, loadavg, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const args = process.argv.slice(2);
export const flag = (name) => args.includes(`--${name}`);
export const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
export const QUICK = flag('quick');
export const REPS = Math.max(5, Number(opt('reps', '5')));

/** A built package's entry (dist/): what users run. */
export const dist = (pkg, file = 'index.js') => import(pathToFileURL(join(ROOT, 'packages', pkg, 'dist', file)).href);

/** The wasm backend is a devDependency of packages/export, not of bench/. */
export async function loadWasmBackend() {
  const req = createRequire(join(ROOT, 'packages/export/package.json'));
  await import(pathToFileURL(req.resolve('@tensorflow/tfjs-backend-wasm')).href);
}

export const gc = () => { if (globalThis.gc) { globalThis.gc(); globalThis.gc(); } };
// JS heap + ArrayBuffer memory (both drop after GC, unlike RSS, which keeps freed pages; the
// wasm backend's memory is one ArrayBuffer that only grows, so new tensors in it count too).
const memNow = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };

/**
 * Runs `f`: its wall time, and with `sample` the peak memory growth over the start, sampled every
 * millisecond `f` yields. Sampling (process.memoryUsage) runs on the main thread between `f`'s
 * turns, so it slows code that yields often more than code that waits in one long I/O call:
 * timed rounds run without it and memory is taken in rounds of its own.
 */
export async function measure(f, sample = false) {
  gc();
  const base = sample ? memNow() : 0;
  let peak = base;
  const timer = sample ? setInterval(() => { const m = memNow(); if (m > peak) peak = m; }, 1) : undefined;
  const t0 = performance.now();
  try {
    await f();
  } finally {
    if (timer) clearInterval(timer);
  }
  const ms = performance.now() - t0;
  if (!sample) return { ms, extra: NaN };
  const end = memNow();
  if (end > peak) peak = end;
  return { ms, extra: peak - base };
}

export const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

/**
 * `reps` timed rounds; each round runs the baseline and the contender in alternating order (odd
 * rounds contender first) after one untimed warm-up of each. Returns per-round ratios
 * contender/baseline. With `memory`, `memReps` more alternating rounds sample peak memory
 * (`extra`, `baseExtra`); their times are not used.
 */
export async function compare({ baseline, contender, reps = REPS, warmup = true, before, after, memory = false, memReps = Math.min(reps, 3) }) {
  if (warmup) { await before?.(); await baseline(); await contender(); await after?.(); }
  const round = async (r, sample) => {
    const order = r % 2 ? ['c', 'b'] : ['b', 'c'];
    const got = {};
    for (const k of order) {
      await before?.();
      got[k] = await measure(k === 'b' ? baseline : contender, sample);
      await after?.();
    }
    return got;
  };
  const rounds = [];
  for (let r = 0; r < reps; r++) rounds.push(await round(r, false));
  const mem = [];
  if (memory) for (let r = 0; r < memReps; r++) mem.push(await round(r, true));
  return {
    time: stats(rounds.map((g) => g.c.ms / g.b.ms)),
    baseMs: stats(rounds.map((g) => g.b.ms)),
    ms: stats(rounds.map((g) => g.c.ms)),
    extra: stats(mem.map((g) => g.c.extra)),
    baseExtra: stats(mem.map((g) => g.b.extra)),
  };
}

export const machine = () => {
  const c = cpus();
  return `${c.length}× ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}`;
};
export const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * What fresh memory costs on this machine: ms per MiB to first write 64 MiB of a new buffer
 * against a second write of the same buffer (memcpy speed). Virtual machines differ by 10× and
 * more in the first (page faults the hypervisor must back), and every contender that allocates
 * big buffers (tfjs's save concatenates its weights; a zip into memory) pays it: the suite prints
 * it beside the load so that ratios from different machines can be read.
 */
export function freshMemoryCost() {
  const n = 64 << 20;
  const src = new Uint8Array(n).fill(1);
  const firsts = [], seconds = [];
  for (let r = 0; r < 3; r++) {
    const a = new Uint8Array(n);
    let t = performance.now();
    a.set(src);
    firsts.push(performance.now() - t);
    t = performance.now();
    a.set(src);
    seconds.push(performance.now() - t);
  }
  const ms = (xs) => Math.min(...xs) / 64;
  return `fresh memory ${ms(firsts).toFixed(2)} ms/MiB first write, ${ms(seconds).toFixed(3)} ms/MiB rewrite`;
}

export const fmtRatio = (s) => `${s.min.toFixed(2)} / ${s.median.toFixed(2)} / ${s.max.toFixed(2)}`;
export const MiB = (b) => (b / 2 ** 20).toFixed(0);

/** One table: rows of { row, baseline, ratio (min/median/max), note }. */
export function printTable(rows) {
  const head = ['row', 'baseline', 'ratio min / median / max', 'figures'];
  const cells = rows.map((r) => [r.row, r.baseline, r.ratio, r.note ?? '']);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((x, i) => x.padEnd(w[i])).join(' | ')} |`;
  const out = [line(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...cells.map(line)].join('\n');
  console.log(out);
  return out;
}
