// Splitting the fused ops of a tfjs graph model back into ops of TensorFlow's public registry.
//
// tensorflowjs_converter runs Grappler's remapper and its own passes, which leave ops that are
// not in the op registry a SavedModel consumer can count on:
//  - _FusedConv2D / _FusedMatMul (Grappler) and FusedDepthwiseConv2dNative (tfjs): the main op
//    on inputs 0 and 1, then `fused_ops` applied in order, taking `num_args` extra inputs:
//    BiasAdd (1 arg: bias), FusedBatchNorm (4 args: scale, offset, mean, variance, with
//    `epsilon`), Add (1 arg), then an activation (Relu, Relu6, Elu, Selu, Sigmoid, Tanh,
//    LeakyRelu with `leakyrelu_alpha`, or tfjs' Prelu taking the next arg as alpha);
//  - _FusedBatchNormEx (Grappler): FusedBatchNormV3, plus `num_side_inputs` added, then
//    `activation_mode`;
//  - Prelu (tfjs): relu(x) - alpha * relu(-x), as Keras' PReLU computes it.
// The last op of each chain keeps the fused node's name, so consumers are unchanged at the top
// level; inside functions ("node:out_arg:i" references) the output arg name is rewritten.
import { SavedModelError, getOpDef, tensorflow } from '@savedmodel-js/core';
import { quoteSnippet } from '@savedmodel-js/core/internal';

const DT = tensorflow.DataType;
type NodeDef = tensorflow.INodeDef;
type Attrs = Record<string, tensorflow.IAttrValue>;

export const FUSED_OPS = new Set(['_FusedConv2D', '_FusedMatMul', 'FusedDepthwiseConv2dNative', '_FusedBatchNormEx', 'Prelu']);

const utf8 = new TextDecoder();

function strings(a: tensorflow.IAttrValue | undefined): string[] {
  return (a?.list?.s ?? []).map((b) => (typeof b === 'string' ? b : utf8.decode(b)));
}

function str(a: tensorflow.IAttrValue | undefined, dflt: string): string {
  const s = a?.s;
  if (s == null) return dflt;
  return typeof s === 'string' ? s : utf8.decode(s);
}

/** Only the attrs `op` declares (plus "_" private ones), copied from the fused node. */
function declaredAttrs(op: string, from: Attrs): Attrs {
  const def = getOpDef(op);
  const names = new Set((def?.attr ?? []).map((a) => a.name ?? ''));
  const out: Attrs = {};
  for (const [k, v] of Object.entries(from)) if (names.has(k) || k.startsWith('_')) out[k] = v;
  return out;
}

/** The registry name of the first output arg of `op` (for "node:out_arg:i" references in functions). */
function firstOutputArg(op: string): string {
  return getOpDef(op)?.output_arg?.[0]?.name ?? 'output';
}

interface Emit {
  nodes: NodeDef[];
  /** Output arg name of the node that now carries the fused node's name. */
  outputArg: string;
}

class Splitter {
  private readonly out: NodeDef[] = [];
  private readonly attrs: Attrs;
  private readonly t: tensorflow.IAttrValue;

  constructor(private readonly node: NodeDef, private readonly taken: Set<string>, private readonly inFunction: boolean) {
    this.attrs = node.attr ?? {};
    this.t = this.attrs.T ?? { type: DT.DT_FLOAT };
  }

  private fail(what: string): never {
    throw new SavedModelError('UNSUPPORTED', `cannot split ${this.node.op} node ${JSON.stringify(quoteSnippet(this.node.name ?? ''))}: ${what}`, { key: this.node.name ?? '' });
  }

  private unique(base: string): string {
    let n = base, i = 1;
    while (this.taken.has(n)) n = `${base}_${i++}`;
    this.taken.add(n);
    return n;
  }

  /** Adds an intermediate node; returns its first output as an input reference. */
  private add(suffix: string, op: string, inputs: string[], attrs: Attrs): string {
    const name = this.unique(`${this.node.name}/${suffix}`);
    const n: NodeDef = { name, op, input: inputs, attr: attrs };
    if (this.node.device) n.device = this.node.device;
    this.out.push(n);
    return this.inFunction ? `${name}:${firstOutputArg(op)}:0` : name;
  }

  /** Renames the last node emitted to the fused node's name (consumers keep their references). */
  private finish(controls: string[]): Emit {
    // Nothing emitted references the last node, so renaming it is local.
    const last = this.out[this.out.length - 1]!;
    this.taken.delete(last.name!);
    last.name = this.node.name!;
    last.input = [...(last.input ?? []), ...controls];
    return { nodes: this.out, outputArg: firstOutputArg(last.op!) };
  }

