// Freezing one signature of a SavedModel into a plain, function-free GraphDef that a graph
// executor without TensorFlow (TensorFlow.js' GraphModel) can run:
//
//  - starting from the signature's output tensors, only what they need is emitted; control
//    inputs are followed too (NoOps flattened, a call's control_ret included) and kept where they
//    order an effect (host ops, see host-ops.ts: assigned variables, tables, files, tf.Example);
//  - call nodes (StatefulPartitionedCall / PartitionedCall / a library function used as an op)
//    are inlined, recursively: body nodes are renamed `<call node>/<body node>`, function
//    arguments are bound to the call's inputs, `node:out_arg:i` references become flat output
//    indices (from the op registry's output_arg list: number_attr / type_list_attr lists), and
//    the call's outputs become the tensors named by the function's `ret`;
//  - nothing recurses on the graph's size: resolving a tensor is a generator that yields what it
//    needs next, driven by one explicit stack (drive()), so 100,000-node chains freeze; a tensor
//    that needs itself (a cycle not broken by an emitted op) is INVALID_GRAPH naming a node, and
//    a cycle among emitted ops must pass through NextIteration (a TF1 loop) or is INVALID_GRAPH;
//  - before anything is emitted, the nodes inlining can produce are bounded (inline-budget.ts)
//    against limits.maxNodes, and every constant / variable value is reserved in the memory
//    budget before it is allocated;
//  - Case becomes a chain of If (case-lowering.ts); While / If keep their functions: frozen the same way into FrozenGraph.functions
//    (graph-style references), which tfjs-converter's executor runs from the library;
//  - variables become Consts holding their checkpoint value: a top-level VarHandleOp (TF2,
//    reached through DT_RESOURCE function arguments) read by ReadVariableOp, or a TF1
//    VariableV2 read through Identity; checkpoint keys come from variables.ts;
//  - the tensors fed by the signature's inputs become Placeholders (TF1 signatures may feed an
//    intermediate tensor such as `x:0` = Identity(ParseExample)); what they replace is pruned.
//
// The result is TensorFlow-dtype, TensorFlow-op data; tfjs-model.ts turns it into a GraphModel.
//
// This module is the entry point; the freezer itself is in freeze/ (freezer.ts and one module per
// concept beside it).
import { MemoryBudget, SavedModelError, tensorflow, type CheckpointReader } from '@savedmodel-js/core';
import { checkOptions, checkedElementCount } from '@savedmodel-js/core/internal';
import { STRING_ELEMENT_OVERHEAD, dtypeName, type HostTensor } from './host-tensor.js';
import { checkInlineBudget } from './inline-budget.js';
import { resolveVariableKeys, type VariableKeys } from './variables.js';
import { Freezer } from './freeze/freezer.js';
import { DT, type FreezeOptions, type FrozenGraph } from './freeze/model.js';
import { addFeed, addFetch, addTargets } from './freeze/signature-io.js';

export type { FreezeOptions, FrozenGraph, FrozenTensorInfo, FrozenVariable } from './freeze/model.js';

/** Keys of the signatures a SavedModel can run (the reserved init/train op signatures left out). */
export function runnableSignatureKeys(mg: tensorflow.IMetaGraphDef): string[] {
  return Object.keys(mg.signature_def ?? {}).filter((k) => k !== '__saved_model_init_op' && k !== '__saved_model_train_op').sort();
}

