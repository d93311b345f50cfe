#!/usr/bin/env node
// Builds the WebAssembly modules from source (`pnpm gen` runs this first).
//
//   wasm/crc32c/crc.ts  --asc-->  wasm/build/crc.wasm, crc-simd.wasm (+ .wat, for reading)
//                                 packages/core/src/crc32c/crc32c-wasm.gen.ts (base64 of both)
//   wasm/farmhash/farmhash.ts  -->  wasm/build/farmhash.wasm (+ .wat)
//                                 packages/core/src/hash/farmhash-wasm.gen.ts (base64)
//
// Two builds of the same source: crc-simd.wasm uses wasm SIMD (v128) for the fold of
// large inputs, crc.wasm is plain MVP wasm (i64 instead) for engines without SIMD; the
// loader takes the first that compiles. Both give identical results.
//
// The outputs are git-ignored. The build is deterministic (same compiler, same
// source -> same bytes; nothing time- or path-dependent goes into the outputs).
// Exits non-zero with the compiler's diagnostics if asc fails, and refuses a
// binary that breaks the loader's assumptions (size, imports, exports, data
// segments) or fails a self-test (CRC: against a bit-at-a-time CRC; FarmHash:
// FarmHash's own published answers); nothing is written in those cases.
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FARMHASH_PUBLISHED, farmhashSelfTestData } from '../wasm/farmhash/self-test.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'wasm/crc32c/crc.ts');
const OUT_DIR = join(ROOT, 'wasm/build');
const OUT_GEN = join(ROOT, 'packages/core/src/crc32c/crc32c-wasm.gen.ts');
const FARM_SOURCE = join(ROOT, 'wasm/farmhash/farmhash.ts');
const FARM_GEN = join(ROOT, 'packages/core/src/hash/farmhash-wasm.gen.ts');

/**
 * Chrome long refused synchronous `new WebAssembly.Module` of more than 4 KiB on the main
 * thread; staying under keeps the synchronous loader safe everywhere.
 * (CRC_WASM_MAX_BYTES overrides it, for experiments only.)
 */
const MAX_BYTES = Number(process.env.CRC_WASM_MAX_BYTES ?? 4096);

const ASC_FLAGS = [
  '--optimizeLevel', '3',
  '--shrinkLevel', '1', // 0 is ≈ 400 bytes larger per build, not faster (measured)
  '--noAssert',
  '--runtime', 'stub',
  // no `abort` import: the module must instantiate with an empty import object
  '--use', 'abort=',
  // plain MVP wasm (plus SIMD in the SIMD build), for the widest engine support
  '--disable', 'bulk-memory,sign-extension,nontrapping-f2i,mutable-globals',
  '--noColors',
];

/** The two builds: output name, extra flags, name of the base64 constant in the generated file. */
const VARIANTS = [
  { name: 'crc-simd', flags: ['--enable', 'simd'], constant: 'CRC_WASM_SIMD' },
  { name: 'crc', flags: [], constant: 'CRC_WASM' },
];

function fail(message) {
  process.stderr.write(`build-wasm: ${message}\n`);
  process.exit(1);
}

let asc;
try {
  ({ default: asc } = await import('assemblyscript/asc'));
} catch (e) {
  fail(`cannot load the AssemblyScript compiler (assemblyscript/asc): ${e instanceof Error ? e.message : e}\n` +
    'Run `pnpm install` at the repository root.');
}

const built = [];
for (const v of VARIANTS) {
  const out = await compile(SOURCE, v);
  checkBinary(out.wasm, v.name);
  built.push({ ...v, ...out });
}
// FarmHash: scalar 64-bit arithmetic, nothing for SIMD to do, so one plain MVP build.
const farm = { name: 'farmhash', ...(await compile(FARM_SOURCE, { name: 'farmhash', flags: [] })) };
checkFarmhash(farm.wasm);

let gen =
  `// GENERATED FILE - DO NOT EDIT.\n` +
  `// Built by scripts/build-wasm.mjs (\`pnpm gen\`) from wasm/crc32c/crc.ts with AssemblyScript ${asc.version}.\n`;
for (const b of built) gen += `// ${b.name}.wasm: ${b.wasm.length} bytes, sha256 ${createHash('sha256').update(b.wasm).digest('hex')}.\n`;
for (const b of built) {
  const what = b.constant === 'CRC_WASM_SIMD' ? 'with wasm SIMD (v128)' : 'plain MVP wasm, for engines without SIMD';
  gen +=
    `\n/** The CRC-32C / CRC-32 WebAssembly module ${what}, base64-encoded. */\n` +
    `export const ${b.constant}_BASE64 =\n  '${Buffer.from(b.wasm).toString('base64')}';\n` +
    `\n/** Length in bytes of the decoded module. */\n` +
    `export const ${b.constant}_BYTES = ${b.wasm.length};\n`;
}

