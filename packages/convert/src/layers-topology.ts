// Repairs to a layers model.json's topology before tfjs-layers builds it. tfjs 4.x's own
// model.save writes SeparableConv1D/2D without `depth_multiplier` (its getConfig leaves it out),
// so any such model saved with a multiplier other than 1 cannot be loaded back by tfjs: the layer
// is built with multiplier 1 and its depthwise kernel no longer fits. The kernel's own shape in
// the weights manifest ([..., in_channels, multiplier]) says what the multiplier was.

interface Spec { name: string; shape: number[] }

/** A copy of `topology` with each SeparableConv's missing depth_multiplier read off its depthwise kernel. */
export function repairLayersTopology(topology: unknown, specs: readonly Spec[]): unknown {
  const fix = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(fix); return; }
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const cfg = o.config as Record<string, unknown> | undefined;
    if (typeof o.class_name === 'string' && /^SeparableConv[12]D$/.test(o.class_name) && cfg && typeof cfg === 'object'
      && cfg.depth_multiplier === undefined && typeof cfg.name === 'string') {
      const suffix = `${cfg.name}/depthwise_kernel`;
      const kernel = specs.find((s) => s.name === suffix || s.name.endsWith(`/${suffix}`));
      const m = kernel?.shape[kernel.shape.length - 1];
      if (typeof m === 'number' && Number.isInteger(m) && m > 1) cfg.depth_multiplier = m;
    }
    for (const v of Object.values(o)) fix(v);
  };
  if (!JSON.stringify(topology ?? null).includes('SeparableConv')) return topology;
  const copy = structuredClone(topology);
  fix(copy);
  return copy;
}
