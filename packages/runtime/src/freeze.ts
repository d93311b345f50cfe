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
//  - While / If / Case keep their functions: frozen the same way into FrozenGraph.functions
//    (graph-style references), which tfjs-converter's executor runs from the library;
//  - variables become Consts holding their checkpoint value: a top-level VarHandleOp (TF2,
//    reached through DT_RESOURCE function arguments) read by ReadVariableOp, or a TF1
//    VariableV2 read through Identity; checkpoint keys come from variables.ts;
//  - the tensors fed by the signature's inputs become Placeholders (TF1 signatures may feed an
//    intermediate tensor such as `x:0` = Identity(ParseExample)); what they replace is pruned.
//
// The result is TensorFlow-dtype, TensorFlow-op data; tfjs-model.ts turns it into a GraphModel.
import { MemoryBudget, SavedModelError, addNodeDefaultAttrs, getOpDef, tensorflow, type CheckpointReader, type Limits } from '@savedmodel-js/core';
import { checkOptions, checkedElementCount, toNumber } from '@savedmodel-js/core/internal';
import { STRING_ELEMENT_OVERHEAD, decodeTensorProto, dtypeName, shapeOf, type HostTensor } from './host-tensor.js';
import { checkInlineBudget } from './inline-budget.js';
import { HOST_OP, hasHostOp, type HostNode } from './host-ops.js';
import { CALL_OPS, dataInputs, resolveVariableKeys, type VariableKeySource, type VariableKeys } from './variables.js';

const DT = tensorflow.DataType;

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
}

/** A tensor, a variable (`ref`: a TF1 VariableV2, read by using it), or another resource (table). */
type Val = { t: 'tensor'; ref: string } | { t: 'var'; node: string; ref?: boolean } | { t: 'res'; node: string };

/** Functional control flow: tfjs-converter's executor runs their functions from the graph's library. */
const FUNCTIONAL_OPS = new Set(['While', 'StatelessWhile', 'If', 'StatelessIf', 'Case', 'StatelessCase']);
/** Ops that create a table resource in the top-level graph. */
const TABLE_OPS = new Set(['HashTableV2', 'HashTable', 'MutableHashTableV2', 'MutableHashTable']);
/** Host ops that write the variable they are given. */
const WRITE_OPS = new Set(['Assign', 'AssignAdd', 'AssignSub', 'AssignVariableOp', 'AssignAddVariableOp', 'AssignSubVariableOp']);

interface CallOut {
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

type NodeOut =
  | { kind: 'emitted'; name: string }
  | { kind: 'values'; vals: Val[] }
  | CallOut;

interface Scope {
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
type Req =
  | { t: 'node'; scope: Scope; node: tensorflow.INodeDef }
  | { t: 'arg'; scope: Scope; name: string }
  | { t: 'callOut'; call: CallOut; i: number };

type Step<T> = Generator<Req, T, unknown>;

interface Frame {
  gen: Step<unknown>;
  done?: (v: unknown) => void;
}

/** A TF1 while loop's back edge: Merge reading NextIteration (the only cycles TF allows). */
const LOOP_MERGE = new Set(['Merge', 'RefMerge']);
const LOOP_BACK_EDGE = new Set(['NextIteration', 'RefNextIteration']);

function newScope(kind: Scope['kind'], prefix: string, nodes: Map<string, tensorflow.INodeDef>, where: string): Scope {
  return { kind, prefix, nodes, argVals: new Map(), cache: new Map(), busy: new Set(), promised: new Map(), where };
}

function funcAttrNames(node: tensorflow.INodeDef): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(node.attr ?? {})) {
    if (v?.func || (v?.list?.func && v.list.func.length > 0)) out.push(k);
  }
  return out;
}

class Freezer {
  private readonly fns = new Map<string, tensorflow.IFunctionDef>();
  private readonly used = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();
  private readonly reserved = new Set<string>();
  private out: tensorflow.INodeDef[] = [];
  /** Functions that functional control flow calls, frozen for the executor's library (by memo key). */
  private readonly frozenFns = new Map<string, tensorflow.IFunctionDef>();
  /** Where each emitted read lives: undefined = the top-level graph, else a frozen function's body. */
  private readonly readBodies = new Map<string, tensorflow.INodeDef[]>();
  private readonly constants = new Map<string, HostTensor>();
  private readonly varConsts = new Map<string, string>();
  private readonly variables: FrozenVariable[] = [];
  private readonly feeds = new Map<string, string>();
  private readonly constFeeds: Map<string, HostTensor>;
  private readonly hostNodes = new Map<string, HostNode>();
  private readonly reads: Array<{ name: string; variable: string; deps: string[] }> = [];
  private readonly written = new Set<string>();
  private readonly mutable: Set<string>;
  /** Control dependencies that no data edge carries (calls without arguments): every fetch waits for them. */
  private readonly pendingDeps: string[] = [];
  private readonly top: Scope;
  private readonly limits: Limits;
  private nameChars = 0;

  constructor(
    private readonly mg: tensorflow.IMetaGraphDef,
    private readonly checkpoint: CheckpointReader | undefined,
    private readonly keys: VariableKeys,
    private readonly signatureKey: string,
    private readonly budget: MemoryBudget,
    options: FreezeOptions = {},
  ) {
    this.limits = budget.limits;
    this.constFeeds = options.constFeeds ?? new Map();
    this.mutable = new Set(options.mutableVariables ?? []);
    for (const f of mg.graph_def?.library?.function ?? []) this.fns.set(f.signature?.name ?? '', f);
    const nodes = new Map<string, tensorflow.INodeDef>();
    for (const n of mg.graph_def?.node ?? []) {
      nodes.set(n.name ?? '', n);
      this.reserved.add(n.name ?? '');
    }
    this.top = newScope('graph', '', nodes, 'the top-level graph');
  }

