// tfjs' registered tf.Variables by dataId, shared by every trace: how a recorder tells a captured
// variable from a constant. A trace per layer (a Keras SavedModel traces every layer's functions)
// used to rebuild its own index of all registered variables, quadratic in the model's size
// (2,000 layers: ~8,000 traces × 4,000 variables). Now a lookup first tries the shared index,
// whose entries are checked against the registry on every hit (still registered under their
// name, not disposed, the same dataId: an assign swaps dataIds), and a recorder rebuilds it on a
// miss as before (its first miss, and later ones when the registry's size changed).
import * as tf from '@tensorflow/tfjs';

type DataId = object;
type Registry = Record<string, tf.Variable>;

/** dataId → the variables holding it; weak, so disposed variables' entries can go. */
let byData = new WeakMap<DataId, tf.Variable[]>();

const registry = (): Registry => tf.engine().registeredVariables as Registry;

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The registered variable whose current value is `info`, if the index knows it. */
export function findIndexedVariable(info: tf.TensorInfo): tf.Variable | undefined {
  const list = byData.get(info.dataId);
  if (!list) return undefined;
  const reg = registry();
  return list.find((v) => v.dataId === info.dataId && !v.isDisposed && reg[v.name] === v && v.dtype === info.dtype && sameShape(v.shape, info.shape));
}

/** Number of registered variables (one pass over the registry's names). */
export function registeredVariableCount(): number {
  return Object.keys(registry()).length;
}

/** Rebuilds the index from the registry; returns the number of variables indexed. */
export function rebuildVariableIndex(): number {
  const reg = registry();
  const names = Object.keys(reg);
  byData = new WeakMap();
  for (const n of names) {
    const v = reg[n]!;
    const list = byData.get(v.dataId);
    if (list) list.push(v); else byData.set(v.dataId, [v]);
  }
  return names.length;
}
