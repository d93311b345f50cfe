// Shared assertions for the trace tests.
import * as tf from '@tensorflow/tfjs';
import { validateGraphDef, type Finding } from '@savedmodel-js/core';
import { expect } from 'vitest';
import type { ConcreteFunction } from '../../src/index.js';
import { freezeToGraphModel, runFrozen } from './graph-runner.js';

/** Every NodeDef validates against TF's op registry (strict: unknown ops/attrs are errors). */
export function expectValidGraph(cf: ConcreteFunction): void {
  const findings: Finding[] = validateGraphDef({ library: { function: [cf.functionDef] } }, { strict: true });
  const errors = findings.filter((f) => f.severity === 'error');
  expect(errors.map((f) => `${f.code} ${f.where}: ${f.message}`)).toEqual([]);
  const ops = (cf.functionDef.node_def ?? []).map((n) => n.op ?? '');
  expect(ops.filter((o) => o.startsWith('_'))).toEqual([]);
}

/** Seeded uniform numbers in [lo, hi). */
export function prng(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0 || 1;
  return (lo = 0, hi = 1) => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return lo + (hi - lo) * (s / 4294967296);
  };
}

export function randomTensor(shape: number[], dtype: tf.DataType, rand: (lo?: number, hi?: number) => number, range: [number, number] = [-1, 1]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'int32') return tf.tensor(Int32Array.from({ length: n }, () => Math.floor(rand(range[0], range[1]))), shape, 'int32');
  if (dtype === 'bool') return tf.tensor(Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0)), shape, 'bool');
  return tf.tensor(Float32Array.from({ length: n }, () => rand(range[0], range[1])), shape, 'float32');
}

/** Replaces every weight of a model with seeded values (variances positive). */
export function seedWeights(model: tf.LayersModel, seed: number): void {
  const rand = prng(seed);
  const ws = model.weights.map((w) => {
    const name = w.originalName ?? w.name;
    const range: [number, number] = /variance/.test(name) ? [0.5, 1.5] : [-0.5, 0.5];
    return randomTensor(w.shape as number[], w.dtype, rand, range);
  });
  model.setWeights(ws);
  ws.forEach((t) => t.dispose());
}

export function maxRelativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.dtype).toEqual(expected.dtype);
  const a = actual.dataSync(), e = expected.dataSync();
  let maxDiff = 0, maxAbs = 0;
  for (let i = 0; i < e.length; i++) {
    const x = Number(a[i]), y = Number(e[i]);
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    maxDiff = Math.max(maxDiff, Math.abs(x - y));
    maxAbs = Math.max(maxAbs, Math.abs(y));
  }
  return maxDiff / Math.max(maxAbs, 1e-6);
}

export interface NumericCase {
  /** Makes flat inputs for a batch size. */
  inputs: (batch: number) => tf.Tensor[];
  /** The original tfjs computation on the same flat inputs. */
  reference: (inputs: tf.Tensor[]) => tf.Tensor[];
  tolerance?: number;
  batches?: number[];
}

/** Runs the frozen graph with tfjs-converter at several batch sizes against the original. */
export function expectNumericMatch(cf: ConcreteFunction, c: NumericCase): void {
  const g = freezeToGraphModel(cf);
  try {
    for (const batch of c.batches ?? [1, 3, 17]) {
      const inputs = c.inputs(batch);
      const want = c.reference(inputs);
      const got = runFrozen(g, inputs);
      expect(got.length).toBe(want.length);
      got.forEach((t, i) => {
        const err = maxRelativeError(t, want[i]!);
        expect(err, `output ${i} at batch ${batch}`).toBeLessThanOrEqual(c.tolerance ?? 1e-5);
      });
      [...inputs, ...want, ...got].forEach((t) => t.dispose());
    }
  } finally {
    g.model.dispose();
  }
}

/**
 * Counts the real runs of `backend`'s kernels `names`, per kernel. Install before the first trace:
 * the tracing backend wraps the kernels registered when it is created, so it wraps these.
 */
export function spyKernels(names: readonly string[], backend: string): { counts: Map<string, number>; total(): number; restore(): void } {
  const counts = new Map<string, number>();
  const saved: tf.KernelConfig[] = [];
  for (const name of names) {
    const k = tf.getKernel(name, backend);
    if (!k) throw new Error(`no ${backend} kernel ${name}`);
    saved.push(k);
    tf.unregisterKernel(name, backend);
    tf.registerKernel({ ...k, kernelFunc: (args) => { counts.set(name, (counts.get(name) ?? 0) + 1); return k.kernelFunc(args); } });
  }
  return {
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    restore: () => { for (const k of saved) { tf.unregisterKernel(k.kernelName, backend); tf.registerKernel(k); } },
  };
}
