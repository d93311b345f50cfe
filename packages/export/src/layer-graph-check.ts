// tfjs-layers rebuilds a functional model from its config by queueing every layer call
// (inbound_nodes) and retrying the queue until all are made. A call whose input never appears (a
// layer named nowhere, a node index past the calls its layer gets, a cycle, a layer entry without
// its name) stays queued and the retry loop never ends: a damaged .h5 hung loadKerasH5 forever.
// The same queue is run here first on the config alone, counting the calls each layer gets, and
// a queue that stops moving is CORRUPT naming the call that waits. Plain JSON in, no tfjs.
import { SavedModelError } from '@savedmodel-js/core';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Throws CORRUPT when tfjs-layers' deserializer would loop forever on `config` (any Keras model
 * config as modelFromJSON takes it, nested models included). Other defects are left to tfjs,
 * which reports them.
 */
export function checkLayerGraph(config: unknown, file: string | undefined): void {
  // every object with a `layers` list, iteratively (a nested model is a layer's config)
  const stack: unknown[] = [config];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) { for (const x of v) stack.push(x); continue; }
    if (!isObj(v)) continue;
    if (Array.isArray(v.layers)) simulate(v.layers, file);
    for (const k in v) stack.push(v[k]);
  }
}

/**
 * Calls a layer has before the config calls it: an InputLayer and a functional model make their
 * own node 0, a Sequential does when its input shape is known (else unknown: not checked).
 */
function callsAtConstruction(e: Obj): number {
  const cfg = isObj(e.config) ? e.config : {};
  if (e.class_name === 'InputLayer') return 1;
  if (!Array.isArray(cfg.layers)) return 0;
  if (e.class_name !== 'Sequential') return 1;
  const first = cfg.layers[0];
  const firstCfg = isObj(first) && isObj(first.config) ? first.config : {};
  const known = isObj(first) && (first.class_name === 'InputLayer' || firstCfg.batch_input_shape != null || firstCfg.batchInputShape != null
    || firstCfg.input_shape != null || firstCfg.inputShape != null);
  return known ? 1 : Infinity;
}

/** tfjs's queue (Container.fromConfig), on names and call counts only. */
function simulate(entries: unknown[], file: string | undefined): void {
  interface Made { key: string; calls: number }
  const made = new Map<string, Made>(); // by the entry's name, as tfjs's createdLayers
  const queued = new Map<string, unknown[][]>(); // by the layer's own name, as tfjs's unprocessedNodes
  let refused = false;
  entries.forEach((e, i) => {
    if (!isObj(e)) return;
    const nodes = e.inbound_nodes ?? e.inboundNodes;
    const cfg = e.config;
    // tfjs names a layer from its config (or makes up a unique name)
    const key = isObj(cfg) && typeof cfg.name === 'string' ? cfg.name : `\0layer ${i}`;
    made.set(String(e.name), { key, calls: callsAtConstruction(e) });
    if (!Array.isArray(nodes)) return;
    for (const n of nodes) {
      if (!Array.isArray(n)) { refused = true; return; } // tfjs throws before its queue ("expected array for nodeData")
      const q = queued.get(key);
      if (q) q.push(n); else queued.set(key, [n]);
    }
  });
  if (refused) return;
  // an input [layer, node, tensor] that is not made yet (tfjs's test, loose comparison included)
  const waiting = (input: unknown): boolean => {
    const [name, index] = Array.isArray(input) ? input : [];
    const from = made.get(String(name));
    return from === undefined || from.calls <= (index as number);
  };
  while (queued.size > 0) {
    let moved = false;
    entries.forEach((e) => {
      if (!isObj(e)) return;
      const layer = made.get(String(e.name));
      if (!layer) return;
      const list = queued.get(layer.key);
      if (!list) return;
      queued.delete(layer.key);
      for (const call of list) {
        if (call.some(waiting)) {
          const q = queued.get(layer.key);
          if (q) q.push(call); else queued.set(layer.key, [call]);
          continue;
        }
        moved = true;
        if (call.length > 0) layer.calls++;
      }
    });
    if (!moved) {
      // the call to name: one reading a layer no entry makes, if any (the cause), else the first
      const all = [...queued].flatMap(([key, calls]) => calls.map((c) => ({ key, input: c.find(waiting) })));
      const { key, input } = all.find((w) => !made.has(String(Array.isArray(w.input) ? w.input[0] : undefined))) ?? all[0]!;
      const [name, index] = Array.isArray(input) ? input : [];
      const layerName = key.startsWith('\0') ? 'a layer without a name' : `layer ${key}`;
      throw new SavedModelError('CORRUPT', `the model config's ${layerName} is called on ${JSON.stringify(name) ?? 'nothing'} node ${JSON.stringify(index) ?? '?'}, which the config never makes (no such layer, too few calls of it, or a cycle)`, { file, key: layerName });
    }
  }
}
