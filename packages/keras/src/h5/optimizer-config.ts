// tfjs optimizers ↔ Keras optimizers: class names, hyper-parameters and slot variables.
//
//   tfjs (class, config)                           Keras 2 (OptimizerV2)     Keras 3
//   SGD      {learningRate}                        SGD momentum 0            SGD momentum 0
//   Momentum {learningRate, momentum, useNesterov} SGD momentum, nesterov    SGD momentum, nesterov
//   Adam     {learningRate, beta1, beta2, epsilon} Adam                      Adam
//   Adamax   {+ decay}                             Adamax (decay)            Adamax (decay dropped)
//   RMSProp  {learningRate, decay, momentum, epsilon, centered}  RMSprop: tfjs `decay` is Keras `rho`
//   Adagrad  {learningRate, initialAccumulatorValue}  Adagrad (epsilon: Keras default 1e-7)
//   Adadelta {learningRate, rho, epsilon}          Adadelta
// Hyper-parameters tfjs lacks get Keras's defaults (decay 0, amsgrad false, …).
//
// Slots, in tfjs's getWeights() order (after `iter`) and Keras 2's creation order (all of one kind,
// then the next): Momentum momentum; Adam/Adamax m, v; RMSprop rms, momentum (Keras only when
// momentum > 0), mg (centered); Adagrad accumulator; Adadelta accum_grad, accum_var. Keras 3 names
// them momentum/velocity/…, and Adam, Adamax and Adadelta interleave them per variable.
import { SavedModelError } from '@savedmodel-js/core';

export interface OptimizerSpec {
  /** tfjs class name. */
  tfjs: string;
  /** Keras class name. */
  keras: string;
  /** Slot kinds in tfjs order (tfjs may hold slots Keras omits; see `kerasSlots`). */
  slots: string[];
  /** The slots Keras keeps for this config, in Keras 2 order. */
  kerasSlots(config: Record<string, unknown>): string[];
  /** Keras 3 names for the kept slots, and whether Keras 3 interleaves them per variable. */
  keras3Slots: Record<string, string>;
  keras3Interleaved: boolean;
  toKeras2(c: Record<string, unknown>): Record<string, unknown>;
  toKeras3(c: Record<string, unknown>): Record<string, unknown>;
  /** tfjs class and config from a Keras (2 or 3) config; `null` when tfjs cannot express it. */
  fromKeras(c: Record<string, unknown>): { className: string; config: Record<string, unknown> } | null;
}

const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
const KERAS3_BASE = {
  weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99,
  ema_overwrite_frequency: null, loss_scale_factor: null, gradient_accumulation_steps: null,
};
/** Keras options with no tfjs counterpart: a model that uses them does not compile in tfjs. */
const unsupportedExtras = (c: Record<string, unknown>) =>
  (c.clipnorm ?? null) !== null || (c.clipvalue ?? null) !== null || (c.global_clipnorm ?? null) !== null ||
  (c.weight_decay ?? null) !== null || c.use_ema === true || c.amsgrad === true || typeof c.learning_rate === 'object';

