// "Convert your model": a TensorFlow.js model (model.json + weight files dropped or picked, or a
// URL) → convertTfjsModel into a streaming zip → SavedModel zip to download, its signatures shown
// (saved_model_cli show --all) and a test run of serving_default on zeros with our loader.
import * as tf from '@tensorflow/tfjs';
import { zipBlobSink } from '@savedmodel-js/zip';
import { convertTfjsModel, isSavedModelError, loadSavedModel, type ConvertProgress, type TFSavedModel, type TfjsModelSource } from 'savedmodel-js';
import { inspectZip } from './exporter.js';
import { $ } from './dom.js';

export interface ConvertState {
  /** What was converted: the model.json name or the URL. */
  source: string;
  format: 'graph-model' | 'layers-model';
  /** 'rebuilt': the graph as written; 'traced': tfjs ran it under the tracer (see reason); 'layers': traced layers model. */
  path: 'rebuilt' | 'traced' | 'layers';
  reason: string | null;
  opHistogram: Record<string, number>;
  quantized: Record<string, number>;
  weightsRead: number;
  bytes: number;
  files: string[];
  show: string;
  signature: string;
  inputs: { key: string; dtype: string; shape: number[] | null }[];
  /** serving_default on zeros (unknown dims = 1): per output key its shape and first values. */
  testRun: { key: string; shape: number[]; head: number[] }[];
  progressEvents: number;
  ms: number;
}

/** What the panel needs of the page. */
export interface PanelHost {
  task<T>(name: string, where: string, fn: () => Promise<T>): Promise<T>;
  download(fileName: string, blob: Blob): void;
  fmtBytes(n: number): string;
}

function zerosFor(shape: readonly number[] | undefined, dtype: string): tf.Tensor {
  return tf.zeros((shape ?? [1]).map((d) => (d < 0 ? 1 : d)), dtype as tf.DataType);
}

/**
 * predict() (synchronous execution) when the graph allows it, predictAsync() for control flow:
 * tfjs-converter warns on every executeAsync of a graph that did not need it.
 */
async function predictQuietly(model: TFSavedModel, feeds: Record<string, tf.Tensor>): Promise<tf.Tensor | tf.NamedTensorMap> {
  try {
    return model.predict(feeds);
  } catch (e) {
    if (!isSavedModelError(e, 'UNSUPPORTED') || !e.message.includes('dynamic ops')) throw e;
    return model.predictAsync(feeds);
  }
}

export class ConvertPanel {
  state: ConvertState | null = null;
  private zip: Blob | null = null;

  constructor(private readonly host: PanelHost) {}

  private say(text: string, append = true): void {
    const el = $('convert-log');
    el.textContent = append && el.textContent ? `${el.textContent}\n${text}` : text;
  }

  private readTotal = 0;

  /** Reading weights fills the first half of the bar, writing the SavedModel (about as many bytes) the second. */
  private progress(p: ConvertProgress): void {
    const bar = $<HTMLProgressElement>('convert-progress');
    const label = p.phase === 'read' ? 'reading weights' : p.phase === 'write' ? 'writing the SavedModel' : 'tracing with tfjs-converter';
    if (p.phase === 'trace') {
      this.say(`the graph cannot be rebuilt as it is (${p.reason ?? '?'}); tracing it with tfjs-converter instead`);
    } else if (p.phase === 'read') {
      this.readTotal = p.totalBytes ?? p.bytes;
      bar.value = this.readTotal > 0 ? 0.5 * Math.min(p.bytes / this.readTotal, 1) : 0;
    } else {
      bar.value = 0.5 + 0.49 * Math.min(p.bytes / Math.max(this.readTotal, 1), 1);
    }
    $('convert-progress-text').textContent = `${label}: ${this.host.fmtBytes(p.bytes)} · ${p.files} files`;
  }

