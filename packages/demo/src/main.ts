// The demo page: plain TypeScript + DOM. Every action is a button; the same actions are exposed
// as `window.__demo` (see DemoApi) so end-to-end tests can drive and observe the page robustly.
import './style.css';
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, useBackend, webgpuAvailable, type BackendName } from './backends.js';
import { ConvertPanel, type ConvertState } from './convert-panel.js';
import { exportZipBlob, inspectZip, opfsList, prefetchWeights } from './exporter.js';
import { LoadPanel, type LoadedState } from './load-panel.js';
import { heap, mb } from './memory.js';
import { OpfsPanel, type OpfsState } from './opfs-panel.js';
import { progressSteps, progressUi } from './progress-ui.js';
import {
  buildClassifier, exportWeights, predictRows, probeInputs, train,
  type PlainWeight,
} from './model.js';
import { $, log, setText } from './dom.js';

// ---------- state ----------

export interface DemoState {
  backend: string;
  busy: string | null;
  lastError: string | null;
  webgpu: boolean;
  trained: boolean;
  losses: number[];
  accuracies: number[];
  trainMs: number;
  /** model.predict of the probe inputs on the active backend, after training. */
  predictions: number[][] | null;
  export: null | {
    backend: string;
    bytes: number;
    files: { path: string; size: number }[];
    signatures: string[];
    show: string;
    ms: number;
    progressEvents: number;
    /** Largest step of the progress fraction between two events (and from 0 to the first). */
    maxProgressStep: number;
    lastProgress: { filesWritten: number; bytesWritten: number; archiveBytes: number } | null;
  };
  downloads: number;
  loaded: LoadedState | null;
  opfs: OpfsState | null;
  swVersion: string | null;
}

const state: DemoState = {
  backend: '', busy: null, lastError: null, webgpu: false, trained: false, losses: [], accuracies: [], trainMs: 0,
  predictions: null, export: null, downloads: 0, swVersion: null,
  // the load panel owns it (null after a failed load); a getter so JSON snapshots include it
  get loaded() { return loader.state; },
  get opfs() { return opfsPanel.state; },
};

let classifier: tf.Sequential | null = null;
/** The backend being switched to (radio buttons show it while tfjs initializes it). */
let pendingBackend: string | null = null;
let zipBlob: Blob | null = null;

// ---------- DOM helpers ----------

function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return mb(n);
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function refreshButtons(): void {
  const busy = state.busy !== null;
  $<HTMLButtonElement>('train').disabled = busy;
  $<HTMLButtonElement>('export').disabled = busy || !state.trained;
  $<HTMLButtonElement>('download').disabled = busy || !zipBlob;
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=backend]')) {
    r.disabled = busy || (r.value === 'webgpu' && !state.webgpu);
    r.checked = r.value === (pendingBackend ?? state.backend);
  }
  loader.refresh(busy);
  opfsPanel.refresh(busy);
  converter.refresh(busy);
  document.body.dataset.busy = busy ? state.busy! : '';
}

/** Runs one action at a time; errors are shown in `where` and kept in state.lastError. */
async function task<T>(name: string, where: string, fn: () => Promise<T>): Promise<T> {
  if (state.busy) throw new Error(`busy: ${state.busy}`);
  state.busy = name;
  state.lastError = null;
  refreshButtons();
  try {
    return await fn();
  } catch (e) {
    state.lastError = `${name}: ${errorText(e)}`;
    log(where, `✗ ${state.lastError}`);
    console.error(e);
    throw e;
  } finally {
    state.busy = null;
    refreshButtons();
  }
}

const converter = new ConvertPanel({ task, download: (name, blob) => doDownload(name, blob), fmtBytes });
const loader = new LoadPanel({ task, fmtBytes, probeRows: probeInputs });
const opfsPanel = new OpfsPanel({ task, download: (name, blob) => doDownload(name, blob), fmtBytes });

// ---------- backend ----------

async function setBackend(name: BackendName): Promise<string> {
  return task('backend', 'train-log', async () => {
    pendingBackend = name;
    refreshButtons();
    // The trained weights move to the new backend through a synchronous read: make it a cached one
    // (see prefetchWeights: WebGPU's sync readback is unreliable headless).
    if (classifier) await prefetchWeights(classifier);
    const active = await useBackend(name).finally(() => { pendingBackend = null; });
    state.backend = active;
    setText('backend-active', active);
    try { localStorage.setItem('demo-backend', active); } catch { /* private mode */ }
    return active;
  });
}

