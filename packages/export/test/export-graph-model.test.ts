// saveModel / exportModel on a tf.GraphModel held in memory (tfjs-converter's loader on a graph
// model made here): its execute is traced, weights frozen as Consts. The SavedModel verifies
// strictly (every NodeDef against TF's registry) and our loader answers like GraphModel.execute
// at two batch sizes; a graph model tfjs can only run asynchronously is UNSUPPORTED.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink } from '@savedmodel-js/core';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { exportModel, saveModel } from '../src/index.js';
import { cleanupTempDirs, expectError, expectValid, inputOf, maxRelDiff, tempDir } from './export-util.js';

afterAll(cleanupTempDirs);

const b64 = (s: string) => Buffer.from(s).toString('base64');
const type = (t: string) => ({ type: t });
const shape = (dims: number[]) => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } });
const node = (name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}) => ({ name, op, input, attr });
const constNode = (name: string, dims: number[]) => node(name, 'Const', [], { dtype: type('DT_FLOAT'), value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: dims.map((d) => ({ size: String(d) })) } } } });

/** x[-1, 5, 2] → Conv1D (a tfjs-converter op TensorFlow has not) → Relu → Reshape → _FusedMatMul (+ bias) → Softmax. */
async function makeGraphModel(): Promise<tf.GraphModel> {
  const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.7) * 0.5);
  const filter = values(3 * 2 * 4, 1), w = values(8 * 3, 2), bias = values(3, 3);
  const topology = {
    node: [
      node('x', 'Placeholder', [], { dtype: type('DT_FLOAT'), shape: shape([-1, 5, 2]) }),
      constNode('filter', [3, 2, 4]), constNode('w', [8, 3]), constNode('bias', [3]),
      node('shape', 'Const', [], { dtype: type('DT_INT32'), value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] } } } }),
      node('conv', 'Conv1D', ['x', 'filter'], { stride: { i: '2' }, padding: { s: b64('VALID') }, data_format: { s: b64('NWC') }, dilation: { i: '1' }, T: type('DT_FLOAT') }),
      node('relu', 'Relu', ['conv'], { T: type('DT_FLOAT') }),
      node('flat', 'Reshape', ['relu', 'shape'], { T: type('DT_FLOAT') }),
      node('logits', '_FusedMatMul', ['flat', 'w', 'bias'], { T: type('DT_FLOAT'), num_args: { i: '1' }, fused_ops: { list: { s: [b64('BiasAdd')] } }, transpose_a: { b: false }, transpose_b: { b: false } }),
      node('probs', 'Softmax', ['logits'], { T: type('DT_FLOAT') }),
    ],
    library: {}, versions: { producer: 1645 },
  };
  const data = new Uint8Array((filter.length + w.length + bias.length + 2) * 4);
  const f = new Float32Array(data.buffer);
  f.set(filter); f.set(w, filter.length); f.set(bias, filter.length + w.length);
  new Int32Array(data.buffer).set([-1, 8], filter.length + w.length + bias.length);
  const weightSpecs = [
    { name: 'filter', shape: [3, 2, 4], dtype: 'float32' as const },
    { name: 'w', shape: [8, 3], dtype: 'float32' as const },
    { name: 'bias', shape: [3], dtype: 'float32' as const },
    { name: 'shape', shape: [2], dtype: 'int32' as const },
  ];
  const gm = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData: data.buffer, format: 'graph-model' }));
  // outputs: the graph's sinks, in tfjs' order
  expect(gm.outputNodes.sort()).toEqual(['probs']);
  return gm;
}

let gm: tf.GraphModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  gm = await makeGraphModel();
});

async function expectAnswersLikeExecute(files: Map<string, Uint8Array> | string, key: string): Promise<void> {
  const sm = await loadSavedModel(files);
  expect(sm.inputs.map((t) => t.shape)).toEqual([[-1, 5, 2]]);
  for (const batch of [1, 3]) {
    const x = inputOf([batch, 5, 2], batch);
    const want = gm.execute({ x }) as tf.Tensor;
    const got = sm.predict({ [key]: x }) as tf.Tensor;
    expect(maxRelDiff(got, want)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, want, got]);
  }
  sm.dispose();
}

