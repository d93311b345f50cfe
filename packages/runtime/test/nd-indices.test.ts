// GatherNd and ScatterNd refuse an index tuple outside the shape it indexes, as TensorFlow does
// (INVALID_ARGUMENT), on cpu and on wasm, whose own kernels read past the params (GatherNd) or
// dropped the update (ScatterNd) without an error. Expected values: TensorFlow's documented
// examples (tf.gather_nd: indices [[0, 0], [1, 1]] into [['a', 'b'], ['c', 'd']] picks a and d;
// tf.scatter_nd: indices [[4], [3], [1], [7]], updates [9, 10, 11, 12], shape [8] gives
// [0, 11, 0, 10, 9, 0, 0, 12]).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, int32Tensor, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel, type TFSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(async () => { await tf.setBackend('cpu'); });

/** out = GatherNd([[1, 2], [3, 4]], indices) with the indices fed. */
const gatherModel = async () => loadSavedModel(await savedModelFiles([
  node('params', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([1, 2, 3, 4], [2, 2])) }),
  node('indices', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape(null) }),
  node('out', 'GatherNd', ['params', 'indices'], { Tparams: attr.type(F), Tindices: attr.type(I) }),
], [], { indices: ['indices:0', I] }, { out: ['out:0', F] }));

/** out = ScatterNd(indices, [9, 10, 11, 12], [8]) with the indices fed. */
const scatterModel = async () => loadSavedModel(await savedModelFiles([
  node('indices', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape(null) }),
  node('updates', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([9, 10, 11, 12], [4])) }),
  node('shape', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([8], [1])) }),
  node('out', 'ScatterNd', ['indices', 'updates', 'shape'], { T: attr.type(F), Tindices: attr.type(I) }),
], [], { indices: ['indices:0', I] }, { out: ['out:0', F] }));

async function run(m: TFSavedModel, indices: number[][]): Promise<unknown> {
  const x = tf.tensor2d(indices, undefined, 'int32');
  try {
    const y = m.predict({ indices: x }) as tf.Tensor;
    const r = await y.array();
    y.dispose();
    return r;
  } finally {
    x.dispose();
  }
}

for (const backend of ['cpu', 'wasm']) {
  describe(`GatherNd / ScatterNd indices on ${backend}`, () => {
    beforeAll(async () => { await tf.setBackend(backend); });

    it("GatherNd gives TensorFlow's documented picks and refuses an index past the params", async () => {
      const m = await gatherModel();
      expect(frozenGraphErrors(m.graph)).toEqual([]);
      expect(await run(m, [[0, 0], [1, 1]])).toEqual([1, 4]);
      expect(await run(m, [[1]])).toEqual([[3, 4]]);
      for (const [bad, why] of [[[[0, 0], [2, 0]], 'indices[1] = [2, 0]'], [[[0, -1]], 'indices[0] = [0, -1]'], [[[1000000]], 'indices[0] = [1000000]']] as const) {
        const err = await run(m, bad as unknown as number[][]).then(() => undefined, (e: unknown) => e);
        expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
        expect(String((err as Error).message)).toContain(why);
      }
      m.dispose();
    });

    it("ScatterNd gives TensorFlow's documented example and refuses an index past the shape", async () => {
      const m = await scatterModel();
      expect(frozenGraphErrors(m.graph)).toEqual([]);
      expect(await run(m, [[4], [3], [1], [7]])).toEqual([0, 11, 0, 10, 9, 0, 0, 12]);
      const err = await run(m, [[4], [3], [8], [7]]).then(() => undefined, (e: unknown) => e);
      expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
      expect(String((err as Error).message)).toContain('indices[2] = [8] does not index into shape [8]');
      m.dispose();
    });
  });
}
