// tfjs's reduction kernels as their attrs name the axes (Max says reductionIndices, the others
// axis), and the shape a reduction leaves. One place for the lowering, shapes-only tracing and
// the one-trace shape rules: a rule reading Max's axes from `axis` reduced every axis.
export const REDUCTION_AXIS_ATTR: Readonly<Record<string, 'axis' | 'reductionIndices'>> = {
  Sum: 'axis', Mean: 'axis', Prod: 'axis', Min: 'axis', All: 'axis', Any: 'axis', Max: 'reductionIndices',
};

/** `shape` with `axes` (normalized) dropped, or set to `one` with keepDims. */
export function reducedShape<T>(shape: readonly T[], axes: readonly number[], keepDims: boolean, one: T): T[] {
  const out: T[] = [];
  shape.forEach((d, i) => { if (!axes.includes(i)) out.push(d); else if (keepDims) out.push(one); });
  return out;
}
