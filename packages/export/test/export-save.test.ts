// saveModel with Module: the object tree (nested modules, lists, dicts), default signatures as
// TensorFlow picks them, signature outputs, function aliases and the other save options, output
// places, determinism, and bad input (typed errors, nothing left behind).
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileMapSink, showAll, stripDefaultAttrs, tensorflow } from '@savedmodel-js/core';
import { toNumber } from '@savedmodel-js/core/internal';
import { FIXTURES } from '../../core/test/shared.js';
import { graphFunction, Module, rawVariable, saveModel, tensorSpec, tfFunction, traceableDropout } from '../src/index.js';
import { loadSavedModel } from '@savedmodel-js/runtime';
import * as P from './export-programs.js';
import { cleanupTempDirs, expectError, expectLoadable, expectValid, listTree, readDir, runAll, tempDir } from './export-util.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(cleanupTempDirs);

const meta = (m: Awaited<ReturnType<typeof readDir>>) => m.savedModel.meta_graphs[0]!;

describe('the loader checks used on our output hold on TensorFlow\'s own SavedModels', () => {
  it('expectLoadable passes on the seven TF2 Module fixtures', async () => {
    for (const name of ['times_three_float', 'times_two_int', 'module_with_multiple_signatures', 'model_multi_output', 'model_single_input_multi_output', 'int64_multiply', 'uint8_multiply']) {
      expectLoadable(await readDir(join(FIXTURES, name)));
    }
  });
});

