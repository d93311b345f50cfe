import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSavedModels, formatDifference } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { saveKerasModel } from '../src/index.js';
import { KERAS_CNN, kerasCnn } from './keras-cnn.js';

const tmp = mkdtempSync(join(tmpdir(), 'keras-sm-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('keras_cnn', () => {
  it('diff', async () => {
    const model = await kerasCnn();
    await model.optimizer.setWeights([{ name: 'iter', tensor: tf.scalar(2990, 'int32') }]);
    const out = join(tmp, 'cnn');
    await saveKerasModel(model, out);
    const diff = diffSavedModels(await readSavedModelDir(out), await readSavedModelDir(KERAS_CNN));
    console.log(diff.length, diff.map(formatDifference).join('\n'));
  }, 60000);
});
