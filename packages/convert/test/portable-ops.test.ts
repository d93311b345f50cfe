// A tfjs graph model from convertSavedModelToTfjs runs on stock TensorFlow.js: it holds no op that
// only loadSavedModel registers (the runtime runs OneHot as its own `_SmjsOneHot`; a graph model
// holding that op could not load elsewhere). Expected values: TensorFlow's tf.one_hot
// documentation (indices [0, 2, -1, 1], depth 3, on 5, off 0).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, fileMapSink, floatTensor, int32Tensor, node, tensorflow, writeSavedModel } from '@savedmodel-js/core';
import { convertSavedModelToTfjs } from '../src/index.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32;
beforeAll(async () => { await tf.setBackend('cpu'); });

describe('convert writes only ops stock tfjs-converter knows', () => {
  it('OneHot stays OneHot (not the runtime\'s custom op) and runs on tf.loadGraphModel', async () => {
    const any = { unknown_rank: true };
    const mg: tensorflow.IMetaGraphDef = {
      meta_info_def: { tags: ['serve'] },
      graph_def: {
        versions: { producer: 1000 },
        node: [
          node('indices', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([-1]) }),
          node('depth', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([3], [])) }),
          node('on', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([5], [])) }),
          node('off', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([0], [])) }),
          node('hot', 'OneHot', ['indices', 'depth', 'on', 'off'], { T: attr.type(F), TI: attr.type(I), axis: attr.int(-1) }),
        ],
      },
      signature_def: {
        serving_default: {
          method_name: 'tensorflow/serving/predict',
          inputs: { indices: { name: 'indices:0', dtype: I, tensor_shape: any } },
          outputs: { hot: { name: 'hot:0', dtype: F, tensor_shape: any } },
        },
      },
    };
    const sm = fileMapSink();
    await writeSavedModel(sm, { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } });
    const out = fileMapSink();
    await convertSavedModelToTfjs(sm.files, out);
    const json = JSON.parse(new TextDecoder().decode(out.files.get('model.json'))) as { modelTopology: { node: { op: string }[] }; signature: { outputs: { hot: { name: string } } } };
    const ops = json.modelTopology.node.map((n) => n.op);
    expect(ops).toContain('OneHot');
    expect(ops.filter((o) => o.startsWith('_Smjs'))).toEqual([]);
    const gm = await tf.loadGraphModel({ load: async () => tf.io.getModelArtifactsForJSON(json as unknown as tf.io.ModelJSON, async (manifest) => {
      const parts = manifest.flatMap((g) => g.paths.map((p) => out.files.get(p)!));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      return [manifest.flatMap((g) => g.weights), all.buffer];
    }) });
    const y = gm.execute(tf.tensor1d([0, 2, -1, 1], 'int32'), json.signature.outputs.hot.name) as tf.Tensor;
    expect(await y.array()).toEqual([[5, 0, 0], [0, 0, 5], [0, 0, 0], [0, 5, 0]]);
  });
});