describe('Module: the object tree', () => {
  it('nested modules, lists and dicts: breadth-first ids, children in assignment order then signatures then functions (sorted), escaped checkpoint keys', async () => {
    const root = new Module();
    const encoder = new Module('encoder');
    const w = encoder.track('w', tf.variable(tf.tensor2d([[1, 2], [3, 4]])));
    const layers = [new Module(), new Module()];
    layers[0]!.track('k', tf.variable(tf.tensor1d([5, 6])));
    layers[1]!.track('k', tf.variable(tf.scalar(7)));
    root.track('scale', tf.variable(tf.scalar(2)));
    root.track('encoder', encoder);
    root.track('layers', layers);
    root.track('table', { 'a.b': tf.variable(tf.scalar(1, 'int32')), 'c/d': rawVariable([1n, 2n], 'int64') });
    encoder.addFunction('encode', (x: tf.Tensor) => tf.matMul(x, w), [tensorSpec([null, 2])]);
    const zeta = root.addFunction('zeta', (x: tf.Tensor) => tf.mul(x, 3), [tensorSpec([2])]);
    root.addFunction('alpha', (x: tf.Tensor) => tf.add(x, 1), [tensorSpec([2])]);
    const dir = join(tempDir(), 'tree');
    await saveModel(root, dir, { signatures: zeta });
    const m = await expectValid(dir);
    const og = meta(m).object_graph_def!;
    const names = (i: number) => og.nodes![i]!.children!.map((c) => `${c.local_name}:${c.node_id}`);
    // checkpointable objects first (0-12, breadth first), then functions per object in id order
    expect(names(0)).toEqual(['scale:1', 'encoder:2', 'layers:3', 'table:4', 'signatures:5', 'alpha:13', 'zeta:14']);
    expect(names(2)).toEqual(['w:6', 'encode:15']);
    expect(names(3)).toEqual(['0:7', '1:8']);
    expect(names(4)).toEqual(['a.b:9', 'c/d:10']);
    expect(names(5)).toEqual(['serving_default:16']);
    expect(names(7)).toEqual(['k:11']);
    expect(og.nodes![3]!.user_object!.identifier).toBe('trackable_list_wrapper');
    expect(og.nodes![4]!.user_object!.identifier).toBe('trackable_dict_wrapper');
    expect(m.checkpoint!.keys().sort()).toEqual([
      '_CHECKPOINTABLE_OBJECT_GRAPH', 'encoder/w/.ATTRIBUTES/VARIABLE_VALUE', 'layers/0/k/.ATTRIBUTES/VARIABLE_VALUE',
      'layers/1/k/.ATTRIBUTES/VARIABLE_VALUE', 'scale/.ATTRIBUTES/VARIABLE_VALUE', 'table/a..b/.ATTRIBUTES/VARIABLE_VALUE',
      'table/c.Sd/.ATTRIBUTES/VARIABLE_VALUE',
    ]);
    expect(Array.from(m.checkpoint!.value('table/c.Sd/.ATTRIBUTES/VARIABLE_VALUE') as BigInt64Array)).toEqual([1n, 2n]);
    expect(Array.from(m.checkpoint!.value('encoder/w/.ATTRIBUTES/VARIABLE_VALUE') as Float32Array)).toEqual([1, 2, 3, 4]);
    // graph node names are the variables' TF names made unique, in object-graph order
    const handles = meta(m).graph_def!.node!.filter((n) => n.op === 'VarHandleOp').map((n) => n.name);
    expect(handles).toEqual(['Variable', 'Variable_1', 'Variable_2', 'Variable_3', 'Variable_4', 'Variable_5']);
  });

  it('a variable reachable twice is one node; a function tracked on two modules is one node', async () => {
    const shared = tf.variable(tf.scalar(4));
    const f = tfFunction((x: tf.Tensor) => tf.mul(x, shared), { inputSignature: [tensorSpec([])] });
    const a = new Module(), b = new Module();
    a.track('v', shared);
    b.track('v', shared);
    a.track('f', f);
    b.track('g', f);
    const root = new Module();
    root.track('a', a);
    root.track('b', b);
    const dir = join(tempDir(), 'shared');
    await saveModel(root, dir, { signatures: f });
    const m = await expectValid(dir);
    const og = meta(m).object_graph_def!;
    expect(og.nodes!.filter((n) => n.variable).length).toBe(1);
    expect(og.nodes!.filter((n) => n.function).length).toBe(1);
    expect(m.checkpoint!.keys()).toEqual(['_CHECKPOINTABLE_OBJECT_GRAPH', 'a/v/.ATTRIBUTES/VARIABLE_VALUE']);
  });

  it('a function traced for two signatures lists two concrete functions; canonical input signatures named by the parameters', async () => {
    const m = new Module();
    const v = m.track('v', tf.variable(tf.scalar(2)));
    const f = m.addFunction('double', (values: tf.Tensor) => tf.mul(values, v));
    await f.getConcreteFunction(tensorSpec([3]));
    await f.getConcreteFunction(tensorSpec([null, 2]));
    const dir = join(tempDir(), 'poly');
    await saveModel(m, dir);
    const saved = await expectValid(dir);
    const og = meta(saved).object_graph_def!;
    const fn = og.nodes!.find((n) => n.function)!.function!;
    expect(fn.concrete_functions!.length).toBe(2);
    expect(fn.function_spec!.is_method).toBe(true);
    expect(fn.function_spec!.input_signature!.none_value).toBeDefined();
    const args = fn.function_spec!.fullargspec!.named_tuple_value!.values![0]!.value!.list_value!.values!.map((x) => x.string_value);
    expect(args).toEqual(['self', 'values']);
    for (const name of fn.concrete_functions!) {
      const spec = og.concrete_functions![name]!.canonicalized_input_signature!.tuple_value!.values![0]!.tuple_value!.values![0]!.tensor_spec_value!;
      expect(spec.name).toBe('values');
    }
    // no input signature: not a default signature
    expect(Object.keys(meta(saved).signature_def!)).toEqual(['__saved_model_init_op']);
  });

  it('tfFunction with an input signature: call() runs it, getConcreteFunction(compatible specs) gives the one concrete function', async () => {
    const v = tf.variable(tf.scalar(3));
    const f = tfFunction((x: tf.Tensor) => tf.mul(x, v), { inputSignature: [tensorSpec([null])] });
    expect(((await f.call(tf.tensor1d([1, 2]))) as tf.Tensor).arraySync()).toEqual([3, 6]);
    const a = await f.getConcreteFunction();
    expect(await f.getConcreteFunction(tensorSpec([null], 'float32', 'renamed'))).toBe(a);
    expect(f.concreteFunctions).toEqual([a]);
    await expectError(f.getConcreteFunction(tensorSpec([2])), 'INVALID_ARGUMENT', /cannot be traced with another one/);
  });

  it('saved_model_cli-style `show --all` of our output lists the signatures and the root\'s concrete functions', async () => {
    const p = P.moduleWithMultipleSignatures();
    const dir = join(tempDir(), 'show');
    await saveModel(p.module, dir, p.args);
    const text = showAll((await readDir(dir)).savedModel);
    expect(text).toContain("signature_def['timestwo']");
    expect(text).toContain("inputs['x'] tensor_info:");
    expect(text).toContain('name: timestwo_x:0');
    expect(text).toContain("Function Name: '__call__'");
    expect(text).toContain("Function Name: 'mutate'");
  });

  it('tracking something that is not a variable / module / list / dict is an error', async () => {
    const m = new Module();
    await expectError(() => m.track('t', tf.scalar(1) as never), 'INVALID_ARGUMENT', /only variables are saved/);
    await expectError(() => m.track('n', 3 as never), 'INVALID_ARGUMENT', /cannot track n/);
  });
});

