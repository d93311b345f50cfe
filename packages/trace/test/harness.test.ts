// The numeric harness itself: it must notice a wrong graph and a graph stuck to one batch size.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorSpec, traceFunction } from '../src/index.js';
import { expectNumericMatch, prng, randomTensor } from './helpers/checks.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const fn = (x: tf.Tensor) => tf.reshape(tf.relu(x), [-1]);
const numeric = {
  inputs: (b: number) => [randomTensor([b, 3], 'float32', prng(b))],
  reference: (xs: tf.Tensor[]) => [fn(xs[0]!)],
};

describe('numeric harness', () => {
  it('passes a correct graph', async () => {
    const cf = await traceFunction(fn, [tensorSpec([null, 3])]);
    expectNumericMatch(cf, numeric);
  });

  it('fails a graph with a wrong op', async () => {
    const cf = await traceFunction(fn, [tensorSpec([null, 3])]);
    const relu = cf.functionDef.node_def!.find((n) => n.op === 'Relu')!;
    relu.op = 'Neg';
    expect(() => expectNumericMatch(cf, numeric)).toThrow();
  });

  it('fails a graph traced for one batch size only', async () => {
    const cf = await traceFunction(fn, [tensorSpec([3, 3])]);
    expect(cf.functionDef.node_def!.some((n) => n.op === 'Reshape')).toBe(true);
    expect(() => expectNumericMatch(cf, numeric)).toThrow();
  });
});
