// Ops that tfjs-converter's executor runs with other semantics than TensorFlow's, or only in part,
// each frozen instead as TensorFlow ops that it runs exactly (so loadSavedModel and convert's tfjs
// graph models both answer as TensorFlow does). In the order tried:
//  - integer Div / Mod / Mean, TruncateDiv / TruncateMod: rounding toward zero (truncating-ops.ts)
//  - FusedBatchNorm* in training mode: the batch's own statistics (batch-norm-training.ts)
//  - NonMaxSuppressionV5: valid_outputs, and padding when asked (nms-v5.ts)
//  - TF1 Select: a vector condition picks rows (select-v1.ts)
//  - MaxPool with explicit paddings: padded with -Infinity, then VALID (explicit-pool.ts)
//  - MatrixBandPart: tfjs-converter reads num_upper from num_lower's input (band-part.ts)
//  - FakeQuantWithMinMax*: tfjs passes values through unquantized (fake-quant.ts)
//  - simple ops tfjs has no mapping for (Softsign, Xlogy, L2Loss, …), and RandomUniformInt (whose
//    bounds tfjs-converter drops): their formulas (decompositions.ts)
//  - NCHW / NCDHW ops: their channels-last form between transposes (channels-last.ts)
//  - ops tfjs-converter has no mapping for, built from ops it has: Bucketize as UpperBound
//    (bucketize.ts), Roll with constant shifts as GatherV2 (roll.ts), SpaceToDepth as
//    Reshape / Transpose / Reshape (space-to-depth.ts)
import { getOpDef, type tensorflow } from '@savedmodel-js/core';
import { emitTrainingBatchNorm, isTrainingBatchNorm } from './batch-norm-training.js';
import { channelsFirst, emitChannelsLast } from './channels-last.js';
import type { Freezer } from './freezer.js';
import type { NodeOut, Scope, Step } from './model.js';
import { emitBandPart } from './band-part.js';
import { emitBucketize } from './bucketize.js';
import { emitDecomposed, isDecomposed } from './decompositions.js';
import { emitExplicitMaxPool, isExplicitMaxPool } from './explicit-pool.js';
import { emitFakeQuant, FAKE_QUANT_OPS } from './fake-quant.js';
import { emitNmsV5 } from './nms-v5.js';
import { emitRoll } from './roll.js';
import { emitSelectV1 } from './select-v1.js';
import { emitSpaceToDepth } from './space-to-depth.js';
import { emitTruncating, truncatingOp } from './truncating-ops.js';

export type Rewrite = (fz: Freezer, scope: Scope, node: tensorflow.INodeDef, inputs: string[]) => Step<NodeOut>;

/** How `node` is frozen instead of as it is, or undefined for an op tfjs-converter runs as TensorFlow does. */
export function semanticRewrite(node: tensorflow.INodeDef): Rewrite | undefined {
  const rewrite = chooseRewrite(node);
  if (!rewrite) return undefined;
  // as many data inputs as the op's registry entry has args (ops with a list arg, AccumulateNV2, or
  // none known, aside)
  return (fz, scope, n, inputs) => {
    const args = getOpDef(n.op ?? '')?.input_arg ?? [];
    const want = args.length === 0 || args.some((a) => a.number_attr || a.type_list_attr) ? undefined : args.length;
    if (want !== undefined && inputs.length !== want) {
      fz.fail('INVALID_GRAPH', `node ${scope.prefix}${n.name} in ${scope.where} (op ${n.op}) has ${inputs.length} data input${inputs.length === 1 ? '' : 's'}; the op takes ${want}`);
    }
    return rewrite(fz, scope, n, inputs);
  };
}

function chooseRewrite(node: tensorflow.INodeDef): Rewrite | undefined {
  const truncating = truncatingOp(node);
  if (truncating !== undefined) return (fz, scope, n, inputs) => emitTruncating(fz, scope, n, inputs, truncating);
  if (isTrainingBatchNorm(node)) return emitTrainingBatchNorm;
  if (node.op === 'NonMaxSuppressionV5') return emitNmsV5;
  if (node.op === 'Select') return emitSelectV1;
  if (isExplicitMaxPool(node)) return emitExplicitMaxPool;
  if (node.op === 'MatrixBandPart') return emitBandPart;
  if (FAKE_QUANT_OPS.has(node.op ?? '')) return emitFakeQuant;
  if (isDecomposed(node)) return emitDecomposed;
  if (node.op === 'Bucketize') return emitBucketize;
  if (node.op === 'Roll') return emitRoll;
  if (node.op === 'SpaceToDepth') return emitSpaceToDepth;
  const channelsLast = channelsFirst(node);
  if (channelsLast !== undefined) return (fz, scope, n, inputs) => emitChannelsLast(fz, scope, n, inputs, channelsLast);
  return undefined;
}