  private activation(x: string, act: string, args: string[], next: () => string): string {
    const t = { T: this.t };
    switch (act.toLowerCase()) {
      case 'relu': return this.add('Relu', 'Relu', [x], t);
      case 'relu6': return this.add('Relu6', 'Relu6', [x], t);
      case 'elu': return this.add('Elu', 'Elu', [x], t);
      case 'selu': return this.add('Selu', 'Selu', [x], t);
      case 'sigmoid': return this.add('Sigmoid', 'Sigmoid', [x], t);
      case 'tanh': return this.add('Tanh', 'Tanh', [x], t);
      case 'leakyrelu': {
        const alpha = this.attrs.leakyrelu_alpha?.f ?? 0.2;
        return this.add('LeakyRelu', 'LeakyRelu', [x], { T: this.t, alpha: { f: alpha } });
      }
      case 'prelu': return this.prelu(x, next());
      default: void args; return this.fail(`activation ${JSON.stringify(quoteSnippet(act))} has no counterpart in the op registry`);
    }
  }

  /** relu(x) - alpha * relu(-x): exactly alpha * x for x < 0 and x otherwise. */
  prelu(x: string, alpha: string): string {
    const t = { T: this.t };
    const pos = this.add('Relu', 'Relu', [x], t);
    const negX = this.add('Neg', 'Neg', [x], t);
    const negPart = this.add('Relu_1', 'Relu', [negX], t);
    const scaled = this.add('mul', 'Mul', [alpha, negPart], t);
    return this.add('sub', 'Sub', [pos, scaled], t);
  }

  private batchNorm(x: string, scale: string, offset: string, mean: string, variance: string, epsilon: number, dataFormat: tensorflow.IAttrValue | undefined): string {
    const attrs: Attrs = { T: this.t, U: { type: DT.DT_FLOAT }, epsilon: { f: epsilon }, is_training: { b: false } };
    if (dataFormat) attrs.data_format = dataFormat;
    return this.add('FusedBatchNormV3', 'FusedBatchNormV3', [x, scale, offset, mean, variance], attrs);
  }

  /** _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul. */
  contraction(mainOp: 'Conv2D' | 'DepthwiseConv2dNative' | 'MatMul', data: string[], controls: string[]): Emit {
    const ops = strings(this.attrs.fused_ops);
    const numArgs = Number(this.attrs.num_args?.i ?? data.length - 2);
    if (data.length < 2) this.fail('it needs two inputs');
    const args = data.slice(2);
    if (args.length !== numArgs) this.fail(`num_args is ${numArgs} but it has ${args.length} extra inputs`);
    let k = 0;
    const next = () => {
      if (k >= args.length) this.fail(`fused_ops [${ops.join(', ')}] need more than its ${args.length} extra inputs`);
      return args[k++]!;
    };
    const mainAttrs = declaredAttrs(mainOp, this.attrs);
    mainAttrs.T = this.t;
    let x = this.add(mainOp, mainOp, [data[0]!, data[1]!], mainAttrs);
    const isConv = mainOp !== 'MatMul';
    ops.forEach((op, i) => {
      switch (op) {
        case 'BiasAdd': {
          const attrs: Attrs = { T: this.t };
          if (isConv && this.attrs.data_format) attrs.data_format = this.attrs.data_format;
          x = this.add('BiasAdd', 'BiasAdd', [x, next()], attrs);
          break;
        }
        case 'FusedBatchNorm': {
          if (!isConv) this.fail('FusedBatchNorm after MatMul is not a Grappler fusion');
          const [s, o, m, v] = [next(), next(), next(), next()];
          x = this.batchNorm(x, s, o, m, v, this.attrs.epsilon?.f ?? 0.0001, this.attrs.data_format);
          break;
        }
        case 'Add': case 'AddV2':
          x = this.add('add', 'AddV2', [x, next()], { T: this.t });
          break;
        default:
          if (i === 0 && ops.length > 1) this.fail(`fused_ops [${ops.join(', ')}] start with an unknown op`);
          x = this.activation(x, op, args, next);
      }
    });
    if (k !== args.length) this.fail(`fused_ops [${ops.join(', ')}] use ${k} of its ${args.length} extra inputs`);
    return this.finish(controls);
  }

