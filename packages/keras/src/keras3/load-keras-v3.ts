// Keras 3 `.keras` archives into a tf.LayersModel: config.json (converted to the Keras-2 form tfjs
// reads), model.weights.h5 by saving_lib's paths, compile_config and optimizer/vars when present.
import * as tf from '@tensorflow/tfjs';
import { SavedModelError, type Limits } from '@savedmodel-js/core';
import { weightLists } from '@savedmodel-js/export';
import { zipSource } from '@savedmodel-js/zip';
import { readHdf5, type H5Group } from '../h5/h5wasm-files.js';
import {
  LOAD_OPTION_KEYS, compileFromKeras, modelFromKerasConfig, namedOptimizer, parseKerasJson, restoreOptimizer, storedWeights, type KerasLoadOptions,
  type WeightArray,
} from '../h5/into-tfjs.js';
import { specForTfjs } from '../h5/optimizer-config.js';
import { checkOptions } from '../h5/options.js';
import { readModelFile, type ModelFileInput } from '../h5/output-target.js';
import { newBudget, readWeight } from '../h5/read-datasets.js';
import { modelFromKeras3 } from './keras3-config.js';
import { configOrder, kerasVarsEntries } from './weight-paths.js';


export interface LoadKerasV3Options extends KerasLoadOptions {
  limits?: Partial<Limits>;
}

const WEIGHTS = 'model.weights.h5';

/** Numbered datasets `0`, `1`, … of a `vars` group, in order. */
function readVars(g: H5Group, file: string, budget: ReturnType<typeof newBudget>): WeightArray[] {
  const keys = g.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
  return keys.map((k) => {
    const ds = g.get(k);
    if (ds === null || (ds as { type?: unknown }).type !== 'Dataset') throw new SavedModelError('CORRUPT', `${g.path}/${k} is not a dataset`, { file, key: `${g.path}/${k}` });
    return readWeight(ds as never, `${g.path}/${k}`, file, budget);
  });
}

/** Groups a hostile file may nest or link (HDF5 links can even loop): walked no deeper, no more. */
const MAX_GROUP_DEPTH = 64;
const MAX_GROUPS = 100_000;

/** Every `vars` group outside `optimizer/`, by path (`layers/dense/vars`), with its datasets read. */
function layerVarsGroups(f: H5Group, file: string, budget: ReturnType<typeof newBudget>): Map<string, WeightArray[]> {
  const out = new Map<string, WeightArray[]>();
  const stack: [H5Group, string, number][] = [[f, '', 0]];
  let seen = 0;
  while (stack.length > 0) {
    const [g, path, depth] = stack.pop()!;
    for (const k of g.keys()) {
      const p = path === '' ? k : `${path}/${k}`;
      if (p === 'optimizer') continue;
      const child = g.get(k);
      if (child === null || (child as { type?: unknown }).type !== 'Group') continue;
      if (++seen > MAX_GROUPS || depth >= MAX_GROUP_DEPTH) {
        throw new SavedModelError('LIMIT_EXCEEDED', `${file} nests more than ${MAX_GROUPS} groups or ${MAX_GROUP_DEPTH} levels (at ${p})`, { file, key: p });
      }
      if (k === 'vars') out.set(p, readVars(child as H5Group, file, budget));
      else stack.push([child as H5Group, p, depth + 1]);
    }
  }
  return out;
}

function groupOrNull(root: H5Group, path: string): H5Group | null {
  if (path === '') return root;
  let g: H5Group = root;
  for (const seg of path.split('/')) {
    if (!g.keys().includes(seg)) return null;
    const next = g.get(seg);
    if (next === null || (next as { type?: unknown }).type !== 'Group') return null;
    g = next as H5Group;
  }
  return g;
}

