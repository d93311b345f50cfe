// Kernels tfjs-backend-wasm (4.x) does not have, run by tfjs-backend-cpu's. Graphs that tfjs-converter
// maps onto such kernels failed on wasm with "Kernel 'X' not registered for backend 'wasm'":
// Einsum (Keras EinsumDense and MultiHeadAttention layers), the gradient kernels of TF1 training
// graphs, ragged-tensor and regex-replace ops. Before a model runs on wasm, each kernel the cpu
// backend has and wasm lacks is registered for wasm as a bridge: the inputs are read out of the
// wasm memory (wasm reads synchronously), the cpu kernel runs on copies, its outputs are written
// back into wasm tensors and the copies are released. Complex-valued kernels are left out (a
// complex tensor is two tensors on each backend). Only kernels wasm lacks are added: nothing tfjs
// already runs changes.
import { engine, getKernel, getKernelsForBackend, registerKernel, type DataType, type KernelBackend, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

/** Backends that get the bridges (their reads are synchronous and cheap). */
const BRIDGED: ReadonlySet<string> = new Set(['wasm']);
/** cpu kernels not bridged: complex values, and drawing onto a canvas. */
const NOT_BRIDGED: ReadonlySet<string> = new Set(['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'Imag', 'Real', 'Draw']);
const done = new Set<string>();

/** Registers the cpu bridges for the active backend, once; a no-op elsewhere or without a cpu backend. */
export function ensureCpuFallbackKernels(): void {
  const name = engine().backendName;
  if (!BRIDGED.has(name) || done.has(name)) return;
  done.add(name);
  const have = new Set(getKernelsForBackend(name).map((k) => k.kernelName));
  for (const k of getKernelsForBackend('cpu')) {
    if (have.has(k.kernelName) || NOT_BRIDGED.has(k.kernelName)) continue;
    registerKernel({ kernelName: k.kernelName, backendName: name, kernelFunc: bridge(k.kernelName, k.kernelFunc) });
  }
}

const bridges = new WeakSet<KernelFunc>();

/** Whether `backendName` runs `kernelName` with a kernel of its own (not absent, not a cpu bridge). */
export function hasNativeKernel(kernelName: string, backendName: string): boolean {
  const k = getKernel(kernelName, backendName);
  return !!k && !bridges.has(k.kernelFunc);
}

function bridge(kernelName: string, cpuFunc: KernelFunc): KernelFunc {
  const f: KernelFunc = ({ inputs, attrs, backend }) => {
    const cpu = engine().findBackend('cpu') as KernelBackend | null;
    if (!cpu) throw new Error(`Kernel '${kernelName}' is not registered for backend '${engine().backendName}', and no cpu backend is there to run it`);
    const target = backend as KernelBackend;
    const copies: TensorInfo[] = [];
    // some kernels take an array of inputs (Einsum, Concat): keep the container's kind
    const cpuInputs: Record<string, TensorInfo> = (Array.isArray(inputs) ? [] : {}) as Record<string, TensorInfo>;
    try {
      for (const [key, t] of Object.entries(inputs)) {
        if (!t) continue;
        const info = t as TensorInfo;
        const copy = { dataId: cpu.write(target.readSync(info.dataId), info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
        copies.push(copy);
        cpuInputs[key] = copy;
      }
      const out = cpuFunc({ inputs: cpuInputs as typeof inputs, attrs: attrs ?? {}, backend: cpu });
      const back = (o: TensorInfo): TensorInfo => {
        const dataId = target.write(cpu.readSync(o.dataId), o.shape, o.dtype as DataType);
        cpu.disposeData(o.dataId);
        return { dataId, shape: o.shape, dtype: o.dtype };
      };
      return Array.isArray(out) ? out.map(back) : back(out);
    } finally {
      for (const c of copies) cpu.disposeData(c.dataId);
    }
  };
  bridges.add(f);
  return f;
}