  /** _FusedBatchNormEx: FusedBatchNormV3, side inputs added, activation_mode. */
  batchNormEx(data: string[], controls: string[]): Emit {
    if (data.length < 5) this.fail('it needs x, scale, offset, mean and variance');
    const attrs: Attrs = declaredAttrs('FusedBatchNormV3', this.attrs);
    attrs.T = this.t;
    attrs.U = this.attrs.U ?? { type: DT.DT_FLOAT };
    let x = this.add('FusedBatchNormV3', 'FusedBatchNormV3', data.slice(0, 5), attrs);
    for (const side of data.slice(5)) x = this.add('add', 'AddV2', [x, side], { T: this.t });
    const mode = str(this.attrs.activation_mode, 'Identity');
    if (mode !== 'Identity') this.activation(x, mode, [], () => this.fail('activation_mode Prelu has no alpha'));
    return this.finish(controls);
  }

  preluOp(data: string[], controls: string[]): Emit {
    if (data.length !== 2) this.fail('it needs x and alpha');
    this.prelu(data[0]!, data[1]!);
    return this.finish(controls);
  }
}

/** Names of nodes some consumer reads at an output other than the first (one pass over the inputs). */
function readBeyondFirstOutput(nodes: readonly NodeDef[], inFunction: boolean): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    for (const i of n.input ?? []) {
      if (i.startsWith('^')) continue;
      const parts = i.split(':');
      const idx = inFunction ? Number(parts[2] ?? 0) : Number(parts[1] ?? 0);
      if (idx !== 0) out.add(parts[0]!);
    }
  }
  return out;
}

/**
 * `nodes` with every fused op split (a new array; untouched nodes are the same objects). In a
 * function body, consumers' "fused:output:0" references follow the new output arg name.
 */
export function unfuseNodes(nodes: readonly NodeDef[], inFunction = false): { nodes: NodeDef[]; split: Map<string, number> } {
  const split = new Map<string, number>();
  if (!nodes.some((n) => FUSED_OPS.has(n.op ?? ''))) return { nodes: [...nodes], split };
  const taken = new Set(nodes.map((n) => n.name ?? ''));
  const out: NodeDef[] = [];
  const renamedArg = new Map<string, string>();
  const multiOutput = readBeyondFirstOutput(nodes, inFunction);
  for (const n of nodes) {
    const op = n.op ?? '';
    if (!FUSED_OPS.has(op)) { out.push(n); continue; }
    const data = (n.input ?? []).filter((i) => !i.startsWith('^'));
    const controls = (n.input ?? []).filter((i) => i.startsWith('^'));
    if (multiOutput.has(n.name ?? '')) {
      throw new SavedModelError('UNSUPPORTED', `cannot split ${op} node ${JSON.stringify(quoteSnippet(n.name ?? ''))}: a consumer reads an output other than its first`, { key: n.name ?? '' });
    }
    const s = new Splitter(n, taken, inFunction);
    let e: Emit;
    switch (op) {
      case '_FusedConv2D': e = s.contraction('Conv2D', data, controls); break;
      case 'FusedDepthwiseConv2dNative': e = s.contraction('DepthwiseConv2dNative', data, controls); break;
      case '_FusedMatMul': e = s.contraction('MatMul', data, controls); break;
      case '_FusedBatchNormEx': e = s.batchNormEx(data, controls); break;
      default: e = s.preluOp(data, controls);
    }
    out.push(...e.nodes);
    split.set(op, (split.get(op) ?? 0) + 1);
    if (inFunction) renamedArg.set(n.name ?? '', e.outputArg);
  }
  if (inFunction && renamedArg.size > 0) {
    const fix = (ref: string) => {
      if (ref.startsWith('^')) return ref;
      const parts = ref.split(':');
      const arg = parts.length === 3 ? renamedArg.get(parts[0]!) : undefined;
      return arg === undefined ? ref : `${parts[0]}:${arg}:${parts[2]}`;
    };
    for (let i = 0; i < out.length; i++) {
      const n = out[i]!;
      if ((n.input ?? []).some((r) => fix(r) !== r)) out[i] = { ...n, input: (n.input ?? []).map(fix) };
    }
  }
  return { nodes: out, split };
}

/** The same for a FunctionDef's body and its `ret` map. */
export function unfuseFunction(f: tensorflow.IFunctionDef): { fn: tensorflow.IFunctionDef; split: Map<string, number> } {
  const { nodes, split } = unfuseNodes(f.node_def ?? [], true);
  if (split.size === 0) return { fn: f, split };
  const byName = new Map(nodes.map((n) => [n.name ?? '', n]));
  const ret: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.ret ?? {})) {
    const parts = v.split(':');
    const n = byName.get(parts[0]!);
    ret[k] = parts.length === 3 && n && FUSED_OPS.has((f.node_def ?? []).find((x) => x.name === parts[0])?.op ?? '')
      ? `${parts[0]}:${firstOutputArg(n.op ?? '')}:${parts[2]}`
      : v;
  }
  return { fn: { ...f, node_def: nodes, ret }, split };
}
