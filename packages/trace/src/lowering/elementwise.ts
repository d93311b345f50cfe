// Element-wise kernels: mostly one TF op each.
import { tfDtype } from '../dtype.js';
import { binary, castTo, DT, prelu, unary } from './common.js';
import type { Lowering } from './types.js';

const UNARY_SAME_NAME = [
  'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Ceil', 'Cos', 'Cosh', 'Elu', 'Erf', 'Exp', 'Expm1',
  'Floor', 'IsFinite', 'IsInf', 'IsNan', 'Log', 'Log1p', 'LogicalNot', 'Neg', 'Reciprocal', 'Relu', 'Relu6',
  'Round', 'Rsqrt', 'Selu', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softplus', 'Sqrt', 'Square', 'Tan', 'Tanh',
  'ZerosLike', 'OnesLike',
] as const;

const BINARY: Record<string, string> = {
  Add: 'AddV2',
  Sub: 'Sub',
  Multiply: 'Mul',
  RealDiv: 'RealDiv',
  Maximum: 'Maximum',
  Minimum: 'Minimum',
  Pow: 'Pow',
  SquaredDifference: 'SquaredDifference',
  // tfjs mod is the floor-mod (result takes the divisor's sign)
  Mod: 'FloorMod',
  Atan2: 'Atan2',
  Equal: 'Equal',
  NotEqual: 'NotEqual',
  Less: 'Less',
  LessEqual: 'LessEqual',
  Greater: 'Greater',
  GreaterEqual: 'GreaterEqual',
  LogicalAnd: 'LogicalAnd',
  LogicalOr: 'LogicalOr',
  BitwiseAnd: 'BitwiseAnd',
};

export const ELEMENTWISE: Record<string, Lowering> = {
  ...Object.fromEntries(UNARY_SAME_NAME.map((k) => [k, unary(k)])),
  ...Object.fromEntries(Object.entries(BINARY).map(([k, op]) => [k, binary(op)])),

  Identity: unary('Identity'),
  LeakyRelu: { op: 'LeakyRelu', inputs: ['x'], attrs: (c) => ({ alpha: c.num('alpha') }) },
  // tfjs where() broadcasts its operands; SelectV2 broadcasts like it
  Select: { op: 'SelectV2', inputs: ['condition', 't', 'e'] },
  AddN: (c) => c.emit1('AddN', [c.inputList()]),

  Cast: (c) => {
    const x = c.input('x');
    const to = tfDtype(c.str('dtype'));
    return x.dtype === to ? c.emit1('Identity', [x]) : castTo(c, x, to);
  },

  ClipByValue: (c) => {
    const x = c.input('x');
    return c.emit1('ClipByValue', [x, c.scalar(c.num('clipValueMin'), x.dtype), c.scalar(c.num('clipValueMax'), x.dtype)]);
  },

  // tfjs floorDiv returns int32 even for float operands
  FloorDiv: (c) => castTo(c, c.emit1('FloorDiv', [c.input('a'), c.input('b')]), c.outputs[0]!.dtype),

  Prelu: (c) => prelu(c, c.input('x'), c.input('alpha')),

  // TF has no LogicalXor op (tf.math.logical_xor is a composite): (a | b) & !(a & b)
  LogicalXor: (c) => {
    const a = c.input('a'), b = c.input('b');
    return c.emit1('LogicalAnd', [c.emit1('LogicalOr', [a, b]), c.emit1('LogicalNot', [c.emit1('LogicalAnd', [a, b])])]);
  },

  // step(x) = x > 0 ? 1 : alpha
  Step: (c) => {
    const x = c.input('x');
    const cond = c.emit1('Greater', [x, c.scalar(0, x.dtype)]);
    return c.emit1('SelectV2', [cond, c.scalar(1, x.dtype), c.scalar(c.num('alpha'), x.dtype)]);
  },
};

export { DT };
