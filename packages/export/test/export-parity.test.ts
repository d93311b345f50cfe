// Structural parity with TensorFlow: the TF2 Module fixtures' programs (shared/fixtures/tf/README.md)
// written with saveModel, compared with the SavedModels TensorFlow wrote for them.
// Two independent comparisons: diffSavedModels (uid suffixes, version strings and private `_`
// attrs ignored; every remaining difference must be one listed below with its reason), and a
// summary of the key structures built here from the decoded protos — signatures, top-level nodes,
// saver_def, object graph node by node (same ids as TensorFlow's), concrete functions, checkpoint
// keys / dtypes / shapes / values and the checkpoint's object graph.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataType, diffSavedModels, formatDifference, tensorflow, type LoadedSavedModel } from '@savedmodel-js/core';
import { normalizeFunctionName, toNumber } from '@savedmodel-js/core/internal';
import { lookupType } from '@savedmodel-js/core/reflection';
import { FIXTURES } from '../../core/test/shared.js';
import { GRAPH_DEF_PRODUCER, saveModel, SDK_MARKER } from '../src/index.js';
import { loadSavedModel } from '@savedmodel-js/runtime';
import * as P from './export-programs.js';
import { cleanupTempDirs, expectValid, readDir, runAll, tempDir } from './export-util.js';

beforeAll(async () => { await tf.setBackend('cpu'); });
afterAll(cleanupTempDirs);

/**
 * Differences that remain, each with its reason. TF 2.3 (int64_multiply, uint8_multiply): the
 * lambda was traced by `get_concrete_function` for the signature (`_24` / `_25`, called by the
 * signature wrapper) and traced again by save() for the object graph's `f` node
 * (`_list_all_concrete_functions_for_serialization` retraces functions without an input
 * signature), so TensorFlow's library holds two identical copies; we trace once and the wrapper
 * calls the function the object graph lists. The diff pairs our function with both of TF's.
 */
const EXPECTED: Record<string, { path: string; b: RegExp }[]> = {
  times_three_float: [],
  times_two_int: [],
  module_with_multiple_signatures: [],
  model_multi_output: [],
  model_single_input_multi_output: [],
  int64_multiply: [
    { path: "graph_def.library.function['__inference_<lambda>']", b: /^__inference_<lambda>_45 \| __inference_<lambda>_24$/ },
    { path: "graph_def.library.function['__inference_<lambda>_24']", b: /^__inference_<lambda>_24$/ },
  ],
  uint8_multiply: [
    { path: "graph_def.library.function['__inference_<lambda>']", b: /^__inference_<lambda>_47 \| __inference_<lambda>_25$/ },
    { path: "graph_def.library.function['__inference_<lambda>_25']", b: /^__inference_<lambda>_25$/ },
  ],
};

const PROGRAMS: Record<string, () => P.Program | Promise<P.Program>> = {
  times_three_float: P.timesThreeFloat,
  times_two_int: P.timesTwoInt,
  module_with_multiple_signatures: P.moduleWithMultipleSignatures,
  model_multi_output: P.modelMultiOutput,
  model_single_input_multi_output: P.modelSingleInputMultiOutput,
  int64_multiply: P.int64Multiply,
  uint8_multiply: P.uint8Multiply,
};

// ---- the independent summary ----

const dt = (t: number | null | undefined) => (tensorflow.DataType as unknown as Record<number, string>)[t ?? 0] ?? String(t);
const shape = (s: tensorflow.ITensorShapeProto | null | undefined) => (s?.unknown_rank ? 'unknown' : (s?.dim ?? []).map((d) => toNumber(d.size)));
const fname = (n: string | null | undefined) => normalizeFunctionName(n ?? '');
const plain = (type: string, v: object) => {
  const T = lookupType(type);
  return T.toObject(T.decode(T.encode(v).finish()), { longs: Number, enums: String, bytes: String });
};
const structured = (v: tensorflow.IStructuredValue | null | undefined) => (v ? plain('tensorflow.StructuredValue', v) : null);

