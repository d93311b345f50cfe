// FakeQuantWithMinMaxVars / Args / VarsPerChannel as TensorFlow defines them (the nudged range of
// its fake_quant ops: 0 stays exactly 0). Expected values: that definition evaluated here in plain
// JavaScript in float32 as TensorFlow's kernel computes it, plus hand-computed points (min -1, max
// 1, 8 bits: scale 2/255; in float32 -min / scale is just under 127.5, so the zero point is 127 and
// 0.5 → 191 · 2/255 - 127 · 2/255 = 64 · 2/255).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';

const F = tensorflow.DataType.DT_FLOAT;
beforeAll(async () => { await tf.setBackend('cpu'); });

/** TensorFlow's definition in float32, step by step as its kernel computes it (Math.fround: one float op each). */
function reference(x: number, min: number, max: number, bits: number, narrow: boolean): number {
  const f = Math.fround;
  const qmin = narrow ? 1 : 0, qmax = 2 ** bits - 1;
  const scale = f(f(f(max) - f(min)) / (qmax - qmin));
  const zp = f(qmin - f(f(min) / scale));
  const nzp = zp < qmin ? qmin : zp > qmax ? qmax : Math.round(zp); // zp ≥ 0: round half away from zero
  const nmin = f((qmin - nzp) * scale), nmax = f((qmax - nzp) * scale);
  const clamped = Math.min(Math.max(f(x), nmin), nmax);
  const steps = Math.floor(f(f(f(clamped - nmin) * f(1 / scale)) + 0.5));
  return f(f(steps * scale) + nmin);
}

const X = [-2, -0.9, -0.3, 0, 0.2, 0.5, 0.77, 2]; // none on a rounding boundary

async function run(op: string, attrs: Record<string, tensorflow.IAttrValue>, min?: number[], max?: number[]): Promise<number[]> {
  const c = (n: string, v: number[]) => node(n, 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor(v, v.length === 1 ? [] : [v.length])) });
  const perChannel = (min?.length ?? 1) > 1;
  const shape = perChannel ? [X.length / 2, 2] : [X.length];
  const nodes = [node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(shape) })];
  if (min && max) nodes.push(c('min', min), c('max', max));
  nodes.push(node('y', op, min ? ['x', 'min', 'max'] : ['x'], attrs));
  const m = await loadSavedModel(await savedModelFiles(nodes, [], { x: ['x:0', F] }, { y: ['y:0', F] }));
  expect(frozenGraphErrors(m.graph)).toEqual([]);
  const y = Array.from((m.predict(tf.tensor(X, shape)) as tf.Tensor).dataSync());
  m.dispose();
  return y;
}

const close = (got: number[], want: number[]) => want.forEach((w, i) => expect(Math.abs(got[i]! - w), `[${i}] ${got[i]} vs ${w}`).toBeLessThan(1e-5));

describe('FakeQuantWithMinMax*', () => {
  it('Vars, min -1 max 1, 8 bits: hand-computed points and the definition', async () => {
    const y = await run('FakeQuantWithMinMaxVars', {}, [-1], [1]);
    expect(y[3]).toBe(0);
    expect(Math.abs(y[5]! - 64 * 2 / 255)).toBeLessThan(1e-6);
    expect(Math.abs(y[0]! + 127 * 2 / 255)).toBeLessThan(1e-6); // clamped to the nudged min
    close(y, X.map((x) => reference(x, -1, 1, 8, false)));
  });
  it('Vars with num_bits 4 and narrow_range; Args with its defaults (-6, 6) and with its own range', async () => {
    close(await run('FakeQuantWithMinMaxVars', { num_bits: attr.int(4), narrow_range: attr.bool(true) }, [-0.7], [1.3]), X.map((x) => reference(x, -0.7, 1.3, 4, true)));
    close(await run('FakeQuantWithMinMaxArgs', {}), X.map((x) => reference(x, -6, 6, 8, false)));
    close(await run('FakeQuantWithMinMaxArgs', { min: attr.float(-0.5), max: attr.float(2.5), num_bits: attr.int(6) }), X.map((x) => reference(x, -0.5, 2.5, 6, false)));
  });
  it('VarsPerChannel: min / max along the last axis', async () => {
    const min = [-1, -0.25], max = [1, 3];
    close(await run('FakeQuantWithMinMaxVarsPerChannel', {}, min, max), X.map((x, i) => reference(x, min[i % 2]!, max[i % 2]!, 8, false)));
  });
});
