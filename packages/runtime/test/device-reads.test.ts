// Host ops that read tensor values (table lookups, tf.Example defaults, OneHot's depth, checked
// int64 arithmetic, gradient ops' sizes) on a backend whose synchronous read answers zeros, as
// tfjs-backend-webgpu's does in headless Chromium: they read asynchronously under predictAsync() /
// run(), and predict() is refused with UNSUPPORTED before anything runs — never zeros. Expected
// values: the fixtures' README (TensorFlow's generator scripts), TF's tf.one_hot documentation,
// plain integer arithmetic and tfjs's own autodiff.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attr, floatTensor, int32Tensor, isSavedModelError, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel, serializeExamples, toModelArtifacts } from '../src/index.js';
import { savedModelFiles } from './graph-kit.js';
import { FIXTURES, FIXTURES_MORE as MORE } from '../../core/test/shared.js';
import { registerZeroReadSyncBackend, ZERO_READSYNC, zeroReadSync } from '../../trace/test/helpers/zero-readsync-backend.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT, I = DT.DT_INT32, L = DT.DT_INT64;

beforeAll(async () => {
  registerZeroReadSyncBackend();
  await tf.setBackend(ZERO_READSYNC);
});
beforeEach(() => { zeroReadSync.syncReads = 0; });
afterAll(async () => { await tf.setBackend('cpu'); });

async function refused(p: () => unknown): Promise<{ code?: string; message: string }> {
  let e: unknown;
  try {
    await p();
  } catch (err) {
    e = err;
  }
  if (!isSavedModelError(e)) throw new Error(`expected a SavedModelError, got ${String(e)}`);
  return { code: e.code, message: e.message };
}

async function oneHotModel(): Promise<Map<string, Uint8Array>> {
  return savedModelFiles(
    [
      node('indices', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([-1]) }),
      node('depth', 'Const', [], { dtype: attr.type(I), value: attr.tensor(int32Tensor([3], [])) }),
      node('on', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([5], [])) }),
      node('off', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([0], [])) }),
      node('hot', 'OneHot', ['indices', 'depth', 'on', 'off'], { T: attr.type(F), TI: attr.type(I), axis: attr.int(-1) }),
    ],
    [],
    { indices: ['indices:0', I] },
    { hot: ['hot:0', F] },
  );
}

