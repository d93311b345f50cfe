// Which tf.LayersModels may be traced once for their batch dimension (trace-core's
// sizeIndependent): models made only of tfjs-layers' own classes whose call code has no
// size-dependent control flow or arithmetic, with no hook or method replaced on an instance.
// Read in tfjs-layers 4.x: InputLayer, Dense, Activation and the built-in activations (Dense
// branches on rank, never on a size); Conv2D, DepthwiseConv2D, the 2-D and global poolings,
// BatchNormalization (inference: its shapes come from ranks and channel counts), Flatten (a
// Reshape to [batch, rest], read from the element count), Dropout (identity in inference),
// ZeroPadding2D, Add and Concatenate (Merge reshapes only when ranks differ), ReLU, LeakyReLU and
// Softmax (its mask, never passed here, would make a batch-sized constant). Anything else is
// traced twice, as before; and a tape the kernel rules do not settle takes the second trace too.
import * as tf from '@tensorflow/tfjs';

/** Layers whose `activation` is applied in their call (checked as below). */
const ACTIVATED_CLASSES = new Set(['Dense', 'Activation', 'Conv2D', 'DepthwiseConv2D']);
/** Layers without an activation of their own. */
const PLAIN_CLASSES = new Set([
  'InputLayer', 'BatchNormalization', 'MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D',
  'Flatten', 'Dropout', 'ZeroPadding2D', 'Add', 'Concatenate', 'ReLU', 'LeakyReLU', 'Softmax',
]);
// tfjs-layers' own activations (their class names); a user's registered activation could branch on sizes
const ACTIVATION_CLASSES = new Set([
  'elu', 'hardSigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus', 'softsign', 'tanh', 'logSoftmax',
  'swish', 'mish', 'gelu', 'gelu_new',
]);
// methods a layer's call path goes through: replaced on an instance, the code is no longer tfjs'
const OWN_METHODS = ['call', 'apply', 'invokeCallHook', 'computeMask'];

/** The fields read here, as plain data (some are protected or private in tfjs' types). */
interface AnyLayer {
  getClassName(): string;
  layers?: AnyLayer[];
  activation?: tf.serialization.Serializable;
  _callHook?: unknown;
  activityRegularizer?: unknown;
}

/** The object's class is the one tfjs registered under its class name (no subclass, no look-alike). */
function isRegisteredClass(x: object, className: string): boolean {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
  return !!entry && Object.getPrototypeOf(x) === entry[0].prototype;
}

function hasOwnMethods(x: object): boolean {
  return OWN_METHODS.some((m) => Object.prototype.hasOwnProperty.call(x, m));
}

function plainLayer(layer: AnyLayer): boolean {
  if (hasOwnMethods(layer) || layer._callHook != null || layer.activityRegularizer != null) return false;
  const container = Object.getPrototypeOf(layer) === tf.LayersModel.prototype || Object.getPrototypeOf(layer) === tf.Sequential.prototype;
  if (container) return (layer.layers ?? []).every(plainLayer);
  const name = layer.getClassName();
  if (PLAIN_CLASSES.has(name)) return isRegisteredClass(layer, name);
  if (!ACTIVATED_CLASSES.has(name) || !isRegisteredClass(layer, name)) return false;
  const act = layer.activation;
  return !!act && !hasOwnMethods(act) && ACTIVATION_CLASSES.has(act.getClassName()) && isRegisteredClass(act, act.getClassName());
}

/** True when traceModel may trace `model` once for its batch dimension (see above). */
export function isSizeIndependentModel(model: tf.LayersModel): boolean {
  return plainLayer(model as unknown as AnyLayer);
}
