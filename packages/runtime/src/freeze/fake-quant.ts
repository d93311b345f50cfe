// FakeQuantWithMinMaxVars / Args / VarsPerChannel (quantization-aware-trained models) round each
// value to one of 2^num_bits levels between a "nudged" min and max, as TensorFlow defines them:
//   scale = (max - min) / (quant_max - quant_min), quant_min = narrow_range ? 1 : 0,
//   quant_max = 2^num_bits - 1; zero point = round(clamp(quant_min - min / scale)) (half away from
//   zero), nudged_min = (quant_min - zero point) · scale, nudged_max = (quant_max - zero point) · scale;
//   y = floor((clamp(x, nudged_min, nudged_max) - nudged_min) / scale + 0.5) · scale + nudged_min.
// tfjs-converter passes FakeQuantWithMinMaxVars through unchanged (and knows neither other op), so
// a QAT model answered without its quantization. Frozen as that arithmetic; per channel, min and
// max are vectors along the last axis, which the elementwise ops broadcast.
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { nodeBuilder } from './node-builder.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

export const FAKE_QUANT_OPS: ReadonlySet<string> = new Set(['FakeQuantWithMinMaxVars', 'FakeQuantWithMinMaxArgs', 'FakeQuantWithMinMaxVarsPerChannel']);

export function* emitFakeQuant(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: resolved } = yield* startRewrite(fz, scope, node, inputs, 'emitted');

  const T = { T: { type: DT.DT_FLOAT } };
  const b = nodeBuilder(fz, name);
  const float = (suffix: string, v: number): string => b.floats(suffix, [v], []);
  const add = (suffix: string, op: string, input: string[], as?: string): string => b.add(suffix, op, input, T, as);
  const bits = Number(node.attr?.num_bits?.i ?? 8);
  const narrow = node.attr?.narrow_range?.b ?? false;
  const qmin = narrow ? 1 : 0, qmax = 2 ** bits - 1;
  const x = resolved[0]!;
  const [min, max] = node.op === 'FakeQuantWithMinMaxArgs'
    ? [float('min', node.attr?.min?.f ?? -6), float('max', node.attr?.max?.f ?? 6)]
    : [resolved[1]!, resolved[2]!];
  const quantMin = float('quant_min', qmin), quantMax = float('quant_max', qmax), half = float('half', 0.5);
  const scale = add('scale', 'RealDiv', [add('range', 'Sub', [max, min]), float('levels', qmax - qmin)]);
  const zeroFromMin = add('zero_point_from_min', 'Sub', [quantMin, add('min_steps', 'RealDiv', [min, scale])]);
  // clamped to [quant_min, quant_max] (≥ 0): rounding half away from zero is floor(v + 0.5)
  const zero = add('zero_point', 'Floor', [add('zero_point_half', 'AddV2', [add('zero_point_clamped', 'Minimum', [add('zero_point_low', 'Maximum', [zeroFromMin, quantMin]), quantMax]), half])]);
  const nudgedMin = add('nudged_min', 'Mul', [add('min_levels', 'Sub', [quantMin, zero]), scale]);
  const nudgedMax = add('nudged_max', 'Mul', [add('max_levels', 'Sub', [quantMax, zero]), scale]);
  const clamped = add('clamped', 'Minimum', [add('clamped_low', 'Maximum', [x, nudgedMin]), nudgedMax]);
  const steps = add('steps', 'Floor', [add('steps_half', 'AddV2', [add('steps_exact', 'Mul', [add('offset', 'Sub', [clamped, nudgedMin]), add('inverse_scale', 'Reciprocal', [scale])]), half])]);
  add('', 'AddV2', [add('dequantized', 'Mul', [steps, scale]), nudgedMin], name);
  return out;
}
