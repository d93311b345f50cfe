// Checks a GraphDef (top-level nodes and every FunctionDef body) against the op registry:
// ops exist, input arity, attrs present / typed / allowed / above minimum, no undeclared attrs,
// input references resolve (top level: "node", "node:i", "^node"; in functions: "arg",
// "node:out_arg:i", "^node"), ret / control_ret resolve, called functions exist and their
// Tin/Tout match the callee's signature, duplicate names, and (where derivable) the dtype
// flowing into each typed input.
//
// Findings are data, never exceptions. Ops or attrs newer than the registry (about TF 2.2) are
// warnings (UNKNOWN_OP / UNKNOWN_ATTR) unless `strict`. With `newer` (a newer registry, TF 2.21
// for verify), ops and attrs only it knows are NEEDS_NEWER_TF warnings (errors when strict) and
// are checked against its OpDef; only ops and attrs in neither are UNKNOWN_*.
import { tensorflow } from '../proto/index.js';
import { attrValueProblems, dtName, listCases, toNum } from './attr-check.js';
import { getOpDef } from './op-registry.js';
import type { Finding, FindingCode, ValidateOptions } from './validate-findings.js';

type Attrs = { [k: string]: tensorflow.IAttrValue };

const CALL_OPS = new Set(['PartitionedCall', 'StatefulPartitionedCall']);
/** Internal ops TF allows in function bodies though they are not in the registry dump. */
const INTERNAL_OPS = new Set(['_Arg', '_Retval', '_ListToArray', '_ArrayToList']);

/** What is known about one arg of an op or function after applying the node's attrs. */
interface ArgInfo {
  name: string;
  /** number of tensors; undefined when it cannot be computed */
  count: number | undefined;
  /** dtype of each tensor (undefined entries when unknown); undefined when count unknown */
  types: (number | undefined)[] | undefined;
}

interface NodeInfo {
  node: tensorflow.INodeDef;
  where: string;
  kind: 'op' | 'function' | 'unknown';
  def?: tensorflow.IOpDef;
  /** the floor registry's OpDef when `def` came from the newer one (undefined: op is newer) */
  baseDef?: tensorflow.IOpDef;
  fromNewer?: boolean;
  fn?: tensorflow.IFunctionDef;
  inputs?: ArgInfo[];
  outputs?: ArgInfo[];
}

const baseType = (t: number) => (t > 100 ? t - 100 : t);
export function validateGraphDef(graph: tensorflow.IGraphDef, opts: ValidateOptions = {}): Finding[] {
  return new Validator(graph, opts).run();
}

const FOUND = Symbol('found');

/**
 * Whether validateGraphDef(graph, opts) finds anything: stops at the first finding. What verify
 * asks of TF 2.2's table before it checks again with TF 2.21's (whose findings then replace these).
 */
export function graphHasFindings(graph: tensorflow.IGraphDef, opts: ValidateOptions = {}): boolean {
  try {
    return new Validator(graph, opts, true).run().length > 0;
  } catch (e) {
    if (e === FOUND) return true;
    throw e;
  }
}

class Validator {
  private readonly findings: Finding[] = [];
  private readonly lookup: (name: string) => tensorflow.IOpDef | undefined;
  private readonly functions = new Map<string, tensorflow.IFunctionDef>();
  private readonly declaredByDef = new Map<tensorflow.IOpDef, Map<string, tensorflow.OpDef.IAttrDef>>();

  constructor(
    private readonly graph: tensorflow.IGraphDef,
    private readonly opts: ValidateOptions,
    /** stop (throw FOUND) at the first finding */
    private readonly probe = false,
  ) {
    this.lookup = opts.lookup ?? getOpDef;
  }

  private add(severity: 'error' | 'warning', code: FindingCode, where: string, message: string): void {
    if (this.probe) throw FOUND;
    this.findings.push({ severity, code, where, message });
  }
  private error(code: FindingCode, where: string, message: string): void {
    this.add('error', code, where, message);
  }
  private lenient(code: FindingCode, where: string, message: string): void {
    this.add(this.opts.strict ? 'error' : 'warning', code, where, message);
  }
  private newerLabel(): string {
    return this.opts.newerLabel ?? 'TensorFlow newer than 2.2';
  }

