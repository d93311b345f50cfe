// Conv2DBackpropFilter and MaxPoolGrad (TF gradient ops of TF1 training graphs) and
// Conv3DBackpropInputV2 (what a Conv3DTranspose layer is) on tfjs-converter's executor through the
// custom ops of ops/gradient-ops.ts; truth is tfjs's own autodiff.
import * as tf from '@tensorflow/tfjs';
import { loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, tensorflow } from '@savedmodel-js/core';
import '../src/ops/index.js';
import { toModelArtifacts, type FrozenGraph, type HostTensor } from '../src/index.js';

const DT = tensorflow.DataType;
beforeAll(async () => { await tf.setBackend('cpu'); });

function graph(nodes: tensorflow.INodeDef[], constants: Map<string, HostTensor>): FrozenGraph {
  return { signatureKey: 'g', methodName: '', nodes, constants, inputs: [], outputs: [], variables: [], producer: 440, hostNodes: new Map(), writtenVariables: [], functions: [] };
}

const placeholder = (name: string): tensorflow.INodeDef => ({ name, op: 'Placeholder', input: [], attr: { dtype: attr.type(DT.DT_FLOAT) } });
const intConst = (name: string, values: number[]): [tensorflow.INodeDef, HostTensor] =>
  [{ name, op: 'Const', input: [], attr: { dtype: attr.type(DT.DT_INT32) } }, { dtype: DT.DT_INT32, shape: [values.length], values: Int32Array.from(values) }];

function close(got: tf.Tensor, want: tf.Tensor): void {
  expect(got.shape).toEqual(want.shape);
  const g = got.dataSync(), w = want.dataSync();
  for (let i = 0; i < w.length; i++) expect(Math.abs(g[i]! - w[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(w[i]!)));
}

describe('TF gradient ops on tfjs-converter', () => {
  for (const padding of ['SAME', 'VALID'] as const) {
    it(`Conv2DBackpropFilter (${padding}, stride 2) = d/dfilter of tf.conv2d`, () => {
      const x = tf.randomUniform([2, 5, 5, 3], -1, 1, 'float32', 1);
      const f = tf.randomUniform([3, 3, 3, 4], -1, 1, 'float32', 2);
      const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, padding === 'SAME' ? 'same' : 'valid');
      const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 3);
      const want = tf.grad((ff: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, ff as tf.Tensor4D, 2, padding === 'SAME' ? 'same' : 'valid'), dy)))(f);
      const [sizes, sizesValue] = intConst('sizes', [3, 3, 3, 4]);
      const nodes = [placeholder('x'), placeholder('dy'), sizes, {
        name: 'g', op: 'Conv2DBackpropFilter', input: ['x', 'sizes', 'dy'],
        attr: { T: attr.type(DT.DT_FLOAT), strides: attr.ints([1, 2, 2, 1]), padding: attr.str(padding), data_format: attr.str('NHWC'), dilations: attr.ints([1, 1, 1, 1]) },
      }];
      const m = loadGraphModelSync(toModelArtifacts(graph(nodes, new Map([['sizes', sizesValue]]))));
      close(m.execute({ x, dy }, 'g') as tf.Tensor, want);
    });
  }

  for (const padding of ['SAME', 'VALID'] as const) {
    it(`Conv3DBackpropInputV2 (${padding}, strides 2,1,2) = d/dx of tf.conv3d`, () => {
      const pad = padding === 'SAME' ? 'same' : 'valid';
      const x = tf.randomUniform([2, 5, 4, 5, 2], -1, 1, 'float32', 6);
      const f = tf.randomUniform([3, 2, 3, 2, 3], -1, 1, 'float32', 7);
      const y = tf.conv3d(x as tf.Tensor5D, f as tf.Tensor5D, [2, 1, 2], pad);
      const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 8);
      const want = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv3d(xx as tf.Tensor5D, f as tf.Tensor5D, [2, 1, 2], pad), dy)))(x);
      const [sizes, sizesValue] = intConst('sizes', [2, 5, 4, 5, 2]);
      const nodes = [placeholder('f'), placeholder('dy'), sizes, {
        name: 'g', op: 'Conv3DBackpropInputV2', input: ['sizes', 'f', 'dy'],
        attr: { T: attr.type(DT.DT_FLOAT), Tshape: attr.type(DT.DT_INT32), strides: attr.ints([1, 2, 1, 2, 1]), padding: attr.str(padding), data_format: attr.str('NDHWC'), dilations: attr.ints([1, 1, 1, 1, 1]) },
      }];
      const m = loadGraphModelSync(toModelArtifacts(graph(nodes, new Map([['sizes', sizesValue]]))));
      close(m.execute({ f, dy }, 'g') as tf.Tensor, want);
    });
  }

  it('MaxPoolGrad (2x2, stride 2) = d/dx of tf.maxPool', () => {
    const x = tf.randomUniform([2, 4, 6, 3], -1, 1, 'float32', 4);
    const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
    const dy = tf.randomUniform(y.shape, -1, 1, 'float32', 5);
    const want = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid'), dy)))(x);
    const nodes = [placeholder('x'), placeholder('y'), placeholder('dy'), {
      name: 'g', op: 'MaxPoolGrad', input: ['x', 'y', 'dy'],
      attr: { T: attr.type(DT.DT_FLOAT), ksize: attr.ints([1, 2, 2, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.str('VALID'), data_format: attr.str('NHWC') },
    }];
    const m = loadGraphModelSync(toModelArtifacts(graph(nodes, new Map())));
    close(m.execute({ x, y, dy }, 'g') as tf.Tensor, want);
  });
});
