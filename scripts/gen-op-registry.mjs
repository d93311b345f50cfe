#!/usr/bin/env node
// Generates packages/core/src/registry/op-registry-{common,rest}.gen.json from TensorFlow's op registry dump
// ($SAVEDMODEL_SHARED/tf/ops.pbtxt, text-format tensorflow.OpList; default ../shared beside
// the repository). The text is read with our own text-format parser, docs are stripped
// (summary, description, arg/attr descriptions), ops are sorted by name and written in the
// compact JSON form described in packages/core/src/registry/op-registry-format.ts (one op per
// line; every op is checked to expand back to the identical OpDef bytes).
//
// Why compact JSON and not base64 of the deterministic OpList bytes: for the TF 2.2 registry
// (1256 ops) the JSON is 301,895 bytes against 256,228 for base64 of the 192,170 OpList bytes,
// i.e. base64 is only 15% smaller raw, while the JSON gzips to 32.6 KB and the base64 text to
// 65 KB (what a browser bundle actually ships). The JSON also reads and diffs line by line
// when the registry is updated, and needs no protobuf decode of the whole table at load time
// (ops are expanded one at a time, on first use).
//
// Two tables: "common" (bundled, synchronous: every op tfjs-converter can execute plus COMMON_EXTRAS,
// i.e. what exports and loads use) and "rest" (imported lazily by loadOpRegistry(): verify, diff,
// unusual graphs), so a browser app that exports or loads does not ship 1,256 OpDefs. From
// tf/ops-2.21.pbtxt: the 2.21 delta (op-registry-2.21.gen.json) and its part for the common ops
// (op-registry-2.21-common.gen.json). From the installed @tensorflow/tfjs-converter's op lists:
// packages/convert/src/tfjs-converter-ops.gen.json (the ops a tfjs graph model may hold).
//
//   node scripts/gen-op-registry.mjs           write the files
//   node scripts/gen-op-registry.mjs --check   regenerate in memory; exit 1 if the committed
//                                              file differs
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { withoutFullTypes } from './ops-pbtxt.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'packages/core/src/registry');
/** Where an output goes: registry tables by file name, other outputs by their absolute path. */
const outPath = (name) => (isAbsolute(name) ? name : join(outDir, name));
const COMMON_FILE = 'op-registry-common.gen.json';
const REST_FILE = 'op-registry-rest.gen.json';
// TF 2.21's registry as a delta on TF 2.2's: the ops added or changed since 2.2 in full, and only
// the names of the ops 2.21 defines exactly as 2.2 does (923 of 1563; the file is ~200 KB instead
// of ~400 KB, which `savedmodel verify` parsed on every run). Only verify imports it (to tell
// "needs a TensorFlow newer than 2.2" from "unknown", and to type-check attrs added after 2.2);
// what we emit stays checked against 2.2.
const NEWEST_FILE = 'op-registry-2.21.gen.json';
const NEWEST_PBTXT = 'ops-2.21.pbtxt';
// The part of that delta a graph of common ops needs, bundled with verify: TF 2.21's definitions
// of the common ops it changed, and of COMMON_NEWER (header: "gone", the common ops 2.21 dropped).
// With it, verifying a SavedModel of common ops (most of what TensorFlow writes) reads neither the
// rest of TF 2.2's table nor the 2.21 delta (~450 KB: ~5 ms of a ~200 ms `savedmodel verify`).
const NEWEST_COMMON_FILE = 'op-registry-2.21-common.gen.json';
// Ops TF 2.2 does not have that TensorFlow writes into most SavedModels (DisableCopyOnRead: every
// save function since TF 2.13). The common table's header names them ("absent"), so that a lookup
// answers "not in TF 2.2" without loading the rest.
const COMMON_NEWER = ['DisableCopyOnRead'];

