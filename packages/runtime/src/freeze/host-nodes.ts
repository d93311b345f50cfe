// Ops run on the host (host-ops.ts): emitted as `_SmjsHost` nodes, their resource input (a variable
// or table) bound by name, the rest data.
import { tensorflow } from '@savedmodel-js/core';
import { HOST_OP, type HostNode } from '../host-ops.js';
import { controlDeps } from './control-deps.js';
import type { Freezer } from './freezer.js';
import { WRITE_OPS, type NodeOut, type Scope, type Step } from './model.js';
import { emitRead, isVariable } from './variable-reads.js';

export function emitHost(fz: Freezer, name: string, host: HostNode, data: string[], deps: string[]): void {
  fz.hostNodes.set(name, host);
  fz.emit({ name, op: HOST_OP, input: [...data, ...deps], attr: { program: { i: 0 } } });
}

/** An op run on the host (host-ops.ts): its resource input (variable, table) bound by name, the rest data. */
export function* hostOp(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[], op = node.op ?? ''): Step<NodeOut> {
  const where = `node ${scope.prefix}${node.name} in ${scope.where}`;
  let resource: string | undefined;
  const data: string[] = [];
  for (const r of inputs) {
    const v = yield* fz.resolve(scope, r);
    if (v.t === 'tensor') { data.push(v.ref); continue; }
    if (resource !== undefined || data.length > 0) fz.fail('UNSUPPORTED', `op ${op} (${where}) takes a resource as other than its first input`);
    resource = v.node;
  }
  const deps = yield* controlDeps(fz, scope, node);
  if (op === 'ReadVariableOp') {
    if (resource === undefined || !isVariable(fz, resource)) fz.fail('UNSUPPORTED', `ReadVariableOp ${scope.prefix}${node.name} in ${scope.where} reads a resource that is not a saved variable`);
    return { kind: 'emitted', name: emitRead(fz, scope, node.name ?? '', resource, deps, true) };
  }
  if (WRITE_OPS.has(op)) {
    if (resource === undefined || !isVariable(fz, resource)) fz.fail('UNSUPPORTED', `op ${op} (${where}) assigns something that is not a variable`);
    fz.written.add(resource);
  }
  const name = fz.allocate(scope.prefix + (node.name ?? ''), scope.kind === 'graph');
  const host: HostNode = { op, def: node, nData: data.length, where };
  if (resource !== undefined) host.resource = resource;
  emitHost(fz, name, host, data, deps);
  return { kind: 'emitted', name };
}