/** Loads a Keras 3 `.keras` file (bytes, a Blob/File, or a path in Node) as a tf.LayersModel. */
export async function loadKerasV3(input: ModelFileInput, options: LoadKerasV3Options = {}): Promise<tf.LayersModel> {
  checkOptions('loadKerasV3', options, [...LOAD_OPTION_KEYS, 'limits']);
  const warn = options.onWarning ?? ((m: string) => console.warn(`loadKerasV3: ${m}`));
  const { bytes, label } = await readModelFile(input, 'Keras .keras file');
  const zip = await zipSource(bytes, { location: label, root: '' });
  const text = async (name: string) => new TextDecoder().decode(await zip.readEntry(name));
  if (!zip.entries.some((e) => e.name === 'config.json')) {
    throw new SavedModelError('NOT_FOUND', 'no config.json: not a Keras 3 .keras archive', { file: label, key: 'config.json' });
  }
  const k3 = parseKerasJson(await text('config.json'), label, 'config.json') as Record<string, unknown>;
  let config: Record<string, unknown>;
  try {
    config = modelFromKeras3(k3);
  } catch (e) {
    throw new SavedModelError('UNSUPPORTED', `config.json has a form this loader does not know: ${String(e instanceof Error ? e.message : e).slice(0, 200)}`, { file: label, cause: e });
  }
  if (!zip.entries.some((e) => e.name === WEIGHTS)) {
    throw new SavedModelError(zip.entries.some((e) => e.name === 'model.weights.npz') ? 'UNSUPPORTED' : 'NOT_FOUND',
      `no ${WEIGHTS} in the archive (npz weights are not supported)`, { file: label, key: WEIGHTS });
  }
  // every vars group first: the model is then built within what the file stores
  const budget = newBudget(options.limits);
  const where = `${label}:${WEIGHTS}`;
  const { groups, optimizer } = await readHdf5(where, await zip.readEntry(WEIGHTS), (f) => ({
    groups: layerVarsGroups(f, where, budget),
    optimizer: (() => { const g = groupOrNull(f, 'optimizer/vars'); return g === null ? undefined : readVars(g, where, budget); })(),
  }));
  const model = await modelFromKerasConfig(config, label, storedWeights([...groups.values()].flat(), (n) => `the ${n} weight values ${WEIGHTS} stores`));
  const order = configOrder(config);
  const varsPath = (e: { path: string }) => (e.path === '' ? 'vars' : `${e.path}/vars`);
  let entries = kerasVarsEntries(model, order).filter((e) => e.variables.length > 0);
  if (entries.some((e) => !groups.has(varsPath(e)))) {
    // a wrapper's weights in its own vars: as savedmodel-js wrote them before 2026-12-06
    const flat = kerasVarsEntries(model, order, { flatWrappers: true }).filter((e) => e.variables.length > 0);
    if (flat.every((e) => groups.has(varsPath(e)))) entries = flat;
  }
  const perEntry = entries.map((e) => {
    const arrays = groups.get(varsPath(e));
    if (arrays === undefined) throw new SavedModelError('CORRUPT', `no variables at ${e.path}/vars for layer ${e.name}`, { file: where, key: `${e.path}/vars` });
    return arrays;
  });
  entries.forEach((e, j) => {
    const arrays = perEntry[j]!;
    if (arrays.length !== e.variables.length) {
      throw new SavedModelError('CORRUPT', `layer ${e.name} has ${e.variables.length} variables in tfjs, ${e.path}/vars holds ${arrays.length}`, { file: where, key: e.path });
    }
    e.variables.forEach((v, i) => {
      const a = arrays[i]!;
      if (a.shape.join(',') !== v.shape.join(',')) {
        throw new SavedModelError('CORRUPT', `${a.name} has shape [${a.shape}], layer ${e.name} expects [${v.shape}]`, { file: where, key: a.name });
      }
      const t = tf.tensor(a.data, a.shape, v.dtype === 'int32' ? 'int32' : 'float32');
      v.write(t);
      t.dispose();
    });
  });

  const ccRaw: unknown = k3.compile_config;
  if (options.compile === false || ccRaw === undefined || ccRaw === null) return model;
  const cc = (typeof ccRaw === 'object' ? ccRaw : {}) as Record<string, unknown>;
  const oc = namedOptimizer(cc.optimizer);
  if (oc === undefined) {
    warn('compile_config has no optimizer: the model is not compiled');
    return model;
  }
  const used = compileFromKeras(model, { loss: cc.loss, metrics: cc.metrics, optimizerClass: oc.className, optimizerConfig: oc.config }, warn);
  if (used === null || optimizer === undefined || optimizer.length === 0) return model;
  const spec = specForTfjs(used);
  const kinds = spec.kerasSlots(model.optimizer.getConfig() as Record<string, unknown>);
  const nVars = weightLists(model).trainable.length;
  const head = optimizer.length - kinds.length * nVars;
  if (head !== 1 && head !== 2) {
    warn(`optimizer/vars holds ${optimizer.length} variables, not what ${spec.keras} keeps for ${nVars} trainable variables: the optimizer starts fresh`);
    return model;
  }
  const slotValues = optimizer.slice(head);
  const slots = new Map<string, WeightArray[]>();
  kinds.forEach((kind, k) => {
    slots.set(kind, Array.from({ length: nVars }, (_, i) => slotValues[spec.keras3Interleaved ? i * kinds.length + k : k * nVars + i]!));
  });
  await restoreOptimizer(model, Number(optimizer[0]!.data[0] ?? 0), Array.from({ length: nVars }, () => '\0'), slots, warn);
  return model;
}
