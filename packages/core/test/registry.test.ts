import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSavedModelError } from '../src/errors.js';
import { encodeDeterministic, tensorflow } from '../src/proto/index.js';
import {
  addDefaultAttrs,
  attrValuesEqual,
  buildStrippedOpList,
  getOpDef,
  hasOp,
  opsUsedByGraphDef,
  outputArgNames,
  registeredOpNames,
  registryVersion,
  stripDefaultAttrs,
} from '../src/registry/index.js';
import { stripOpDocs } from '../src/registry/op-def-to-compact.js';
import { parseTextFormat } from '../src/text-format/index.js';
import { FIXTURES, FIXTURE_NAMES, OPS_PBTXT, OPS_2_21_PBTXT, REPO_ROOT, SHARED } from './shared.js';

const readPb = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name, 'saved_model.pb')));
const decode = (name: string) => tensorflow.SavedModel.decode(readPb(name));
const graphBytes = (g: tensorflow.IGraphDef) => Buffer.from(encodeDeterministic('tensorflow.GraphDef', tensorflow.GraphDef, g));
const opBytes = (op: tensorflow.IOpDef) => Buffer.from(tensorflow.OpDef.encode(op).finish());

describe('op registry table', () => {
  it('holds every OpDef of tf/ops.pbtxt, docs stripped, byte for byte', () => {
    const text = readFileSync(OPS_PBTXT, 'utf8');
    const list = tensorflow.OpList.decode(tensorflow.OpList.encode(parseTextFormat('tensorflow.OpList', text, 'ops.pbtxt')).finish()) as { op: tensorflow.OpDef[] };
    expect(list.op.length).toBe(1256);
    expect(registeredOpNames()).toEqual(list.op.map((o) => o.name).sort());
    for (const op of list.op) {
      const ours = getOpDef(op.name);
      expect(ours, op.name).toBeDefined();
      expect(opBytes(ours!).equals(opBytes(stripOpDocs(op))), op.name).toBe(true);
    }
    const sha = createHash('sha256').update(readFileSync(OPS_PBTXT)).digest('hex');
    expect(registryVersion).toBe(`tf/ops.pbtxt sha256:${sha} (1256 ops)`);
  });

  it('lookups', () => {
    expect(hasOp('MatMul')).toBe(true);
    expect(hasOp('DisableCopyOnRead')).toBe(false); // newer than the TF 2.2 registry
    expect(hasOp('_Arg')).toBe(false); // internal ops are not in the dump
    expect(getOpDef('NoSuchOp')).toBeUndefined();
    expect(outputArgNames('NoSuchOp')).toBeUndefined();
    expect(registeredOpNames().some((n) => n.startsWith('_'))).toBe(false);
    const mm = getOpDef('MatMul')!;
    expect(mm.input_arg.map((a) => a.name)).toEqual(['a', 'b']);
    expect(mm.attr.find((a) => a.name === 'transpose_a')?.default_value?.b).toBe(false);
    expect(getOpDef('MatMul')).toBe(mm); // cached
    expect(outputArgNames(getOpDef('Unpack')!)).toEqual(['output']);
  });

  it('output arg names the format doc lists (section 5.6) agree with the registry', () => {
    // [F] names seen in the fixtures and [M] names the doc quotes from memory
    const doc: Record<string, string> = {
      Const: 'output', Identity: 'output', Mul: 'z', ReadVariableOp: 'value', StatefulPartitionedCall: 'output', RestoreV2: 'tensors',
      ShardedFilename: 'filename', StringJoin: 'output', Select: 'output', Pack: 'output', StaticRegexFullMatch: 'output', Cast: 'y',
      AddV2: 'z', Sub: 'z', RealDiv: 'z', Maximum: 'z', MatMul: 'product', BiasAdd: 'output', Relu: 'activations', Sigmoid: 'y', Tanh: 'y',
      Softmax: 'softmax', Transpose: 'y', Reshape: 'output', ConcatV2: 'output', Squeeze: 'output', ExpandDims: 'output', Placeholder: 'output',
      VarHandleOp: 'resource',
    };
    for (const [op, out] of Object.entries(doc)) expect(outputArgNames(op), op).toEqual([out]);
  });

  it('gen-op-registry --check passes on the committed file', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-op-registry.mjs', '--check'], { cwd: REPO_ROOT, env: { ...process.env, SAVEDMODEL_SHARED: SHARED }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('up to date (1256 ops)');
  });

  it('gen-op-registry --check fails on a changed registry and on a missing one', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'opreg-'));
    try {
      mkdirSync(join(tmp, 'tf'));
      writeFileSync(join(tmp, 'tf', 'ops-2.21.pbtxt'), readFileSync(OPS_2_21_PBTXT));
      writeFileSync(join(tmp, 'tf', 'ops.pbtxt'), readFileSync(OPS_PBTXT, 'utf8').replace('name: "Abort"', 'name: "Abort2"'));
      const stale = spawnSync(process.execPath, ['scripts/gen-op-registry.mjs', '--check'], { cwd: REPO_ROOT, env: { ...process.env, SAVEDMODEL_SHARED: tmp }, encoding: 'utf8' });
      expect(stale.status).toBe(1);
      expect(stale.stderr).toMatch(/op-registry-common\.gen\.json is stale/);
      // the TF 2.21 table (verify's) is checked too
      writeFileSync(join(tmp, 'tf', 'ops.pbtxt'), readFileSync(OPS_PBTXT));
      writeFileSync(join(tmp, 'tf', 'ops-2.21.pbtxt'), readFileSync(OPS_2_21_PBTXT, 'utf8').replace('name: "BesselI0"', 'name: "BesselI0x"'));
      const stale221 = spawnSync(process.execPath, ['scripts/gen-op-registry.mjs', '--check'], { cwd: REPO_ROOT, env: { ...process.env, SAVEDMODEL_SHARED: tmp }, encoding: 'utf8' });
      expect(stale221.status).toBe(1);
      expect(stale221.stderr).toMatch(/op-registry-2\.21\.gen\.json is stale/);
      const missing = spawnSync(process.execPath, ['scripts/gen-op-registry.mjs', '--check'], {
        cwd: REPO_ROOT,
        env: { ...process.env, SAVEDMODEL_SHARED: join(tmp, 'nope') },
        encoding: 'utf8',
      });
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(/op registry not found/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('default attrs', () => {
  const stripped = FIXTURE_NAMES.filter((n) => decode(n).meta_graphs[0]!.meta_info_def!.stripped_default_attrs);

  it('nine fixtures were written with stripped_default_attrs; the TF1 builder export was not', () => {
    expect(FIXTURE_NAMES.filter((n) => !stripped.includes(n))).toEqual(['half_plus_two_v1']);
  });

  it.each(stripped)('%s: addDefaultAttrs then stripDefaultAttrs gives back the original graph bytes', (name) => {
    const g = decode(name).meta_graphs[0]!.graph_def!;
    const orig = graphBytes(g);
    // TF stripped them already: nothing left to strip
    const copy = tensorflow.GraphDef.decode(orig);
    expect(stripDefaultAttrs(copy)).toBe(0);
    const work = tensorflow.GraphDef.decode(orig);
    const added = addDefaultAttrs(work);
    expect(added).toBeGreaterThan(0);
    expect(graphBytes(work).equals(orig)).toBe(false);
    expect(stripDefaultAttrs(work)).toBe(added);
    expect(graphBytes(work).equals(orig)).toBe(true);
  });

  it.each(stripped)('%s: copyOnWrite strips the same attrs without changing a node object', (name) => {
    const orig = graphBytes(decode(name).meta_graphs[0]!.graph_def!);
    const inPlace = tensorflow.GraphDef.decode(orig);
    const added = addDefaultAttrs(inPlace);
    const shared = tensorflow.GraphDef.decode(graphBytes(inPlace));
    const nodesOf = (g: tensorflow.GraphDef) => [...g.node, ...(g.library?.function ?? []).flatMap((f) => f.node_def)] as tensorflow.INodeDef[];
    const nodesBefore = nodesOf(shared);
    const attrKeysBefore = nodesBefore.map((n) => Object.keys(n.attr ?? {}).join());
    expect(stripDefaultAttrs(shared, { copyOnWrite: true })).toBe(added);
    expect(stripDefaultAttrs(inPlace)).toBe(added);
    expect(graphBytes(shared).equals(orig)).toBe(true);
    expect(graphBytes(inPlace).equals(orig)).toBe(true);
    // every node object that lost attrs was replaced in its list; the objects themselves kept theirs
    expect(nodesBefore.map((n) => Object.keys(n.attr ?? {}).join())).toEqual(attrKeysBefore);
    const nodesAfter = new Set(nodesOf(shared));
    expect(nodesBefore.filter((n) => !nodesAfter.has(n)).length).toBeGreaterThan(0);
  });

  it.each(['int64_multiply', 'uint8_multiply'])('%s (TF 2.3.1): the whole saved_model.pb is reproduced after add + strip', (name) => {
    const sm = decode(name);
    addDefaultAttrs(sm.meta_graphs[0]!.graph_def!);
    stripDefaultAttrs(sm.meta_graphs[0]!.graph_def!);
    expect(Buffer.from(encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, sm)).equals(Buffer.from(readPb(name)))).toBe(true);
  });

  it('half_plus_two_v1 (TF 1.14, not stripped) carries every default; stripping removes exactly those', () => {
    const g = decode('half_plus_two_v1').meta_graphs[0]!.graph_def!;
    expect(addDefaultAttrs(tensorflow.GraphDef.decode(graphBytes(g)))).toBe(0);
    const nodes = g.node as tensorflow.NodeDef[];
    const before = new Map(nodes.map((n) => [n.name, Object.keys(n.attr)]));
    const removed = stripDefaultAttrs(g);
    const counts: Record<string, number> = {};
    for (const n of nodes) {
      for (const k of before.get(n.name)!) if (!(k in n.attr)) counts[`${n.op}.${k}`] = (counts[`${n.op}.${k}`] ?? 0) + 1;
    }
    // From the fixture text: 6 VariableV2 with container "" and shared_name "", 12 Assign with
    // validate_shape true and 11 with use_locking true (one has false), the Placeholder's
    // shape is unknown_rank, Reshape Tshape DT_INT32, StringJoin separator "", Pack axis 0,
    // MergeV2Checkpoints delete_old_dirs true: all equal to the OpDef defaults.
    expect(counts).toEqual({
      'VariableV2.container': 6, 'VariableV2.shared_name': 6, 'Assign.validate_shape': 12, 'Assign.use_locking': 11,
      'Placeholder.shape': 1, 'Reshape.Tshape': 1, 'StringJoin.separator': 1, 'Pack.axis': 1, 'MergeV2Checkpoints.delete_old_dirs': 1,
    });
    expect(removed).toBe(40);
  });

  it('library-function calls and unknown ops are left alone', () => {
    const g = parseTextFormat('tensorflow.GraphDef', `
      node { name: "c" op: "my_fn" attr { key: "transpose_a" value { b: false } } }
      node { name: "u" op: "NotAnOp" attr { key: "x" value { b: false } } }
      node { name: "m" op: "MatMul" attr { key: "transpose_a" value { b: false } } attr { key: "T" value { type: DT_FLOAT } } }
      library { function { signature { name: "my_fn" } node_def { name: "p" op: "Placeholder" attr { key: "shape" value { shape { unknown_rank: true } } } attr { key: "dtype" value { type: DT_FLOAT } } } } }
    `) as tensorflow.IGraphDef;
    expect(stripDefaultAttrs(g)).toBe(2);
    expect(Object.keys(g.node![0]!.attr!)).toEqual(['transpose_a']);
    expect(Object.keys(g.node![1]!.attr!)).toEqual(['x']);
    expect(Object.keys(g.node![2]!.attr!)).toEqual(['T']);
    expect(Object.keys(g.library!.function![0]!.node_def![0]!.attr!)).toEqual(['dtype']);
    expect(addDefaultAttrs(g)).toBe(3); // MatMul: transpose_a, transpose_b; Placeholder: shape (my_fn, NotAnOp untouched)
    expect(Object.keys(g.node![0]!.attr!)).toEqual(['transpose_a']);
  });

  it('attrValuesEqual follows TF AreAttrValuesEqual', () => {
    const av = (t: string) => parseTextFormat('tensorflow.AttrValue', t) as tensorflow.IAttrValue;
    expect(attrValuesEqual(av('type: DT_FLOAT'), av('type: DT_FLOAT'))).toBe(true);
    expect(attrValuesEqual(av('type: DT_FLOAT'), av('type: DT_INT32'))).toBe(false);
    expect(attrValuesEqual(av('list { }'), av('list { }'))).toBe(true);
    expect(attrValuesEqual(av('list { }'), av('s: ""'))).toBe(false);
    expect(attrValuesEqual(av('i: 0'), av('b: false'))).toBe(false); // different oneof case
    expect(attrValuesEqual(av('list { i: [1, 2] }'), av('list { i: [1, 2] }'))).toBe(true);
    expect(attrValuesEqual(av('list { i: [1, 2] }'), av('list { i: [2, 1] }'))).toBe(false);
    expect(attrValuesEqual(av('shape { unknown_rank: true }'), av('shape { unknown_rank: true }'))).toBe(true);
    expect(attrValuesEqual(av('shape { dim { size: -1 } }'), av('shape { unknown_rank: true }'))).toBe(false);
    expect(attrValuesEqual(av('tensor { dtype: DT_FLOAT float_val: 1 }'), av('tensor { dtype: DT_FLOAT float_val: 1 }'))).toBe(true);
    // func: attrs compared as a map, whatever their order
    expect(attrValuesEqual(av('func { name: "f" attr { key: "a" value { i: 1 } } attr { key: "b" value { i: 2 } } }'),
      av('func { name: "f" attr { key: "b" value { i: 2 } } attr { key: "a" value { i: 1 } } }'))).toBe(true);
    expect(attrValuesEqual(av('func { name: "f" }'), av('func { name: "g" }'))).toBe(false);
  });
});

// ------------------------------------------------------------------ stripped_op_list

const attrDef = (t: string) => parseTextFormat('tensorflow.OpDef.AttrDef', t) as tensorflow.OpDef.IAttrDef;
const attrOf = (op: tensorflow.IOpDef, name: string) => op.attr!.find((a) => a.name === name)!;
const insertAfter = (list: number[], after: number, values: number[]) => {
  const i = list.indexOf(after);
  expect(i).toBeGreaterThanOrEqual(0);
  list.splice(i + 1, 0, ...values);
};

/**
 * Differences between the registry (ops.pbtxt, about TF 2.2) and the OpDefs that newer TF
 * versions stored in the fixtures, read off the fixtures' stripped_op_list. Each is a patch
 * that turns our OpDef into the fixture's; the test then demands identical bytes, so this list
 * is exactly the set of differences.
 */
const PATCHES: Record<string, { since: string; apply: (op: tensorflow.IOpDef) => void }> = {
  // VarHandleOp gained `allowed_devices: list(string) = []` (seen in the 2.3.1, 2.10, 2.14 fixtures)
  VarHandleOp: { since: '2.3', apply: (op) => op.attr!.push(attrDef('name: "allowed_devices" type: "list(string)" default_value { list { } }')) },
  // AssignVariableOp gained `validate_shape: bool = false` (2.10, 2.14)
  AssignVariableOp: { since: '2.10', apply: (op) => op.attr!.push(attrDef('name: "validate_shape" type: "bool" default_value { b: false }')) },
  // MergeV2Checkpoints gained `allow_missing_files: bool = false` (2.10, 2.14)
  MergeV2Checkpoints: { since: '2.10', apply: (op) => op.attr!.push(attrDef('name: "allow_missing_files" type: "bool" default_value { b: false }')) },
  // StatefulPartitionedCall is flagged is_distributed_communication (2.10, 2.14)
  StatefulPartitionedCall: { since: '2.10', apply: (op) => { op.is_distributed_communication = true; } },
  // MaxPool: padding may be "EXPLICIT", new attr explicit_paddings: list(int) = [] after padding (2.10)
  MaxPool: {
    since: '2.10',
    apply: (op) => {
      attrOf(op, 'padding').allowed_values!.list!.s!.push(new TextEncoder().encode('EXPLICIT'));
      op.attr!.splice(op.attr!.findIndex((a) => a.name === 'padding') + 1, 0, attrDef('name: "explicit_paddings" type: "list(int)" default_value { list { } }'));
    },
  },
  // AddV2 T also allows DT_UINT16, DT_UINT32, DT_UINT64, listed right after DT_UINT8 (2.14)
  AddV2: { since: '2.14', apply: (op) => { insertAfter(attrOf(op, 'T').allowed_values!.list!.type!, 4 /* DT_UINT8 */, [17, 22, 23]); } },
  // Mul T also allows DT_UINT32, DT_UINT64, listed right after DT_INT32 (2.14)
  Mul: { since: '2.14', apply: (op) => { insertAfter(attrOf(op, 'T').allowed_values!.list!.type!, 3 /* DT_INT32 */, [22, 23]); } },
  // StringJoin: N's minimum went from 1 to 0 (has_minimum stays set) (2.14)
  StringJoin: { since: '2.14', apply: (op) => { delete attrOf(op, 'N').minimum; } },
};
// not in the registry at all (2.14): used by the save function before reading each variable
const DISABLE_COPY_ON_READ = 'name: "DisableCopyOnRead" input_arg { name: "resource" type: DT_RESOURCE } is_stateful: true';

const OP_LIST_EXPECTATIONS: Record<string, { followCalls: boolean; patched: string[]; added?: string[] }> = {
  // TF 2.0.0-beta1 / 2.0.0: top-level ops only, identical to the registry
  times_three_float: { followCalls: false, patched: [] },
  times_two_int: { followCalls: false, patched: [] },
  module_with_multiple_signatures: { followCalls: false, patched: [] },
  model_multi_output: { followCalls: false, patched: [] },
  model_single_input_multi_output: { followCalls: false, patched: [] },
  // TF 2.3.1
  int64_multiply: { followCalls: false, patched: ['VarHandleOp'] },
  uint8_multiply: { followCalls: false, patched: ['VarHandleOp'] },
  // TF 1.14 builder export: no functions; all 17 OpDefs identical to the registry
  half_plus_two_v1: { followCalls: false, patched: [] },
  // TF 2.10: ops of functions reached through StatefulPartitionedCall are listed too
  keras_cnn: { followCalls: true, patched: ['AssignVariableOp', 'MaxPool', 'MergeV2Checkpoints', 'StatefulPartitionedCall', 'VarHandleOp'] },
  // TF 2.14
  half_plus_two_tf2: {
    followCalls: true,
    patched: ['AddV2', 'AssignVariableOp', 'MergeV2Checkpoints', 'Mul', 'StatefulPartitionedCall', 'StringJoin', 'VarHandleOp'],
    added: ['DisableCopyOnRead'],
  },
};

describe('stripped_op_list', () => {
  it('covers every fixture', () => {
    expect(Object.keys(OP_LIST_EXPECTATIONS).sort()).toEqual(FIXTURE_NAMES);
  });

  it.each(FIXTURE_NAMES)('%s: built list equals the fixture\'s (with the listed registry differences)', (name) => {
    const exp = OP_LIST_EXPECTATIONS[name]!;
    const mg = decode(name).meta_graphs[0]!;
    const fixture = mg.meta_info_def!.stripped_op_list! as { op: tensorflow.OpDef[] };
    const built = buildStrippedOpList(mg.graph_def!, { followCalls: exp.followCalls, onUnknownOp: 'skip' }) as { op: tensorflow.OpDef[] };
    // ops the registry does not know are left out, and nothing else
    const names = fixture.op.map((o) => o.name);
    expect(built.op.map((o) => o.name)).toEqual(names.filter((n) => !(exp.added ?? []).includes(n)));
    const differing = built.op.filter((o) => !opBytes(o).equals(opBytes(fixture.op.find((f) => f.name === o.name)!))).map((o) => o.name);
    expect(differing).toEqual(exp.patched);
    for (const op of built.op) if (exp.patched.includes(op.name)) PATCHES[op.name]!.apply(op);
    for (const added of exp.added ?? []) {
      expect(added).toBe('DisableCopyOnRead');
      built.op.push(tensorflow.OpDef.decode(tensorflow.OpDef.encode(parseTextFormat('tensorflow.OpDef', DISABLE_COPY_ON_READ)).finish()));
      built.op.sort((a, b) => (a.name < b.name ? -1 : 1)); // fixture order is by name
    }
    const stillDiffering = built.op.filter((o, i) => !opBytes(o).equals(opBytes(fixture.op[i]!))).map((o) => o.name);
    expect(stillDiffering).toEqual([]);
    expect(Buffer.from(tensorflow.OpList.encode(built).finish()).equals(Buffer.from(tensorflow.OpList.encode(fixture).finish()))).toBe(true);
  });

  it('TF <= 2.3 lists only top-level ops; TF 2.10+ follows (Stateful)PartitionedCall into functions', () => {
    const g23 = decode('int64_multiply').meta_graphs[0]!.graph_def!;
    expect(opsUsedByGraphDef(g23)).toEqual(['Const', 'NoOp', 'Placeholder', 'ReadVariableOp', 'StatefulPartitionedCall', 'VarHandleOp']);
    expect(opsUsedByGraphDef(g23, { followCalls: true })).toContain('SaveV2'); // what a 2.10+ writer would list
    const g210 = decode('keras_cnn').meta_graphs[0]!.graph_def!;
    const fixture = decode('keras_cnn').meta_graphs[0]!.meta_info_def!.stripped_op_list!.op!.map((o) => o.name!);
    expect(opsUsedByGraphDef(g210, { followCalls: true })).toEqual(fixture);
    expect(opsUsedByGraphDef(g210)).not.toEqual(fixture);
    // functions reachable only otherwise (keras_cnn's training functions: RandomUniform, ...) are not listed
    expect(fixture).not.toContain('RandomUniform');
  });

  it('an op missing from the registry is an error unless skipped', () => {
    const g = decode('half_plus_two_tf2').meta_graphs[0]!.graph_def!;
    let err: unknown;
    try {
      buildStrippedOpList(g, { followCalls: true });
    } catch (e) {
      err = e;
    }
    expect(isSavedModelError(err, 'INVALID_GRAPH')).toBe(true);
    expect(String(err)).toMatch(/DisableCopyOnRead/);
    // without following calls the save function is not visited, so all ops are known
    expect(buildStrippedOpList(g).op.map((o) => o.name!)).toEqual(['AssignVariableOp', 'Const', 'NoOp', 'Placeholder', 'PlaceholderWithDefault', 'ReadVariableOp', 'StatefulPartitionedCall', 'VarHandleOp', 'VarIsInitializedOp']);
  });
});