const SPECS: OptimizerSpec[] = [
  {
    tfjs: 'SGD', keras: 'SGD', slots: [], kerasSlots: () => [], keras3Slots: {}, keras3Interleaved: false,
    toKeras2: (c) => ({ name: 'SGD', learning_rate: num(c.learningRate, 0.01), decay: 0, momentum: 0, nesterov: false }),
    toKeras3: (c) => ({ name: 'SGD', learning_rate: num(c.learningRate, 0.01), ...KERAS3_BASE, momentum: 0, nesterov: false }),
    fromKeras: (c) => (num(c.momentum, 0) === 0
      ? { className: 'SGD', config: { learningRate: num(c.learning_rate, 0.01) } }
      : { className: 'Momentum', config: { learningRate: num(c.learning_rate, 0.01), momentum: c.momentum, useNesterov: c.nesterov === true } }),
  },
  {
    tfjs: 'Momentum', keras: 'SGD', slots: ['momentum'], kerasSlots: () => ['momentum'], keras3Slots: { momentum: 'momentum' }, keras3Interleaved: false,
    toKeras2: (c) => ({ name: 'SGD', learning_rate: num(c.learningRate, 0.01), decay: 0, momentum: num(c.momentum, 0), nesterov: c.useNesterov === true }),
    toKeras3: (c) => ({ name: 'SGD', learning_rate: num(c.learningRate, 0.01), ...KERAS3_BASE, momentum: num(c.momentum, 0), nesterov: c.useNesterov === true }),
    fromKeras: () => null, // SGD covers it
  },
  {
    tfjs: 'Adam', keras: 'Adam', slots: ['m', 'v'], kerasSlots: () => ['m', 'v'], keras3Slots: { m: 'momentum', v: 'velocity' }, keras3Interleaved: true,
    toKeras2: (c) => ({ name: 'Adam', learning_rate: num(c.learningRate, 0.001), decay: 0, beta_1: num(c.beta1, 0.9), beta_2: num(c.beta2, 0.999), epsilon: num(c.epsilon, 1e-7), amsgrad: false }),
    toKeras3: (c) => ({ name: 'adam', learning_rate: num(c.learningRate, 0.001), ...KERAS3_BASE, beta_1: num(c.beta1, 0.9), beta_2: num(c.beta2, 0.999), epsilon: num(c.epsilon, 1e-7), amsgrad: false }),
    fromKeras: (c) => ({ className: 'Adam', config: { learningRate: num(c.learning_rate, 0.001), beta1: num(c.beta_1, 0.9), beta2: num(c.beta_2, 0.999), epsilon: num(c.epsilon, 1e-7) } }),
  },
  {
    tfjs: 'Adamax', keras: 'Adamax', slots: ['m', 'v'], kerasSlots: () => ['m', 'v'], keras3Slots: { m: 'momentum', v: 'norm' }, keras3Interleaved: true,
    toKeras2: (c) => ({ name: 'Adamax', learning_rate: num(c.learningRate, 0.002), decay: num(c.decay, 0), beta_1: num(c.beta1, 0.9), beta_2: num(c.beta2, 0.999), epsilon: num(c.epsilon, 1e-7) }),
    toKeras3: (c) => ({ name: 'adamax', learning_rate: num(c.learningRate, 0.002), ...KERAS3_BASE, beta_1: num(c.beta1, 0.9), beta_2: num(c.beta2, 0.999), epsilon: num(c.epsilon, 1e-7) }),
    fromKeras: (c) => ({ className: 'Adamax', config: { learningRate: num(c.learning_rate, 0.002), beta1: num(c.beta_1, 0.9), beta2: num(c.beta_2, 0.999), epsilon: num(c.epsilon, 1e-7), decay: num(c.decay, 0) } }),
  },
  {
    tfjs: 'RMSProp', keras: 'RMSprop', slots: ['rms', 'momentum', 'mg'],
    kerasSlots: (c) => ['rms', ...(num(c.momentum, 0) > 0 ? ['momentum'] : []), ...(c.centered === true ? ['mg'] : [])],
    keras3Slots: { rms: 'velocity', momentum: 'momentum', mg: 'average_gradient' }, keras3Interleaved: false,
    toKeras2: (c) => ({ name: 'RMSprop', learning_rate: num(c.learningRate, 0.001), decay: 0, rho: num(c.decay, 0.9), momentum: num(c.momentum, 0), epsilon: num(c.epsilon, 1e-7), centered: c.centered === true }),
    toKeras3: (c) => ({ name: 'rmsprop', learning_rate: num(c.learningRate, 0.001), ...KERAS3_BASE, rho: num(c.decay, 0.9), momentum: num(c.momentum, 0), epsilon: num(c.epsilon, 1e-7), centered: c.centered === true }),
    fromKeras: (c) => ({ className: 'RMSProp', config: { learningRate: num(c.learning_rate, 0.001), decay: num(c.rho, 0.9), momentum: num(c.momentum, 0), epsilon: num(c.epsilon, 1e-7), centered: c.centered === true } }),
  },
  {
    tfjs: 'Adagrad', keras: 'Adagrad', slots: ['accumulator'], kerasSlots: () => ['accumulator'], keras3Slots: { accumulator: 'accumulator' }, keras3Interleaved: false,
    toKeras2: (c) => ({ name: 'Adagrad', learning_rate: num(c.learningRate, 0.001), decay: 0, initial_accumulator_value: num(c.initialAccumulatorValue, 0.1), epsilon: 1e-7 }),
    toKeras3: (c) => ({ name: 'adagrad', learning_rate: num(c.learningRate, 0.001), ...KERAS3_BASE, initial_accumulator_value: num(c.initialAccumulatorValue, 0.1), epsilon: 1e-7 }),
    fromKeras: (c) => ({ className: 'Adagrad', config: { learningRate: num(c.learning_rate, 0.001), initialAccumulatorValue: num(c.initial_accumulator_value, 0.1) } }),
  },
  {
    tfjs: 'Adadelta', keras: 'Adadelta', slots: ['accum_grad', 'accum_var'], kerasSlots: () => ['accum_grad', 'accum_var'],
    keras3Slots: { accum_grad: 'accumulated_grad', accum_var: 'accumulated_delta_var' }, keras3Interleaved: true,
    toKeras2: (c) => ({ name: 'Adadelta', learning_rate: num(c.learningRate, 0.001), decay: 0, rho: num(c.rho, 0.95), epsilon: num(c.epsilon, 1e-7) }),
    toKeras3: (c) => ({ name: 'adadelta', learning_rate: num(c.learningRate, 0.001), ...KERAS3_BASE, rho: num(c.rho, 0.95), epsilon: num(c.epsilon, 1e-7) }),
    fromKeras: (c) => ({ className: 'Adadelta', config: { learningRate: num(c.learning_rate, 0.001), rho: num(c.rho, 0.95), epsilon: num(c.epsilon, 1e-7) } }),
  },
];

/** The mapping for a tfjs optimizer class; UNSUPPORTED for any other. */
export function specForTfjs(className: string): OptimizerSpec {
  const spec = SPECS.find((s) => s.tfjs === className);
  if (spec === undefined) {
    throw new SavedModelError('UNSUPPORTED', `tfjs optimizer ${className} has no Keras counterpart (known: ${SPECS.map((s) => s.tfjs).join(', ')})`);
  }
  return spec;
}

/** tfjs class and config for a Keras optimizer config (`{class_name, config}`), or null when tfjs has no equivalent. */
export function tfjsOptimizerFromKeras(classNameRaw: string, config: Record<string, unknown>): { className: string; config: Record<string, unknown>; spec: OptimizerSpec } | null {
  const className = classNameRaw.replace(/^(Custom>|keras\.optimizers\.)/, '');
  const spec = SPECS.find((s) => s.keras.toLowerCase() === className.toLowerCase() && s.tfjs !== 'Momentum');
  if (spec === undefined || unsupportedExtras(config)) return null;
  // Keras 2.0–2.2 wrote `lr`
  const out = spec.fromKeras(config.learning_rate === undefined && typeof config.lr === 'number' ? { ...config, learning_rate: config.lr } : config);
  if (out === null) return null;
  return { ...out, spec: specForTfjs(out.className) };
}
