// Mutated real files through the public loaders, end to end (decode, freeze, build the layers model,
// run): anything that goes wrong must be a SavedModelError, never a TypeError/RangeError from our code
// or tfjs's. Byte mutations hit TensorFlow-written SavedModels; structural mutations (a value replaced by
// a hostile one) hit the JSON inside tfjs model.json, keras_metadata.pb and a Keras 3 config.json, where
// byte flips would mostly just break the JSON. Seeded, so a failure names a reproducible case. Running
// these found two bugs: a non-string dtype in a layers config and a plain object as fileMapSink's target.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorflow, third_party } from '@savedmodel-js/core';
import { zipSource } from '@savedmodel-js/zip';
import {
  convertSavedModelToTfjs, convertTfjsModel, exportModel, fileMapSink, fileMapSource, isSavedModelError, loadKerasH5, loadKerasModel, loadKerasV3,
  loadSavedModel, saveToZipBlob,
} from '../src/index.js';
import { FIXTURE_NAMES, fixtureFiles } from '../../core/test/shared.js';
import { mulberry32, randomInt } from '../../core/test/checkpoint-prng.js';
import { h5StringAttr, withH5StringAttr } from '../../keras/test/helpers/h5-attrs.js';

// Per fixture or model (each case loads and runs a whole model); FUZZ_CASES=500 for a deeper local run.
const CASES = Number(process.env['FUZZ_CASES'] ?? 12);
// FUZZ_SEED=N shifts every case's seed, for a local run that explores cases CI does not.
const SEED = Number(process.env['FUZZ_SEED'] ?? 0);
const KERAS3 = join(import.meta.dirname, '../../keras/test/fixtures/keras3/flownet_final_model.keras');
const KERAS2 = join(import.meta.dirname, '../../keras/test/fixtures/keras2');

beforeAll(async () => {
  await tf.setBackend('cpu');
  console.warn = () => {}; // tfjs and the loaders warn about what they skip in damaged files
});

// FUZZ_DUMP=dir writes each failing case's files there (one folder per case), to reproduce it alone.
const DUMP = process.env['FUZZ_DUMP'];
// FUZZ_SLOW_MS=n counts a case that takes longer than n ms as a failure too (hunting near-hangs).
const SLOW_MS = Number(process.env['FUZZ_SLOW_MS'] ?? 0);

function dump(label: string, files?: Map<string, Uint8Array>): void {
  if (!DUMP || !files) return;
  const dir = join(DUMP, label.replace(/[^\w.-]+/g, '_'));
  for (const [n, b] of files) { mkdirSync(dirname(join(dir, n)), { recursive: true }); writeFileSync(join(dir, n), b); }
}

/** Runs `fn`; returns a description of the failure when it throws anything but a SavedModelError. */
async function untyped(label: string, fn: () => Promise<unknown>, files?: Map<string, Uint8Array>): Promise<string | undefined> {
  // A macrotask turn before each case: loaders resolve mostly through microtasks, and the worker must
  // answer vitest's RPC between cases even on a loaded machine.
  await new Promise((r) => setTimeout(r, 0));
  const t0 = performance.now();
  const slow = (): string | undefined => {
    const ms = performance.now() - t0;
    if (!SLOW_MS || ms <= SLOW_MS) return undefined;
    dump(label, files);
    return `${label}: took ${Math.round(ms)} ms`;
  };
  try {
    await fn();
    return slow();
  } catch (e) {
    if (isSavedModelError(e)) return slow();
    dump(label, files);
    return `${label}: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e)}`;
  }
}

function mutateBytes(rand: () => number, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(b);
  if (c.length === 0) return c;
  switch (randomInt(rand, 4)) {
    case 0: for (let i = 0; i <= randomInt(rand, 4); i++) c[randomInt(rand, c.length)]! ^= 1 << randomInt(rand, 8); return c;
    case 1: return c.subarray(0, randomInt(rand, c.length));
    case 2: for (let i = 0; i <= randomInt(rand, 4); i++) c[randomInt(rand, c.length)] = [0, 0xff, 0x7f, 0x80][randomInt(rand, 4)]!; return c;
    default: { const o = randomInt(rand, c.length); c.fill(0xff, o, o + 1 + randomInt(rand, 8)); return c; }
  }
}

const HOSTILE_VALUES: unknown[] = [-1, 0, 1e12, 2 ** 53, '', 'float16', 'constructor', null, [], {}, [1e9, 1e9], ['a'], true, [null, -5], { class_name: 'Nope', config: {} }];

