// Image kernels.
import { DT, pair } from './common.js';
import type { Lowering, LoweringContext } from './types.js';

function resize(op: string): Lowering {
  return (c: LoweringContext) => {
    const size = pair(c.attrs['size'], 'size', c);
    return c.emit1(op, [c.input('images'), c.constant(DT.DT_INT32, [2], size)], {
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
