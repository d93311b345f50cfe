// The object graph tf.keras 2.x writes for a Functional / Sequential model (checked against the TF
// 2.10 fixture keras_cnn): per layer `variables`, `trainable_variables`, `regularization_losses`,
// `keras_api` (non_trainable_variables, layers, metrics, layer_regularization_losses,
// layer_metrics, the same lists again and the call functions), the traced call functions, the
// layer's own weights by name (an RNN's under its `cell`, a wrapper's under the layers it holds);
// a model adds `layer_with_weights-N` / `layer-N`, `_default_save_signature`,
// and, compiled, `optimizer` and `keras_api/metrics`.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';
import { isLayersModel, type ExportableFunction, type FunctionAttr, type ObjectNode, type TreeNode, type TreeResolver } from '@savedmodel-js/export';
import { savedLayers } from '../h5/layer-weights.js';
import { layerFunctions, type LayerFunctions } from './layer-functions.js';
import { isRecurrent, rnnCells, wrappedLayers } from '../sublayers.js';

/** What the layout knows of a tfjs layer (tf.layers.Layer, public and protected members used here). */
export interface LayerLike {
  name: string;
  weights: tf.LayerVariable[];
  trainableWeights: tf.LayerVariable[];
  nonTrainableWeights: tf.LayerVariable[];
  getClassName(): string;
  layers?: LayerLike[];
}

/** One Keras object of the graph: its metadata entry is written from these. */
export interface KerasObject {
  node: ObjectNode;
  /** `root`, `root.layer_with_weights-0`, … (the path keras_metadata.pb names; first path found). */
  path: string;
  kind: 'model' | 'layer' | 'input_layer' | 'metric';
  layer?: LayerLike;
  metric?: { className: string; name: string; config: Record<string, unknown> };
}

export interface LayoutOptions {
  saveTraces: boolean;
  /** Extra root dependencies after keras_api (the optimizer), added by the caller. */
  rootExtras?: [string, TreeNode][];
  /** Metric objects for `keras_api/metrics` of the root (compiled models). */
  metrics?: { className: string; name: string; config: Record<string, unknown>; variables: TreeNode[] }[];
  /** The root's `_default_save_signature` (`_wrapped_model`). */
  defaultSignature?: ExportableFunction;
}

function list(items: TreeNode[]): ObjectNode {
  const key = {};
  return { kind: 'object', key, identifier: 'trackable_list_wrapper', deps: () => items.map((n, i) => [String(i), n]), functions: () => [] };
}

function dict(): ObjectNode {
  return { kind: 'object', key: {}, identifier: 'trackable_dict_wrapper', deps: () => [], functions: () => [] };
}

function generic(deps: [string, TreeNode][], functions: [string, FunctionAttr][] = []): ObjectNode {
  return { kind: 'object', key: {}, identifier: '_generic_user_object', deps: () => deps, functions: () => functions };
}

export function isInputLayer(layer: LayerLike): boolean {
  return layer.getClassName() === 'InputLayer';
}

/** A weight's dependency name: the last part of its name (`kernel`). */
export function weightName(w: tf.LayerVariable): string {
  const full = w.originalName ?? w.name;
  return full.split('/').pop() || 'variable';
}

/** The dependency names of a layer's own weights: weightName, a repeated one suffixed (`kernel_1`). */
export function ownWeightNames(weights: readonly tf.LayerVariable[]): string[] {
  const used = new Set<string>();
  return weights.map((w) => {
    let n = weightName(w);
    for (let i = 1; used.has(n); i++) n = `${weightName(w)}_${i}`;
    used.add(n);
    return n;
  });
}

/** Builds the Keras object tree; `objects` lists every Keras object (for keras_metadata.pb). */
export class KerasLayout {
  readonly objects: KerasObject[] = [];
  private readonly layerNodes = new Map<LayerLike, ObjectNode>();
  private readonly traces: Promise<unknown>[] = [];

