// TensorFlow's EnsureShape in the graph models convert writes. Its expected shape is an attr;
// tfjs-converter (4.x) reads it from a second input that TF's op does not have, so stock tfjs
// could not run a graph holding one. Written as an Identity: the value passes through unchanged
// (the shape check itself is TensorFlow's, and loadSavedModel's, which runs EnsureShape as its
// own op; a tfjs graph model has no op that could check it).
import type { tensorflow } from '@savedmodel-js/core';
import type { FrozenGraph } from '@savedmodel-js/runtime';

/** `g` with every EnsureShape an Identity of its input (same name, same T); `g` is not changed. */
export function portableEnsureShape(g: FrozenGraph): FrozenGraph {
  if (!g.nodes.some((n) => n.op === 'EnsureShape')) return g;
  const nodes = g.nodes.map((n): tensorflow.INodeDef => {
    if (n.op !== 'EnsureShape') return n;
    const attr: Record<string, tensorflow.IAttrValue> = {};
    if (n.attr?.T) attr.T = n.attr.T;
    return { ...n, op: 'Identity', attr };
  });
  return { ...g, nodes };
}