  run(): Finding[] {
    const lib = this.graph.library?.function ?? [];
    lib.forEach((f, i) => {
      const name = f.signature?.name ?? '';
      if (!name) this.error('BAD_RET', `graph_def.library.function[${i}]`, 'function without a signature name');
      if (this.functions.has(name)) this.error('DUPLICATE_NAME', `function ${name}`, `function ${JSON.stringify(name)} is defined more than once`);
      else this.functions.set(name, f);
    });
    // a probe looks for an op the registry lacks first: the cheapest finding, and the usual one
    // (a graph written by a TF newer than the registry), found before the per-node checks
    if (this.probe) {
      for (const n of this.graph.node ?? []) if (!this.knownOp(n.op ?? '', false)) throw FOUND;
      for (const f of lib) for (const n of f.node_def ?? []) if (!this.knownOp(n.op ?? '', true)) throw FOUND;
    }
    // top level
    const top = (this.graph.node ?? []).map((node, i) => this.describe(node, `graph_def.node[${i}] ${JSON.stringify(node.name ?? '')}`));
    this.checkBody(top, null);
    for (const f of lib) this.checkFunction(f);
    return this.findings;
  }

  /**
   * Whether `op` is a library function, an op of the registry (or of `newer`), or, in a function
   * body, one of the runtime's internal ops: the one test of UNKNOWN_OP, for the probe's pre-scan
   * and checkBody alike.
   */
  private knownOp(op: string, inFunction: boolean): boolean {
    return this.functions.has(op) || this.lookup(op) !== undefined || this.opts.newer?.(op) !== undefined || (inFunction && INTERNAL_OPS.has(op));
  }

  /** Classify a node and compute its input / output args from the node's attrs. */
  private describe(node: tensorflow.INodeDef, where: string): NodeInfo {
    const op = node.op ?? '';
    const fn = this.functions.get(op);
    if (fn) {
      const sig = fn.signature ?? {};
      const attrs = (node.attr ?? {}) as Attrs;
      return { node, where, kind: 'function', fn, inputs: this.args(sig.input_arg, attrs), outputs: this.args(sig.output_arg, attrs) };
    }
    const base = this.lookup(op);
    const newer = this.opts.newer?.(op);
    const def = newer ?? base;
    if (!def) return { node, where, kind: 'unknown' };
    const attrs = this.withDefaults(node, def);
    const info: NodeInfo = { node, where, kind: 'op', def, inputs: this.args(def.input_arg, attrs), outputs: this.args(def.output_arg, attrs) };
    if (newer) { info.fromNewer = true; if (base) info.baseDef = base; }
    return info;
  }

  private withDefaults(node: tensorflow.INodeDef, def: tensorflow.IOpDef): Attrs {
    const out: Attrs = { ...((node.attr ?? {}) as Attrs) };
    for (const a of def.attr ?? []) if (a.name && out[a.name] === undefined && a.default_value) out[a.name] = a.default_value;
    return out;
  }

  private args(list: tensorflow.OpDef.IArgDef[] | null | undefined, attrs: Attrs): ArgInfo[] {
    return (list ?? []).map((a) => {
      const name = a.name ?? '';
      if (a.type_list_attr) {
        const v = attrs[a.type_list_attr];
        // a list holding anything but types (reported as ATTR_TYPE) gives no usable count
        const types = v?.list && listCases(v.list).every((k) => k === 'type') ? (v.list.type ?? []).map((t) => t as number) : undefined;
        return { name, count: types?.length, types };
      }
      let one: number | undefined;
      if (a.type_attr) {
        const v = attrs[a.type_attr];
        one = v?.type != null ? (v.type as number) : undefined;
      } else one = (a.type as number) || undefined;
      if (a.is_ref && one !== undefined && one < 100) one += 100;
      if (a.number_attr) {
        const v = attrs[a.number_attr];
        const n = v?.i != null ? toNum(v.i) : undefined;
        if (n === undefined || n < 0 || n > 1e6) return { name, count: undefined, types: undefined };
        return { name, count: n, types: new Array<number | undefined>(n).fill(one) };
      }
      return { name, count: 1, types: [one] };
    });
  }

