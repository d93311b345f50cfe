// Ops whose TensorFlow data_format is NCHW (Keras channels_first layers write them: the channel is
// axis 1, and ksize / strides / dilations / paddings are in NCHW order). tfjs-converter's executor
// ignores data_format for BiasAdd, pools and FusedBatchNorm (it adds along the last axis and pools
// with the wrong window), so the runtime, and the tfjs graph models convert writes, must not hand
// such nodes over as they are. Expected values: tfjs's own NHWC ops between two transposes.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, fileMapSink, floatTensor, int32Tensor, node, tensorflow } from '@savedmodel-js/core';
import { executorNodes, loadSavedModel, type FrozenGraph } from '../src/index.js';
import { frozenGraphErrors, savedModelFiles } from './graph-kit.js';
import { prng } from '../../trace/test/helpers/checks.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;
const rand = prng(11);
const values = (n: number, lo = -1, hi = 1): number[] => Array.from({ length: n }, () => rand(lo, hi));
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
const constant = (name: string, shape: number[], v = values(size(shape))) => node(name, 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor(v, shape)) });
const NCHW = attr.str('NCHW');
const toNhwc = (x: tf.Tensor) => tf.transpose(x, [0, 2, 3, 1]);
const toNchw = (x: tf.Tensor) => tf.transpose(x, [0, 3, 1, 2]);

beforeAll(async () => { await tf.setBackend('cpu'); });

/** What the frozen graph holds instead of the NCHW nodes is TensorFlow's own ops, as TF 2.2 defines them. */
function expectValidFrozen(g: FrozenGraph): void {
  expect(frozenGraphErrors(g)).toEqual([]);
  expect(g.nodes.filter((n) => n.attr?.data_format && String.fromCharCode(...n.attr.data_format.s!).startsWith('NC')).map((n) => n.name)).toEqual([]);
}

/** One NCHW op on placeholder x [2, C=3, 6, 5], run through loadSavedModel, against tfjs's NHWC computation. */
async function check(op: string, extra: tensorflow.INodeDef[], inputs: string[], attrs: Record<string, tensorflow.IAttrValue>, want: (x: tf.Tensor) => tf.Tensor, outIndex = 0): Promise<void> {
  const files = await savedModelFiles(
    [node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([2, 3, 6, 5]) }), ...extra, node('y', op, ['x', ...inputs], { T: attr.type(F), data_format: NCHW, ...attrs })],
    [],
    { x: ['x:0', F] },
    { y: [`y:${outIndex}`, F] },
  );
  const x = tf.tensor(values(2 * 3 * 6 * 5, -2, 2), [2, 3, 6, 5]);
  const expected = want(x);
  for (const how of ['predict', 'run'] as const) {
    const m = await loadSavedModel(files);
    const got = how === 'predict' ? m.predict(x) as tf.Tensor : tf.tensor((await m.run({ x: await x.array() })).y!.values as number[], expected.shape);
    expect(got.shape, `${op} ${how}`).toEqual(expected.shape);
    const diff = tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]!;
    expect(diff, `${op} ${how}`).toBeLessThan(1e-4);
    expectValidFrozen(m.graph);
    m.dispose();
  }
}

