// The TensorFlow-written SavedModels of fixtures/tf-more, run through loadSavedModel from a
// directory and from a zip in memory (the browser path), against the answers of the README there
// (TensorFlow's generator scripts): tf.Example signatures, lookup tables and assets filled by the
// init op, float64 constants returned exactly, and the fuzzed models refused with typed errors.
import * as tf from '@tensorflow/tfjs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSavedModelError, tensorflow } from '@savedmodel-js/core';
import { zipBlobSink } from '@savedmodel-js/zip';
import { loadSavedModel, serializeExamples, type SavedModelSource } from '../src/index.js';
import { SHARED } from '../../core/test/shared.js';

const MORE = join(SHARED, 'fixtures', 'tf-more');

beforeAll(async () => { await tf.setBackend('cpu'); });

function files(name: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(MORE, name, rel))) {
      const p = rel ? `${rel}/${e}` : e;
      if (statSync(join(MORE, name, p)).isDirectory()) walk(p);
      else out.set(p, new Uint8Array(readFileSync(join(MORE, name, p))));
    }
  };
  walk('');
  return out;
}

async function zipBytes(name: string): Promise<Uint8Array> {
  const sink = zipBlobSink();
  for (const [p, b] of files(name)) await sink.write(p, b);
  await sink.commit();
  return new Uint8Array(await sink.blob().arrayBuffer());
}

/** Directory and in-memory zip of one fixture. */
async function sources(name: string): Promise<Array<[string, SavedModelSource]>> {
  return [['dir', join(MORE, name)], ['zip', await zipBytes(name)]];
}

async function run(src: SavedModelSource, signature: string, inputs: Record<string, unknown>) {
  const m = await loadSavedModel(src, { signature });
  try {
    return await m.run(inputs);
  } finally {
    m.dispose();
  }
}

describe('tf_half_plus_two (TF 1.1: ParseExample, legacy_init_op, assets)', () => {
  // y = 0.5x + 2, y2 = 0.5x + 3, y3 = 0.5·x2 + 3 (saved_model_half_plus_two.py)
  const examples = [{ x: [8.0] }, { x: [2.0], x2: [4.0] }];
  it('all 6 signatures, via serialized tf.Example strings and via tensors', async () => {
    for (const [how, src] of await sources('tf_half_plus_two')) {
      const ser = serializeExamples(examples);
      expect((await run(src, 'regress_x_to_y', { inputs: ser })).outputs!.values, how).toEqual([6, 3]);
      expect((await run(src, 'classify_x_to_y', { inputs: ser })).scores!.values, how).toEqual([6, 3]);
      expect((await run(src, 'regress_x_to_y2', { inputs: ser })).outputs!.values, how).toEqual([7, 4]);
      expect((await run(src, 'serving_default', { x: [[8], [2]] })).y!.values, how).toEqual([6, 3]);
      expect((await run(src, 'regress_x2_to_y3', { inputs: [[4]] })).outputs!.values, how).toEqual([5]);
      expect((await run(src, 'classify_x2_to_y3', { inputs: [[4], [0]] })).scores!.values, how).toEqual([5, 3]);
    }
  });

  it('a missing required feature, a wrong feature type and bytes that are no Example → INVALID_ARGUMENT', async () => {
    const m = await loadSavedModel(join(MORE, 'tf_half_plus_two'), { signature: 'regress_x_to_y' });
    for (const bad of [serializeExamples([{ x2: [1] }]), serializeExamples([{ x: ['eight'] }]), [new Uint8Array([0x0a, 0xff, 0xff])], serializeExamples([{ x: [1, 2] }])]) {
      const err = await m.run({ inputs: bad }).then(() => undefined, (e: unknown) => e);
      expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
      expect(String(err)).toContain('ParseExample');
    }
    m.dispose();
  });
});

