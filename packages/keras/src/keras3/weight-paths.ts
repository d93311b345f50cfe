// Where Keras 3 (saving_lib) keeps each layer's variables in model.weights.h5: a model's layers
// under `layers/<snake_case class name>` (made unique: dense, dense_1, …; Keras avoids layer names,
// which are not reproducible), each saveable's own variables in `<path>/vars/<i>` (trainable
// first), a recurrent layer's in its `cell`, a wrapper's in the layers it holds, and the
// optimizer's in `optimizer/vars/<i>`.
import type * as tf from '@tensorflow/tfjs';
import { rnnCells, wrappedLayers } from '../sublayers.js';

/** Keras's naming.to_snake_case. */
export function toSnakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

export interface VarsEntry {
  /** Group holding `vars` ('' for the model itself). */
  path: string;
  /** The saveable's name (Keras 3 writes it as the `vars` group's `name` attribute). */
  name: string;
  variables: tf.LayerVariable[];
}

type Container = tf.layers.Layer & { layers: tf.layers.Layer[] };
const isContainer = (l: tf.layers.Layer): l is Container => Array.isArray((l as Partial<Container>).layers);
const kerasClass = (l: tf.layers.Layer) => (l.getClassName() === 'Model' ? 'Functional' : l.getClassName());

/** Keras's names for the saveables of a list, by class: snake_case, a repeated one suffixed `_1`, `_2`, … */
function classNamer(): (className: string) => string {
  const used = new Map<string, number>();
  return (className) => {
    const base = toSnakeCase(className);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  };
}

export interface VarsEntriesOptions {
  /**
   * savedmodel-js before 2026-12-06 wrote a wrapper's (Bidirectional, TimeDistributed) weights in
   * its own `vars`; read such files with this set.
   */
  flatWrappers?: boolean;
}

/**
 * The `vars` entries of a model, in Keras's save order. `order` gives, per container, its layers in
 * the order of its Keras 3 config (Keras's `model.layers`); Sequential models list no InputLayer.
 * Keras 3 saves each saveable's own variables, then its saveable attributes in sorted name order
 * (a list of them under the attribute, each named for its snake_case class): an RNN's `cell`
 * (StackedRNNCells' `cells/<lstm_cell, gru_cell, …>`), Bidirectional's `backward_layer`,
 * `forward_layer` and the wrapped `layer` it never builds, TimeDistributed's `layer`.
 */
export function kerasVarsEntries(model: tf.LayersModel, order: (container: Container) => tf.layers.Layer[], options: VarsEntriesOptions = {}): VarsEntry[] {
  const out: VarsEntry[] = [];
  const visit = (layer: tf.layers.Layer, path: string, unbuilt = false) => {
    const join = (p: string) => (path === '' ? p : `${path}/${p}`);
    const own = (variables: tf.LayerVariable[]) => out.push({ path, name: layer.name, variables: unbuilt ? [] : variables });
    if (isContainer(layer)) {
      own([]);
      const named = classNamer();
      for (const sub of order(layer)) visit(sub, join(`layers/${named(kerasClass(sub))}`));
      return;
    }
    const inner = options.flatWrappers ? [] : wrappedLayers(layer);
    if (inner.length > 0) {
      own([]);
      // saving_lib visits attributes in sorted order: backward_layer, forward_layer, then the
      // layer Bidirectional wraps but never builds (its vars empty)
      for (const [attr, sub] of [...inner].sort(([a], [b]) => (a < b ? -1 : 1))) visit(sub, join(attr), unbuilt);
      const original = (layer as unknown as { layer?: tf.layers.Layer }).layer;
      if (layer.getClassName() === 'Bidirectional' && original) visit(original, join('layer'), true);
      return;
    }
    const rnn = rnnCells(layer);
    if (rnn !== null) {
      own([]);
      if (rnn.stacked) {
        out.push({ path: join('cell'), name: rnn.cell.name, variables: [] });
        const named = classNamer();
        for (const c of rnn.stacked) out.push({ path: join(`cell/cells/${named(c.getClassName())}`), name: c.name, variables: unbuilt ? [] : c.weights });
      } else {
        out.push({ path: join('cell'), name: `${layer.name}_cell`, variables: unbuilt ? [] : layer.weights });
      }
      return;
    }
    own(layer.weights);
  };
  visit(model, '');
  return out;
}

/** Layers in the order a config lists them (by name), for containers built by tfjs. */
export function configOrder(config: unknown): (container: Container) => tf.layers.Layer[] {
  const orders = new Map<string, string[]>();
  const walk = (node: unknown) => {
    if (node === null || typeof node !== 'object') return;
    const o = node as { class_name?: unknown; config?: { name?: unknown; layers?: unknown } };
    if (Array.isArray(o.config?.layers) && typeof o.config?.name === 'string') {
      const names = (o.config.layers as { class_name?: string; config?: { name?: string }; name?: string }[])
        .filter((l) => l.class_name !== 'InputLayer' || o.class_name !== 'Sequential')
        .map((l) => l.config?.name ?? l.name ?? '');
      orders.set(o.config.name, names);
      (o.config.layers as unknown[]).forEach(walk);
    }
  };
  walk(config);
  return (container) => {
    const isSeq = container.getClassName() === 'Sequential';
    const layers = isSeq ? container.layers.filter((l) => l.getClassName() !== 'InputLayer') : container.layers;
    const names = orders.get(container.name);
    if (names === undefined) return layers;
    const byName = new Map(layers.map((l) => [l.name, l]));
    const listed = names.map((n) => byName.get(n)).filter((l): l is tf.layers.Layer => l !== undefined);
    return listed.length === layers.length ? listed : layers;
  };
}
