// A backend whose synchronous readback fails (as tfjs-backend-webgpu's can: it reads through
// OffscreenCanvas) is reported as that backend's limitation with the way around it, not as a
// broken model; path targets outside Node are a clear INVALID_ARGUMENT.
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, fileMapSource, isSavedModelError, readSavedModel } from '@savedmodel-js/core';
import { syncReadbackError } from '@savedmodel-js/core/internal';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { exportModel } from '../src/index.js';

const BROKEN = 'readsync-broken-test';

class ReadSyncBroken extends MathBackendCPU {
  failReads = false;
  override readSync(dataId: object): tf.backend_util.BackendValues {
    if (this.failReads) throw new Error('Failed to execute drawImage on OffscreenCanvasRenderingContext2D');
    return super.readSync(dataId);
  }
  // asynchronous reads work (cpu's read() goes through readSync: bypass the failure there)
  override read(dataId: object): Promise<tf.backend_util.BackendValues> {
    return Promise.resolve(super.readSync(dataId));
  }
}

let backend: ReadSyncBroken;
beforeAll(async () => {
  backend = new ReadSyncBroken();
  tf.registerBackend(BROKEN, () => backend, -1);
  // the cpu kernels, registered for this backend too
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: BROKEN });
  await tf.setBackend(BROKEN);
});
afterAll(async () => {
  await tf.setBackend('cpu');
  tf.removeBackend(BROKEN);
});

function dense(): tf.LayersModel {
  const x = tf.input({ shape: [2], name: 'x' });
  return tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor });
}

describe('backend readback failures', () => {
  it('exporting while the backend cannot read synchronously still works: weights are read asynchronously, once', async () => {
    const model = dense();
    const files = new Map<string, Uint8Array>();
    backend.failReads = true;
    try {
      await exportModel(model, fileMapSink(files));
    } finally {
      backend.failReads = false;
    }
    const saved = await readSavedModel(fileMapSource(files));
    const kernel = saved.checkpoint!.keys().find((k) => saved.checkpoint!.entry(k).shape.length === 2);
    expect(kernel, saved.checkpoint!.keys().join()).toBeDefined();
    expect(Array.from(saved.checkpoint!.value(kernel!) as Float32Array)).toEqual(Array.from(model.getWeights()[0]!.dataSync()));
  });

  it('a synchronous readback failure is named as the backend\'s limitation with the asynchronous way around it', () => {
    backend.failReads = true;
    let err: unknown;
    try {
      tf.tensor([1, 2]).dataSync();
    } catch (e) {
      err = syncReadbackError(e, BROKEN, 'saving variable v');
    } finally {
      backend.failReads = false;
    }
    expect(isSavedModelError(err, 'UNSUPPORTED')).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain(`TensorFlow.js '${BROKEN}' backend failed to read a tensor back synchronously`);
    expect(msg).toContain('not a problem of the model');
    expect(msg).toContain('OffscreenCanvas');
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it('a path target without Node: INVALID_ARGUMENT "paths need Node; pass a FileSource/Blob"', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
    let err: unknown;
    try {
      await exportModel(dense(), 'out/model');
    } catch (e) {
      err = e;
    }
    const loadErrors: unknown[] = [];
    for (const path of ['models/model.zip', 'models/dir']) await loadSavedModel(path).catch((e: unknown) => loadErrors.push(e));
    try {
      // nothing
    } finally {
      Object.defineProperty(globalThis, 'process', saved);
    }
    expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(/paths need Node; pass a FileSource\/Blob/);
    expect(loadErrors).toHaveLength(2);
    for (const e of loadErrors) {
      expect(isSavedModelError(e, 'INVALID_ARGUMENT'), String(e)).toBe(true);
      expect((e as Error).message).toMatch(/^loadSavedModel: paths need Node; pass a FileSource\/Blob/);
    }
  });
});