  private checkFunction(f: tensorflow.IFunctionDef): void {
    const sig = f.signature ?? {};
    const fname = sig.name ?? '';
    const fwhere = `function ${fname}`;
    // args: names unique, and they share the namespace with nodes
    const argTypes = new Map<string, ArgInfo>();
    const sigAttrs: Attrs = {};
    for (const a of sig.input_arg ?? []) {
      const name = a.name ?? '';
      if (argTypes.has(name)) this.error('DUPLICATE_NAME', fwhere, `input arg ${JSON.stringify(name)} is declared twice`);
      argTypes.set(name, this.args([a], sigAttrs)[0]!);
    }
    const nodes = (f.node_def ?? []).map((node) => this.describe(node, `${fwhere} node ${JSON.stringify(node.name ?? '')}`));
    this.checkBody(nodes, { fn: f, args: argTypes });
    // ret / control_ret
    const names = new Map(nodes.map((n) => [n.node.name ?? '', n]));
    const ret = f.ret ?? {};
    const outs = sig.output_arg ?? [];
    const outNames = new Set(outs.map((a) => a.name ?? ''));
    for (const o of outs) {
      const name = o.name ?? '';
      const r = ret[name];
      if (r === undefined) {
        this.error('BAD_RET', `${fwhere} ret ${JSON.stringify(name)}`, `output arg ${JSON.stringify(name)} has no ret entry`);
        continue;
      }
      const src = this.resolveFunctionInput(r, names, argTypes, `${fwhere} ret ${JSON.stringify(name)}`, 'BAD_RET');
      const want = (o.type as number) || undefined;
      if (src && src.type !== undefined && want !== undefined && baseType(src.type) !== baseType(want)) {
        this.error('INPUT_TYPE', `${fwhere} ret ${JSON.stringify(name)}`, `returns ${dtName(src.type)} for output arg of type ${dtName(want)}`);
      }
    }
    for (const k of Object.keys(ret)) {
      if (!outNames.has(k)) this.error('BAD_RET', `${fwhere} ret ${JSON.stringify(k)}`, `ret entry ${JSON.stringify(k)} is not an output arg of the signature`);
    }
    const cret = f.control_ret ?? {};
    for (const [k, v] of Object.entries(cret)) {
      if (!names.has(v)) this.error('BAD_RET', `${fwhere} control_ret ${JSON.stringify(k)}`, `control_ret names node ${JSON.stringify(v)}, which does not exist`);
    }
    const couts = new Set(sig.control_output ?? []);
    for (const c of couts) {
      if (cret[c] === undefined) this.error('BAD_RET', `${fwhere} control_output ${JSON.stringify(c)}`, `control output ${JSON.stringify(c)} has no control_ret entry`);
    }
    for (const k of Object.keys(cret)) {
      if (!couts.has(k)) this.error('BAD_RET', `${fwhere} control_ret ${JSON.stringify(k)}`, `control_ret ${JSON.stringify(k)} is not listed in signature.control_output`);
    }
  }

  /**
   * Per-node checks for one graph body. `fn` is null for the top-level graph, else the
   * function being checked and its input args.
   */
  private checkBody(nodes: NodeInfo[], fn: { fn: tensorflow.IFunctionDef; args: Map<string, ArgInfo> } | null): void {
    const byName = new Map<string, NodeInfo>();
    for (const n of nodes) {
      const name = n.node.name ?? '';
      if (!name) this.error('BAD_INPUT', n.where, 'node without a name');
      if (byName.has(name)) this.error('DUPLICATE_NAME', n.where, `node name ${JSON.stringify(name)} is used more than once`);
      else if (fn && fn.args.has(name)) this.error('DUPLICATE_NAME', n.where, `node name ${JSON.stringify(name)} is also an input arg of the function`);
      else byName.set(name, n);
    }
    for (const n of nodes) {
      const op = n.node.op ?? '';
      if (n.kind === 'unknown') {
        if (!this.knownOp(op, fn !== null)) {
          this.lenient('UNKNOWN_OP', n.where, `op ${JSON.stringify(op)} is not in the op registry and not a library function`);
        }
      } else if (n.kind === 'op') {
        if (n.fromNewer && !n.baseDef) {
          this.lenient('NEEDS_NEWER_TF', n.where, `op ${JSON.stringify(op)} needs ${this.newerLabel()}: it is not in TF 2.2's op registry`);
        }
        this.checkAttrs(n, fn !== null);
        if (CALL_OPS.has(op)) this.checkCall(n);
      }
      this.checkFuncAttrs(n);
      this.checkInputs(n, byName, fn);
    }
  }

