// Calls (StatefulPartitionedCall, PartitionedCall, a library function used as an op) are inlined:
// a child scope whose outputs are resolved on demand, arguments once the call's control inputs ran.
import { tensorflow } from '@savedmodel-js/core';
import { after, controlDeps } from './control-deps.js';
import type { Freezer } from './freezer.js';
import { newScope, type CallOut, type Scope, type Step, type Val } from './model.js';

/** A call: a child scope whose outputs are resolved on demand (nothing is emitted here). */
export function* inline(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, fname: string, inputs: string[]): Step<CallOut> {
  const fdef = fz.fns.get(fname);
  const where = `${scope.prefix}${node.name} in ${scope.where}`;
  if (!fdef) fz.fail('INVALID_GRAPH', `call ${where} names function '${fname}', which is not in the library`);
  const argDefs = fdef.signature?.input_arg ?? [];
  if (argDefs.length !== inputs.length) {
    fz.fail('INVALID_GRAPH', `call ${where} passes ${inputs.length} inputs to ${fname}, which takes ${argDefs.length}`);
  }
  const child = newScope(
    'function',
    `${scope.prefix}${node.name}/`,
    new Map((fdef.node_def ?? []).map((n) => [n.name ?? '', n])),
    `function ${fname} (inlined at ${scope.prefix}${node.name})`,
  );
  child.args = new Map(argDefs.map((a, i) => [a.name ?? '', i]));
  child.parent = scope;
  child.callInputs = inputs;
  child.callNode = node;
  // Control inputs gate the body through its arguments; with none, every fetch waits for them.
  if (argDefs.length === 0 && (node.input ?? []).some((i) => i.startsWith('^'))) fz.pendingDeps.push(...(yield* controlDeps(fz, scope, node)));
  const rets = (fdef.signature?.output_arg ?? []).map((a) => fdef.ret?.[a.name ?? ''] ?? undefined);
  const controlRets = Object.values(fdef.control_ret ?? {});
  return { kind: 'call', child, fname, where, rets, vals: rets.map(() => undefined), busy: rets.map(() => false), controlRets };
}

/** A call argument, once the call's control inputs have run. */
export function* resolveArg(fz: Freezer, scope: Scope, ref: string): Step<Val> {
  const v = yield* fz.resolve(scope.parent!, ref);
  if (v.t !== 'tensor') return v;
  if (!scope.callDeps) scope.callDeps = yield* controlDeps(fz, scope.parent!, scope.callNode!);
  return { t: 'tensor', ref: after(fz, v.ref, scope.callDeps, `${scope.prefix}arg`) };
}

// ---- signature inputs and outputs ----
