// diffSavedModels: the structural comparison used to prove parity with TensorFlow's SavedModels.
// Expected difference lines below were derived by reading the fixtures' protoc text decodes
// (shared/fixtures/tf/NAME.pbtxt and NAME.variables.txt), not by running the diff.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataType, diffSavedModels, fileMapSource, formatDifference, readCheckpointFrom, readSavedModel, tensorflow, writeCheckpoint, type CheckpointTensor, type DiffOptions, type FileMap, type LoadedSavedModel } from '../src/index.js';
import { normalizeFunctionName } from '../src/internal.js';
import { FIXTURES, FIXTURE_NAMES } from './shared.js';

function fixtureFiles(name: string): FileMap {
  const root = join(FIXTURES, name);
  const files: FileMap = new Map();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(root, p).split('\\').join('/'), new Uint8Array(readFileSync(p)));
    }
  };
  walk(root);
  return files;
}

const load = (files: FileMap): Promise<LoadedSavedModel> => readSavedModel(fileMapSource(files));

/** A copy of the files with saved_model.pb decoded, edited and re-encoded. */
function editSavedModel(files: FileMap, edit: (sm: tensorflow.SavedModel) => void): FileMap {
  const sm = tensorflow.SavedModel.decode(files.get('saved_model.pb')!);
  edit(sm);
  const out = new Map(files);
  out.set('saved_model.pb', tensorflow.SavedModel.encode(sm).finish());
  return out;
}

/** A copy of the files with the checkpoint rewritten after `edit` changed its tensors. */
async function editCheckpoint(files: FileMap, edit: (tensors: CheckpointTensor[]) => void): Promise<FileMap> {
  const ck = await readCheckpointFrom(fileMapSource(files));
  const tensors: CheckpointTensor[] = ck.entries.map((e) => ({
    key: e.key,
    dtype: e.dtype,
    shape: e.shape,
    data: e.dtype === DataType.DT_STRING ? ck.stringBytes(e) : ck.bytes(e).slice(),
  }));
  edit(tensors);
  const written = writeCheckpoint(tensors);
  const out = new Map(files);
  out.set('variables/variables.index', written.index);
  out.set('variables/variables.data-00000-of-00001', written.data[0]!);
  return out;
}

/** Replaces every string equal to a key of `names` (values and map keys), recursively. */
function renameDeep(v: unknown, names: Map<string, string>): unknown {
  if (typeof v === 'string') return names.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => renameDeep(x, names));
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const o = v as Record<string, unknown>;
    if (Object.getPrototypeOf(o) === Object.prototype) {
      // a protobuf map
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) out[names.get(k) ?? k] = renameDeep(x, names);
      return out;
    }
    for (const k of Object.keys(o)) o[k] = renameDeep(o[k], names);
  }
  return v;
}

/**
 * What a second TensorFlow run would write: every `__inference_*_<uid>` gets another uid
 * (consistently: library, `f` attrs, concrete_functions keys, object graph references), and
 * the library is in another order.
 */
function renumberFunctions(sm: tensorflow.SavedModel, rename: (name: string, uid: number) => string = (n, uid) => `${n}_${1_000_000 - uid}`): void {
  for (const mg of sm.meta_graphs) {
    const names = new Map<string, string>();
    for (const f of mg.graph_def?.library?.function ?? []) {
      const m = /^(.*)_(\d+)$/.exec(f.signature?.name ?? '');
      if (m) names.set(m[0], rename(m[1]!, Number(m[2])));
    }
    renameDeep(mg, names);
    mg.graph_def?.library?.function?.reverse();
  }
}

/** The decoded classes, whose repeated and map fields are always present. */
const metaGraph = (sm: tensorflow.SavedModel) => sm.meta_graphs[0] as tensorflow.MetaGraphDef;
const objectGraph = (sm: tensorflow.SavedModel) => metaGraph(sm).object_graph_def as tensorflow.SavedObjectGraph;
const graph = (sm: tensorflow.SavedModel) => metaGraph(sm).graph_def as tensorflow.GraphDef;

