// Keras-2-style JSON (what tfjs-layers speaks) ↔ Keras 3 serialization (saving/serialization_lib):
// every object gains `module` and `registered_name`; a layer's dtype becomes a DTypePolicy; a
// Sequential's input becomes an explicit InputLayer (`batch_shape`); a functional model is
// `Functional`, its `inbound_nodes` are `{args, kwargs}` with `__keras_tensor__` arguments;
// layers carry `build_config`. Both directions are written so that tfjs → Keras 3 → tfjs is exact.
import type * as tf from '@tensorflow/tfjs';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

function moduleForKey(key: string): string | null {
  if (key.endsWith('_initializer')) return 'keras.initializers';
  if (key.endsWith('_regularizer')) return 'keras.regularizers';
  if (key.endsWith('_constraint')) return 'keras.constraints';
  return null;
}

const dtypePolicy = (name: string) => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });

/** Shapes tfjs knows for a layer's first call: the Keras 3 `build_config`. */
export type ShapeLookup = (layerName: string) => { input?: unknown; outputs?: (unknown)[] } | undefined;

/** A ShapeLookup over a tfjs model (nested models included). */
export function tfjsShapes(model: tf.LayersModel): ShapeLookup {
  const byName = new Map<string, tf.layers.Layer>();
  const walk = (l: tf.layers.Layer) => {
    byName.set(l.name, l);
    const sub = (l as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(sub)) sub.forEach(walk);
  };
  walk(model);
  return (name) => {
    const l = byName.get(name);
    const node = (l as unknown as { inboundNodes?: { inputShapes: unknown; outputShapes: unknown }[] } | undefined)?.inboundNodes?.[0];
    if (node === undefined) return undefined;
    const outs = node.outputShapes;
    const ins = node.inputShapes;
    const input = Array.isArray(ins) && ins.length === 1 && Array.isArray(ins[0]) ? ins[0] : ins;
    return { input, outputs: Array.isArray(outs) && Array.isArray(outs[0]) ? outs as unknown[] : [outs] };
  };
}

function nestedToKeras3(key: string, v: unknown): unknown {
  const mod = moduleForKey(key);
  if (mod !== null && isObj(v) && typeof v.class_name === 'string') {
    return { module: mod, class_name: v.class_name, config: v.config ?? {}, registered_name: null };
  }
  return v;
}

function layerToKeras3(layer: Json, shapes: ShapeLookup): Json {
  const className = layer.class_name as string;
  if (MODEL_CLASSES.has(className)) return modelToKeras3(layer, shapes);
  const cfg: Json = {};
  for (const [k, v] of Object.entries((layer.config ?? {}) as Json)) {
    if (k === 'dtype' && typeof v === 'string') cfg.dtype = dtypePolicy(v);
    else cfg[k] = nestedToKeras3(k, v);
  }
  renameKeys(className, cfg, true);
  const out: Json = { module: 'keras.layers', class_name: className, config: cfg, registered_name: null };
  const s = shapes(cfg.name as string);
  if (s?.input !== undefined && className !== 'InputLayer') out.build_config = { input_shape: s.input };
  return out;
}

function kerasTensor(history: unknown[], shapes: ShapeLookup): Json {
  const [name, , tensorIndex] = history as [string, number, number];
  const shape = shapes(name)?.outputs?.[tensorIndex ?? 0] ?? null;
  return { class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: history.slice(0, 3) } };
}

/** An InputLayer in Keras 3 form: `batch_shape` for Keras 2's batch_input_shape, the dtype by name. */
function inputLayerToKeras3(l: Json, shapes: ShapeLookup): Json {
  const converted = layerToKeras3({ class_name: l.class_name, config: l.config }, shapes);
  const c = { ...(converted.config as Json) };
  c.batch_shape = c.batch_input_shape;
  delete c.batch_input_shape;
  if (isObj(c.dtype)) c.dtype = ((c.dtype as Json).config as Json).name;
  converted.config = c;
  return converted;
}