  /** Settles when every call function is traced (tracing errors surface here). */
  ready(): Promise<unknown> {
    return Promise.all(this.traces);
  }

  constructor(private readonly resolver: TreeResolver, private readonly options: LayoutOptions) {}

  private variable(w: tf.LayerVariable): TreeNode {
    return this.resolver.resolve(w, w.name);
  }

  /** The root: the model itself. */
  root(model: tf.LayersModel): ObjectNode {
    return this.layer(model as unknown as LayerLike, 'root', true);
  }

  /** `wrapped`: a layer a wrapper tracks (never called on its own in tfjs: no call functions are traced for it). */
  private layer(layer: LayerLike, path: string, isRoot = false, wrapped = false): ObjectNode {
    const hit = this.layerNodes.get(layer);
    if (hit) return hit;
    const isModel = isLayersModel(layer);
    const kind: KerasObject['kind'] = isModel ? 'model' : isInputLayer(layer) ? 'input_layer' : 'layer';
    const identifier = isModel
      ? (layer.getClassName() === 'Sequential' ? '_tf_keras_sequential' : '_tf_keras_network')
      : kind === 'input_layer' ? '_tf_keras_input_layer' : isRecurrent(layer) ? '_tf_keras_rnn_layer' : '_tf_keras_layer';
    const vars = layer.weights.map((w) => this.variable(w));
    const trainable = layer.trainableWeights.map((w) => this.variable(w));
    const nonTrainable = layer.nonTrainableWeights.map((w) => this.variable(w));
    const variables = list(vars), trainableVariables = list(trainable), regularizationLosses = list([]);
    let fns: LayerFunctions | null = null;
    if (this.options.saveTraces && kind !== 'input_layer' && !wrapped) {
      const f = layerFunctions(layer as never, isModel, isRoot ? this.options.defaultSignature : undefined);
      this.traces.push(f.ready);
      fns = f;
    }
    const functions = (): [string, FunctionAttr][] => {
      if (!fns) return [];
      const out: [string, FunctionAttr][] = [['__call__', fns.call], ['call_and_return_all_conditional_losses', fns.callAndReturnLosses]];
      if (isRoot && fns.defaultSignature) out.push(['_default_save_signature', fns.defaultSignature]);
      return out;
    };
    const deps: [string, TreeNode][] = [];
    const subLayers: ObjectNode[] = [];
    const node: ObjectNode = {
      kind: 'object', key: layer, identifier,
      deps: () => deps,
      functions,
    };
    this.layerNodes.set(layer, node);
    this.objects.push({ node, path, kind, layer });
    if (isModel) {
      // Keras's `model.layers`: a Sequential's InputLayer (tfjs lists one added explicitly) is not
      // one of them, so layer-0 is its first real layer, as TensorFlow numbers it
      const sub = savedLayers(layer);
      let k = 0;
      sub.forEach((l, i) => {
        if (l.weights.length > 0) {
          const name = `layer_with_weights-${k++}`;
          const n = this.layer(l, `${path}.${name}`);
          deps.push([name, n]);
        }
        const n = this.layer(l, `${path}.layer-${i}`);
        deps.push([`layer-${i}`, n]);
        subLayers.push(n);
      });
    }
    deps.push(['variables', variables], ['trainable_variables', trainableVariables], ['regularization_losses', regularizationLosses]);
    const metricNodes: ObjectNode[] = [];
    if (isRoot) {
      (this.options.metrics ?? []).forEach((m, i) => {
        const mvars = list(m.variables);
        const mnode: ObjectNode = {
          kind: 'object', key: {}, identifier: '_tf_keras_metric',
          deps: () => [
            ['variables', mvars], ['keras_api', generic([['variables', mvars]])], ...m.variables.map((v, j) => [j === 0 ? 'total' : 'count', v] as [string, TreeNode]),
            ...(m.className === 'MeanMetricWrapper' ? [['_fn_kwargs', dict()] as [string, TreeNode]] : []),
          ],
          functions: () => [],
        };
        metricNodes.push(mnode);
        this.objects.push({ node: mnode, path: `${path}.keras_api.metrics.${i}`, kind: 'metric', metric: m });
      });
    }
    const kerasApi: ObjectNode = {
      kind: 'object', key: {}, identifier: '_generic_user_object',
      deps: () => [
        ['non_trainable_variables', list(nonTrainable)], ['layers', list(subLayers)], ['metrics', list(metricNodes)],
        ['layer_regularization_losses', list([])], ['layer_metrics', dict()],
        ['variables', variables], ['trainable_variables', trainableVariables], ['regularization_losses', regularizationLosses],
      ],
      functions: () => {
        const f = functions();
        const losses = f.find(([n]) => n === 'call_and_return_all_conditional_losses');
        return losses ? [...f, ['call_and_return_conditional_losses', losses[1]]] : f;
      },
    };
    deps.push(['keras_api', kerasApi]);
    const inner = isModel ? [] : wrappedLayers(layer);
    if (inner.length > 0) {
      // a wrapper's weights belong to the layers it wraps: `forward_layer/cell/kernel`, `layer/kernel`
      for (const [attr, sub] of inner) {
        const n = this.layer(sub, `${path}.${attr}`, false, true);
        deps.push([attr, n]);
        subLayers.push(n); // keras_api.layers: the layers it holds
      }
    } else if (isRecurrent(layer)) {
      // Keras RNN layers keep their weights in their cell: `layer_with_weights-N/cell/kernel`;
      // an RNN of several cells in StackedRNNCells' list: `cell/cells/0/kernel`
      const cellNode = (cell: LayerLike): ObjectNode => {
        const cellDeps: [string, TreeNode][] = cell.weights.map((w) => [weightName(w), this.variable(w)]);
        return { kind: 'object', key: {}, identifier: '_tf_keras_layer', deps: () => cellDeps, functions: () => [] };
      };
      const cells = recurrentCells(layer);
      if (cells.length === 1 && cells[0]!.path.length === 1) {
        deps.push(['cell', cellNode(cells[0]!.cell)]);
      } else {
        const stacked: [string, TreeNode][] = [['cells', list(cells.map((c) => cellNode(c.cell)))]];
        deps.push(['cell', { kind: 'object', key: {}, identifier: '_tf_keras_layer', deps: () => stacked, functions: () => [] }]);
      }
    } else if (!isModel) {
      const names = ownWeightNames(layer.weights);
      layer.weights.forEach((w, i) => deps.push([names[i]!, this.variable(w)]));
    }
    // tf.keras 2.10's random layers track their generator (a plain object, nothing saved)
    if (RANDOM_LAYERS.has(layer.getClassName())) deps.push(['_random_generator', generic([])]);
    if (isRoot) for (const e of this.options.rootExtras ?? []) deps.push(e);
    return node;
  }
}

const RANDOM_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/**
 * The cells of a recurrent layer and where tf.keras tracks each: `cell` (LSTM, GRU, SimpleRNN,
 * ConvLSTM2D, an RNN of one cell), or `cell/cells/<i>` for an RNN of several (StackedRNNCells).
 */
export function recurrentCells(layer: LayerLike): { path: string[]; cell: LayerLike }[] {
  const r = rnnCells(layer);
  if (r === null) return [];
  return r.stacked ? r.stacked.map((c, i) => ({ path: ['cell', 'cells', String(i)], cell: c })) : [{ path: ['cell'], cell: r.cell }];
}

export function checkModel(model: unknown): asserts model is tf.LayersModel {
  if (!isLayersModel(model)) throw new SavedModelError('INVALID_ARGUMENT', 'saveKerasModel saves a tf.LayersModel (tf.sequential / tf.model)');
  if (!model.inputs?.length) throw new SavedModelError('INVALID_ARGUMENT', 'the model has no inputs: build it (or call it once) before saving');
}
