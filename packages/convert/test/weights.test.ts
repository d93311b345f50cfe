// Every tfjs weight format, checked against values worked out by hand: uint8 / uint16 affine
// (q * scale + min), int32 weights quantized (rounded), float16 bits, float32 bit patterns kept
// (NaN payload, -0), string weights, and weights spread over groups listed out of node order with
// a shard boundary inside a weight. tfjs-converter's own loader reads the same files as the
// second opinion.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorflow } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { decodeTensorProto, loadSavedModel } from '@savedmodel-js/runtime';
import { convertTfjsModel, floatToHalf, halfToFloat, quantizeWeights } from '../src/index.js';
import { jconst, jnode, jt, loadTfjsGraphModel, tempDir, verifyStrict, writeGraphModel } from './helpers.js';

const DT = tensorflow.DataType;
const tmp = tempDir('convert-weights-');
afterAll(() => tmp.cleanup());
beforeAll(async () => { await tf.setBackend('cpu'); });

// float32 with a NaN payload (0x7fc00001) and -0: must arrive bit for bit.
const F32_BITS = new Uint32Array([0x3f800000, 0x7fc00001, 0x80000000, 0x00000001]);
const F16_BITS = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001]);

function model(dir: string): string {
  const nodes = [
    jnode('x', 'Placeholder', [], { dtype: jt.type('DT_FLOAT'), shape: jt.shape([4]) }),
    jconst('w_u8', 'DT_FLOAT', [4]),
    jconst('w_u16', 'DT_FLOAT', [3]),
    jconst('w_f16', 'DT_FLOAT', [5]),
    jconst('w_f32', 'DT_FLOAT', [4]),
    jconst('w_i32q', 'DT_INT32', [2]),
    jconst('w_i64', 'DT_INT64', [2]),
    jconst('w_str', 'DT_STRING', [2]),
    jnode('sum', 'AddV2', ['x', 'w_u8'], { T: jt.type('DT_FLOAT') }),
    jnode('out_u16', 'Identity', ['w_u16'], { T: jt.type('DT_FLOAT') }),
    jnode('out_f16', 'Identity', ['w_f16'], { T: jt.type('DT_FLOAT') }),
    jnode('out_f32', 'Identity', ['w_f32'], { T: jt.type('DT_FLOAT') }),
    jnode('out_i32q', 'Identity', ['w_i32q'], { T: jt.type('DT_INT32') }),
    jnode('out_i64', 'Identity', ['w_i64'], { T: jt.type('DT_INT64') }),
    jnode('out_str', 'Identity', ['w_str'], { T: jt.type('DT_STRING') }),
  ];
  const strBytes = new Uint8Array([2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0]);
  // Group A (listed first) holds weights of later nodes; its bytes are split over two shard
  // files in the middle of w_u16.
  const u16 = new Uint8Array(new Uint16Array([0, 4, 65535]).buffer);
  const groupA = new Uint8Array([...new Uint8Array(F16_BITS.buffer), ...u16, ...new Uint8Array(new Int32Array([7, -9]).buffer), ...strBytes]);
  const cut = F16_BITS.byteLength + 3;
  return writeGraphModel(dir, nodes, [
    {
      files: [['group2-shard1of2.bin', groupA.slice(0, cut)], ['group2-shard2of2.bin', groupA.slice(cut)]],
      weights: [
        { name: 'w_f16', shape: [5], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'w_u16', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.25, min: 10 } },
        { name: 'w_i64', shape: [2], dtype: 'int32' },
        { name: 'w_str', shape: [2], dtype: 'string' },
      ],
    },
    {
      files: [['group1-shard1of1.bin', new Uint8Array([0, 1, 2, 255, 3, 200, ...new Uint8Array(F32_BITS.buffer)])]],
      weights: [
        { name: 'w_u8', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
        { name: 'w_i32q', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.4, min: 0 } },
        { name: 'w_f32', shape: [4], dtype: 'float32' },
      ],
    },
  ], { userDefinedMetadata: { labels: ['a', 'b'] } });
}

async function constants(dir: string): Promise<Map<string, tensorflow.INodeDef>> {
  const { savedModel } = await readSavedModelDir(dir);
  return new Map((savedModel.meta_graphs[0]!.graph_def!.node ?? []).map((n) => [n.name ?? '', n]));
}

