// Graph models that a TensorFlow newer than our TF 2.2 floor wrote, as TF 2.4's Object Detection
// API exports reach tfjs (handtrackjs ships three): every DepthwiseConv2dNative carries
// explicit_paddings=[] (an attr TF 2.2 does not declare), and the signature keys are tensor names
// ("Identity:0"). The attr's default comes from TF 2.21's registry; numeric truth is
// tfjs-converter's GraphModel.execute on the original files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSavedModel, isSavedModelError, type tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { convertSavedModelToTfjs, convertTfjsModel, type ConvertTfjsResult } from '../src/index.js';
import { expectClose, f32, jconst, jnode, jt, loadTfjsGraphModel, tempDir, testValues, verifyStrict, writeGraphModel } from './helpers.js';

const tmp = tempDir('convert-newer-tf-');
afterAll(() => tmp.cleanup());

const FILTER = testValues(18, 'float32', 31);
const conv = { T: jt.type('DT_FLOAT'), strides: jt.ints([1, 1, 1, 1]), data_format: jt.str('NHWC'), dilations: jt.ints([1, 1, 1, 1]) };
const weights = [{ files: [['w.bin', f32(FILTER)]] as Array<[string, Uint8Array]>, weights: [{ name: 'dwfilter', shape: [3, 3, 2, 1], dtype: 'float32' }] }];
const tensorInfo = (name: string, dims: number[]) => ({ name, dtype: 'DT_FLOAT', tensorShape: { dim: dims.map((d) => ({ size: String(d) })) } });

/** x → depthwise (SAME or EXPLICIT) → Identity, signed with tensor-name keys as tfjs-converter writes them. */
function model(dir: string, depthwise: Record<string, unknown>): string {
  return writeGraphModel(dir, [
    jnode('input_tensor', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([-1, 5, 5, 2]) }),
    jconst('dwfilter', 'DT_FLOAT', [3, 3, 2, 1]),
    jnode('depthwise', 'DepthwiseConv2dNative', ['input_tensor', 'dwfilter'], { ...conv, ...depthwise }),
    jnode('Identity', 'Identity', ['depthwise'], { T: jt.type('DT_FLOAT') }),
    jnode('Identity_1', 'Relu', ['depthwise'], { T: jt.type('DT_FLOAT') }),
  ], weights, {
    signature: {
      inputs: { 'input_tensor:0': tensorInfo('input_tensor:0', [-1, 5, 5, 2]) },
      outputs: { 'Identity:0': tensorInfo('Identity:0', [-1, 5, 5, 2]), 'detection scores:0': tensorInfo('Identity_1:0', [-1, 5, 5, 2]) },
    },
  });
}

function depthwiseNodes(out: string): tensorflow.INodeDef[] {
  const sm = decodeSavedModel(readFileSync(join(out, 'saved_model.pb')));
  return (sm.meta_graphs?.[0]?.graph_def?.node ?? []).filter((n) => n.op === 'DepthwiseConv2dNative');
}

describe('explicit_paddings=[] on DepthwiseConv2dNative (TF >= 2.4)', () => {
  const dir = join(tmp.dir, 'same');
  const out = join(tmp.dir, 'same-saved');
  let result: ConvertTfjsResult;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    model(dir, { padding: jt.str('SAME'), explicit_paddings: { list: {} } });
    result = await convertTfjsModel(join(dir, 'model.json'), out);
  });

  it('is rebuilt faithfully: the attr is dropped at its TF 2.21 default and reported; verify --strict is clean', async () => {
    expect(result.traced).toBeUndefined();
    expect(result.graph!.warnings.filter((w) => w.includes('explicit_paddings'))).toEqual([
      'attr DepthwiseConv2dNative.explicit_paddings (added after TF 2.2) dropped at its default from 1 node',
    ]);
    const dw = depthwiseNodes(out);
    expect(dw).toHaveLength(1);
    expect(Object.keys(dw[0]!.attr ?? {})).not.toContain('explicit_paddings');
    expect(await verifyStrict(out)).toEqual([]);
  });

  it('runs under its tensor-name output keys and matches tfjs-converter on the original', async () => {
    const original = await loadTfjsGraphModel(dir);
    const ours = await loadSavedModel(out);
    for (const batch of [1, 2]) {
      const x = tf.tensor4d(testValues(batch * 50, 'float32', batch + 40), [batch, 5, 5, 2]);
      const want = original.execute(x, ['Identity', 'Identity_1']) as tf.Tensor[];
      const got = ours.predict(x) as Record<string, tf.Tensor>;
      expect(Object.keys(got).sort()).toEqual(['Identity:0', 'detection scores:0']);
      expectClose(got['Identity:0']!.dataSync(), want[0]!.dataSync(), 1e-6, `Identity:0, batch ${batch}`);
      expectClose(got['detection scores:0']!.dataSync(), want[1]!.dataSync(), 1e-6, `detection scores:0, batch ${batch}`);
      const named = (await ours.executeAsync(x, 'Identity:0')) as tf.Tensor;
      expectClose(named.dataSync(), want[0]!.dataSync(), 1e-6, `executeAsync('Identity:0'), batch ${batch}`);
    }
  });

  it('converts back to a tfjs graph model whose signature names tensors tfjs finds', async () => {
    const back = join(tmp.dir, 'same-back');
    await convertSavedModelToTfjs(out, back);
    const sig = (JSON.parse(readFileSync(join(back, 'model.json'), 'utf8')) as { signature: { outputs: Record<string, { name: string }> } }).signature.outputs;
    expect(Object.keys(sig).sort()).toEqual(['Identity:0', 'detection scores:0']);
    const original = await loadTfjsGraphModel(dir);
    const roundTrip = await loadTfjsGraphModel(back);
    const x = tf.tensor4d(testValues(100, 'float32', 45), [2, 5, 5, 2]);
    const want = original.execute(x, ['Identity', 'Identity_1']) as tf.Tensor[];
    const got = roundTrip.execute(x, [sig['Identity:0']!.name, sig['detection scores:0']!.name]) as tf.Tensor[];
    expectClose(got[0]!.dataSync(), want[0]!.dataSync(), 1e-6, 'Identity:0');
    expectClose(got[1]!.dataSync(), want[1]!.dataSync(), 1e-6, 'detection scores:0');
  });
});

describe('explicit_paddings at another value', () => {
  it('is kept, not dropped: the rebuild refuses it (TF 2.2 has no EXPLICIT depthwise padding)', async () => {
    const dir = join(tmp.dir, 'explicit');
    model(dir, { padding: jt.str('EXPLICIT'), explicit_paddings: jt.ints([0, 0, 1, 1, 1, 1, 0, 0]) });
    const e = await convertTfjsModel(join(dir, 'model.json'), join(tmp.dir, 'explicit-saved'), { fallback: false }).then(() => undefined, (x: unknown) => x);
    if (!isSavedModelError(e)) throw new Error(`expected a SavedModelError, got ${String(e)}`);
    expect(e.code, e.message).toBe('INVALID_GRAPH');
    expect(e.message).toContain('explicit_paddings');
  });
});
