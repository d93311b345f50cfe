// Signatures to export: which concrete function, its outputs' keys (TF's rules for a single
// tensor, a list, a dict; explicit keys), its inputs' keywords, and TF's rule for the default one.
import { SavedModelError } from '@savedmodel-js/core';
import { compareUtf8 } from '@savedmodel-js/core/internal';
import type { TensorSpec, Nested } from '@savedmodel-js/trace';
import { isExportableFunction, isTensorSpec, type ExportableFunction } from './function.js';
import type { FunctionAttr, ObjectNode } from './module.js';

export const RESERVED_SIGNATURE_KEYS = ['__saved_model_init_op', '__saved_model_train_op'];

/** One signature to export: a concrete function and, optionally, explicit output keys (one per flat output). */
export interface SignatureTarget {
  fn: ExportableFunction;
  outputKeys?: readonly string[];
}

export interface NormalizedSignature {
  key: string;
  fn: ExportableFunction;
  /** keyword per flat inner input, in the inner function's order */
  keywords: string[];
  /** sorted by key: which flat output of the inner function */
  outputs: { key: string; index: number; spec: TensorSpec }[];
}

function signatureOutputs(key: string, t: SignatureTarget): { key: string; index: number; spec: TensorSpec }[] {
  const fn = t.fn;
  const flat = fn.outputs.map((o) => o.spec);
  const bad = (what: string) => new SavedModelError('INVALID_ARGUMENT',
    `Got a non-Tensor value ${what} in the output of the function ${fn.name} used to generate the SavedModel signature '${key}'. ` +
    'Outputs for functions used as signatures must be a single Tensor, a sequence of Tensors, or a dictionary from string to Tensor.', { key });
  let out: { key: string; index: number; spec: TensorSpec }[];
  if (t.outputKeys) {
    if (t.outputKeys.length !== flat.length) throw new SavedModelError('INVALID_ARGUMENT', `signature '${key}': ${t.outputKeys.length} output keys for ${flat.length} outputs`, { key });
    out = t.outputKeys.map((k, i) => ({ key: k, index: i, spec: flat[i]! }));
  } else {
    const s = fn.structuredOutputs;
    if (s === null) throw bad('None');
    if (isTensorSpec(s)) out = [{ key: 'output_0', index: 0, spec: flat[0]! }];
    else if (Array.isArray(s)) {
      out = (s as Nested<TensorSpec>[]).map((x, i) => {
        if (!isTensorSpec(x)) throw bad(`(a nested structure) for key 'output_${i}'`);
        return { key: `output_${i}`, index: i, spec: flat[i]! };
      });
    } else {
      const keys = Object.keys(s).sort();
      out = keys.map((k, i) => {
        if (!isTensorSpec((s as Record<string, unknown>)[k])) throw bad(`(a nested structure) for key '${k}'`);
        return { key: k, index: i, spec: flat[i]! };
      });
    }
  }
  if (out.length === 0) throw bad('(no outputs)');
  const seen = new Set<string>();
  for (const o of out) {
    if (seen.has(o.key)) throw new SavedModelError('INVALID_ARGUMENT', `signature '${key}' has two outputs named '${o.key}'`, { key });
    seen.add(o.key);
  }
  return out.sort((a, b) => compareUtf8(a.key, b.key));
}

export function normalizeSignature(key: string, t: SignatureTarget): NormalizedSignature {
  if (typeof key !== 'string' || key.length === 0) throw new SavedModelError('INVALID_ARGUMENT', 'signature keys must be non-empty strings');
  if (RESERVED_SIGNATURE_KEYS.includes(key)) {
    throw new SavedModelError('INVALID_ARGUMENT', `signature key '${key}' is reserved for the SavedModel's ${key === '__saved_model_init_op' ? 'initialization' : 'training'} op`, { key });
  }
  const keywords = t.fn.inputs.map((inp) => inp.spec.name ?? inp.argName);
  const seen = new Set<string>();
  for (const k of keywords) {
    if (seen.has(k)) throw new SavedModelError('INVALID_ARGUMENT', `Got two arguments with the same name '${k}' in the function used for signature '${key}'; give the TensorSpecs distinct names`, { key });
    seen.add(k);
  }
  return { key, fn: t.fn, keywords, outputs: signatureOutputs(key, t) };
}

/** TF's rule for a default signature: `_default_save_signature`, else the only root function with an input signature that returns tensors. */
export async function defaultSignature(root: ObjectNode): Promise<SignatureTarget | null> {
  const fns = root.functions();
  const explicit = fns.find(([n]) => n === '_default_save_signature');
  const asConcrete = async (f: FunctionAttr): Promise<ExportableFunction | null> => {
    if (isExportableFunction(f)) return f;
    if (f.inputSignature) return f.getConcreteFunction();
    return null;
  };
  if (explicit) {
    const cf = await asConcrete(explicit[1]);
    if (cf) return { fn: cf };
  }
  const candidates: ExportableFunction[] = [];
  for (const [, f] of fns) {
    const cf = await asConcrete(f);
    if (cf && cf.outputs.length > 0 && cf.structuredOutputs !== null) candidates.push(cf);
  }
  return candidates.length === 1 ? { fn: candidates[0]! } : null;
}
