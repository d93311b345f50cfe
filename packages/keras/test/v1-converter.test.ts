// The exported train and eval graphs run by tfjs-converter's own executor (Google's code), not our
// loader: each variable becomes a Const holding its checkpoint value (read by key = node name),
// ReadVariableOp an Identity; the train graph's AssignVariableOps are left out and their value
// inputs fetched instead. One step must give what model.trainOnBatch gives; eval model.evaluate.
import * as tf from '@tensorflow/tfjs';
import { loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorflow, type CheckpointReader } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { decodeTensorProto, toModelArtifacts, type FrozenGraph, type HostTensor } from '@savedmodel-js/runtime';
import { exportSavedModelV1 } from '../src/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'keras-v1-conv-'));
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DT = tensorflow.DataType;
const node = (r: string) => r.replace(/^\^/, '').replace(/:\d+$/, '');

/** The nodes `outputs` need, variables as checkpoint Consts, control edges dropped. */
function plainGraph(mg: tensorflow.IMetaGraphDef, ckpt: CheckpointReader, outputs: string[]): FrozenGraph {
  const byName = new Map((mg.graph_def!.node ?? []).map((n) => [n.name ?? '', n]));
  const need = new Set<string>();
  const stack = outputs.map(node);
  while (stack.length) {
    const n = stack.pop()!;
    if (need.has(n)) continue;
    need.add(n);
    for (const i of byName.get(n)!.input ?? []) if (!i.startsWith('^')) stack.push(node(i));
  }
  const constants = new Map<string, HostTensor>();
  const nodes: tensorflow.INodeDef[] = [];
  for (const n of mg.graph_def!.node ?? []) {
    const name = n.name ?? '';
    if (!need.has(name)) continue;
    if (n.op === 'VarHandleOp') {
      const e = ckpt.entry(name);
      constants.set(name, { dtype: e.dtype, shape: [...e.shape], values: ckpt.value(name) as Float32Array });
      nodes.push({ name, op: 'Const', input: [], attr: { dtype: { type: e.dtype } } });
    } else if (n.op === 'ReadVariableOp') {
      nodes.push({ name, op: 'Identity', input: [node(n.input![0]!)], attr: { T: { type: n.attr!.dtype!.type ?? DT.DT_FLOAT } } });
    } else {
      if (n.op === 'Const') constants.set(name, decodeTensorProto(n.attr!.value!.tensor!, name));
      nodes.push({ ...n, input: (n.input ?? []).filter((i) => !i.startsWith('^')) });
    }
  }
  return { signatureKey: 'x', methodName: '', nodes, constants, inputs: [], outputs: [], variables: [], producer: 440, hostNodes: new Map(), writtenVariables: [], functions: [] };
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, rel = 1e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = rel * Math.max(1, Math.abs(want[i]!));
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) expect.fail(`element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

describe('train / eval graphs on tfjs-converter', () => {
  it('one Adam step and an evaluation equal tfjs', async () => {
    const build = () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 1 }), biasInitializer: 'ones' }));
      m.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }) }));
      m.compile({ optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      return m;
    };
    const a = build(), b = build();
    b.setWeights(a.getWeights());
    const x = tf.tensor2d([[0.5, -1, 2], [1, 1, 1], [-0.3, 0.2, 0.1]]);
    const y = tf.tensor2d([[1, 0], [0, 1], [0, 1]]);
    const dir = join(tmp, 'm');
    await exportSavedModelV1(a, dir);
    const sm = await readSavedModelDir(dir);
    const [train, evalG] = sm.savedModel.meta_graphs!;
    const feeds = (mg: tensorflow.IMetaGraphDef, key: string) => {
      const sig = mg.signature_def![key]!;
      const out: tf.NamedTensorMap = {};
      for (const [k, t] of Object.entries(sig.inputs!)) out[node(t.name!)] = k.endsWith('_target') ? y : x;
      return out;
    };

    // eval
    const es = evalG!.signature_def!.eval!;
    const evalOuts = ['loss', 'metrics/acc/value'].map((k) => es.outputs![k]!.name!);
    const em = loadGraphModelSync(toModelArtifacts(plainGraph(evalG!, sm.checkpoint!, evalOuts)));
    const [eLoss, eAcc] = em.execute(feeds(evalG!, 'eval'), evalOuts.map(node)) as tf.Tensor[];
    const want = b.evaluate(x, y) as tf.Scalar[];
    close(eLoss!.dataSync(), want[0]!.dataSync());
    close(eAcc!.dataSync(), want[1]!.dataSync());

    // train: the values the train op would assign
    const assigns = (train!.graph_def!.node ?? []).filter((n) => n.op === 'AssignVariableOp' && n.name!.startsWith('training/'));
    const targets = assigns.map((n) => node(n.input![0]!));
    const values = assigns.map((n) => n.input![1]!);
    const lossName = train!.signature_def!.train!.outputs!.loss!.name!;
    const tm = loadGraphModelSync(toModelArtifacts(plainGraph(train!, sm.checkpoint!, [lossName, ...values])));
    const [loss, ...next] = tm.execute(feeds(train!, 'train'), [lossName, ...values].map(node)) as tf.Tensor[];
    const lossTfjs = await b.trainOnBatch(x, y) as number[];
    close(loss!.dataSync(), [lossTfjs[0]!]);
    for (const w of a.weights) {
      const i = targets.indexOf(w.name);
      expect(i, w.name).toBeGreaterThanOrEqual(0);
      close(next[i]!.dataSync(), b.weights[a.weights.indexOf(w)]!.read().dataSync());
    }
  });
});