describe('signatures', () => {
  it('no signatures argument: the only function with an input signature that returns tensors becomes serving_default', async () => {
    const p = P.timesThreeFloat(); // __call__ and mutate (returns nothing)
    const dir = join(tempDir(), 'default');
    const summary = await saveModel(p.module, dir);
    expect(summary.signatures).toEqual({ serving_default: { inputs: ['x'], outputs: ['output_0'] } });
  });

  it('no signatures argument and two candidates: no serving signature (as TensorFlow); _default_save_signature wins', async () => {
    const m = new Module();
    const v = m.track('v', tf.variable(tf.scalar(2)));
    m.addFunction('f', (x: tf.Tensor) => tf.mul(x, v), [tensorSpec([])]);
    m.addFunction('g', (x: tf.Tensor) => tf.add(x, v), [tensorSpec([])]);
    const s1 = await saveModel(m, join(tempDir(), 'two'));
    expect(s1.signatures).toEqual({});
    m.addFunction('_default_save_signature', (y: tf.Tensor) => ({ sum: tf.add(y, v) }), [tensorSpec([], 'float32', 'inp')]);
    const s2 = await saveModel(m, join(tempDir(), 'explicit'));
    expect(s2.signatures).toEqual({ serving_default: { inputs: ['inp'], outputs: ['sum'] } });
  });

  it('several signatures; dict outputs keep their keys, list outputs are output_0..; inputs in sorted keyword order', async () => {
    const m = new Module();
    const v = m.track('v', tf.variable(tf.scalar(10)));
    const pair = m.addFunction('pair', (zb: tf.Tensor, ya: tf.Tensor) => [tf.add(zb, v), tf.sub(ya, v)], [tensorSpec([2]), tensorSpec([2])]);
    const named = m.addFunction('named', (x: tf.Tensor) => ({ plus: tf.add(x, v), minus: tf.sub(x, v) }), [tensorSpec([null])]);
    const dir = join(tempDir(), 'multi');
    const summary = await saveModel(m, dir, { signatures: { pair, named } });
    expect(summary.signatures).toEqual({
      named: { inputs: ['x'], outputs: ['minus', 'plus'] },
      pair: { inputs: ['ya', 'zb'], outputs: ['output_0', 'output_1'] },
    });
    const saved = await expectValid(dir);
    const bare = meta(saved).object_graph_def!.nodes!.filter((n) => n.bare_concrete_function).map((n) => n.bare_concrete_function!);
    expect(bare.map((b) => [b.argument_keywords, toNumber(b.allowed_positional_arguments)])).toEqual([[['x'], 1], [['ya', 'zb'], 0]]);
    const pairSig = await loadSavedModel(dir, { signature: 'pair' });
    const out = runAll(pairSig, { zb: tf.tensor1d([1, 2]), ya: tf.tensor1d([30, 40]) });
    expect(out.output_0!.arraySync()).toEqual([11, 12]);
    expect(out.output_1!.arraySync()).toEqual([20, 30]);
    const namedSig = await loadSavedModel(dir, { signature: 'named' });
    expect(runAll(namedSig, { x: tf.tensor1d([1, 2, 3]) }).minus!.arraySync()).toEqual([-9, -8, -7]);
  });

  it('a function of a nested module as signature; a graph function assigns a variable and returns it', async () => {
    const root = new Module();
    const counter = new Module();
    const total = counter.track('total', tf.variable(tf.scalar(0)));
    const add = counter.addFunction('add', graphFunction((g, amount) => {
      const next = g.add(g.read(total), amount);
      g.assign(total, next);
      return { total: next };
    }, { inputSignature: [tensorSpec([])], isMethod: true }));
    root.track('counter', counter);
    const dir = join(tempDir(), 'counter');
    await saveModel(root, dir, { signatures: { add } });
    const saved = await expectValid(dir);
    const fd = meta(saved).graph_def!.library!.function!.find((f) => f.signature!.name!.startsWith('__inference_add_'))!;
    expect(fd.signature!.control_output).toEqual(['AssignVariableOp']);
    expect(fd.node_def!.find((n) => n.op === 'Identity')!.input).toContain('^AssignVariableOp');
  });

  it('a Module holding a model: its Dropout layers draw masks in the graph when a function runs it in training mode', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 4 }), tf.layers.dropout({ rate: 0.3 })] });
    const m = new Module();
    m.track('model', model);
    const train = m.addFunction('train_forward', (x: tf.Tensor) => model.apply(x, { training: true }), [tensorSpec([null, 4])]);
    const dir = join(tempDir(), 'module_dropout');
    await saveModel(m, dir, { signatures: train });
    const saved = await expectValid(dir);
    const fd = meta(saved).graph_def!.library!.function!.find((f) => f.signature!.name!.startsWith('__inference_train_forward_'))!;
    expect(fd.node_def!.map((n) => n.op)).toContain('RandomUniform');
  });

  it('function aliases go to meta_info_def.function_aliases, one entry per concrete function', async () => {
    const m = new Module();
    const f = m.addFunction('f', (x: tf.Tensor) => tf.relu(x), [tensorSpec([null, 4])]);
    const dir = join(tempDir(), 'aliases');
    await saveModel(m, dir, { signatures: f, options: { functionAliases: { my_relu: f } } });
    const saved = await expectValid(dir);
    const aliases = meta(saved).meta_info_def!.function_aliases!;
    expect(Object.values(aliases)).toEqual(['my_relu']);
    expect(Object.keys(aliases)[0]).toMatch(/^__inference_f_\d+$/);
    expect(meta(saved).object_graph_def!.nodes!.find((n) => n.function)!.function!.concrete_functions).toEqual(Object.keys(aliases));
  });

  it('a tf.LayersModel inside a Module is saved with Keras-style keys; traceableDropout in a custom function', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, name: 'inner_dense' })] });
    const m = new Module();
    m.track('model', model);
    const f = m.addFunction('noisy', (x: tf.Tensor) => traceableDropout(model.apply(x) as tf.Tensor, 0.5), [tensorSpec([null, 3])]);
    const dir = join(tempDir(), 'inner');
    await saveModel(m, dir, { signatures: f });
    const saved = await expectValid(dir);
    expect(saved.checkpoint!.keys().sort()).toEqual([
      '_CHECKPOINTABLE_OBJECT_GRAPH', 'model/layer_with_weights-0/bias/.ATTRIBUTES/VARIABLE_VALUE', 'model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE',
    ]);
    const ops = meta(saved).graph_def!.library!.function!.flatMap((fd) => fd.node_def!.map((n) => n.op));
    expect(ops).toContain('RandomUniform');
  });
});

