// tfjs optimizers → Keras 2 (OptimizerV2) optimizers: class name, config, the hyper-parameter
// variables the checkpoint holds (`optimizer/<hyper>`, sorted by name as Keras creates them, after
// `optimizer/iter`) and the slot names. Keras hyper-parameters tfjs lacks get Keras's defaults.
//
// | tfjs (getClassName)           | Keras      | config mapping                                                        | slots                      |
// |-------------------------------|------------|-----------------------------------------------------------------------|----------------------------|
// | SGD {learningRate}            | SGD        | momentum 0, nesterov false                                            | —                          |
// | Momentum {learningRate, momentum, useNesterov} | SGD | momentum, nesterov ← useNesterov                           | momentum                   |
// | Adam {learningRate, beta1, beta2, epsilon}     | Adam | beta_1, beta_2, epsilon; amsgrad false                    | m, v                       |
// | Adamax {learningRate, beta1, beta2, epsilon, decay} | Adamax | decay ← decay (both are learning-rate decay)        | m, v                       |
// | RMSProp {learningRate, decay, momentum, epsilon, centered} | RMSprop | rho ← decay (tfjs's "decay" is the discount factor), decay 0 | rms, momentum (momentum > 0), mg (centered) |
// | Adagrad {learningRate, initialAccumulatorValue} | Adagrad | initial_accumulator_value; epsilon 1e-7                 | accumulator                |
// | Adadelta {learningRate, rho, epsilon}          | Adadelta | rho, epsilon                                          | accum_grad, accum_var      |
//
// `decay` (Keras's learning-rate decay) is 0 wherever tfjs has none.
import type * as tf from '@tensorflow/tfjs';
import { SavedModelError } from '@savedmodel-js/core';

export interface KerasOptimizer {
  className: string;
  /** Keras config (JSON): name, learning_rate, decay, … */
  config: Record<string, number | boolean | string>;
  /** Hyper-parameter variables in checkpoint order (sorted by name, as Keras creates them). */
  hypers: [string, number][];
  /** tfjs slot suffix (`<var>/m`) → Keras slot name. */
  slots: string[];
}

type Cfg = Record<string, unknown>;
const num = (c: Cfg, k: string, d: number) => (typeof c[k] === 'number' ? (c[k] as number) : d);

export function kerasOptimizer(opt: tf.Optimizer): KerasOptimizer {
  const cls = opt.getClassName();
  const c = opt.getConfig() as Cfg;
  const lr = num(c, 'learningRate', 0.001);
  let out: Omit<KerasOptimizer, 'hypers'>;
  switch (cls) {
    case 'SGD':
      out = { className: 'SGD', config: { name: 'SGD', learning_rate: lr, decay: 0, momentum: 0, nesterov: false }, slots: [] };
      break;
    case 'Momentum': {
      const momentum = num(c, 'momentum', 0);
      out = { className: 'SGD', config: { name: 'SGD', learning_rate: lr, decay: 0, momentum, nesterov: c.useNesterov === true }, slots: momentum > 0 ? ['momentum'] : [] };
      break;
    }
    case 'Adam':
      out = { className: 'Adam', config: { name: 'Adam', learning_rate: lr, decay: 0, beta_1: num(c, 'beta1', 0.9), beta_2: num(c, 'beta2', 0.999), epsilon: num(c, 'epsilon', 1e-7), amsgrad: false }, slots: ['m', 'v'] };
      break;
    case 'Adamax':
      out = { className: 'Adamax', config: { name: 'Adamax', learning_rate: lr, decay: num(c, 'decay', 0), beta_1: num(c, 'beta1', 0.9), beta_2: num(c, 'beta2', 0.999), epsilon: num(c, 'epsilon', 1e-7) }, slots: ['m', 'v'] };
      break;
    case 'RMSProp': {
      const momentum = num(c, 'momentum', 0);
      const centered = c.centered === true;
      out = {
        className: 'RMSprop', config: { name: 'RMSprop', learning_rate: lr, decay: 0, rho: num(c, 'decay', 0.9), momentum, epsilon: num(c, 'epsilon', 1e-7), centered },
        slots: ['rms', ...(momentum > 0 ? ['momentum'] : []), ...(centered ? ['mg'] : [])],
      };
      break;
    }
    case 'Adagrad':
      out = { className: 'Adagrad', config: { name: 'Adagrad', learning_rate: lr, decay: 0, initial_accumulator_value: num(c, 'initialAccumulatorValue', 0.1), epsilon: 1e-7 }, slots: ['accumulator'] };
      break;
    case 'Adadelta':
      out = { className: 'Adadelta', config: { name: 'Adadelta', learning_rate: lr, decay: 0, rho: num(c, 'rho', 0.95), epsilon: num(c, 'epsilon', 1e-7) }, slots: ['accum_grad', 'accum_var'] };
      break;
    default:
      throw new SavedModelError('UNSUPPORTED', `optimizer ${cls} has no Keras 2 counterpart (sgd, momentum, adam, adamax, rmsprop, adagrad, adadelta are mapped)`, { key: cls });
  }
  const hyperNames: Record<string, string[]> = {
    SGD: ['decay', 'learning_rate', 'momentum'], Adam: ['beta_1', 'beta_2', 'decay', 'learning_rate'], Adamax: ['beta_1', 'beta_2', 'decay', 'learning_rate'],
    RMSprop: ['decay', 'learning_rate', 'momentum', 'rho'], Adagrad: ['decay', 'learning_rate'], Adadelta: ['decay', 'learning_rate', 'rho'],
  };
  const hypers = hyperNames[out.className]!.map((h) => [h, Number(out.config[h])] as [string, number]);
  return { ...out, hypers };
}

