// Emitting one node of the graph being frozen, by op family: calls are inlined, variables and
// tables become values, Identity / Const / host ops / functional ops get their own handling, and
// an ordinary op is copied with its inputs resolved (its name reserved first: TF1 loops are cyclic).
import { getOpDef, type tensorflow } from '@savedmodel-js/core';
import { hasHostOp } from '../host-ops.js';
import { decodeTensorProto } from '../host-tensor.js';
import { CHECKED_INT64_OPS, CHECKED_INT64_PREFIX } from '../ops/int64-arith.js';
import { CALL_OPS, dataInputs } from '../variables.js';
import { after, controlDeps, hasControlInputs } from './control-deps.js';
import type { Freezer } from './freezer.js';
import { functional } from './functional.js';
import { hostOp } from './host-nodes.js';
import { inline } from './inline-calls.js';
import { DT, funcAttrNames, FUNCTIONAL_OPS, RUN_RESOURCE_OPS, TABLE_OPS, type NodeOut, type Scope, type Step } from './model.js';
import { checkReductionAxes, REDUCTIONS } from './reduction-axes.js';
import { semanticRewrite } from './tf-semantics.js';
import { emitRead, resourceGather } from './variable-reads.js';

export function* emitNode(fz: Freezer, scope: Scope, node: tensorflow.INodeDef): Step<NodeOut> {
  const op = node.op ?? '';
  const name = node.name ?? '';
  const inputs = hasControlInputs(node) ? dataInputs(node) : (node.input ?? []);

  // Calls: inline the function body.
  const fname = CALL_OPS.has(op) ? node.attr?.f?.func?.name ?? '' : fz.fns.has(op) ? op : undefined;
  if (fname !== undefined) return yield* inline(fz, scope, node, fname, inputs);

  switch (op) {
    case 'VarHandleOp':
      if (scope.kind !== 'graph') fz.fail('UNSUPPORTED', `${scope.where} creates variable ${name} (VarHandleOp inside a function)`);
      return { kind: 'values', vals: [{ t: 'var', node: name }] };
    case 'VariableV2':
    case 'Variable':
      if (scope.kind !== 'graph') fz.fail('UNSUPPORTED', `${scope.where} creates variable ${name}`);
      return { kind: 'values', vals: [{ t: 'var', node: name, ref: true }] };
    case 'Identity': {
      const v = yield* fz.resolve(scope, inputs[0] ?? '');
      const promised = scope.promised.get(name);
      const deps = yield* controlDeps(fz, scope, node);
      if (v.t !== 'tensor') {
        if (promised !== undefined) fz.fail('UNSUPPORTED', `Identity ${scope.prefix}${name} in ${scope.where} passes resource ${v.node} around a loop`);
        if (v.t === 'var' && v.ref) return { kind: 'emitted', name: emitRead(fz, scope, name, v.node, deps, true) };
        return { kind: 'values', vals: [v] };
      }
      const emitted = promised ?? fz.allocate(scope.prefix + name, scope.kind === 'graph');
      fz.emit({ name: emitted, op, input: [after(fz, v.ref, deps, emitted)], attr: fz.copyAttrs(node) });
      return { kind: 'emitted', name: emitted };
    }
    case 'VarIsInitializedOp': {
      const c = fz.allocate(scope.prefix + name, scope.kind === 'graph');
      fz.addConst(c, { dtype: DT.DT_BOOL, shape: [], values: new Uint8Array([1]) });
      return { kind: 'emitted', name: c };
    }
    case 'ResourceGather': return yield* resourceGather(fz, scope, node, inputs);
    case 'Const': {
      const emitted = fz.allocate(scope.prefix + name, scope.kind === 'graph');
      const t = node.attr?.value?.tensor;
      if (!t) fz.fail('INVALID_GRAPH', `Const ${name} in ${scope.where} has no value`);
      fz.addConst(emitted, decodeTensorProto(t, `${scope.prefix}${name}`, fz.budget));
      const deps = yield* controlDeps(fz, scope, node);
      if (deps.length > 0) return { kind: 'values', vals: [{ t: 'tensor', ref: after(fz, emitted, deps, emitted) }] };
      return { kind: 'emitted', name: emitted };
    }
    case 'NoOp':
      return fz.fail('INVALID_GRAPH', `NoOp ${scope.prefix}${name} in ${scope.where} is used as data`);
    case 'Placeholder':
      if (scope.kind === 'graph') {
        fz.fail('INVALID_GRAPH', `the outputs need placeholder ${name}, which is not one of the signature's inputs`);
      }
      break;
    default:
      if (TABLE_OPS.has(op)) {
        if (scope.kind !== 'graph') fz.fail('UNSUPPORTED', `${scope.where} creates table ${name} inside a function`);
        return { kind: 'values', vals: [{ t: 'res', node: name }] };
      }
      if (hasHostOp(op)) return yield* hostOp(fz, scope, node, inputs);
      // int64 arithmetic that int32 TensorFlow.js would wrap: checked on the host (ops/int64-arith.ts)
      if (fz.checkedInt64 && CHECKED_INT64_OPS.has(op) && node.attr?.T?.type === DT.DT_INT64) return yield* hostOp(fz, scope, node, inputs, CHECKED_INT64_PREFIX + op);
      break;
  }
  const def = getOpDef(op);
  if (def && !RUN_RESOURCE_OPS.has(op) && (def.output_arg ?? []).some((a) => a.type === DT.DT_RESOURCE)) {
    fz.fail('UNSUPPORTED', `op ${op} (node ${scope.prefix}${name} in ${scope.where}) creates a resource (table, iterator, …) that only an init op could fill; only variables are supported`);
  }
  if (FUNCTIONAL_OPS.has(op)) return yield* functional(fz, scope, node, inputs);
  const fattrs = funcAttrNames(node);
  if (fattrs.length > 0) {
    fz.fail('UNSUPPORTED', `op ${op} (node ${scope.prefix}${name} in ${scope.where}) calls functions (attr ${fattrs.join(', ')}); functional control flow is not supported`);
  }

  // ops tfjs-converter runs otherwise than TensorFlow: frozen as TF ops it runs exactly (tf-semantics.ts)
  const rewrite = semanticRewrite(node);
  if (rewrite) return yield* rewrite(fz, scope, node, inputs);

  // An ordinary op: reserve its name first (TF1 loops are cyclic), then resolve its inputs.
  const emitted = fz.allocate(scope.prefix + name, scope.kind === 'graph');
  const nd: tensorflow.INodeDef = { name: emitted, op, input: [], attr: fz.copyAttrs(node) };
  if (node.device) nd.device = node.device;
  fz.emit(nd); // inputs are filled in below; ordered() sorts the list at the end
  const result: NodeOut = { kind: 'emitted', name: emitted };
  scope.cache.set(name, result);
  const resolved: string[] = [];
  for (const r of inputs) resolved.push(yield* fz.resolveTensor(scope, node, r));
  nd.input = resolved;
  if (REDUCTIONS.has(op)) checkReductionAxes(fz, scope, node, resolved[1]);
  const deps = yield* controlDeps(fz, scope, node);
  if (deps.length > 0) {
    if (resolved.length > 0) nd.input[0] = after(fz, resolved[0]!, deps, emitted);
    else {
      const wrapped: NodeOut = { kind: 'values', vals: [{ t: 'tensor', ref: after(fz, emitted, deps, emitted) }] };
      scope.cache.set(name, wrapped);
      return wrapped;
    }
  }
  return result;
}
