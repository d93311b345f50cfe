// Export progress on the page: a <progress> bar and a text line fed by the zip sink's onProgress
// (redrawn at most every 30 ms), and the largest step the fraction takes (the e2e tests check
// that a large export's bar moves in steps of at most 2 %).
import type { ExportProgress } from './exporter.js';

export function progressUi(barId: string, textId: string, fmtBytes: (n: number) => string): (p: ExportProgress) => void {
  let last = 0;
  return (p) => {
    const now = performance.now();
    if (now - last < 30 && p.bytesWritten < p.expectedBytes) return;
    last = now;
    (document.getElementById(barId) as HTMLProgressElement).value = Math.min(p.bytesWritten / p.expectedBytes, 0.99);
    document.getElementById(textId)!.textContent = `${fmtBytes(p.bytesWritten)} of ~${fmtBytes(p.expectedBytes)} · ${p.filesWritten} files · ${p.file}`;
  };
}

/** The largest step the progress fraction (bytes written / expected) takes between two events. */
export function progressSteps(): { add(p: ExportProgress): void; readonly max: number } {
  let last = 0, max = 0;
  return {
    add(p) {
      const f = p.bytesWritten / p.expectedBytes;
      max = Math.max(max, f - last);
      last = f;
    },
    get max() { return max; },
  };
}
