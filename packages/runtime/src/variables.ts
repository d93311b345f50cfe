// Which checkpoint key holds the value of each variable node of a SavedModel's top-level graph.
//
// Three independent sources, in the order they are trusted:
//  1. object graph (TF2, what tf.saved_model.load does): a top-level call node passes variable
//     handles as its trailing inputs; the called function's SavedConcreteFunction.bound_inputs
//     names the `variable` objects they are bound to; walking the SavedObjectGraph and the
//     checkpoint's TrackableObjectGraph (_CHECKPOINTABLE_OBJECT_GRAPH) from the root along the
//     same edge names reaches that object's VARIABLE_VALUE attribute and its checkpoint_key.
//  2. saver (what session loaders such as TF Serving run): RestoreV2's tensor_names, followed to
//     the Assign/AssignVariableOp that writes each restored tensor — in the top-level graph (TF1
//     `save/restore_all`) or in the function called by saver_def.restore_op_name (TF2
//     `__inference__traced_restore_N`, whose resource args are the call node's inputs).
//  3. name: a checkpoint key equal to the node's shared_name or name (TF1 name-based keys).
import { SavedModelError, tensorflow, type CheckpointReader } from '@savedmodel-js/core';
import { reader } from '@savedmodel-js/core/internal';
import { decodeTensorProto } from './host-tensor.js';

export type VariableKeySource = 'object_graph' | 'saver' | 'name';

export interface VariableKey {
  key: string;
  via: VariableKeySource;
}

export interface VariableKeys {
  /** Variable node name (VarHandleOp / VariableV2 in the top-level graph) → checkpoint key, best source first. */
  byNode: Map<string, VariableKey>;
  /** What each source says on its own (for cross-checking; the saver's is read when first asked for). */
  objectGraph: Map<string, string>;
  readonly saver: Map<string, string>;
}

const CHECKPOINTABLE_OBJECT_GRAPH = '_CHECKPOINTABLE_OBJECT_GRAPH';
export const VARIABLE_OPS = new Set(['VarHandleOp', 'VariableV2', 'Variable']);
export const CALL_OPS = new Set(['StatefulPartitionedCall', 'PartitionedCall']);

/** Data inputs only (control inputs `^x` dropped). */
export function dataInputs(node: tensorflow.INodeDef): string[] {
  return (node.input ?? []).filter((i) => !i.startsWith('^'));
}

/** The node a reference names ("^n", "n", "n:1"), without split(): this runs per input of every node. */
export function refNodeName(ref: string): string {
  const from = ref.charCodeAt(0) === 94 /* ^ */ ? 1 : 0;
  const colon = ref.indexOf(':', from);
  return colon < 0 ? (from === 0 ? ref : ref.slice(1)) : ref.slice(from, colon);
}

/** Object node id → checkpoint key of its VARIABLE_VALUE attribute, by walking both graphs in step. */
export function objectGraphCheckpointKeys(mg: tensorflow.IMetaGraphDef, checkpoint: CheckpointReader | undefined): Map<number, string> {
  const out = new Map<number, string>();
  const og = mg.object_graph_def;
  if (!og || !checkpoint || !checkpoint.has(CHECKPOINTABLE_OBJECT_GRAPH)) return out;
  const bytes = checkpoint.stringBytes(CHECKPOINTABLE_OBJECT_GRAPH)[0];
  if (!bytes) return out;
  let tog: tensorflow.TrackableObjectGraph;
  try {
    tog = tensorflow.TrackableObjectGraph.decode(reader(bytes));
  } catch (e) {
    throw new SavedModelError('CORRUPT', `cannot decode ${CHECKPOINTABLE_OBJECT_GRAPH}: ${(e as Error).message}`, { key: CHECKPOINTABLE_OBJECT_GRAPH, cause: e });
  }
  const nodes = og.nodes ?? [];
  const tnodes = tog.nodes ?? [];
  const seen = new Set<number>([0]);
  const queue: Array<[number, number]> = [[0, 0]];
  for (let q = 0; q < queue.length; q++) {
    const [oid, tid] = queue[q]!;
    const obj = nodes[oid];
    const tobj = tnodes[tid];
    if (!obj || !tobj) continue;
    if (obj.variable) {
      const attr = (tobj.attributes ?? []).find((a) => a.name === 'VARIABLE_VALUE');
      if (attr?.checkpoint_key) out.set(oid, attr.checkpoint_key);
    }
    const tchildren = new Map<string, number>();
    for (const c of tobj.children ?? []) if (c.local_name != null) tchildren.set(c.local_name, c.node_id ?? 0);
    for (const c of obj.children ?? []) {
      const child = c.node_id ?? 0;
      const tchild = tchildren.get(c.local_name ?? '');
      if (tchild === undefined || seen.has(child)) continue;
      seen.add(child);
      queue.push([child, tchild]);
    }
  }
  return out;
}

