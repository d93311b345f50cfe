// A TF1 top-level GraphDef under construction: graph-style tensor names ("node", "node:1"),
// unique node names, and the import of a traced FunctionDef body into it (TF1 graphs have no
// functions: the body's nodes become top-level nodes, its args are bound to graph tensors).
import { SavedModelError, attr, getOpDef, tensorflow } from '@savedmodel-js/core';
import { toNumber } from '@savedmodel-js/core/internal';

const DT = tensorflow.DataType;

export class GraphV1 {
  readonly nodes: tensorflow.INodeDef[] = [];
  private readonly used = new Set<string>();
  private readonly byName = new Map<string, tensorflow.INodeDef>();

  /** `base`, or `base_1`, `base_2`, … as TF1's graph uniquifies op names. */
  unique(base: string): string {
    if (!this.used.has(base)) { this.used.add(base); return base; }
    for (let i = 1; ; i++) {
      const n = `${base}_${i}`;
      if (!this.used.has(n)) { this.used.add(n); return n; }
    }
  }

  /** Adds a node named exactly `name` (made unique) and returns its name. */
  add(name: string, op: string, inputs: readonly string[], attrs: Record<string, tensorflow.IAttrValue> = {}): string {
    const n = this.unique(name);
    const nd: tensorflow.INodeDef = { name: n, op, input: [...inputs], attr: { ...attrs } };
    this.nodes.push(nd);
    this.byName.set(n, nd);
    return n;
  }

  node(name: string): tensorflow.INodeDef | undefined {
    return this.byName.get(name);
  }

  constString(name: string, values: readonly string[], dims: readonly number[] = values.length === 1 ? [] : [values.length]): string {
    const enc = new TextEncoder();
    return this.add(name, 'Const', [], {
      dtype: attr.type(DT.DT_STRING),
      value: attr.tensor({ dtype: DT.DT_STRING, tensor_shape: { dim: dims.map((size) => ({ size })) }, string_val: values.map((v) => enc.encode(v)) }),
    });
  }

  constInt(name: string, value: number): string {
    return this.add(name, 'Const', [], { dtype: attr.type(DT.DT_INT32), value: attr.tensor({ dtype: DT.DT_INT32, tensor_shape: {}, int_val: [value] }) });
  }

  /**
   * Copies FunctionDef body nodes into the graph under `prefix` ("" = top level). `bindings`
   * maps the function's arg names to graph tensors. Returns a mapper from function-style
   * references ("node:out_arg:i", "arg") to graph-style ones.
   */
  importBody(body: readonly tensorflow.INodeDef[], bindings: ReadonlyMap<string, string>, prefix = ''): (ref: string) => string {
    const renamed = new Map<string, string>();
    const ops = new Map<string, tensorflow.INodeDef>();
    for (const n of body) {
      const name = n.name ?? '';
      renamed.set(name, this.unique(prefix ? `${prefix}/${name}` : name));
      ops.set(name, n);
    }
    const map = (ref: string): string => {
      if (ref.startsWith('^')) return `^${graphNode(map(ref.slice(1)))}`;
      const parts = ref.split(':');
      if (parts.length === 1) {
        const b = bindings.get(ref);
        if (b !== undefined) return b;
        const r = renamed.get(ref);
        if (r !== undefined) return r;
        throw new SavedModelError('INVALID_GRAPH', `traced function refers to unknown argument ${ref}`, { key: ref });
      }
      const [nodeName, argName, idx] = parts as [string, string, string];
      const src = ops.get(nodeName);
      const target = renamed.get(nodeName);
      if (!src || target === undefined) throw new SavedModelError('INVALID_GRAPH', `traced function refers to unknown node ${nodeName}`, { key: ref });
      const flat = flatOutputIndex(src, argName, Number(idx ?? 0));
      return flat === 0 ? target : `${target}:${flat}`;
    };
    for (const n of body) {
      const nd: tensorflow.INodeDef = { name: renamed.get(n.name ?? '')!, op: n.op ?? '', input: (n.input ?? []).map(map), attr: { ...(n.attr ?? {}) } };
      this.nodes.push(nd);
      this.byName.set(nd.name!, nd);
    }
    return map;
  }

  graphDef(producer: number): tensorflow.IGraphDef {
    return { node: this.nodes, versions: { producer } };
  }
}

/** Node name of a graph-style tensor reference. */
export function graphNode(ref: string): string {
  const r = ref.startsWith('^') ? ref.slice(1) : ref;
  const i = r.lastIndexOf(':');
  return i >= 0 && /^\d+$/.test(r.slice(i + 1)) ? r.slice(0, i) : r;
}

/** Tensor name as signatures write it ("node:0"). */
export function tensorName(ref: string): string {
  return /:\d+$/.test(ref) ? ref : `${ref}:0`;
}

/** Flat output index of output arg `argName`, element `k` of node `n` (list args count their length). */
function flatOutputIndex(n: tensorflow.INodeDef, argName: string, k: number): number {
  const def = getOpDef(n.op ?? '');
  if (!def) throw new SavedModelError('INVALID_GRAPH', `op ${n.op} of node ${n.name} is not in the op registry`, { key: n.name ?? '' });
  let base = 0;
  for (const a of def.output_arg ?? []) {
    if (a.name === argName) return base + k;
    if (a.number_attr) base += toNumber(n.attr?.[a.number_attr]?.i ?? 0);
    else if (a.type_list_attr) base += n.attr?.[a.type_list_attr]?.list?.type?.length ?? 0;
    else base += 1;
  }
  throw new SavedModelError('INVALID_GRAPH', `op ${n.op} has no output ${argName} (node ${n.name})`, { key: n.name ?? '' });
}
