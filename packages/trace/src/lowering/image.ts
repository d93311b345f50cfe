// Image kernels.
import { dimRatio } from '../tape/sym.js';
import { DT, pair } from './common.js';
import type { GraphTensor, Lowering, LoweringContext } from './types.js';

/**
 * The [height, width] input of a resize. Static sizes are a Const; sizes that depend on the
 * input read the image's own height and width, times the scale (what UpSampling2D's graph in
 * TensorFlow does: Shape, StridedSlice, Mul), else are computed from the input sizes.
 */
function resizeSize(c: LoweringContext, images: GraphTensor, name: string): GraphTensor {
  const v = c.attrs[name];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return c.constant(DT.DT_INT32, [2], pair(v, name, c));
  const size = c.dims(name);
  if (size.length !== 2) throw c.fail(`${name} must be [height, width], got ${JSON.stringify(v)}`);
  const hw = images.shape && images.shape.length === 4 ? images.shape.slice(1, 3) : [];
  const scale = size.map((d, k) => dimRatio(d, hw[k]));
  if (scale.every((k) => k !== undefined)) {
    const i32 = (xs: number[]) => c.constant(DT.DT_INT32, [xs.length], xs);
    const shape = c.emit1('Shape', [images], { out_type: DT.DT_INT32 }, { shapes: [[4]] });
    const h_w = c.emit1('StridedSlice', [shape, i32([1]), i32([3]), i32([1])], {}, { name: 'strided_slice', shapes: [[2]] });
    if (scale.every((k) => k === 1)) return h_w;
    return c.emit1('Mul', [h_w, i32(scale as number[])], {}, { name: 'mul', shapes: [[2]] });
  }
  return c.intVector(size);
}

function resize(op: string): Lowering {
  return (c: LoweringContext) => {
    const images = c.input('images');
    return c.emit1(op, [images, resizeSize(c, images, 'size')], {
      align_corners: c.bool('alignCorners', false),
      half_pixel_centers: c.bool('halfPixelCenters', false),
    });
  };
}

export const IMAGE: Record<string, Lowering> = {
  ResizeBilinear: resize('ResizeBilinear'),
  ResizeNearestNeighbor: resize('ResizeNearestNeighbor'),
  CropAndResize: (c) => c.emit1('CropAndResize', [c.input('image'), c.input('boxes'), c.input('boxInd'), c.constant(DT.DT_INT32, [2], pair(c.attrs['cropSize'], 'cropSize', c))], {
    method: c.str('method'),
    extrapolation_value: c.num('extrapolationValue'),
  }),
};
