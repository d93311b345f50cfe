// "Large model → OPFS (streamed)": builds a model of ≥ N MiB of weights, streams its SavedModel zip
// into the Origin Private File System (exportToOpfs) with a progress bar, reports JS heap readings,
// and downloads the OPFS file with a button (a disk-backed File: no copy in memory).
import * as tf from '@tensorflow/tfjs';
import { exportToOpfs, opfsAvailable, opfsFile, opfsList, opfsRemove } from './exporter.js';
import { heap, HeapSampler, mb, uaMemory } from './memory.js';
import { bigLayersFor, bigModelBytes, buildBigModel } from './model.js';
import { progressSteps, progressUi } from './progress-ui.js';
import { $, log, setText } from './dom.js';

export interface OpfsState {
  fileName: string;
  modelBytes: number;
  bytes: number;
  files: number;
  buildMs: number;
  exportMs: number;
  heapBefore: number | null;
  heapPeak: number | null;
  heapAfter: number | null;
  /** After a forced GC (null unless the browser exposes gc()). */
  heapAfterGc: number | null;
  gcExposed: boolean;
  heapLimit: number | null;
  uaMemoryAfter: number | null;
  progressEvents: number;
  /** Largest step of the progress fraction between two events (and from 0 to the first). */
  maxProgressStep: number;
}

export interface OpfsHost {
  task<T>(name: string, where: string, fn: () => Promise<T>): Promise<T>;
  download(fileName: string, blob: Blob): void;
  fmtBytes(n: number): string;
}

export const OPFS_FILE = 'big-model.zip';

function hasGc(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export class OpfsPanel {
  state: OpfsState | null = null;

  constructor(private readonly host: OpfsHost) {}

  refresh(busy: boolean): void {
    $<HTMLButtonElement>('opfs-export').disabled = busy;
    $<HTMLButtonElement>('opfs-clear').disabled = busy;
    $<HTMLButtonElement>('opfs-download').disabled = busy || !this.state;
  }

  async export(mib?: number): Promise<OpfsState> {
    return this.host.task('opfs', 'opfs-log', async () => {
      if (!(await opfsAvailable())) throw new Error('this browser cannot write OPFS files from the page (FileSystemFileHandle.createWritable)');
      const target = mib ?? Number($<HTMLInputElement>('opfs-mib').value || 256);
      const layers = bigLayersFor(target);
      const modelBytes = bigModelBytes(layers);
      setText('opfs-log', `building ${layers} × Dense(4096) = ${mb(modelBytes)} of weights on ${tf.getBackend()}…`);
      $<HTMLProgressElement>('opfs-progress').value = 0;
      await opfsRemove(OPFS_FILE);
      const t0 = performance.now();
      const model = buildBigModel(layers);
      try {
        // Materialize the weights now (initializers run lazily on some backends).
        for (const w of model.weights) await w.read().data().then(() => undefined);
        const buildMs = performance.now() - t0;
        log('opfs-log', `built in ${(buildMs / 1000).toFixed(1)} s; exporting to OPFS ${OPFS_FILE}…`);
        // With --js-flags=--expose-gc (the e2e test), start from a collected heap: the readings then
        // show what the export itself holds, not the initializers' garbage.
        gc();
        const before = heap();
        const sampler = new HeapSampler().start(50);
        const ui = progressUi('opfs-progress', 'opfs-progress-text', this.host.fmtBytes);
        let events = 0;
        const steps = progressSteps();
        let r;
        try {
          r = await exportToOpfs(model, OPFS_FILE, (p) => {
            events++;
            steps.add(p);
            sampler.poke();
            ui(p);
          });
        } finally {
          sampler.stop();
        }
        $<HTMLProgressElement>('opfs-progress').value = 1;
        const after = heap();
        gc();
        const afterGc = heap();
        const ua = await uaMemory();
        this.state = {
          fileName: r.fileName, modelBytes, bytes: r.bytes, files: r.files, buildMs, exportMs: r.ms,
          heapBefore: before?.usedJSHeapSize ?? null, heapPeak: sampler.samples ? sampler.peakUsed : null,
          heapAfter: after?.usedJSHeapSize ?? null, heapAfterGc: afterGc?.usedJSHeapSize ?? null, gcExposed: hasGc(), heapLimit: after?.jsHeapSizeLimit ?? null, uaMemoryAfter: ua,
          progressEvents: events, maxProgressStep: steps.max,
        };
        setText('opfs-progress-text', `${mb(r.bytes)} in ${r.files} files · ${(r.ms / 1000).toFixed(1)} s`);
        log('opfs-log', `✓ OPFS ${r.fileName}: ${mb(r.bytes)} (${r.bytes} bytes), ${r.files} files, ${(r.ms / 1000).toFixed(1)} s`);
        this.showMemory();
        return this.state;
      } finally {
        model.dispose();
      }
    });
  }

  showMemory(): void {
    const h = heap();
    const o = this.state;
    const lines = [
      h ? `JS heap now: ${mb(h.usedJSHeapSize)} used / ${mb(h.totalJSHeapSize)} total (limit ${mb(h.jsHeapSizeLimit)})` : 'performance.memory: not available in this browser',
    ];
    if (o) {
      lines.push(`last OPFS export of ${mb(o.modelBytes)} of weights:`);
      if (o.heapBefore !== null) lines.push(`  JS heap before ${mb(o.heapBefore)}, peak ${mb(o.heapPeak ?? 0)}, after ${mb(o.heapAfter ?? 0)}${o.heapAfterGc !== null && o.gcExposed ? `, after GC ${mb(o.heapAfterGc)}` : ''}`);
      if (o.uaMemoryAfter !== null) lines.push(`  measureUserAgentSpecificMemory after: ${mb(o.uaMemoryAfter)}`);
    }
    setText('memory', lines.join('\n'));
  }

  async clear(): Promise<void> {
    for (const f of await opfsList()) await opfsRemove(f.name);
  }

  wire(): void {
    $('opfs-export').addEventListener('click', () => void this.export().catch(() => undefined));
    $('opfs-clear').addEventListener('click', () => void this.host.task('opfs-clear', 'opfs-log', async () => {
      await this.clear();
      setText('opfs-log', 'OPFS cleared');
    }).catch(() => undefined));
    $('opfs-download').addEventListener('click', () => void this.host.task('opfs-download', 'opfs-log', async () => {
      if (!this.state) throw new Error('export to OPFS first');
      this.host.download(this.state.fileName, await opfsFile(this.state.fileName));
    }).catch(() => undefined));
    setInterval(() => this.showMemory(), 2000);
    this.showMemory();
  }
}
