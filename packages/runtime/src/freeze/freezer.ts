// The Freezer: state of one freezing pass and its core — the explicit-stack driver and tensor
// reference resolution. The concepts around it live beside it: emit-node (one NodeDef at a time,
// by op family), signature-io (feeds, fetches, init targets), inline-calls, functional (While / If),
// control-deps, host-nodes, variable-reads, graph-passes (ordering and pruning at the end).
import { getOpDef, MemoryBudget, SavedModelError, tensorflow, type CheckpointReader, type Limits } from '@savedmodel-js/core';
import { attrKindProblem, sharedAttrDefaults, toNumber } from '@savedmodel-js/core/internal';
import { lowerCaseOps } from '../case-lowering.js';
import type { HostNode } from '../host-ops.js';
import type { HostTensor } from '../host-tensor.js';
import { CALL_OPS, type VariableKeys } from '../variables.js';
import { dropUnreadTransposes } from './channels-last.js';
import { emitNode } from './emit-node.js';
import { checkLoops, ordered, pruneControlDeps } from './graph-passes.js';
import { resolveArg } from './inline-calls.js';
import { newScope, type Frame, type FreezeOptions, type FrozenGraph, type FrozenTensorInfo, type FrozenVariable, type NodeOut, type Req, type Scope, type Step, type Val } from './model.js';
import { emitRead, foldReads } from './variable-reads.js';

export class Freezer {
  readonly fns = new Map<string, tensorflow.IFunctionDef>();
  readonly used = new Set<string>();
  readonly nextSuffix = new Map<string, number>();
  out: tensorflow.INodeDef[] = [];
  /** Functions that functional control flow calls, frozen for the executor's library (by memo key). */
  readonly frozenFns = new Map<string, tensorflow.IFunctionDef>();
  /** Where each emitted read lives: undefined = the top-level graph, else a frozen function's body. */
  readonly readBodies = new Map<string, tensorflow.INodeDef[]>();
  readonly constants = new Map<string, HostTensor>();
  readonly varConsts = new Map<string, string>();
  readonly variables: FrozenVariable[] = [];
  readonly feeds = new Map<string, string>();
  readonly constFeeds: Map<string, HostTensor>;
  readonly checkedInt64: boolean;
  readonly hostNodes = new Map<string, HostNode>();
  readonly reads: Array<{ name: string; variable: string; deps: string[] }> = [];
  /** Top-level reads folded into an Identity of their variable's Const (bypassed once control deps are pruned). */
  readonly foldedReads = new Set<string>();
  readonly written = new Set<string>();
  readonly mutable: Set<string>;
  /** Control dependencies that no data edge carries (calls without arguments): every fetch waits for them. */
  readonly pendingDeps: string[] = [];
  readonly top: Scope;
  readonly limits: Limits;
  nameChars = 0;
  fnDepth = 0;
  constructor(
    readonly mg: tensorflow.IMetaGraphDef,
    readonly checkpoint: CheckpointReader | undefined,
    readonly keys: VariableKeys,
    readonly signatureKey: string,
    readonly budget: MemoryBudget,
    options: FreezeOptions = {},
  ) {
    this.limits = budget.limits;
    this.constFeeds = options.constFeeds ?? new Map();
    this.checkedInt64 = options.checkedInt64 ?? true;
    this.mutable = new Set(options.mutableVariables ?? []);
    // Case / StatelessCase have no tfjs kernel: lowered to If chains first (case-lowering.ts)
    const lowered = lowerCaseOps(mg.graph_def?.node ?? [], mg.graph_def?.library?.function ?? []);
    for (const f of lowered.functions) this.fns.set(f.signature?.name ?? '', f);
    const nodes = new Map<string, tensorflow.INodeDef>();
    for (const n of lowered.nodes) nodes.set(n.name ?? '', n);
    this.top = newScope('graph', '', nodes, 'the top-level graph');
  }

  fail(code: 'INVALID_GRAPH' | 'UNSUPPORTED' | 'NOT_FOUND' | 'LIMIT_EXCEEDED', msg: string): never {
    throw new SavedModelError(code, `signature '${this.signatureKey}': ${msg}`, { key: this.signatureKey });
  }

  /** A fresh node name: the preferred one if free, else `<preferred>_<n>`. */
  allocate(preferred: string, ownsReserved: boolean): string {
    // the top-level graph's own node names are reserved for the nodes they name
    const free = (n: string) => !this.used.has(n) && (ownsReserved ? true : !this.top.nodes.has(n));
    let name = preferred;
    let i = this.nextSuffix.get(preferred) ?? 1;
    while (!free(name)) name = `${preferred}_${i++}`;
    this.nextSuffix.set(preferred, i);
    this.used.add(name);
    return name;
  }

