#!/usr/bin/env node
// Builds the CRC WebAssembly module from source (`pnpm gen` runs this first).
//
//   wasm/crc32c/crc.ts  --asc-->  wasm/build/crc.wasm (+ crc.wat, for reading)
//                                 packages/core/src/crc32c/crc32c-wasm.gen.ts (base64 of the wasm)
//
// Both outputs are git-ignored. The build is deterministic (same compiler, same
// source -> same bytes; nothing time- or path-dependent goes into the outputs).
// Exits non-zero with the compiler's diagnostics if asc fails, and refuses a
// binary that breaks the loader's assumptions (size, imports, exports, data
// segments) or fails a self-test against a bit-at-a-time CRC; nothing is
// written in those cases.
import { mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(ROOT, 'wasm/crc32c/crc.ts');
const OUT_DIR = join(ROOT, 'wasm/build');
const OUT_WASM = join(OUT_DIR, 'crc.wasm');
const OUT_WAT = join(OUT_DIR, 'crc.wat');
const OUT_GEN = join(ROOT, 'packages/core/src/crc32c/crc32c-wasm.gen.ts');

/**
 * Chrome long refused synchronous `new WebAssembly.Module` of more than 4 KiB on the main
 * thread; staying under keeps the synchronous loader safe everywhere.
 * (CRC_WASM_MAX_BYTES overrides it, for experiments only.)
 */
const MAX_BYTES = Number(process.env.CRC_WASM_MAX_BYTES ?? 4096);

const ASC_FLAGS = [
  '--optimizeLevel', '3',
  '--shrinkLevel', '0',
  '--noAssert',
  '--runtime', 'stub',
  // no `abort` import: the module must instantiate with an empty import object
  '--use', 'abort=',
  // plain MVP wasm (the code needs nothing newer), for the widest engine support
  '--disable', 'bulk-memory,sign-extension,nontrapping-f2i,mutable-globals',
  '--noColors',
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

const outputs = new Map();
const stderrChunks = [];
const stdoutChunks = [];
const sink = (chunks) => ({ write(chunk) { chunks.push(String(chunk)); return true; } });

let result;
try {
  result = await asc.main(
    [relative(ROOT, SOURCE), '--outFile', 'crc.wasm', '--textFile', 'crc.wat', ...ASC_FLAGS, '--baseDir', ROOT],
    {
      stdout: sink(stdoutChunks),
      stderr: sink(stderrChunks),
      writeFile(name, contents) {
        outputs.set(name.replace(/^.*[\\/]/, ''), contents);
      },
    },
  );
} catch (e) {
  fail(`asc threw while compiling ${relative(ROOT, SOURCE)}:\n${e instanceof Error ? e.stack : e}\n${stderrChunks.join('')}`);
}

const diagnostics = stderrChunks.join('');
if (result.error) {
  fail(`asc failed to compile ${relative(ROOT, SOURCE)}: ${result.error.message}\n${diagnostics}`);
}
if (diagnostics.trim()) process.stderr.write(diagnostics); // warnings

const wasm = outputs.get('crc.wasm');
const wat = outputs.get('crc.wat');
if (!(wasm instanceof Uint8Array) || wasm.length === 0) fail('asc reported success but produced no crc.wasm');

checkBinary(wasm);

const sha256 = createHash('sha256').update(wasm).digest('hex');
const base64 = Buffer.from(wasm).toString('base64');
const ascVersion = asc.version;

const gen =
  `// GENERATED FILE - DO NOT EDIT.\n` +
  `// Built by scripts/build-wasm.mjs (\`pnpm gen\`) from wasm/crc32c/crc.ts with AssemblyScript ${ascVersion}.\n` +
  `// ${wasm.length} bytes, sha256 ${sha256}.\n` +
  `\n` +
  `/** The CRC-32C / CRC-32 WebAssembly module, base64-encoded. */\n` +
  `export const CRC_WASM_BASE64 =\n  '${base64}';\n` +
  `\n` +
  `/** Length in bytes of the decoded module. */\n` +
  `export const CRC_WASM_BYTES = ${wasm.length};\n`;

await mkdir(OUT_DIR, { recursive: true });
await writeFile(OUT_WASM, wasm);
if (typeof wat === 'string') await writeFile(OUT_WAT, wat);
await writeFile(OUT_GEN, gen);

process.stdout.write(`build-wasm: ${relative(ROOT, OUT_WASM)} (${wasm.length} bytes), ${relative(ROOT, OUT_GEN)}\n`);

/** Structural checks the JS loader relies on. */
function checkBinary(bytes) {
  if (bytes.length > MAX_BYTES) {
    fail(`crc.wasm is ${bytes.length} bytes, over the ${MAX_BYTES}-byte budget for synchronous compilation on a browser main thread`);
  }
  let mod;
  try {
    mod = new WebAssembly.Module(bytes);
  } catch (e) {
    fail(`asc produced an invalid module: ${e instanceof Error ? e.message : e}`);
  }
  const imports = WebAssembly.Module.imports(mod);
  if (imports.length > 0) fail(`crc.wasm must not import anything, but imports ${imports.map((i) => `${i.module}.${i.name}`).join(', ')}`);
  const exports = new Set(WebAssembly.Module.exports(mod).map((e) => `${e.name}:${e.kind}`));
  for (const need of ['memory:memory', 'extend32c:function', 'extend32:function', 'INPUT_PTR:global', 'INPUT_SIZE:global']) {
    if (!exports.has(need)) fail(`crc.wasm lacks the export ${need}`);
  }
  // Tables live at fixed addresses from 4096 on; static data from the compiler would collide.
  if (hasSection(bytes, 11)) fail('crc.wasm has a data section; the source must not use static data (strings, arrays)');
  // Known answers and a bit-at-a-time reference over every code path (4-stream blocks,
  // 8-byte words, byte tail), so a miscompiled module never reaches the generated file.
  const { exports: ex } = new WebAssembly.Instance(mod, {});
  const mem = new Uint8Array(ex.memory.buffer);
  const ptr = ex.INPUT_PTR.value;
  const check = new TextEncoder().encode('123456789');
  mem.set(check, ptr);
  const c = ex.extend32c(0, ptr, check.length) >>> 0;
  const i = ex.extend32(0, ptr, check.length) >>> 0;
  if (c !== 0xe3069283) fail(`crc.wasm self-test: CRC-32C("123456789") = 0x${c.toString(16)}, expected 0xe3069283`);
  if (i !== 0xcbf43926) fail(`crc.wasm self-test: CRC-32("123456789") = 0x${i.toString(16)}, expected 0xcbf43926`);
  const sample = new Uint8Array(5003);
  for (let k = 0, x = 1; k < sample.length; k++) sample[k] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  mem.set(sample, ptr + 1);
  for (const [name, fn, poly] of [['CRC-32C', ex.extend32c, 0x82f63b78], ['CRC-32', ex.extend32, 0xedb88320]]) {
    const got = fn(0x1234567, ptr + 1, sample.length) >>> 0;
    const want = bitwise(poly, 0x1234567, sample);
    if (got !== want) fail(`crc.wasm self-test: ${name} of 5003 bytes = 0x${got.toString(16)}, bit-at-a-time reference 0x${want.toString(16)}`);
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
