// State kept by a loaded model, written with our core writer the way TensorFlow 1 and 2 write it:
// a TF1 counter (VariableV2 + AssignAdd signatures, DT_FLOAT_REF outputs), a TF2 counter
// (VarHandleOp + AssignAddVariableOp, read ordered by a control dependency), a TF1 lookup table
// filled by legacy_init_op, and control dependencies on ops that cannot run (must fail, never be
// skipped).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attr, fileMapSink, floatTensor, isSavedModelError, node, tensorflow, writeSavedModel, type CheckpointTensor,
} from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;

beforeAll(async () => { await tf.setBackend('cpu'); });

interface Spec {
  nodes: tensorflow.INodeDef[];
  functions?: tensorflow.IFunctionDef[];
  signatures: Record<string, { inputs?: Record<string, [string, number]>; outputs: Record<string, [string, number]> }>;
  collections?: Record<string, string[]>;
  checkpoint?: CheckpointTensor[];
}

async function build(spec: Spec): Promise<Map<string, Uint8Array>> {
  const info = ([name, dtype]: [string, number]): tensorflow.ITensorInfo => ({ name, dtype, tensor_shape: { unknown_rank: true } });
  const signature_def: Record<string, tensorflow.ISignatureDef> = {};
  for (const [k, s] of Object.entries(spec.signatures)) {
    signature_def[k] = {
      inputs: Object.fromEntries(Object.entries(s.inputs ?? {}).map(([n, v]) => [n, info(v)])),
      outputs: Object.fromEntries(Object.entries(s.outputs).map(([n, v]) => [n, info(v)])),
      method_name: 'tensorflow/serving/predict',
    };
  }
  const mg: tensorflow.IMetaGraphDef = {
    meta_info_def: { tags: ['serve'] },
    graph_def: { node: spec.nodes, library: { function: spec.functions ?? [] }, versions: { producer: 27 } },
    signature_def,
    collection_def: Object.fromEntries(Object.entries(spec.collections ?? {}).map(([k, v]) => [k, { node_list: { value: v } }])),
  };
  const sink = fileMapSink();
  const content: Parameters<typeof writeSavedModel>[1] = { savedModel: { saved_model_schema_version: 1, meta_graphs: [mg] } };
  if (spec.checkpoint) content.checkpoint = spec.checkpoint;
  await writeSavedModel(sink, content);
  return sink.files;
}

const constNode = (name: string, t: tensorflow.ITensorProto) => node(name, 'Const', [], { dtype: attr.type(t.dtype!), value: attr.tensor(t) });
const FLOAT_REF = 101;

describe('TF1 counter (VariableV2 + AssignAdd)', () => {
  const files = build({
    nodes: [
      node('counter', 'VariableV2', [], { dtype: attr.type(F), shape: attr.shape([]) }),
      constNode('one', floatTensor([1], [])),
      node('increment', 'AssignAdd', ['counter', 'one'], { T: attr.type(F) }),
      node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([]) }),
      node('add_x', 'AssignAdd', ['counter', 'x'], { T: attr.type(F) }),
      node('counter/read', 'Identity', ['counter'], { T: attr.type(F) }),
      node('after_add', 'Identity', ['counter', '^add_x'], { T: attr.type(F) }),
    ],
    signatures: {
      increment: { outputs: { value: ['increment:0', FLOAT_REF] } },
      add: { inputs: { x: ['x:0', F] }, outputs: { value: ['after_add:0', F] } },
      read: { outputs: { value: ['counter/read:0', F] } },
    },
    checkpoint: [{ key: 'counter', dtype: F, shape: [], data: new Float32Array([10]) }],
  });

  it('AssignAdd then read gives the new value on each call; the state belongs to the loaded model', async () => {
    const m = await loadSavedModel(await files, { signature: 'increment' });
    expect(m.outputs[0]!.dtype).toBe('float32'); // DT_FLOAT_REF outputs are values
    expect(m.outputs[0]!.tfDtype).toBe('DT_FLOAT_REF');
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) seen.push(...(await m.run({})).value!.values as number[]);
    expect(seen).toEqual([11, 12, 13]);
    expect((m.predict([]) as tf.Tensor).dataSync()[0]).toBe(14);
    const fresh = await loadSavedModel(await files, { signature: 'increment' });
    expect((await fresh.run({})).value!.values).toEqual([11]);
    fresh.dispose();
    m.dispose();
  });

  it('a control dependency orders the read after the assignment; reading alone is the checkpoint value', async () => {
    const add = await loadSavedModel(await files, { signature: 'add' });
    expect((await add.run({ x: 5 })).value!.values).toEqual([15]);
    expect((await add.run({ x: -2 })).value!.values).toEqual([13]);
    add.dispose();
    const read = await loadSavedModel(await files, { signature: 'read' });
    expect((await read.run({})).value!.values).toEqual([10]);
    expect(read.graph.variables.map((v) => v.variable)).toEqual(['counter']); // never assigned: frozen
    read.dispose();
  });
});