  emit(node: tensorflow.INodeDef): void {
    if (this.out.length >= this.limits.maxNodes) {
      this.fail('LIMIT_EXCEEDED', `the frozen graph grows past ${this.limits.maxNodes} nodes (limits.maxNodes) at ${node.name}`);
    }
    // Names inside nested calls carry their call path: their total size is nodes × depth.
    this.nameChars += (node.name ?? '').length;
    if (this.nameChars * 2 > this.limits.maxTensorBytes) {
      this.fail('LIMIT_EXCEEDED', `the frozen graph's node names need over ${this.limits.maxTensorBytes} bytes (limits.maxTensorBytes; calls nested too deep?)`);
    }
    this.out.push(node);
  }

  // ---- the explicit-stack driver ----

  /** Run a resolution step to completion; every nested need is a frame on one heap stack. */
  drive<T>(root: Step<T>): T {
    const stack: Frame[] = [{ gen: root }];
    let input: unknown;
    for (;;) {
      const f = stack[stack.length - 1]!;
      const r = f.gen.next(input);
      input = undefined;
      if (r.done) {
        stack.pop();
        f.done?.(r.value);
        if (stack.length === 0) return r.value as T;
        input = r.value;
        continue;
      }
      const req = r.value;
      const have = this.answer(req);
      if (have !== undefined) input = have;
      else stack.push(this.frameFor(req));
    }
  }

  /** A request answered from what is known already (undefined: it needs a frame); cycles fail here. */
  answer(req: Req): NodeOut | Val | undefined {
    switch (req.t) {
      case 'node': {
        const { scope, node } = req;
        const name = node.name ?? '';
        const have = scope.cache.get(name);
        if (have) return have;
        if (!scope.busy.has(name)) return undefined;
        if (node.op === 'Identity') {
          // Reached again through a loop: name it now, emit it when its input is known.
          const promised = this.allocate(scope.prefix + name, scope.kind === 'graph');
          scope.promised.set(name, promised);
          const out: NodeOut = { kind: 'emitted', name: promised };
          scope.cache.set(name, out);
          return out;
        }
        return this.fail('INVALID_GRAPH', `cycle: node ${scope.prefix}${name} (${node.op}) in ${scope.where} depends on its own output`);
      }
      case 'arg': {
        const { scope, name } = req;
        const have = scope.argVals.get(name);
        if (have) return have;
        if (scope.busy.has(`\0arg:${name}`)) this.fail('INVALID_GRAPH', `cycle: argument '${name}' of ${scope.where} depends on the call's own output`);
        return undefined;
      }
      case 'callOut': {
        const { call, i } = req;
        const have = call.vals[i];
        if (have) return have;
        if (call.busy[i]) this.fail('INVALID_GRAPH', `cycle: output ${i} of call ${call.where} depends on itself`);
        return undefined;
      }
    }
  }

  frameFor(req: Req): Frame {
    switch (req.t) {
      case 'node': {
        const { scope, node } = req;
        const name = node.name ?? '';
        scope.busy.add(name);
        return {
          gen: emitNode(this, scope, node),
          done: (v) => { scope.busy.delete(name); scope.cache.set(name, v as NodeOut); },
        };
      }
      case 'arg': {
        const { scope, name } = req;
        const key = `\0arg:${name}`;
        scope.busy.add(key);
        const ref = scope.callInputs![scope.args!.get(name)!] ?? '';
        return {
          gen: resolveArg(this, scope, ref),
          done: (v) => { scope.busy.delete(key); scope.argVals.set(name, v as Val); },
        };
      }
      case 'callOut': {
        const { call, i } = req;
        const ret = call.rets[i];
        if (ret === undefined) this.fail('INVALID_GRAPH', `function ${call.fname} has no ret for output ${i}`);
        call.busy[i] = true;
        return {
          gen: this.resolve(call.child, ret),
          done: (v) => { call.busy[i] = false; call.vals[i] = v as Val; },
        };
      }
    }
  }

  *need(scope: Scope, node: tensorflow.INodeDef): Step<NodeOut> {
    return (yield { t: 'node', scope, node }) as NodeOut;
  }

  result(methodName: string, inputs: FrozenTensorInfo[], outputs: FrozenTensorInfo[]): FrozenGraph {
    return {
      signatureKey: this.signatureKey,
      methodName,
      nodes: this.out,
      constants: this.constants,
      inputs,
      outputs,
      variables: this.variables,
      producer: toNumber(this.mg.graph_def?.versions?.producer),
      hostNodes: this.hostNodes,
      writtenVariables: [...this.written].sort(),
      functions: [...this.frozenFns.values()],
    };
  }

