// The lowering table covers every kernel the cpu backend registers: each has a lowering or an
// explicit UNSUPPORTED reason, and one-to-one entries name ops of TF's registry.
import * as tf from '@tensorflow/tfjs';
import { getOpDef } from '@savedmodel-js/core';
import { describe, expect, it } from 'vitest';
import { isOpLowering, LOWERINGS, UNSUPPORTED } from '../src/index.js';

describe('lowering table', () => {
  const cpuKernels = tf.getKernelsForBackend('cpu').map((k) => k.kernelName).sort();

  it('has a lowering or an UNSUPPORTED reason for every cpu kernel', () => {
    const missing = cpuKernels.filter((k) => !(k in LOWERINGS) && !(k in UNSUPPORTED));
    expect(missing).toEqual([]);
  });

  it('never lists a kernel as both lowered and unsupported', () => {
    expect(Object.keys(LOWERINGS).filter((k) => k in UNSUPPORTED)).toEqual([]);
  });

  it('maps one-to-one kernels to public registry ops', () => {
    for (const [kernel, l] of Object.entries(LOWERINGS)) {
      if (!isOpLowering(l)) continue;
      expect(getOpDef(l.op), `${kernel} -> ${l.op}`).toBeDefined();
      expect(l.op.startsWith('_'), kernel).toBe(false);
      expect(l.inputs.length, `${kernel} -> ${l.op} inputs`).toBe(getOpDef(l.op)!.input_arg?.length ?? 0);
    }
  });

  it('reports coverage', () => {
    const lowered = cpuKernels.filter((k) => k in LOWERINGS).length;
    const unsupported = cpuKernels.filter((k) => k in UNSUPPORTED).length;
    console.log(`cpu kernels: ${cpuKernels.length}, lowered: ${lowered}, unsupported: ${unsupported}`);
    expect(lowered + unsupported).toBe(cpuKernels.length);
  });
});
