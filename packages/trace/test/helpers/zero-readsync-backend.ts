// Test backends made of the cpu backend and its kernels under another name. ZERO_READSYNC's
// synchronous read answers zeros while its asynchronous read answers the values, as
// tfjs-backend-webgpu does for a value on the GPU in headless Chromium (SwiftShader): tests of
// every package that reads tensors use it to show they read asynchronously there.
import * as tf from '@tensorflow/tfjs';

export const ZERO_READSYNC = 'cpu-zero-readsync-test';

/** Synchronous reads asked of the backend since registration (reset it freely). */
export const zeroReadSync = { syncReads: 0 };

/**
 * Registers the cpu backend's class and kernels under `name` (once; later calls do nothing), each
 * instance changed by `patch`. Under another name than 'cpu' the export reads its values
 * asynchronously, as on webgpu.
 */
export function registerCpuVariant(name: string, patch: (b: tf.KernelBackend) => void = () => undefined): void {
  if (tf.findBackendFactory(name)) return;
  const Cpu = (tf.findBackend('cpu') as object).constructor as new () => tf.KernelBackend;
  tf.registerBackend(name, () => {
    const b = new Cpu();
    patch(b);
    return b;
  });
  for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: name });
}

/** Registers the backend once (idempotent); set it with tf.setBackend(ZERO_READSYNC). */
export function registerZeroReadSyncBackend(): void {
  registerCpuVariant(ZERO_READSYNC, (b) => {
    const readSync = b.readSync.bind(b);
    // the asynchronous read answers the values (cpu's own read() goes through readSync: not here)
    b.read = async (dataId: object) => readSync(dataId);
    // some cpu kernels read their inputs through the backend's own readSync (bufferSync, where):
    // a kernel's own reads stay right, as a GPU kernel's are; only callers' reads answer zeros
    let inKernel = 0;
    const cpu = b as unknown as Record<'bufferSync' | 'where', (...a: unknown[]) => unknown>;
    for (const k of ['bufferSync', 'where'] as const) {
      const f = cpu[k].bind(b);
      cpu[k] = (...a: unknown[]) => {
        inKernel++;
        try {
          return f(...a);
        } finally {
          inKernel--;
        }
      };
    }
    b.readSync = (dataId: object) => {
      if (inKernel > 0) return readSync(dataId);
      zeroReadSync.syncReads++;
      const v = readSync(dataId);
      if (Array.isArray(v)) return v;
      const a = v as Float32Array;
      return new (a.constructor as Float32ArrayConstructor)(a.length);
    };
  });
}
