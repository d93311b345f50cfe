// `Case` / `StatelessCase` (an N-way switch on an int32 branch index) has no TensorFlow.js
// kernel, so before freezing each one becomes a chain of `If` / `StatelessIf`, which
// tfjs-converter's executor runs:
//
//   Case(i, args; branches b0…bN-1)  →  If(i == 0, then: call b0, else: E1)(i, args)
//   E_k(i, args) = If(i == k, then: call b_k, else: E_k+1)(i, args)      (1 ≤ k ≤ N-2)
//   E_N-1(i, args) = call b_N-1(args)
//
// so an index out of range (negative or ≥ N) runs the last branch, as TensorFlow's CaseOp does.
// The wrappers are synthesized FunctionDefs (function-style references); the branch index
// travels as an extra first argument so each level can compare it. The Case node keeps its
// name (and output arg name "output"), so every reference to it still resolves.
import { SavedModelError, tensorflow } from '@savedmodel-js/core';

const DT = tensorflow.DataType;
const CASE_OPS = new Set(['Case', 'StatelessCase']);

const isCase = (n: tensorflow.INodeDef) => CASE_OPS.has(n.op ?? '');

export interface LoweredGraph {
  nodes: tensorflow.INodeDef[];
  functions: tensorflow.IFunctionDef[];
}

function int32Const(name: string, value: number): tensorflow.INodeDef {
  return { name, op: 'Const', input: [], attr: { dtype: { type: DT.DT_INT32 }, value: { tensor: { dtype: DT.DT_INT32, tensor_shape: {}, int_val: [value] } } } };
}

function equal(name: string, a: string, b: string): tensorflow.INodeDef {
  return { name, op: 'Equal', input: [a, b], attr: { T: { type: DT.DT_INT32 }, incompatible_shape_error: { b: true } } };
}

/**
 * The graph's nodes and library with every Case / StatelessCase lowered to If chains; the input
 * arrays are returned unchanged when there is none (nothing is copied). Nodes are not mutated.
 */
/** `base`, or `base_1`, `base_2`, … : the first name not in `taken`, which then holds it. */
function fresh(taken: Set<string>, base: string): string {
  let n = base;
  for (let i = 1; taken.has(n); i++) n = `${base}_${i}`;
  taken.add(n);
  return n;
}

