// ParseSequenceExampleV2 / ParseSequenceExample (dense context features and dense feature lists),
// written as tf.io.parse_sequence_example writes the node, fed serialized SequenceExamples. The
// expected tensors follow TensorFlow's documented semantics: context defaults for missing
// features, feature lists padded to the longest sequence with zeros, lengths per example, and a
// missing list is an error unless it is assumed empty.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, fileMapSink, isSavedModelError, node, tensorflow, writeSavedModel } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;
const I64 = DT.DT_INT64;
const S = DT.DT_STRING;
const enc = new TextEncoder();

beforeAll(async () => { await tf.setBackend('cpu'); });

const strs = (name: string, v: string[]) => node(name, 'Const', [], { dtype: attr.type(S), value: attr.tensor({ dtype: S, tensor_shape: { dim: [{ size: v.length }] }, string_val: v.map((x) => enc.encode(x)) }) });
const shapes = (list: number[][]): tensorflow.IAttrValue => ({ list: { shape: list.map((d) => ({ dim: d.map((size) => ({ size })) })) } });
const OUTPUTS = { len: ['pse:0', F], tokens: ['pse:1', I64], emb: ['pse:2', F], tokens_len: ['pse:3', I64], emb_len: ['pse:4', I64] } as const;

async function build(v2: boolean) {
  const common = {
    Tcontext_dense: attr.types([F]), context_dense_shapes: shapes([[1]]),
    feature_list_dense_types: attr.types([I64, F]), feature_list_dense_shapes: shapes([[], [2]]),
    context_sparse_types: attr.types([]), feature_list_sparse_types: attr.types([]),
    Ncontext_sparse: attr.int(0), Nfeature_list_sparse: attr.int(0), Nfeature_list_dense: attr.int(2),
  };
  const nodes = [
    node('serialized', 'Placeholder', [], { dtype: attr.type(S), shape: attr.shape([-1]) }),
    strs('debug', []),
    node('len_default', 'Const', [], { dtype: attr.type(F), value: attr.tensor({ dtype: F, tensor_shape: { dim: [{ size: 1 }] }, float_val: [-1] }) }),
  ];
  if (v2) {
    nodes.push(
      strs('none', []), strs('ctx_dense', ['len']), strs('fl_dense', ['tokens', 'emb']),
      node('assumed_empty', 'Const', [], { dtype: attr.type(DT.DT_BOOL), value: attr.tensor({ dtype: DT.DT_BOOL, tensor_shape: { dim: [{ size: 2 }] }, bool_val: [true, false] }) }),
      node('pse', 'ParseSequenceExampleV2', ['serialized', 'debug', 'none', 'ctx_dense', 'none', 'none', 'fl_dense', 'none', 'assumed_empty', 'len_default'], {
        ...common, context_ragged_value_types: attr.types([]), context_ragged_split_types: attr.types([]),
        feature_list_ragged_value_types: attr.types([]), feature_list_ragged_split_types: attr.types([]),
      }),
    );
  } else {
    const list = (v: string[]): tensorflow.IAttrValue => ({ list: { s: v.map((x) => enc.encode(x)) } });
    nodes.push(node('pse', 'ParseSequenceExample', ['serialized', 'debug', 'len_default'], {
      ...common, Ncontext_dense: attr.int(1), context_sparse_keys: list([]), feature_list_sparse_keys: list([]),
      context_dense_keys: list(['len']), feature_list_dense_keys: list(['tokens', 'emb']), feature_list_dense_missing_assumed_empty: list(['tokens']),
    }));
  }
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'] },
    graph_def: { node: nodes, versions: { producer: 1000 } },
    signature_def: {
      serving_default: {
        inputs: { serialized: { name: 'serialized:0', dtype: S, tensor_shape: { dim: [{ size: -1 }] } } },
        outputs: Object.fromEntries(Object.entries(OUTPUTS).map(([k, [name, dtype]]) => [k, { name, dtype, tensor_shape: { unknown_rank: true } }])),
        method_name: 'tensorflow/serving/predict',
      },
    },
  };
  const sink = fileMapSink();
  await writeSavedModel(sink, { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } });
  return sink.files;
}

const floats = (v: number[]): tensorflow.IFeature => ({ float_list: { value: v } });
const ints = (v: number[]): tensorflow.IFeature => ({ int64_list: { value: v } });
const seq = (context: Record<string, tensorflow.IFeature>, lists: Record<string, tensorflow.IFeature[]>) =>
  tensorflow.SequenceExample.encode({ context: { feature: context }, feature_lists: { feature_list: Object.fromEntries(Object.entries(lists).map(([k, f]) => [k, { feature: f }])) } }).finish();

describe('ParseSequenceExample (dense)', () => {
  for (const v2 of [true, false]) {
    it(`${v2 ? 'ParseSequenceExampleV2' : 'ParseSequenceExample'}: context default, padded lists, lengths, missing lists`, async () => {
      const m = await loadSavedModel(await build(v2));
      const batch = [
        seq({ len: floats([3.5]) }, { tokens: [ints([7]), ints([8]), ints([9])], emb: [floats([0.5, 1]), floats([2, 3])] }),
        seq({}, { emb: [floats([4, 5])] }), // no context feature (default), tokens assumed empty
      ];
      const r = await m.run({ serialized: batch });
      expect([r.len!.shape, r.len!.values]).toEqual([[2, 1], [3.5, -1]]);
      expect([r.tokens!.shape, r.tokens!.values]).toEqual([[2, 3], [7, 8, 9, 0, 0, 0]]);
      expect([r.tokens_len!.shape, r.tokens_len!.values]).toEqual([[2], [3, 0]]);
      expect([r.emb!.shape, r.emb!.values]).toEqual([[2, 2, 2], [0.5, 1, 2, 3, 4, 5, 0, 0]]);
      expect(r.emb_len!.values).toEqual([2, 1]);

      for (const [bad, want] of [
        [seq({}, { tokens: [ints([1])] }), /Feature list 'emb' is required/], // emb is not assumed empty
        [seq({}, { emb: [floats([1, 2, 3])] }), /Number of values != expected/],
        [seq({}, { emb: [ints([1, 2])] }), /Data types don't match/],
        [seq({ len: floats([1, 2]) }, { emb: [] }), /Number of values != expected/],
        [new Uint8Array([0xff, 0xff, 0xff]), /cannot decode/],
      ] as const) {
        const err = await m.run({ serialized: [bad] }).then(() => undefined, (e: unknown) => e);
        expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
        expect(String(err)).toMatch(want);
      }
      m.dispose();
    });
  }
});
