// saveKerasModel traces what Keras saves without tracing anything twice that once determines:
// a layer's two call functions (`__call__` and `call_and_return_conditional_losses`) share one
// trace, and layers made of tfjs-layers' own plain classes are traced once for their batch
// dimension. Counted here as runs of Dense.call; the graphs must still serve every batch size.
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { saveKerasModel } from '../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

/** Counts calls of a layer class's own call (on its prototype: an own method would make the layer "not plain"). */
function countCalls(layer: tf.layers.Layer): { count(): number; restore(): void } {
  const proto = Object.getPrototypeOf(layer) as { call: (...a: unknown[]) => unknown };
  const orig = proto.call;
  let n = 0;
  proto.call = function (this: unknown, ...a: unknown[]) { n++; return orig.apply(this, a); };
  return { count: () => n, restore: () => { proto.call = orig; } };
}

let restore: (() => void) | undefined;
afterEach(() => { restore?.(); restore = undefined; });

describe('saveKerasModel tracing', () => {
  it('traces a plain Dense model once per saved computation, and its graphs serve any batch', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 2 })] });
    const spy = countCalls(model.layers[0]!);
    restore = spy.restore;
    const sink = fileMapSink();
    await saveKerasModel(model, sink);
    // (the spy counts both layers: they share Dense's prototype) each layer runs once for its own
    // call functions, once for the model's and once for _wrapped_model: 2 × 3. Tracing each of
    // the five functions twice (two batch sizes) ran them 20 times.
    expect(spy.count()).toBe(2 * 3);
    spy.restore();

    const sm = tensorflow.SavedModel.decode(sink.files.get('saved_model.pb')!);
    const fns = sm.meta_graphs[0]!.graph_def!.library!.function!;
    const byName = (part: string) => fns.filter((f) => f.signature!.name!.includes(part));
    const call = byName('dense_Dense1_layer_call_fn');
    const losses = byName('dense_Dense1_layer_call_and_return_conditional_losses');
    expect(call.length).toBe(1);
    expect(losses.length).toBe(1);
    // the same body under two names
    expect(losses[0]!.node_def).toEqual(call[0]!.node_def);
    expect(losses[0]!.ret).toEqual(call[0]!.ret);

    const loaded = await loadSavedModel(sink.files);
    for (const batch of [1, 3, 13, 26]) {
      const x = tf.randomNormal([batch, 3]);
      const want = model.predict(x) as tf.Tensor;
      const got = loaded.predict(x) as tf.Tensor;
      expect(got.shape).toEqual([batch, 2]);
      expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-5);
      tf.dispose([x, want, got]);
    }
    loaded.dispose();
  });
});