  /** An OpDef's attrs by name, made once per OpDef in a run (a graph uses each op many times). */
  private declaredAttrs(def: tensorflow.IOpDef): Map<string, tensorflow.OpDef.IAttrDef> {
    let m = this.declaredByDef.get(def);
    if (!m) {
      m = new Map((def.attr ?? []).map((a) => [a.name ?? '', a]));
      this.declaredByDef.set(def, m);
    }
    return m;
  }

  private checkAttrs(n: NodeInfo, inFunction: boolean): void {
    const def = n.def!;
    const attrs = (n.node.attr ?? {}) as Attrs;
    const declared = this.declaredAttrs(def);
    const inBase = n.baseDef ? new Set((n.baseDef.attr ?? []).map((a) => a.name ?? '')) : null;
    for (const k of Object.keys(attrs)) {
      if (k.startsWith('_')) continue;
      if (!declared.has(k)) {
        if (inBase?.has(k)) continue; // declared by TF 2.2, dropped later: still valid for old TF
        this.lenient('UNKNOWN_ATTR', n.where, `attr ${JSON.stringify(k)} is not declared by op ${def.name} (newer TensorFlow?)`);
      } else if (inBase && !inBase.has(k)) {
        this.lenient('NEEDS_NEWER_TF', n.where, `attr ${JSON.stringify(k)} of op ${def.name} needs ${this.newerLabel()}: TF 2.2 does not declare it`);
      }
    }
    for (const a of def.attr ?? []) {
      const name = a.name ?? '';
      const v = attrs[name];
      if (v === undefined) {
        if (!a.default_value) this.error('MISSING_ATTR', n.where, `required attr ${JSON.stringify(name)} (${a.type}) of op ${def.name} is missing`);
        continue;
      }
      this.checkAttrValue(n, a, v, inFunction);
    }
  }

  private checkAttrValue(n: NodeInfo, a: tensorflow.OpDef.IAttrDef, v: tensorflow.IAttrValue, inFunction: boolean): void {
    for (const p of attrValueProblems(a, v, n.def!.name ?? '', inFunction)) this.error(p.code, n.where, p.message);
  }

  /** Tin / Tout of (Stateful)PartitionedCall against the called function's signature. */
  private checkCall(n: NodeInfo): void {
    const attrs = (n.node.attr ?? {}) as Attrs;
    const fname = attrs.f?.func?.name;
    if (!fname) return; // missing/mistyped f is reported by the attr checks
    const fn = this.functions.get(fname);
    if (!fn) return; // reported by checkFuncAttrs
    const sig = fn.signature ?? {};
    const cmp = (attr: string, args: tensorflow.OpDef.IArgDef[] | null | undefined, what: string) => {
      const list = attrs[attr]?.list?.type;
      if (!list) return;
      const want = (args ?? []).map((a) => (a.type as number) || undefined);
      if (list.length !== want.length) {
        this.error('CALL_SIGNATURE', n.where, `${attr} has ${list.length} types but function ${fname} has ${want.length} ${what}`);
        return;
      }
      list.forEach((t, i) => {
        const w = want[i];
        if (w !== undefined && baseType(t as number) !== baseType(w)) {
          this.error('CALL_SIGNATURE', n.where, `${attr}[${i}] is ${dtName(t as number)} but ${what.replace(/s$/, '')} ${i} of function ${fname} is ${dtName(w)}`);
        }
      });
    };
    cmp('Tin', sig.input_arg, 'input args');
    cmp('Tout', sig.output_arg, 'output args');
  }

