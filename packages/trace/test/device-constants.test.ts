// Tensors a traced function captures without making them (constants) are read after the run,
// asynchronously, on backends other than cpu and wasm: tfjs-backend-webgpu's synchronous read of
// a value on the GPU returns zeros in headless Chromium (SwiftShader) and caches them on the
// tensor. Simulated here by the cpu backend under another name whose readSync answers zeros.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorSpec, traceFunction } from '../src/index.js';
import { freezeToGraphModel, runFrozen } from './helpers/graph-runner.js';

const NAME = 'cpu-zero-readsync-test';
let syncReads = 0;

beforeAll(() => {
  const Cpu = (tf.findBackend('cpu') as object).constructor as new () => tf.KernelBackend;
  tf.registerBackend(NAME, () => {
    const b = new Cpu();
    const readSync = b.readSync.bind(b);
    // the asynchronous read answers the values (cpu's own read goes through readSync: not here)
    b.read = async (dataId: object) => readSync(dataId);
    b.readSync = (dataId: object) => {
      syncReads++;
      const v = readSync(dataId) as Float32Array;
      return new (v.constructor as Float32ArrayConstructor)(v.length); // zeros, as headless webgpu answers
    };
    return b;
  });
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: NAME });
});
afterAll(async () => { await tf.setBackend('cpu'); });

describe('captured constants on a backend whose synchronous read is unreliable', () => {
  it('are read asynchronously: the graph holds their values, and their data is released after', async () => {
    await tf.setBackend(NAME);
    const backend = tf.backend();
    // made by kernels on this backend, outside the traced function: [1, 3, 5, 7, 9, 11]
    const c = tf.tidy(() => tf.range(0, 6).mul(2).add(1));
    const refs = backend.refCount(c.dataId);
    syncReads = 0;
    const cf = await traceFunction((x: tf.Tensor) => tf.add(x, c), [tensorSpec([null, 6], 'float32', 'x')]);
    expect(syncReads).toBe(0);
    expect(backend.refCount(c.dataId)).toBe(refs);
    c.dispose();
    await tf.setBackend('cpu');
    const g = freezeToGraphModel(cf);
    try {
      const [y] = runFrozen(g, [tf.zeros([2, 6])]);
      expect(Array.from(await y!.data())).toEqual([1, 3, 5, 7, 9, 11, 1, 3, 5, 7, 9, 11]);
    } finally {
      g.model.dispose();
    }
  });

  it('a run that fails releases the data kept for them', async () => {
    await tf.setBackend(NAME);
    const backend = tf.backend();
    const c = tf.tidy(() => tf.range(0, 6).mul(2));
    const refs = backend.refCount(c.dataId);
    await expect(traceFunction((x: tf.Tensor) => { tf.add(x, c); throw new Error('boom'); }, [tensorSpec([null, 6], 'float32', 'x')])).rejects.toThrow('boom');
    expect(backend.refCount(c.dataId)).toBe(refs);
    c.dispose();
    await tf.setBackend('cpu');
  });
});