/** Renumbers object-graph nodes (root stays 0, the others in reverse order), fixing every id reference. */
function permuteObjectGraph(sm: tensorflow.SavedModel): void {
  const og = objectGraph(sm);
  const n = og.nodes.length;
  const id = (i: number | null | undefined) => ((i ?? 0) === 0 ? 0 : n - (i ?? 0));
  const nodes: tensorflow.ISavedObject[] = new Array(n);
  og.nodes.forEach((x, i) => { nodes[id(i)] = x; });
  for (const x of nodes) {
    for (const c of [...(x.children ?? []), ...(x.dependencies ?? [])]) c.node_id = id(c.node_id);
    for (const s of x.slot_variables ?? []) {
      s.original_variable_node_id = id(s.original_variable_node_id);
      s.slot_variable_node_id = id(s.slot_variable_node_id);
    }
    for (const s of Object.values(x.saveable_objects ?? {})) {
      s.save_function = id(s.save_function);
      s.restore_function = id(s.restore_function);
    }
  }
  for (const cf of Object.values(og.concrete_functions)) cf.bound_inputs = (cf.bound_inputs ?? []).map(id);
  og.nodes = nodes;
}

/** Removes the root's child `name` and its node, renumbering the ids after it. */
function removeRootChild(sm: tensorflow.SavedModel, name: string): void {
  const og = objectGraph(sm);
  const root = og.nodes[0]!;
  const ref = root.children!.find((c) => c.local_name === name)!;
  const gone = ref.node_id!;
  root.children = root.children!.filter((c) => c !== ref);
  og.nodes.splice(gone, 1);
  const id = (i: number | null | undefined) => ((i ?? 0) > gone ? (i ?? 0) - 1 : i ?? 0);
  for (const x of og.nodes) for (const c of x.children ?? []) c.node_id = id(c.node_id);
  for (const cf of Object.values(og.concrete_functions)) cf.bound_inputs = (cf.bound_inputs ?? []).map(id);
}

async function diffLines(a: FileMap, b: FileMap, options?: DiffOptions): Promise<string[]> {
  return diffSavedModels(await load(a), await load(b), options).map(formatDifference);
}

const ORIGINAL = new Map(FIXTURE_NAMES.map((n) => [n, fixtureFiles(n)]));
const files = (name: string) => ORIGINAL.get(name)!;

describe('normalizeFunctionName', () => {
  it('strips the uid suffix (two numbers for backward functions)', () => {
    expect(normalizeFunctionName('__inference_signature_wrapper_37')).toBe('__inference_signature_wrapper');
    expect(normalizeFunctionName('__inference___call___24')).toBe('__inference___call__');
    expect(normalizeFunctionName('__inference_conv2d_18_layer_call_fn_67283')).toBe('__inference_conv2d_18_layer_call_fn');
    expect(normalizeFunctionName('__inference___backward_f_120_133')).toBe('__inference___backward_f');
    expect(normalizeFunctionName('no_uid')).toBe('no_uid');
  });
});

