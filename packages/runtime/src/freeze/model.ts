// The freezer's data model: what a frozen signature is (FrozenGraph and its tensor infos) and the
// values, scopes and requests freezing works with (see freezer.ts for how they are used).
import { tensorflow, type MemoryBudget } from '@savedmodel-js/core';
import type { HostNode } from '../host-ops.js';
import type { HostTensor } from '../host-tensor.js';
import type { VariableKeySource, VariableKeys } from '../variables.js';

export const DT = tensorflow.DataType;

export interface FrozenTensorInfo {
  /** Signature key (input or output name). */
  key: string;
  /** Tensor name in the SavedModel's graph ("serving_default_x:0", "StatefulPartitionedCall:0"). */
  tensorName: string;
  /** Node of the frozen graph: the Placeholder fed for an input, the Identity read for an output. */
  node: string;
  dtype: number;
  /** null = unknown rank; -1 = unknown dimension. */
  shape: number[] | null;
}

export interface FrozenVariable {
  /** Variable node in the SavedModel's top-level graph. */
  variable: string;
  /** Const node holding its value in the frozen graph. */
  node: string;
  key: string;
  via: VariableKeySource;
}

export interface FrozenGraph {
  signatureKey: string;
  methodName: string;
  /** Topologically ordered as emitted: inputs before users (except for TF1 loop back-edges). */
  nodes: tensorflow.INodeDef[];
  /** Values of the Const nodes (their NodeDefs carry only `dtype`). */
  constants: Map<string, HostTensor>;
  inputs: FrozenTensorInfo[];
  outputs: FrozenTensorInfo[];
  variables: FrozenVariable[];
  /** graph_def.versions.producer of the SavedModel. */
  producer: number;
  /** Nodes run on the host (op `_SmjsHost`; see host-ops.ts), by frozen node name. */
  hostNodes: Map<string, HostNode>;
  /** Variables some node of this graph assigns (their reads go through the model's state). */
  writtenVariables: string[];
  /** Functions that While / If / Case nodes call, frozen like the graph (graph-style references). */
  functions: tensorflow.IFunctionDef[];
}

export interface FreezeOptions {
  /** Precomputed variable keys (default: resolveVariableKeys(metaGraph, checkpoint)). */
  variableKeys?: VariableKeys;
  /** Memory budget constants and variable values are reserved in (default: a fresh one with DEFAULT_LIMITS). */
  budget?: MemoryBudget;
  /** Variables assigned elsewhere (by the init op): read from the model's state, never frozen. */
  mutableVariables?: Iterable<string>;
  /** Top-level tensors replaced by constants ("Const:0" → the asset path TensorFlow's loader feeds). */
  constFeeds?: Map<string, HostTensor>;
  /**
   * int64 Add/Sub/Mul/… checked on the host (default true). False for a graph that leaves the
   * runtime (a tfjs graph model): there they are plain ops, computed in int32 as tfjs-converter does.
   */
  checkedInt64?: boolean;
}

/** A tensor, a variable (`ref`: a TF1 VariableV2, read by using it), or another resource (table). */
export type Val = { t: 'tensor'; ref: string } | { t: 'var'; node: string; ref?: boolean } | { t: 'res'; node: string };

/** Functional control flow: tfjs-converter's executor runs their functions from the graph's library. */
export const FUNCTIONAL_OPS = new Set(['While', 'StatelessWhile', 'If', 'StatelessIf', 'Case', 'StatelessCase']);
/** Ops that create a table resource in the top-level graph. */
export const TABLE_OPS = new Set(['HashTableV2', 'HashTable', 'MutableHashTableV2', 'MutableHashTable']);
/**
 * Ops whose resource output tfjs-converter's executor makes itself, per run (TF1 TensorArrays, as
 * TF 1.x Object Detection exports use in their while loops): copied like any op.
 */
export const RUN_RESOURCE_OPS = new Set(['TensorArrayV3']);
/** Host ops that write the variable they are given. */
export const WRITE_OPS = new Set(['Assign', 'AssignAdd', 'AssignSub', 'AssignVariableOp', 'AssignAddVariableOp', 'AssignSubVariableOp']);

export interface CallOut {
  kind: 'call';
  child: Scope;
  fname: string;
  /** "call node in scope", for messages. */
  where: string;
  /** Each output's `ret` reference in the body (undefined: missing, reported when used). */
  rets: Array<string | undefined>;
  vals: Array<Val | undefined>;
  busy: boolean[];
  /** Body nodes whose effects a control dependency on the call waits for (control_ret). */
  controlRets: string[];
}

export type NodeOut =
  | { kind: 'emitted'; name: string }
  | { kind: 'values'; vals: Val[] }
  | CallOut;

export interface Scope {
  kind: 'graph' | 'function';
  /** Prefix of emitted names ("" at the top level, "<call path>/" inside a function). */
  prefix: string;
  nodes: Map<string, tensorflow.INodeDef>;
  /** Function scopes: argument name → index into the call's inputs (resolved in `parent`). */
  args?: Map<string, number>;
  parent?: Scope;
  callInputs?: string[];
  /** Function scopes: the call node (its control inputs gate the arguments). */
  callNode?: tensorflow.INodeDef;
  callDeps?: string[];
  argVals: Map<string, Val>;
  cache: Map<string, NodeOut>;
  /** Nodes / arguments being resolved right now (a request for one of them again is a cycle). */
  busy: Set<string>;
  /** Identity nodes named before their input was known (reached again through a TF1 loop). */
  promised: Map<string, string>;
  /** For messages: "function __inference_f_12 (inlined at StatefulPartitionedCall)". */
  where: string;
}

/** What a resolution step needs next; drive() answers with the NodeOut / Val. */
export type Req =
  | { t: 'node'; scope: Scope; node: tensorflow.INodeDef }
  | { t: 'arg'; scope: Scope; name: string }
  | { t: 'callOut'; call: CallOut; i: number };

export type Step<T> = Generator<Req, T, unknown>;

export interface Frame {
  gen: Step<unknown>;
  done?: (v: unknown) => void;
}

/** A TF1 while loop's back edge: Merge reading NextIteration (the only cycles TF allows). */
export const LOOP_MERGE = new Set(['Merge', 'RefMerge']);
export const LOOP_BACK_EDGE = new Set(['NextIteration', 'RefNextIteration']);

export function newScope(kind: Scope['kind'], prefix: string, nodes: Map<string, tensorflow.INodeDef>, where: string): Scope {
  return { kind, prefix, nodes, argVals: new Map(), cache: new Map(), busy: new Set(), promised: new Map(), where };
}

export function funcAttrNames(node: tensorflow.INodeDef): string[] {
  const out: string[] = [];
  const attrs = node.attr;
  // for-in, not Object.entries: this runs for every ordinary node frozen
  if (attrs) for (const k in attrs) { const v = attrs[k]; if (v?.func || (v?.list?.func && v.list.func.length > 0)) out.push(k); }
  return out;
}
