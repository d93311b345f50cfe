// Matrix products, convolutions, pooling, normalization.
import { activation, addBias, DT, padding2d, padExplicit, pair, rankOf, spatial4, staticDim, triple } from './common.js';
import { withShape } from '../graph/graph-builder.js';
import type { GraphTensor, Lowering, LoweringContext } from './types.js';

/** MatMul for rank 2, BatchMatMulV2 (broadcasting batch dims, as tfjs does) otherwise. */
function matmul(c: LoweringContext, a: GraphTensor, b: GraphTensor, ta: boolean, tb: boolean): GraphTensor {
  if (rankOf(a, c) === 2 && rankOf(b, c) === 2) return c.emit1('MatMul', [a, b], { transpose_a: ta, transpose_b: tb });
  return c.emit1('BatchMatMulV2', [a, b], { adj_x: ta, adj_y: tb }, { name: 'MatMul' });
}

interface ConvParams {
  strides: number[];
  dilations: number[];
  dataFormat: string;
  pad: ReturnType<typeof padding2d>;
}

function convParams(c: LoweringContext): ConvParams {
  const dataFormat = (c.attrs['dataFormat'] as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') throw c.fail(`dataFormat ${dataFormat}`);
  return {
    strides: spatial4(pair(c.attrs['strides'], 'strides', c), dataFormat),
    dilations: spatial4(pair(c.attrs['dilations'], 'dilations', c), dataFormat),
    dataFormat,
    pad: padding2d(c.attrs['pad'], dataFormat, c),
  };
}

function conv2d(c: LoweringContext): GraphTensor {
  const p = convParams(c);
  const attrs = { strides: p.strides, dilations: p.dilations, data_format: p.dataFormat };
  if (p.pad.padding === 'EXPLICIT') {
    return c.emit1('Conv2D', [c.input('x'), c.input('filter')], { ...attrs, padding: 'EXPLICIT', explicit_paddings: p.pad.explicit.flat() });
  }
  return c.emit1('Conv2D', [c.input('x'), c.input('filter')], { ...attrs, padding: p.pad.padding });
}

function depthwise(c: LoweringContext): GraphTensor {
  const p = convParams(c);
  let x = c.input('x');
  let padding: string;
  // DepthwiseConv2dNative has no EXPLICIT padding: pad first
  if (p.pad.padding === 'EXPLICIT') { x = padExplicit(c, x, p.pad.explicit); padding = 'VALID'; } else padding = p.pad.padding;
  return c.emit1('DepthwiseConv2dNative', [x, c.input('filter')], { strides: p.strides, dilations: p.dilations, data_format: p.dataFormat, padding });
}

function fused(base: (c: LoweringContext) => GraphTensor): (c: LoweringContext) => GraphTensor {
  return (c) => {
    const df = (c.attrs['dataFormat'] as string | undefined) ?? 'NHWC';
    const y = addBias(c, withShape(base(c), c.outputs[0]!.shape), c.optionalInput('bias'), df);
    return activation(c, y, c.attrs['activation'], c.attrs['leakyreluAlpha'], c.optionalInput('preluActivationWeights'));
  };
}

function pool(op: 'MaxPool' | 'AvgPool') {
  return (c: LoweringContext): GraphTensor => {
    const pad = padding2d(c.attrs['pad'], 'NHWC', c);
    if (pad.padding === 'EXPLICIT') throw c.fail(`${op} with explicit padding ${JSON.stringify(c.attrs['pad'])} has no TensorFlow equivalent`);
    return c.emit1(op, [c.input('x')], {
      ksize: spatial4(pair(c.attrs['filterSize'], 'filterSize', c), 'NHWC'),
      strides: spatial4(pair(c.attrs['strides'], 'strides', c), 'NHWC'),
      padding: pad.padding,
    });
  };
}

function pool3d(op: 'MaxPool3D' | 'AvgPool3D') {
  return (c: LoweringContext): GraphTensor => {
    const pad = c.attrs['pad'];
    if (pad !== 'same' && pad !== 'valid') throw c.fail(`${op} with pad ${JSON.stringify(pad)} has no TensorFlow equivalent`);
    const df = (c.attrs['dataFormat'] as string | undefined) ?? 'NDHWC';
    const k = triple(c.attrs['filterSize'], 'filterSize', c), s = triple(c.attrs['strides'], 'strides', c);
    const five = (v: number[]) => (df === 'NCDHW' ? [1, 1, ...v] : [1, ...v, 1]);
    return c.emit1(op, [c.input('x')], { ksize: five(k), strides: five(s), padding: pad.toUpperCase(), data_format: df });
  };
}

export const NN: Record<string, Lowering> = {
  BatchMatMul: (c) => matmul(c, c.input('a'), c.input('b'), c.bool('transposeA', false), c.bool('transposeB', false)),
  // TF's public registry has no _FusedMatMul: MatMul/BatchMatMulV2 + BiasAdd/AddV2 + activation
  _FusedMatMul: (c) => {
    const y = withShape(matmul(c, c.input('a'), c.input('b'), c.bool('transposeA', false), c.bool('transposeB', false)), c.outputs[0]!.shape);
    return activation(c, addBias(c, y, c.optionalInput('bias')), c.attrs['activation'], c.attrs['leakyreluAlpha'], c.optionalInput('preluActivationWeights'));
  },

  Conv2D: conv2d,
  FusedConv2D: fused(conv2d),
  DepthwiseConv2dNative: depthwise,
  FusedDepthwiseConv2D: fused(depthwise),

  Conv2DBackpropInput: (c) => {
    const p = convParams(c);
    // the output size is affine in dy's (stride * in + max(kernel - stride, 0) for VALID)
    const sizes = c.affineIntVector(c.dims('inputShape'), c.input('dy'));
    const attrs = { strides: p.strides, data_format: p.dataFormat };
    if (p.pad.padding === 'EXPLICIT') {
      return c.emit1('Conv2DBackpropInput', [sizes, c.input('filter'), c.input('dy')], { ...attrs, padding: 'EXPLICIT', explicit_paddings: p.pad.explicit.flat() });
    }
    return c.emit1('Conv2DBackpropInput', [sizes, c.input('filter'), c.input('dy')], { ...attrs, padding: p.pad.padding });
  },

  // gradient of a conv2d with respect to its filter (tfjs calls it from conv2d's gradient)
  Conv2DBackpropFilter: (c) => {
    const p = convParams(c);
    const sizes = c.intVector(c.dims('filterShape'));
    const attrs = { strides: p.strides, data_format: p.dataFormat };
    if (p.pad.padding === 'EXPLICIT') {
      return c.emit1('Conv2DBackpropFilter', [c.input('x'), sizes, c.input('dy')], { ...attrs, padding: 'EXPLICIT', explicit_paddings: p.pad.explicit.flat() });
    }
    return c.emit1('Conv2DBackpropFilter', [c.input('x'), sizes, c.input('dy')], { ...attrs, padding: p.pad.padding });
  },

  // gradient of maxPool: TF's MaxPoolGrad routes dy to the (first) maximum of each window, as tfjs does
  MaxPoolGrad: (c) => {
    const pad = padding2d(c.attrs['pad'], 'NHWC', c);
    if (pad.padding === 'EXPLICIT') throw c.fail(`MaxPoolGrad with explicit padding ${JSON.stringify(c.attrs['pad'])} has no TensorFlow equivalent`);
    return c.emit1('MaxPoolGrad', [c.input('input'), c.input('output'), c.input('dy')], {
      ksize: spatial4(pair(c.attrs['filterSize'], 'filterSize', c), 'NHWC'),
      strides: spatial4(pair(c.attrs['strides'], 'strides', c), 'NHWC'),
      padding: pad.padding,
    });
  },

  Conv3D: (c) => {
    const pad = c.attrs['pad'];
    if (pad !== 'same' && pad !== 'valid') throw c.fail(`Conv3D pad ${JSON.stringify(pad)}`);
    const df = (c.attrs['dataFormat'] as string | undefined) ?? 'NDHWC';
    const five = (v: number[]) => (df === 'NCDHW' ? [1, 1, ...v] : [1, ...v, 1]);
    return c.emit1('Conv3D', [c.input('x'), c.input('filter')], {
      strides: five(triple(c.attrs['strides'], 'strides', c)),
      dilations: five(triple(c.attrs['dilations'], 'dilations', c)),
      padding: pad.toUpperCase(), data_format: df,
    });
  },

  // conv3dTranspose
  Conv3DBackpropInputV2: (c) => {
    const pad = c.attrs['pad'];
    if (pad !== 'same' && pad !== 'valid') throw c.fail(`Conv3DBackpropInputV2 pad ${JSON.stringify(pad)}`);
    const s = triple(c.attrs['strides'], 'strides', c);
    return c.emit1('Conv3DBackpropInputV2', [c.affineIntVector(c.dims('inputShape'), c.input('dy')), c.input('filter'), c.input('dy')], {
      strides: [1, ...s, 1], padding: pad.toUpperCase(),
    });
  },

  Dilation2D: (c) => {
    const pad = c.attrs['pad'];
    if (pad !== 'same' && pad !== 'valid') throw c.fail(`Dilation2D pad ${JSON.stringify(pad)}`);
    return c.emit1('Dilation2D', [c.input('x'), c.input('filter')], {
      strides: spatial4(pair(c.attrs['strides'], 'strides', c), 'NHWC'),
      rates: spatial4(pair(c.attrs['dilations'], 'dilations', c), 'NHWC'),
      padding: pad.toUpperCase(),
    });
  },

  MaxPool: pool('MaxPool'),
  AvgPool: pool('AvgPool'),
  MaxPool3D: pool3d('MaxPool3D'),
  AvgPool3D: pool3d('AvgPool3D'),

  MaxPoolWithArgmax: (c) => {
    const pad = padding2d(c.attrs['pad'], 'NHWC', c);
    if (pad.padding === 'EXPLICIT') throw c.fail('MaxPoolWithArgmax with explicit padding');
    const [y, argmax] = c.emit('MaxPoolWithArgmax', [c.input('x')], {
      ksize: spatial4(pair(c.attrs['filterSize'], 'filterSize', c), 'NHWC'),
      strides: spatial4(pair(c.attrs['strides'], 'strides', c), 'NHWC'),
      padding: pad.padding,
      Targmax: DT.DT_INT64,
      include_batch_in_index: c.bool('includeBatchInIndex', false),
    });
    // tfjs indices are int32
    return [y!, c.emit1('Cast', [argmax!], { DstT: DT.DT_INT32 })];
  },

  // tfjs softmax works on the last axis only; so does TF's
  Softmax: (c) => {
    const x = c.input('logits');
    const dim = c.num('dim');
    const r = rankOf(x, c);
    if (dim !== -1 && dim !== r - 1) throw c.fail(`softmax over axis ${dim} of a rank-${r} tensor`);
    return c.emit1('Softmax', [x]);
  },

  // inference batch norm: FusedBatchNormV3 for NHWC 4-D input with per-channel vectors,
  // arithmetic otherwise
  FusedBatchNorm: (c) => {
    const x = c.input('x');
    const mean = c.input('mean'), variance = c.input('variance');
    const scale = c.optionalInput('scale'), offset = c.optionalInput('offset');
    const eps = c.num('varianceEpsilon');
    const channels = staticDim(x, -1);
    const isChannelVector = (t: GraphTensor | undefined) => !t || (t.shape?.length === 1 && staticDim(t, 0) === channels);
    if (rankOf(x, c) === 4 && x.dtype === DT.DT_FLOAT && channels !== undefined && [mean, variance, scale, offset].every(isChannelVector)) {
      const ones = scale ?? c.constant(DT.DT_FLOAT, [channels], new Float32Array(channels).fill(1));
      const zeros = offset ?? c.constant(DT.DT_FLOAT, [channels], new Float32Array(channels));
      return c.emit('FusedBatchNormV3', [x, ones, zeros, mean, variance], { epsilon: eps, is_training: false, data_format: 'NHWC' })[0]!;
    }
    let inv = c.emit1('Rsqrt', [c.emit1('AddV2', [variance, c.scalar(eps, DT.DT_FLOAT)])]);
    if (scale) inv = c.emit1('Mul', [inv, scale]);
    const y = c.emit1('Mul', [c.emit1('Sub', [x, mean]), inv]);
    return offset ? c.emit1('AddV2', [y, offset]) : y;
  },

  LRN: {
    op: 'LRN', inputs: ['x'],
    attrs: (c) => ({ depth_radius: c.num('depthRadius'), bias: c.num('bias'), alpha: c.num('alpha'), beta: c.num('beta') }),
  },
};