describe('diffSavedModels: equivalent models', () => {
  it.each(FIXTURE_NAMES)('%s vs itself: no differences (also with --functions, --strict-names, --all-attrs)', async (name) => {
    expect(await diffLines(files(name), files(name))).toEqual([]);
    expect(await diffLines(files(name), files(name), { functions: true, strictNames: true, allAttrs: true, versions: true })).toEqual([]);
  });

  it.each(FIXTURE_NAMES)('%s vs a copy with every __inference_*_N renumbered and the library reordered: no differences', async (name) => {
    const copy = editSavedModel(files(name), (sm) => renumberFunctions(sm));
    const a = await load(files(name)), b = await load(copy);
    // the copy really differs in its names
    const namesA = (a.savedModel.meta_graphs[0]!.graph_def?.library?.function ?? []).map((f) => f.signature?.name).sort();
    const namesB = (b.savedModel.meta_graphs[0]!.graph_def?.library?.function ?? []).map((f) => f.signature?.name).sort();
    if (namesA.length > 0) expect(namesB).not.toEqual(namesA);
    expect(diffSavedModels(a, b)).toEqual([]);
    expect(diffSavedModels(a, b, { functions: true, strictNames: true })).toEqual([]);
    expect(diffSavedModels(b, a, { functions: true })).toEqual([]);
  });

  it.each(FIXTURE_NAMES.filter((n) => n !== 'half_plus_two_v1'))('%s vs a copy with object-graph nodes renumbered: no differences', async (name) => {
    const copy = editSavedModel(files(name), (sm) => { permuteObjectGraph(sm); renumberFunctions(sm); });
    expect(await diffLines(files(name), copy, { functions: true })).toEqual([]);
  });

  it('TensorFlow version strings and producer numbers are ignored unless asked for', async () => {
    const copy = editSavedModel(files('times_three_float'), (sm) => {
      const mg = metaGraph(sm);
      mg.meta_info_def!.tensorflow_version = '2.16.1';
      mg.meta_info_def!.tensorflow_git_version = 'v2.16.1-0-g5bc9d26649c';
      mg.graph_def!.versions!.producer = 1766;
    });
    expect(await diffLines(files('times_three_float'), copy)).toEqual([]);
    expect(await diffLines(files('times_three_float'), copy, { versions: true })).toEqual([
      'graph_def.versions.producer: 55 != 1766',
      'meta_info_def.tensorflow_git_version: v2.0.0-beta0-16-g1d91213fe7 != v2.16.1-0-g5bc9d26649c',
      'meta_info_def.tensorflow_version: 2.0.0-beta1 != 2.16.1',
    ]);
  });

  it('underscore attrs and config_proto are ignored unless allAttrs; an attr equal to the op default equals an absent one', async () => {
    const copy = editSavedModel(files('times_three_float'), (sm) => {
      const call = graph(sm).node.find((n) => n.name === 'StatefulPartitionedCall') as tensorflow.NodeDef;
      call.attr['_read_only_resource_inputs'] = tensorflow.AttrValue.create({ list: { i: [1] } });
      call.attr['config_proto'] = tensorflow.AttrValue.create({ s: new Uint8Array([0x32, 0x00]) });
      call.attr['executor_type'] = tensorflow.AttrValue.create({ s: new Uint8Array(0) }); // the op's default ""
    });
    expect(await diffLines(files('times_three_float'), copy)).toEqual([]);
    const all = await diffLines(files('times_three_float'), copy, { allAttrs: true });
    expect(all).toContain("graph_def.node['StatefulPartitionedCall'].attr['_read_only_resource_inputs']: <absent> != [1]");
    expect(all.filter((l) => l.includes("attr['config_proto']"))).toHaveLength(1);
    expect(all.filter((l) => l.includes('executor_type'))).toEqual([]);
  });
});

