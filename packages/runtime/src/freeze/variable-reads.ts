// Variables: reads are emitted as host reads, and at the end every read of a variable nothing assigns
// is folded into a Const holding its checkpoint value; ResourceGather reads then gathers.
import { tensorflow } from '@savedmodel-js/core';
import { checkedElementCount, toNumber } from '@savedmodel-js/core/internal';
import { dtypeName, STRING_ELEMENT_OVERHEAD, type HostTensor } from '../host-tensor.js';
import { controlDeps } from './control-deps.js';
import type { Freezer } from './freezer.js';
import { emitHost } from './host-nodes.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export function isVariable(fz: Freezer, node: string): boolean {
  const op = fz.top.nodes.get(node)?.op ?? '';
  return op === 'VarHandleOp' || op === 'VariableV2' || op === 'Variable';
}

/** A read of `variable`: its frozen checkpoint value unless something assigns it (decided in finish()). */
export function emitRead(fz: Freezer, scope: Scope, at: string, variable: string, deps: string[], ownName = false): string {
  const name = fz.allocate(`${scope.prefix}${at}`, scope.kind === 'graph' && ownName);
  const op = fz.top.nodes.get(variable)?.op === 'VarHandleOp' ? 'ReadVariableOp' : 'RefRead';
  emitHost(fz, name, { op, def: { name: at, op }, resource: variable, nData: 0, where: `node ${scope.prefix}${at} in ${scope.where}` }, [], deps);
  fz.reads.push({ name, variable, deps });
  if (fz.fnDepth > 0) fz.readBodies.set(name, fz.out);
  return name;
}

export function* resourceGather(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const v = yield* fz.resolve(scope, inputs[0] ?? '');
  if (v.t !== 'var') fz.fail('UNSUPPORTED', `ResourceGather ${scope.prefix}${node.name} in ${scope.where} reads a resource that is not a saved variable`);
  const params = emitRead(fz, scope, `${node.name}/params`, v.node, yield* controlDeps(fz, scope, node));
  const indices = yield* fz.resolveTensor(scope, node, inputs[1] ?? '');
  const batchDims = toNumber(node.attr?.batch_dims?.i);
  const axis = fz.allocate(`${scope.prefix}${node.name}/axis`, false);
  fz.addConst(axis, { dtype: DT.DT_INT32, shape: [], values: new Int32Array([batchDims]) });
  const emitted = fz.allocate(scope.prefix + (node.name ?? ''), scope.kind === 'graph');
  fz.emit({
    name: emitted,
    op: 'GatherV2',
    input: [params, indices, axis],
    attr: {
      Tparams: { type: node.attr?.dtype?.type ?? DT.DT_FLOAT },
      Tindices: { type: node.attr?.Tindices?.type ?? DT.DT_INT32 },
      Taxis: { type: DT.DT_INT32 },
      batch_dims: { i: batchDims },
    },
  });
  return { kind: 'emitted', name: emitted };
}

export function variableConst(fz: Freezer, varNode: string): string {
  const have = fz.varConsts.get(varNode);
  if (have !== undefined) return have;
  const node = fz.top.nodes.get(varNode);
  const binding = fz.keys.byNode.get(varNode);
  if (!binding) {
    fz.fail('NOT_FOUND', `no checkpoint value for variable ${varNode} (not bound through the object graph, not restored by the saver, and no checkpoint key of that name)`);
  }
  if (!fz.checkpoint) fz.fail('NOT_FOUND', `variable ${varNode} needs the checkpoint (variables/), which is missing`);
  if (!fz.checkpoint.has(binding.key)) fz.fail('NOT_FOUND', `variable ${varNode}: checkpoint key '${binding.key}' is missing`);
  const entry = fz.checkpoint.entry(binding.key);
  const want = node?.attr?.dtype?.type ?? 0;
  if (want !== 0 && want !== entry.dtype) {
    fz.fail('INVALID_GRAPH', `variable ${varNode} is ${dtypeName(want)} but checkpoint key '${binding.key}' holds ${entry.dtypeName}`);
  }
  if (entry.slices.length > 0) fz.fail('UNSUPPORTED', `variable ${varNode}: partitioned (sliced) checkpoint entry '${binding.key}'`);
  const details = { key: binding.key, file: fz.checkpoint.shardFile(entry.shardId) };
  const n = checkedElementCount(entry.shape, details);
  // numeric values are copied out of the shard; strings become one array per element
  const bytes = entry.dtype === DT.DT_STRING ? entry.size + n * STRING_ELEMENT_OVERHEAD : entry.size;
  fz.budget.take(bytes, `variable ${varNode} (checkpoint key '${binding.key}', shape [${entry.shape.join(', ')}])`, details);
  const value: HostTensor = { dtype: entry.dtype, shape: [...entry.shape], values: fz.checkpoint.value(binding.key) };
  const name = fz.allocate(varNode, true);
  fz.addConst(name, value);
  fz.varConsts.set(varNode, name);
  fz.variables.push({ variable: varNode, node: name, key: binding.key, via: binding.via });
  return name;
}

/** Reads of variables nothing assigns become their checkpoint value (a Const), as before state existed. */
export function foldReads(fz: Freezer): void {
  const byName = new Map(fz.out.map((n) => [n.name ?? '', n]));
  // per function body, its nodes by name (a find() per read was quadratic in a body's reads)
  const bodyNodes = new Map<tensorflow.INodeDef[], Map<string, tensorflow.INodeDef>>();
  const inBody = (body: tensorflow.INodeDef[], name: string): tensorflow.INodeDef => {
    let m = bodyNodes.get(body);
    if (!m) bodyNodes.set(body, (m = new Map(body.map((n) => [n.name ?? '', n]))));
    return m.get(name)!;
  };
  for (const r of fz.reads) {
    if (fz.written.has(r.variable) || fz.mutable.has(r.variable)) continue;
    const body = fz.readBodies.get(r.name);
    const nd = body ? inBody(body, r.name) : byName.get(r.name)!;
    let c = variableConst(fz, r.variable);
    if (body) {
      // a function body sees only its own nodes: its own constant (weights are shared by name)
      const local = fz.allocate(`${r.name}/value`, false);
      fz.constants.set(local, fz.constants.get(c)!);
      body.push({ name: local, op: 'Const', input: [], attr: { dtype: { type: fz.constants.get(c)!.dtype } } });
      c = local;
    } else {
      fz.foldedReads.add(r.name);
    }
    fz.hostNodes.delete(r.name);
    nd.op = 'Identity';
    nd.input = [c, ...r.deps.map((d) => `^${d}`)]; // Identity reads input 0 only; control inputs order it
    nd.attr = { T: { type: fz.constants.get(c)?.dtype ?? 0 } };
  }
}