describe('save options and output places', () => {
  it('the export sources import nothing from Node (a path target loads @savedmodel-js/core/node lazily)', () => {
    const dir = join(__dirname, '../src');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8');
      expect(src, f).not.toMatch(/from ['"]node:|require\(|from ['"]@savedmodel-js\/core\/node['"]/);
    }
  });

  it('defaults stripped; stripped_op_list = the top-level ops; asText writes saved_model.pbtxt; onProgress per file', async () => {
    const p = P.moduleWithMultipleSignatures();
    const dir = join(tempDir(), 'text');
    const progress: string[] = [];
    await saveModel(p.module, dir, { ...p.args, options: { asText: true, onProgress: (e) => progress.push(e.file) } });
    expect(listTree(dir)).toEqual(['saved_model.pbtxt', 'variables', 'variables/variables.data-00000-of-00001', 'variables/variables.index']);
    expect(progress).toEqual(['variables/variables.data-00000-of-00001', 'variables/variables.index', 'saved_model.pbtxt']);
    const saved = await expectValid(dir);
    const mg = meta(saved);
    expect(mg.meta_info_def!.stripped_default_attrs).toBe(true);
    const copy = tensorflow.GraphDef.decode(tensorflow.GraphDef.encode(mg.graph_def!).finish());
    expect(stripDefaultAttrs(copy)).toBe(0);
    expect(mg.meta_info_def!.stripped_op_list!.op!.map((o) => o.name)).toEqual(['Const', 'NoOp', 'Placeholder', 'ReadVariableOp', 'StatefulPartitionedCall', 'VarHandleOp']);
    expect(readFileSync(join(dir, 'saved_model.pbtxt'), 'utf8')).toContain('signature_map');
  });

  it('stripping defaults leaves the traced function alone: saves with and without it, in any order, each get their own', async () => {
    const m = new Module();
    const w = m.track('w', tf.variable(tf.tensor2d([[1, 2], [3, 4]])));
    const call = m.addFunction('__call__', (x: tf.Tensor) => tf.matMul(x, w), [tensorSpec([null, 2], 'float32')]);
    const save = async (stripDefaultAttrs?: boolean) => {
      const files = new Map<string, Uint8Array>();
      await saveModel(m, fileMapSink(files), { signatures: call, ...(stripDefaultAttrs === false ? { options: { stripDefaultAttrs } } : {}) });
      const pb = files.get('saved_model.pb')!;
      const nodes = tensorflow.SavedModel.decode(pb).meta_graphs[0]!.graph_def!.library!.function.flatMap((f) => f.node_def);
      const matMuls = nodes.filter((n) => n.op === 'MatMul');
      expect(matMuls.length).toBeGreaterThan(0);
      return { pb: Buffer.from(pb), attrs: matMuls.map((n) => Object.keys(n.attr).sort().join()) };
    };
    const first = await save();
    const kept = await save(false);
    const again = await save();
    // MatMul's transpose_a / transpose_b default to false (ops.pbtxt): written only when not stripped
    expect(first.attrs.every((a) => !a.includes('transpose_a'))).toBe(true);
    expect(kept.attrs.every((a) => a.includes('transpose_a') && a.includes('transpose_b'))).toBe(true);
    expect(again.pb.equals(first.pb)).toBe(true);
  });

  it('experimentalSkipSaver: no saver_def, no save/restore functions; the checkpoint is still written', async () => {
    const p = P.timesTwoInt();
    const dir = join(tempDir(), 'nosaver');
    await saveModel(p.module, dir, { ...p.args, options: { experimentalSkipSaver: true } });
    const saved = await expectValid(dir);
    const mg = meta(saved);
    expect(mg.saver_def).toBeNull();
    expect(mg.graph_def!.node!.map((n) => n.name)).not.toContain('saver_filename');
    expect(mg.graph_def!.library!.function!.map((f) => f.signature!.name).filter((n) => /traced_(save|restore)/.test(n!))).toEqual([]);
    expect(saved.checkpoint!.keys()).toContain('v/.ATTRIBUTES/VARIABLE_VALUE');
  });

  it('deterministic: saving twice gives identical files; current variable values are saved', async () => {
    const p = P.moduleWithMultipleSignatures();
    const a = fileMapSink(), b = fileMapSink();
    await saveModel(p.module, a, p.args);
    await saveModel(p.module, b, p.args);
    expect([...a.files.keys()].sort()).toEqual([...b.files.keys()].sort());
    for (const [k, v] of a.files) expect(Buffer.from(b.files.get(k)!).equals(Buffer.from(v)), k).toBe(true);
    (p.module.get('v') as tf.Variable).assign(tf.scalar(5));
    const c = fileMapSink();
    await saveModel(p.module, c, p.args);
    const loaded = await loadSavedModel(c.files);
    expect(runAll(loaded, { x: tf.scalar(2) }).output_0!.arraySync()).toBe(10);
  });

  it('an existing empty directory is used; a non-empty one is ALREADY_EXISTS (untouched) unless overwrite', async () => {
    const parent = tempDir();
    const dir = join(parent, 'target');
    mkdirSync(dir);
    const p = P.timesTwoInt();
    await saveModel(p.module, dir, p.args);
    await expectError(saveModel(p.module, dir, p.args), 'ALREADY_EXISTS');
    writeFileSync(join(dir, 'keep.txt'), 'x');
    await expectError(saveModel(p.module, dir, p.args), 'ALREADY_EXISTS');
    expect(existsSync(join(dir, 'keep.txt'))).toBe(true);
    expect(listTree(parent).filter((f) => !f.startsWith('target'))).toEqual([]);
    await saveModel(p.module, dir, { ...p.args, options: { overwrite: true } });
    expect(existsSync(join(dir, 'keep.txt'))).toBe(false);
    await expectValid(dir);
    expect(listTree(parent).filter((f) => !f.startsWith('target'))).toEqual([]);
  });
});