describe('diffSavedModels: different models', () => {
  it('model_multi_output vs model_single_input_multi_output: the second input y', async () => {
    // From the two pbtxt files: A has a Placeholder serving_default_y feeding
    // StatefulPartitionedCall (Tin gains a DT_INT32), signature input 'y', __call__(self, x, y)
    // with a two-spec input_signature, the wrapper's keyword 'y' (so no positional argument);
    // outputs, variables, checkpoint and the save/restore calls are the same. The uids differ
    // (wrapper 37/35, __call__ 24/23, save 72/69, restore 91/88) and are ignored.
    expect(await diffLines(files('model_multi_output'), files('model_single_input_multi_output'))).toEqual([
      "graph_def.node['StatefulPartitionedCall'].attr['Tin']: [DT_INT32, DT_INT32, DT_RESOURCE] != [DT_INT32, DT_RESOURCE]",
      "graph_def.node['StatefulPartitionedCall'].input: [serving_default_x, serving_default_y, Variable_1] != [serving_default_x, Variable_1]",
      "graph_def.node['serving_default_y']: Placeholder != <absent>",
      "object_graph_def.concrete_functions['__inference___call__'].canonicalized_input_signature[0]: (TensorSpec(shape=(), dtype=tf.int32, name='x'), TensorSpec(shape=(), dtype=tf.int32, name='y')) != (TensorSpec(shape=(), dtype=tf.int32, name='x'),)",
      "object_graph_def.concrete_functions['__inference_signature_wrapper'].canonicalized_input_signature[1]['y']: TensorSpec(shape=(), dtype=tf.int32, name='y') != <absent>",
      "object_graph_def.nodes['__call__'].function.function_spec.fullargspec.args: ['self', 'x', 'y'] != ['self', 'x']",
      "object_graph_def.nodes['__call__'].function.function_spec.input_signature: (TensorSpec(shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.int32, name=None)) != (TensorSpec(shape=(), dtype=tf.int32, name=None),)",
      "object_graph_def.nodes['signatures/serving_default'].bare_concrete_function.allowed_positional_arguments: 0 != 1",
      "object_graph_def.nodes['signatures/serving_default'].bare_concrete_function.argument_keywords: [x, y] != [x]",
      "signature_def['serving_default'].inputs['y']: serving_default_y:0 DT_INT32 () != <absent>",
    ]);
  });

  it('times_three_float vs times_two_int: float vs int32 everywhere, and mutate only in A', async () => {
    // From the pbtxt/variables.txt: v is Variable(3.0) float32 vs Variable(2) int32, so every
    // dtype that follows it changes; times_two_int has no `mutate` (object-graph child,
    // FunctionDef, concrete_functions entry). The checkpoint value is not compared once the dtype differs.
    const d = diffSavedModels(await load(files('times_three_float')), await load(files('times_two_int')));
    expect(d.map(formatDifference)).toEqual([
      "checkpoint['v/.ATTRIBUTES/VARIABLE_VALUE'].dtype: DT_FLOAT != DT_INT32",
      "graph_def.library.function['__inference_mutate']: __inference_mutate_22 != <absent>",
      "graph_def.node['StatefulPartitionedCall'].attr['Tin']: [DT_FLOAT, DT_RESOURCE] != [DT_INT32, DT_RESOURCE]",
      "graph_def.node['StatefulPartitionedCall'].attr['Tout']: [DT_FLOAT] != [DT_INT32]",
      "graph_def.node['StatefulPartitionedCall_1'].attr['Tin']: [DT_STRING, DT_FLOAT, DT_STRING] != [DT_STRING, DT_INT32, DT_STRING]",
      "graph_def.node['Variable'].attr['dtype']: DT_FLOAT != DT_INT32",
      "graph_def.node['Variable/Read/ReadVariableOp'].attr['dtype']: DT_FLOAT != DT_INT32",
      "graph_def.node['serving_default_x'].attr['dtype']: DT_FLOAT != DT_INT32",
      "object_graph_def.concrete_functions['__inference___call__'].canonicalized_input_signature[0][0].dtype: DT_FLOAT != DT_INT32",
      "object_graph_def.concrete_functions['__inference___call__'].output_signature.dtype: DT_FLOAT != DT_INT32",
      "object_graph_def.concrete_functions['__inference_mutate']: <present> != <absent>",
      "object_graph_def.concrete_functions['__inference_signature_wrapper'].canonicalized_input_signature[1]['x'].dtype: DT_FLOAT != DT_INT32",
      "object_graph_def.concrete_functions['__inference_signature_wrapper'].output_signature['output_0'].dtype: DT_FLOAT != DT_INT32",
      "object_graph_def.nodes['__call__'].function.function_spec.input_signature[0].dtype: DT_FLOAT != DT_INT32",
      "object_graph_def.nodes['mutate']: function != <absent>",
      "object_graph_def.nodes['v'].variable.dtype: DT_FLOAT != DT_INT32",
      "signature_def['serving_default'].inputs['x'].dtype: DT_FLOAT != DT_INT32",
      "signature_def['serving_default'].outputs['output_0'].dtype: DT_FLOAT != DT_INT32",
    ]);
    expect(d.find((x) => x.path === "graph_def.library.function['__inference_mutate']")?.message).toBe('function only in A');
    // and the reverse direction mirrors it
    const r = diffSavedModels(await load(files('times_two_int')), await load(files('times_three_float')));
    expect(r.map((x) => x.path)).toEqual(d.map((x) => x.path));
    expect(r.map((x) => [x.a, x.b])).toEqual(d.map((x) => [x.b, x.a]));
  });

  it('--functions adds the bodies: times_three_float vs times_two_int', async () => {
    const lines = await diffLines(files('times_three_float'), files('times_two_int'), { functions: true });
    // __call__ body (pbtxt: mul/ReadVariableOp dtype, mul T, Identity T) and its signature
    expect(lines).toContain("graph_def.library.function['__inference___call__'].node_def['mul'].attr['T']: DT_FLOAT != DT_INT32");
    expect(lines).toContain("graph_def.library.function['__inference___call__'].signature.input_arg[0]: x: DT_FLOAT != x: DT_INT32");
    // the save function's SaveV2 dtypes, the restore function's RestoreV2 dtypes
    expect(lines).toContain("graph_def.library.function['__inference__traced_save'].node_def['SaveV2'].attr['dtypes']: [DT_FLOAT] != [DT_INT32]");
    expect(lines).toContain("graph_def.library.function['__inference__traced_restore'].node_def['RestoreV2'].attr['dtypes']: [DT_FLOAT] != [DT_INT32]");
    // the random `_temp_<uuid>/part` constant of the save function is not a difference
    expect(lines.filter((l) => l.includes('StringJoin'))).toEqual([]);
  });
});

