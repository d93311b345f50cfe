// MaxPool with padding EXPLICIT (TensorFlow 2.5+: explicit_paddings, NHWC pairs) has no tfjs
// equivalent: tfjs-converter threw "Unknown padding parameter: explicit". The padded cells never
// win a max, so it is frozen as PadV2 with -Infinity, then a VALID MaxPool (an op TF 2.2 knows).
import { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import { startRewrite } from './rewrite-start.js';
import { DT, type NodeOut, type Scope, type Step } from './model.js';

/** An NHWC MaxPool with 8 explicit paddings. */
export function isExplicitMaxPool(node: tensorflow.INodeDef): boolean {
  if (node.op !== 'MaxPool') return false;
  const p = node.attr?.padding?.s;
  const isExplicit = p !== undefined && p !== null && String.fromCharCode(...p) === 'EXPLICIT';
  const f = node.attr?.data_format?.s;
  const nhwc = !f || f.length === 0 || String.fromCharCode(...f) === 'NHWC';
  return isExplicit && nhwc && (node.attr?.explicit_paddings?.list?.i?.length ?? 0) === 8;
}

export function* emitExplicitMaxPool(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]): Step<NodeOut> {
  const { name, out, inputs: [x] } = yield* startRewrite(fz, scope, node, inputs, 'emitted');
  const T = node.attr?.T?.type ?? DT.DT_FLOAT;
  const paddings = fz.allocate(`${name}/paddings`, false);
  fz.addConst(paddings, { dtype: DT.DT_INT32, shape: [4, 2], values: Int32Array.from(node.attr!.explicit_paddings!.list!.i!.map(Number)) });
  const lowest = fz.allocate(`${name}/lowest`, false);
  fz.addConst(lowest, { dtype: T === DT.DT_DOUBLE ? DT.DT_DOUBLE : DT.DT_FLOAT, shape: [], values: T === DT.DT_DOUBLE ? Float64Array.from([-Infinity]) : Float32Array.from([-Infinity]) });
  const padded = fz.allocate(`${name}/padded`, false);
  fz.emit({ name: padded, op: 'PadV2', input: [x!, paddings, lowest], attr: { T: { type: T }, Tpaddings: { type: DT.DT_INT32 } } });
  const attr = fz.copyAttrs(node);
  attr.padding = { s: new TextEncoder().encode('VALID') };
  delete attr.explicit_paddings;
  fz.emit({ name, op: 'MaxPool', input: [padded], attr });
  return out;
}