describe('host ops read values asynchronously where synchronous reads answer zeros', () => {
  it('OneHot (depth 3 read on the host): predictAsync and run() give TF\'s documented answer; predict() is UNSUPPORTED', async () => {
    const m = await loadSavedModel(await oneHotModel());
    const want = [[5, 0, 0], [0, 0, 5], [0, 0, 0], [0, 5, 0]];
    const y = await m.predictAsync(tf.tensor1d([0, 2, -1, 1], 'int32')) as tf.Tensor;
    expect(await y.array(), JSON.stringify(await y.array())).toEqual(want);
    expect((await m.run({ indices: [0, 2, -1, 1] })).hot!.values).toEqual(want.flat());
    const f = await refused(() => m.predict(tf.tensor1d([0], 'int32')));
    expect(f.code).toBe('UNSUPPORTED');
    expect(f.message).toContain('OneHot');
    expect(f.message).toContain('predictAsync');
    m.dispose();
  });

  it('tf_StaticHashTableModule: the default value -1 of LookupTableFindV2 (the table filled by the init op)', async () => {
    const m = await loadSavedModel(join(MORE, 'tf_StaticHashTableModule'));
    const r = await m.run({ word: ['foo', 'bar', 'baz', 'wombat', 'x'] });
    expect(r.output_0!.values).toEqual([0, 1, 2, 3, -1]);
    m.dispose();
  });

  it('ParseSingleExample: a missing feature takes its dense default (-1.5, TF\'s documented semantics)', async () => {
    const files = await savedModelFiles(
      [
        node('ser', 'Placeholder', [], { dtype: attr.type(DT.DT_STRING), shape: attr.shape([]) }),
        node('dflt', 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([-1.5], [1])) }),
        node('parse', 'ParseSingleExample', ['ser', 'dflt'], {
          num_sparse: attr.int(0), sparse_keys: attr.emptyList(), dense_keys: attr.strs(['x']),
          sparse_types: attr.emptyList(), Tdense: attr.types([F]), dense_shapes: attr.shapes([[1]]),
        }),
      ],
      [],
      { ser: ['ser:0', DT.DT_STRING] },
      { x: ['parse:0', F] },
    );
    const m = await loadSavedModel(files);
    expect((await m.run({ ser: serializeExamples([{ y: [1] }])[0]! })).x!.values).toEqual([-1.5]);
    expect((await m.run({ ser: serializeExamples([{ x: [8] }])[0]! })).x!.values).toEqual([8]);
    m.dispose();
  });

  it('int64_multiply (v1·v2·x = 6x): checked int64 arithmetic reads its operands', async () => {
    const m = await loadSavedModel(join(FIXTURES, 'int64_multiply'));
    expect((await m.run({ x: [1, -20] })).output_0!.values).toEqual([6, -120]);
    const f = await refused(() => m.run({ x: [1000000000, 1] }));
    expect(f.code).toBe('UNSUPPORTED');
    expect(f.message).toContain('6000000000');
    m.dispose();
  });

  it('checked int64 Add broadcasting [2,1] + [1,3] on the host', async () => {
    const files = await savedModelFiles(
      [
        node('a', 'Placeholder', [], { dtype: attr.type(L), shape: attr.shape([2, 1]) }),
        node('b', 'Placeholder', [], { dtype: attr.type(L), shape: attr.shape([1, 3]) }),
        node('c', 'AddV2', ['a', 'b'], { T: attr.type(L) }),
      ],
      [],
      { a: ['a:0', L], b: ['b:0', L] },
      { c: ['c:0', L] },
    );
    for (const backend of [ZERO_READSYNC, 'cpu']) {
      await tf.setBackend(backend);
      const m = await loadSavedModel(files);
      const r = await m.run({ a: [[1], [2]], b: [[10, 20, 2147483600]] });
      expect(r.c!.shape, backend).toEqual([2, 3]);
      expect(r.c!.values, backend).toEqual([11, 21, 2147483601, 12, 22, 2147483602]);
      const f = await refused(() => m.run({ a: [[1], [100]], b: [[10, 20, 2147483600]] }));
      expect(f.code, backend).toBe('UNSUPPORTED'); // 2147483700 is past int32
      m.dispose();
    }
    await tf.setBackend(ZERO_READSYNC);
  });

  it('Conv2DBackpropFilter reads its filter sizes asynchronously (= d/dfilter of tf.conv2d)', async () => {
    const x = tf.randomUniform([1, 4, 4, 2], -1, 1, 'float32', 1);
    const f = tf.randomUniform([3, 3, 2, 2], -1, 1, 'float32', 2);
    const dy = tf.randomUniform([1, 2, 2, 2], -1, 1, 'float32', 3);
    const want = tf.grad((ff: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, ff as tf.Tensor4D, 1, 'valid'), dy)))(f);
    const ph = (name: string): tensorflow.INodeDef => ({ name, op: 'Placeholder', input: [], attr: { dtype: attr.type(F) } });
    const nodes = [ph('x'), ph('dy'), { name: 'sizes', op: 'Const', input: [], attr: { dtype: attr.type(I) } }, {
      name: 'g', op: 'Conv2DBackpropFilter', input: ['x', 'sizes', 'dy'],
      attr: { T: attr.type(F), strides: attr.ints([1, 1, 1, 1]), padding: attr.str('VALID'), data_format: attr.str('NHWC'), dilations: attr.ints([1, 1, 1, 1]) },
    }];
    const g = { signatureKey: 'g', methodName: '', nodes, constants: new Map([['sizes', { dtype: I, shape: [4], values: Int32Array.from([3, 3, 2, 2]) }]]), inputs: [], outputs: [], variables: [], producer: 440, hostNodes: new Map(), writtenVariables: [], functions: [] };
    const m = await loadGraphModel({ load: async () => toModelArtifacts(g) });
    const got = await m.executeAsync({ x, dy }, 'g') as tf.Tensor;
    expect(got.shape).toEqual([3, 3, 2, 2]);
    const gv = await got.data(), wv = await want.data();
    for (let i = 0; i < wv.length; i++) expect(Math.abs(gv[i]! - wv[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(wv[i]!)));
  });
});