describe('diffSavedModels: single mutations give exactly one difference', () => {
  const base = () => files('times_three_float');

  it('a changed checkpoint value', async () => {
    const copy = await editCheckpoint(base(), (ts) => { ts.find((t) => t.key === 'v/.ATTRIBUTES/VARIABLE_VALUE')!.data = new Float32Array([4]); });
    expect(await diffLines(base(), copy)).toEqual(["checkpoint['v/.ATTRIBUTES/VARIABLE_VALUE'].value: 3 != 4"]);
    expect(await diffLines(base(), copy, { floatTolerance: 1.5 })).toEqual([]);
    expect(await diffLines(base(), copy, { floatTolerance: 0.5 })).toEqual(["checkpoint['v/.ATTRIBUTES/VARIABLE_VALUE'].value: 3 != 4"]);
    expect(await diffLines(base(), copy, { checkpointValues: false })).toEqual([]);
  });

  it('a changed value in a larger tensor: the first differing element', async () => {
    const a = await editCheckpoint(base(), (ts) => { ts.push({ key: 'w/.ATTRIBUTES/VARIABLE_VALUE', dtype: DataType.DT_FLOAT, shape: [3, 4], data: new Float32Array(12).fill(0.5) }); });
    const b = await editCheckpoint(base(), (ts) => {
      const v = new Float32Array(12).fill(0.5);
      v[5] = 0.25;
      v[7] = 1e-7 + 0.5;
      ts.push({ key: 'w/.ATTRIBUTES/VARIABLE_VALUE', dtype: DataType.DT_FLOAT, shape: [3, 4], data: v });
    });
    const d = diffSavedModels(await load(a), await load(b));
    expect(d.map(formatDifference)).toEqual(["checkpoint['w/.ATTRIBUTES/VARIABLE_VALUE'].value[5]: 0.5 != 0.25"]);
    expect(d[0]!.message).toContain('2 of 12 elements');
    expect(await diffLines(a, b, { floatTolerance: 1e-3 })).toEqual(["checkpoint['w/.ATTRIBUTES/VARIABLE_VALUE'].value[5]: 0.5 != 0.25"]);
    expect(await diffLines(a, b, { floatTolerance: 0.3 })).toEqual([]);
  });

  it('a changed signature dtype', async () => {
    const copy = editSavedModel(base(), (sm) => { metaGraph(sm).signature_def['serving_default']!.inputs!['x']!.dtype = tensorflow.DataType.DT_INT32; });
    expect(await diffLines(base(), copy)).toEqual(["signature_def['serving_default'].inputs['x'].dtype: DT_FLOAT != DT_INT32"]);
  });

  it('a removed object-graph child', async () => {
    const copy = editSavedModel(base(), (sm) => removeRootChild(sm, 'mutate'));
    expect(await diffLines(base(), copy)).toEqual(["object_graph_def.nodes['mutate']: function != <absent>"]);
    expect(await diffLines(copy, base())).toEqual(["object_graph_def.nodes['mutate']: <absent> != function"]);
  });

  it('a child reference left dangling (node kept) also reports the unreachable node', async () => {
    const copy = editSavedModel(base(), (sm) => {
      const root = objectGraph(sm).nodes[0]!;
      root.children = root.children!.filter((c) => c.local_name !== 'mutate');
    });
    expect(await diffLines(base(), copy)).toEqual([
      "object_graph_def.nodes['mutate']: function != <absent>",
      'object_graph_def.unreachable_nodes: 0 != 1',
    ]);
  });

  it('a renamed object-graph child: one side each', async () => {
    const copy = editSavedModel(base(), (sm) => { objectGraph(sm).nodes[0]!.children!.find((c) => c.local_name === 'v')!.local_name = 'w'; });
    expect(await diffLines(base(), copy)).toEqual([
      "object_graph_def.concrete_functions['__inference___call__'].bound_inputs: [v] != [w]",
      "object_graph_def.concrete_functions['__inference_mutate'].bound_inputs: [v] != [w]",
      "object_graph_def.concrete_functions['__inference_signature_wrapper'].bound_inputs: [v] != [w]",
      "object_graph_def.nodes['v']: variable != <absent>",
      "object_graph_def.nodes['w']: <absent> != variable",
    ]);
  });

  it('a function body change shows only with functions: true', async () => {
    const copy = editSavedModel(base(), (sm) => {
      const call = graph(sm).library!.function!.find((f) => f.signature?.name === '__inference___call___15')!;
      call.node_def!.find((n) => n.name === 'mul')!.op = 'AddV2';
    });
    expect(await diffLines(base(), copy)).toEqual([]);
    expect(await diffLines(base(), copy, { functions: true })).toEqual(["graph_def.library.function['__inference___call__'].node_def['mul'].op: Mul != AddV2"]);
  });

  it('a function renamed (not just renumbered) in the same role', async () => {
    const copy = editSavedModel(base(), (sm) => renumberFunctions(sm, (n, uid) => `${n === '__inference_mutate' ? '__inference_change' : n}_${uid + 100}`));
    expect(await diffLines(base(), copy)).toEqual(["graph_def.library.function['__inference_mutate'].name: __inference_mutate != __inference_change"]);
  });

  it('checkpoint object graph: full_name only with strictNames, checkpoint_key always', async () => {
    const rewriteGraph = (edit: (g: tensorflow.TrackableObjectGraph) => void) =>
      editCheckpoint(base(), (ts) => {
        const t = ts.find((x) => x.key === '_CHECKPOINTABLE_OBJECT_GRAPH')!;
        const g = tensorflow.TrackableObjectGraph.decode((t.data as Uint8Array[])[0]!);
        edit(g);
        t.data = [tensorflow.TrackableObjectGraph.encode(g).finish()];
      });
    const renamed = await rewriteGraph((g) => { g.nodes[1]!.attributes![0]!.full_name = 'Variable_7'; });
    expect(await diffLines(base(), renamed)).toEqual([]);
    expect(await diffLines(base(), renamed, { strictNames: true })).toEqual([
      "checkpoint.object_graph.nodes['v'].attributes['VARIABLE_VALUE'].full_name: Variable != Variable_7",
    ]);
    const rekeyed = await rewriteGraph((g) => { g.nodes[1]!.attributes![0]!.checkpoint_key = 'x/.ATTRIBUTES/VARIABLE_VALUE'; });
    expect(await diffLines(base(), rekeyed)).toEqual([
      "checkpoint.object_graph.nodes['v'].attributes['VARIABLE_VALUE'].checkpoint_key: v/.ATTRIBUTES/VARIABLE_VALUE != x/.ATTRIBUTES/VARIABLE_VALUE",
    ]);
  });

  it('a removed checkpoint key and a missing variables/ directory', async () => {
    const fewer = await editCheckpoint(files('module_with_multiple_signatures'), (ts) => ts.splice(ts.findIndex((t) => t.key === 'two/.ATTRIBUTES/VARIABLE_VALUE'), 1));
    expect(await diffLines(files('module_with_multiple_signatures'), fewer)).toEqual(["checkpoint['two/.ATTRIBUTES/VARIABLE_VALUE']: DT_FLOAT () != <absent>"]);
    const none = new Map([...base()].filter(([k]) => !k.startsWith('variables/')));
    expect(await diffLines(base(), none)).toEqual(['checkpoint: <present> != <absent>']);
  });

  it('a removed signature, a changed saver_def and an extra collection', async () => {
    const copy = editSavedModel(files('module_with_multiple_signatures'), (sm) => {
      const mg = metaGraph(sm);
      delete mg.signature_def['timestwo'];
      mg.saver_def!.restore_op_name = 'StatefulPartitionedCall_9';
      mg.collection_def['extra'] = tensorflow.CollectionDef.create({ node_list: { value: ['NoOp'] } });
    });
    expect(await diffLines(files('module_with_multiple_signatures'), copy)).toEqual([
      "collection_def['extra']: <absent> != node_list",
      'saver_def.restore_op_name: StatefulPartitionedCall_3 != StatefulPartitionedCall_9',
      "signature_def['timestwo']: <present> != <absent>",
    ]);
  });

  it('differences are sorted by path and carry a message', async () => {
    const d = diffSavedModels(await load(files('model_multi_output')), await load(files('times_three_float')), { functions: true });
    expect(d.length).toBeGreaterThan(10);
    expect(d.map((x) => x.path)).toEqual([...d.map((x) => x.path)].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    for (const x of d) {
      expect(x.message.length).toBeGreaterThan(0);
      expect(x.a).not.toBe(x.b);
    }
  });
});