  parseGraphRef(ref: string): [string, number] {
    const i = ref.lastIndexOf(':');
    if (i < 0) return [ref, 0];
    const idx = Number(ref.slice(i + 1));
    if (!Number.isInteger(idx) || idx < 0) this.fail('INVALID_GRAPH', `bad tensor reference '${ref}'`);
    return [ref.slice(0, i), idx];
  }

  /** Flat output index of `node:outArg:i` (a FunctionDef-style reference). */
  flatIndex(scope: Scope, node: tensorflow.INodeDef, outArg: string, i: number): number {
    const op = node.op ?? '';
    if (CALL_OPS.has(op) && outArg === 'output') return i;
    const f = this.fns.get(op);
    if (f) {
      const k = (f.signature?.output_arg ?? []).findIndex((a) => a.name === outArg);
      if (k < 0) this.fail('INVALID_GRAPH', `${node.name} in ${scope.where}: function ${op} has no output '${outArg}'`);
      // a function's outputs are single tensors: '<out>:1' would alias the next one
      if (i !== 0) this.fail('INVALID_GRAPH', `${node.name} in ${scope.where}: function ${op}'s output '${outArg}' has no element ${i}`);
      return k;
    }
    const def = getOpDef(op);
    if (!def) this.fail('UNSUPPORTED', `op ${op} (node ${node.name} in ${scope.where}) is not in the op registry, so its output '${outArg}' cannot be placed`);
    let base = 0;
    for (const a of def.output_arg ?? []) {
      const n = this.argCount(node, def, a);
      if (a.name === outArg) {
        if (i >= n) this.fail('INVALID_GRAPH', `${node.name} in ${scope.where}: output '${outArg}' of op ${op} has ${n} tensor${n === 1 ? '' : 's'}, not an element ${i}`);
        return base + i;
      }
      base += n;
    }
    return this.fail('INVALID_GRAPH', `${node.name} in ${scope.where}: op ${op} has no output '${outArg}'`);
  }

  argCount(node: tensorflow.INodeDef, def: tensorflow.IOpDef, a: tensorflow.OpDef.IArgDef): number {
    const attrOf = (name: string): tensorflow.IAttrValue | undefined =>
      node.attr?.[name] ?? (def.attr ?? []).find((x) => x.name === name)?.default_value ?? undefined;
    if (a.number_attr) return toNumber(attrOf(a.number_attr)?.i);
    if (a.type_list_attr) return attrOf(a.type_list_attr)?.list?.type?.length ?? 0;
    return 1;
  }

  /** The value of tensor reference `ref` in `scope` (graph style "n:1" or function style "n:out:0" / "arg"). */
  *resolve(scope: Scope, ref: string): Step<Val> {
    if (ref.startsWith('^')) this.fail('INVALID_GRAPH', `control input '${ref}' used as data in ${scope.where}`);
    if (scope.kind === 'graph') {
      const [name, idx] = this.parseGraphRef(ref);
      const fed = this.feeds.get(`${name}:${idx}`);
      if (fed !== undefined) return { t: 'tensor', ref: fed };
      const value = this.constFeeds.get(`${name}:${idx}`);
      if (value) {
        const c = this.allocate(`${name}/fed_${idx}`, false);
        this.addConst(c, value);
        this.feeds.set(`${name}:${idx}`, c);
        return { t: 'tensor', ref: c };
      }
      const node = scope.nodes.get(name);
      if (!node) this.fail('INVALID_GRAPH', `${scope.where} has no node '${name}' (needed for ${ref})`);
      return yield* this.outputOf(scope, name, yield* this.need(scope, node), idx);
    }
    // "arg", "node:i" or "node:outArg:i" (parts past a third are ignored), without split(): this
    // runs for every input of every node inlined
    const c1 = ref.indexOf(':');
    if (c1 < 0) {
      if (!scope.args?.has(ref)) this.fail('INVALID_GRAPH', `${scope.where} has no argument or node output '${ref}'`);
      return (yield { t: 'arg', scope, name: ref }) as Val;
    }
    const nodeName = ref.slice(0, c1);
    const node = scope.nodes.get(nodeName);
    if (!node) this.fail('INVALID_GRAPH', `${scope.where} references missing node '${nodeName}' (${ref})`);
    const c2 = ref.indexOf(':', c1 + 1);
    let idx: number;
    if (c2 < 0) idx = Number(ref.slice(c1 + 1));
    else {
      const c3 = ref.indexOf(':', c2 + 1);
      idx = this.flatIndex(scope, node, ref.slice(c1 + 1, c2), Number(c3 < 0 ? ref.slice(c2 + 1) : ref.slice(c2 + 1, c3)));
    }
    if (!Number.isInteger(idx) || idx < 0) this.fail('INVALID_GRAPH', `bad tensor reference '${ref}' in ${scope.where}`);
    return yield* this.outputOf(scope, nodeName, yield* this.need(scope, node), idx);
  }

