// checkLayerGraph: the configs on which tfjs-layers' modelFromJSON would retry its queue of layer
// calls forever are CORRUPT; every config tfjs itself writes passes, shared layers at several
// depths and nested models included (the queue must reach them in any order). Found by the
// loaders fuzz: a Keras 2 .h5 whose LSTM entry lost its "name" hung loadKerasH5.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSavedModelError } from '@savedmodel-js/core';
import { checkLayerGraph } from '../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

type Cfg = { class_name: string; config: { layers: Array<Record<string, unknown>>; input_layers: unknown; output_layers: unknown } };

/** The Keras config tfjs writes for `model` (what its own modelFromJSON reads back). */
const configOf = (m: tf.LayersModel): Cfg => JSON.parse(JSON.stringify(m.toJSON(null, false))) as Cfg;

function shared(): tf.LayersModel {
  // A(B(A(B(x)))): the second calls of A and B wait for their first
  const x = tf.input({ shape: [4], name: 'x' });
  const a = tf.layers.dense({ units: 4, name: 'A' });
  const b = tf.layers.dense({ units: 4, name: 'B' });
  const y = a.apply(b.apply(a.apply(b.apply(x)))) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

function nested(): tf.LayersModel {
  const i = tf.input({ shape: [4], name: 'inner_in' });
  const inner = tf.model({ inputs: i, outputs: tf.layers.dense({ units: 4, name: 'inner_d' }).apply(i) as tf.SymbolicTensor, name: 'inner' });
  const x = tf.input({ shape: [4], name: 'x' });
  const y = tf.layers.add({ name: 'sum' }).apply([inner.apply(x), inner.apply(inner.apply(x))] as tf.SymbolicTensor[]) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

function corrupt(cfg: unknown, ...mentions: string[]): void {
  let err: unknown;
  try { checkLayerGraph(cfg, 'model.h5'); } catch (e) { err = e; }
  expect(isSavedModelError(err, 'CORRUPT'), String(err)).toBe(true);
  expect((err as { file?: string }).file).toBe('model.h5');
  for (const m of mentions) expect((err as Error).message).toContain(m);
}

describe('checkLayerGraph', () => {
  it('passes what tfjs writes: shared layers at several depths, a nested model called twice, entries in reverse order', async () => {
    for (const make of [shared, nested]) {
      const cfg = configOf(make());
      checkLayerGraph(cfg, 'm');
      const reversed = structuredClone(cfg);
      reversed.config.layers.reverse();
      checkLayerGraph(reversed, 'm');
      // tfjs builds both (its queue gets there in any order), so nothing above is refused wrongly
      for (const c of [cfg, reversed]) (await tf.models.modelFromJSON({ modelTopology: c } as never)).dispose();
    }
    checkLayerGraph(configOf(tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] })), 'm');
  });

  it('a layer entry without its name, a call of a layer no entry makes, a node index past its calls, a cycle: CORRUPT naming the waiting call', () => {
    const cfg = configOf(shared());
    const names = cfg.config.layers.map((l) => l.name);
    expect(names).toEqual(['x', 'B', 'A']);

    const noName = structuredClone(cfg);
    delete noName.config.layers[1]!.name;
    corrupt(noName, 'is called on');

    const missing = structuredClone(cfg);
    (missing.config.layers[2]!.inbound_nodes as unknown[][][])[0]![0]![0] = 'nowhere';
    corrupt(missing, 'layer A', '"nowhere"');

    const pastCalls = structuredClone(cfg);
    (pastCalls.config.layers[2]!.inbound_nodes as unknown[][][])[1]![0]![1] = 5;
    corrupt(pastCalls, 'node 5');

    // B's first call reads A's first call, whose input is B's first: neither can be made
    const cycle = structuredClone(cfg);
    (cycle.config.layers[1]!.inbound_nodes as unknown[][][])[0]![0]![0] = 'A';
    corrupt(cycle);
  });

  it('finds the loop in a model nested as a layer', () => {
    const cfg = configOf(nested());
    const inner = cfg.config.layers.find((l) => l.class_name === 'Functional' || l.class_name === 'Model')!;
    const innerCfg = inner.config as Cfg['config'];
    (innerCfg.layers[1]!.inbound_nodes as unknown[][][])[0]![0]![0] = 'nowhere';
    corrupt(cfg, 'layer inner_d');
  });
});