describe('dequantization', () => {
  it('every weight format arrives with the values worked out by hand', async () => {
    const src = model(join(tmp.dir, 'q'));
    const out = join(tmp.dir, 'q-saved');
    const r = await convertTfjsModel(src, out);
    expect(r.weights).toEqual({ count: 7, quantized: { float16: 1, uint16: 1, uint8: 2 }, bytesRead: 10 + 6 + 8 + 10 + 6 + 16 });
    expect(await verifyStrict(out)).toEqual([]);
    const nodes = await constants(out);
    const value = (n: string) => decodeTensorProto(nodes.get(n)!.attr!.value!.tensor!);
    // uint8: q * 0.5 - 1
    expect(Array.from(value('w_u8').values as Float32Array)).toEqual([-1, -0.5, 0, 126.5]);
    // uint16: q * 0.25 + 10
    expect(Array.from(value('w_u16').values as Float32Array)).toEqual([10, 11, 16393.75]);
    // float16 bits: 1, -2, 0.333251953125, 65504 (largest half), 2^-24 (smallest subnormal)
    expect(Array.from(value('w_f16').values as Float32Array)).toEqual([1, -2, 0.333251953125, 65504, 2 ** -24]);
    // int32 quantized: Math.round(q * 0.4): 3 → 1, 200 → 80
    expect(nodes.get('w_i32q')!.attr!.value!.tensor!.dtype).toBe(DT.DT_INT32);
    expect(Array.from(value('w_i32q').values as Int32Array)).toEqual([1, 80]);
    // int32 weight of an int64 Const widens back to int64
    expect(nodes.get('w_i64')!.attr!.value!.tensor!.dtype).toBe(DT.DT_INT64);
    expect(Array.from(value('w_i64').values as BigInt64Array)).toEqual([7n, -9n]);
    // float32: bit for bit
    const raw = nodes.get('w_f32')!.attr!.value!.tensor!.tensor_content!;
    expect(Array.from(new Uint32Array(raw.slice().buffer))).toEqual(Array.from(F32_BITS));
    const strs = value('w_str').values as Uint8Array[];
    expect(strs.map((s) => new TextDecoder().decode(s))).toEqual(['ab', '']);
    // assets.extra keeps userDefinedMetadata and the converter versions
    const { readFileSync } = await import('node:fs');
    const meta = JSON.parse(readFileSync(join(out, 'assets.extra', 'tfjs_model_metadata.json'), 'utf8'));
    expect(meta).toMatchObject({ format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', userDefinedMetadata: { labels: ['a', 'b'] } });
  });

  it("agrees with tfjs-converter's own loader on the same files", async () => {
    const src = model(join(tmp.dir, 'q2'));
    const out = join(tmp.dir, 'q2-saved');
    await convertTfjsModel(src, out);
    const gm = await loadTfjsGraphModel(join(tmp.dir, 'q2'));
    const ours = await loadSavedModel(out);
    const x = tf.tensor1d([0.25, 0.5, 1, 2]);
    for (const name of ['sum', 'out_u16', 'out_f16', 'out_i32q']) {
      const want = gm.execute({ x }, name) as tf.Tensor;
      const got = ours.execute({ x }, name) as tf.Tensor;
      expect(Array.from(got.dataSync()), name).toEqual(Array.from(want.dataSync()));
    }
  });

  it('keepFloat16 keeps the half bits in a DT_HALF Const read through a Cast', async () => {
    const src = model(join(tmp.dir, 'h'));
    const out = join(tmp.dir, 'h-saved');
    const r = await convertTfjsModel(src, out, { keepFloat16: true });
    expect(r.graph!.opHistogram.Cast).toBe(1);
    expect(await verifyStrict(out)).toEqual([]);
    const nodes = await constants(out);
    expect(nodes.get('w_f16')!.op).toBe('Cast');
    const half = nodes.get('w_f16/float16')!.attr!.value!.tensor!;
    expect(half.dtype).toBe(DT.DT_HALF);
    expect(Array.from(new Uint16Array(half.tensor_content!.slice().buffer))).toEqual(Array.from(F16_BITS));
    const m = await loadSavedModel(out);
    const y = m.execute({ x: tf.zeros([4]) }, 'out_f16') as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1, -2, 0.333251953125, 65504, 2 ** -24]);
  });

  it('half conversions round to nearest even; quantizeWeights nudges 0 onto the grid', () => {
    for (const h of F16_BITS) expect(floatToHalf(halfToFloat(h))).toBe(h);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie → even (up)
    expect(floatToHalf(1e6)).toBe(0x7c00);
    const q = quantizeWeights(new Float32Array([-1, 0, 0.3, 2]), 'uint8');
    // scale = 3 / 255; zero point round(1 / scale) = round(85) = 85 → min = -85 * scale
    expect(q.quantization.scale).toBeCloseTo(3 / 255, 15);
    expect(q.quantization.min).toBeCloseTo(-85 * (3 / 255), 15);
    expect(Array.from(q.bytes)).toEqual([0, 85, Math.round((0.3 + 85 * 3 / 255) / (3 / 255)), 255]);
    const dq = Array.from(q.bytes, (b) => b * q.quantization.scale! + q.quantization.min!);
    expect(dq[1]).toBe(0);
  });
});
