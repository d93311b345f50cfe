// Hand-built SavedModels for runtime tests: one `serve` meta graph with a serving_default
// signature, written by our core writer into memory; plus a FunctionDef builder.
import { attr, fileMapSink, node, tensorflow, validateGraphDef, writeSavedModel, type CheckpointTensor } from '@savedmodel-js/core';
import type { FrozenGraph } from '../src/index.js';

/** A signature tensor: graph tensor name and dtype. */
export type SignatureTensor = [name: string, dtype: number];

export async function savedModelFiles(
  nodes: tensorflow.INodeDef[],
  functions: tensorflow.IFunctionDef[],
  inputs: Record<string, SignatureTensor>,
  outputs: Record<string, SignatureTensor>,
  options: { checkpoint?: CheckpointTensor[]; producer?: number } = {},
): Promise<Map<string, Uint8Array>> {
  const info = ([name, dtype]: SignatureTensor): tensorflow.ITensorInfo => ({ name, dtype, tensor_shape: { unknown_rank: true } });
  const graph: tensorflow.IGraphDef = { node: nodes, versions: { producer: options.producer ?? 1000 } };
  if (functions.length > 0) graph.library = { function: functions };
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'] },
    graph_def: graph,
    signature_def: {
      serving_default: {
        inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, info(v)])),
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, info(v)])),
        method_name: 'tensorflow/serving/predict',
      },
    },
  };
  const sink = fileMapSink();
  const content: Parameters<typeof writeSavedModel>[1] = { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } };
  if (options.checkpoint) content.checkpoint = options.checkpoint;
  await writeSavedModel(sink, content);
  return sink.files;
}

/** A FunctionDef: typed input args, outputs as [name, dtype, returned tensor]. */
export function fn(name: string, inputs: [string, number][], outputs: [string, number, string][], body: tensorflow.INodeDef[]): tensorflow.IFunctionDef {
  return {
    signature: { name, input_arg: inputs.map(([n, type]) => ({ name: n, type })), output_arg: outputs.map(([n, type]) => ({ name: n, type })) },
    node_def: body,
    ret: Object.fromEntries(outputs.map(([n, , r]) => [n, r])),
  };
}

/**
 * x (float32, `shape`) → Cast to double → Mul by 0.1 (double, node `scaled`) → Cast back, output y:
 * TF computes the product in float64, TensorFlow.js in float32 (as TF1 Object Detection exports'
 * image preprocessing does).
 */
export function float64ScalingFiles(shape: number[]): Promise<Map<string, Uint8Array>> {
  const DT = tensorflow.DataType;
  const cast = (name: string, x: string, src: number, dst: number) => node(name, 'Cast', [x], { SrcT: attr.type(src), DstT: attr.type(dst) });
  return savedModelFiles([
    node('x', 'Placeholder', [], { dtype: attr.type(DT.DT_FLOAT), shape: attr.shape(shape) }),
    cast('up', 'x', DT.DT_FLOAT, DT.DT_DOUBLE),
    node('tenth', 'Const', [], { dtype: attr.type(DT.DT_DOUBLE), value: attr.tensor({ dtype: DT.DT_DOUBLE, tensor_shape: {}, double_val: [0.1] }) }),
    node('scaled', 'Mul', ['up', 'tenth'], { T: attr.type(DT.DT_DOUBLE) }),
    cast('down', 'scaled', DT.DT_DOUBLE, DT.DT_FLOAT),
  ], [], { x: ['x:0', DT.DT_FLOAT] }, { y: ['down:0', DT.DT_FLOAT] });
}

/**
 * The errors TF 2.2's op registry finds in a frozen graph ("where: message"; [] when every node is
 * TensorFlow's own op with its attrs). Frozen Consts carry their values beside the node: each gets
 * an empty value of its dtype, the attr TensorFlow requires.
 */
export function frozenGraphErrors(g: Pick<FrozenGraph, 'nodes'>): string[] {
  const nodes = g.nodes.map((n) => (n.op === 'Const' ? { ...n, attr: { ...n.attr, value: { tensor: { dtype: n.attr!.dtype!.type } } } } : n));
  return validateGraphDef({ node: nodes }, { strict: true }).filter((f) => f.severity === 'error').map((f) => `${f.where}: ${f.message}`);
}

/**
 * numpy's matmul over broadcast batch dimensions (TensorFlow's BatchMatMulV2), by hand, from the
 * operands' flat values and shapes: expected values no tfjs kernel computed.
 */
export function matMulReference(a: number[], sa: number[], b: number[], sb: number[], adjX: boolean, adjY: boolean): { values: number[]; shape: number[] } {
  const batchA = sa.slice(0, -2), batchB = sb.slice(0, -2);
  const n = Math.max(batchA.length, batchB.length);
  const pa = [...Array<number>(n - batchA.length).fill(1), ...batchA], pb = [...Array<number>(n - batchB.length).fill(1), ...batchB];
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const [ra, ca] = sa.slice(-2) as [number, number], [rb, cb] = sb.slice(-2) as [number, number];
  const rows = adjX ? ca : ra, inner = adjX ? ra : ca, cols = adjY ? rb : cb;
  /** Element (r, c) of the matrix at batch index `idx` of an operand of batch shape `own` (1 = broadcast), C columns. */
  const at = (v: number[], own: number[], idx: number[], r: number, c: number, C: number) => {
    let matrix = 0;
    own.forEach((d, i) => { matrix = matrix * d + (d === 1 ? 0 : idx[i]!); });
    const perMatrix = v.length / own.reduce((x, y) => x * y, 1);
    return v[matrix * perMatrix + r * C + c]!;
  };
  const values: number[] = [];
  const total = batch.reduce((x, y) => x * y, 1);
  for (let k = 0; k < total; k++) {
    const idx: number[] = []; let rest = k;
    for (let i = batch.length - 1; i >= 0; i--) { idx.unshift(rest % batch[i]!); rest = Math.floor(rest / batch[i]!); }
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let j = 0; j < inner; j++) s += (adjX ? at(a, pa, idx, j, r, ca) : at(a, pa, idx, r, j, ca)) * (adjY ? at(b, pb, idx, c, j, cb) : at(b, pb, idx, j, c, cb));
      values.push(s);
    }
  }
  return { values, shape: [...batch, rows, cols] };
}