  /** Converts `source` (files, a Map of path → bytes, or a URL) and runs the result on zeros. */
  convert(source: TfjsModelSource, name: string): Promise<ConvertState> {
    return this.host.task('convert', 'convert-log', async () => {
      this.state = null;
      this.zip = null;
      $<HTMLButtonElement>('convert-download').disabled = true;
      $('convert-signature').textContent = '';
      $('convert-run').textContent = '';
      const bar = $<HTMLProgressElement>('convert-progress');
      bar.value = 0;
      this.readTotal = 0;
      this.say(`converting ${name}`, false);
      const t0 = performance.now();
      let events = 0;
      const sink = zipBlobSink();
      const r = await convertTfjsModel(source, sink, { onProgress: (p) => { events++; this.progress(p); } });
      const blob = sink.blob();
      const ms = performance.now() - t0;
      bar.value = 1;
      const path = r.traced ? 'traced' : r.format === 'graph-model' ? 'rebuilt' : 'layers';
      const ops = r.graph?.opHistogram ?? r.traced?.opHistogram ?? {};
      const q = Object.entries(r.weights.quantized).map(([d, n]) => `${n} ${d}`).join(', ');
      this.say(`${r.format}: ${path === 'rebuilt' ? 'graph rebuilt node for node' : path === 'traced' ? `traced (${r.traced!.reason})` : 'layers traced'}; ` +
        `${r.weights.count} weights${q ? ` (${q} dequantized)` : ''}; ${Object.values(ops).reduce((a, b) => a + b, 0) || '?'} nodes; ` +
        `${this.host.fmtBytes(blob.size)} zip in ${(ms / 1000).toFixed(2)} s`);
      if (r.graph && Object.keys(r.graph.splitOps).length) this.say(`fused ops split: ${Object.entries(r.graph.splitOps).map(([o, n]) => `${n} ${o}`).join(', ')}`);
      $('convert-progress-text').textContent = `${this.host.fmtBytes(blob.size)} zip`;

      const info = await inspectZip(blob);
      $('convert-signature').textContent = info.show;
      const model = await loadSavedModel(info.source);
      let testRun: ConvertState['testRun'];
      let inputs: ConvertState['inputs'];
      try {
        inputs = model.inputs.map((t, i) => ({ key: model.inputKeys[i]!, dtype: t.dtype, shape: t.shape ? [...t.shape] : null }));
        const feeds: Record<string, tf.Tensor> = {};
        model.inputs.forEach((t, i) => { feeds[model.inputKeys[i]!] = zerosFor(t.shape, t.dtype); });
        const out = await predictQuietly(model, feeds);
        const named: Record<string, tf.Tensor> = out instanceof tf.Tensor ? { [model.outputKeys[0]!]: out } : Array.isArray(out) ? Object.fromEntries(out.map((t, i) => [model.outputKeys[i]!, t])) : out;
        testRun = [];
        for (const key of model.outputKeys) {
          const t = named[key]!;
          const values = await t.data();
          testRun.push({ key, shape: [...t.shape], head: Array.from(values.slice(0, 8) as ArrayLike<number>, Number) });
        }
        tf.dispose([...Object.values(feeds), ...Object.values(named)]);
      } finally {
        model.dispose();
      }
      $('convert-run').textContent = `serving_default on zeros (${tf.getBackend()}):\n` + testRun.map((o) => `  ${o.key}: [${o.shape.join(', ')}] ${o.head.map((v) => v.toPrecision(5)).join(' ')}${o.head.length < o.shape.reduce((a, b) => a * b, 1) ? ' …' : ''}`).join('\n');
      this.zip = blob;
      $<HTMLButtonElement>('convert-download').disabled = false;
      this.state = {
        source: name, format: r.format, path, reason: r.traced?.reason ?? null, opHistogram: ops, quantized: r.weights.quantized,
        weightsRead: r.weights.bytesRead, bytes: blob.size, files: info.files.map((f) => f.path), show: info.show, signature: model.signature,
        inputs, testRun, progressEvents: events, ms,
      };
      return this.state;
    });
  }

  download(): void {
    if (!this.zip) throw new Error('convert a model first');
    this.host.download('saved_model.zip', this.zip);
  }

  /** Buttons, the drop zone (Enter/Space opens the picker), the file input and the URL form. */
  wire(isBusy: () => boolean): void {
    const input = $<HTMLInputElement>('convert-files');
    const zone = $('convert-dropzone');
    const files = (list: FileList | null | undefined) => {
      const fs = [...(list ?? [])];
      const json = fs.find((f) => f.name.endsWith('.json'));
      if (!json) { this.say('✗ no model.json among the files', false); return; }
      void this.convert(fs, json.name).catch(() => undefined);
    };
    input.addEventListener('change', () => { files(input.files); input.value = ''; });
    zone.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      if (!isBusy()) input.click();
    });
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      if (!isBusy()) files(e.dataTransfer?.files);
    });
    $('convert-url-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const text = $<HTMLInputElement>('convert-url').value.trim();
      if (!text || isBusy()) return;
      let url: URL;
      try { url = new URL(text, location.href); } catch { this.say(`✗ not a URL: ${text}`, false); return; }
      void this.convert(url, url.href).catch(() => undefined);
    });
    $('convert-download').addEventListener('click', () => this.download());
  }

  refresh(busy: boolean): void {
    $<HTMLInputElement>('convert-files').disabled = busy;
    $<HTMLButtonElement>('convert-url-go').disabled = busy;
    $<HTMLButtonElement>('convert-download').disabled = busy || !this.zip;
  }
}