describe('TF2 resources', () => {
  it('tf_StaticHashTableModule: table filled from an asset by the init op', async () => {
    for (const [how, src] of await sources('tf_StaticHashTableModule')) {
      const r = await run(src, 'serving_default', { word: ['foo', 'bar', 'baz', 'wombat', 'x'] });
      expect(r.output_0!.values, how).toEqual([0, 1, 2, 3, -1]);
      expect(r.output_0!.tfDtype).toBe('DT_INT64');
    }
  });

  it('tf_AssetModule: ReadFile of the asset path the init op restores', async () => {
    const want = new TextDecoder().decode(readFileSync(join(MORE, 'tf_AssetModule', 'assets', 'test_asset.txt')));
    for (const [how, src] of await sources('tf_AssetModule')) {
      expect((await run(src, 'serving_default', {})).output_0!.values, how).toEqual([want]);
    }
  });

  it('tf_x_plus_y_v2_debuginfo: 3 + 4 = 7', async () => {
    for (const [how, src] of await sources('tf_x_plus_y_v2_debuginfo')) {
      expect((await run(src, 'serving_default', { x: 3, y: 4 })).output_0!.values, how).toEqual([7]);
    }
  });
});

describe('keras3_power_consumption (TF 2.18, Keras 3 model.export)', () => {
  it('serve and serving_default answer alike, with batch dimension', async () => {
    const x = Array.from({ length: 3 }, (_, i) => Array.from({ length: 25 }, (_, j) => Math.sin(i * 25 + j)));
    for (const [how, src] of await sources('keras3_power_consumption')) {
      const a = (await run(src, 'serve', { keras_tensor: x })).output_0!;
      const b = (await run(src, 'serving_default', { keras_tensor: x })).output_0!;
      expect(a.shape, how).toEqual([3, 1]);
      expect(a.values.every((v) => Number.isFinite(v as number))).toBe(true);
      expect(b.values, how).toEqual(a.values);
    }
  });
});

describe('float64 exactness', () => {
  it('tf_non_chunked_model: the 150×150 float64 constant comes back as doubles, bit for bit', async () => {
    // the constant's raw little-endian doubles, straight from the file's tensor_content
    const sm = tensorflow.SavedModel.decode(readFileSync(join(MORE, 'tf_non_chunked_model', 'saved_model.pb')));
    const consts = (sm.meta_graphs![0]!.graph_def!.library!.function ?? []).flatMap((f) => f.node_def ?? [])
      .concat(sm.meta_graphs![0]!.graph_def!.node ?? [])
      .filter((n) => n.op === 'Const' && n.attr?.value?.tensor?.dtype === tensorflow.DataType.DT_DOUBLE && (n.attr.value.tensor.tensor_content?.length ?? 0) > 0);
    expect(consts.length).toBeGreaterThan(0);
    const raw = consts[0]!.attr!.value!.tensor!.tensor_content!;
    const want = Array.from(new Float64Array(new Uint8Array(raw).buffer)); // a copy: Node Buffers are pool slices
    expect(want.length).toBe(150 * 150);
    expect(want.some((v) => Math.fround(v) !== v)).toBe(true); // float32 would round them
    for (const [how, src] of await sources('tf_non_chunked_model')) {
      const r = await run(src, 'serving_default', {});
      expect(r.output_0!.shape, how).toEqual([150, 150]);
      expect(r.output_0!.values, how).toEqual(want);
    }
  });
});

describe('fuzzed models (TensorFlow fuzzer corpus) → typed errors, never a crash', () => {
  for (const name of ['tf_fuzz_bad_node_attr', 'tf_fuzz_const_with_no_value', 'tf_fuzz_negative_shape']) {
    it(name, async () => {
      for (const [how, src] of await sources(name)) {
        const err = await run(src, 'serving_default', { x: [[1]] }).then(() => undefined, (e: unknown) => e);
        expect(isSavedModelError(err), `${how}: ${String(err)}`).toBe(true);
      }
    });
  }
});