// ---------- training ----------

function drawLoss(losses: number[]): void {
  const c = $<HTMLCanvasElement>('loss-chart');
  const g = c.getContext('2d');
  if (!g) return;
  g.clearRect(0, 0, c.width, c.height);
  if (losses.length === 0) return;
  const max = Math.max(...losses, 1e-6);
  g.strokeStyle = '#ff6f00';
  g.lineWidth = 2;
  g.beginPath();
  losses.forEach((l, i) => {
    const x = 10 + (i / Math.max(losses.length - 1, 1)) * (c.width - 20);
    const y = c.height - 10 - (l / max) * (c.height - 20);
    if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
  });
  g.stroke();
}

async function doTrain(options: { epochs?: number; seed?: number } = {}): Promise<{ losses: number[]; accuracies: number[]; ms: number; backend: string }> {
  return task('train', 'train-log', async () => {
    const epochs = options.epochs ?? Number($<HTMLInputElement>('epochs').value || 6);
    const seed = options.seed ?? Number($<HTMLInputElement>('seed').value || 7);
    // Built once per page: tfjs numbers repeated layer names, and the e2e test rebuilds the same
    // names in Node to compare checkpoints. Training re-initializes the weights (seeded).
    classifier ??= buildClassifier();
    setText('train-log', `training on ${tf.getBackend()}: ${epochs} epochs, seed ${seed}`);
    state.trained = false;
    state.losses = [];
    state.accuracies = [];
    drawLoss([]);
    const r = await train(classifier, {
      epochs, seed,
      onEpoch: (epoch, loss, acc) => {
        state.losses.push(loss);
        state.accuracies.push(acc);
        log('train-log', `epoch ${epoch + 1}/${epochs}  loss ${loss.toFixed(4)}  accuracy ${acc.toFixed(3)}`);
        drawLoss(state.losses);
      },
    });
    state.predictions = await predictRows(classifier, probeInputs());
    state.trainMs = r.ms;
    state.trained = true;
    log('train-log', `done in ${(r.ms / 1000).toFixed(2)} s on ${tf.getBackend()}`);
    return { ...r, backend: tf.getBackend() };
  });
}

// ---------- export (zip Blob) ----------

function fillFiles(files: { path: string; size: number }[]): void {
  const body = $('export-files').querySelector('tbody')!;
  body.replaceChildren(...files.map((f) => {
    const tr = document.createElement('tr');
    const a = document.createElement('td');
    a.textContent = f.path;
    const b = document.createElement('td');
    b.textContent = String(f.size);
    tr.append(a, b);
    return tr;
  }));
}

async function doExport(): Promise<NonNullable<DemoState['export']>> {
  return task('export', 'export-show', async () => {
    if (!classifier || !state.trained) throw new Error('train the model first');
    const bar = $<HTMLProgressElement>('export-progress');
    bar.value = 0;
    setText('export-show', '');
    fillFiles([]);
    const ui = progressUi('export-progress', 'export-progress-text', fmtBytes);
    let events = 0;
    const steps = progressSteps();
    let lastProgress: { filesWritten: number; bytesWritten: number; archiveBytes: number } | null = null;
    const { blob, summary, ms } = await exportZipBlob(classifier, (p) => {
      events++;
      steps.add(p);
      lastProgress = { filesWritten: p.filesWritten, bytesWritten: p.bytesWritten, archiveBytes: p.archiveBytes };
      ui(p);
    });
    zipBlob = blob;
    bar.value = 1;
    setText('export-progress-text', `${fmtBytes(blob.size)} zip · ${lastProgress!.filesWritten} files · ${(ms / 1000).toFixed(2)} s`);
    const info = await inspectZip(blob);
    fillFiles(info.files);
    setText('export-show', info.show);
    state.export = {
      backend: tf.getBackend(), bytes: blob.size, files: info.files, signatures: Object.keys(summary.signatures),
      show: info.show, ms, progressEvents: events, maxProgressStep: steps.max, lastProgress,
    };
    return state.export;
  });
}

