// NonMaxSuppressionV5's three outputs, padded to max_output_size when asked. Expected values: the
// example of TensorFlow's tf.image.non_max_suppression documentation and tests (six boxes in three
// clusters, max 3, IoU 0.5: indices 3, 0, 5).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, int32Tensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
beforeAll(async () => { await tf.setBackend('cpu'); });

const BOXES = [[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11], [0, 10.1, 1, 11.1], [0, 100, 1, 101]];
const SCORES = [0.9, 0.75, 0.6, 0.95, 0.5, 0.3];

async function nms(maxOut: number, pad: boolean) {
  const f = (n: string, v: number) => node(n, 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([v])) });
  const files = await savedModelFiles(
    [
      node('boxes', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([6, 4]) }),
      node('scores', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([6]) }),
      node('max', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([maxOut])) }),
      f('iou', 0.5), f('score_threshold', 0), f('sigma', 0),
      node('nms', 'NonMaxSuppressionV5', ['boxes', 'scores', 'max', 'iou', 'score_threshold', 'sigma'], { T: attr.type(F), pad_to_max_output_size: attr.bool(pad) }),
    ],
    [], { boxes: ['boxes:0', F], scores: ['scores:0', F] }, { indices: ['nms:0', I], scores: ['nms:1', F], valid: ['nms:2', I] },
  );
  const m = await loadSavedModel(files);
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  const r = await m.run({ boxes: BOXES, scores: SCORES });
  m.dispose();
  return { indices: r.indices!.values, scores: (r.scores!.values as number[]).map((v) => Math.round(v * 100) / 100), valid: r.valid!.values };
}

describe('NonMaxSuppressionV5', () => {
  it('valid_outputs, unpadded', async () => {
    expect(await nms(3, false)).toEqual({ indices: [3, 0, 5], scores: [0.95, 0.9, 0.3], valid: [3] });
  });
  it('pad_to_max_output_size: zeros up to max_output_size, valid_outputs the real count', async () => {
    expect(await nms(6, true)).toEqual({ indices: [3, 0, 5, 0, 0, 0], scores: [0.95, 0.9, 0.3, 0, 0, 0], valid: [3] });
  });
});
