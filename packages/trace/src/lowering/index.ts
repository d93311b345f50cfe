// The kernel -> TensorFlow lowering table: one entry per tfjs kernel name.
import { ARRAY } from './array.js';
import { ELEMENTWISE } from './elementwise.js';
import { IMAGE } from './image.js';
import { NN } from './nn.js';
import { REDUCTION } from './reduction.js';
import type { Lowering } from './types.js';

export { UNSUPPORTED } from './unsupported.js';
export type { Lowering, LowerFn, LoweringContext, OpLowering, RecordedOutput } from './types.js';
export { isOpLowering } from './types.js';

export const LOWERINGS: Readonly<Record<string, Lowering>> = {
  ...ELEMENTWISE,
  ...NN,
  ...ARRAY,
  ...REDUCTION,
  ...IMAGE,
};
