// Graph node names (= name-based checkpoint keys) for tfjs variables: model weights by their
// weight names, optimizer slots as `training/<Optimizer>/<weight>/<slot>`, the optimizer's other
// variables (Adam's beta powers) by their field name. Names are made node-name safe and unique.
import * as tf from '@tensorflow/tfjs';

function safe(s: string): string {
  let n = s.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
  if (!/^[A-Za-z0-9.]/.test(n)) n = `v${n}`;
  return n;
}

export class VariableNames {
  private readonly names = new Map<tf.Variable, string>();
  private readonly used = new Set<string>();

  add(v: tf.Variable, name: string): string {
    const have = this.names.get(v);
    if (have !== undefined) return have;
    const base = safe(name);
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    this.names.set(v, n);
    return n;
  }

  /** Slot variables (from getWeights) and any other tf.Variable field of the optimizer. */
  async addOptimizer(opt: tf.Optimizer): Promise<void> {
    const cls = (opt.getClassName?.() ?? 'Optimizer').replace(/Optimizer$/, '') || 'Optimizer';
    let weights: { name: string; tensor: tf.Tensor }[] = [];
    try {
      weights = await opt.getWeights();
    } catch {
      // some tfjs optimizers (Adamax) do not implement getWeights: their fields are scanned below
    }
    for (const w of weights.slice(1)) {
      if (w.tensor instanceof tf.Variable) this.add(w.tensor, `training/${cls}/${w.name}`);
    }
    weights[0]?.tensor.dispose(); // the iteration count is a fresh scalar
    for (const [k, val] of Object.entries(opt)) {
      if (val instanceof tf.Variable) this.add(val, `training/${cls}/${k}`);
      // slot lists: [{originalName, variable}]
      if (Array.isArray(val)) {
        for (const e of val as unknown[]) {
          const slot = e as { originalName?: unknown; variable?: unknown } | null;
          if (slot && slot.variable instanceof tf.Variable) this.add(slot.variable, `training/${cls}/${typeof slot.originalName === 'string' ? slot.originalName : k}`);
        }
      }
    }
  }

  name(v: tf.Variable): string {
    return this.names.get(v) ?? this.add(v, `variable_${v.name}`);
  }
}
