// TensorFlow gradient ops that tfjs-converter has no mapping for (TF1 training graphs use them;
// Conv3DTranspose layers are Conv3DBackpropInputV2), registered as tfjs-converter custom ops that
// run the tfjs kernels computing the same thing (tfjs's own conv2d / maxPool gradients and
// conv3dTranspose call exactly these kernels).
import { registerOp, type GraphNode } from '@tensorflow/tfjs-converter';
import { engine, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';
import { SavedModelError } from '@savedmodel-js/core';
import { declareValueReadingOp, hostValues, withHostValues } from '../host-ops.js';
import { rawInts, rawNode, rawStr, type RawAttr } from './raw-attrs.js';

/**
 * The TensorFlow ops (under their own names) this file registers with tfjs-converter: a tfjs
 * graph model holding them runs wherever this package is imported (convert lets them through).
 */
export const TF_OPS_REGISTERED_BY_RUNTIME: readonly string[] = ['Conv2DBackpropFilter', 'MaxPoolGrad', 'Conv3DBackpropInputV2'];

function fail(name: string, op: string, msg: string): never {
  throw new SavedModelError('UNSUPPORTED', `${op} ${name}: ${msg}`, { key: name });
}

/** Spatial [h, w] of an NHWC / NCHW 4-vector. */
function hw(v: number[], nchw: boolean, fallback = 1): [number, number] {
  if (v.length !== 4) return [fallback, fallback];
  return nchw ? [v[2]!, v[3]!] : [v[1]!, v[2]!];
}

/** TF padding attrs → tfjs `pad`. */
function pad(name: string, op: string, attrs: Record<string, RawAttr>, nchw: boolean): 'same' | 'valid' | number[][] {
  const p = rawStr(attrs.padding, 'VALID');
  if (p === 'SAME') return 'same';
  if (p === 'VALID') return 'valid';
  const e = rawInts(attrs.explicit_paddings);
  if (p !== 'EXPLICIT' || e.length !== 8) fail(name, op, `padding ${p} is not supported`);
  const pairs = [[e[0]!, e[1]!], [e[2]!, e[3]!], [e[4]!, e[5]!], [e[6]!, e[7]!]];
  return nchw ? [pairs[0]!, pairs[2]!, pairs[3]!, pairs[1]!] : pairs;
}

declareValueReadingOp('Conv2DBackpropFilter');
registerOp('Conv2DBackpropFilter', (gn: GraphNode): Tensor | Promise<Tensor> => {
  const { name, attrs } = rawNode(gn);
  const [x, sizes, dy] = gn.inputs as [Tensor, Tensor, Tensor];
  const nchw = rawStr(attrs.data_format, 'NHWC') === 'NCHW';
  const dil = hw(rawInts(attrs.dilations), nchw);
  if (dil[0] !== 1 || dil[1] !== 1) fail(name, 'Conv2DBackpropFilter', 'dilations other than 1 are not supported');
  return withHostValues(`Conv2DBackpropFilter ${name}`, name, [sizes], () => {
    const filterShape = Array.from(hostValues(sizes));
    const a = { strides: hw(rawInts(attrs.strides), nchw), pad: pad(name, 'Conv2DBackpropFilter', attrs, nchw), dataFormat: nchw ? 'NCHW' : 'NHWC', filterShape };
    return engine().runKernel('Conv2DBackpropFilter', { x, dy }, a as unknown as NamedAttrMap) as Tensor;
  });
});

registerOp('MaxPoolGrad', (gn: GraphNode): Tensor => {
  const { name, attrs } = rawNode(gn);
  const [input, output, dy] = gn.inputs as [Tensor, Tensor, Tensor];
  if (rawStr(attrs.data_format, 'NHWC') !== 'NHWC') fail(name, 'MaxPoolGrad', 'only NHWC is supported');
  const p = pad(name, 'MaxPoolGrad', attrs, false);
  if (typeof p !== 'string') fail(name, 'MaxPoolGrad', 'explicit padding is not supported');
  const a = { filterSize: hw(rawInts(attrs.ksize), false), strides: hw(rawInts(attrs.strides), false), pad: p };
  return engine().runKernel('MaxPoolGrad', { dy, input, output }, a as unknown as NamedAttrMap) as Tensor;
});

declareValueReadingOp('Conv3DBackpropInputV2');
registerOp('Conv3DBackpropInputV2', (gn: GraphNode): Tensor | Promise<Tensor> => {
  const op = 'Conv3DBackpropInputV2';
  const { name, attrs } = rawNode(gn);
  const [sizes, filter, dy] = gn.inputs as [Tensor, Tensor, Tensor];
  if (rawStr(attrs.data_format, 'NDHWC') !== 'NDHWC') fail(name, op, 'only NDHWC is supported');
  if (rawInts(attrs.dilations).some((d) => d !== 1)) fail(name, op, 'dilations other than 1 are not supported');
  const s = rawInts(attrs.strides);
  if (s.length !== 5) fail(name, op, `strides ${JSON.stringify(s)} are not 5 numbers`);
  const p = rawStr(attrs.padding, 'VALID');
  if (p !== 'SAME' && p !== 'VALID') fail(name, op, `padding ${p} is not supported`);
  return withHostValues(`${op} ${name}`, name, [sizes], () => {
    const inputShape = Array.from(hostValues(sizes));
    if (inputShape.length !== 5) fail(name, op, `input_sizes ${JSON.stringify(inputShape)} are not 5 numbers`);
    const a = { strides: [s[1]!, s[2]!, s[3]!], pad: p === 'SAME' ? 'same' : 'valid', inputShape };
    return engine().runKernel(op, { dy, filter }, a as unknown as NamedAttrMap) as Tensor;
  });
});
