import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { SavedModelError } from '@savedmodel-js/core';
import { saveModel } from 'savedmodel-js';
import { parse, UsageError } from '../args.js';
import type { Io } from '../main.js';
import { progressBar } from '../progress.js';
import { quietTfjs } from '../tfjs.js';

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  weightsManifest?: { paths: string[]; weights: unknown[] }[];
}

/** Reads a tfjs Layers model as tfjs.io saves it (model.json + weight shards). */
async function readLayersModelFiles(modelJsonPath: string) {
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  } catch (e) {
    throw new SavedModelError('NOT_FOUND', `cannot read a tfjs model.json: ${(e as Error).message}`, { file: modelJsonPath, cause: e });
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new SavedModelError('INVALID_ARGUMENT', 'not a tfjs Layers model.json (needs modelTopology and weightsManifest)', { file: modelJsonPath });
  }
  if (json.format && json.format !== 'layers-model') {
    throw new SavedModelError('UNSUPPORTED', `model format ${JSON.stringify(json.format)}: only tfjs layers models can be converted`, { file: modelJsonPath });
  }
  const dir = dirname(modelJsonPath);
  const weightSpecs: unknown[] = [];
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) {
      const file = resolve(dir, p);
      try {
        parts.push(new Uint8Array(await readFile(file)));
      } catch (e) {
        throw new SavedModelError('NOT_FOUND', 'weight file listed in model.json is missing', { file, cause: e });
      }
    }
  }
  const total = parts.reduce((n, b) => n + b.length, 0);
  const weightData = new Uint8Array(total);
  let o = 0;
  for (const b of parts) { weightData.set(b, o); o += b.length; }
  return { modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer };
}

export async function convertCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { overwrite: { type: 'boolean' } }, ['MODEL_JSON', 'OUT']);
  const [modelJson, out] = positionals;
  if (!modelJson || !out) throw new UsageError('convert needs MODEL_JSON and OUT');
  const tf = await quietTfjs();
  const artifacts = await readLayersModelFiles(resolve(modelJson));
  let model;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts as Parameters<typeof tf.io.fromMemory>[0]));
  } catch (e) {
    throw new SavedModelError('INVALID_ARGUMENT', `tfjs could not load the model: ${(e as Error).message}`, { file: modelJson, cause: e });
  }
  const bar = progressBar('converting', io.err, io.isTTY === true, artifacts.weightData.byteLength);
  await saveModel(model, resolve(out), { options: { overwrite: values.overwrite === true, onProgress: (p) => bar.update(p) } });
  bar.done();
  io.out(`Converted ${modelJson} to the SavedModel ${resolve(out)}\n`);
  return 0;
}