describe('TF2 counter (VarHandleOp + AssignAddVariableOp inside a function)', () => {
  it('the read after the assignment (control input) sees the new value on each call', async () => {
    const body: tensorflow.IFunctionDef = {
      signature: { name: '__inference_increment_5', input_arg: [{ name: 'h', type: DT.DT_RESOURCE }], output_arg: [{ name: 'identity', type: F }], is_stateful: true },
      node_def: [
        constNode('one', floatTensor([2], [])),
        node('AssignAddVariableOp', 'AssignAddVariableOp', ['h', 'one:output:0'], { dtype: attr.type(F) }),
        node('ReadVariableOp', 'ReadVariableOp', ['h', '^AssignAddVariableOp'], { dtype: attr.type(F) }),
        node('Identity', 'Identity', ['ReadVariableOp:value:0', '^NoOp'], { T: attr.type(F) }),
        node('NoOp', 'NoOp', ['^AssignAddVariableOp', '^ReadVariableOp'], {}),
      ],
      ret: { identity: 'Identity:output:0' },
      control_ret: { AssignAddVariableOp: 'AssignAddVariableOp' },
    };
    const files = await build({
      nodes: [
        node('v', 'VarHandleOp', [], { dtype: attr.type(F), shape: attr.shape([]), shared_name: attr.str('v') }),
        node('call', 'StatefulPartitionedCall', ['v'], { f: attr.func('__inference_increment_5'), Tin: attr.types([DT.DT_RESOURCE]), Tout: attr.types([F]) }),
      ],
      functions: [body],
      signatures: { serving_default: { outputs: { output_0: ['call:0', F] } } },
      checkpoint: [{ key: 'v', dtype: F, shape: [], data: new Float32Array([1]) }],
    });
    const m = await loadSavedModel(files);
    expect((await m.run({})).output_0!.values).toEqual([3]);
    expect((await m.run({})).output_0!.values).toEqual([5]);
    m.dispose();
  });
});

describe('TF1 lookup table filled by legacy_init_op', () => {
  it('HashTableV2 + InitializeTableV2 once at load; LookupTableFindV2 and LookupTableSizeV2', async () => {
    const I64 = DT.DT_INT64;
    const strings = (v: string[]): tensorflow.ITensorProto => ({ dtype: DT.DT_STRING, tensor_shape: { dim: [{ size: v.length }] }, string_val: v.map((s) => new TextEncoder().encode(s)) });
    const files = await build({
      nodes: [
        node('table', 'HashTableV2', [], { key_dtype: attr.type(DT.DT_STRING), value_dtype: attr.type(I64) }),
        constNode('keys', strings(['a', 'b', 'c'])),
        constNode('vals', { dtype: I64, tensor_shape: { dim: [{ size: 3 }] }, int64_val: [7, 8, 9] }),
        node('table/init', 'InitializeTableV2', ['table', 'keys', 'vals'], { Tkey: attr.type(DT.DT_STRING), Tval: attr.type(I64) }),
        node('init_all_tables', 'NoOp', ['^table/init'], {}),
        node('k', 'Placeholder', [], { dtype: attr.type(DT.DT_STRING), shape: attr.shape([-1]) }),
        constNode('default', { dtype: I64, tensor_shape: {}, int64_val: [-1] }),
        node('find', 'LookupTableFindV2', ['table', 'k', 'default'], { Tin: attr.type(DT.DT_STRING), Tout: attr.type(I64) }),
        node('size', 'LookupTableSizeV2', ['table'], {}),
      ],
      signatures: { serving_default: { inputs: { k: ['k:0', DT.DT_STRING] }, outputs: { ids: ['find:0', I64], size: ['size:0', I64] } } },
      collections: { legacy_init_op: ['init_all_tables'] },
    });
    const m = await loadSavedModel(files);
    const r = await m.run({ k: ['b', 'zz', 'a', 'c'] });
    expect(r.ids!.values).toEqual([8, -1, 7, 9]);
    expect(r.size!.values).toEqual([3]);
    m.dispose();
  });
});

describe('control dependencies are never skipped', () => {
  for (const via of ['direct', 'through a NoOp']) {
    it(`a control dependency (${via}) on an op TensorFlow.js cannot run → UNSUPPORTED naming it`, async () => {
      const files = await build({
        nodes: [
          node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([]) }),
          node('custom', 'MyCustomOpThatNobodyHas', ['x'], { T: attr.type(F) }),
          node('group', 'NoOp', ['^custom'], {}),
          node('y', 'Identity', ['x', via === 'direct' ? '^custom' : '^group'], { T: attr.type(F) }),
        ],
        signatures: { serving_default: { inputs: { x: ['x:0', F] }, outputs: { y: ['y:0', F] } } },
      });
      const err = await loadSavedModel(files).then(() => undefined, (e: unknown) => e);
      expect(isSavedModelError(err, 'UNSUPPORTED'), String(err)).toBe(true);
      expect(String(err)).toContain('MyCustomOpThatNobodyHas');
    });
  }

  it('an init op that needs an op TensorFlow.js cannot run fails the load', async () => {
    const files = await build({
      nodes: [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([]) }),
        node('y', 'Identity', ['x'], { T: attr.type(F) }),
        node('setup', 'MyCustomInitOp', [], {}),
        node('main_op', 'NoOp', ['^setup'], {}),
      ],
      signatures: { serving_default: { inputs: { x: ['x:0', F] }, outputs: { y: ['y:0', F] } } },
      collections: { saved_model_main_op: ['main_op'] },
    });
    const err = await loadSavedModel(files).then(() => undefined, (e: unknown) => e);
    expect(isSavedModelError(err, 'UNSUPPORTED'), String(err)).toBe(true);
    expect(String(err)).toContain('MyCustomInitOp');
  });
});