/** A model config (Sequential or functional) in Keras 3 form. */
export function modelToKeras3(model: Json, shapes: ShapeLookup): Json {
  const className = model.class_name as string;
  const config = { ...(model.config as Json) };
  const layers = (config.layers as Json[]).map((l) => ({ ...l }));
  if (className === 'Sequential') {
    const out: Json[] = [];
    const first = layers[0];
    const firstCfg = first !== undefined ? { ...(first.config as Json) } : undefined;
    if (first?.class_name === 'InputLayer' && firstCfg !== undefined) {
      // an InputLayer tfjs lists (added explicitly) is the Sequential's one input: kept, in Keras 3 form
      layers.shift();
      out.push(inputLayerToKeras3(first, shapes));
    } else if (first !== undefined && firstCfg !== undefined && Array.isArray(firstCfg.batch_input_shape)) {
      out.push({
        module: 'keras.layers', class_name: 'InputLayer', registered_name: null,
        config: { batch_shape: firstCfg.batch_input_shape, dtype: firstCfg.dtype ?? 'float32', sparse: false, ragged: false, name: `${config.name as string}_input` },
      });
      delete firstCfg.batch_input_shape;
      delete firstCfg.dtype;
      layers[0] = { ...first, config: firstCfg };
    }
    for (const l of layers) out.push(layerToKeras3(l, shapes));
    const res: Json = { module: 'keras', class_name: 'Sequential', config: { ...config, layers: out }, registered_name: null };
    const firstInput = out[0]?.class_name === 'InputLayer' ? (out[0]!.config as Json).batch_shape : shapes(config.name as string)?.input;
    if (firstInput !== undefined) res.build_config = { input_shape: firstInput };
    return res;
  }
  // functional
  const outLayers = layers.map((l) => {
    const converted = l.class_name === 'InputLayer' ? inputLayerToKeras3(l, shapes) : layerToKeras3({ class_name: l.class_name, config: l.config }, shapes);
    const nodes = (l.inbound_nodes as unknown[][] | undefined ?? []).map((node) => {
      const tensors = (node as unknown[][]).map((h) => kerasTensor(h, shapes));
      const kwargs = (node as unknown[][])[0]?.[3] ?? {};
      return { args: tensors.length === 1 ? tensors : [tensors], kwargs };
    });
    return { ...converted, name: l.name, inbound_nodes: nodes };
  });
  return {
    module: 'keras', class_name: 'Functional', registered_name: 'Functional',
    config: { ...config, layers: outLayers },
  };
}

// ---- Keras 3 → Keras-2 style (tfjs) ----

function stripNested(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNested);
  if (!isObj(v)) return v;
  if (typeof v.class_name === 'string' && 'config' in v) {
    if (v.class_name === 'DTypePolicy' || v.class_name === 'DTypePolicyMap') return (isObj(v.config) ? v.config.name : undefined) ?? 'float32';
    return { class_name: v.class_name, config: stripNested(v.config ?? {}) };
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripNested(x)]));
}

/** Layer config keys Keras 3 renamed: [class, Keras 2 / tfjs key, Keras 3 key]. */
const RENAMED: [string, string, string][] = [['LeakyReLU', 'alpha', 'negative_slope']];

function renameKeys(className: string, cfg: Json, toKeras3: boolean): void {
  for (const [cls, k2, k3] of RENAMED) {
    const [from, to] = toKeras3 ? [k2, k3] : [k3, k2];
    if (cls === className && from in cfg) { cfg[to] = cfg[from]; delete cfg[from]; }
  }
}

function layerFromKeras3(layer: Json): Json {
  const className = layer.class_name as string;
  if (MODEL_CLASSES.has(className)) return modelFromKeras3(layer);
  const cfg = stripNested(layer.config ?? {}) as Json;
  renameKeys(className, cfg, false);
  return { class_name: className, config: cfg };
}

function history(t: unknown): unknown[] {
  if (isObj(t) && t.class_name === '__keras_tensor__' && isObj(t.config)) return t.config.keras_history as unknown[];
  if (Array.isArray(t)) return t; // Keras 2 style already
  throw new Error('unsupported inbound node argument');
}

/** A Keras 3 model config in the Keras-2 form tfjs deserializes. */
export function modelFromKeras3(model: Json): Json {
  const className = model.class_name as string;
  const config = { ...(model.config as Json) };
  delete config.build_input_shape;
  const layers = (config.layers as Json[]) ?? [];
  if (className === 'Sequential') {
    const out: Json[] = [];
    let input: Json | undefined;
    for (const l of layers) {
      if (l.class_name === 'InputLayer') { input = stripNested(l.config) as Json; continue; }
      out.push(layerFromKeras3(l));
    }
    if (input !== undefined && out[0] !== undefined) {
      const first = { ...(out[0].config as Json) };
      first.batch_input_shape = input.batch_shape ?? input.batch_input_shape;
      first.dtype = input.dtype ?? 'float32';
      out[0] = { ...out[0], config: first };
    }
    return { class_name: 'Sequential', config: { ...config, layers: out } };
  }
  const outLayers = layers.map((l) => {
    const converted = layerFromKeras3(l);
    if (l.class_name === 'InputLayer') {
      const c = { ...(converted.config as Json) };
      if (c.batch_shape !== undefined) { c.batch_input_shape = c.batch_shape; delete c.batch_shape; }
      if (c.dtype === undefined) c.dtype = 'float32';
      converted.config = c;
    }
    const nodes = ((l.inbound_nodes as unknown[] | undefined) ?? []).map((node) => {
      if (Array.isArray(node)) return node; // already Keras 2 style
      const n = node as { args?: unknown[]; kwargs?: unknown };
      const args = n.args ?? [];
      const tensors = args.length === 1 && Array.isArray(args[0]) && !(typeof (args[0] as unknown[])[0] === 'string') ? (args[0] as unknown[]) : args;
      const kwargs = (n.kwargs ?? {}) as Json;
      return tensors.map((t) => [...history(t), kwargs]);
    });
    return { ...converted, name: l.name, inbound_nodes: nodes };
  });
  const fix = (io: unknown) => (Array.isArray(io) && typeof io[0] === 'string' ? [io] : io);
  return { class_name: 'Model', config: { ...config, layers: outLayers, input_layers: fix(config.input_layers), output_layers: fix(config.output_layers) } };
}
