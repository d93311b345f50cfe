// Host ops over the loaded model's state: variables that some graph assigns (TF2 resource
// variables and TF1 VariableV2 refs), and asset files (ReadFile).
import { add, clone, scalar, sub } from '@tensorflow/tfjs-core';
import { defineHostOp, hostFail, stringsToTensor, tensorBytes } from '../host-ops.js';

defineHostOp(['ReadVariableOp', 'RefRead'], ({ node, store }) => [clone(store.readVariable(node.resource!))]);

// TF2: no outputs (a token keeps the executor's bookkeeping uniform).
defineHostOp(['AssignVariableOp'], ({ node, inputs, store }) => {
  store.writeVariable(node.resource!, inputs[0]!);
  return [scalar(true, 'bool')];
});
defineHostOp(['AssignAddVariableOp', 'AssignSubVariableOp'], ({ node, inputs, store }) => {
  const old = store.readVariable(node.resource!);
  const next = node.op === 'AssignAddVariableOp' ? add(old, inputs[0]!) : sub(old, inputs[0]!);
  store.writeVariable(node.resource!, next);
  next.dispose();
  return [scalar(true, 'bool')];
});

// TF1 ref ops: the output is the variable's new value.
defineHostOp(['Assign'], ({ node, inputs, store }) => {
  store.writeVariable(node.resource!, inputs[0]!);
  return [clone(store.readVariable(node.resource!))];
});
defineHostOp(['AssignAdd', 'AssignSub'], ({ node, inputs, store }) => {
  const old = store.readVariable(node.resource!);
  const next = node.op === 'AssignAdd' ? add(old, inputs[0]!) : sub(old, inputs[0]!);
  store.writeVariable(node.resource!, next);
  next.dispose();
  return [clone(store.readVariable(node.resource!))];
});

const dec = new TextDecoder();

/**
 * Asset bytes for a path the loader fed ("<export_dir>/assets/x.txt", or "assets/x.txt" without a
 * directory). Only the SavedModel's own assets are ever read, whatever directory the path names.
 */
export function assetBytes(store: { assets: Map<string, Uint8Array> }, path: Uint8Array, fail: (msg: string) => never): Uint8Array {
  const p = dec.decode(path).replace(/\\/g, '/');
  const hit = store.assets.get(p);
  if (hit) return hit;
  for (const [k, v] of store.assets) if (p.endsWith(`/${k}`)) return v;
  return fail(`file ${JSON.stringify(p.slice(0, 200))} is not one of the SavedModel's assets (${[...store.assets.keys()].slice(0, 5).join(', ') || 'none'})`);
}

defineHostOp(['ReadFile'], ({ node, inputs, store }) => {
  const [path] = tensorBytes(inputs[0]!);
  if (!path || inputs[0]!.size !== 1) hostFail(node, 'INVALID_ARGUMENT', 'filename must be a scalar string');
  return [stringsToTensor([assetBytes(store, path, (m) => hostFail(node, 'NOT_FOUND', m))], [])];
});