// Ops our packages emit or handle by name that tfjs-converter does not execute (saver, variables,
// function calls); packages/core/test/registry-common.test.ts checks the sources against this.
const COMMON_EXTRAS = [
  'Assert', 'Assign', 'AssignVariableOp', 'Conv3DBackpropInputV2', 'Diag', 'MergeV2Checkpoints', 'NoOp', 'PartitionedCall',
  'ReadVariableOp', 'ResourceGather', 'Restore', 'RestoreSlice', 'RestoreV2', 'SaveV2', 'ShardedFilename',
  'StatefulPartitionedCall', 'StaticRegexFullMatch', 'StringJoin', 'UnsortedSegmentSum', 'VarHandleOp',
  'VarIsInitializedOp', 'Variable', 'VariableV2', 'RefMerge', 'RefNextIteration', 'RefSwitch',
  // run by the loader's host ops (state, tables, assets, tf.Example) and lowered to If by name (Case)
  'AssignAdd', 'AssignAddVariableOp', 'AssignSub', 'AssignSubVariableOp', 'Case', 'InitializeTableFromTextFile',
  'InitializeTableFromTextFileV2', 'LookupTableInsert', 'LookupTableInsertV2', 'LookupTableRemoveV2', 'MutableHashTable',
  'MutableHashTableV2', 'ParseExample', 'ParseExampleV2', 'ParseSequenceExample', 'ParseSequenceExampleV2', 'ParseSingleExample',
  'ReadFile',
  // gradient kernels the runtime registers for TF1 train graphs (no tfjs-converter mapping)
  'Conv2DBackpropFilter', 'MaxPoolGrad',
  // frozen by the runtime as other TF ops (runtime/src/freeze/tf-semantics.ts)
  'AccumulateNV2', 'BiasAddV1', 'ConjugateTranspose', 'DepthwiseConv2dNativeBackpropInput', 'Erfc', 'FakeQuantWithMinMaxArgs',
  'FakeQuantWithMinMaxVarsPerChannel', 'Inv', 'L2Loss', 'PreventGradient', 'Rint', 'Softsign', 'TruncateDiv', 'TruncateMod',
  'Xdivy', 'Xlogy', 'Bucketize', 'Roll', 'SpaceToDepth',
  // run by the runtime's own ops (runtime/src/ops: no tfjs-converter mapping)
  'SegmentSum',
];

/** tfOpName of every op tfjs-converter 4.x maps (its dist/operations/op_list/*.js tables), and its version. */
function tfjsConverterOps() {
  const req = createRequire(join(root, 'packages/runtime/package.json'));
  const pkg = req.resolve('@tensorflow/tfjs-converter/package.json');
  const dir = join(dirname(pkg), 'dist/operations/op_list');
  const names = new Set();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js')).sort()) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/tfOpName['"]?\s*:\s*['"]([A-Za-z0-9_]+)['"]/g)) names.add(m[1]);
  }
  if (names.size < 100) {
    console.error(`gen-op-registry: found only ${names.size} ops in ${dir}`);
    process.exit(1);
  }
  return { names, version: JSON.parse(readFileSync(pkg, 'utf8')).version };
}
const check = process.argv.includes('--check');

const shared = resolve(process.env.SAVEDMODEL_SHARED ?? join(root, '..', 'shared'));
const opsPath = join(shared, 'tf', 'ops.pbtxt');
if (!existsSync(opsPath)) {
  console.error(`gen-op-registry: op registry not found: ${opsPath}\n` +
    'Set SAVEDMODEL_SHARED to the shared/ folder that holds tf/ops.pbtxt.');
  process.exit(1);
}

const { parseTextFormat } = await tsImport('../packages/core/src/text-format/index.ts', import.meta.url);
const { tensorflow, encodeDeterministic } = await tsImport('../packages/core/src/proto/index.ts', import.meta.url);
const fmt = {
  ...(await tsImport('../packages/core/src/registry/op-registry-format.ts', import.meta.url)),
  ...(await tsImport('../packages/core/src/registry/op-def-from-compact.ts', import.meta.url)),
  ...(await tsImport('../packages/core/src/registry/op-def-to-compact.ts', import.meta.url)),
};

