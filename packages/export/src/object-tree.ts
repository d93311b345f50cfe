// The checkpointable objects, breadth first from the root (the signature map is the root's last
// dependency), then optimizer slot variables: nodes of their own after the dependency tree,
// reached only through the optimizer.
import { SavedModelError, type tensorflow } from '@savedmodel-js/core';
import type { ObjectNode, TreeNode, VariableNode } from './module.js';
import { escapeCheckpointName } from './node-names.js';

type ObjectReference = tensorflow.TrackableObjectGraph.TrackableObject.IObjectReference;
type SlotVariableReference = tensorflow.TrackableObjectGraph.TrackableObject.ISlotVariableReference;

/** BuildOptions.slotVariables: per optimizer object (by key), the slots it holds for tracked variables. */
export type SlotVariables = readonly { optimizer: object; slots: readonly { variable: TreeNode; name: string; slot: VariableNode }[] }[];

export interface ObjectTree {
  /** Node id → node: the dependency tree breadth first, then slot variables. */
  nodes: TreeNode[];
  /** Node id of each object, by its key (identity). */
  ids: Map<object, number>;
  /** Per node id: its named dependencies. */
  children: ObjectReference[][];
  /** Per node id: the dependency names from the root. */
  paths: string[][];
  /** Slot variables' checkpoint key prefixes (`<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<slot name>`). */
  keyPrefix: Map<number, string>;
  /** Per optimizer node id: its slot variables. */
  slotRefs: Map<number, SlotVariableReference[]>;
}

export function collectObjects(root: ObjectNode, signatureMap: ObjectNode, slotVariables: SlotVariables): ObjectTree {
  const nodes: TreeNode[] = [root];
  const ids = new Map<object, number>([[root.key, 0]]);
  const children: ObjectReference[][] = [[]];
  const paths: string[][] = [[]];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.kind !== 'object') continue;
    const deps = n.deps();
    if (i === 0) {
      if (deps.some(([name]) => name === 'signatures') || n.functions().some(([name]) => name === 'signatures')) {
        throw new SavedModelError('INVALID_ARGUMENT', "the exported object has an attribute named 'signatures', which the SavedModel reserves for its signature map", { key: 'signatures' });
      }
      deps.push(['signatures', signatureMap]);
    }
    const names = new Set<string>();
    for (const [name, child] of deps) {
      if (names.has(name)) throw new SavedModelError('INVALID_ARGUMENT', `two dependencies named '${name}'`, { key: name });
      names.add(name);
      let id = ids.get(child.key);
      if (id === undefined) {
        id = nodes.length;
        ids.set(child.key, id);
        nodes.push(child);
        children.push([]);
        paths.push([...paths[i]!, name]);
      }
      children[i]!.push({ node_id: id, local_name: name });
    }
  }
  // slot variables
  const keyPrefix = new Map<number, string>();
  const slotRefs = new Map<number, SlotVariableReference[]>();
  for (const so of slotVariables) {
    const optId = ids.get(so.optimizer);
    if (optId === undefined) continue;
    for (const s of so.slots) {
      const origId = ids.get(s.variable.key);
      if (origId === undefined) continue;
      let sid = ids.get(s.slot.key);
      if (sid === undefined) {
        sid = nodes.length;
        ids.set(s.slot.key, sid);
        nodes.push(s.slot);
        children.push([]);
        paths.push([...paths[origId]!, '.OPTIMIZER_SLOT', ...paths[optId]!, s.name]);
        keyPrefix.set(sid, `${paths[origId]!.map(escapeCheckpointName).join('/')}/.OPTIMIZER_SLOT/${paths[optId]!.map(escapeCheckpointName).join('/')}/${escapeCheckpointName(s.name)}`);
      }
      const refs = slotRefs.get(optId) ?? [];
      refs.push({ original_variable_node_id: origId, slot_name: s.name, slot_variable_node_id: sid });
      slotRefs.set(optId, refs);
    }
  }
  return { nodes, ids, children, paths, keyPrefix, slotRefs };
}
