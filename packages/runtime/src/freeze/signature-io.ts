// A signature's edges: inputs become Placeholders (replacing the tensors they feed), outputs become
// Identities reading what they need, and init-op targets become one Group host node.
import { tensorflow } from '@savedmodel-js/core';
import { shapeOf } from '../host-tensor.js';
import { after, controlTargets } from './control-deps.js';
import type { Freezer } from './freezer.js';
import { emitHost } from './host-nodes.js';
import { DT, type FrozenTensorInfo } from './model.js';
import { emitRead } from './variable-reads.js';

export function addFeed(fz: Freezer, key: string, info: tensorflow.ITensorInfo): FrozenTensorInfo {
  const tensorName = info.name ?? '';
  if (!info.name || info.coo_sparse || info.composite_tensor) {
    fz.fail('UNSUPPORTED', `input '${key}' is not a dense tensor`);
  }
  const [nodeName, idx] = fz.parseGraphRef(tensorName);
  if (!fz.top.nodes.has(nodeName)) fz.fail('INVALID_GRAPH', `input '${key}' names tensor ${tensorName}, but the graph has no node ${nodeName}`);
  const canonical = `${nodeName}:${idx}`;
  if (fz.feeds.has(canonical)) fz.fail('INVALID_GRAPH', `inputs feed the same tensor ${tensorName} twice`);
  const dtype = info.dtype ?? 0;
  const shape = shapeOf(info.tensor_shape);
  const name = fz.allocate(idx === 0 ? nodeName : `${nodeName}_${idx}`, idx === 0);
  const attr: Record<string, tensorflow.IAttrValue> = { dtype: { type: dtype } };
  if (shape) attr.shape = { shape: { dim: shape.map((d) => ({ size: d })) } };
  fz.emit({ name, op: 'Placeholder', input: [], attr });
  fz.feeds.set(canonical, name);
  return { key, tensorName, node: name, dtype, shape };
}

/**
 * The Identity node an output is read from, named for its signature and key. Keys are free text
 * (tfjs-converter writes "Identity:0"), and a ':' in a node name reads as an output index: every
 * character outside TensorFlow's node-name set becomes '_' (allocate keeps the names distinct).
 */
function outputNodeName(signatureKey: string, key: string): string {
  return `${signatureKey}/output/${key}`.replace(/[^A-Za-z0-9_.\-/>]/g, '_');
}

export function addFetch(fz: Freezer, key: string, info: tensorflow.ITensorInfo): FrozenTensorInfo {
  const tensorName = info.name ?? '';
  if (!info.name || info.coo_sparse || info.composite_tensor) fz.fail('UNSUPPORTED', `output '${key}' is not a dense tensor`);
  const v = fz.drive(fz.resolve(fz.top, tensorName));
  let ref: string;
  if (v.t === 'var' && v.ref) ref = emitRead(fz, fz.top, tensorName, v.node, []);
  else if (v.t !== 'tensor') fz.fail('UNSUPPORTED', `output '${key}' (${tensorName}) is a resource handle`);
  else ref = v.ref;
  const dtype = info.dtype ?? 0;
  const name = fz.allocate(outputNodeName(fz.signatureKey, key), false);
  fz.emit({ name, op: 'Identity', input: [after(fz, ref, fz.pendingDeps, name)], attr: { T: { type: dtype } } });
  return { key, tensorName, node: name, dtype, shape: shapeOf(info.tensor_shape) };
}

/** Run-for-effect targets (init ops): one Group node that depends on all of them. */
export function addTargets(fz: Freezer, names: string[]): FrozenTensorInfo {
  const deps: string[] = [];
  for (const n of names) {
    const [node] = fz.parseGraphRef(n.replace(/^\^/, ''));
    deps.push(...fz.drive(controlTargets(fz, fz.top, node)));
  }
  const name = fz.allocate('__init_op__/group', false);
  emitHost(fz, name, { op: 'Group', def: { name, op: 'Group' }, nData: 0, where: 'the init op' }, [], [...new Set(deps)]);
  return { key: '__init_op__', tensorName: names.join(','), node: name, dtype: DT.DT_BOOL, shape: [] };
}