const byteCmp = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** The OpDefs of one registry dump, normalised through the wire format and sorted by name. */
function readOps(path, label, dropFullTypes = false) {
  const text = readFileSync(path);
  const src = dropFullTypes ? withoutFullTypes(text.toString('utf8')) : text.toString('utf8');
  const opList = parseTextFormat('tensorflow.OpList', src, label);
  // normalise through the wire format so the objects look like decoded messages
  const list = tensorflow.OpList.decode(encodeDeterministic('tensorflow.OpList', tensorflow.OpList, opList)).op;
  if (list.length === 0) {
    console.error(`gen-op-registry: no ops in ${path}`);
    process.exit(1);
  }
  list.sort((a, b) => byteCmp(a.name, b.name));
  for (let i = 1; i < list.length; i++) {
    if (list[i].name === list[i - 1].name) {
      console.error(`gen-op-registry: op ${list[i].name} is defined twice in ${path}`);
      process.exit(1);
    }
  }
  return { ops: list, sha256: createHash('sha256').update(text).digest('hex') };
}

const { ops, sha256 } = readOps(opsPath, 'tf/ops.pbtxt');

let fallbacks = 0;
const converterOps = tfjsConverterOps();
const commonNames = new Set([...converterOps.names, ...COMMON_EXTRAS]);
// The ops stock tfjs-converter executes (its op lists), for convert's check that a tfjs graph
// model it writes loads in any TensorFlow.js app (packages/convert/src/stock-ops.ts).
const STOCK_OPS_FILE = join(root, 'packages/convert/src/tfjs-converter-ops.gen.json');
function stockOpsJson({ names, version }) {
  return `{"source":${JSON.stringify(`@tensorflow/tfjs-converter ${version} op_list`)},"ops":[\n${[...names].sort(byteCmp).map((n) => JSON.stringify(n)).join(',\n')}\n]}\n`;
}
const table = (part, list, source = `tf/ops.pbtxt sha256:${sha256}`, count = ops.length, extra = {}) => {
  const header = { format: fmt.REGISTRY_FORMAT, source, count, part, partCount: list.length, ...extra };
  return '{' + Object.entries(header).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',') +
    ',"ops":[\n' + list.map((op) => {
      const c = fmt.compactOp(fmt.stripOpDocs(op));
      if (c.pb !== undefined) fallbacks++;
      return JSON.stringify(c);
    }).join(',\n') + '\n]}\n';
};
const outputs = {
  [COMMON_FILE]: table('common', ops.filter((op) => commonNames.has(op.name)), undefined, undefined, { absent: COMMON_NEWER }),
  [REST_FILE]: table('rest', ops.filter((op) => !commonNames.has(op.name))),
};
const newestPath = join(shared, 'tf', NEWEST_PBTXT);
if (!existsSync(newestPath)) {
  console.error(`gen-op-registry: op registry not found: ${newestPath}`);
  process.exit(1);
}
const newest = readOps(newestPath, `tf/${NEWEST_PBTXT}`, true);
{
  const baseCompact = new Map(ops.map((op) => [op.name, JSON.stringify(fmt.compactOp(fmt.stripOpDocs(op)))]));
  const same = [];
  const changed = [];
  for (const op of newest.ops) {
    if (baseCompact.get(op.name) === JSON.stringify(fmt.compactOp(fmt.stripOpDocs(op)))) same.push(op.name);
    else changed.push(op);
  }
  const t = table('newest-delta', changed, `tf/${NEWEST_PBTXT} sha256:${newest.sha256}`, newest.ops.length);
  // the names defined as in TF 2.2, one line, after the header
  outputs[NEWEST_FILE] = t.replace(',"ops":[\n', `,"base":${JSON.stringify(`tf/ops.pbtxt sha256:${sha256}`)},"same":${JSON.stringify(same)},"ops":[\n`);
  {
    const names22 = new Set(ops.map((op) => op.name));
    const names221 = new Set(newest.ops.map((op) => op.name));
    for (const name of COMMON_NEWER) {
      if (names22.has(name) || !names221.has(name)) {
        console.error(`gen-op-registry: COMMON_NEWER op ${name} must be in TF 2.21's registry and not in TF 2.2's`);
        process.exit(1);
      }
    }
    const wanted = new Set([...commonNames, ...COMMON_NEWER]);
    const gone = [...commonNames].filter((n) => names22.has(n) && !names221.has(n)).sort(byteCmp);
    outputs[NEWEST_COMMON_FILE] = table('newest-common', changed.filter((op) => wanted.has(op.name)), `tf/${NEWEST_PBTXT} sha256:${newest.sha256}`, newest.ops.length, {
      base: `tf/ops.pbtxt sha256:${sha256}`, gone,
    });
  }
  // sanity: the delta and TF 2.2's ops together expand to TF 2.21's table
  const parsed = JSON.parse(outputs[NEWEST_FILE]);
  const base = new Map(ops.map((op) => [op.name, JSON.parse(baseCompact.get(op.name))]));
  const whole = [...parsed.ops, ...parsed.same.map((n) => base.get(n))].sort((a, b) => byteCmp(a.n, b.n));
  const a = tensorflow.OpList.encode({ op: whole.map(fmt.expandOp) }).finish();
  const b = tensorflow.OpList.encode({ op: newest.ops }).finish();
  if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) {
    console.error(`gen-op-registry: internal error: ${NEWEST_FILE} with TF 2.2's ops does not expand to TF 2.21's OpDefs`);
    process.exit(1);
  }
}