function functionByName(mg: tensorflow.IMetaGraphDef): Map<string, tensorflow.IFunctionDef> {
  const m = new Map<string, tensorflow.IFunctionDef>();
  for (const f of mg.graph_def?.library?.function ?? []) m.set(f.signature?.name ?? '', f);
  return m;
}

function calledFunction(node: tensorflow.INodeDef, fns: Map<string, tensorflow.IFunctionDef>): string | undefined {
  if (CALL_OPS.has(node.op ?? '')) return node.attr?.f?.func?.name ?? undefined;
  if (fns.has(node.op ?? '')) return node.op ?? undefined;
  return undefined;
}

/** Source 1: top-level variable node → key, via bound_inputs of the functions that top-level calls invoke. */
function keysFromObjectGraph(mg: tensorflow.IMetaGraphDef, checkpoint: CheckpointReader | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const og = mg.object_graph_def;
  if (!og) return out;
  const objKeys = objectGraphCheckpointKeys(mg, checkpoint);
  const fns = functionByName(mg);
  const byName = new Map((mg.graph_def?.node ?? []).map((n) => [n.name ?? '', n]));
  for (const node of mg.graph_def?.node ?? []) {
    const fname = calledFunction(node, fns);
    if (!fname) continue;
    const bound = og.concrete_functions?.[fname]?.bound_inputs ?? [];
    if (bound.length === 0) continue;
    const inputs = dataInputs(node);
    const captured = inputs.slice(inputs.length - bound.length);
    captured.forEach((ref, i) => {
      const varNode = byName.get(refNodeName(ref));
      const key = objKeys.get(bound[i] ?? -1);
      if (varNode && VARIABLE_OPS.has(varNode.op ?? '') && key !== undefined && !out.has(varNode.name ?? '')) out.set(varNode.name ?? '', key);
    });
  }
  return out;
}

interface RestoreScope {
  nodes: Map<string, tensorflow.INodeDef>;
  /** Parse an input reference into [node name, flat output index]; undefined for a function argument. */
  parse(ref: string): [string, number] | undefined;
}

function stringConst(scope: RestoreScope, ref: string): string[] | undefined {
  const p = scope.parse(ref);
  const node = p ? scope.nodes.get(p[0]) : undefined;
  if (!node || node.op !== 'Const' || !node.attr?.value?.tensor) return undefined;
  const t = decodeTensorProto(node.attr.value.tensor, node.name ?? '');
  if (!Array.isArray(t.values)) return undefined;
  const dec = new TextDecoder();
  return t.values.map((b) => dec.decode(b));
}

/** Assign / AssignVariableOp nodes whose value comes (through Identity) from RestoreV2: target reference → key. */
function restoreAssignments(scope: RestoreScope): Map<string, string> {
  const out = new Map<string, string>();
  // one RestoreV2 feeds every variable: its tensor_names decoded once, not once per variable
  // (that was quadratic: 4,000 variables took seconds)
  const namesOf = new Map<string, string[] | undefined>();
  const constStrings = (ref: string) => {
    if (!namesOf.has(ref)) namesOf.set(ref, stringConst(scope, ref));
    return namesOf.get(ref);
  };
  for (const node of scope.nodes.values()) {
    if (node.op !== 'Assign' && node.op !== 'AssignVariableOp') continue;
    const [target, value] = dataInputs(node);
    if (target === undefined || value === undefined) continue;
    let ref = value;
    for (let hops = 0; hops < 16; hops++) {
      const p = scope.parse(ref);
      const src = p ? scope.nodes.get(p[0]) : undefined;
      if (!p || !src) break;
      if (src.op === 'Identity') {
        const next = dataInputs(src)[0];
        if (next === undefined) break;
        ref = next;
        continue;
      }
      if (src.op === 'RestoreV2' || src.op === 'Restore' || src.op === 'RestoreSlice') {
        const names = constStrings(dataInputs(src)[1] ?? '');
        const key = src.op === 'RestoreV2' ? names?.[p[1]] : names?.[0];
        if (key !== undefined) out.set(target, key);
      }
      break;
    }
  }
  return out;
}