const KEYS = new Set(['dtype', 'shape', 'batch_input_shape', 'batch_shape', 'class_name', 'units', 'filters', 'kernel_size', 'strides', 'axis', 'target_shape', 'layers', 'inbound_nodes', 'input_layers', 'output_layers', 'weights', 'paths', 'activation', 'config']);

/** A copy of `json` with 1–3 values (anywhere in the tree) replaced by hostile ones or deleted. */
function mutateJson(rand: () => number, json: unknown): unknown {
  const copy = structuredClone(json);
  const paths: string[][] = [];
  const walk = (o: unknown, p: string[]) => {
    if (o && typeof o === 'object') for (const k of Object.keys(o)) { paths.push([...p, k]); walk((o as Record<string, unknown>)[k], [...p, k]); }
  };
  walk(copy, []);
  // Half the time a key that decides shapes, types or classes: a uniform pick mostly lands on names.
  const keyed = paths.filter((p) => KEYS.has(p[p.length - 1]!));
  for (let n = 0; n <= randomInt(rand, 3) && paths.length > 0; n++) {
    const from = keyed.length > 0 && randomInt(rand, 2) === 0 ? keyed : paths;
    const p = from[randomInt(rand, from.length)]!;
    let o = copy as Record<string, unknown> | undefined;
    for (const k of p.slice(0, -1)) o = o?.[k] as Record<string, unknown> | undefined;
    if (!o || typeof o !== 'object') continue;
    const last = p[p.length - 1]!;
    if (randomInt(rand, 5) === 0) delete o[last];
    else o[last] = structuredClone(HOSTILE_VALUES[randomInt(rand, HOSTILE_VALUES.length)]);
  }
  return copy;
}

/** Nested plain values of `shape` (unknown dims 2). */
function filled(shape: readonly number[], v: unknown): unknown {
  return shape.length === 0 ? v : Array.from({ length: shape[0]! < 0 ? 2 : shape[0]! }, () => filled(shape.slice(1), v));
}

/** The entries of the real .keras file. */
async function keras3Entries(): Promise<Map<string, Uint8Array>> {
  const zip = await zipSource(new Uint8Array(readFileSync(KERAS3)));
  const entries = new Map<string, Uint8Array>();
  for (const n of await zip.list()) entries.set(n, await zip.read(n));
  return entries;
}

/** The .keras file's bytes with entry `name` replaced by `bytes`. */
async function rezipped(entries: Map<string, Uint8Array>, name: string, bytes: Uint8Array): Promise<Uint8Array> {
  const blob = await saveToZipBlob(async (sink) => { for (const [n, b] of entries) await sink.write(n, n === name ? bytes : b); });
  return new Uint8Array(await blob.arrayBuffer());
}

/** Loads and runs the default signature; resolves true when both worked. */
async function loadAndRun(files: Map<string, Uint8Array>): Promise<boolean> {
  const model = await loadSavedModel(fileMapSource(files));
  try {
    const feeds: Record<string, unknown> = {};
    model.inputs.forEach((t, i) => { feeds[model.inputKeys[i]!] = filled(t.shape ?? [], t.dtype === 'string' ? 'a' : t.dtype === 'bool' ? false : 1); });
    await model.run(feeds);
    return true;
  } finally {
    model.dispose();
  }
}