function attrSummary(k: string, v: tensorflow.IAttrValue): unknown {
  if (v.func) return { func: fname(v.func.name) };
  if (v.type) return dt(v.type);
  if (v.shape) return shape(v.shape);
  if (v.list?.type?.length) return v.list.type.map(dt);
  if (v.s) return new TextDecoder().decode(v.s);
  if (v.tensor && k === 'value') {
    const t = v.tensor;
    if (t.dtype === DataType.DT_STRING && t.string_val?.length === 1) {
      return { objectGraph: trackable(tensorflow.TrackableObjectGraph.decode(t.string_val[0]!), 'graph') };
    }
    return plain('tensorflow.TensorProto', t);
  }
  return plain('tensorflow.AttrValue', v);
}

/** full_name is informational (eager name in the checkpoint, graph node name in the Const copy): kept, compared as written. */
function trackable(g: tensorflow.ITrackableObjectGraph, _where: string): unknown {
  return (g.nodes ?? []).map((n) => ({
    children: (n.children ?? []).map((c) => [c.local_name, c.node_id]),
    attributes: (n.attributes ?? []).map((a) => [a.name, a.full_name, a.checkpoint_key]),
  }));
}

function summary(m: LoadedSavedModel): Record<string, unknown> {
  const mg = m.savedModel.meta_graphs[0]!;
  const g = mg.graph_def!;
  const og = mg.object_graph_def!;
  const sigs: Record<string, unknown> = {};
  for (const k of Object.keys(mg.signature_def ?? {}).sort()) {
    const s = mg.signature_def![k]!;
    const info = (x: Record<string, tensorflow.ITensorInfo> | null | undefined) =>
      Object.fromEntries(Object.keys(x ?? {}).sort().map((n) => [n, [x![n]!.name, dt(x![n]!.dtype), shape(x![n]!.tensor_shape)]]));
    sigs[k] = { inputs: info(s.inputs), outputs: info(s.outputs), method: s.method_name ?? '' };
  }
  const nodes = (g.node ?? []).map((n) => ({
    name: n.name, op: n.op, device: n.device ?? '', input: n.input ?? [],
    attr: Object.fromEntries(Object.keys(n.attr ?? {}).filter((k) => !k.startsWith('_') && k !== 'config_proto').sort().map((k) => [k, attrSummary(k, n.attr![k]!)])),
  }));
  const objects = (og.nodes ?? []).map((n) => {
    const o: Record<string, unknown> = { children: (n.children ?? []).map((c) => [c.local_name, c.node_id]) };
    if (n.user_object) o.user_object = [n.user_object.identifier, n.user_object.version?.producer, n.user_object.version?.min_consumer];
    if (n.variable) o.variable = [dt(n.variable.dtype), shape(n.variable.shape), n.variable.trainable ?? false, n.variable.name];
    if (n.function) {
      o.function = {
        concrete: (n.function.concrete_functions ?? []).map(fname),
        fullargspec: structured(n.function.function_spec?.fullargspec), is_method: n.function.function_spec?.is_method ?? false,
        input_signature: structured(n.function.function_spec?.input_signature),
      };
    }
    if (n.bare_concrete_function) {
      const b = n.bare_concrete_function;
      o.bare = [fname(b.concrete_function_name), b.argument_keywords ?? [], toNumber(b.allowed_positional_arguments)];
    }
    return o;
  });
  const concrete = Object.fromEntries(Object.keys(og.concrete_functions ?? {}).map((k) => {
    const c = og.concrete_functions![k]!;
    return [fname(k), { bound: c.bound_inputs ?? [], inputs: structured(c.canonicalized_input_signature), outputs: structured(c.output_signature) }];
  }).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  const ck = m.checkpoint!;
  const checkpoint = ck.entries.map((e) => {
    if (e.key === '_CHECKPOINTABLE_OBJECT_GRAPH') return [e.key, dt(e.dtype), e.shape, trackable(tensorflow.TrackableObjectGraph.decode(ck.stringBytes(e)[0]!), 'checkpoint')];
    const v = ck.value(e);
    return [e.key, dt(e.dtype), e.shape, Array.from(v as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? Number(x) : x))];
  });
  return {
    tags: mg.meta_info_def?.tags,
    stripped_default_attrs: mg.meta_info_def?.stripped_default_attrs,
    stripped_ops: (mg.meta_info_def?.stripped_op_list?.op ?? []).map((o) => o.name),
    min_consumer: g.versions?.min_consumer,
    signatures: sigs, nodes,
    saver: mg.saver_def ? [mg.saver_def.filename_tensor_name, mg.saver_def.save_tensor_name, mg.saver_def.restore_op_name, mg.saver_def.version] : null,
    collections: Object.fromEntries(Object.entries(mg.collection_def ?? {}).map(([k, c]) => [k, c.node_list?.value ?? []])),
    objects, concrete, checkpoint,
  };
}

