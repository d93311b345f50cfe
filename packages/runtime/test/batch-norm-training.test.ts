// FusedBatchNorm in training mode (is_training true, its default: a node without the attr is one)
// normalizes with the batch's own mean and variance over every axis but the channel's, as
// TensorFlow documents the op. Expected values: those statistics computed here in plain
// JavaScript (float64), the variance output Bessel-corrected.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';
import { prng } from '../../trace/test/helpers/checks.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;
const rand = prng(5);
beforeAll(async () => { await tf.setBackend('cpu'); });

/** x [2, 3, 2, C=2] (NHWC) or [2, C=2, 3, 2] (NCHW); per-channel batch statistics by hand. */
async function check(format: 'NHWC' | 'NCHW', attrs: Record<string, tensorflow.IAttrValue>, op = 'FusedBatchNormV3'): Promise<void> {
  const shape = format === 'NHWC' ? [2, 3, 2, 2] : [2, 2, 3, 2];
  const x = Array.from({ length: 24 }, () => rand(-2, 2));
  const [scale, offset, mIn, vIn] = [[1.5, -0.5], [0.25, 2], [10, 20], [3, 4]];
  const c = (n: string, v: number[]) => node(n, 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor(v, [2])) });
  const files = await savedModelFiles(
    [
      node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(shape) }),
      c('scale', scale), c('offset', offset), c('mean', mIn), c('variance', vIn),
      node('bn', op, ['x', 'scale', 'offset', 'mean', 'variance'], { T: attr.type(F), ...(op === 'FusedBatchNorm' ? {} : { U: attr.type(F) }), data_format: attr.str(format), epsilon: attr.float(0.001), ...attrs }),
    ],
    [], { x: ['x:0', F] }, { y: ['bn:0', F], batch_mean: ['bn:1', F], batch_variance: ['bn:2', F] },
  );
  const channelOf = (i: number) => (format === 'NHWC' ? i % 2 : Math.floor(i / 6) % 2);
  const mean = [0, 1].map((ch) => { const v = x.filter((_, i) => channelOf(i) === ch); return v.reduce((a, b) => a + b, 0) / v.length; });
  const variance = [0, 1].map((ch) => { const v = x.filter((_, i) => channelOf(i) === ch); return v.reduce((a, b) => a + (b - mean[ch]!) ** 2, 0) / v.length; });
  const want = x.map((v, i) => { const ch = channelOf(i); return (v - mean[ch]!) / Math.sqrt(variance[ch]! + 0.001) * scale[ch]! + offset[ch]!; });
  const f = attrs.exponential_avg_factor?.f ?? 1;
  const m = await loadSavedModel(files);
  const r = await m.run({ x: tf.tensor(x, shape).arraySync() });
  const close = (got: number[], exp: number[], what: string) => exp.forEach((e, i) => expect(Math.abs(got[i]! - e), `${what}[${i}]`).toBeLessThan(1e-4 * Math.max(1, Math.abs(e))));
  close(r.y!.values as number[], want, 'y');
  close(r.batch_mean!.values as number[], mean.map((v, ch) => (1 - f) * mIn[ch]! + f * v), 'batch_mean');
  close(r.batch_variance!.values as number[], variance.map((v, ch) => (1 - f) * vIn[ch]! + f * (v * 12 / 11)), 'batch_variance');
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  m.dispose();
}

describe('FusedBatchNorm in training mode uses the batch statistics', () => {
  it('is_training absent (its default, true) and explicit, NHWC', async () => {
    await check('NHWC', {});
    await check('NHWC', { is_training: attr.bool(true) }, 'FusedBatchNorm');
  });
  it('NCHW, and V3\'s exponential_avg_factor moving the statistic outputs', async () => {
    await check('NCHW', { is_training: attr.bool(true) });
    await check('NHWC', { is_training: attr.bool(true), exponential_avg_factor: attr.float(0.25) });
  });
});
