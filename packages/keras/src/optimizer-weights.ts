// An optimizer's state as tfjs's getWeights / setWeights exchange it — `iter`, then each slot kind
// for every variable (`<variable>/<slot>`) — for every optimizer the Keras formats map, including
// tfjs 4.x's Adamax, which implements neither: its state lives in its own fields (iteration,
// accBeta1 = beta1^(t+1), accumulatedFirstMoment `m`, accumulatedWeightedInfNorm `v`, one entry per
// variable in the order applyGradients met them), read and set here as Adam's are.
import * as tf from '@tensorflow/tfjs';

export interface NamedTensor { name: string; tensor: tf.Tensor }

interface Slot { originalName: string; variable: tf.Variable }
interface AdamaxFields {
  iterations: number;
  beta1: number;
  iteration: tf.Variable;
  accBeta1: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedWeightedInfNorm: Slot[];
}

function adamaxFields(opt: tf.Optimizer): AdamaxFields | undefined {
  const a = opt as unknown as Partial<AdamaxFields>;
  return opt.getClassName() === 'Adamax' && a.iteration instanceof tf.Variable && a.accBeta1 instanceof tf.Variable
    && Array.isArray(a.accumulatedFirstMoment) && Array.isArray(a.accumulatedWeightedInfNorm) ? a as AdamaxFields : undefined;
}

/** opt.getWeights(); for Adamax the same list from its fields (the tensors are the optimizer's own but `iter`). */
export async function readOptimizerWeights(opt: tf.Optimizer): Promise<NamedTensor[]> {
  const a = adamaxFields(opt);
  if (!a) return opt.getWeights();
  const slots = (list: Slot[]) => list.filter((s) => s != null).map((s) => ({ name: s.originalName, tensor: s.variable as tf.Tensor }));
  return [{ name: 'iter', tensor: tf.scalar(a.iterations, 'int32') }, ...slots(a.accumulatedFirstMoment), ...slots(a.accumulatedWeightedInfNorm)];
}

/** opt.setWeights(named); for Adamax its fields, as Adam's setWeights sets Adam's. */
export async function writeOptimizerWeights(opt: tf.Optimizer, named: NamedTensor[]): Promise<void> {
  const a = adamaxFields(opt);
  if (!a) { await opt.setWeights(named); return; }
  const rest = await (opt as unknown as { extractIterations(w: NamedTensor[]): Promise<NamedTensor[]> }).extractIterations(named);
  if (rest.length % 2 !== 0) throw new Error(`Adamax state has ${rest.length} slot tensors, not one m and one v per variable`);
  const n = rest.length / 2;
  const iter = a.iterations;
  tf.tidy(() => {
    a.iteration.assign(tf.scalar(iter));
    a.accBeta1.assign(tf.pow(a.beta1, iter + 1));
  });
  tf.dispose([...a.accumulatedFirstMoment, ...a.accumulatedWeightedInfNorm].filter((s) => s != null).map((s) => s.variable));
  const slots = (list: NamedTensor[]) => list.map((w) => ({ originalName: w.name, variable: w.tensor.variable(false) }));
  a.accumulatedFirstMoment = slots(rest.slice(0, n));
  a.accumulatedWeightedInfNorm = slots(rest.slice(n));
}
