// Memory readouts: Chromium's performance.memory (JS heap) and, where the page is cross-origin
// isolated, performance.measureUserAgentSpecificMemory (JS + DOM + ArrayBuffers of this page).

export interface HeapReading {
  usedJSHeapSize: number;
  totalJSHeapSize: number;
  jsHeapSizeLimit: number;
}

export function heap(): HeapReading | null {
  const m = (performance as Performance & { memory?: HeapReading }).memory;
  if (!m) return null;
  return { usedJSHeapSize: m.usedJSHeapSize, totalJSHeapSize: m.totalJSHeapSize, jsHeapSizeLimit: m.jsHeapSizeLimit };
}

/** Bytes per measureUserAgentSpecificMemory, or null where unavailable (needs crossOriginIsolated). */
export async function uaMemory(): Promise<number | null> {
  const p = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
  if (typeof p.measureUserAgentSpecificMemory !== 'function' || !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) return null;
  try {
    return (await p.measureUserAgentSpecificMemory()).bytes;
  } catch {
    return null;
  }
}

/** Samples the JS heap every `ms` and at each poke(); keeps the peak. */
export class HeapSampler {
  peakUsed = 0;
  peakTotal = 0;
  samples = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  start(ms = 50): this {
    this.poke();
    this.timer = setInterval(() => this.poke(), ms);
    return this;
  }

  poke(): void {
    const h = heap();
    if (!h) return;
    this.samples++;
    if (h.usedJSHeapSize > this.peakUsed) this.peakUsed = h.usedJSHeapSize;
    if (h.totalJSHeapSize > this.peakTotal) this.peakTotal = h.totalJSHeapSize;
  }

  stop(): this {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.poke();
    return this;
  }
}

export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
