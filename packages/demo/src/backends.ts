// Backend selection: WebGPU / WASM / CPU. The wasm binaries are served from this app ("wasm/",
// copied there at build time by vite.config.ts), never from a CDN, so the app works offline.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';
export const BACKENDS: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

let wasmPathsSet = false;

/** Where the .wasm files are: `<app base>/wasm/`. */
export function wasmBase(): string {
  return new URL(`${import.meta.env.BASE_URL}wasm/`, document.baseURI).href;
}

export async function webgpuAvailable(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** Switches to `name` and returns the backend tfjs reports as active (throws if it failed). */
export async function useBackend(name: BackendName): Promise<string> {
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths(wasmBase());
    wasmPathsSet = true;
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`backend '${name}' could not be initialized (active: ${tf.getBackend() ?? 'none'})`);
  return tf.getBackend();
}
