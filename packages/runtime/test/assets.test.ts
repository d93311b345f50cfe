// Asset paths as TensorFlow's loader feeds them to the init op: file_io.join(export_dir, 'assets',
// filename) with export_dir as the caller named it (TF2 keeps the path in a variable that
// signatures read, as tf.saved_model.Asset does); ReadFile of that path reads the asset, and only
// the SavedModel's own assets can be read.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, fileMapSink, isSavedModelError, node, tensorflow, writeSavedModel } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';

const DT = tensorflow.DataType;
const S = DT.DT_STRING;
const enc = new TextEncoder();
const tmp = mkdtempSync(join(tmpdir(), 'assets-'));

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** TF2's Asset pattern: init op assigns the fed path to a string variable; signatures read it (and ReadFile it). */
async function assetModel(readPath?: string): Promise<Map<string, Uint8Array>> {
  const str = (v: string) => ({ dtype: S, tensor_shape: {}, string_val: [enc.encode(v)] });
  const nodes = [
    node('asset_path_initializer', 'Const', [], { dtype: attr.type(S), value: attr.tensor(str('/original/export/assets/vocab.txt')) }),
    node('asset_var', 'VarHandleOp', [], { dtype: attr.type(S), shape: attr.shape([]), shared_name: { s: enc.encode('asset_var') } }),
    node('assign', 'AssignVariableOp', ['asset_var', 'asset_path_initializer'], { dtype: attr.type(S) }),
    node('init', 'NoOp', ['^assign'], {}),
    node('read', 'ReadVariableOp', ['asset_var'], { dtype: attr.type(S) }),
    node('contents', 'ReadFile', ['read'], {}),
  ];
  const outputs: Record<string, tensorflow.ITensorInfo> = {
    path: { name: 'read:0', dtype: S, tensor_shape: {} },
    contents: { name: 'contents:0', dtype: S, tensor_shape: {} },
  };
  if (readPath !== undefined) {
    nodes.push(node('other', 'Const', [], { dtype: attr.type(S), value: attr.tensor(str(readPath)) }), node('steal', 'ReadFile', ['other'], {}));
    outputs.steal = { name: 'steal:0', dtype: S, tensor_shape: {} };
  }
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'] },
    graph_def: { node: nodes, versions: { producer: 1000 } },
    asset_file_def: [{ tensor_info: { name: 'asset_path_initializer:0' }, filename: 'vocab.txt' }],
    signature_def: {
      serving_default: { inputs: {}, outputs, method_name: 'tensorflow/serving/predict' },
      __saved_model_init_op: { outputs: { __saved_model_init_op: { name: 'init' } } },
    },
  };
  const sink = fileMapSink();
  await writeSavedModel(sink, { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } });
  sink.files.set('assets/vocab.txt', enc.encode('hello\nworld\n'));
  return sink.files;
}

function toDisk(files: Map<string, Uint8Array>, dir: string): void {
  for (const [p, b] of files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), b);
  }
}

describe('asset paths', () => {
  it('a directory: <export_dir as given>/assets/<file>, absolute or relative, and ReadFile reads it', async () => {
    const files = await assetModel();
    const dir = join(tmp, 'model');
    toDisk(files, dir);
    for (const given of [dir, `${dir}/`, relative(process.cwd(), dir)]) {
      const m = await loadSavedModel(given);
      const r = await m.run({});
      expect(r.path!.values).toEqual([`${given.replace(/\/$/, '')}/assets/vocab.txt`]);
      expect(r.contents!.values).toEqual(['hello\nworld\n']);
      m.dispose();
    }
  });

  it('in memory (no directory): assets/<file>', async () => {
    const m = await loadSavedModel(await assetModel());
    const r = await m.run({});
    expect(r.path!.values).toEqual(['assets/vocab.txt']);
    expect(r.contents!.values).toEqual(['hello\nworld\n']);
    m.dispose();
  });

  it('ReadFile of a path that is not one of the assets → NOT_FOUND (nothing outside the SavedModel is read)', async () => {
    const secret = join(tmp, 'secret.txt');
    writeFileSync(secret, 'secret');
    const dir = join(tmp, 'model2');
    toDisk(await assetModel(secret), dir);
    const m = await loadSavedModel(dir);
    const err = await m.run({}).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(err, 'NOT_FOUND'), String(err)).toBe(true);
    m.dispose();
  });
});
