// The consumer's code, written as a web developer would, against the packed packages only: a
// tfjs model → exportModel into a zip Blob → loadSavedModel of that Blob → same predictions.
// Type-checked by the vite template's own tsconfig (strict, erasableSyntaxOnly,
// verbatimModuleSyntax) and bundled by `vite build`.
import * as tf from '@tensorflow/tfjs';
import { exportModel, fileMapSink, isSavedModelError, loadSavedModel, saveToZipBlob, type FileMap } from 'savedmodel-js';

export interface RoundTripResult {
  backend: string;
  zipBytes: number;
  files: string[];
  maxAbsDiff: number;
  pathError: string;
}

export async function roundTrip(): Promise<RoundTripResult> {
  const input = tf.input({ shape: [3], name: 'x' });
  const hidden = tf.layers.dense({ units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
  const head = tf.layers.dense({ units: 2, name: 'y', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) });
  const model = tf.model({ inputs: input, outputs: head.apply(hidden.apply(input)) as tf.SymbolicTensor });
  const x = tf.tensor2d([[1, 2, 3], [-0.5, 0.25, 4]]);
  const want = (model.predict(x) as tf.Tensor).dataSync();

  // An in-memory file map (what the browser export writes without a zip)…
  const files: FileMap = new Map();
  await exportModel(model, fileMapSink(files));
  // …and a zip Blob for download.
  const blob = await saveToZipBlob((sink) => exportModel(model, sink));
  const loaded = await loadSavedModel(blob);
  const got = (loaded.predict(x) as tf.Tensor).dataSync();
  let maxAbsDiff = got.length === want.length ? 0 : Infinity;
  for (let i = 0; i < want.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i]! - want[i]!));
  loaded.dispose();

  // A path only makes sense in Node: the library says so instead of failing to resolve a module.
  let pathError = 'no error';
  try {
    await loadSavedModel('models/model.zip');
    pathError = typeof (globalThis as { process?: unknown }).process === 'undefined' ? 'path accepted in a browser' : 'node';
  } catch (e) {
    pathError = isSavedModelError(e) ? `${e.code}: ${e.message}` : `untyped: ${String(e)}`;
  }
  return { backend: tf.getBackend(), zipBytes: blob.size, files: [...files.keys()].sort(), maxAbsDiff, pathError };
}
