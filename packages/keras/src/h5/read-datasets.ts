// Reading HDF5 datasets as weight arrays, with sizes checked before anything is allocated.
import { SavedModelError, resolveLimits, type Limits } from '@savedmodel-js/core';
import { checkedElementCount } from '@savedmodel-js/core/internal';
import type { H5Dataset, H5Group } from './h5wasm-files.js';
import type { WeightArray } from './into-tfjs.js';

/** The dataset at `path` under `group` (slash-separated), or CORRUPT naming it. */
export function datasetAt(group: H5Group, path: string, file: string): H5Dataset {
  const entity = group.get(path);
  if (entity === null || entity === undefined || (entity as { type?: unknown }).type !== 'Dataset') {
    throw new SavedModelError('CORRUPT', `no dataset ${path} in ${group.path}`, { file, key: `${group.path}/${path}` });
  }
  return entity as H5Dataset;
}

/** A numeric dataset as float32 (or int32 for integer data), after checking its size against the limits. */
export function readWeight(ds: H5Dataset, name: string, file: string, budget: { used: number; limits: Limits }): WeightArray {
  const shape = ds.shape ?? [];
  const meta = ds.metadata;
  const key = ds.path;
  const count = checkedElementCount(shape, { file, key });
  const bytes = count * Math.max(4, meta.size);
  if (bytes > budget.limits.maxTensorBytes || budget.used + bytes > budget.limits.maxTotalBytes) {
    throw new SavedModelError('LIMIT_EXCEEDED', `weight ${name} of shape [${shape}] is larger than the limits allow`, { file, key });
  }
  budget.used += bytes;
  // H5T_INTEGER = 0, H5T_FLOAT = 1
  if (meta.type !== 0 && meta.type !== 1) {
    throw new SavedModelError('UNSUPPORTED', `weight ${name} is not numeric (HDF5 type class ${meta.type})`, { file, key });
  }
  const value = count === 0 ? new Float32Array(0) : ds.value;
  const isInt = meta.type === 0;
  let data: Float32Array | Int32Array;
  if (value instanceof Float32Array) data = value;
  else if (typeof value === 'number' || typeof value === 'bigint') data = isInt ? Int32Array.of(Number(value)) : Float32Array.of(Number(value));
  else if (ArrayBuffer.isView(value)) {
    const arr = value as unknown as ArrayLike<number | bigint>;
    const out = isInt ? new Int32Array(arr.length) : new Float32Array(arr.length);
    for (let i = 0; i < arr.length; i++) out[i] = Number(arr[i]);
    data = out;
  } else {
    throw new SavedModelError('UNSUPPORTED', `weight ${name} could not be read as numbers`, { file, key });
  }
  if (data.length !== count) throw new SavedModelError('CORRUPT', `weight ${name} holds ${data.length} values, its shape [${shape}] says ${count}`, { file, key });
  return { name, shape, data };
}

export function newBudget(limits?: Partial<Limits>): { used: number; limits: Limits } {
  return { used: 0, limits: resolveLimits(limits) };
}