/** Freeze signature `signatureKey` of a MetaGraphDef (with its checkpoint) into a plain GraphDef. */
export function freezeSignature(
  mg: tensorflow.IMetaGraphDef,
  checkpoint: CheckpointReader | undefined,
  signatureKey: string,
  options: FreezeOptions = {},
): FrozenGraph {
  checkOptions(options, ['variableKeys', 'budget', 'mutableVariables', 'constFeeds', 'checkedInt64'], 'freezeSignature options');
  const sig = mg.signature_def?.[signatureKey];
  if (!sig) {
    const available = runnableSignatureKeys(mg).join(', ');
    throw new SavedModelError('NOT_FOUND', `the SavedModel has no signature '${signatureKey}'; available: ${available}`, { key: signatureKey });
  }
  const budget = options.budget ?? new MemoryBudget();
  checkInlineBudget(mg, sig, signatureKey, budget.limits);
  const keys = options.variableKeys ?? resolveVariableKeys(mg, checkpoint);
  const fz = new Freezer(mg, checkpoint, keys, signatureKey, budget, options);
  const inputKeys = Object.keys(sig.inputs ?? {}).sort();
  const outputKeys = Object.keys(sig.outputs ?? {}).sort();
  if (outputKeys.length === 0) throw new SavedModelError('INVALID_GRAPH', `signature '${signatureKey}' has no outputs`, { key: signatureKey });
  const inputs = inputKeys.map((k) => addFeed(fz, k, sig.inputs![k]!));
  const outputs = outputKeys.map((k) => addFetch(fz, k, sig.outputs![k]!));
  return fz.finish(sig.method_name ?? '', inputs, outputs);
}

/**
 * Freeze the init op of a MetaGraphDef (TF2 `__saved_model_init_op`, TF1 `saved_model_main_op` /
 * `legacy_init_op`: node names run for their effect) into a graph with one output to fetch.
 * `constFeeds` replaces tensors the loader feeds (asset paths).
 */
export function freezeInit(
  mg: tensorflow.IMetaGraphDef,
  checkpoint: CheckpointReader | undefined,
  targets: string[],
  options: FreezeOptions = {},
): FrozenGraph {
  const keys = options.variableKeys ?? resolveVariableKeys(mg, checkpoint);
  const fz = new Freezer(mg, checkpoint, keys, '__saved_model_init_op', options.budget ?? new MemoryBudget(), options);
  const out = addTargets(fz, targets);
  return fz.finish('', [], [out]);
}

/** A variable's checkpoint value, for the model's state (NOT_FOUND / INVALID_GRAPH / UNSUPPORTED naming it). */
export function variableValue(
  mg: tensorflow.IMetaGraphDef,
  checkpoint: CheckpointReader | undefined,
  keys: VariableKeys,
  varNode: string,
  where: string,
  budget: MemoryBudget = new MemoryBudget(),
): HostTensor {
  const fail = (code: 'NOT_FOUND' | 'INVALID_GRAPH' | 'UNSUPPORTED', msg: string): never => {
    throw new SavedModelError(code, `signature '${where}': ${msg}`, { key: where });
  };
  const node = (mg.graph_def?.node ?? []).find((n) => n.name === varNode);
  const binding = keys.byNode.get(varNode);
  if (!binding) {
    return fail('NOT_FOUND', `no checkpoint value for variable ${varNode} (not bound through the object graph, not restored by the saver, and no checkpoint key of that name)`);
  }
  if (!checkpoint) return fail('NOT_FOUND', `variable ${varNode} needs the checkpoint (variables/), which is missing`);
  if (!checkpoint.has(binding.key)) fail('NOT_FOUND', `variable ${varNode}: checkpoint key '${binding.key}' is missing`);
  const entry = checkpoint.entry(binding.key);
  const want = node?.attr?.dtype?.type ?? 0;
  if (want !== 0 && want !== entry.dtype) {
    fail('INVALID_GRAPH', `variable ${varNode} is ${dtypeName(want)} but checkpoint key '${binding.key}' holds ${entry.dtypeName}`);
  }
  if (entry.slices.length > 0) fail('UNSUPPORTED', `variable ${varNode}: partitioned (sliced) checkpoint entry '${binding.key}'`);
  const details = { key: binding.key, file: checkpoint.shardFile(entry.shardId) };
  const n = checkedElementCount(entry.shape, details);
  budget.take(entry.dtype === DT.DT_STRING ? entry.size + n * STRING_ELEMENT_OVERHEAD : entry.size, `variable ${varNode} (checkpoint key '${binding.key}')`, details);
  return { dtype: entry.dtype, shape: [...entry.shape], values: checkpoint.value(binding.key) };
}
