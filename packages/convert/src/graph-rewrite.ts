// The scaffolding the portable-* rewrites share: a copy of a frozen graph's node list and constants
// being rebuilt, helper nodes named uniquely (`<base>`, else `<base>_1`, …, as TensorFlow names
// them) and int32 constants kept beside the nodes as the frozen graph keeps them.
import { attr, node, tensorflow } from '@savedmodel-js/core';
import type { FrozenGraph, HostTensor } from '@savedmodel-js/runtime';

type NodeDef = tensorflow.INodeDef;

export interface GraphRewrite {
  /** The rewritten node list, in order: push unchanged nodes and nodes named by the caller here. */
  nodes: NodeDef[];
  /** A name no node of the graph or of the rewrite has yet, taken. */
  unique(base: string): string;
  /** Pushes a helper node named unique(base); returns its name. */
  add(base: string, op: string, inputs: string[], attrs: Record<string, tensorflow.IAttrValue>): string;
  /** Pushes an int32 Const named unique(base) of `shape` (a scalar for []) with its value; returns its name. */
  int32Const(base: string, values: number[], shape: number[]): string;
  /** `g` with the rewritten nodes and constants (`g` itself is not changed). */
  result(): FrozenGraph;
}

export function graphRewrite(g: FrozenGraph): GraphRewrite {
  const used = new Set(g.nodes.map((n) => n.name ?? ''));
  const constants = new Map(g.constants);
  const nodes: NodeDef[] = [];
  const unique = (base: string): string => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const INT32 = attr.type(tensorflow.DataType.DT_INT32);
  return {
    nodes,
    unique,
    add(base, op, inputs, attrs) {
      const name = unique(base);
      nodes.push(node(name, op, inputs, attrs));
      return name;
    },
    int32Const(base, values, shape) {
      const name = unique(base);
      constants.set(name, { dtype: tensorflow.DataType.DT_INT32, shape, values: Int32Array.from(values) } satisfies HostTensor);
      nodes.push(node(name, 'Const', [], { dtype: INT32 }));
      return name;
    },
    result: () => ({ ...g, nodes, constants }),
  };
}
