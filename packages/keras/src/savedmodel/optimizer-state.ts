// The Keras 2 optimizer object of a SavedModel from a tfjs optimizer's state: `optimizer/iter`
// (int64), the hyper-parameters as float32 variables (`<Class>/<hyper>`), and one slot variable per
// (trainable weight, slot) that tfjs holds (`<weight>/<slot>` in tfjs's getWeights, Keras's
// `<Class>/<weight>/<slot>`), saved under `.OPTIMIZER_SLOT/optimizer/<slot>`.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import { RawVariable, type ObjectNode, type TreeNode, type TreeResolver, type VariableNode } from '@savedmodel-js/export';
import { kerasOptimizer } from './optimizer-mapping.js';
import { readOptimizerWeights } from '../optimizer-weights.js';

export interface OptimizerObject {
  node: ObjectNode;
  slots: { variable: TreeNode; name: string; slot: VariableNode }[];
}

export async function optimizerObject(model: tf.LayersModel, resolver: TreeResolver): Promise<OptimizerObject> {
  const opt = model.optimizer;
  const k = kerasOptimizer(opt);
  let weights: Awaited<ReturnType<typeof readOptimizerWeights>>;
  try {
    weights = await readOptimizerWeights(opt);
  } catch (e) {
    throw new SavedModelError('UNSUPPORTED', `the ${opt.getClassName()} optimizer's state cannot be read from tfjs (${(e as Error).message}); save with includeOptimizer: false`, { key: opt.getClassName(), cause: e });
  }
  const byName = new Map(weights.map((w) => [w.name, w.tensor]));
  const iterT = byName.get('iter');
  const iter = iterT ? Math.round((await iterT.data())[0] ?? 0) : 0;
  // OptimizerV2's own variables are ONLY_FIRST_REPLICA-aggregated
  const aggregation = tensorflow.VariableAggregation.VARIABLE_AGGREGATION_ONLY_FIRST_REPLICA;
  const deps: [string, TreeNode][] = [['iter', resolver.resolve(new RawVariable(BigInt(iter), 'int64', { name: `${k.className}/iter`, trainable: false, aggregation }))]];
  for (const [h, v] of k.hypers) deps.push([h, resolver.resolve(new RawVariable(v, 'float32', { name: `${k.className}/${h}`, trainable: false, aggregation }))]);
  const slots: OptimizerObject['slots'] = [];
  for (const w of model.trainableWeights) {
    for (const s of k.slots) {
      const t = byName.get(`${w.originalName ?? w.name}/${s}`) ?? byName.get(`${w.name}/${s}`);
      if (!t) continue;
      const data = (await t.data()) as Float32Array;
      const slot = resolver.resolve(new RawVariable(Float32Array.from(data), 'float32', { shape: t.shape, name: `${k.className}/${w.originalName ?? w.name}/${s}`, trainable: false })) as VariableNode;
      slots.push({ variable: resolver.resolve(w), name: s, slot });
    }
  }
  const node: ObjectNode = { kind: 'object', key: opt, identifier: 'optimizer', version: { producer: 2, min_consumer: 1 }, deps: () => deps, functions: () => [] };
  return { node, slots };
}
