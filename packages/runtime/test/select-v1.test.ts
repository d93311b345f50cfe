// TF1's Select (tf.compat.v1.where): a condition of x's shape picks elements, a vector condition
// picks rows of x's first dimension, a scalar picks all of x or all of y (TensorFlow's
// documentation of the op). tfjs-converter's tf.where broadcast a vector against the last axis.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, B = DT.DT_BOOL;
beforeAll(async () => { await tf.setBackend('cpu'); });

async function select(cond: unknown, condShape: number[], x: number[][], y: number[][]): Promise<number[]> {
  const ph = (n: string, t: number, s: number[]) => node(n, 'Placeholder', [], { dtype: attr.type(t), shape: attr.shape(s) });
  const files = await savedModelFiles(
    [ph('c', B, condShape), ph('x', F, [2, 2]), ph('y', F, [2, 2]), node('s', 'Select', ['c', 'x', 'y'], { T: attr.type(F) })],
    [], { c: ['c:0', B], x: ['x:0', F], y: ['y:0', F] }, { s: ['s:0', F] },
  );
  const m = await loadSavedModel(files);
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  const got = (await m.run({ c: cond, x, y })).s!.values as number[];
  const t = m.predict({ c: tf.tensor(cond as boolean[], condShape, 'bool'), x: tf.tensor(x), y: tf.tensor(y) }) as tf.Tensor;
  expect(Array.from(t.dataSync())).toEqual(got);
  m.dispose();
  return got;
}

describe('Select (TF1) as TensorFlow defines it', () => {
  const x = [[1, 2], [3, 4]], y = [[5, 6], [7, 8]];
  it('a vector condition picks rows', async () => {
    expect(await select([true, false], [2], x, y)).toEqual([1, 2, 7, 8]);
    expect(await select([false, true], [2], x, y)).toEqual([5, 6, 3, 4]);
  });
  it('a condition of x\'s shape picks elements; a scalar picks a whole operand', async () => {
    expect(await select([[true, false], [false, true]], [2, 2], x, y)).toEqual([1, 6, 7, 4]);
    expect(await select(false, [], x, y)).toEqual([5, 6, 7, 8]);
  });
});
