// The TF2 Module fixtures' programs (shared/fixtures/tf/README.md), written with this SDK's API.
// TensorFlow's `tf.Variable(3.0)` is `tf.variable(tf.scalar(3))` here: unnamed tfjs variables are
// saved under TensorFlow's default name "Variable". Functions tfjs cannot express (variable
// assignment, int64 / uint8 tensors) are graph functions (TensorFlow ops written directly).
import * as tf from '@tensorflow/tfjs';
import { graphFunction, Module, rawVariable, tensorSpec, type SaveModelArgs } from '../src/index.js';

export interface Program {
  module: Module;
  args: SaveModelArgs;
}

const scalar = (dtype: 'float32' | 'int32') => tensorSpec([], dtype);

/** `v = Variable(3.)`, `__call__(x) = x * v`, `mutate(new_v): v.assign(new_v)`; signatures=__call__. */
export function timesThreeFloat(): Program {
  const m = new Module();
  const v = m.track('v', tf.variable(tf.scalar(3)));
  const call = m.addFunction('__call__', (x: tf.Tensor) => tf.mul(x, v), [scalar('float32')]);
  m.addFunction('mutate', graphFunction((g, new_v) => { g.assign(v, new_v); }, { inputSignature: [scalar('float32')], isMethod: true }));
  return { module: m, args: { signatures: call } };
}

/** `v = Variable(2)` (int32), `__call__(x) = x * v`. */
export function timesTwoInt(): Program {
  const m = new Module();
  const v = m.track('v', tf.variable(tf.scalar(2, 'int32')));
  const call = m.addFunction('__call__', (x: tf.Tensor) => tf.mul(x, v), [scalar('int32')]);
  return { module: m, args: { signatures: call } };
}

/** `v = 3.`, `two = 2.`, `__call__`, `mutate`, `timestwo(x) = x * two`; signatures serving_default + timestwo. */
export function moduleWithMultipleSignatures(): Program {
  const m = new Module();
  const v = m.track('v', tf.variable(tf.scalar(3)));
  const two = m.track('two', tf.variable(tf.scalar(2)));
  const call = m.addFunction('__call__', (x: tf.Tensor) => tf.mul(x, v), [scalar('float32')]);
  m.addFunction('mutate', graphFunction((g, new_v) => { g.assign(v, new_v); }, { inputSignature: [scalar('float32')], isMethod: true }));
  const timestwo = m.addFunction('timestwo', (x: tf.Tensor) => tf.mul(x, two), [scalar('float32')]);
  return { module: m, args: { signatures: { serving_default: call, timestwo } } };
}

/** `v = 3.`, `two = 2` (int32), `__call__(x, y) = (x * two, y)` on int32 scalars. */
export function modelMultiOutput(): Program {
  const m = new Module();
  m.track('v', tf.variable(tf.scalar(3)));
  const two = m.track('two', tf.variable(tf.scalar(2, 'int32')));
  const call = m.addFunction('__call__', (x: tf.Tensor, y: tf.Tensor) => [tf.mul(x, two), y], [scalar('int32'), scalar('int32')]);
  return { module: m, args: { signatures: call } };
}

/** Same variables, `__call__(x) = (x * two, x)`. */
export function modelSingleInputMultiOutput(): Program {
  const m = new Module();
  m.track('v', tf.variable(tf.scalar(3)));
  const two = m.track('two', tf.variable(tf.scalar(2, 'int32')));
  const call = m.addFunction('__call__', (x: tf.Tensor) => [tf.mul(x, two), x], [scalar('int32')]);
  return { module: m, args: { signatures: call } };
}

/** int64_model.py: `v1 = Variable(3, int64)`, `v2 = Variable(2, int64)`, `f = tf.function(lambda x: v1 * v2 * x)`, signature from f traced on int64[2]. */
export async function int64Multiply(): Promise<Program> {
  const m = new Module();
  const v1 = m.track('v1', rawVariable(3, 'int64'));
  const v2 = m.track('v2', rawVariable(2, 'int64'));
  const f = m.track('f', graphFunction((g, x) => g.mul(g.mul(g.read(v1), g.read(v2)), x), { name: '<lambda>' }));
  const cf = await f.getConcreteFunction(tensorSpec([2], 'int64' as never));
  return { module: m, args: { signatures: cf } };
}

/** unint8_model.py: `v1 = Variable(3)`, `v2 = Variable(2)` (int32), `f = lambda x: v1 * v2 * tf.cast(x, int32)`, traced on uint8[1]. */
export async function uint8Multiply(): Promise<Program> {
  const m = new Module();
  const v1 = m.track('v1', tf.variable(tf.scalar(3, 'int32')));
  const v2 = m.track('v2', tf.variable(tf.scalar(2, 'int32')));
  const f = m.track('f', graphFunction((g, x) => g.mul(g.mul(g.read(v1), g.read(v2)), g.cast(x, 'int32')), { name: '<lambda>' }));
  const cf = await f.getConcreteFunction(tensorSpec([1], 'uint8' as never));
  return { module: m, args: { signatures: cf } };
}
