// loadFromSavedModel (TF's load_from_saved_model) on what exportSavedModelV1 wrote, and the CLI's
// view of a compiled export (show --all lists the three tag-sets, verify --strict is clean).
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSavedModelError } from '@savedmodel-js/core';
import { main } from '../../cli/src/main.js';
import { exportSavedModelV1, loadFromSavedModel, saveKerasModelV1 } from '../src/index.js';
import { registerZeroReadSyncBackend, ZERO_READSYNC, zeroReadSync } from '../../trace/test/helpers/zero-readsync-backend.js';

const tmp = mkdtempSync(join(tmpdir(), 'keras-v1-load-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { out += s; } });
  return { code, out };
}

function model(): tf.LayersModel {
  const input = tf.input({ shape: [4], name: 'features' });
  const h = tf.layers.dense({ units: 5, activation: 'tanh', name: 'hidden' }).apply(input) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }).apply(h) as tf.SymbolicTensor;
  const m = tf.model({ inputs: input, outputs: out });
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const X = tf.tensor2d([[0.1, -0.2, 0.3, 0.4], [1, 2, -3, 0.5]]);

class Doubler extends tf.layers.Layer {
  static className = 'DoublerV1LoadTest';
  override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor { return tf.mul(Array.isArray(x) ? x[0]! : x, 2); }
}

describe('loadFromSavedModel', () => {
  it('restores config and weights: predictions equal', async () => {
    const m = model();
    const dir = await saveKerasModelV1(m, join(tmp, 'base'));
    const back = await loadFromSavedModel(dir);
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    expect(Array.from((back.predict(X) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(X) as tf.Tensor).dataSync()));
  });

  it('customObjects make an unregistered layer class exportable and loadable', async () => {
    const input = tf.input({ shape: [4] });
    const d = tf.layers.dense({ units: 2 }).apply(new Doubler({}).apply(input)) as tf.SymbolicTensor;
    const m = tf.model({ inputs: input, outputs: d });
    const dir = join(tmp, 'custom');
    await exportSavedModelV1(m, dir, { customObjects: { DoublerV1LoadTest: Doubler } });
    const back = await loadFromSavedModel(dir, { customObjects: { DoublerV1LoadTest: Doubler } });
    expect(Array.from((back.predict(X) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(X) as tf.Tensor).dataSync()));
    unlinkSync(join(dir, 'assets', 'saved_model.json'));
    const err = await loadFromSavedModel(dir).catch((e: unknown) => e);
    expect(isSavedModelError(err) && err.code).toBe('NOT_FOUND');
    const bad = await loadFromSavedModel(dir, { bogus: 1 } as never).catch((e: unknown) => e);
    expect(isSavedModelError(bad) && bad.code).toBe('INVALID_ARGUMENT');
  });

  it('CLI: show --all lists serve, train and eval; verify --strict is clean', async () => {
    const dir = join(tmp, 'cli');
    await exportSavedModelV1(model(), dir);
    const show = await cli('show', dir, '--all');
    expect(show.code).toBe(0);
    for (const t of ['serve', 'train', 'eval']) expect(show.out).toContain(`MetaGraphDef with tag-set: '${t}'`);
    expect(show.out).toContain("signature_def['train']");
    expect(show.out).toContain('tensorflow/supervised/training');
    const verify = await cli('verify', dir, '--strict');
    expect(verify.out).not.toMatch(/error/i);
    expect(verify.code).toBe(0);
  });
});

describe('exportSavedModelV1 on a backend whose synchronous read is unreliable (webgpu in headless Chromium)', () => {
  it('reads the variables asynchronously: loaded back on cpu, the model predicts as it did', async () => {
    registerZeroReadSyncBackend();
    await tf.setBackend(ZERO_READSYNC);
    let want: number[];
    let dir: string;
    try {
      const m = model();
      // inputs made on each backend: tfjs moves a tensor between backends with a synchronous read
      const x = tf.tensor2d(X.arraySync());
      const y = m.predict(x) as tf.Tensor;
      want = Array.from(await y.data());
      zeroReadSync.syncReads = 0;
      dir = (await exportSavedModelV1(m, join(tmp, 'zero-readsync'))).location;
      expect(zeroReadSync.syncReads).toBe(0);
    } finally {
      await tf.setBackend('cpu');
    }
    const back = await loadFromSavedModel(dir);
    expect(Array.from(await (back.predict(X) as tf.Tensor).data())).toEqual(want);
  });
});
