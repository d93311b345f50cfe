// A backend whose synchronous read answers zeros while its asynchronous read answers the values,
// as tfjs-backend-webgpu does for a value on the GPU in headless Chromium (SwiftShader): the cpu
// backend and its kernels under another name. Tests of every package that reads tensors use it to
// show they read asynchronously there.
import * as tf from '@tensorflow/tfjs';

export const ZERO_READSYNC = 'cpu-zero-readsync-test';

/** Synchronous reads asked of the backend since registration (reset it freely). */
export const zeroReadSync = { syncReads: 0 };

/** Registers the backend once (idempotent); set it with tf.setBackend(ZERO_READSYNC). */
export function registerZeroReadSyncBackend(): void {
  if (tf.findBackendFactory(ZERO_READSYNC)) return;
  const Cpu = (tf.findBackend('cpu') as object).constructor as new () => tf.KernelBackend;
  tf.registerBackend(ZERO_READSYNC, () => {
    const b = new Cpu();
    const readSync = b.readSync.bind(b);
    // the asynchronous read answers the values (cpu's own read() goes through readSync: not here)
    b.read = async (dataId: object) => readSync(dataId);
    b.readSync = (dataId: object) => {
      zeroReadSync.syncReads++;
      const v = readSync(dataId);
      if (Array.isArray(v)) return v;
      const a = v as Float32Array;
      return new (a.constructor as Float32ArrayConstructor)(a.length);
    };
    return b;
  });
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: ZERO_READSYNC });
}
