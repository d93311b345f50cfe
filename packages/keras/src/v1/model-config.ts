// The model's Keras JSON config (model.to_json() in TF, model.toJSON() in tfjs), and whether it
// can be loaded back: every layer class must be registered with tfjs serialization or given in
// customObjects. A model without one plays the part of TF's subclassed model (servingOnly only).
import * as tf from '@tensorflow/tfjs';
import { modelConfig } from '../h5/model-state.js';

export type ConfigResult = { ok: true; json: string } | { ok: false; reason: string };

function registered(className: string, customObjects: Record<string, unknown> | undefined): boolean {
  if (customObjects && className in customObjects) return true;
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, unknown>;
  return className in map;
}

/** Layer class names of a (nested) layers-model config. */
function classNames(config: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(config)) config.forEach((c) => classNames(c, out));
  else if (config && typeof config === 'object') {
    const o = config as Record<string, unknown>;
    if (typeof o.class_name === 'string' && 'config' in o) out.add(o.class_name);
    for (const [k, v] of Object.entries(o)) if (k === 'config' || k === 'layers' || k === 'layer') classNames(v, out);
  }
  return out;
}

export function modelConfigJson(model: tf.LayersModel, customObjects?: Record<string, unknown>): ConfigResult {
  let json: unknown;
  try {
    json = model.toJSON(null, false);
    // with what tfjs's serialization leaves out put back (see h5/model-state.ts)
    (json as { config?: unknown }).config = modelConfig(model).config;
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message.slice(0, 200) : String(e).slice(0, 200) };
  }
  const cfg = (json as { config?: unknown }).config;
  const missing = [...classNames(cfg, new Set())].filter((c) => !registered(c, customObjects));
  if (missing.length) return { ok: false, reason: `layer class ${missing.slice(0, 5).join(', ')} is not registered (tf.serialization.registerClass) nor in customObjects` };
  return { ok: true, json: JSON.stringify(json) };
}

/**
 * Runs `fn` with the classes of `customObjects` known to tfjs deserialization (tfjs does not pass
 * a customObjects map down to nested layer configs); the entries added are removed afterwards.
 */
export async function withCustomObjects<T>(customObjects: Record<string, unknown> | undefined, fn: () => Promise<T>): Promise<T> {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, unknown>;
  const added: string[] = [];
  for (const [name, cls] of Object.entries(customObjects ?? {})) {
    if (name in map || typeof cls !== 'function') continue;
    const fromConfig = (cls as { fromConfig?: unknown }).fromConfig;
    if (typeof fromConfig !== 'function') continue;
    map[name] = [cls, fromConfig];
    added.push(name);
  }
  try {
    return await fn();
  } finally {
    for (const name of added) delete map[name];
  }
}