describe('NCHW ops run as TensorFlow defines them', () => {
  it('BiasAdd: the bias goes along axis 1', async () => {
    const b = values(3);
    await check('BiasAdd', [constant('b', [3], b)], ['b'], {}, (x) => tf.add(x, tf.tensor(b, [1, 3, 1, 1])));
  });

  it('MaxPool and AvgPool: ksize / strides in NCHW order', async () => {
    const a = { ksize: attr.ints([1, 1, 3, 2]), strides: attr.ints([1, 1, 2, 2]) };
    await check('MaxPool', [], [], { ...a, padding: attr.str('VALID') }, (x) => toNchw(tf.maxPool(toNhwc(x) as tf.Tensor4D, [3, 2], [2, 2], 'valid')));
    await check('AvgPool', [], [], { ...a, padding: attr.str('SAME') }, (x) => toNchw(tf.avgPool(toNhwc(x) as tf.Tensor4D, [3, 2], [2, 2], 'same')));
  });

  it('FusedBatchNormV3 (inference): per channel along axis 1', async () => {
    const [scale, offset, mean, variance] = [values(3), values(3), values(3), values(3, 0.5, 1.5)];
    await check(
      'FusedBatchNormV3',
      [constant('scale', [3], scale), constant('offset', [3], offset), constant('mean', [3], mean), constant('variance', [3], variance)],
      ['scale', 'offset', 'mean', 'variance'],
      { U: attr.type(F), epsilon: attr.float(0.001), is_training: attr.bool(false) },
      (x) => {
        const c = (v: number[]) => tf.tensor(v, [1, 3, 1, 1]);
        return tf.add(tf.mul(tf.div(tf.sub(x, c(mean)), tf.sqrt(tf.add(c(variance), 0.001))), c(scale)), c(offset));
      },
    );
  });

  it('Conv2D and DepthwiseConv2dNative: NCHW input, HWIO filter, strides and dilations in NCHW order', async () => {
    const w = values(3 * 2 * 3 * 4);
    await check('Conv2D', [constant('w', [3, 2, 3, 4], w)], ['w'], { strides: attr.ints([1, 1, 2, 1]), padding: attr.str('SAME'), dilations: attr.ints([1, 1, 1, 1]) },
      (x) => toNchw(tf.conv2d(toNhwc(x) as tf.Tensor4D, tf.tensor(w, [3, 2, 3, 4]) as tf.Tensor4D, [2, 1], 'same')));
    const d = values(3 * 3 * 3 * 2);
    await check('DepthwiseConv2dNative', [constant('d', [3, 3, 3, 2], d)], ['d'], { strides: attr.ints([1, 1, 1, 1]), padding: attr.str('VALID'), dilations: attr.ints([1, 1, 1, 2]) },
      (x) => toNchw(tf.depthwiseConv2d(toNhwc(x) as tf.Tensor4D, tf.tensor(d, [3, 3, 3, 2]) as tf.Tensor4D, 1, 'valid', 'NHWC', [1, 2])));
  });

  it('Conv2DBackpropInput: input_sizes in NCHW order (a Keras channels_first Conv2DTranspose)', async () => {
    const w = values(3 * 3 * 4 * 3); // HWOI: out 4 channels, in 3
    const files = await savedModelFiles(
      [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([2, 3, 6, 5]) }),
        node('sizes', 'Const', [], { dtype: attr.type(DT.DT_INT32), value: attr.tensor(int32Tensor([2, 4, 12, 10], [4])) }),
        constant('w', [3, 3, 4, 3], w),
        node('y', 'Conv2DBackpropInput', ['sizes', 'w', 'x'], { T: attr.type(F), data_format: NCHW, strides: attr.ints([1, 1, 2, 2]), padding: attr.str('SAME'), dilations: attr.ints([1, 1, 1, 1]) }),
      ],
      [], { x: ['x:0', F] }, { y: ['y:0', F] },
    );
    const x = tf.tensor(values(2 * 3 * 6 * 5), [2, 3, 6, 5]);
    const want = toNchw(tf.conv2dTranspose(toNhwc(x) as tf.Tensor4D, tf.tensor(w, [3, 3, 4, 3]) as tf.Tensor4D, [2, 12, 10, 4], 2, 'same'));
    const m = await loadSavedModel(files);
    const got = m.predict(x) as tf.Tensor;
    expect(got.shape).toEqual([2, 4, 12, 10]);
    expectValidFrozen(m.graph);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-4);
    m.dispose();
  });

  it('a channels_first Conv2D → BiasAdd → FusedBatchNormV3 → Relu → MaxPool chain, and convert\'s tfjs graph model of it on tfjs-converter', async () => {
    const [w, b] = [values(3 * 3 * 3 * 4), values(4)];
    const [scale, offset, mean, variance] = [values(4), values(4), values(4), values(4, 0.5, 1.5)];
    const nodes = [
      node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1, 3, 6, 5]) }),
      constant('w', [3, 3, 3, 4], w), constant('b', [4], b),
      constant('scale', [4], scale), constant('offset', [4], offset), constant('mean', [4], mean), constant('variance', [4], variance),
      node('conv', 'Conv2D', ['x', 'w'], { T: attr.type(F), data_format: NCHW, strides: attr.ints([1, 1, 1, 1]), padding: attr.str('SAME'), dilations: attr.ints([1, 1, 1, 1]) }),
      node('bias', 'BiasAdd', ['conv', 'b'], { T: attr.type(F), data_format: NCHW }),
      node('bn', 'FusedBatchNormV3', ['bias', 'scale', 'offset', 'mean', 'variance'], { T: attr.type(F), U: attr.type(F), data_format: NCHW, epsilon: attr.float(0.001), is_training: attr.bool(false) }),
      node('relu', 'Relu', ['bn'], { T: attr.type(F) }),
      node('pool', 'MaxPool', ['relu'], { T: attr.type(F), data_format: NCHW, ksize: attr.ints([1, 1, 2, 2]), strides: attr.ints([1, 1, 2, 2]), padding: attr.str('VALID') }),
    ];
    const files = await savedModelFiles(nodes, [], { x: ['x:0', F] }, { y: ['pool:0', F] });
    const x = tf.tensor(values(2 * 3 * 6 * 5), [2, 3, 6, 5]);
    const c = (v: number[]) => tf.tensor(v, [1, 1, 1, 4]);
    let h = tf.conv2d(toNhwc(x) as tf.Tensor4D, tf.tensor(w, [3, 3, 3, 4]) as tf.Tensor4D, 1, 'same');
    h = tf.add(h, c(b));
    h = tf.add(tf.mul(tf.div(tf.sub(h, c(mean)), tf.sqrt(tf.add(c(variance), 0.001))), c(scale)), c(offset));
    const want = toNchw(tf.maxPool(tf.relu(h) as tf.Tensor4D, 2, 2, 'valid'));

    const m = await loadSavedModel(files);
    const got = m.predict(x) as tf.Tensor;
    expect(got.shape).toEqual([2, 4, 3, 2]);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-4);
    // Conv2D hands BiasAdd, BiasAdd the batch norm channels-last values: no transpose between them
    const exec = executorNodes(m.graph);
    // x in; bn's output back (Relu reads it) and in again (MaxPool); pool's output back
    expect(exec.filter((n) => n.op === 'Transpose').length).toBe(4);
    expect(exec.some((n) => n.op === '_FusedConv2D')).toBe(true);
    expectValidFrozen(m.graph);
    m.dispose();

    // convert's tfjs graph model, run by tfjs-converter itself
    const { convertSavedModelToTfjs } = await import('@savedmodel-js/convert');
    const out = fileMapSink();
    await convertSavedModelToTfjs(files, out);
    const json = JSON.parse(new TextDecoder().decode(out.files.get('model.json')));
    const gm = await tf.loadGraphModel({ load: async () => tf.io.getModelArtifactsForJSON(json, async (manifest) => {
      const parts = manifest.flatMap((g) => g.paths.map((p) => out.files.get(p)!));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      return [manifest.flatMap((g) => g.weights), all.buffer];
    }) });
    const y = gm.execute(x, json.signature.outputs.y.name) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(y, want))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('NCDHW: Conv3D and MaxPool3D (a channels_first Conv3D layer)', async () => {
    const w = values(2 * 2 * 2 * 3 * 2);
    const files = await savedModelFiles(
      [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([1, 3, 4, 5, 4]) }),
        constant('w', [2, 2, 2, 3, 2], w),
        node('c', 'Conv3D', ['x', 'w'], { T: attr.type(F), data_format: attr.str('NCDHW'), strides: attr.ints([1, 1, 1, 2, 1]), padding: attr.str('SAME'), dilations: attr.ints([1, 1, 1, 1, 1]) }),
        node('p', 'MaxPool3D', ['c'], { T: attr.type(F), data_format: attr.str('NCDHW'), ksize: attr.ints([1, 1, 2, 1, 2]), strides: attr.ints([1, 1, 2, 1, 2]), padding: attr.str('VALID') }),
      ],
      [], { x: ['x:0', F] }, { y: ['p:0', F] },
    );
    const x = tf.tensor(values(3 * 4 * 5 * 4), [1, 3, 4, 5, 4]);
    const c = tf.conv3d(tf.transpose(x, [0, 2, 3, 4, 1]) as tf.Tensor5D, tf.tensor(w, [2, 2, 2, 3, 2]) as tf.Tensor5D, [1, 2, 1], 'same');
    const want = tf.transpose(tf.maxPool3d(c as tf.Tensor5D, [2, 1, 2], [2, 1, 2], 'valid'), [0, 4, 1, 2, 3]);
    const m = await loadSavedModel(files);
    const got = m.predict(x) as tf.Tensor;
    expect(got.shape).toEqual(want.shape);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-4);
    expectValidFrozen(m.graph);
    m.dispose();
  });

  it('DepthToSpace: blocks taken from axis 1 (tfjs refuses NCHW on cpu)', async () => {
    const files = await savedModelFiles(
      [node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([1, 8, 2, 3]) }), node('y', 'DepthToSpace', ['x'], { T: attr.type(F), block_size: attr.int(2), data_format: NCHW })],
      [], { x: ['x:0', F] }, { y: ['y:0', F] },
    );
    const x = tf.tensor(values(8 * 2 * 3), [1, 8, 2, 3]);
    const want = toNchw(tf.depthToSpace(toNhwc(x) as tf.Tensor4D, 2));
    const m = await loadSavedModel(files);
    const got = m.predict(x) as tf.Tensor;
    expect(got.shape).toEqual([1, 2, 4, 6]);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBe(0);
    expectValidFrozen(m.graph);
    m.dispose();
  });

  it('BiasAdd "NCHW" of any rank (tf.nn.bias_add writes NCHW for NCW and NCDHW too): along axis 1, after a Conv3D as well', async () => {
    for (const shape of [[2, 3], [2, 3, 4], [2, 3, 2, 2, 2]]) {
      const b = values(3);
      const files = await savedModelFiles(
        [node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape(shape) }), constant('b', [3], b), node('y', 'BiasAdd', ['x', 'b'], { T: attr.type(F), data_format: NCHW })],
        [], { x: ['x:0', F] }, { y: ['y:0', F] },
      );
      const x = tf.tensor(values(size(shape)), shape);
      const want = tf.add(x, tf.tensor(b, [3, ...Array<number>(shape.length - 2).fill(1)]));
      const m = await loadSavedModel(files);
      const got = m.predict(x) as tf.Tensor;
      expect(got.shape).toEqual(shape);
      expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0], JSON.stringify(shape)).toBeLessThan(1e-6);
      expectValidFrozen(m.graph);
      m.dispose();
    }
    // a Keras channels_first Conv3D: Conv3D NCDHW, then BiasAdd "NCHW" on its 5-D output
    const w = values(2 * 2 * 2 * 3 * 2), b = values(2);
    const files = await savedModelFiles(
      [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([1, 3, 3, 3, 3]) }), constant('w', [2, 2, 2, 3, 2], w), constant('b', [2], b),
        node('c', 'Conv3D', ['x', 'w'], { T: attr.type(F), data_format: attr.str('NCDHW'), strides: attr.ints([1, 1, 1, 1, 1]), padding: attr.str('VALID'), dilations: attr.ints([1, 1, 1, 1, 1]) }),
        node('y', 'BiasAdd', ['c', 'b'], { T: attr.type(F), data_format: NCHW }),
      ],
      [], { x: ['x:0', F] }, { y: ['y:0', F] },
    );
    const x = tf.tensor(values(81), [1, 3, 3, 3, 3]);
    const c = tf.conv3d(tf.transpose(x, [0, 2, 3, 4, 1]) as tf.Tensor5D, tf.tensor(w, [2, 2, 2, 3, 2]) as tf.Tensor5D, 1, 'valid');
    const want = tf.transpose(tf.add(c, tf.tensor(b)), [0, 4, 1, 2, 3]);
    const m = await loadSavedModel(files);
    const got = m.predict(x) as tf.Tensor;
    expect(got.shape).toEqual([1, 2, 2, 2, 2]);
    expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThan(1e-4);
    expect(m.graph.nodes.filter((n) => n.op === 'Transpose').length).toBe(2); // in before the Conv3D, out after the bias
    expectValidFrozen(m.graph);
    m.dispose();
  });
});