  /** Every func-valued attr must name a library function (or a registered op). */
  private checkFuncAttrs(n: NodeInfo): void {
    for (const [k, v] of Object.entries((n.node.attr ?? {}) as Attrs)) {
      const names: string[] = [];
      if (v.func) names.push(v.func.name ?? '');
      for (const f of v.list?.func ?? []) names.push(f.name ?? '');
      for (const name of names) {
        if (!this.functions.has(name) && !this.lookup(name) && !this.opts.newer?.(name)) {
          this.error('UNKNOWN_FUNCTION', n.where, `attr ${JSON.stringify(k)} names function ${JSON.stringify(name)}, which is not in the library`);
        }
      }
    }
  }

  private checkInputs(n: NodeInfo, byName: Map<string, NodeInfo>, fn: { fn: tensorflow.IFunctionDef; args: Map<string, ArgInfo> } | null): void {
    const inputs = n.node.input ?? [];
    let seenControl = false;
    const actual: (number | undefined)[] = [];
    let countKnown = true;
    let dataCount = 0;
    inputs.forEach((inp, idx) => {
      const where = n.where;
      if (inp.startsWith('^')) {
        seenControl = true;
        const target = inp.slice(1);
        if (!byName.has(target)) {
          this.error('DANGLING_INPUT', where, `control input ${JSON.stringify(inp)} names node ${JSON.stringify(target)}, which does not exist`);
        }
        return;
      }
      if (seenControl) this.error('BAD_INPUT', where, `data input ${idx} ${JSON.stringify(inp)} comes after a control input`);
      if (fn === null) {
        const m = /^([^:^]+)(?::(\d+))?$/.exec(inp);
        dataCount += 1;
        if (!m) {
          this.error('BAD_INPUT', where, `input ${idx} ${JSON.stringify(inp)} is not "node", "node:i" or "^node"`);
          actual.push(undefined);
          return;
        }
        const src = byName.get(m[1]!);
        const i = m[2] === undefined ? 0 : Number(m[2]);
        if (!src) {
          this.error('DANGLING_INPUT', where, `input ${idx} ${JSON.stringify(inp)} names node ${JSON.stringify(m[1])}, which does not exist`);
          actual.push(undefined);
          return;
        }
        const flat = flatten(src.outputs);
        if (flat && i >= flat.length) {
          this.error('BAD_OUTPUT_INDEX', where, `input ${idx} ${JSON.stringify(inp)}: node ${JSON.stringify(m[1])} (${src.node.op}) has ${flat.length} output${flat.length === 1 ? '' : 's'}`);
        }
        actual.push(flat?.[i]);
        return;
      }
      const r = this.resolveFunctionInput(inp, byName, fn.args, where, 'DANGLING_INPUT', idx);
      if (!r) {
        dataCount += 1;
        actual.push(undefined);
        return;
      }
      if (r.count === undefined) countKnown = false;
      else {
        dataCount += r.count;
        if (r.count === 1) actual.push(r.type);
        else for (let k = 0; k < r.count; k++) actual.push(r.types?.[k]);
      }
    });
    if (n.kind === 'unknown' || !n.inputs) return;
    // arity
    const expected = flatten(n.inputs);
    const calleeWhat = n.kind === 'function' ? `function ${n.node.op}` : `op ${n.node.op}`;
    if (expected && countKnown && expected.length !== dataCount) {
      const detail = n.inputs.map((a) => `${a.name}: ${a.count ?? '?'}`).join(', ');
      this.error('INPUT_ARITY', n.where, `${calleeWhat} takes ${expected.length} data input${expected.length === 1 ? '' : 's'} (${detail}), node has ${dataCount}`);
      return;
    }
    // dtypes
    if (expected && countKnown) {
      expected.forEach((want, i) => {
        const got = actual[i];
        if (want !== undefined && got !== undefined && baseType(want) !== baseType(got)) {
          this.error('INPUT_TYPE', n.where, `input ${i} ${JSON.stringify(dataInputs(n.node)[i] ?? '')} is ${dtName(got)}, ${calleeWhat} expects ${dtName(want)}`);
        }
      });
    }
  }

