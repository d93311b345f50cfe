// "Load a SavedModel zip and run it": opens a zip (file input, drop, or the keyboard on the drop
// zone), shows its signatures, builds an input editor for serving_default's inputs and runs it
// with TFSavedModel.run() — every output is shown with its dtype, shape and first values. The
// model stays loaded for more runs until the next load; a failed load clears everything of the
// previous model first, so nothing stale stays on the page.
import * as tf from '@tensorflow/tfjs';
import { loadSavedModel, type TFSavedModel } from 'savedmodel-js';
import { inspectZip } from './exporter.js';
import { InputEditor, shapeText, type InputSpec } from './input-editor.js';
import { $ } from './dom.js';

export interface OutputResult {
  key: string;
  dtype: string;
  tfDtype: string;
  shape: number[];
  /** Number of elements. */
  size: number;
  /** The first values (at most HEAD). */
  head: (number | boolean | string)[];
}

export interface LoadedState {
  name: string;
  backend: string;
  signature: string;
  inputs: string[];
  outputs: string[];
  inputSpecs: InputSpec[];
  /** Every output of the last run. */
  results: OutputResult[];
  runs: number;
  /** The first output as rows (rank 2; a column otherwise), as the predictions table shows it. */
  predictions: number[][];
  show: string;
  files: string[];
}

export interface LoadHost {
  task<T>(name: string, where: string, fn: () => Promise<T>): Promise<T>;
  fmtBytes(n: number): string;
  /** Rows to prefill a [-1, k] float input with (the classifier's probe inputs). */
  probeRows(): number[][];
}

const HEAD = 8;

function cell(tag: 'td' | 'th', text: string): HTMLElement {
  const c = document.createElement(tag);
  c.textContent = text;
  return c;
}

function fmt(v: number | boolean | string): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(6);
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v);
}

export class LoadPanel {
  state: LoadedState | null = null;
  private model: TFSavedModel | null = null;
  private readonly editor: InputEditor;

  constructor(private readonly host: LoadHost) {
    this.editor = new InputEditor($('input-editor'));
  }

  private say(text: string, append = true): void {
    const el = $('load-log');
    el.textContent = append && el.textContent ? `${el.textContent}\n${text}` : text;
  }

  refresh(busy: boolean): void {
    $<HTMLInputElement>('load-file').disabled = busy;
    $<HTMLButtonElement>('run').disabled = busy || !this.model;
  }

  /** Forgets the previous model: its inputs, outputs, signature text and the model itself. */
  private reset(): void {
    this.state = null;
    this.model?.dispose();
    this.model = null;
    this.editor.clear();
    $('load-show').textContent = '';
    $('outputs').querySelector('tbody')!.replaceChildren();
    $('predictions').querySelector('thead')!.replaceChildren();
    $('predictions').querySelector('tbody')!.replaceChildren();
  }

  load(file: Blob & { name?: string }): Promise<LoadedState> {
    return this.host.task('load', 'load-log', async () => {
      this.reset();
      const name = file.name ?? 'zip';
      this.say(`opening ${name} (${this.host.fmtBytes(file.size)})`, false);
      let step = 'reading the zip';
      try {
        const info = await inspectZip(file);
        this.say(`${info.files.length} files; SavedModel at '${info.source.root || '.'}'`);
        $('load-show').textContent = info.show;
        step = 'loading the SavedModel';
        const model = await loadSavedModel(info.source);
        this.model = model;
        const inputSpecs: InputSpec[] = model.inputs.map((t, i) => ({ key: model.inputKeys[i]!, dtype: t.dtype, tfDtype: t.tfDtype ?? t.dtype, shape: t.shape ? [...t.shape] : null }));
        this.say(`signature '${model.signature}': inputs ${inputSpecs.map((s) => `${s.key} ${s.dtype}${shapeText(s.shape)}`).join(', ') || '(none)'} → outputs ${model.outputKeys.join(', ')}`);
        this.editor.show(inputSpecs, this.host.probeRows());
        this.state = {
          name, backend: tf.getBackend(), signature: model.signature, inputs: [...model.inputKeys], outputs: [...model.outputKeys],
          inputSpecs, results: [], runs: 0, predictions: [], show: info.show, files: info.files.map((f) => f.path),
        };
        step = 'running it';
        await this.execute();
        return this.state;
      } catch (e) {
        // Nothing of this model stays: the message says which step failed.
        this.reset();
        this.say(`✗ ${name}: ${step} failed`);
        throw e;
      }
    });
  }