describe('bad input: typed errors and nothing left behind', () => {
  const attempt = async (run: (target: string) => Promise<unknown>, code: Parameters<typeof expectError>[1], message?: RegExp) => {
    const parent = tempDir();
    await expectError(run(join(parent, 'out')), code, message);
    expect(listTree(parent)).toEqual([]);
    const sink = fileMapSink();
    await expectError(run(sink as never), code, message);
    expect(sink.files.size).toBe(0);
  };

  it('an object with nothing to export', () => attempt((t) => saveModel(new Module(), t), 'INVALID_ARGUMENT', /nothing to export/));

  it('not a Module or model; a target that is neither a path nor a sink', async () => {
    await attempt((t) => saveModel({} as never, t), 'INVALID_ARGUMENT', /a Module, a tf\.LayersModel or a tf\.GraphModel/);
    await expectError(saveModel(P.timesTwoInt().module, 42 as never), 'INVALID_ARGUMENT', /directory path or a FileSink/);
  });

  it('signatures that collide or cannot be signatures', async () => {
    const make = () => {
      const m = new Module();
      const v = m.track('v', tf.variable(tf.scalar(2)));
      return { m, v, f: m.addFunction('f', (x: tf.Tensor) => tf.mul(x, v), [tensorSpec([])]) };
    };
    await attempt((t) => { const { m, f } = make(); return saveModel(m, t, { signatures: { __saved_model_init_op: f } }); }, 'INVALID_ARGUMENT', /reserved/);
    await attempt((t) => {
      const { m, v } = make();
      const g = m.addFunction('g', (a: tf.Tensor, b: tf.Tensor) => tf.add(tf.mul(a, v), b), [tensorSpec([], 'float32', 'same'), tensorSpec([], 'float32', 'same')]);
      return saveModel(m, t, { signatures: g });
    }, 'INVALID_ARGUMENT', /two arguments with the same name 'same'/);
    await attempt((t) => { const { m, v } = make(); return saveModel(m, t, { signatures: m.addFunction('h', (x: tf.Tensor) => tf.mul(x, v)) }); }, 'INVALID_ARGUMENT', /no input signature/);
    await attempt((t) => { const { m } = make(); return saveModel(m, t, { signatures: ((x: tf.Tensor) => x) as never }); }, 'INVALID_ARGUMENT', /plain JS function/);
    await attempt((t) => {
      const { m, v } = make();
      const mutate = m.addFunction('mutate', graphFunction((g, nv) => { g.assign(v, nv); }, { inputSignature: [tensorSpec([])] }));
      return saveModel(m, t, { signatures: mutate });
    }, 'INVALID_ARGUMENT', /non-Tensor value None/);
    await attempt((t) => { const { m, f } = make(); m.track('signatures', tf.variable(tf.scalar(1))); return saveModel(m, t, { signatures: f }); }, 'INVALID_ARGUMENT', /'signatures'/);
  });

  it('an unsupported kernel: UNSUPPORTED naming it and the function', () =>
    attempt((t) => {
      const m = new Module();
      m.track('v', tf.variable(tf.scalar(1)));
      const f = m.addFunction('uniq', (x: tf.Tensor) => tf.unique(x).values, [tensorSpec([null])]);
      return saveModel(m, t, { signatures: f });
    }, 'UNSUPPORTED', /function uniq.*Unique/));

  it('a function capturing a variable the object does not track', () =>
    attempt((t) => {
      const hidden = tf.variable(tf.scalar(3));
      const m = new Module();
      const f = m.addFunction('f', (x: tf.Tensor) => tf.mul(x, hidden), [tensorSpec([])]);
      return saveModel(m, t, { signatures: f });
    }, 'INVALID_ARGUMENT', /untracked/));

  it('a graph function whose output shape is unknown', () =>
    attempt((t) => {
      const m = new Module();
      m.track('v', tf.variable(tf.scalar(1)));
      const f = m.addFunction('f', graphFunction((g, x) => g.op1('Relu', [x]), { inputSignature: [tensorSpec([2])] }));
      return saveModel(m, t, { signatures: f });
    }, 'INVALID_ARGUMENT', /shape of output 0 is unknown/));
});
