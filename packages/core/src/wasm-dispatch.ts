// Which implementation an input goes to, for the algorithms core has in both WebAssembly and
// JavaScript (CRC-32C / CRC-32, FarmHash Fingerprint64): 'auto' (the default) sends inputs of
// `smallMin` bytes and more to WebAssembly, but loads the module only once an input of
// `deferBelow` bytes comes or smaller ones summed to `deferTotal` (loading costs milliseconds,
// more than JavaScript needs for the few kilobytes a small model has); 'wasm' sends every input
// there, 'js' none (tests and benchmarks).
import { SavedModelError } from './errors.js';

export type Implementation = 'wasm' | 'js';

export interface WasmDispatchOptions {
  /** Name in messages ("CRC", "FarmHash"). */
  name: string;
  /** Whether the module can be used (loads it on first call). */
  available(): boolean;
  /** Why it cannot (loads it on first call). */
  loadError(): unknown;
  /** In 'auto' mode, shorter inputs always go to JavaScript. */
  smallMin: number;
  deferBelow: number;
  deferTotal: number;
}

export class WasmDispatch {
  private mode: Implementation | 'auto' = 'auto';
  /** Whether inputs of smallMin bytes and more go to WebAssembly (undefined: not decided yet). */
  private useWasm: boolean | undefined;
  private deferredBytes = 0;

  constructor(private readonly o: WasmDispatchOptions) {}

  /** Whether an input of `n` bytes goes to WebAssembly now (may load the module). */
  wasmFor(n: number): boolean {
    if (this.mode === 'js') return false;
    if (this.mode === 'wasm') return true;
    if (n < this.o.smallMin) return false;
    if (this.useWasm === undefined) {
      if (n < this.o.deferBelow && (this.deferredBytes += n) < this.o.deferTotal) return false;
      this.useWasm = this.o.available();
    }
    return this.useWasm;
  }

  /**
   * @throws SavedModelError INVALID_ARGUMENT for an unknown name, UNSUPPORTED for 'wasm' where
   * the module is unavailable.
   */
  set(impl: Implementation | 'auto'): void {
    if (impl !== 'wasm' && impl !== 'js' && impl !== 'auto') {
      throw new SavedModelError('INVALID_ARGUMENT', `unknown ${this.o.name} implementation ${JSON.stringify(impl)}`);
    }
    if (impl === 'wasm' && !this.o.available()) {
      const why = this.o.loadError();
      throw new SavedModelError('UNSUPPORTED', `WebAssembly ${this.o.name} unavailable here: ${why instanceof Error ? why.message : String(why)}`, {
        cause: why,
      });
    }
    this.mode = impl;
    this.useWasm = undefined;
  }

  /**
   * What inputs of smallMin bytes and more use now. With `load`, 'auto' decides (loading the
   * module); without, it reports 'wasm' only once the module was loaded.
   */
  current(load: boolean): Implementation {
    if (this.mode !== 'auto') return this.mode;
    if (load) this.useWasm ??= this.o.available();
    return this.useWasm === true ? 'wasm' : 'js';
  }
}
