// Which batch shapes tfjs's matMul (4.x) pairs right. It flattens each operand's batch dimensions
// to one count and takes matrix `i % count` of each side for output matrix `i` (row-major over the
// common batch shape). That index is the right one exactly when the side's batch shape, padded on
// the left with 1s to the common rank, is 1 up to some axis k and equal to the common shape from
// k on (a "tail" of it): then `i % count` is the index over those trailing axes.

/**
 * The shape to broadcast an operand of shape `shape` (batch dims, then the matrix's two) to before
 * tfjs's matMul, or undefined when it can go as it is. The target keeps the operand's leading 1s
 * and takes the common `batch` shape from the first axis it does not broadcast: the least
 * expansion that makes it a tail.
 */
export function matMulSafeShape(shape: readonly number[], batch: readonly number[]): number[] | undefined {
  const own = shape.slice(0, -2);
  const padded = [...Array<number>(batch.length - own.length).fill(1), ...own];
  const first = padded.findIndex((d) => d !== 1);
  if (first < 0) return undefined;
  let tail = true;
  for (let i = first; i < batch.length; i++) if (padded[i] !== batch[i]) tail = false;
  if (tail) return undefined;
  return [...Array<number>(first).fill(1), ...batch.slice(first), ...shape.slice(-2)];
}