describe('parity with the TF2 Module fixtures', () => {
  for (const [name, program] of Object.entries(PROGRAMS)) {
    it(`${name}: same SavedModel as TensorFlow's, up to function numbering and version strings`, async () => {
      const out = join(tempDir(), name);
      const p = await program();
      await saveModel(p.module, out, p.args);
      const ours = await expectValid(out);
      const theirs = await readDir(join(FIXTURES, name));

      const diff = diffSavedModels(ours, theirs);
      const expected = EXPECTED[name]!;
      expect(diff.map((d) => d.path), diff.map(formatDifference).join('\n')).toEqual(expected.map((e) => e.path));
      diff.forEach((d, i) => expect(d.b).toMatch(expected[i]!.b));

      const mine = summary(ours);
      expect((mine.nodes as unknown[]).length).toBeGreaterThanOrEqual(9);
      expect((mine.checkpoint as unknown[]).length).toBeGreaterThanOrEqual(2);
      expect(mine).toEqual(summary(theirs));
      const mi = ours.savedModel.meta_graphs[0]!.meta_info_def!;
      expect(mi.tensorflow_version ?? '').toBe('');
      expect(mi.tensorflow_git_version).toBe(SDK_MARKER);
      expect(toNumber(ours.savedModel.meta_graphs[0]!.graph_def!.versions!.producer)).toBe(GRAPH_DEF_PRODUCER);
    });
  }

  it('the TF 2.3 fixtures match in the function bodies too, apart from node naming inside the traced lambda and private attrs', async () => {
    for (const name of ['int64_multiply', 'uint8_multiply']) {
      const out = join(tempDir(), name);
      const p = await PROGRAMS[name]!();
      await saveModel(p.module, out, p.args);
      const diff = diffSavedModels(await readDir(out), await readDir(join(FIXTURES, name)), { functions: true });
      // TensorFlow names the second read `mul/ReadVariableOp` (inside the name scope of the `mul` it feeds) and
      // its resource arg `mul_readvariableop_resource`; our graph builder names nodes by op. Save, restore and
      // signature-wrapper bodies are identical.
      // The wrapper calls TF's first trace (`_24`/`_25`), ours calls the one function we have (see EXPECTED).
      const wrapperCall = "graph_def.library.function['__inference_signature_wrapper'].node_def['StatefulPartitionedCall'].attr['f']";
      const rest = diff.filter((d) => !/__inference_<lambda>_2[45]'\]$/.test(d.path) && d.path !== "graph_def.library.function['__inference_<lambda>']" && d.path !== wrapperCall);
      const text = diff.map(formatDifference).join('\n');
      expect(rest.map((d) => d.path), text).toEqual([
        "graph_def.library.function['__inference_<lambda>'].node_def['ReadVariableOp_1']",
        "graph_def.library.function['__inference_<lambda>'].node_def['mul'].input",
        "graph_def.library.function['__inference_<lambda>'].node_def['mul/ReadVariableOp']",
        "graph_def.library.function['__inference_<lambda>'].signature.input_arg[2]",
      ]);
      expect(diff.find((d) => d.path === wrapperCall)?.b).toMatch(/^__inference_<lambda>_2[45]$/);
    }
  });

  it('the programs compute what TensorFlow computes (loadSavedModel on ours and on the fixture)', async () => {
    const cases: [string, Record<string, tf.Tensor>][] = [
      ['times_three_float', { x: tf.scalar(4) }],
      ['times_two_int', { x: tf.scalar(5, 'int32') }],
      ['model_multi_output', { x: tf.scalar(3, 'int32'), y: tf.scalar(7, 'int32') }],
      ['model_single_input_multi_output', { x: tf.scalar(6, 'int32') }],
      ['module_with_multiple_signatures', { x: tf.scalar(1.5) }],
    ];
    for (const [name, feeds] of cases) {
      const out = join(tempDir(), name);
      const p = await PROGRAMS[name]!();
      await saveModel(p.module, out, p.args);
      for (const signature of name === 'module_with_multiple_signatures' ? ['serving_default', 'timestwo'] : ['serving_default']) {
        const ours = await loadSavedModel(out, { signature });
        const theirs = await loadSavedModel(join(FIXTURES, name), { signature });
        const a = runAll(ours, feeds);
        const b = runAll(theirs, feeds);
        expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
        for (const k of Object.keys(b)) expect(a[k]!.arraySync()).toEqual(b[k]!.arraySync());
        ours.dispose(); theirs.dispose();
      }
    }
  });
});

describe('half_plus_two_tf2 (TF 2.14): the predict program', () => {
  it('a = 0.5, b = 2, c = 3; predict(x) = {y: a·x + b} with x float32 [1]: signature, checkpoint and answers as TensorFlow\'s', async () => {
    const { Module, tensorSpec } = await import('../src/index.js');
    const m = new Module();
    const a = m.track('a', tf.variable(tf.scalar(0.5), true, 'a'));
    const b = m.track('b', tf.variable(tf.scalar(2), true, 'b'));
    m.track('c', tf.variable(tf.scalar(3), true, 'c'));
    const predict = m.addFunction('predict', (x: tf.Tensor) => ({ y: tf.add(tf.mul(a, x), b) }), [tensorSpec([1], 'float32', 'x')]);
    const out = join(tempDir(), 'half_plus_two');
    await saveModel(m, out, { signatures: { serving_default: predict } });
    const ours = await expectValid(out);
    const theirs = await readDir(join(FIXTURES, 'half_plus_two_tf2'));
    // TF 2.14 writes another layout (functions as checkpoint dependencies with `trace_0` children,
    // DisableCopyOnRead in the saver, an asset, five more signatures): compare what the program defines.
    const sig = (l: LoadedSavedModel) => {
      const s = l.savedModel.meta_graphs[0]!.signature_def!.serving_default!;
      return {
        inputs: Object.fromEntries(Object.entries(s.inputs ?? {}).map(([k, v]) => [k, [v.name, dt(v.dtype), shape(v.tensor_shape)]])),
        outputs: Object.fromEntries(Object.entries(s.outputs ?? {}).map(([k, v]) => [k, [dt(v.dtype), shape(v.tensor_shape)]])),
        method: s.method_name,
      };
    };
    expect(sig(ours)).toEqual(sig(theirs));
    for (const k of ['a', 'b', 'c']) {
      const key = `${k}/.ATTRIBUTES/VARIABLE_VALUE`;
      expect(Array.from(ours.checkpoint!.value(key) as Float32Array)).toEqual(Array.from(theirs.checkpoint!.value(key) as Float32Array));
    }
    const ourVars = ours.savedModel.meta_graphs[0]!.object_graph_def!.nodes!.filter((n) => n.variable).map((n) => n.variable!.name);
    expect(ourVars).toEqual(['a', 'b', 'c']);
    const x = tf.tensor1d([10]);
    const y1 = runAll(await loadSavedModel(out), { x });
    const y2 = runAll(await loadSavedModel(join(FIXTURES, 'half_plus_two_tf2')), { x });
    expect(y1.y!.arraySync()).toEqual([7]);
    expect(y1.y!.arraySync()).toEqual(y2.y!.arraySync());
  });
});
