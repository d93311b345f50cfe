// What TensorFlow's SavedModel loader does between restoring variables and serving: find the
// init op (TF2 `__saved_model_init_op` signature, else the TF1 `saved_model_main_op`, else
// `legacy_init_op` collection), feed each asset's path to its tensor, and run it once.
// Tables and assigned variables it fills live in the ResourceStore every signature shares.
import { SavedModelError, tensorflow, type LoadedSavedModel, type MemoryBudget } from '@savedmodel-js/core';
import { freezeInit, type FrozenGraph } from './freeze.js';
import { hostReadsSynchronously, HostProgram, hostValueReader, ResourceStore, runSynchronously } from './host-ops.js';
import { createGraphModel } from './tfjs-model.js';
import { exportDirOf } from './source.js';
import type { HostTensor } from './host-tensor.js';
import type { VariableKeys } from './variables.js';

const DT = tensorflow.DataType;
const INIT_SIGNATURE = '__saved_model_init_op';
const ASSET_ANY = 'type.googleapis.com/tensorflow.AssetFileDef';

/** Node names the init op runs (empty when the model has none). */
export function initTargets(mg: tensorflow.IMetaGraphDef): string[] {
  const sig = mg.signature_def?.[INIT_SIGNATURE];
  if (sig) return Object.values(sig.outputs ?? {}).map((o) => o.name ?? '').filter((n) => n !== '');
  for (const key of ['saved_model_main_op', 'legacy_init_op']) {
    const list = mg.collection_def?.[key]?.node_list?.value ?? [];
    if (list.length > 0) return [...list];
  }
  return [];
}

/**
 * Whether init target `name` is a top-level NoOp without inputs (what tf.saved_model.save writes
 * when nothing needs initializing): running it does nothing, so freezing and building an executor
 * for it (~13 ms on a 2,000-layer model) is skipped.
 */
function isEmptyNoOp(mg: tensorflow.IMetaGraphDef, name: string): boolean {
  const nodeName = name.replace(/^\^/, '').replace(/:\d+$/, '');
  const nodes = mg.graph_def?.node ?? [];
  let found: tensorflow.INodeDef | undefined;
  for (const n of nodes) {
    if (n.name !== nodeName) continue;
    if (found) return false; // duplicate names: let the freezer report them
    found = n;
  }
  return found !== undefined && found.op === 'NoOp' && (found.input ?? []).length === 0;
}

/** Asset files a MetaGraphDef declares: tensor to feed → file name under assets/. */
export function assetFileDefs(mg: tensorflow.IMetaGraphDef): Array<{ tensor: string; filename: string }> {
  const defs: tensorflow.IAssetFileDef[] = [...(mg.asset_file_def ?? [])];
  if (defs.length === 0) {
    for (const any of mg.collection_def?.saved_model_assets?.any_list?.value ?? []) {
      if (any.type_url !== ASSET_ANY || !any.value) continue;
      try {
        defs.push(tensorflow.AssetFileDef.decode(any.value));
      } catch (e) {
        throw new SavedModelError('CORRUPT', `collection saved_model_assets: cannot decode an AssetFileDef: ${(e as Error).message}`, { key: 'saved_model_assets', cause: e });
      }
    }
  }
  return defs.map((d) => ({ tensor: d.tensor_info?.name ?? '', filename: d.filename ?? '' })).filter((d) => d.tensor !== '' && d.filename !== '');
}

function canonical(tensor: string): string {
  return /:\d+$/.test(tensor) ? tensor : `${tensor}:0`;
}

/** The loaded model's state: asset bytes read once (assets are small vocabularies and files). */
export async function createStore(
  loaded: LoadedSavedModel,
  mg: tensorflow.IMetaGraphDef,
  initialValue: (variable: string) => HostTensor,
  budget?: MemoryBudget,
): Promise<ResourceStore> {
  const assets = new Map<string, Uint8Array>();
  for (const { filename } of assetFileDefs(mg)) {
    const path = `assets/${filename}`;
    if (filename.includes('..') || filename.startsWith('/')) throw new SavedModelError('INVALID_GRAPH', `asset file name ${JSON.stringify(filename.slice(0, 200))} leaves assets/`, { key: filename });
    if (assets.has(path)) continue;
    const bytes = await loaded.source.read(path);
    budget?.take(bytes.length, `asset ${path}`, { file: path });
    assets.set(path, bytes);
  }
  const creators = new Map((mg.graph_def?.node ?? []).map((n) => [n.name ?? '', n]));
  return new ResourceStore(assets, initialValue, creators);
}

/**
 * Asset path constants fed to the asset tensors, as TensorFlow's loader feeds them:
 * `<export_dir>/assets/<file>` with the directory as the caller named it (file_io.join), or
 * `assets/<file>` for SavedModels that have no directory (zips, in-memory maps). ReadFile and the
 * table initializers resolve either to the asset's bytes, and nothing else.
 */
export function assetFeeds(mg: tensorflow.IMetaGraphDef, exportDir?: string): Map<string, HostTensor> {
  const enc = new TextEncoder();
  const prefix = exportDir === undefined || exportDir === '' ? '' : `${exportDir.replace(/\/+$/, '')}/`;
  return new Map(assetFileDefs(mg).map((d) => [canonical(d.tensor), { dtype: DT.DT_STRING, shape: [], values: [enc.encode(`${prefix}assets/${d.filename}`)] }]));
}

/** Run the init op once; returns the variables it assigned (signatures must read those from the store). */
export async function runInitOp(
  mg: tensorflow.IMetaGraphDef,
  loaded: LoadedSavedModel,
  store: ResourceStore,
  variableKeys: VariableKeys,
  budget?: MemoryBudget,
): Promise<FrozenGraph | undefined> {
  const targets = initTargets(mg);
  if (targets.length === 0 || targets.every((t) => isEmptyNoOp(mg, t))) return undefined;
  const frozen = freezeInit(mg, loaded.checkpoint, targets, { variableKeys, constFeeds: assetFeeds(mg, exportDirOf(loaded)), ...(budget ? { budget } : {}) });
  const program = new HostProgram(frozen.hostNodes, store);
  const model = createGraphModel(frozen, program.id);
  try {
    const names = frozen.outputs.map((o) => o.node);
    let out;
    if (hostValueReader([...frozen.nodes, ...frozen.functions.flatMap((f) => f.node_def ?? [])], frozen.hostNodes) && !hostReadsSynchronously()) {
      out = await model.executeAsync({}, names); // host ops read values asynchronously on this backend
    } else {
      try {
        out = runSynchronously(() => model.execute({}, names));
      } catch (e) {
        if (!/executeAsync/.test((e as Error).message)) throw e;
        out = await model.executeAsync({}, names); // control flow in the init op
      }
    }
    for (const t of Array.isArray(out) ? out : [out]) t.dispose();
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    throw new SavedModelError('INVALID_GRAPH', `the init op (${targets.join(', ').slice(0, 200)}) failed: ${(e as Error).message}`, { key: INIT_SIGNATURE, cause: e });
  } finally {
    model.dispose();
    program.dispose();
  }
  return frozen;
}
