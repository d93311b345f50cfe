// savedmodel convert: a tfjs model (graph or layers, quantized weights included) → SavedModel, or
// with --to tfjs-graph-model a SavedModel → tfjs graph model (tensorflowjs_converter's job).
import { resolve } from 'node:path';
import { convertSavedModelToTfjs, convertTfjsModel, loadKerasModel, saveKerasModel, type ConvertProgress } from 'savedmodel-js';
import { writeTfjsLayersModel } from '../tfjs-layers-writer.js';
import { parse, UsageError } from '../args.js';
import type { Io } from '../dispatch.js';
import { progressBar, type ProgressBar } from '../progress.js';
import { quietTfjs } from '../tfjs.js';

const TO = new Set(['saved-model', 'tfjs-graph-model', 'tfjs-layers-model']);
const KERAS_FILE = /\.(h5|hdf5|keras)$/i;
const QUANTIZE = new Set(['uint8', 'uint16', 'float16']);

/** One bar per phase, each with its own total (reading weight files, then writing the SavedModel). */
function phasedProgress(io: Io) {
  let phase: ConvertProgress['phase'] | undefined;
  let bar: ProgressBar | undefined;
  return {
    update(p: ConvertProgress) {
      if (p.phase === 'trace') {
        bar?.done();
        bar = undefined;
        phase = p.phase;
        io.err(`the graph cannot be rebuilt as it is (${p.reason ?? 'unknown reason'}); tracing it with tfjs-converter instead\n`);
        return;
      }
      if (p.phase !== phase) {
        bar?.done();
        phase = p.phase;
        bar = progressBar(p.phase === 'read' ? 'reading weights' : 'converting', io.err, io.isTTY === true, p.totalBytes);
      }
      bar!.update({ bytesWritten: p.bytes, filesWritten: p.files });
    },
    done() { bar?.done(); },
  };
}

function histogramText(h: Record<string, number>): string {
  return Object.entries(h).sort(([, a], [, b]) => b - a).map(([op, n]) => `  ${op}: ${n}`).join('\n');
}

export async function convertCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    overwrite: { type: 'boolean' },
    to: { type: 'string' },
    variables: { type: 'boolean' },
    keep_float16: { type: 'boolean' },
    quantize: { type: 'string' },
    signature_def: { type: 'string' },
    skip_op_check: { type: 'boolean' },
    json: { type: 'boolean' },
  }, ['SOURCE', 'OUT']);
  const [source, out] = positionals;
  if (!source || !out) throw new UsageError('convert needs SOURCE (a model.json, or a SavedModel with --to tfjs-graph-model) and OUT');
  const to = values.to ?? 'saved-model';
  if (!TO.has(to)) throw new UsageError(`--to must be saved-model, tfjs-graph-model or tfjs-layers-model, got '${to}'`);
  await quietTfjs();

  if (KERAS_FILE.test(source)) {
    // A Keras file (.h5 / .keras) comes back whole through loadKerasModel; it is saved as tf.keras
    // would (SavedModel with keras_metadata.pb) or as a tfjs layers model.
    if (to === 'tfjs-graph-model' || values.variables || values.keep_float16 || values.quantize !== undefined || values.signature_def !== undefined || values.skip_op_check) {
      throw new UsageError('a Keras .h5/.keras input converts to a SavedModel (default) or --to tfjs-layers-model; other flags do not apply');
    }
    const model = await loadKerasModel(resolve(source), { onWarning: (m) => io.err(`warning: ${m}\n`) });
    if (to === 'tfjs-layers-model') {
      const files = await writeTfjsLayersModel(model, resolve(out), values.overwrite === true);
      if (values.json) io.out(`${JSON.stringify({ format: 'keras', location: resolve(out), files }, null, 2)}\n`);
      else io.out(`Converted ${source} (keras) to the tfjs layers model ${resolve(out)} (${files.length} files)\n`);
      return 0;
    }
    const bar = progressBar('writing', io.err, io.isTTY === true);
    const r = await saveKerasModel(model, resolve(out), { overwrite: values.overwrite === true, options: { onProgress: (p) => bar.update(p) } });
    bar.done();
    if (values.json) io.out(`${JSON.stringify({ format: 'keras', ...r }, null, 2)}\n`);
    else io.out(`Converted ${source} (keras) to the SavedModel ${r.location} (signatures: ${Object.keys(r.signatures).join(', ')})\n`);
    return 0;
  }
  if (to === 'tfjs-layers-model') throw new UsageError('--to tfjs-layers-model takes a Keras .h5/.keras file');

  if (to === 'tfjs-graph-model') {
    if (values.variables || values.keep_float16) throw new UsageError('--variables and --keep_float16 apply when converting to a SavedModel');
    if (values.quantize !== undefined && !QUANTIZE.has(values.quantize)) throw new UsageError(`--quantize must be uint8, uint16 or float16, got '${values.quantize}'`);
    const bar = progressBar('writing', io.err, io.isTTY === true);
    const r = await convertSavedModelToTfjs(resolve(source), resolve(out), {
      overwrite: values.overwrite === true,
      ...(values.signature_def ? { signature: values.signature_def } : {}),
      ...(values.quantize ? { quantize: values.quantize as 'uint8' } : {}),
      ...(values.skip_op_check ? { skipOpCheck: true } : {}),
      onProgress: (p) => bar.update({ bytesWritten: p.bytesWritten, filesWritten: p.filesWritten }),
    });
    bar.done();
    if (values.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
    else io.out(`Converted ${source} to the tfjs graph model ${r.location} (${r.files.length} files, ${r.weights} weights, ${(r.weightBytes / 1e6).toFixed(1)} MB)\n`);
    return 0;
  }

  if (values.quantize !== undefined || values.signature_def !== undefined || values.skip_op_check) throw new UsageError('--quantize, --signature_def and --skip_op_check apply with --to tfjs-graph-model');
  const progress = phasedProgress(io);
  let r;
  try {
    r = await convertTfjsModel(resolve(source), resolve(out), {
      overwrite: values.overwrite === true,
      variables: values.variables === true,
      keepFloat16: values.keep_float16 === true,
      onProgress: (p) => progress.update(p),
    });
  } finally {
    progress.done();
  }
  if (values.json) {
    io.out(`${JSON.stringify(r, null, 2)}\n`);
    return 0;
  }
  io.out(`Converted ${source} (${r.format}) to the SavedModel ${r.location}\n`);
  if (r.graph) {
    const split = Object.entries(r.graph.splitOps).map(([op, n]) => `${n} ${op}`).join(', ');
    if (split) io.out(`Split fused ops: ${split}\n`);
    io.out(`Ops:\n${histogramText(r.graph.opHistogram)}\n`);
    for (const w of r.graph.warnings) io.err(`warning: ${w}\n`);
  }
  if (r.traced) {
    io.out(`Traced with tfjs-converter (weights frozen as Consts) because ${r.traced.reason}\n`);
    io.out(`Ops:\n${histogramText(r.traced.opHistogram)}\n`);
    for (const w of r.traced.warnings) io.err(`warning: ${w}\n`);
  }
  const q = Object.entries(r.weights.quantized).map(([d, n]) => `${n} ${d}`).join(', ');
  if (q) io.out(`Quantized weights read: ${q}${values.keep_float16 ? ' (float16 kept)' : ' (dequantized)'}\n`);
  return 0;
}
