// Issue 14 item 3: SaveOptions.saveDebugInfo writes debug/saved_model_debug_info.pb, a
// tensorflow.GraphDebugInfo keyed "node@function" as TensorFlow keys it, whose frames name the
// tfjs layer path and kernel that produced each node. Checked with our message and with protoc.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, isSavedModelError, tensorflow } from '@savedmodel-js/core';
import { Module, exportModel, saveModel, tensorSpec } from '../src/index.js';
import { FIXTURES_MORE as FIXTURES_MORE_DIR, REPO_ROOT } from '../../core/test/shared.js';

const REPO_PROTO = join(REPO_ROOT, 'proto');
const DEBUG = 'debug/saved_model_debug_info.pb';
const hasProtoc = spawnSync('protoc', ['--version']).status === 0;

beforeAll(async () => { await tf.setBackend('cpu'); });

function denseModel(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'my_dense', kernelInitializer: 'ones' })] });
}

async function save(obj: Module | tf.LayersModel, options: Record<string, unknown>): Promise<Map<string, Uint8Array>> {
  const sink = fileMapSink();
  await saveModel(obj, sink, { options });
  return sink.files;
}

function graphOf(files: Map<string, Uint8Array>): tensorflow.IGraphDef {
  return tensorflow.SavedModel.decode(files.get('saved_model.pb')!).meta_graphs[0]!.graph_def!;
}

function filesOf(info: tensorflow.IGraphDebugInfo, key: string): string[] {
  return (info.traces?.[key]?.file_line_cols ?? []).map((c) => info.files![c.file_index ?? 0]!);
}

function protocDecode(bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'debug-info-'));
  try {
    const f = join(dir, 'in.pb');
    writeFileSync(f, bytes);
    return execFileSync('protoc', [`-I${REPO_PROTO}`, '-I/usr/include', '--decode=tensorflow.GraphDebugInfo', 'tensorflow/graph_debug_info.proto'], { input: readFileSync(f) }).toString();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SaveOptions.saveDebugInfo', () => {
  it('writes debug/saved_model_debug_info.pb only when asked', async () => {
    expect((await save(denseModel(), {})).has(DEBUG)).toBe(false);
    expect((await save(denseModel(), { saveDebugInfo: false })).has(DEBUG)).toBe(false);
    expect((await save(denseModel(), { saveDebugInfo: true })).has(DEBUG)).toBe(true);
  });

  it('rejects a non-boolean value and still rejects unknown keys', async () => {
    for (const options of [{ saveDebugInfo: 'yes' }, { saveDebugInf: true }]) {
      let err: unknown;
      try { await save(denseModel(), options); } catch (e) { err = e; }
      expect(isSavedModelError(err) && err.code).toBe('INVALID_ARGUMENT');
      expect(String(err)).toContain(Object.keys(options)[0]);
    }
  });

  it('traces every node and input of every function and of the top-level graph; Dense MatMul names layer and kernel', async () => {
    const files = await save(denseModel(), { saveDebugInfo: true });
    const info = tensorflow.GraphDebugInfo.decode(files.get(DEBUG)!);
    const graph = graphOf(files);
    const fns = graph.library?.function ?? [];
    expect(fns.length).toBeGreaterThan(2);
    let count = 0;
    for (const f of fns) {
      const fn = f.signature!.name!;
      for (const a of f.signature?.input_arg ?? []) expect(info.traces[`${a.name}@${fn}`], `${a.name}@${fn}`).toBeDefined();
      for (const n of f.node_def ?? []) {
        const t = info.traces[`${n.name}@${fn}`];
        expect(t?.file_line_cols.length, `${n.name}@${fn}`).toBeGreaterThan(0);
        count++;
      }
    }
    for (const n of graph.node ?? []) expect(info.traces[n.name!], n.name!).toBeDefined();
    expect(Object.keys(info.traces).length).toBe(count + (graph.node ?? []).length + fns.reduce((k, f) => k + (f.signature?.input_arg?.length ?? 0), 0));
    // every frame points into files
    for (const t of Object.values(info.traces)) for (const c of t.file_line_cols) expect(c.file_index).toBeLessThan(info.files.length);

    const matmuls = fns.flatMap((f) => (f.node_def ?? []).filter((n) => /MatMul/.test(n.op ?? '')).map((n) => `${n.name}@${f.signature!.name}`));
    expect(matmuls.length).toBeGreaterThan(0);
    for (const key of matmuls) {
      const frames = filesOf(info, key);
      expect(frames.some((x) => x.startsWith('tfjs-layer:') && x.includes('my_dense')), `${key}: ${frames.join(' | ')}`).toBe(true);
      expect(frames.some((x) => /^tfjs-kernel:(_Fused)?(Batch)?MatMul$/.test(x)), `${key}: ${frames.join(' | ')}`).toBe(true);
      // outermost frame first, as TF lists them: the layer, then the kernel
      expect(frames[frames.length - 1]).toMatch(/^tfjs-kernel:/);
    }
    for (const [key, t] of Object.entries(info.traces)) {
      if (t.file_line_cols.some((c) => info.files[c.file_index]!.startsWith('tfjs-kernel:('))) throw new Error(`${key}: a pseudo kernel named as a tfjs kernel`);
    }
  });

  it('works for a Module and for exportModel', async () => {
    const m = new Module();
    const v = m.track('v', tf.variable(tf.scalar(2)));
    m.addFunction('f', (x: tf.Tensor) => tf.mul(x, v), [tensorSpec([null])]);
    const files = await save(m, { saveDebugInfo: true });
    const info = tensorflow.GraphDebugInfo.decode(files.get(DEBUG)!);
    const mulKeys = Object.keys(info.traces).filter((k) => k.startsWith('Mul@'));
    expect(mulKeys.length).toBeGreaterThan(0);
    expect(filesOf(info, mulKeys[0]!)).toEqual(['tfjs-kernel:Multiply']);

    const sink = fileMapSink();
    await exportModel(denseModel(), sink, { verbose: false, options: { saveDebugInfo: true } } as never);
    expect(sink.files.has(DEBUG)).toBe(true);
  });

  it.skipIf(!hasProtoc)('decodes with protoc --decode tensorflow.GraphDebugInfo (independent decoder)', async () => {
    const files = await save(denseModel(), { saveDebugInfo: true });
    const text = protocDecode(files.get(DEBUG)!);
    const info = tensorflow.GraphDebugInfo.decode(files.get(DEBUG)!);
    const keys = [...text.matchAll(/^ {2}key: "(.*)"$/gm)].map((m) => m[1]);
    expect(keys.sort()).toEqual(Object.keys(info.traces).sort());
    expect(text).toMatch(/files: "tfjs-kernel:/);
    expect(text).not.toMatch(/^\s*\d+:/m); // no unknown fields
  });
});

describe('TensorFlow-written debug info', () => {
  it('decodes with our message; keys have the node@function form we emit', () => {
    const bytes = readFileSync(join(FIXTURES_MORE_DIR, 'tf_x_plus_y_v2_debuginfo', DEBUG));
    const info = tensorflow.GraphDebugInfo.decode(bytes);
    const keys = Object.keys(info.traces);
    expect(keys).toContain('add@__inference_some_function_7');
    expect(keys).toContain('x@__inference_some_function_7'); // inputs are keyed too, as we do
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_.\-/]+@__inference_[A-Za-z0-9_]+$/);
    for (const t of Object.values(info.traces)) for (const c of t.file_line_cols) expect(c.file_index).toBeLessThan(info.files.length);
    expect(info.files.some((f) => f.endsWith('.py'))).toBe(true);
  });
});