  /** Outputs of `node` by its op's registry entry; undefined for an op the registry lacks. */
  outputCount(node: tensorflow.INodeDef): number | undefined {
    const def = getOpDef(node.op ?? '');
    if (!def) return undefined;
    let n = 0;
    for (const a of def.output_arg ?? []) n += this.argCount(node, def, a);
    return n;
  }

  *outputOf(scope: Scope, name: string, out: NodeOut, idx: number): Step<Val> {
    switch (out.kind) {
      case 'emitted': {
        // an index past the op's outputs (a damaged file) would reach the executor as a dangling input
        const node = scope.nodes.get(name);
        const n = node && this.outputCount(node);
        if (n !== undefined && idx >= n) this.fail('INVALID_GRAPH', `${name} in ${scope.where} (op ${node!.op}) has ${n} output${n === 1 ? '' : 's'}, not an output ${idx}`);
        return { t: 'tensor', ref: idx === 0 ? out.name : `${out.name}:${idx}` };
      }
      case 'call':
        if (idx >= out.rets.length) this.fail('INVALID_GRAPH', `call ${out.where} has no output ${idx} (${out.fname} has ${out.rets.length})`);
        return (yield { t: 'callOut', call: out, i: idx }) as Val;
      case 'values': {
        const v = out.vals[idx];
        if (!v) this.fail('INVALID_GRAPH', `${name} in ${scope.where} has no output ${idx}`);
        return v;
      }
    }
  }

  *resolveTensor(scope: Scope, node: tensorflow.INodeDef, ref: string): Step<string> {
    const v = yield* this.resolve(scope, ref);
    if (v.t === 'var' && v.ref) return emitRead(this, scope, `${node.name}/read`, v.node, []); // TF1 refs are read by use
    if (v.t !== 'tensor') {
      this.fail('UNSUPPORTED', `op ${node.op} (node ${scope.prefix}${node.name} in ${scope.where}) uses ${v.t === 'var' ? 'variable' : 'resource'} ${v.node} as a resource; TensorFlow.js has no kernel for it`);
    }
    return v.ref;
  }

  /**
   * The node's attrs without `_` ones, each default the node leaves out added (as
   * addNodeDefaultAttrs, but shared: a copy per node was ~10 ms and thousands of objects on a
   * 2,000-layer load, and nothing downstream writes into an AttrValue).
   */
  copyAttrs(node: tensorflow.INodeDef): Record<string, tensorflow.IAttrValue> {
    const attr: Record<string, tensorflow.IAttrValue> = {};
    const own = node.attr;
    if (own) for (const k in own) { const v = own[k]; if (v && k.charCodeAt(0) !== 95 /* _ */) attr[k] = v; }
    const def = getOpDef(node.op ?? '');
    if (!def) return attr;
    // a value of the wrong kind (an int where list(int) belongs) reaches tfjs-converter's op
    // mapper as a TypeError, or as a wrong default: refused as TensorFlow refuses it
    for (const a of def.attr ?? []) {
      const v = own?.[a.name ?? ''];
      if (!v) continue;
      const bad = attrKindProblem(a, v, true);
      if (bad !== undefined) this.fail('INVALID_GRAPH', `node ${node.name} (op ${node.op}): ${bad}`);
    }
    for (const [name, value] of sharedAttrDefaults(def)) if (!Object.prototype.hasOwnProperty.call(attr, name)) attr[name] = value;
    return attr;
  }

  /** The values of the int32 / int64 constant a frozen reference names (its output 0; int64 as bigint), or undefined. */
  constInts(ref: string): (number | bigint)[] | undefined {
    const [name, idx] = this.parseGraphRef(ref);
    const c = idx === 0 ? this.constants.get(name) : undefined;
    if (!c || !(c.values instanceof Int32Array || c.values instanceof BigInt64Array)) return undefined;
    return Array.from(c.values as ArrayLike<number | bigint>);
  }

  addConst(name: string, value: HostTensor): void {
    this.constants.set(name, value);
    this.emit({ name, op: 'Const', input: [], attr: { dtype: { type: value.dtype } } });
  }

  finish(methodName: string, inputs: FrozenTensorInfo[], outputs: FrozenTensorInfo[]): FrozenGraph {
    foldReads(this);
    const g = this.result(methodName, inputs, outputs);
    checkLoops(this);
    g.nodes = ordered(this);
    g.nodes = pruneControlDeps(this, g.nodes, g.outputs);
    g.nodes = dropUnreadTransposes(this, g.nodes, g.outputs);
    return g;
  }
}