function doDownload(fileName = 'model.zip', blob: Blob | null = zipBlob): void {
  if (!blob) throw new Error('export first');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  state.downloads++;
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---------- service worker / network ----------

async function registerServiceWorker(): Promise<void> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) {
    setText('sw-status', import.meta.env.PROD ? 'unsupported' : 'off (dev)');
    return;
  }
  try {
    const reg = await navigator.serviceWorker.register('./sw.js', { scope: './' });
    const ready = await navigator.serviceWorker.ready;
    const sw = ready.active ?? reg.active;
    const show = () => setText('sw-status', navigator.serviceWorker.controller ? 'active (offline ready)' : 'installed (offline ready)');
    show();
    navigator.serviceWorker.addEventListener('controllerchange', show);
    navigator.serviceWorker.addEventListener('message', (e: MessageEvent) => {
      if (e.data && typeof e.data.version === 'string') state.swVersion = e.data.version;
    });
    sw?.postMessage('version');
  } catch (e) {
    setText('sw-status', `failed: ${errorText(e)}`);
  }
}

function showNetwork(): void {
  setText('net-status', navigator.onLine ? 'online' : 'offline');
}

// ---------- test API ----------

export interface DemoApi {
  state: DemoState;
  ready: Promise<void>;
  backends: readonly BackendName[];
  setBackend(name: BackendName): Promise<string>;
  train(options?: { epochs?: number; seed?: number }): Promise<{ losses: number[]; accuracies: number[]; ms: number; backend: string }>;
  export(): Promise<NonNullable<DemoState['export']>>;
  download(fileName?: string): void;
  /** model.predict on the active backend (probe inputs by default). */
  predict(rows?: number[][]): Promise<number[][]>;
  probeInputs(): number[][];
  /** The trained classifier's weights (exact float32 bytes, base64) with their tfjs names. */
  weights(): Promise<PlainWeight[]>;
  /** Loads a SavedModel zip given as bytes (base64) — the file input does the same with a File. */
  loadZip(base64: string, name?: string): Promise<LoadedState>;
  /** Runs the loaded model on the input editor's values (the Run button). */
  runLoaded(): Promise<LoadedState>;
  opfsExport(mib?: number): Promise<OpfsState>;
  opfsList(): Promise<{ name: string; size: number }[]>;
  opfsClear(): Promise<void>;
  memory(): ReturnType<typeof heap>;
  /** The "Convert your model" panel: its last result (null before / after a failure). */
  convertState(): ConvertState | null;
  tf: typeof tf;
}

declare global {
  interface Window {
    __demo: DemoApi;
  }
}

async function start(): Promise<void> {
  state.webgpu = await webgpuAvailable();
  $('backend-note').textContent = state.webgpu ? '' : 'WebGPU is not available in this browser (no adapter).';
  const params = new URLSearchParams(location.search);
  let stored: string | null = null;
  try { stored = localStorage.getItem('demo-backend'); } catch { /* ignore */ }
  const wanted = (params.get('backend') ?? stored ?? (state.webgpu ? 'webgpu' : 'wasm')) as BackendName;
  const first = BACKENDS.includes(wanted) && (wanted !== 'webgpu' || state.webgpu) ? wanted : 'wasm';
  try {
    await setBackend(first);
  } catch {
    await setBackend('cpu');
  }
  refreshButtons();
}

function wire(): void {
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name=backend]')) {
    r.addEventListener('change', () => { if (r.checked) void setBackend(r.value as BackendName).catch(() => refreshButtons()); });
  }
  $('train').addEventListener('click', () => void doTrain().catch(() => undefined));
  $('export').addEventListener('click', () => void doExport().catch(() => undefined));
  $('download').addEventListener('click', () => doDownload());
  opfsPanel.wire();
  loader.wire(() => state.busy !== null);
  converter.wire(() => state.busy !== null);
  window.addEventListener('online', showNetwork);
  window.addEventListener('offline', showNetwork);
  showNetwork();
}

wire();
refreshButtons();
const ready = Promise.all([start(), registerServiceWorker()]).then(() => {
  document.body.dataset.ready = '1';
});

window.__demo = {
  state,
  ready,
  backends: BACKENDS,
  setBackend,
  train: doTrain,
  export: doExport,
  download: doDownload,
  predict: async (rows) => {
    if (!classifier) throw new Error('train first');
    return predictRows(classifier, rows ?? probeInputs());
  },
  probeInputs,
  weights: async () => {
    if (!classifier) throw new Error('train first');
    return exportWeights(classifier);
  },
  loadZip: async (base64, name = 'model.zip') => {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return loader.load(Object.assign(new Blob([bytes], { type: 'application/zip' }), { name }));
  },
  runLoaded: () => loader.run(),
  opfsExport: (mib) => opfsPanel.export(mib),
  opfsList,
  opfsClear: () => opfsPanel.clear(),
  memory: heap,
  convertState: () => converter.state,
  tf,
};
