// Keras 3's `model.save('model.keras')`: a zip (stored, as Python's zipfile writes it) holding
// metadata.json, config.json (serialization_lib form) and model.weights.h5 (saving_lib layout).
import type * as tf from '@tensorflow/tfjs';
import { concatChunks } from '@savedmodel-js/core/internal';
import { ZipWriter } from '@savedmodel-js/zip';
import { writeHdf5 } from '../h5/h5wasm-files.js';
import { setStrAttr } from '../h5/keras-attrs.js';
import { modelConfig, optimizerState, savedLayerWeights, tensorData, tfjsTrainingConfig } from '../h5/model-state.js';
import { specForTfjs } from '../h5/optimizer-config.js';
import { checkOptions } from '../h5/options.js';
import { writeModelFile, type ModelFileTarget } from '../h5/output-target.js';
import { groupAt } from '../h5/save-keras-h5.js';
import { modelToKeras3, tfjsShapes } from './keras3-config.js';
import { configOrder, kerasVarsEntries } from './weight-paths.js';

/** The Keras version our .keras files claim. */
export const KERAS3_VERSION = '3.10.0';

export interface SaveKerasV3Options {
  /** Store the optimizer's variables (`optimizer/vars`) when the model is compiled and trained; default true. */
  includeOptimizer?: boolean;
  /** Replace an existing file at a path target; default true. */
  overwrite?: boolean;
  /** Entry name when the target is a FileSink; default `model.keras`. */
  fileName?: string;
  /** `date_saved` in metadata.json (default: now). */
  date?: Date;
}
const OPTION_KEYS = ['includeOptimizer', 'overwrite', 'fileName', 'date'] as const;

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const pad = (n: number) => String(n).padStart(2, '0');
const keras3Date = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}@${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;

/** config.json's content: the model in Keras 3 form, with compile_config when compiled. */
export function keras3Config(model: tf.LayersModel): Record<string, unknown> {
  const config = modelToKeras3(modelConfig(model) as unknown as Record<string, unknown>, tfjsShapes(model));
  const tc = tfjsTrainingConfig(model);
  if (tc !== undefined) {
    const spec = specForTfjs(tc.optimizerClass);
    config.compile_config = {
      optimizer: { module: 'keras.optimizers', class_name: spec.keras, config: spec.toKeras3(tc.optimizerConfig), registered_name: null },
      loss: tc.loss, loss_weights: null, metrics: tc.metrics, weighted_metrics: null, run_eagerly: false, steps_per_execution: 1, jit_compile: false,
    };
  }
  return config;
}

/** Saves `model` as Keras 3 writes `model.save('x.keras')`; returns the archive's bytes (and writes them to `target` when given). */
export async function saveKerasV3(model: tf.LayersModel, target?: ModelFileTarget, options: SaveKerasV3Options = {}): Promise<Uint8Array> {
  checkOptions('saveKerasV3', options, OPTION_KEYS);
  const config = keras3Config(model);
  const entries = kerasVarsEntries(model, configOrder(config));
  const values = await Promise.all(entries.map((e) => Promise.all(e.variables.map((v) => tensorData(v.read())))));
  const opt = (options.includeOptimizer ?? true) ? await optimizerState(model, savedLayerWeights(model)) : undefined;
  let optVars: { data: Float32Array | Int32Array | BigInt64Array; shape: number[]; dtype: string }[] | undefined;
  if (opt !== undefined) {
    const lr = typeof opt.tfjsConfig.learningRate === 'number' ? opt.tfjsConfig.learningRate : 0.001;
    optVars = [
      { data: BigInt64Array.of(BigInt(Math.round(opt.iterations))), shape: [], dtype: '<q' },
      { data: Float32Array.of(lr), shape: [], dtype: '<f' },
    ];
    const slot = async (k: number, i: number) => {
      const t = opt.slots[k]!.values[i]!;
      return { ...(await tensorData(t)), shape: t.shape };
    };
    const n = opt.variables.length;
    if (opt.spec.keras3Interleaved) {
      for (let i = 0; i < n; i++) for (let k = 0; k < opt.slots.length; k++) optVars.push(await slot(k, i));
    } else {
      for (let k = 0; k < opt.slots.length; k++) for (let i = 0; i < n; i++) optVars.push(await slot(k, i));
    }
  }

  const weights = await writeHdf5('model.weights.h5', (f) => {
    entries.forEach((e, j) => {
      const parent = e.path === '' ? f : groupAt(f, e.path.split('/'));
      const vars = parent.create_group('vars');
      setStrAttr(vars, 'name', e.name);
      e.variables.forEach((v, i) => {
        vars.create_dataset({ name: String(i), data: values[j]![i]!.data, shape: v.shape as number[], dtype: values[j]![i]!.dtype });
      });
    });
    if (optVars !== undefined && opt !== undefined) {
      const vars = f.create_group('optimizer').create_group('vars');
      setStrAttr(vars, 'name', opt.spec.keras.toLowerCase());
      optVars.forEach((v, i) => vars.create_dataset({ name: String(i), data: v.data, shape: v.shape, dtype: v.dtype }));
    }
  });

  const chunks: Uint8Array[] = [];
  const zip = new ZipWriter((c: Uint8Array) => { chunks.push(c); }, { compression: 'store', date: options.date });
  await zip.add('metadata.json', json({ keras_version: KERAS3_VERSION, date_saved: keras3Date(options.date ?? new Date()) }));
  await zip.add('config.json', json(config));
  await zip.add('model.weights.h5', weights);
  await zip.finish();
  const bytes = concatChunks(chunks);
  if (target !== undefined) await writeModelFile(target, bytes, options.fileName ?? 'model.keras', options.overwrite ?? true);
  return bytes;
}
