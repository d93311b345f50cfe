// Issue 14 item 3: every options object of the public API (export and runtime) rejects unknown
// keys with INVALID_ARGUMENT naming the key and the accepted ones; the seed options that were
// missing (SaveOptions.experimentalIoDevice / namespaceWhitelist, Model.export's format and
// inputSignature, ExportArchive.trackAndAddEndpoint) work; TensorSpec with unknown rank is typed.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, isSavedModelError, type SavedModelErrorCode } from '@savedmodel-js/core';
import { freezeSignature, loadSavedModel } from '@savedmodel-js/runtime';
import {
  ExportArchive, Module, RawVariable, exportModel, graphFunction, saveModel, tensorSpec, tfFunction, type ExportableFunction,
} from '../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

function dense(): tf.LayersModel {
  const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  return m;
}

function module(): Module {
  const m = new Module();
  const v = m.track('v', tf.variable(tf.scalar(2)));
  m.addFunction('f', (x: tf.Tensor) => tf.mul(x, v), [tensorSpec([null])]);
  return m;
}

async function failure(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectCode(err: unknown, code: SavedModelErrorCode, ...mentions: string[]): void {
  expect(isSavedModelError(err), `expected SavedModelError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code, String(err)).toBe(code);
  for (const m of mentions) expect((err as Error).message).toContain(m);
}

describe('unknown option keys → INVALID_ARGUMENT naming the key and the accepted ones', () => {
  const x = [tensorSpec([null, 3])];
  const cases: Array<[string, string, string, () => unknown]> = [
    ['saveModel arguments', 'signature', 'signatures', () => saveModel(module(), fileMapSink(), { signature: null } as never)],
    ['saveModel options (SaveOptions)', 'overwrites', 'namespaceWhitelist', () => saveModel(module(), fileMapSink(), { options: { overwrites: true } as never })],
    ['exportModel options', 'verbos', 'inputSignature', () => exportModel(dense(), fileMapSink(), { verbos: false } as never)],
    ['exportModel SaveOptions', 'asTxt', 'asText', () => exportModel(dense(), fileMapSink(), { verbose: false, options: { asTxt: true } as never })],
    ['ExportArchive.writeOut', 'verbse', 'logger', () => {
      const a = new ExportArchive();
      a.track(dense());
      a.addEndpoint('serve', (t: tf.Tensor) => tf.neg(t), x);
      return a.writeOut(fileMapSink(), { verbse: false } as never);
    }],
    ['ExportArchive.addEndpoint', 'input_signature', 'models', () => new ExportArchive().addEndpoint('e', (t: tf.Tensor) => t, x, { input_signature: x } as never)],
    ['ExportArchive.trackAndAddEndpoint', 'model', 'models', () => new ExportArchive().trackAndAddEndpoint('e', dense(), x, { model: [] } as never)],
    ['tfFunction', 'input_signature', 'inputSignature', () => tfFunction((t: tf.Tensor) => t, { input_signature: x } as never)],
    ['Module.addFunction', 'ismethod', 'isMethod', () => new Module().addFunction('f', (t: tf.Tensor) => t, x, { ismethod: true } as never)],
    ['graphFunction', 'nam', 'argNames', () => graphFunction((g) => g.constant(1), { nam: 'f' } as never)],
    ['RawVariable', 'trainabel', 'trainable', () => new RawVariable([1n], 'int64', { trainabel: false } as never)],
    ['loadSavedModel', 'signatur', 'signature', () => loadSavedModel(new Map(), { signatur: 'x' } as never)],
    ['loadSavedModel limits', 'maxTensorByte', 'maxTensorBytes', () => loadSavedModel(new Map(), { limits: { maxTensorByte: 1 } } as never)],
    ['freezeSignature', 'budgt', 'variableKeys', () => freezeSignature({}, undefined, 'serving_default', { budgt: 1 } as never)],
  ];
  for (const [api, key, accepted, call] of cases) {
    it(`${api}: '${key}'`, async () => {
      expectCode(await failure(call), 'INVALID_ARGUMENT', key, accepted);
    });
  }

  it('options that are not objects are INVALID_ARGUMENT too', async () => {
    expectCode(await failure(() => loadSavedModel(new Map(), 'serve' as never)), 'INVALID_ARGUMENT', 'must be an object');
    expectCode(await failure(() => tfFunction((t: tf.Tensor) => t, [] as never)), 'INVALID_ARGUMENT', 'must be an object');
  });
});

describe('seed options', () => {
  it('experimentalIoDevice is accepted (no effect in JavaScript); a non-string is INVALID_ARGUMENT', async () => {
    const a = fileMapSink();
    await saveModel(module(), a, { options: { experimentalIoDevice: '/job:localhost' } });
    const b = fileMapSink();
    await saveModel(module(), b);
    expect([...a.files.keys()].sort()).toEqual([...b.files.keys()].sort());
    expectCode(await failure(() => saveModel(module(), fileMapSink(), { options: { experimentalIoDevice: 3 as never } })), 'INVALID_ARGUMENT', 'experimentalIoDevice');
  });

  it('namespaceWhitelist: a namespaced op (Custom>Op) is refused unless its namespace is listed; absent, everything is allowed', async () => {
    const f = graphFunction((g, t) => g.op1('Neg', [t], {}, { shape: [2] }), { inputSignature: [tensorSpec([2])] });
    const cf = await f.getConcreteFunction();
    const custom: ExportableFunction = { ...cf, functionDef: { ...cf.functionDef, node_def: cf.functionDef.node_def!.map((n) => ({ ...n, op: 'Custom>Neg' })) } };
    const save = (namespaceWhitelist?: string[]) => {
      const m = new Module();
      return saveModel(m, fileMapSink(), { signatures: custom, options: namespaceWhitelist ? { namespaceWhitelist } : {} });
    };
    expectCode(await failure(() => save([])), 'INVALID_ARGUMENT', 'Custom>Neg', 'namespaceWhitelist: Custom');
    expectCode(await failure(() => save(['Other'])), 'INVALID_ARGUMENT', 'Custom>Neg');
    await save(['Custom']);
    await save();
    expectCode(await failure(() => saveModel(module(), fileMapSink(), { options: { namespaceWhitelist: 'Custom' as never } })), 'INVALID_ARGUMENT', 'namespaceWhitelist');
  });

  it("exportModel format: 'tf_saved_model' only (Keras' error otherwise)", async () => {
    const sink = fileMapSink();
    await exportModel(dense(), sink, { verbose: false, format: 'tf_saved_model' });
    expect(sink.files.has('saved_model.pb')).toBe(true);
    expectCode(await failure(() => exportModel(dense(), fileMapSink(), { verbose: false, format: 'onnx' })), 'INVALID_ARGUMENT', 'Unrecognized format="onnx"');
  });

  it('exportModel inputSignature sets the serve endpoint\'s input; the export runs like the model', async () => {
    const model = dense();
    const sink = fileMapSink();
    await exportModel(model, sink, { verbose: false, inputSignature: [tensorSpec([4, 3], 'float32', 'batch')] });
    const loaded = await loadSavedModel(sink.files, { signature: 'serve' });
    expect(loaded.inputs.map((t) => t.shape)).toEqual([[4, 3]]);
    const x = tf.tensor2d([[1, 2, 3], [0, 0, 1], [-1, 1, 0], [2, 2, 2]]);
    const want = (model.predict(x) as tf.Tensor).arraySync();
    expect((loaded.predict(x) as tf.Tensor).arraySync()).toEqual(want);
    loaded.dispose();
  }, 30_000);

  it('ExportArchive.trackAndAddEndpoint tracks the model and serves it', async () => {
    const model = dense();
    const a = new ExportArchive();
    a.trackAndAddEndpoint('call', model, [tensorSpec([null, 3])]);
    expect(a.endpointNames).toEqual(['call']);
    const sink = fileMapSink();
    const summary = await a.writeOut(sink, { verbose: false });
    expect(Object.keys(summary.signatures).sort()).toEqual(['call', 'serving_default']);
    expect(summary.variables.length).toBe(2);
    const loaded = await loadSavedModel(sink.files, { signature: 'call' });
    const x = tf.tensor2d([[1, 2, 3]]);
    expect((loaded.predict(x) as tf.Tensor).arraySync()).toEqual([[6, 6]]);
    loaded.dispose();
    expectCode(await failure(() => a.trackAndAddEndpoint('call', model, [tensorSpec([null, 3])])), 'INVALID_ARGUMENT', 'already taken');
    expectCode(await failure(() => a.trackAndAddEndpoint('v', tf.variable(tf.scalar(1)) as never, [tensorSpec([1])])), 'INVALID_ARGUMENT', 'LayersModel');
  }, 30_000);
});

describe('TensorSpec with unknown rank (shape null)', () => {
  it('tensorSpec(null) and a { shape: null } spec are UNSUPPORTED (TensorFlow.js traces with a known rank), not TypeError', async () => {
    expectCode(await failure(() => tensorSpec(null as never)), 'UNSUPPORTED', 'unknown rank');
    expectCode(await failure(() => tfFunction((t: tf.Tensor) => t, { inputSignature: [{ shape: null, dtype: 'float32' }] as never })), 'UNSUPPORTED', 'unknown rank');
    expectCode(await failure(() => tensorSpec('3' as never)), 'INVALID_ARGUMENT', 'shape');
  });
});