await mkdir(OUT_DIR, { recursive: true });
for (const b of built) {
  await writeFile(join(OUT_DIR, `${b.name}.wasm`), b.wasm);
  if (typeof b.wat === 'string') await writeFile(join(OUT_DIR, `${b.name}.wat`), b.wat);
}
await writeFile(OUT_GEN, gen);
await writeFile(join(OUT_DIR, 'farmhash.wasm'), farm.wasm);
if (typeof farm.wat === 'string') await writeFile(join(OUT_DIR, 'farmhash.wat'), farm.wat);
await writeFile(
  FARM_GEN,
  `// GENERATED FILE - DO NOT EDIT.\n` +
    `// Built by scripts/build-wasm.mjs (\`pnpm gen\`) from wasm/farmhash/farmhash.ts with AssemblyScript ${asc.version}.\n` +
    `// farmhash.wasm: ${farm.wasm.length} bytes, sha256 ${createHash('sha256').update(farm.wasm).digest('hex')}.\n` +
    `\n/** The FarmHash Fingerprint64 WebAssembly module (plain MVP wasm), base64-encoded. */\n` +
    `export const FARMHASH_WASM_BASE64 =\n  '${Buffer.from(farm.wasm).toString('base64')}';\n` +
    `\n/** Length in bytes of the decoded module. */\n` +
    `export const FARMHASH_WASM_BYTES = ${farm.wasm.length};\n`,
);

process.stdout.write(
  `build-wasm: ${[...built, farm].map((b) => `${relative(ROOT, join(OUT_DIR, b.name))}.wasm (${b.wasm.length} bytes)`).join(', ')}, ` +
    `${relative(ROOT, OUT_GEN)}, ${relative(ROOT, FARM_GEN)}\n`,
);

async function compile(source, v) {
  const outputs = new Map();
  const stderrChunks = [];
  const stdoutChunks = [];
  const sink = (chunks) => ({ write(chunk) { chunks.push(String(chunk)); return true; } });
  let result;
  try {
    result = await asc.main(
      [relative(ROOT, source), '--outFile', 'out.wasm', '--textFile', 'out.wat', ...ASC_FLAGS, ...v.flags, '--baseDir', ROOT],
      {
        stdout: sink(stdoutChunks),
        stderr: sink(stderrChunks),
        writeFile(name, contents) {
          outputs.set(name.replace(/^.*[\\/]/, ''), contents);
        },
      },
    );
  } catch (e) {
    fail(`asc threw while compiling ${relative(ROOT, source)} (${v.name}):\n${e instanceof Error ? e.stack : e}\n${stderrChunks.join('')}`);
  }
  const diagnostics = stderrChunks.join('');
  if (result.error) {
    fail(`asc failed to compile ${relative(ROOT, source)} (${v.name}): ${result.error.message}\n${diagnostics}`);
  }
  if (diagnostics.trim()) process.stderr.write(diagnostics); // warnings
  const wasm = outputs.get('out.wasm');
  const wat = outputs.get('out.wat');
  if (!(wasm instanceof Uint8Array) || wasm.length === 0) fail(`asc reported success but produced no ${v.name}.wasm`);
  return { wasm, wat };
}

/**
 * What every module's loader relies on: the size budget, a valid module, no imports, no data
 * section (buffers and tables live at fixed addresses; static data from the compiler would
 * collide with them). Returns the compiled module.
 */
function checkCommon(bytes, file) {
  if (bytes.length > MAX_BYTES) {
    fail(`${file} is ${bytes.length} bytes, over the ${MAX_BYTES}-byte budget for synchronous compilation on a browser main thread`);
  }
  let mod;
  try {
    mod = new WebAssembly.Module(bytes);
  } catch (e) {
    fail(`asc produced an invalid module ${file}: ${e instanceof Error ? e.message : e}`);
  }
  const imports = WebAssembly.Module.imports(mod);
  if (imports.length > 0) fail(`${file} must not import anything, but imports ${imports.map((i) => `${i.module}.${i.name}`).join(', ')}`);
  if (hasSection(bytes, 11)) fail(`${file} has a data section; the source must not use static data (strings, arrays)`);
  return mod;
}