describe('public loaders on mutated real files: typed errors only', () => {
  it.each(FIXTURE_NAMES)('loadSavedModel + run, TF-written %s with one file damaged', async (name) => {
    const files = fixtureFiles(name);
    const rand = mulberry32(SEED + name.length * 7919 + 1);
    const names = [...files.keys()];
    const failures: string[] = [];
    expect(await loadAndRun(files)).toBe(true); // undamaged, the model loads and runs
    for (let i = 0; i < CASES; i++) {
      const f = names[randomInt(rand, names.length)]!;
      const damaged = new Map(files).set(f, mutateBytes(rand, files.get(f)!));
      const bad = await untyped(`${name} case ${i} (${f})`, () => loadAndRun(damaged), damaged);
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 5_000 * CASES);

  it.each(FIXTURE_NAMES)('convertSavedModelToTfjs, TF-written %s with one file damaged', async (name) => {
    const files = fixtureFiles(name);
    const rand = mulberry32(SEED + name.length * 104729 + 3);
    const names = [...files.keys()];
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const f = names[randomInt(rand, names.length)]!;
      const damaged = new Map(files).set(f, mutateBytes(rand, files.get(f)!));
      const bad = await untyped(`${name} case ${i} (${f})`, () => convertSavedModelToTfjs(fileMapSource(damaged), fileMapSink(new Map())), damaged);
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 5_000 * CASES);

  it('convertTfjsModel on layers model.json files with hostile values anywhere', async () => {
    const m = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }), tf.layers.batchNormalization(),
      tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    let art: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    m.dispose();
    const json = { format: 'layers-model', modelTopology: art!.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: art!.weightSpecs }] };
    const weights = new Uint8Array(art!.weightData as ArrayBuffer);
    const rand = mulberry32(SEED + 2024);
    const failures: string[] = [];
    for (let i = 0; i < 6 * CASES; i++) {
      const src = new Map([['model.json', new TextEncoder().encode(JSON.stringify(mutateJson(rand, json)))], ['w.bin', weights]]);
      const bad = await untyped(`case ${i}`, () => convertTfjsModel(src, fileMapSink(new Map())), src);
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 10_000 * CASES);

  it('loadKerasModel on keras_cnn with hostile values in keras_metadata.pb', async () => {
    const files = fixtureFiles('keras_cnn');
    const SavedMetadata = third_party.py.keras.protobuf.SavedMetadata;
    const meta = SavedMetadata.decode(files.get('keras_metadata.pb')!);
    const rand = mulberry32(SEED + 77);
    const failures: string[] = [];
    for (let i = 0; i < 3 * CASES; i++) {
      const nodes = meta.nodes.map((n) => ({ ...n }));
      const k = randomInt(rand, nodes.length);
      nodes[k]!.metadata = JSON.stringify(mutateJson(rand, JSON.parse(nodes[k]!.metadata ?? '{}')));
      const damaged = new Map(files).set('keras_metadata.pb', SavedMetadata.encode({ nodes }).finish());
      const bad = await untyped(`case ${i} (node ${k})`, async () => (await loadKerasModel(fileMapSource(damaged))).dispose(), damaged);
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 10_000 * CASES);

  it('loadKerasV3 on a real .keras file with hostile values in config.json', async () => {
    const entries = await keras3Entries();
    const config = JSON.parse(new TextDecoder().decode(entries.get('config.json')!));
    const rand = mulberry32(SEED + 4242);
    const failures: string[] = [];
    for (let i = 0; i < 3 * CASES; i++) {
      const bytes = await rezipped(entries, 'config.json', new TextEncoder().encode(JSON.stringify(mutateJson(rand, config))));
      const bad = await untyped(`case ${i}`, async () => (await loadKerasV3(bytes)).dispose(), new Map([['model.keras', bytes]]));
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 10_000 * CASES);

  it.each(['lstm_functional_tf_keras_2.h5', 'simple_rnn_tf_keras_2_model.h5'])('loadKerasH5 on the Keras 2 file %s with its bytes damaged', async (name) => {
    const bytes = new Uint8Array(readFileSync(join(KERAS2, name)));
    const rand = mulberry32(SEED + name.length * 31 + 5);
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const damaged = mutateBytes(rand, bytes);
      const bad = await untyped(`${name} case ${i}`, async () => (await loadKerasH5(damaged, { onWarning: () => {} })).dispose(), new Map([[name, damaged]]));
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 10_000 * CASES);

  it('loadKerasH5 on a real Keras 2 file with hostile values in model_config and training_config', async () => {
    const bytes = new Uint8Array(readFileSync(join(KERAS2, 'lstm_functional_tf_keras_2.h5')));
    const training = await h5StringAttr(bytes, 'training_config');
    const configs = { model_config: JSON.parse((await h5StringAttr(bytes, 'model_config'))!), training_config: training === undefined ? undefined : JSON.parse(training) };
    const rand = mulberry32(SEED + 9091);
    const failures: string[] = [];
    for (let i = 0; i < 3 * CASES; i++) {
      const which = configs.training_config !== undefined && randomInt(rand, 3) === 0 ? 'training_config' : 'model_config';
      const damaged = await withH5StringAttr(bytes, which, JSON.stringify(mutateJson(rand, configs[which])));
      const bad = await untyped(`case ${i} (${which})`, async () => (await loadKerasH5(damaged, { onWarning: () => {} })).dispose(), new Map([['model.h5', damaged]]));
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 10_000 * CASES);

  it('convertTfjsModel on graph model.json files with hostile values anywhere', async () => {
    const m = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }), tf.layers.batchNormalization(),
      tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    const sm = fileMapSink();
    await exportModel(m, sm);
    m.dispose();
    const graph = fileMapSink();
    await convertSavedModelToTfjs(fileMapSource(sm.files), graph);
    const json = JSON.parse(new TextDecoder().decode(graph.files.get('model.json')!));
    const rand = mulberry32(SEED + 5151);
    const failures: string[] = [];
    for (let i = 0; i < 6 * CASES; i++) {
      const src = new Map(graph.files).set('model.json', new TextEncoder().encode(JSON.stringify(mutateJson(rand, json))));
      const bad = await untyped(`case ${i}`, () => convertTfjsModel(src, fileMapSink(new Map())), src);
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 10_000 * CASES);

  it('loadKerasV3 on a real .keras file with its model.weights.h5 bytes damaged', async () => {
    const entries = await keras3Entries();
    expect(entries.has('model.weights.h5')).toBe(true);
    const rand = mulberry32(SEED + 6161);
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const bytes = await rezipped(entries, 'model.weights.h5', mutateBytes(rand, entries.get('model.weights.h5')!));
      const bad = await untyped(`case ${i}`, async () => (await loadKerasV3(bytes, { onWarning: () => {} })).dispose(), new Map([['model.keras', bytes]]));
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 10_000 * CASES);

  // Byte flips mostly break the protobuf framing; these keep it valid and change what a node says:
  // an input's node or output index, an attr's value, the op itself, a function's ret.
  it.each(FIXTURE_NAMES)('loadSavedModel + run, TF-written %s with nodes changed structurally', async (name) => {
    const files = fixtureFiles(name);
    const original = tensorflow.SavedModel.decode(files.get('saved_model.pb')!);
    const rand = mulberry32(SEED + name.length * 613 + 11);
    const pick = <T>(a: readonly T[]): T | undefined => (a.length > 0 ? a[randomInt(rand, a.length)] : undefined);
    const OPS = ['Identity', 'AddV2', 'MatMul', 'Const', 'Placeholder', 'NoOp', 'StatefulPartitionedCall', 'ReadVariableOp', 'Reshape', 'ConcatV2', 'Nope'];
    const ATTRS: tensorflow.IAttrValue[] = [
      { type: tensorflow.DataType.DT_STRING }, { type: 999 as tensorflow.DataType }, { i: -1 }, { i: 1e9 }, { shape: { dim: [{ size: -5 }] } },
      { shape: { unknown_rank: true } }, { list: {} }, { list: { type: [tensorflow.DataType.DT_FLOAT, tensorflow.DataType.DT_INT64] } }, { func: { name: 'nowhere' } }, { s: new Uint8Array([0xff]) }, {},
    ];
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const sm = tensorflow.SavedModel.decode(files.get('saved_model.pb')!);
      expect(sm.meta_graphs.length).toBe(original.meta_graphs.length);
      const mg = sm.meta_graphs[0]!;
      const bodies: tensorflow.INodeDef[][] = [mg.graph_def?.node ?? [], ...(mg.graph_def?.library?.function ?? []).map((f) => f.node_def ?? [])];
      for (let k = 0; k <= randomInt(rand, 2); k++) {
        const nodes = pick(bodies.filter((b) => b.length > 0));
        const n = nodes && pick(nodes);
        if (!n) continue;
        switch (randomInt(rand, 5)) {
          case 0: { // an input: another node's name, or another output index
            const ins = n.input ?? [];
            if (ins.length === 0) break;
            const j = randomInt(rand, ins.length);
            const other = pick(nodes)!.name ?? '';
            ins[j] = randomInt(rand, 2) === 0 ? other : ins[j]!.replace(/\d+$/, String(randomInt(rand, 4)));
            break;
          }
          case 1: { const keys = Object.keys(n.attr ?? {}); const a = pick(keys); if (a) n.attr![a] = structuredClone(pick(ATTRS)!); break; }
          case 2: n.op = pick(OPS)!; break;
          case 3: n.input = [...(n.input ?? []), pick(nodes)!.name ?? '']; break;
          default: {
            const f = pick(mg.graph_def?.library?.function ?? []);
            const r = f && pick(Object.keys(f.ret ?? {}));
            if (f && r) f.ret![r] = `${pick(f.node_def ?? [])?.name ?? 'x'}:output:${randomInt(rand, 3)}`;
          }
        }
      }
      const damaged = new Map(files).set('saved_model.pb', tensorflow.SavedModel.encode(sm).finish());
      const bad = await untyped(`${name} case ${i}`, () => loadAndRun(damaged), damaged);
      if (bad) failures.push(bad);
    }
    expect(failures).toEqual([]);
  }, 10_000 * CASES);
});