export function lowerCaseOps(nodes: tensorflow.INodeDef[], functions: tensorflow.IFunctionDef[]): LoweredGraph {
  if (!nodes.some(isCase) && !functions.some((f) => (f.node_def ?? []).some(isCase))) return { nodes, functions };
  const taken = new Set(functions.map((f) => f.signature?.name ?? ''));
  const freshFn = (base: string) => fresh(taken, base);
  const added: tensorflow.IFunctionDef[] = [];
  const callWrappers = new Map<string, string>();

  const rewrite = (list: tensorflow.INodeDef[], graphStyle: boolean, where: string): tensorflow.INodeDef[] => {
    if (!list.some(isCase)) return list;
    const names = new Set(list.map((n) => n.name ?? ''));
    const freshNode = (base: string) => fresh(names, base);
    const out: tensorflow.INodeDef[] = [];
    for (const n of list) {
      if (!isCase(n)) { out.push(n); continue; }
      const name = n.name ?? '';
      const stateless = n.op === 'StatelessCase';
      const branches = n.attr?.branches?.list?.func ?? [];
      if (branches.length === 0) throw new SavedModelError('INVALID_GRAPH', `${n.op} ${name} in ${where} has no branches`, { key: name });
      const tin = [...(n.attr?.Tin?.list?.type ?? [])];
      const tout = [...(n.attr?.Tout?.list?.type ?? [])];
      const inputs = n.input ?? [];
      const data = inputs.filter((i) => !i.startsWith('^'));
      const control = inputs.filter((i) => i.startsWith('^'));
      if (data.length !== tin.length + 1) {
        throw new SavedModelError('INVALID_GRAPH', `${n.op} ${name} in ${where} has ${data.length} data inputs, but Tin lists ${tin.length} (+ the branch index)`, { key: name });
      }
      const shapes = n.attr?.output_shapes;
      const sig: WrapperSig = { tin, tout };

      const callWrapper = (b: tensorflow.INameAttrList): string => {
        const key = `${stateless}\0${JSON.stringify(b)}\0${tin.join(',')}\0${tout.join(',')}`;
        const have = callWrappers.get(key);
        if (have) return have;
        const fname = freshFn(`${b.name ?? 'branch'}_case_call`);
        callWrappers.set(key, fname);
        added.push(wrapperFn(fname, sig, [{
          name: 'call',
          op: stateless ? 'PartitionedCall' : 'StatefulPartitionedCall',
          input: tin.map((_, i) => `arg_${i}`),
          attr: { f: { func: b }, Tin: { list: { type: tin } }, Tout: { list: { type: tout } } },
        }], 'call'));
        return fname;
      };
      const ifNode = (nodeName: string, pred: string, index: string, args: string[], thenF: string, elseF: string): tensorflow.INodeDef => {
        const attr: Record<string, tensorflow.IAttrValue> = {
          Tcond: { type: DT.DT_BOOL },
          Tin: { list: { type: [DT.DT_INT32, ...tin] } },
          Tout: { list: { type: tout } },
          then_branch: { func: { name: thenF } },
          else_branch: { func: { name: elseF } },
        };
        if (shapes) attr.output_shapes = shapes;
        return { name: nodeName, op: stateless ? 'StatelessIf' : 'If', input: [pred, index, ...args], attr };
      };

      if (branches.length === 1) {
        // one branch runs whatever the index says
        out.push({ name, op: stateless ? 'PartitionedCall' : 'StatefulPartitionedCall', input: [...data.slice(1), ...control], attr: { f: { func: branches[0]! }, Tin: { list: { type: tin } }, Tout: { list: { type: tout } } } });
        continue;
      }
      // the chain's tail first: E_N-1 = the last branch, then E_k for k = N-2 … 1
      let elseF = callWrapper(branches[branches.length - 1]!);
      for (let k = branches.length - 2; k >= 1; k--) {
        const fname = freshFn(`${name.replace(/[^A-Za-z0-9_.-]/g, '_')}_case_${k}`);
        added.push(wrapperFn(fname, sig, [
          int32Const('k', k),
          equal('is_k', 'branch_index', 'k:output:0'),
          ifNode('if', 'is_k:z:0', 'branch_index', tin.map((_, i) => `arg_${i}`), callWrapper(branches[k]!), elseF),
        ], 'if'));
        elseF = fname;
      }
      const zero = freshNode(`${name}/case_branch_0`);
      const pred = freshNode(`${name}/case_is_branch_0`);
      out.push(int32Const(zero, 0));
      out.push(equal(pred, data[0]!, graphStyle ? zero : `${zero}:output:0`));
      const lowered = ifNode(name, graphStyle ? pred : `${pred}:z:0`, data[0]!, data.slice(1), callWrapper(branches[0]!), elseF);
      lowered.input!.push(...control);
      if (n.device) lowered.device = n.device;
      out.push(lowered);
    }
    return out;
  };

  const lowered = functions.map((f) => {
    const body = rewrite(f.node_def ?? [], false, `function ${f.signature?.name}`);
    return body === f.node_def ? f : { ...f, node_def: body };
  });
  return { nodes: rewrite(nodes, true, 'the graph'), functions: [...lowered, ...added] };
}

interface WrapperSig {
  tin: number[];
  tout: number[];
}

/** fname(branch_index, arg_0…) → out_j = `<retNode>:output:j`. */
function wrapperFn(fname: string, sig: WrapperSig, body: tensorflow.INodeDef[], retNode: string): tensorflow.IFunctionDef {
  return {
    signature: {
      name: fname,
      input_arg: [{ name: 'branch_index', type: DT.DT_INT32 }, ...sig.tin.map((type, i) => ({ name: `arg_${i}`, type }))],
      output_arg: sig.tout.map((type, j) => ({ name: `out_${j}`, type })),
    },
    node_def: body,
    ret: Object.fromEntries(sig.tout.map((_, j) => [`out_${j}`, `${retNode}:output:${j}`])),
  };
}
