// Tape rewrites that make the graph read like TensorFlow's own, before lowering.
//
// matmul-2d: tfjs runs every 2-D matMul as a batch matmul: Reshape [M,K]->[1,M,K] and
// [K,N]->[1,K,N], _FusedMatMul/BatchMatMul, Reshape [1,M,N]->[M,N] (tfjs-layers' Dense does
// this). When the product feeds only that last Reshape, the call is rewired to the rank-2
// operands, so it lowers to MatMul (+ BiasAdd + activation) and the Reshapes vanish (unused
// ones are pruned, the last one becomes a no-op).
import { symEquals, type SymDim } from './sym.js';
import type { InputRef, SymCall, SymTape, SymValue } from './tape.js';

function ids(ref: InputRef): number[] {
  return ref === null ? [] : typeof ref === 'number' ? [ref] : [...ref];
}

function sameDims(a: readonly SymDim[], b: readonly SymDim[]): boolean {
  return a.length === b.length && a.every((d, i) => symEquals(d, b[i]!));
}

export function simplifyTape(tape: SymTape): SymTape {
  const values: SymValue[] = [...tape.values];
  const calls: SymCall[] = [...tape.calls];
  const consumers = new Map<number, number[]>();
  calls.forEach((c, ci) => {
    for (const [, ref] of c.inputs) {
      for (const id of ids(ref)) {
        const list = consumers.get(id);
        if (list) list.push(ci); else consumers.set(id, [ci]);
      }
    }
  });
  const outputs = new Set(tape.outputs);
  const producer = (id: number): SymCall | undefined => {
    const s = values[id]!.source;
    return s.kind === 'kernel' ? calls[s.call] : undefined;
  };
  /** The rank-2 tensor a [1, ...] Reshape was made from. */
  const unbatched = (id: number): number | undefined => {
    const p = producer(id);
    if (!p || p.kernel !== 'Reshape') return undefined;
    const x = p.inputs.find(([n]) => n === 'x')?.[1];
    if (typeof x !== 'number') return undefined;
    const xs = values[x]!.shape, out = values[id]!.shape;
    return xs.length === 2 && out.length === 3 && out[0] === 1 && sameDims(out.slice(1), xs) ? x : undefined;
  };

  calls.forEach((c, ci) => {
    if (c.kernel !== '_FusedMatMul' && c.kernel !== 'BatchMatMul') return;
    const aRef = c.inputs.find(([n]) => n === 'a')?.[1], bRef = c.inputs.find(([n]) => n === 'b')?.[1];
    if (typeof aRef !== 'number' || typeof bRef !== 'number' || c.outputs.length !== 1) return;
    const a2 = unbatched(aRef), b2 = unbatched(bRef);
    const out = c.outputs[0]!;
    const users = consumers.get(out) ?? [];
    if (a2 === undefined || b2 === undefined || outputs.has(out) || users.length !== 1) return;
    // bias / prelu weights of rank 3 would broadcast the rank-2 product back to rank 3
    const extraRank = c.inputs.filter(([n]) => n !== 'a' && n !== 'b').flatMap(([, r]) => ids(r)).some((id) => values[id]!.shape.length > 2);
    if (extraRank) return;
    const next = calls[users[0]!]!;
    const outShape = values[out]!.shape;
    const nextOut = next.outputs[0];
    if (next.kernel !== 'Reshape' || nextOut === undefined || outShape.length !== 3 || outShape[0] !== 1 || !sameDims(values[nextOut]!.shape, outShape.slice(1))) return;
    calls[ci] = { ...c, inputs: c.inputs.map(([n, r]) => [n, n === 'a' ? a2 : n === 'b' ? b2 : r] as const) };
    values[out] = { ...values[out]!, shape: outShape.slice(1) };
  });
  return { ...tape, values, calls };
}