  private fail(code: 'INVALID_GRAPH' | 'UNSUPPORTED' | 'NOT_FOUND' | 'LIMIT_EXCEEDED', msg: string): never {
    throw new SavedModelError(code, `signature '${this.signatureKey}': ${msg}`, { key: this.signatureKey });
  }

  /** A fresh node name: the preferred one if free, else `<preferred>_<n>`. */
  private allocate(preferred: string, ownsReserved: boolean): string {
    const free = (n: string) => !this.used.has(n) && (ownsReserved ? true : !this.reserved.has(n));
    let name = preferred;
    let i = this.nextSuffix.get(preferred) ?? 1;
    while (!free(name)) name = `${preferred}_${i++}`;
    this.nextSuffix.set(preferred, i);
    this.used.add(name);
    return name;
  }

  private emit(node: tensorflow.INodeDef): void {
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
  private drive<T>(root: Step<T>): T {
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
  private answer(req: Req): NodeOut | Val | undefined {
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

  private frameFor(req: Req): Frame {
    switch (req.t) {
      case 'node': {
        const { scope, node } = req;
        const name = node.name ?? '';
        scope.busy.add(name);
        return {
          gen: this.emitNode(scope, node),
          done: (v) => { scope.busy.delete(name); scope.cache.set(name, v as NodeOut); },
        };
      }
      case 'arg': {
        const { scope, name } = req;
        const key = `\0arg:${name}`;
        scope.busy.add(key);
        const ref = scope.callInputs![scope.args!.get(name)!] ?? '';
        return {
          gen: this.resolveArg(scope, ref),
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

  private *need(scope: Scope, node: tensorflow.INodeDef): Step<NodeOut> {
    return (yield { t: 'node', scope, node }) as NodeOut;
  }

  /** A call argument, once the call's control inputs have run. */
  private *resolveArg(scope: Scope, ref: string): Step<Val> {
    const v = yield* this.resolve(scope.parent!, ref);
    if (v.t !== 'tensor') return v;
    if (!scope.callDeps) scope.callDeps = yield* this.controlDeps(scope.parent!, scope.callNode!);
    return { t: 'tensor', ref: this.after(v.ref, scope.callDeps, `${scope.prefix}arg`) };
  }

  // ---- signature inputs and outputs ----

  addFeed(key: string, info: tensorflow.ITensorInfo): FrozenTensorInfo {
    const tensorName = info.name ?? '';
    if (!info.name || info.coo_sparse || info.composite_tensor) {
      this.fail('UNSUPPORTED', `input '${key}' is not a dense tensor`);
    }
    const [nodeName, idx] = this.parseGraphRef(tensorName);
    if (!this.top.nodes.has(nodeName)) this.fail('INVALID_GRAPH', `input '${key}' names tensor ${tensorName}, but the graph has no node ${nodeName}`);
    const canonical = `${nodeName}:${idx}`;
    if (this.feeds.has(canonical)) this.fail('INVALID_GRAPH', `inputs feed the same tensor ${tensorName} twice`);
    const dtype = info.dtype ?? 0;
    const shape = shapeOf(info.tensor_shape);
    const name = this.allocate(idx === 0 ? nodeName : `${nodeName}_${idx}`, idx === 0);
    const attr: Record<string, tensorflow.IAttrValue> = { dtype: { type: dtype } };
    if (shape) attr.shape = { shape: { dim: shape.map((d) => ({ size: d })) } };
    this.emit({ name, op: 'Placeholder', input: [], attr });
    this.feeds.set(canonical, name);
    return { key, tensorName, node: name, dtype, shape };
  }

  addFetch(key: string, info: tensorflow.ITensorInfo): FrozenTensorInfo {
    const tensorName = info.name ?? '';
    if (!info.name || info.coo_sparse || info.composite_tensor) this.fail('UNSUPPORTED', `output '${key}' is not a dense tensor`);
    const v = this.drive(this.resolve(this.top, tensorName));
    let ref: string;
    if (v.t === 'var' && v.ref) ref = this.emitRead(this.top, tensorName, v.node, []);
    else if (v.t !== 'tensor') this.fail('UNSUPPORTED', `output '${key}' (${tensorName}) is a resource handle`);
    else ref = v.ref;
    const dtype = info.dtype ?? 0;
    const name = this.allocate(`${this.signatureKey}/output/${key}`, false);
    this.emit({ name, op: 'Identity', input: [this.after(ref, this.pendingDeps, name)], attr: { T: { type: dtype } } });
    return { key, tensorName, node: name, dtype, shape: shapeOf(info.tensor_shape) };
  }

  private result(methodName: string, inputs: FrozenTensorInfo[], outputs: FrozenTensorInfo[]): FrozenGraph {
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

  private parseGraphRef(ref: string): [string, number] {
    const i = ref.lastIndexOf(':');
    if (i < 0) return [ref, 0];
    const idx = Number(ref.slice(i + 1));
    if (!Number.isInteger(idx) || idx < 0) this.fail('INVALID_GRAPH', `bad tensor reference '${ref}'`);
    return [ref.slice(0, i), idx];
  }

  /** Flat output index of `node:outArg:i` (a FunctionDef-style reference). */
  private flatIndex(scope: Scope, node: tensorflow.INodeDef, outArg: string, i: number): number {
    const op = node.op ?? '';
    if (CALL_OPS.has(op) && outArg === 'output') return i;
    const f = this.fns.get(op);
    if (f) {
      const k = (f.signature?.output_arg ?? []).findIndex((a) => a.name === outArg);
      if (k < 0) this.fail('INVALID_GRAPH', `${node.name} in ${scope.where}: function ${op} has no output '${outArg}'`);
      return k + i;
    }
    const def = getOpDef(op);
    if (!def) this.fail('UNSUPPORTED', `op ${op} (node ${node.name} in ${scope.where}) is not in the op registry, so its output '${outArg}' cannot be placed`);
    let base = 0;
    for (const a of def.output_arg ?? []) {
      if (a.name === outArg) return base + i;
      base += this.argCount(node, def, a);
    }
    return this.fail('INVALID_GRAPH', `${node.name} in ${scope.where}: op ${op} has no output '${outArg}'`);
  }

  private argCount(node: tensorflow.INodeDef, def: tensorflow.IOpDef, a: tensorflow.OpDef.IArgDef): number {
    const attrOf = (name: string): tensorflow.IAttrValue | undefined =>
      node.attr?.[name] ?? (def.attr ?? []).find((x) => x.name === name)?.default_value ?? undefined;
    if (a.number_attr) return toNumber(attrOf(a.number_attr)?.i);
    if (a.type_list_attr) return attrOf(a.type_list_attr)?.list?.type?.length ?? 0;
    return 1;
  }

  /** The value of tensor reference `ref` in `scope` (graph style "n:1" or function style "n:out:0" / "arg"). */
  private *resolve(scope: Scope, ref: string): Step<Val> {
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
    const parts = ref.split(':');
    if (parts.length === 1) {
      if (!scope.args?.has(ref)) this.fail('INVALID_GRAPH', `${scope.where} has no argument or node output '${ref}'`);
      return (yield { t: 'arg', scope, name: ref }) as Val;
    }
    const nodeName = parts[0] ?? '';
    const node = scope.nodes.get(nodeName);
    if (!node) this.fail('INVALID_GRAPH', `${scope.where} references missing node '${nodeName}' (${ref})`);
    let idx: number;
    if (parts.length === 2) idx = Number(parts[1]);
    else idx = this.flatIndex(scope, node, parts[1] ?? '', Number(parts[2]));
    if (!Number.isInteger(idx) || idx < 0) this.fail('INVALID_GRAPH', `bad tensor reference '${ref}' in ${scope.where}`);
    return yield* this.outputOf(scope, nodeName, yield* this.need(scope, node), idx);
  }

  private *outputOf(scope: Scope, name: string, out: NodeOut, idx: number): Step<Val> {
    switch (out.kind) {
      case 'emitted': return { t: 'tensor', ref: idx === 0 ? out.name : `${out.name}:${idx}` };
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

  private *resolveTensor(scope: Scope, node: tensorflow.INodeDef, ref: string): Step<string> {
    const v = yield* this.resolve(scope, ref);
    if (v.t === 'var' && v.ref) return this.emitRead(scope, `${node.name}/read`, v.node, []); // TF1 refs are read by use
    if (v.t !== 'tensor') {
      this.fail('UNSUPPORTED', `op ${node.op} (node ${scope.prefix}${node.name} in ${scope.where}) uses ${v.t === 'var' ? 'variable' : 'resource'} ${v.node} as a resource; TensorFlow.js has no kernel for it`);
    }
    return v.ref;
  }

  // ---- control dependencies and host ops ----

  /** Frozen names a control input `^name` of `scope` stands for (NoOps flattened, constants left out). */
  private *controlTargets(scope: Scope, name: string): Step<string[]> {
    const node = scope.nodes.get(name);
    if (!node) this.fail('INVALID_GRAPH', `${scope.where} has a control input on missing node '${name}'`);
    if (node.op === 'NoOp') {
      const key = `^${name}`;
      const have = scope.cache.get(key);
      if (have?.kind === 'values') return have.vals.map((v) => (v as { ref: string }).ref);
      scope.cache.set(key, { kind: 'values', vals: [] }); // a cycle through NoOps ends here
      const out: string[] = [];
      for (const i of node.input ?? []) if (i.startsWith('^')) out.push(...(yield* this.controlTargets(scope, i.slice(1))));
      const uniq = [...new Set(out)];
      scope.cache.set(key, { kind: 'values', vals: uniq.map((ref) => ({ t: 'tensor', ref })) });
      return uniq;
    }
    if (scope.kind === 'graph') {
      // A control dependency on a fed tensor's node (e.g. `^input` on the signature's Placeholder) is the feed
      const fed = [...this.feeds.entries()].filter(([k]) => k.slice(0, k.lastIndexOf(':')) === name).map(([, v]) => v.split(':')[0]!);
      if (fed.length > 0) return fed.filter((n) => !this.constants.has(n));
    }
    const out = yield* this.need(scope, node);
    const notConst = (ref: string): string[] => {
      const n = ref.split(':')[0]!;
      return this.constants.has(n) ? [] : [n];
    };
    switch (out.kind) {
      case 'emitted': return notConst(out.name);
      case 'values': return out.vals.flatMap((v) => (v.t === 'tensor' ? notConst(v.ref) : []));
      case 'call': {
        const deps: string[] = [];
        for (const n of out.controlRets) deps.push(...(yield* this.controlTargets(out.child, n)));
        for (let i = 0; i < out.rets.length; i++) {
          const v = (yield { t: 'callOut', call: out, i }) as Val;
          if (v.t === 'tensor') deps.push(...notConst(v.ref));
        }
        return [...new Set(deps)];
      }
    }
  }

  private *controlDeps(scope: Scope, node: tensorflow.INodeDef): Step<string[]> {
    const deps: string[] = [];
    for (const i of node.input ?? []) if (i.startsWith('^')) deps.push(...(yield* this.controlTargets(scope, i.slice(1))));
    return [...new Set(deps)];
  }

  /** `ref`, once `deps` have run: an After host node when there are any. */
  private after(ref: string, deps: string[], near: string): string {
    if (deps.length === 0) return ref;
    const name = this.allocate(`${near}/after`, false);
    this.emitHost(name, { op: 'After', def: { name, op: 'After' }, nData: 1, where: near }, [ref], deps);
    return name;
  }

  private emitHost(name: string, host: HostNode, data: string[], deps: string[]): void {
    this.hostNodes.set(name, host);
    this.emit({ name, op: HOST_OP, input: [...data, ...deps], attr: { program: { i: 0 } } });
  }

  /** A read of `variable`: its frozen checkpoint value unless something assigns it (decided in finish()). */
  private emitRead(scope: Scope, at: string, variable: string, deps: string[], ownName = false): string {
    const name = this.allocate(`${scope.prefix}${at}`, scope.kind === 'graph' && ownName);
    const op = this.top.nodes.get(variable)?.op === 'VarHandleOp' ? 'ReadVariableOp' : 'RefRead';
    this.emitHost(name, { op, def: { name: at, op }, resource: variable, nData: 0, where: `node ${scope.prefix}${at} in ${scope.where}` }, [], deps);
    this.reads.push({ name, variable, deps });
    if (this.fnDepth > 0) this.readBodies.set(name, this.out);
    return name;
  }

  /** An op run on the host (host-ops.ts): its resource input (variable, table) bound by name, the rest data. */
  private *hostOp(scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
    const op = node.op ?? '';
    const where = `node ${scope.prefix}${node.name} in ${scope.where}`;
    let resource: string | undefined;
    const data: string[] = [];
    for (const r of inputs) {
      const v = yield* this.resolve(scope, r);
      if (v.t === 'tensor') { data.push(v.ref); continue; }
      if (resource !== undefined || data.length > 0) this.fail('UNSUPPORTED', `op ${op} (${where}) takes a resource as other than its first input`);
      resource = v.node;
    }
    const deps = yield* this.controlDeps(scope, node);
    if (op === 'ReadVariableOp') {
      if (resource === undefined || !this.isVariable(resource)) this.fail('UNSUPPORTED', `ReadVariableOp ${scope.prefix}${node.name} in ${scope.where} reads a resource that is not a saved variable`);
      return { kind: 'emitted', name: this.emitRead(scope, node.name ?? '', resource, deps, true) };
    }
    if (WRITE_OPS.has(op)) {
      if (resource === undefined || !this.isVariable(resource)) this.fail('UNSUPPORTED', `op ${op} (${where}) assigns something that is not a variable`);
      this.written.add(resource);
    }
    const name = this.allocate(scope.prefix + (node.name ?? ''), scope.kind === 'graph');
    const host: HostNode = { op, def: node, nData: data.length, where };
    if (resource !== undefined) host.resource = resource;
    this.emitHost(name, host, data, deps);
    return { kind: 'emitted', name };
  }

  private fnDepth = 0;

  /**
   * A While / If / Case node: its inputs resolved (variable handles passed in become their values),
   * its functions frozen into the library with those arguments as values, the node emitted for
   * tfjs-converter's executor, which runs the functions itself.
   */
  private *functional(scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
    const op = node.op ?? '';
    const name = node.name ?? '';
    const where = `node ${scope.prefix}${name} in ${scope.where}`;
    const data: string[] = [];
    const vars = new Map<number, string>();
    for (let i = 0; i < inputs.length; i++) {
      const v = yield* this.resolve(scope, inputs[i]!);
      if (v.t === 'tensor') data.push(v.ref);
      else if (v.t === 'var') { data.push(this.emitRead(scope, `${name}/input_${i}`, v.node, [])); vars.set(i, v.node); }
      else this.fail('UNSUPPORTED', `op ${op} (${where}) passes resource ${v.node} (a table) into its functions`);
    }
    const offset = op === 'While' || op === 'StatelessWhile' ? 0 : 1; // If / Case: input 0 is the condition / branch index
    const fnVars = new Map([...vars].filter(([i]) => i >= offset).map(([i, v]) => [i - offset, v] as [number, string]));
    const attr = this.copyAttrs(node);
    const typeAttr = offset === 0 ? 'T' : 'Tin';
    const types = [...(attr[typeAttr]?.list?.type ?? [])];
    for (const [i, v] of fnVars) types[i] = this.top.nodes.get(v)?.attr?.dtype?.type ?? types[i]!;
    if (attr[typeAttr]) attr[typeAttr] = { list: { type: types } };
    const freeze = (f: tensorflow.INameAttrList | null | undefined): tensorflow.INameAttrList => ({ name: this.freezeFunction(f?.name ?? '', fnVars, where), attr: f?.attr ?? {} });
    for (const k of funcAttrNames(node)) {
      const a = attr[k]!;
      attr[k] = a.func ? { func: freeze(a.func) } : { list: { func: (a.list?.func ?? []).map(freeze) } };
    }
    const deps = yield* this.controlDeps(scope, node);
    if (deps.length > 0 && data.length > 0) data[0] = this.after(data[0]!, deps, `${scope.prefix}${name}`);
    const emitted = this.allocate(scope.prefix + name, scope.kind === 'graph');
    this.emit({ name: emitted, op, input: data, attr });
    return { kind: 'emitted', name: emitted };
  }

  /** Function `fname` frozen with arguments `vars` (index → variable) bound to variable values; memoized. */
  private freezeFunction(fname: string, vars: Map<number, string>, where: string): string {
    const key = `${fname}\0${[...vars].map(([i, v]) => `${i}=${v}`).join(',')}`;
    const have = this.frozenFns.get(key);
    if (have) return have.signature!.name!;
    const fdef = this.fns.get(fname);
    if (!fdef) this.fail('INVALID_GRAPH', `${where} calls function '${fname}', which is not in the library`);
    if (this.fnDepth >= 32) this.fail('LIMIT_EXCEEDED', `${where}: control flow nested deeper than 32 functions`);
    const fnName = `${fname}_frozen${this.frozenFns.size}`;
    const argDefs = fdef.signature?.input_arg ?? [];
    const scope = newScope('function', `${fnName}/`, new Map((fdef.node_def ?? []).map((n) => [n.name ?? '', n])), `function ${fname} (called by ${where})`);
    scope.args = new Map(argDefs.map((a, i) => [a.name ?? '', i]));
    argDefs.forEach((a, i) => {
      const v = vars.get(i);
      scope.argVals.set(a.name ?? '', v !== undefined ? { t: 'var', node: v } : { t: 'tensor', ref: a.name ?? '' });
    });
    const frozen: tensorflow.IFunctionDef = {
      signature: {
        name: fnName,
        input_arg: argDefs.map((a, i) => ({ name: a.name ?? '', type: vars.has(i) ? this.top.nodes.get(vars.get(i)!)?.attr?.dtype?.type ?? a.type : a.type })),
        output_arg: [],
      },
      node_def: [],
      ret: {},
    };
    this.frozenFns.set(key, frozen); // before the body: a function reached again (recursion) is named already
    const saved = this.out;
    this.out = frozen.node_def!;
    this.fnDepth++;
    try {
      const deps: string[] = [];
      for (const n of Object.values(fdef.control_ret ?? {})) deps.push(...this.drive(this.controlTargets(scope, n)));
      (fdef.signature?.output_arg ?? []).forEach((a, i) => {
        const r = fdef.ret?.[a.name ?? ''];
        if (r === undefined) this.fail('INVALID_GRAPH', `function ${fname} has no ret for output '${a.name}'`);
        const v = this.drive(this.resolve(scope, r));
        let ref: string;
        if (v.t === 'var') ref = this.emitRead(scope, `ret_${i}`, v.node, []);
        else if (v.t !== 'tensor') return this.fail('UNSUPPORTED', `function ${fname} returns resource ${v.node}`);
        else ref = v.ref;
        // outputs wait for the body's effects (the executor runs only what outputs need)
        ref = this.after(ref, [...new Set(deps)], `${fnName}/ret_${i}`);
        const type = v.t === 'var' ? this.top.nodes.get(v.node)?.attr?.dtype?.type ?? a.type : a.type;
        frozen.signature!.output_arg!.push({ name: a.name ?? '', type });
        frozen.ret![a.name ?? ''] = ref;
      });
    } finally {
      this.out = saved;
      this.fnDepth--;
    }
    return fnName;
  }

  private isVariable(node: string): boolean {
    const op = this.top.nodes.get(node)?.op ?? '';
    return op === 'VarHandleOp' || op === 'VariableV2' || op === 'Variable';
  }

  private *emitNode(scope: Scope, node: tensorflow.INodeDef): Step<NodeOut> {
    const op = node.op ?? '';
    const name = node.name ?? '';
    const inputs = dataInputs(node);

    // Calls: inline the function body.
    const fname = CALL_OPS.has(op) ? node.attr?.f?.func?.name ?? '' : this.fns.has(op) ? op : undefined;
    if (fname !== undefined) return yield* this.inline(scope, node, fname, inputs);

    switch (op) {
      case 'VarHandleOp':
        if (scope.kind !== 'graph') this.fail('UNSUPPORTED', `${scope.where} creates variable ${name} (VarHandleOp inside a function)`);
        return { kind: 'values', vals: [{ t: 'var', node: name }] };
      case 'VariableV2':
      case 'Variable':
        if (scope.kind !== 'graph') this.fail('UNSUPPORTED', `${scope.where} creates variable ${name}`);
        return { kind: 'values', vals: [{ t: 'var', node: name, ref: true }] };
      case 'Identity': {
        const v = yield* this.resolve(scope, inputs[0] ?? '');
        const promised = scope.promised.get(name);
        const deps = yield* this.controlDeps(scope, node);
        if (v.t !== 'tensor') {
          if (promised !== undefined) this.fail('UNSUPPORTED', `Identity ${scope.prefix}${name} in ${scope.where} passes resource ${v.node} around a loop`);
          if (v.t === 'var' && v.ref) return { kind: 'emitted', name: this.emitRead(scope, name, v.node, deps, true) };
          return { kind: 'values', vals: [v] };
        }
        const emitted = promised ?? this.allocate(scope.prefix + name, scope.kind === 'graph');
        this.emit({ name: emitted, op, input: [this.after(v.ref, deps, emitted)], attr: this.copyAttrs(node) });
        return { kind: 'emitted', name: emitted };
      }
      case 'VarIsInitializedOp': {
        const c = this.allocate(scope.prefix + name, scope.kind === 'graph');
        this.addConst(c, { dtype: DT.DT_BOOL, shape: [], values: new Uint8Array([1]) });
        return { kind: 'emitted', name: c };
      }
      case 'ResourceGather': return yield* this.resourceGather(scope, node, inputs);
      case 'Const': {
        const emitted = this.allocate(scope.prefix + name, scope.kind === 'graph');
        const t = node.attr?.value?.tensor;
        if (!t) this.fail('INVALID_GRAPH', `Const ${name} in ${scope.where} has no value`);
        this.addConst(emitted, decodeTensorProto(t, `${scope.prefix}${name}`, this.budget));
        const deps = yield* this.controlDeps(scope, node);
        if (deps.length > 0) return { kind: 'values', vals: [{ t: 'tensor', ref: this.after(emitted, deps, emitted) }] };
        return { kind: 'emitted', name: emitted };
      }
      case 'NoOp':
        return this.fail('INVALID_GRAPH', `NoOp ${scope.prefix}${name} in ${scope.where} is used as data`);
      case 'Placeholder':
        if (scope.kind === 'graph') {
          this.fail('INVALID_GRAPH', `the outputs need placeholder ${name}, which is not one of the signature's inputs`);
        }
        break;
      default:
        if (TABLE_OPS.has(op)) {
          if (scope.kind !== 'graph') this.fail('UNSUPPORTED', `${scope.where} creates table ${name} inside a function`);
          return { kind: 'values', vals: [{ t: 'res', node: name }] };
        }
        if (hasHostOp(op)) return yield* this.hostOp(scope, node, inputs);
        break;
    }
    const def = getOpDef(op);
    if (def && (def.output_arg ?? []).some((a) => a.type === DT.DT_RESOURCE)) {
      this.fail('UNSUPPORTED', `op ${op} (node ${scope.prefix}${name} in ${scope.where}) creates a resource (table, iterator, …) that only an init op could fill; only variables are supported`);
    }
    if (FUNCTIONAL_OPS.has(op)) return yield* this.functional(scope, node, inputs);
    const fattrs = funcAttrNames(node);
    if (fattrs.length > 0) {
      this.fail('UNSUPPORTED', `op ${op} (node ${scope.prefix}${name} in ${scope.where}) calls functions (attr ${fattrs.join(', ')}); functional control flow is not supported`);
    }

    // An ordinary op: reserve its name first (TF1 loops are cyclic), then resolve its inputs.
    const emitted = this.allocate(scope.prefix + name, scope.kind === 'graph');
    const nd: tensorflow.INodeDef = { name: emitted, op, input: [], attr: this.copyAttrs(node) };
    if (node.device) nd.device = node.device;
    this.emit(nd); // inputs are filled in below; ordered() sorts the list at the end
    const result: NodeOut = { kind: 'emitted', name: emitted };
    scope.cache.set(name, result);
    const resolved: string[] = [];
    for (const r of inputs) resolved.push(yield* this.resolveTensor(scope, node, r));
    nd.input = resolved;
    const deps = yield* this.controlDeps(scope, node);
    if (deps.length > 0) {
      if (resolved.length > 0) nd.input[0] = this.after(resolved[0]!, deps, emitted);
      else {
        const wrapped: NodeOut = { kind: 'values', vals: [{ t: 'tensor', ref: this.after(emitted, deps, emitted) }] };
        scope.cache.set(name, wrapped);
        return wrapped;
      }
    }
    return result;
  }

  private copyAttrs(node: tensorflow.INodeDef): Record<string, tensorflow.IAttrValue> {
    const attr: Record<string, tensorflow.IAttrValue> = {};
    for (const [k, v] of Object.entries(node.attr ?? {})) if (!k.startsWith('_') && v) attr[k] = v;
    const def = getOpDef(node.op ?? '');
    if (def) {
      const holder = { op: node.op, attr };
      addNodeDefaultAttrs(holder, def);
      return holder.attr;
    }
    return attr;
  }

  private addConst(name: string, value: HostTensor): void {
    this.constants.set(name, value);
    this.emit({ name, op: 'Const', input: [], attr: { dtype: { type: value.dtype } } });
  }

  private variableConst(varNode: string): string {
    const have = this.varConsts.get(varNode);
    if (have !== undefined) return have;
    const node = this.top.nodes.get(varNode);
    const binding = this.keys.byNode.get(varNode);
    if (!binding) {
      this.fail('NOT_FOUND', `no checkpoint value for variable ${varNode} (not bound through the object graph, not restored by the saver, and no checkpoint key of that name)`);
    }
    if (!this.checkpoint) this.fail('NOT_FOUND', `variable ${varNode} needs the checkpoint (variables/), which is missing`);
    if (!this.checkpoint.has(binding.key)) this.fail('NOT_FOUND', `variable ${varNode}: checkpoint key '${binding.key}' is missing`);
    const entry = this.checkpoint.entry(binding.key);
    const want = node?.attr?.dtype?.type ?? 0;
    if (want !== 0 && want !== entry.dtype) {
      this.fail('INVALID_GRAPH', `variable ${varNode} is ${dtypeName(want)} but checkpoint key '${binding.key}' holds ${entry.dtypeName}`);
    }
    if (entry.slices.length > 0) this.fail('UNSUPPORTED', `variable ${varNode}: partitioned (sliced) checkpoint entry '${binding.key}'`);
    const details = { key: binding.key, file: this.checkpoint.shardFile(entry.shardId) };
    const n = checkedElementCount(entry.shape, details);
    // numeric values are copied out of the shard; strings become one array per element
    const bytes = entry.dtype === DT.DT_STRING ? entry.size + n * STRING_ELEMENT_OVERHEAD : entry.size;
    this.budget.take(bytes, `variable ${varNode} (checkpoint key '${binding.key}', shape [${entry.shape.join(', ')}])`, details);
    const value: HostTensor = { dtype: entry.dtype, shape: [...entry.shape], values: this.checkpoint.value(binding.key) };
    const name = this.allocate(varNode, true);
    this.addConst(name, value);
    this.varConsts.set(varNode, name);
    this.variables.push({ variable: varNode, node: name, key: binding.key, via: binding.via });
    return name;
  }

  private *resourceGather(scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
    const v = yield* this.resolve(scope, inputs[0] ?? '');
    if (v.t !== 'var') this.fail('UNSUPPORTED', `ResourceGather ${scope.prefix}${node.name} in ${scope.where} reads a resource that is not a saved variable`);
    const params = this.emitRead(scope, `${node.name}/params`, v.node, yield* this.controlDeps(scope, node));
    const indices = yield* this.resolveTensor(scope, node, inputs[1] ?? '');
    const batchDims = toNumber(node.attr?.batch_dims?.i);
    const axis = this.allocate(`${scope.prefix}${node.name}/axis`, false);
    this.addConst(axis, { dtype: DT.DT_INT32, shape: [], values: new Int32Array([batchDims]) });
    const emitted = this.allocate(scope.prefix + (node.name ?? ''), scope.kind === 'graph');
    this.emit({
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

  /** A call: a child scope whose outputs are resolved on demand (nothing is emitted here). */
  private *inline(scope: Scope, node: tensorflow.INodeDef, fname: string, inputs: string[]): Step<CallOut> {
    const fdef = this.fns.get(fname);
    const where = `${scope.prefix}${node.name} in ${scope.where}`;
    if (!fdef) this.fail('INVALID_GRAPH', `call ${where} names function '${fname}', which is not in the library`);
    const argDefs = fdef.signature?.input_arg ?? [];
    if (argDefs.length !== inputs.length) {
      this.fail('INVALID_GRAPH', `call ${where} passes ${inputs.length} inputs to ${fname}, which takes ${argDefs.length}`);
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
    if (argDefs.length === 0 && (node.input ?? []).some((i) => i.startsWith('^'))) this.pendingDeps.push(...(yield* this.controlDeps(scope, node)));
    const rets = (fdef.signature?.output_arg ?? []).map((a) => fdef.ret?.[a.name ?? ''] ?? undefined);
    const controlRets = Object.values(fdef.control_ret ?? {});
    return { kind: 'call', child, fname, where, rets, vals: rets.map(() => undefined), busy: rets.map(() => false), controlRets };
  }

  /**
   * Emitted nodes, each after the nodes it reads (stable). Every cycle must pass through a
   * Merge reading a NextIteration (a TF1 loop's back edge, not followed here); any other
   * cycle is INVALID_GRAPH, before tfjs-converter's executor would meet it.
   */
  ordered(): tensorflow.INodeDef[] {
    const byName = new Map(this.out.map((n) => [n.name ?? '', n]));
    const state = new Map<string, 1 | 2>();
    const order: tensorflow.INodeDef[] = [];
    const visit = (root: tensorflow.INodeDef) => {
      const stack: Array<[tensorflow.INodeDef, number]> = [[root, 0]];
      state.set(root.name ?? '', 1);
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const [n, i] = top;
        const inputs = n.input ?? [];
        if (i < inputs.length) {
          top[1] = i + 1;
          const dep = byName.get((inputs[i] ?? '').replace(/^\^/, '').split(':')[0] ?? '');
          if (!dep || (LOOP_MERGE.has(n.op ?? '') && LOOP_BACK_EDGE.has(dep.op ?? ''))) continue;
          const s = state.get(dep.name ?? '');
          if (s === 1) {
            this.fail('INVALID_GRAPH', `cycle: node ${dep.name} (${dep.op}) depends on its own output through ${n.name} (${n.op}), and the cycle is not a TF1 loop (no NextIteration)`);
          }
          if (s === undefined) {
            state.set(dep.name ?? '', 1);
            stack.push([dep, 0]);
          }
        } else {
          stack.pop();
          state.set(n.name ?? '', 2);
          order.push(n);
        }
      }
    };
    for (const n of this.out) if (!state.has(n.name ?? '')) visit(n);
    return order;
  }

  /** Reads of variables nothing assigns become their checkpoint value (a Const), as before state existed. */
  private foldReads(): void {
    const byName = new Map(this.out.map((n) => [n.name ?? '', n]));
    for (const r of this.reads) {
      if (this.written.has(r.variable) || this.mutable.has(r.variable)) continue;
      const body = this.readBodies.get(r.name);
      const nd = body ? body.find((n) => n.name === r.name)! : byName.get(r.name)!;
      let c = this.variableConst(r.variable);
      if (body) {
        // a function body sees only its own nodes: its own constant (weights are shared by name)
        const local = this.allocate(`${r.name}/value`, false);
        this.constants.set(local, this.constants.get(c)!);
        body.push({ name: local, op: 'Const', input: [], attr: { dtype: { type: this.constants.get(c)!.dtype } } });
        c = local;
      }
      this.hostNodes.delete(r.name);
      nd.op = 'Identity';
      nd.input = [c, ...r.deps.map((d) => `^${d}`)]; // Identity reads input 0 only; control inputs order it
      nd.attr = { T: { type: this.constants.get(c)?.dtype ?? 0 } };
    }
  }

  /** Run-for-effect targets (init ops): one Group node that depends on all of them. */
  addTargets(names: string[]): FrozenTensorInfo {
    const deps: string[] = [];
    for (const n of names) {
      const [node] = this.parseGraphRef(n.replace(/^\^/, ''));
      deps.push(...this.drive(this.controlTargets(this.top, node)));
    }
    const name = this.allocate('__init_op__/group', false);
    this.emitHost(name, { op: 'Group', def: { name, op: 'Group' }, nData: 0, where: 'the init op' }, [], [...new Set(deps)]);
    return { key: '__init_op__', tensorName: names.join(','), node: name, dtype: DT.DT_BOOL, shape: [] };
  }

  /**
   * Control dependencies only order effects: once reads are folded, a dependency on a node that
   * neither is a host op with an effect nor depends on one is dropped (the node itself stays in
   * the graph, so an op TensorFlow.js cannot run still fails the load), and After nodes left
   * without dependencies become plain Identities.
   */
  private pruneControlDeps(nodes: tensorflow.INodeDef[], outputs: FrozenTensorInfo[]): tensorflow.INodeDef[] {
    const identities: tensorflow.INodeDef[] = [];
    const effectful = new Set<string>();
    const src = (i: string) => (i.startsWith('^') ? i.slice(1) : i).split(':')[0]!;
    for (const n of nodes) {
      const host = n.op === HOST_OP ? this.hostNodes.get(n.name ?? '') : undefined;
      const own = host !== undefined && host.op !== 'After';
      if (own || (n.input ?? []).some((i) => effectful.has(src(i)))) effectful.add(n.name ?? '');
    }
    for (const n of nodes) {
      const name = n.name ?? '';
      const host = this.hostNodes.get(name);
      if (n.op === HOST_OP && host?.op === 'After') {
        const deps = (n.input ?? []).slice(1).filter((i) => effectful.has(src(i)));
        if (deps.length > 0) n.input = [n.input![0]!, ...deps];
        else {
          this.hostNodes.delete(name);
          n.op = 'Identity';
          n.input = [n.input![0]!];
          n.attr = {};
          identities.push(n);
        }
      } else if (n.op !== HOST_OP && (n.input ?? []).some((i) => i.startsWith('^'))) {
        n.input = (n.input ?? []).filter((i) => !i.startsWith('^') || effectful.has(src(i)));
      }
    }
    return this.bypassIdentities(nodes, identities, outputs);
  }

  /**
   * After nodes turned Identity carry no dtype (the freezer tracks none), and an Identity without
   * `T` is not a valid NodeDef for TensorFlow (e.g. once written back to a SavedModel by convert):
   * readers are wired to the Identity's input instead; one a signature output names keeps the
   * Identity, typed by that output's dtype.
   */
  private bypassIdentities(nodes: tensorflow.INodeDef[], identities: tensorflow.INodeDef[], outputs: FrozenTensorInfo[]): tensorflow.INodeDef[] {
    if (identities.length === 0) return nodes;
    const outputDtype = new Map(outputs.map((o) => [o.node, o.dtype]));
    const alias = new Map<string, string>();
    for (const n of identities) {
      const name = n.name ?? '';
      const dtype = outputDtype.get(name);
      if (dtype !== undefined) n.attr = { T: { type: dtype } };
      else alias.set(name, n.input![0]!);
    }
    if (alias.size === 0) return nodes;
    // An alias may point at another aliased Identity: follow to the end (no cycles: each points upstream).
    const target = (ref: string): string => {
      let r = ref;
      for (let hops = 0; hops <= alias.size; hops++) {
        const [node, port] = r.split(':');
        const a = alias.get(node!);
        if (a === undefined) return r;
        if (port !== undefined && port !== '0') return r;
        r = a;
      }
      return r;
    };
    for (const n of nodes) {
      if (!n.input?.some((i) => alias.has((i.startsWith('^') ? i.slice(1) : i).split(':')[0]!))) continue;
      n.input = n.input.map((i) => (i.startsWith('^') ? `^${target(i.slice(1)).split(':')[0]}` : target(i)));
      n.input = n.input.filter((i, k) => !i.startsWith('^') || n.input!.indexOf(i) === k);
    }
    return nodes.filter((n) => !alias.has(n.name ?? ''));
  }

  /**
   * A TF1 loop's Merge must be read by a Switch on a LoopCond (tf.while_loop's shape): without one
   * the loop could never exit, and tfjs-converter's executor would spin forever.
   */
  private checkLoops(): void {
    const nodeOf = (ref: string) => ref.split(':')[0] ?? '';
    const byName = new Map(this.out.map((n) => [n.name ?? '', n]));
    const guarded = new Set<string>();
    for (const n of this.out) {
      if ((n.op === 'Switch' || n.op === 'RefSwitch') && byName.get(nodeOf(n.input?.[1] ?? ''))?.op === 'LoopCond') guarded.add(nodeOf(n.input?.[0] ?? ''));
    }
    for (const n of this.out) {
      if (!LOOP_MERGE.has(n.op ?? '') || guarded.has(n.name ?? '')) continue;
      if ((n.input ?? []).some((r) => LOOP_BACK_EDGE.has(byName.get(nodeOf(r))?.op ?? ''))) {
        this.fail('INVALID_GRAPH', `loop at ${n.op} ${n.name} (it reads a NextIteration) is not read by a Switch on a LoopCond, so it could never exit`);
      }
    }
  }

  finish(methodName: string, inputs: FrozenTensorInfo[], outputs: FrozenTensorInfo[]): FrozenGraph {
    this.foldReads();
    const g = this.result(methodName, inputs, outputs);
    this.checkLoops();
    g.nodes = this.ordered();
    g.nodes = this.pruneControlDeps(g.nodes, g.outputs);
    return g;
  }
}

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
  checkOptions(options, ['variableKeys', 'budget', 'mutableVariables', 'constFeeds'], 'freezeSignature options');
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
  const inputs = inputKeys.map((k) => fz.addFeed(k, sig.inputs![k]!));
  const outputs = outputKeys.map((k) => fz.addFetch(k, sig.outputs![k]!));
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
  const out = fz.addTargets(targets);
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