outputs[STOCK_OPS_FILE] = stockOpsJson(converterOps);

// sanity: what we write parses back to the same table
const back = [outputs[COMMON_FILE], outputs[REST_FILE]].flatMap((t) => JSON.parse(t).ops).sort((a, b) => byteCmp(a.n, b.n));
const again = tensorflow.OpList.encode({ op: back.map(fmt.expandOp) }).finish();
const want = tensorflow.OpList.encode({ op: ops }).finish();
if (Buffer.compare(Buffer.from(again), Buffer.from(want)) !== 0) {
  console.error('gen-op-registry: internal error: the compact tables do not expand to the original OpDefs');
  process.exit(1);
}

if (check) {
  for (const [name, out] of Object.entries(outputs)) {
    let committed = null;
    try {
      committed = readFileSync(outPath(name), 'utf8');
    } catch {
      committed = null;
    }
    if (committed !== out) {
      console.error(
        `gen-op-registry --check: ${relative(root, outPath(name))} is ${committed === null ? 'missing' : 'stale'}; ` +
          'run `node scripts/gen-op-registry.mjs` and commit the result.',
      );
      process.exit(1);
    }
  }
  console.log(`gen-op-registry --check: op registry is up to date (${ops.length} ops), and ${NEWEST_FILE} (${newest.ops.length} ops)`);
} else {
  for (const [name, out] of Object.entries(outputs)) writeFileSync(outPath(name), out);
  rmSync(join(outDir, 'op-registry.gen.json'), { force: true }); // the single table of before
  const b64 = Buffer.from(want).toString('base64').length;
  console.log(
    `gen-op-registry: ${ops.length} ops -> ${COMMON_FILE} (${JSON.parse(outputs[COMMON_FILE]).ops.length} ops, ${outputs[COMMON_FILE].length} bytes) + ` +
      `${REST_FILE} (${outputs[REST_FILE].length} bytes) + ${NEWEST_FILE} (${newest.ops.length} ops, ${JSON.parse(outputs[NEWEST_FILE]).ops.length} of them in full, ${outputs[NEWEST_FILE].length} bytes); base64 of the OpList bytes would be ${b64}; ${fallbacks} ops kept as bytes`,
  );
}
