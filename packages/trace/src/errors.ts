// Errors raised while tracing/lowering always name the kernel and, for layers models, the layer.
import { SavedModelError, type SavedModelErrorCode } from './core.js';

export interface KernelSite {
  kernel: string;
  /** Layer path ("model/dense_1"), empty for plain functions. */
  layer?: string;
  /** Position of the call in the trace. */
  index?: number;
}

export function describeSite(site: KernelSite): string {
  const at = site.index !== undefined ? ` (call #${site.index})` : '';
  return site.layer ? `kernel ${site.kernel} in layer ${site.layer}${at}` : `kernel ${site.kernel}${at}`;
}

export function kernelError(code: SavedModelErrorCode, site: KernelSite, message: string, cause?: unknown): SavedModelError {
  return new SavedModelError(code, `${describeSite(site)}: ${message}`, { key: site.kernel, ...(cause !== undefined ? { cause } : {}) });
}