describe('a tf.GraphModel in memory', () => {
  it('saveModel traces its execute: verifies strictly, ops from the registry, answers like execute at batch 1 and 3', async () => {
    const dir = tempDir();
    const summary = await saveModel(gm, dir);
    expect(summary.signatures).toEqual({ serving_default: { inputs: ['x'], outputs: ['probs'] } });
    expect(summary.variables).toEqual([]);
    const loaded = await expectValid(dir);
    const ops = new Set(loaded.savedModel.meta_graphs[0]!.graph_def!.library!.function!.flatMap((fn) => (fn.node_def ?? []).map((n) => n.op)));
    // Conv1D runs as tfjs' conv2d on an expanded input; the fused MatMul is split
    expect([...ops].filter((o) => o === 'Conv1D' || o!.startsWith('_'))).toEqual([]);
    expect(ops.has('Conv2D') && ops.has('MatMul') && ops.has('Softmax')).toBe(true);
    await expectAnswersLikeExecute(dir, 'x');
  });

  it('exportModel writes its serve endpoint, to a FileSink too', async () => {
    const sink = fileMapSink();
    const summary = await exportModel(gm, sink);
    expect(Object.keys(summary.signatures).sort()).toEqual(['serve', 'serving_default']);
    await expectValid(sink.files);
    await expectAnswersLikeExecute(sink.files, 'x');
    await expectError(exportModel(gm, fileMapSink(), { inputSignature: [] }), 'INVALID_ARGUMENT', /inputSignature/);
  });

  it('takes the dims model.json\'s signature knows where the Placeholder has -1 (traced there, not at prime sizes)', async () => {
    // x[-1,-1,4] → Reshape to [-1, 24]: only a second dim of 6 reshapes; the signature says [-1, 6, 4]
    const topology = {
      node: [
        node('x', 'Placeholder', [], { dtype: type('DT_FLOAT'), shape: shape([-1, -1, 4]) }),
        node('to', 'Const', [], { dtype: type('DT_INT32'), value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] } } } }),
        node('flat', 'Reshape', ['x', 'to'], { T: type('DT_FLOAT') }),
        node('y', 'Relu', ['flat'], { T: type('DT_FLOAT') }),
      ],
      library: {}, versions: { producer: 1645 },
    };
    const signature = {
      inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: '6' }, { size: '4' }] } } },
      outputs: { y: { name: 'y:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: '24' }] } } },
    };
    const model = await tf.loadGraphModel(tf.io.fromMemory({
      modelTopology: topology, weightSpecs: [{ name: 'to', shape: [2], dtype: 'int32' }], weightData: new Int32Array([-1, 24]).buffer, format: 'graph-model', signature,
    } as tf.io.ModelArtifacts));
    const sink = fileMapSink();
    await saveModel(model, sink);
    const sm = await loadSavedModel(sink.files);
    expect(sm.inputs.map((t) => t.shape)).toEqual([[-1, 6, 4]]);
    for (const batch of [1, 3]) {
      const x = inputOf([batch, 6, 4], batch);
      const want = model.execute({ x }) as tf.Tensor;
      const got = sm.predict({ x }) as tf.Tensor;
      expect(got.shape).toEqual([batch, 24]);
      expect(maxRelDiff(got, want)).toBe(0);
      tf.dispose([x, want, got]);
    }
    sm.dispose();
  });

  it('a graph model tfjs runs only with executeAsync (control flow) is UNSUPPORTED, naming why', async () => {
    const topology = {
      node: [
        node('x', 'Placeholder', [], { dtype: type('DT_FLOAT'), shape: shape([-1, 2]) }),
        node('enter', 'Enter', ['x'], { T: type('DT_FLOAT'), frame_name: { s: b64('loop') } }),
        node('out', 'Exit', ['enter'], { T: type('DT_FLOAT') }),
      ],
      library: {}, versions: { producer: 1645 },
    };
    const looping = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: [], weightData: new ArrayBuffer(0), format: 'graph-model' }));
    await expectError(saveModel(looping, fileMapSink()), 'UNSUPPORTED', /only asynchronously/);
  });
});
