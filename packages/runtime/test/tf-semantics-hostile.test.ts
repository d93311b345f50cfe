// Malformed nodes of the ops the freezer rewrites (freeze/tf-semantics.ts: too few inputs for the
// op): INVALID_GRAPH naming the node and the op's input count, before anything runs; never a raw
// TypeError from the rewrite. The counts are TensorFlow's op registry's.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
beforeAll(async () => { await tf.setBackend('cpu'); });

const NCHW = attr.str('NCHW');
const CASES: Array<[string, number, tensorflow.INodeDef, number]> = [
  // op, T, node (inputs from placeholder p), the op's input count
  ['BiasAdd', F, node('y', 'BiasAdd', ['p'], { T: attr.type(F), data_format: NCHW }), 2],
  ['Conv2D', F, node('y', 'Conv2D', ['p'], { T: attr.type(F), data_format: NCHW, strides: attr.ints([1, 1, 1, 1]), padding: attr.str('VALID') }), 2],
  ['Conv2DBackpropInput', F, node('y', 'Conv2DBackpropInput', ['p'], { T: attr.type(F), data_format: NCHW, strides: attr.ints([1, 1, 1, 1]), padding: attr.str('VALID') }), 3],
  ['FusedBatchNormV3', F, node('y', 'FusedBatchNormV3', ['p', 'p'], { T: attr.type(F), U: attr.type(F) }), 5],
  ['Select', F, node('y', 'Select', ['p', 'p'], { T: attr.type(F) }), 3],
  ['NonMaxSuppressionV5', F, node('y', 'NonMaxSuppressionV5', ['p', 'p'], { T: attr.type(F) }), 6],
  ['Div', I, node('y', 'Div', ['p'], { T: attr.type(I) }), 2],
  ['Mean', I, node('y', 'Mean', ['p'], { T: attr.type(I) }), 2],
];

describe('malformed nodes of rewritten ops', () => {
  for (const [op, T, y, want] of CASES) {
    it(`${op} with ${y.input!.length} input(s): INVALID_GRAPH`, async () => {
      const files = await savedModelFiles([node('p', 'Placeholder', [], { dtype: attr.type(T), shape: attr.shape([1, 2, 2, 2]) }), y], [], { p: ['p:0', T] }, { y: ['y:0', T] });
      const err = await loadSavedModel(files).then(() => undefined, (e: unknown) => e);
      expect(isSavedModelError(err, 'INVALID_GRAPH'), String(err)).toBe(true);
      expect((err as Error).message).toContain(`node y`);
      expect((err as Error).message).toContain(`the op takes ${want}`);
    });
  }
});