/** optimizer_config of training_config: {class_name, config}. */
export function kerasOptimizerConfig(opt: tf.Optimizer): { class_name: string; config: Record<string, number | boolean | string> } {
  const k = kerasOptimizer(opt);
  return { class_name: k.className, config: k.config };
}

/** tfjs slot names per tfjs optimizer class, in the order its getWeights/setWeights lists them (after iter). */
export function tfjsSlotOrder(opt: tf.Optimizer): string[] {
  const c = opt.getConfig() as Cfg;
  switch (opt.getClassName()) {
    case 'Momentum': return ['momentum'];
    case 'Adam': case 'Adamax': return ['m', 'v'];
    case 'RMSProp': return ['rms', 'momentum', ...(c.centered === true ? ['mg'] : [])];
    case 'Adagrad': return ['accumulator'];
    case 'Adadelta': return ['accum_grad', 'accum_var'];
    default: return [];
  }
}

/** The tfjs optimizer for a Keras 2 optimizer config ({class_name, config}); the inverse of kerasOptimizer. */
export function tfjsOptimizer(tfx: typeof tf, optimizerConfig: unknown): tf.Optimizer {
  const oc = (optimizerConfig ?? {}) as { class_name?: unknown; config?: Cfg };
  const cls = String(oc.class_name ?? '');
  const c = oc.config ?? {};
  if (c.learning_rate !== undefined && typeof c.learning_rate !== 'number') {
    throw new SavedModelError('UNSUPPORTED', `optimizer ${cls}: a learning-rate schedule has no tfjs counterpart`, { key: cls });
  }
  const lr = num(c, 'learning_rate', 0.001);
  switch (cls) {
    case 'SGD': {
      const momentum = num(c, 'momentum', 0);
      return momentum > 0 ? tfx.train.momentum(lr, momentum, c.nesterov === true) : tfx.train.sgd(lr);
    }
    case 'Adam': return tfx.train.adam(lr, num(c, 'beta_1', 0.9), num(c, 'beta_2', 0.999), num(c, 'epsilon', 1e-7));
    case 'Adamax': return tfx.train.adamax(lr, num(c, 'beta_1', 0.9), num(c, 'beta_2', 0.999), num(c, 'epsilon', 1e-7), num(c, 'decay', 0));
    case 'RMSprop': return tfx.train.rmsprop(lr, num(c, 'rho', 0.9), num(c, 'momentum', 0), num(c, 'epsilon', 1e-7), c.centered === true);
    case 'Adagrad': return tfx.train.adagrad(lr, num(c, 'initial_accumulator_value', 0.1));
    case 'Adadelta': return tfx.train.adadelta(lr, num(c, 'rho', 0.95), num(c, 'epsilon', 1e-7));
    default:
      throw new SavedModelError('UNSUPPORTED', `Keras optimizer ${cls || '(none)'} has no tfjs counterpart (SGD, Adam, Adamax, RMSprop, Adagrad, Adadelta are mapped)`, { key: cls });
  }
}
