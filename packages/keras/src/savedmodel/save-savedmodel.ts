// tf.keras.models.save_model(model, dir, save_format='tf') for a tfjs LayersModel: the Keras object
// graph (keras-layout.ts), its traced functions, the optimizer and metric objects, and
// keras_metadata.pb, on @savedmodel-js/export's TF2 builder.
import type * as tf from '@tensorflow/tfjs';
import { tensorflow, type FileSink } from '@savedmodel-js/core';
import {
  buildAndWrite, buildOptionsOf, buildSavedModel, canonicalizeSignatures, RawVariable, summarize, TreeResolver,
  type SaveOptions, type SaveSummary, type SignatureTarget, type Signatures, type TreeNode,
} from '@savedmodel-js/export';
import { checkModel, KerasLayout } from './keras-layout.js';
import { savedMetadata } from './keras-metadata.js';
import { wrappedModel } from './layer-functions.js';
import { optimizerObject, type OptimizerObject } from './optimizer-state.js';

export interface KerasSavedModelArgs {
  includeOptimizer: boolean;
  saveTraces: boolean;
  signatures?: Signatures | undefined;
  options: SaveOptions;
}

const ACCURACY: Record<string, string> = {
  sparse_categorical_crossentropy: 'sparse_categorical_accuracy',
  categorical_crossentropy: 'categorical_accuracy',
  binary_crossentropy: 'binary_accuracy',
};

/** Keras's compiled metrics: `loss` (Mean), then one MeanMetricWrapper per metric; tfjs keeps no running totals, so they are 0. */
function compiledMetrics(model: tf.LayersModel, resolver: TreeResolver): { className: string; name: string; config: Record<string, unknown>; variables: TreeNode[] }[] {
  if (!model.optimizer) return [];
  const t = (model as unknown as { getTrainingConfig(): { loss?: unknown; metrics?: unknown } }).getTrainingConfig();
  // Keras metric state: ON_READ / SUM variables
  const mv = (name: string) => new RawVariable(0, 'float32', {
    name, trainable: false, synchronization: tensorflow.VariableSynchronization.VARIABLE_SYNCHRONIZATION_ON_READ, aggregation: tensorflow.VariableAggregation.VARIABLE_AGGREGATION_SUM,
  });
  const vars = () => [resolver.resolve(mv('total')), resolver.resolve(mv('count'))];
  const out = [{ className: 'Mean', name: 'loss', config: { name: 'loss', dtype: 'float32' }, variables: vars() }];
  const names = Array.isArray(t.metrics) ? t.metrics.filter((m): m is string => typeof m === 'string') : [];
  for (const m of names) {
    const fn = m === 'accuracy' || m === 'acc' ? (ACCURACY[String(t.loss)] ?? 'accuracy') : m;
    out.push({ className: 'MeanMetricWrapper', name: m, config: { name: m, dtype: 'float32', fn } as never, variables: vars() });
  }
  return out;
}

export async function saveKerasSavedModel(model: tf.LayersModel, target: string | FileSink, args: KerasSavedModelArgs): Promise<SaveSummary> {
  checkModel(model);
  const resolver = new TreeResolver();
  const { result, location } = await buildAndWrite(target, args.options, async () => {
    const defaultSignature = await wrappedModel(model);
    const rootExtras: [string, TreeNode][] = [];
    const slotOwners: { optimizer: object; slots: OptimizerObject["slots"] }[] = [];
    if (args.includeOptimizer && model.optimizer) {
      const o = await optimizerObject(model, resolver);
      rootExtras.push(['optimizer', o.node]);
      if (o.slots.length) slotOwners.push({ optimizer: o.node.key, slots: o.slots });
    }
    const layout = new KerasLayout(resolver, {
      saveTraces: args.saveTraces,
      rootExtras,
      metrics: compiledMetrics(model, resolver), // saved with or without the optimizer, as tf.keras
      defaultSignature,
    });
    const root = layout.root(model);
    await layout.ready();
    const targets: Map<string, SignatureTarget> = args.signatures !== undefined
      ? await canonicalizeSignatures(args.signatures)
      : new Map([['serving_default', { fn: defaultSignature }]]);
    const built = await buildSavedModel(root, targets, { ...buildOptionsOf(args.options), tracedFunctionNodes: true, strippedOpsFollowCalls: true, ...(slotOwners.length ? { slotVariables: slotOwners } : {}) });
    built.content.kerasMetadata = savedMetadata(model, layout.objects, built.nodeIds);
    return built;
  }, model.weights);
  return summarize(location, result);
}
