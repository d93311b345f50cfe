// ExportArchive and exportModel: the examples of Keras 3's ExportArchive documentation (one input,
// several positional inputs, a list input, a dict input, a tf.function called once, an inference
// and a training endpoint with dropout on), variable collections, verbose output and Keras' errors.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, tensorflow } from '@savedmodel-js/core';
import { ExportArchive, exportModel, Module, saveModel, tensorSpec, tfFunction } from '../src/index.js';
import { loadSavedModel } from '@savedmodel-js/runtime';
import { dropoutProbe, mlp, multiIO } from './export-models.js';
import { cleanupTempDirs, expectError, expectValid, inputOf, listTree, maxRelDiff, runAll, tempDir } from './export-util.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(cleanupTempDirs);

const quiet = { verbose: false };

function twoInputModel(): tf.LayersModel {
  const x1 = tf.input({ shape: [3] });
  const x2 = tf.input({ shape: [4] });
  const h = tf.layers.concatenate().apply([x1, x2]) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: 2 }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [x1, x2], outputs: y });
}

describe('ExportArchive: the Keras documentation examples', () => {
  it('one input: serve (and serving_default) answer as model.apply', async () => {
    const model = mlp();
    const archive = new ExportArchive();
    archive.track(model);
    archive.addEndpoint('serve', (x: tf.Tensor) => model.apply(x), [tensorSpec([null, 6], 'float32')]);
    const dir = join(tempDir(), 'one');
    const summary = await archive.writeOut(dir, quiet);
    expect(summary.signatures).toEqual({ serve: { inputs: ['x'], outputs: ['output_0'] }, serving_default: { inputs: ['x'], outputs: ['output_0'] } });
    const proto = await expectValid(dir);
    const root = proto.savedModel.meta_graphs[0]!.object_graph_def!.nodes![0]!;
    expect(root.children!.map((c) => c.local_name)).toEqual(['variables', 'trainable_variables', 'non_trainable_variables', '_all_variables', '_misc_assets', 'signatures', 'serve']);
    expect(proto.checkpoint!.keys()).toContain('variables/0/.ATTRIBUTES/VARIABLE_VALUE');
    const input = inputOf([3, 6], 1);
    for (const signature of ['serve', 'serving_default']) {
      const loaded = await loadSavedModel(dir, { signature });
      expect(maxRelDiff(runAll(loaded, { x: input }).output_0!, model.predict(input) as tf.Tensor)).toBeLessThan(1e-5);
    }
  });

  it('two positional inputs', async () => {
    const model = twoInputModel();
    const archive = new ExportArchive();
    archive.track(model);
    archive.addEndpoint('serve', (a: tf.Tensor, b: tf.Tensor) => model.apply([a, b]), [tensorSpec([null, 3]), tensorSpec([null, 4])]);
    const dir = join(tempDir(), 'positional');
    await archive.writeOut(dir, quiet);
    await expectValid(dir);
    const loaded = await loadSavedModel(dir);
    expect(loaded.inputKeys).toEqual(['a', 'b']);
    const ia = inputOf([5, 3], 2), ib = inputOf([5, 4], 3);
    expect(maxRelDiff(runAll(loaded, { a: ia, b: ib }).output_0!, model.predict([ia, ib]) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('one input that is a list of two tensors (a functional model with two inputs)', async () => {
    const model = twoInputModel();
    const archive = new ExportArchive();
    archive.track(model);
    archive.addEndpoint('serve', (inputs: tf.Tensor[]) => model.apply(inputs), [[tensorSpec([null, 3], 'float32', 'x1'), tensorSpec([null, 4], 'float32', 'x2')]]);
    const dir = join(tempDir(), 'list');
    await archive.writeOut(dir, quiet);
    const proto = await expectValid(dir);
    // the function's input signature keeps the list: ([TensorSpec, TensorSpec],)
    const serveNode = proto.savedModel.meta_graphs[0]!.object_graph_def!.nodes!.find((n) => n.function)!;
    expect(serveNode.function!.function_spec!.input_signature!.tuple_value!.values![0]!.list_value!.values!.length).toBe(2);
    const loaded = await loadSavedModel(dir);
    expect(loaded.inputKeys).toEqual(['x1', 'x2']);
    const x1 = inputOf([4, 3], 4), x2 = inputOf([4, 4], 5);
    expect(maxRelDiff(runAll(loaded, { x1, x2 }).output_0!, model.predict([x1, x2]) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('dict inputs', async () => {
    const model = twoInputModel();
    const archive = new ExportArchive();
    archive.track(model);
    archive.addEndpoint('serve', ({ x1, x2 }: { x1: tf.Tensor; x2: tf.Tensor }) => model.apply([x1, x2]),
      [{ x1: tensorSpec([null, 3]), x2: tensorSpec([null, 4]) }]);
    const dir = join(tempDir(), 'dict');
    await archive.writeOut(dir, quiet);
    const proto = await expectValid(dir);
    const concrete = proto.savedModel.meta_graphs[0]!.object_graph_def!.concrete_functions!;
    const serve = Object.entries(concrete).find(([k]) => k.startsWith('__inference_serve_'))![1];
    expect(Object.keys(serve.canonicalized_input_signature!.tuple_value!.values![0]!.tuple_value!.values![0]!.dict_value!.fields!).sort()).toEqual(['x1', 'x2']);
    const loaded = await loadSavedModel(dir);
    expect(loaded.inputKeys).toEqual(['x1', 'x2']);
    const x1 = inputOf([2, 3], 6), x2 = inputOf([2, 4], 7);
    expect(maxRelDiff(runAll(loaded, { x1, x2 }).output_0!, model.predict([x1, x2]) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('a tfFunction without input signature, called once (traced for that call\'s shapes)', async () => {
    const model = mlp();
    const servingFn = tfFunction((x: tf.Tensor) => model.apply(x) as tf.Tensor);
    const input = inputOf([2, 6], 8);
    const y = (await servingFn.call(input)) as tf.Tensor;
    expect(maxRelDiff(y, model.predict(input) as tf.Tensor)).toBeLessThan(1e-6);
    const archive = new ExportArchive();
    archive.track(model);
    archive.addEndpoint('serve', servingFn);
    const dir = join(tempDir(), 'called');
    await archive.writeOut(dir, quiet);
    await expectValid(dir);
    const loaded = await loadSavedModel(dir);
    expect(loaded.inputs[0]!.shape).toEqual([2, 6]);
    expect(loaded.inputKeys).toEqual(['x']);
    expect(maxRelDiff(runAll(loaded, { x: input }).output_0!, model.predict(input) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('an inference and a training endpoint: dropout is on in call_training (a new mask per call), off in call_inference', async () => {
    const model = dropoutProbe(64, 0.5);
    const archive = new ExportArchive();
    archive.track(model);
    archive.addEndpoint('call_inference', (x: tf.Tensor) => model.apply(x, { training: false }), [tensorSpec([null, 64])]);
    archive.addEndpoint('call_training', (x: tf.Tensor) => model.apply(x, { training: true }), [tensorSpec([null, 64])]);
    const dir = join(tempDir(), 'train');
    const summary = await archive.writeOut(dir, quiet);
    expect(Object.keys(summary.signatures)).toEqual(['call_inference', 'call_training', 'serving_default']);
    const proto = await expectValid(dir);
    const lib = proto.savedModel.meta_graphs[0]!.graph_def!.library!.function!;
    const ops = (prefix: string) => lib.find((f) => f.signature!.name!.startsWith(prefix))!.node_def!.map((n) => n.op);
    expect(ops('__inference_call_training_')).toContain('RandomUniform');
    expect(ops('__inference_call_inference_')).not.toContain('RandomUniform');

    const input = tf.add(inputOf([17, 64], 9), 2); // no zeros in the input
    const inference = await loadSavedModel(dir, { signature: 'call_inference' });
    expect(maxRelDiff(runAll(inference, { x: input }).output_0!, input)).toBeLessThan(1e-6);
    const byDefault = await loadSavedModel(dir);
    expect(maxRelDiff(runAll(byDefault, { x: input }).output_0!, input)).toBeLessThan(1e-6);

    const training = await loadSavedModel(dir, { signature: 'call_training' });
    const y1 = runAll(training, { x: input }).output_0!.dataSync();
    const y2 = runAll(training, { x: input }).output_0!.dataSync();
    const xs = input.dataSync();
    let zeros = 0, differ = 0;
    for (let i = 0; i < xs.length; i++) {
      if (y1[i] === 0) zeros++;
      else expect(Math.abs(y1[i]! - 2 * xs[i]!)).toBeLessThan(1e-5); // kept units scaled by 1 / (1 - rate)
      if ((y1[i] === 0) !== (y2[i] === 0)) differ++;
    }
    expect(zeros / xs.length).toBeGreaterThan(0.35);
    expect(zeros / xs.length).toBeLessThan(0.65);
    expect(differ).toBeGreaterThan(0);
    // the model itself is left as it was
    expect(maxRelDiff(model.apply(input, { training: false }) as tf.Tensor, input)).toBeLessThan(1e-6);
  });

  it('an endpoint named serving_default is not aliased again; several endpoints over several tracked models', async () => {
    const a = mlp(), b = multiIO();
    const archive = new ExportArchive();
    archive.track(a);
    archive.track(b);
    archive.addEndpoint('classify', (x: tf.Tensor) => a.apply(x), [tensorSpec([null, 6])]);
    archive.addEndpoint('serving_default', (f: tf.Tensor, e: tf.Tensor) => b.apply([f, e]), [tensorSpec([null, 5]), tensorSpec([null, 3])]);
    const dir = join(tempDir(), 'several');
    const summary = await archive.writeOut(dir, quiet);
    expect(Object.keys(summary.signatures)).toEqual(['classify', 'serving_default']);
    expect(summary.signatures.serving_default).toEqual({ inputs: ['e', 'f'], outputs: ['output_0', 'output_1'] });
    await expectValid(dir);
  });
});

describe('ExportArchive: variable collections, verbose output, in-memory output', () => {
  it('addVariableCollection saves a list attribute; its variables are checkpointed even when no endpoint uses them', async () => {
    const model = mlp();
    const step = tf.variable(tf.scalar(7, 'int32'), false, 'export_step');
    const archive = new ExportArchive();
    archive.track(model);
    archive.addEndpoint('serve', (x: tf.Tensor) => model.apply(x), [tensorSpec([null, 6])]);
    archive.addVariableCollection('my_vars', [step, ...model.trainableWeights.slice(0, 1)]);
    const dir = join(tempDir(), 'collection');
    await archive.writeOut(dir, quiet);
    const proto = await expectValid(dir);
    const og = proto.savedModel.meta_graphs[0]!.object_graph_def!;
    expect(og.nodes![0]!.children!.map((c) => c.local_name)).toEqual(['variables', 'trainable_variables', 'non_trainable_variables', 'my_vars', '_all_variables', '_misc_assets', 'signatures', 'serve']);
    expect(Array.from(proto.checkpoint!.value('my_vars/0/.ATTRIBUTES/VARIABLE_VALUE') as Int32Array)).toEqual([7]);
    const list = og.nodes![og.nodes![0]!.children!.find((c) => c.local_name === 'my_vars')!.node_id!]!;
    expect(list.user_object!.identifier).toBe('trackable_list_wrapper');
    // the model's kernel is shared with variables/0, saved once
    expect(list.children![1]!.node_id).toBe(og.nodes![og.nodes![0]!.children![0]!.node_id!]!.children![0]!.node_id);
  });

  it('verbose: true prints the endpoints and the variables they capture (to the logger); by default or verbose: false nothing', async () => {
    const model = mlp();
    const logs: string[] = [];
    await exportModel(model, join(tempDir(), 'verbose'), { verbose: true, logger: (m) => logs.push(m) });
    const text = logs.join('\n');
    expect(text).toContain("* Endpoint 'serve'");
    expect(text).toMatch(/inputs \(POSITIONAL_ONLY\): TensorSpec\(shape=\(None, 6\), dtype=tf\.float32, name='mlp_hidden_input\w*'\)/);
    expect(text).toContain('Output Type:\n  TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)');
    expect(text).toContain('Captures:');
    for (const w of model.weights) expect(text).toContain(`${w.name} (variables/`);
    const silent: string[] = [];
    await exportModel(model, join(tempDir(), 'silent'), { verbose: false, logger: (m) => silent.push(m) });
    expect(silent).toEqual([]);
    await exportModel(model, join(tempDir(), 'default'), { logger: (m) => silent.push(m) });
    expect(silent).toEqual([]);
  });

  it('writes into a FileSink (fileMapSink, the browser path) and loads from the map', async () => {
    const model = mlp();
    const sink = fileMapSink();
    await exportModel(model, sink, quiet);
    expect([...sink.files.keys()].sort()).toEqual(['fingerprint.pb', 'saved_model.pb', 'variables/variables.data-00000-of-00001', 'variables/variables.index']);
    await expectValid(sink.files);
    const loaded = await loadSavedModel(sink.files, { signature: 'serve' });
    expect(loaded.inputKeys).toEqual([model.inputs[0]!.sourceLayer.name]);
    const input = inputOf([3, 6], 10);
    expect(maxRelDiff(runAll(loaded, [input]).output_0!, model.predict(input) as tf.Tensor)).toBeLessThan(1e-5);
  });

  it('a Module can be tracked; its variables are saved where an endpoint uses them (_all_variables)', async () => {
    const m = new Module();
    const scale = m.track('scale', tf.variable(tf.tensor1d([1, 2, 3])));
    const archive = new ExportArchive();
    archive.track(m);
    archive.addEndpoint('serve', (x: tf.Tensor) => tf.mul(x, scale), [tensorSpec([null, 3])]);
    const dir = join(tempDir(), 'module');
    await archive.writeOut(dir, quiet);
    const proto = await expectValid(dir);
    expect(proto.checkpoint!.keys()).toContain('_all_variables/0/.ATTRIBUTES/VARIABLE_VALUE');
    const loaded = await loadSavedModel(dir);
    const input = tf.tensor2d([[1, 1, 1], [2, 2, 2]]);
    expect(runAll(loaded, { x: input }).output_0!.arraySync()).toEqual([[1, 2, 3], [2, 4, 6]]);
  });
});

describe('ExportArchive and exportModel: errors as Keras gives them, nothing written', () => {
  const setup = () => {
    const model = mlp();
    const archive = new ExportArchive();
    archive.track(model);
    return { model, archive };
  };

  it('duplicate endpoint name', () => {
    const { model, archive } = setup();
    archive.addEndpoint('serve', (x: tf.Tensor) => model.apply(x), [tensorSpec([null, 6])]);
    return expectError(() => archive.addEndpoint('serve', (x: tf.Tensor) => model.apply(x), [tensorSpec([null, 6])]), 'INVALID_ARGUMENT', /Endpoint name 'serve' is already taken/);
  });

  it('a plain function without input signature; a tfFunction never called', async () => {
    const { model, archive } = setup();
    await expectError(() => archive.addEndpoint('serve', (x: tf.Tensor) => model.apply(x)), 'INVALID_ARGUMENT', /must provide an `inputSignature`/);
    await expectError(() => archive.addEndpoint('serve', tfFunction((x: tf.Tensor) => model.apply(x) as tf.Tensor)), 'INVALID_ARGUMENT', /has never been called/);
  });

  it('reserved names: the init/train op keys and the archive\'s own attributes', async () => {
    const { model, archive } = setup();
    for (const name of ['__saved_model_init_op', '__saved_model_train_op', 'variables', 'signatures', '_all_variables']) {
      await expectError(() => archive.addEndpoint(name, (x: tf.Tensor) => model.apply(x), [tensorSpec([null, 6])]), 'INVALID_ARGUMENT', /reserved/);
    }
    archive.addEndpoint('serve', (x: tf.Tensor) => model.apply(x), [tensorSpec([null, 6])]);
    await expectError(() => archive.addVariableCollection('serve', []), 'INVALID_ARGUMENT', /already taken/);
    await expectError(() => archive.addVariableCollection('trainable_variables', []), 'INVALID_ARGUMENT', /reserved/);
  });

  it('bad resources and collections', async () => {
    const archive = new ExportArchive();
    await expectError(() => archive.track({ not: 'a layer' }), 'INVALID_ARGUMENT', /Invalid resource type/);
    await expectError(() => archive.addVariableCollection('x', 'nope' as never), 'INVALID_ARGUMENT', /Expected `variables` to be a list/);
    await expectError(() => archive.addVariableCollection('x', [tf.scalar(1) as never]), 'INVALID_ARGUMENT', /Expected all elements/);
  });

  it('nothing to export: writeOut without endpoints; exportModel of an unbuilt model; nothing written', async () => {
    const parent = tempDir();
    const dir = join(parent, 'empty');
    await expectError(new ExportArchive().writeOut(dir, quiet), 'INVALID_ARGUMENT', /No endpoints have been set yet/);
    await expectError(exportModel(tf.sequential() as tf.LayersModel, dir, quiet), 'INVALID_ARGUMENT');
    expect(existsSync(dir)).toBe(false);
    expect(listTree(parent)).toEqual([]);
  });

  it('an unsupported kernel in an endpoint: UNSUPPORTED naming it, nothing written', async () => {
    const parent = tempDir();
    const dir = join(parent, 'unsupported');
    const { archive } = setup();
    archive.addEndpoint('serve', (x: tf.Tensor) => tf.unique(tf.reshape(x, [-1])).values, [tensorSpec([null, 6])]);
    const e = await expectError(archive.writeOut(dir, quiet), 'UNSUPPORTED', /endpoint 'serve'.*Unique/);
    expect(e.message).toMatch(/depends on input values/);
    expect(listTree(parent)).toEqual([]);
  });

  it('the untracked variable an endpoint captures is saved through _all_variables; writeOut twice gives the same files', async () => {
    const v = tf.variable(tf.tensor1d([2, 2]));
    const archive = new ExportArchive();
    archive.addEndpoint('serve', (x: tf.Tensor) => tf.mul(x, v), [tensorSpec([2])]);
    const sink1 = fileMapSink(), sink2 = fileMapSink();
    await archive.writeOut(sink1, quiet);
    await archive.writeOut(sink2, quiet);
    for (const [k, bytes] of sink1.files) expect(Buffer.from(sink2.files.get(k)!).equals(Buffer.from(bytes))).toBe(true);
    const sm = tensorflow.SavedModel.decode(sink1.files.get('saved_model.pb')!);
    expect(sm.meta_graphs[0]!.object_graph_def!.nodes![0]!.children!.map((c) => c.local_name)).toContain('_all_variables');
  });
});

describe('input names', () => {
  it('a model rebuilt from its JSON in the same process keeps its input layers\' names as signature keys (exportModel, saveModel)', async () => {
    const x = tf.input({ shape: [3], name: 'pixels' });
    const original = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor });
    const rebuilt = await tf.models.modelFromJSON({ modelTopology: original.toJSON(null, false) as never });
    // what makes the case: tfjs suffixes the rebuilt model's SymbolicTensor name, not its input layer's
    expect(rebuilt.inputs[0]!.name).not.toBe('pixels');
    expect(rebuilt.inputNames).toEqual(['pixels']);
    const viaExport = await exportModel(rebuilt, fileMapSink(), quiet);
    expect(viaExport.signatures.serving_default!.inputs).toEqual(['pixels']);
    const viaSave = await saveModel(rebuilt, fileMapSink());
    expect(viaSave.signatures.serving_default!.inputs).toEqual(['pixels']);
  });

  it('a Sequential built twice: both export `<first layer>_input`, as Keras names it (keras_cnn: conv2d_18_input)', async () => {
    const make = () => tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'twice_first' })] });
    const first = make(), second = make();
    expect(second.inputs[0]!.name).not.toBe(first.inputs[0]!.name);
    for (const m of [first, second]) {
      const summary = await exportModel(m, fileMapSink(), quiet);
      expect(summary.signatures.serving_default!.inputs).toEqual(['twice_first_input']);
    }
  });
});
