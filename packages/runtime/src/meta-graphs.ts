// The tag sets and signatures of a SavedModel as tfjs-core's MetaGraph / SignatureDefEntry
// describe them (getMetaGraphsFromSavedModel, TFSavedModel.signatures).
import { SavedModelError, tensorflow } from '@savedmodel-js/core';
import type { MetaGraph, ModelTensorInfo, SignatureDefEntry } from '@tensorflow/tfjs-core';
import { runnableSignatureKeys } from './freeze.js';
import { dtypeName, shapeOf } from './host-tensor.js';
import { readSource, type SavedModelSource } from './source.js';
import { tfjsDtype } from './tfjs-model.js';

/** tfjs-core's SignatureDefEntry plus the SignatureDef's method_name. */
export interface SavedModelSignature extends SignatureDefEntry {
  methodName: string;
}

export interface SavedModelMetaGraph extends MetaGraph {
  signatureDefs: { [key: string]: SavedModelSignature };
}

function tensorInfo(where: string, info: tensorflow.ITensorInfo): ModelTensorInfo {
  const dtype = tfjsDtype(info.dtype);
  const tfDtype = dtypeName(info.dtype);
  if (!dtype) throw new SavedModelError('UNSUPPORTED', `${where} has dtype ${tfDtype}, which TensorFlow.js has no counterpart for`, { key: where });
  const out: ModelTensorInfo = { name: info.name ?? '', dtype, tfDtype };
  const shape = shapeOf(info.tensor_shape);
  if (shape) out.shape = shape;
  return out;
}

export function signatureEntries(mg: tensorflow.IMetaGraphDef): { [key: string]: SavedModelSignature } {
  const out: { [key: string]: SavedModelSignature } = {};
  for (const key of runnableSignatureKeys(mg)) {
    const sig = mg.signature_def![key]!;
    const entry: SavedModelSignature = { inputs: {}, outputs: {}, methodName: sig.method_name ?? '' };
    for (const k of Object.keys(sig.inputs ?? {}).sort()) entry.inputs[k] = tensorInfo(`signature '${key}' input '${k}'`, sig.inputs![k]!);
    for (const k of Object.keys(sig.outputs ?? {}).sort()) entry.outputs[k] = tensorInfo(`signature '${key}' output '${k}'`, sig.outputs![k]!);
    out[key] = entry;
  }
  return out;
}

/**
 * The tag sets and signatures of a SavedModel, like tfjs-node's getMetaGraphsFromSavedModel:
 * dtype is the TensorFlow.js dtype the tensor runs as, tfDtype TensorFlow's ('DT_INT64'); names are
 * graph tensor names ("serving_default_x:0"); the reserved __saved_model_init_op signature is left
 * out; keys are sorted.
 */
export async function getMetaGraphsFromSavedModel(source: SavedModelSource): Promise<SavedModelMetaGraph[]> {
  const { savedModel } = await readSource(source, { checkpoint: false });
  return (savedModel.meta_graphs ?? []).map((mg) => ({
    tags: [...(mg.meta_info_def?.tags ?? [])],
    signatureDefs: signatureEntries(mg),
  }));
}