  /**
   * Resolve a function-body data reference ("arg", "arg:i", "node:out_arg", "node:out_arg:i").
   * Returns the dtype(s) it carries and how many tensors it stands for, or null (reported).
   */
  private resolveFunctionInput(
    inp: string,
    nodes: Map<string, NodeInfo>,
    args: Map<string, ArgInfo>,
    where: string,
    code: FindingCode,
    idx?: number,
  ): { count: number | undefined; type: number | undefined; types?: (number | undefined)[] } | null {
    // the label of a finding: built only when one is reported (verify resolves every input)
    const label = { toString: () => (idx === undefined ? JSON.stringify(inp) : `input ${idx} ${JSON.stringify(inp)}`) };
    const parts = inp.split(':');
    if (parts.some((p) => p === '') || parts.length > 3) {
      this.error('BAD_INPUT', where, `${label} is not "arg", "node:out_arg:i" or "^node"`);
      return null;
    }
    const head = parts[0]!;
    const arg = args.get(head);
    if (arg && parts.length <= 2) {
      if (parts.length === 1) return { count: arg.count, type: arg.types?.[0], types: arg.types };
      const i = Number(parts[1]);
      if (!/^\d+$/.test(parts[1]!)) {
        this.error('BAD_INPUT', where, `${label}: "${parts[1]}" is not an index`);
        return null;
      }
      if (arg.count !== undefined && i >= arg.count) this.error('BAD_OUTPUT_INDEX', where, `${label}: arg ${JSON.stringify(head)} has ${arg.count} element(s)`);
      return { count: 1, type: arg.types?.[i] };
    }
    const src = nodes.get(head);
    if (!src) {
      this.error(code === 'BAD_RET' ? 'BAD_RET' : 'DANGLING_INPUT', where, `${label} names ${JSON.stringify(head)}, which is neither an input arg nor a node of the function`);
      return null;
    }
    if (parts.length === 1) {
      this.error('BAD_INPUT', where, `${label}: node outputs must be written "node:out_arg:i" inside functions`);
      return null;
    }
    const outArg = parts[1]!;
    if (!src.outputs) return { count: parts.length === 3 ? 1 : undefined, type: undefined }; // unknown op: nothing to check
    const out = src.outputs.find((o) => o.name === outArg);
    if (!out) {
      const have = src.outputs.map((o) => o.name).join(', ') || 'none';
      const what = src.kind === 'function' ? `function ${src.node.op}` : `op ${src.node.op}`;
      this.error('BAD_OUTPUT_ARG', where, `${label}: ${what} has no output arg ${JSON.stringify(outArg)} (output args: ${have})`);
      return null;
    }
    if (parts.length === 2) return { count: out.count, type: out.types?.[0], types: out.types };
    if (!/^\d+$/.test(parts[2]!)) {
      this.error('BAD_INPUT', where, `${label}: "${parts[2]}" is not an index`);
      return null;
    }
    const i = Number(parts[2]);
    if (out.count !== undefined && i >= out.count) {
      this.error('BAD_OUTPUT_INDEX', where, `${label}: output arg ${JSON.stringify(outArg)} of node ${JSON.stringify(head)} has ${out.count} element(s)`);
      return { count: 1, type: undefined };
    }
    return { count: 1, type: out.types?.[i] };
  }
}

function flatten(args: ArgInfo[] | undefined): (number | undefined)[] | undefined {
  if (!args) return undefined;
  const out: (number | undefined)[] = [];
  for (const a of args) {
    if (a.count === undefined || !a.types) return undefined;
    out.push(...a.types);
  }
  return out;
}

function dataInputs(node: tensorflow.INodeDef): string[] {
  return (node.input ?? []).filter((s) => !s.startsWith('^'));
}