/** Source 2: the saver's restore graph. */
function keysFromSaver(mg: tensorflow.IMetaGraphDef): Map<string, string> {
  const out = new Map<string, string>();
  const top = mg.graph_def?.node ?? [];
  const byName = new Map(top.map((n) => [n.name ?? '', n]));
  const graphScope: RestoreScope = {
    nodes: byName,
    parse: (ref) => {
      const [n, i] = ref.split(':');
      return [n ?? '', i === undefined ? 0 : Number(i)];
    },
  };
  for (const [target, key] of restoreAssignments(graphScope)) {
    const v = byName.get(refNodeName(target));
    if (v && VARIABLE_OPS.has(v.op ?? '')) out.set(v.name ?? '', key);
  }
  // TF2: restore_op_name is a call of __inference__traced_restore_N(file_prefix, resources...).
  const restoreName = mg.saver_def?.restore_op_name ?? '';
  const call = byName.get(refNodeName(restoreName));
  const fns = functionByName(mg);
  const fname = call ? calledFunction(call, fns) : undefined;
  const fdef = fname ? fns.get(fname) : undefined;
  if (call && fdef) {
    // argument name → position (an indexOf per variable was quadratic: 4,000 variables, ~16 M compares)
    const argIndexOf = new Map<string, number>();
    (fdef.signature?.input_arg ?? []).forEach((a, i) => { if (!argIndexOf.has(a.name ?? '')) argIndexOf.set(a.name ?? '', i); });
    const bodyNodes = new Map((fdef.node_def ?? []).map((n) => [n.name ?? '', n]));
    const fnScope: RestoreScope = {
      nodes: bodyNodes,
      parse: (ref) => {
        const parts = ref.split(':');
        if (parts.length === 1) return undefined; // argument
        const node = bodyNodes.get(parts[0] ?? '');
        if (!node) return undefined;
        // RestoreV2 has one list output, `tensors`: "RestoreV2:tensors:i" is flat index i.
        return [parts[0] ?? '', Number(parts[parts.length - 1])];
      },
    };
    const callInputs = dataInputs(call);
    for (const [target, key] of restoreAssignments(fnScope)) {
      const argIndex = argIndexOf.get(target);
      if (argIndex === undefined) continue;
      const v = byName.get(refNodeName(callInputs[argIndex] ?? ''));
      if (v && VARIABLE_OPS.has(v.op ?? '') && !out.has(v.name ?? '')) out.set(v.name ?? '', key);
    }
  }
  return out;
}

/** Checkpoint keys for every variable node of the top-level graph that any source can place. */
export function resolveVariableKeys(mg: tensorflow.IMetaGraphDef, checkpoint: CheckpointReader | undefined): VariableKeys {
  const objectGraph = keysFromObjectGraph(mg, checkpoint);
  // the saver's restore graph only where the object graph leaves a variable unplaced (TF1, or a
  // partial object graph): a TF2 model's restore function is a node per variable and more to walk
  let saverKeys: Map<string, string> | undefined;
  const saver = () => (saverKeys ??= keysFromSaver(mg));
  const byNode = new Map<string, VariableKey>();
  for (const node of mg.graph_def?.node ?? []) {
    if (!VARIABLE_OPS.has(node.op ?? '')) continue;
    const name = node.name ?? '';
    const og = objectGraph.get(name);
    if (og !== undefined) { byNode.set(name, { key: og, via: 'object_graph' }); continue; }
    const sv = saver().get(name);
    if (sv !== undefined) { byNode.set(name, { key: sv, via: 'saver' }); continue; }
    const shared = node.attr?.shared_name?.s;
    const sharedName = shared && shared.length > 0 ? new TextDecoder().decode(shared) : undefined;
    for (const cand of [sharedName, name]) {
      if (cand !== undefined && checkpoint?.has(cand)) { byNode.set(name, { key: cand, via: 'name' }); break; }
    }
  }
  return { byNode, objectGraph, get saver() { return saver(); } };
}