  /** Runs serving_default on the editor's values (the Run button). */
  run(): Promise<LoadedState> {
    return this.host.task('run', 'load-log', async () => {
      await this.execute();
      return this.state!;
    });
  }

  private async execute(): Promise<void> {
    const model = this.model;
    if (!model || !this.state) throw new Error('load a SavedModel zip first');
    const feeds: Record<string, unknown> = {};
    for (const v of this.editor.values()) feeds[v.key] = v.value;
    const t0 = performance.now();
    // run(): plain values in, every output out as { dtype, shape, values }; synchronous execution
    // when the graph allows it (no executeAsync warnings), asynchronous for control flow.
    const out = await model.run(feeds);
    const ms = performance.now() - t0;
    const results: OutputResult[] = this.state.outputs.map((key) => {
      const o = out[key]!;
      return { key, dtype: o.dtype, tfDtype: o.tfDtype, shape: o.shape, size: o.values.length, head: [...o.values.slice(0, HEAD)] };
    });
    const first = this.state.outputs[0] ? out[this.state.outputs[0]] : undefined;
    let rows: number[][] = [];
    if (first && first.values.every((v) => typeof v === 'number')) {
      const values = first.values as number[];
      const w = first.shape.length === 2 ? first.shape[1]! : 1;
      for (let i = 0; i < values.length && w > 0; i += w) rows.push(values.slice(i, i + w));
    }
    this.state.results = results;
    this.state.predictions = rows;
    this.state.backend = tf.getBackend();
    this.state.runs++;
    this.showOutputs(results);
    this.showPredictions(first?.shape.length === 2 ? rows : []);
    this.say(`run ${this.state.runs} on ${tf.getBackend()}: ${results.length} output${results.length === 1 ? '' : 's'} in ${ms.toFixed(0)} ms`);
  }

  private showOutputs(results: OutputResult[]): void {
    $('outputs').querySelector('tbody')!.replaceChildren(...results.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.output = r.key;
      const more = r.size > r.head.length ? `, … (${r.size} values)` : '';
      tr.append(cell('td', r.key), cell('td', `${r.dtype} (${r.tfDtype})`), cell('td', shapeText(r.shape)), cell('td', `${r.head.map(fmt).join(', ')}${more}`));
      return tr;
    }));
  }

  /** A rank-2 first output as a table of rows with their argmax (a classifier's view). */
  private showPredictions(rows: number[][]): void {
    const table = $('predictions');
    if (rows.length === 0 || rows[0]!.length === 0) {
      table.querySelector('thead')!.replaceChildren();
      table.querySelector('tbody')!.replaceChildren();
      return;
    }
    const head = document.createElement('tr');
    head.append(...['#', ...rows[0]!.map((_, j) => `out[${j}]`), 'argmax'].map((t) => cell('th', t)));
    table.querySelector('thead')!.replaceChildren(head);
    table.querySelector('tbody')!.replaceChildren(...rows.map((r, i) => {
      const tr = document.createElement('tr');
      tr.append(...[String(i), ...r.map((v) => v.toFixed(5)), String(r.indexOf(Math.max(...r)))].map((t) => cell('td', t)));
      return tr;
    }));
  }

  wire(isBusy: () => boolean): void {
    const input = $<HTMLInputElement>('load-file');
    input.addEventListener('change', () => {
      const f = input.files?.[0];
      if (f) void this.load(f).catch(() => undefined).finally(() => { input.value = ''; });
    });
    $('run').addEventListener('click', () => void this.run().catch(() => undefined));
    const zone = $('dropzone');
    // keyboard: Enter or Space on the focused drop zone opens the file chooser
    zone.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      if (e.target !== zone) return; // keys on the inner file label keep their own meaning
      e.preventDefault();
      if (!input.disabled && !isBusy()) input.click();
    });
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('over');
      const f = e.dataTransfer?.files?.[0];
      if (f && !isBusy()) void this.load(f).catch(() => undefined);
    });
  }
}