/** Structural checks the CRC loader relies on. */
function checkBinary(bytes, name) {
  const file = `${name}.wasm`;
  const mod = checkCommon(bytes, file);
  const exports = new Set(WebAssembly.Module.exports(mod).map((e) => `${e.name}:${e.kind}`));
  for (const fn of ['extend32c', 'extend32', 'fold32c', 'finish32c', 'fold32', 'finish32']) {
    if (!exports.has(`${fn}:function`)) fail(`${file} lacks the export ${fn}:function`);
  }
  for (const need of ['memory:memory', 'INPUT_PTR:global', 'INPUT_SIZE:global']) {
    if (!exports.has(need)) fail(`${file} lacks the export ${need}`);
  }
  // Known answers and a bit-at-a-time reference over every code path (4-stream blocks,
  // 8-byte words, byte tail; the fold over several chunks, with and without its SIMD
  // steps), so a miscompiled module never reaches the generated file.
  const { exports: ex } = new WebAssembly.Instance(mod, {});
  const mem = new Uint8Array(ex.memory.buffer);
  const ptr = ex.INPUT_PTR.value;
  const check = new TextEncoder().encode('123456789');
  mem.set(check, ptr);
  const c = ex.extend32c(0, ptr, check.length) >>> 0;
  const i = ex.extend32(0, ptr, check.length) >>> 0;
  if (c !== 0xe3069283) fail(`${file} self-test: CRC-32C("123456789") = 0x${c.toString(16)}, expected 0xe3069283`);
  if (i !== 0xcbf43926) fail(`${file} self-test: CRC-32("123456789") = 0x${i.toString(16)}, expected 0xcbf43926`);
  const sample = new Uint8Array(20011);
  for (let k = 0, x = 1; k < sample.length; k++) sample[k] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  const polys = [
    ['CRC-32C', ex.extend32c, ex.fold32c, ex.finish32c, 0x82f63b78],
    ['CRC-32', ex.extend32, ex.fold32, ex.finish32, 0xedb88320],
  ];
  for (const [what, extend, fold, finish, poly] of polys) {
    const head = sample.subarray(0, 5003);
    mem.set(head, ptr + 1);
    const got = extend(0x1234567, ptr + 1, head.length) >>> 0;
    const want = bitwise(poly, 0x1234567, head);
    if (got !== want) fail(`${file} self-test: ${what} of 5003 bytes = 0x${got.toString(16)}, bit-at-a-time reference 0x${want.toString(16)}`);
    // fold in uneven chunks (a 3-byte one included), then finish
    let off = 0;
    for (const len of [7001, 3, 64, 12943]) {
      mem.set(sample.subarray(off, off + len), ptr);
      fold(0x89abcdef, len, off === 0);
      off += len;
    }
    const folded = finish() >>> 0;
    const wantAll = bitwise(poly, 0x89abcdef, sample);
    if (folded !== wantAll) {
      fail(`${file} self-test: folded ${what} of ${sample.length} bytes = 0x${folded.toString(16)}, bit-at-a-time reference 0x${wantAll.toString(16)}`);
    }
  }
}

/**
 * Structural checks for the FarmHash module, and known answers from FarmHash's own self-test
 * (google/farmhash src/farmhash.cc, farmhashnaTest: its pseudo-random data and the expected
 * farmhashna::Hash64 values) through both entry points: hash64 for every length class, and
 * update / finish over several chunks.
 */
function checkFarmhash(bytes) {
  const file = 'farmhash.wasm';
  const mod = checkCommon(bytes, file);
  const exports = new Set(WebAssembly.Module.exports(mod).map((e) => `${e.name}:${e.kind}`));
  for (const need of ['hash64:function', 'update:function', 'finish:function', 'memory:memory', 'INPUT_PTR:global', 'INPUT_SIZE:global', 'LAST_PTR:global']) {
    if (!exports.has(need)) fail(`${file} lacks the export ${need}`);
  }
  const { exports: ex } = new WebAssembly.Instance(mod, {});
  const mem = new Uint8Array(ex.memory.buffer);
  const ptr = ex.INPUT_PTR.value, size = ex.INPUT_SIZE.value, lastPtr = ex.LAST_PTR.value;
  if (size % 64 !== 0 || mem.length < ptr + size || lastPtr + 64 > ptr) fail(`${file}: unexpected memory layout`);
  // FarmHash's published answers up to 137,229 bytes (the 1 MiB ones cost seconds of BigInt data here)
  const known = FARMHASH_PUBLISHED.filter(([off, len]) => off + len <= 140000);
  const data = farmhashSelfTestData(140000);
  const u64 = (v) => BigInt.asUintN(64, v);
  for (const [off, len, want] of known) {
    const input = data.subarray(off, off + len);
    let got;
    if (len <= size) {
      mem.set(input, ptr);
      got = u64(ex.hash64(len));
    }
    if (len > 64) {
      // the chunked path, with chunks of 64 bytes up to the whole buffer
      const end = Math.floor((len - 1) / 64) * 64;
      const chunk = len <= size ? 64 : size;
      for (let o = 0; o < end; o += chunk) {
        const n = Math.min(chunk, end - o);
        mem.set(input.subarray(o, o + n), ptr);
        ex.update(n, o === 0 ? 1 : 0);
      }
      mem.set(input.subarray(len - 64), lastPtr);
      const streamed = u64(ex.finish((len - 1) & 63));
      if (got !== undefined && got !== streamed) fail(`${file} self-test: hash64 and update/finish disagree at length ${len}`);
      got = streamed;
    }
    if (got !== want) fail(`${file} self-test: Hash64 of ${len} bytes at ${off} = ${got}, expected ${want}`);
  }
}

function bitwise(poly, crc, data) {
  let c = ~crc >>> 0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
  }
  return ~c >>> 0;
}

/** Whether the module has a section with the given id (walks the top-level section list). */
function hasSection(bytes, id) {
  let p = 8; // magic + version
  const leb = () => {
    let v = 0, shift = 0, b;
    do { b = bytes[p++]; v |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
    return v >>> 0;
  };
  while (p < bytes.length) {
    const sid = bytes[p++];
    const size = leb();
    if (sid === id) return true;
    p += size;
  }
  return false;
}
