// Kernels the tracer knowingly does not lower, with the reason. Tracing a function that calls
// one fails with an UNSUPPORTED SavedModelError naming the kernel (and layer).
const GRADIENT = 'gradient kernel: training steps are not traced';
const DYNAMIC = 'output shape depends on input values';
const COMPLEX = 'complex64 tensors are not supported yet';
const STRINGS = 'string kernels are not supported yet';
const RAGGED = 'ragged/sparse kernels are not supported yet';

export const UNSUPPORTED: Record<string, string> = {
  AvgPool3DGrad: GRADIENT,
  AvgPoolGrad: GRADIENT,
  Conv3DBackpropFilterV2: GRADIENT,
  DepthwiseConv2dNativeBackpropFilter: GRADIENT,
  DepthwiseConv2dNativeBackpropInput: GRADIENT,
  Dilation2DBackpropFilter: GRADIENT,
  Dilation2DBackpropInput: GRADIENT,
  EluGrad: GRADIENT,
  LRNGrad: GRADIENT,
  MaxPool3DGrad: GRADIENT,
  ResizeBilinearGrad: GRADIENT,
  ResizeNearestNeighborGrad: GRADIENT,

  Complex: COMPLEX,
  ComplexAbs: COMPLEX,
  Real: COMPLEX,
  Imag: COMPLEX,
  FFT: COMPLEX,
  IFFT: COMPLEX,

  NonMaxSuppressionV3: DYNAMIC,
  NonMaxSuppressionV4: DYNAMIC,
  NonMaxSuppressionV5: DYNAMIC,
  Unique: DYNAMIC,
  SparseFillEmptyRows: DYNAMIC,
  SparseReshape: RAGGED,
  SparseSegmentMean: RAGGED,
  SparseSegmentSum: RAGGED,
  SparseToDense: RAGGED,
  RaggedGather: RAGGED,
  RaggedRange: RAGGED,
  RaggedTensorToTensor: RAGGED,

  StaticRegexReplace: STRINGS,
  StringNGrams: STRINGS,
  StringSplit: STRINGS,
  StringToHashBucketFast: STRINGS,

  Multinomial: 'random sampling: the trace would freeze one draw',
  Transform: 'ImageProjectiveTransformV3 is newer than the TensorFlow op registry (TF 2.2)',
  RotateWithOffset: 'no TensorFlow op (tf.image rotation is a Python composite)',
  Draw: 'draws to a canvas: not a tensor computation',
};
