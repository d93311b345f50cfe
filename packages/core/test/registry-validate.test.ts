import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensorflow } from '../src/proto/index.js';
import { type Finding, validateGraphDef } from '../src/registry/index.js';
import { graphHasFindings } from '../src/registry/validate-graph.js';
import { parseTextFormat } from '../src/text-format/index.js';
import { FIXTURES, FIXTURE_NAMES } from './shared.js';

const decode = (name: string) => tensorflow.SavedModel.decode(new Uint8Array(readFileSync(join(FIXTURES, name, 'saved_model.pb'))));

/**
 * Warnings expected on the fixtures in non-strict mode, from reading the fixtures' graphs:
 * - half_plus_two_tf2 (TF 2.14): its save function `__inference__traced_save_300` calls
 *   DisableCopyOnRead (an op added after TF 2.2, absent from ops.pbtxt) on each of the three
 *   variables a, b, c before reading them (nodes Read/…, Read_1/…, Read_2/… in the .pbtxt).
 * - every other fixture: none. Their ops are all in the TF 2.2 registry, and every attr they
 *   carry is declared there: attrs that newer TF added (VarHandleOp.allowed_devices,
 *   AssignVariableOp.validate_shape, MaxPool.explicit_paddings,
 *   MergeV2Checkpoints.allow_missing_files) hold their default values and were stripped by
 *   TF (stripped_default_attrs), so they do not appear on the nodes; the TF1 export
 *   (half_plus_two_v1, TF 1.14) only uses ops and attrs that TF 2.2 still declares.
 */
const EXPECTED_WARNINGS: Record<string, Omit<Finding, 'message'>[]> = {
  half_plus_two_tf2: ['Read', 'Read_1', 'Read_2'].map((r) => ({
    severity: 'warning' as const,
    code: 'UNKNOWN_OP' as const,
    where: `function __inference__traced_save_300 node "${r}/DisableCopyOnRead"`,
  })),
};

describe('validateGraphDef on the fixtures', () => {
  it.each(FIXTURE_NAMES)('%s: no errors in non-strict mode; exactly the expected warnings', (name) => {
    for (const mg of decode(name).meta_graphs) {
      const findings = validateGraphDef(mg.graph_def!);
      expect(findings.map(({ severity, code, where }) => ({ severity, code, where }))).toEqual(EXPECTED_WARNINGS[name] ?? []);
    }
  });

  it.each(FIXTURE_NAMES)('%s: graphHasFindings says what validateGraphDef finds, strict or not', (name) => {
    for (const mg of decode(name).meta_graphs) {
      for (const strict of [false, true]) expect(graphHasFindings(mg.graph_def!, { strict })).toBe(validateGraphDef(mg.graph_def!, { strict }).length > 0);
    }
  });

  it('strict mode turns the unknown op into errors', () => {
    const findings = validateGraphDef(decode('half_plus_two_tf2').meta_graphs[0]!.graph_def!, { strict: true });
    expect(findings.map((f) => `${f.severity} ${f.code}`)).toEqual(['error UNKNOWN_OP', 'error UNKNOWN_OP', 'error UNKNOWN_OP']);
    expect(findings[0]!.message).toMatch(/"DisableCopyOnRead" is not in the op registry/);
  });

  it('a Tin that does not match the called function is reported on a real graph', () => {
    const g = decode('int64_multiply').meta_graphs[0]!.graph_def!;
    const call = g.node!.find((n) => n.name === 'StatefulPartitionedCall')!;
    call.attr!.Tin!.list!.type![0] = tensorflow.DataType.DT_FLOAT; // x is int64
    const f = validateGraphDef(g);
    expect(f.map((x) => x.code)).toEqual(['CALL_SIGNATURE', 'INPUT_TYPE']);
    // node order (fixture): Variable, Variable_1, their two ReadVariableOps, NoOp, Const, serving_default_x, StatefulPartitionedCall
    expect(f[0]!.where).toBe('graph_def.node[7] "StatefulPartitionedCall"');
    expect(f[1]!.message).toMatch(/input 0 "serving_default_x" is DT_INT64, op StatefulPartitionedCall expects DT_FLOAT/);
  });
});

// A small, valid graph: a variable, a placeholder, a call into a function that reads the
// variable, multiplies, concatenates and returns; broken variants are made by editing its text.
const GOOD = `
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "v" op: "VarHandleOp" attr { key: "dtype" value { type: DT_FLOAT } } attr { key: "shape" value { shape { } } } attr { key: "shared_name" value { s: "v" } } }
node { name: "call" op: "StatefulPartitionedCall" input: "x" input: "v"
  attr { key: "Tin" value { list { type: [DT_FLOAT, DT_RESOURCE] } } }
  attr { key: "Tout" value { list { type: DT_FLOAT } } }
  attr { key: "f" value { func { name: "fn" } } }
  attr { key: "_read_only_resource_inputs" value { list { i: 1 } } } }
node { name: "out" op: "Identity" input: "call:0" input: "^v" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "direct" op: "fn" input: "x" input: "v" }
library {
  function {
    signature {
      name: "fn"
      input_arg { name: "x" type: DT_FLOAT }
      input_arg { name: "res" type: DT_RESOURCE }
      output_arg { name: "y" type: DT_FLOAT }
      is_stateful: true
      control_output: "read"
    }
    node_def { name: "read" op: "ReadVariableOp" input: "res" attr { key: "dtype" value { type: DT_FLOAT } } }
    node_def { name: "mul" op: "Mul" input: "x" input: "read:value:0" attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "axis" op: "Const" attr { key: "dtype" value { type: DT_INT32 } } attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { } int_val: 0 } } } }
    node_def { name: "cat" op: "ConcatV2" input: "x" input: "mul:z:0" input: "axis:output:0" attr { key: "N" value { i: 2 } } attr { key: "T" value { type: DT_FLOAT } } }
    node_def { name: "id" op: "Identity" input: "cat:output:0" input: "^read" attr { key: "T" value { type: DT_FLOAT } } }
    ret { key: "y" value: "id:output:0" }
    control_ret { key: "read" value: "read" }
  }
}`;

const validate = (text: string, strict = false) => validateGraphDef(parseTextFormat('tensorflow.GraphDef', text) as tensorflow.IGraphDef, { strict });
const short = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.code} ${f.where}`);
/** `GOOD` with one edit (the original text must occur exactly once). */
const edit = (from: string, to: string) => {
  expect(GOOD.split(from).length, `"${from}" must occur once`).toBe(2);
  return GOOD.replace(from, to);
};
const MUL = 'function fn node "mul"';
const CAT = 'function fn node "cat"';

describe('validateGraphDef on hand-made broken graphs', () => {
  it('the good graph has no findings', () => {
    expect(validate(GOOD)).toEqual([]);
    expect(validate(GOOD, true)).toEqual([]);
  });

  it.each<[string, string, string, string[]]>([
    ['missing required attr', 'input: "read:value:0" attr { key: "T" value { type: DT_FLOAT } }', 'input: "read:value:0"', [`error MISSING_ATTR ${MUL}`]],
    ['wrong attr type', 'input: "read:value:0" attr { key: "T" value { type: DT_FLOAT } }', 'input: "read:value:0" attr { key: "T" value { i: 1 } }', [`error ATTR_TYPE ${MUL}`]],
    ['list attr of the wrong element type', 'list { type: [DT_FLOAT, DT_RESOURCE] }', 'list { i: [1, 20] }', ['error ATTR_TYPE graph_def.node[2] "call"']],
    ['disallowed type', 'input: "read:value:0" attr { key: "T" value { type: DT_FLOAT } }', 'input: "read:value:0" attr { key: "T" value { type: DT_STRING } }',
      // DT_STRING is not allowed for Mul; its float inputs then mismatch the declared T, and
      // its (string) output z no longer fits ConcatV2's float values
      [`error ATTR_NOT_ALLOWED ${MUL}`, `error INPUT_TYPE ${MUL}`, `error INPUT_TYPE ${MUL}`, `error INPUT_TYPE ${CAT}`]],
    ['attr below minimum', 'attr { key: "N" value { i: 2 } }', 'attr { key: "N" value { i: 1 } }', [`error ATTR_MINIMUM ${CAT}`, `error INPUT_ARITY ${CAT}`]],
    ['too few inputs', 'input: "x" input: "read:value:0"', 'input: "x"', [`error INPUT_ARITY ${MUL}`]],
    ['number_attr arity', 'attr { key: "N" value { i: 2 } }', 'attr { key: "N" value { i: 3 } }', [`error INPUT_ARITY ${CAT}`]],
    ['type_list_attr arity', 'list { type: [DT_FLOAT, DT_RESOURCE] }', 'list { type: [DT_FLOAT, DT_RESOURCE, DT_FLOAT] }',
      ['error CALL_SIGNATURE graph_def.node[2] "call"', 'error INPUT_ARITY graph_def.node[2] "call"']],
    ['calling a function by op name with the wrong arity', 'op: "fn" input: "x" input: "v"', 'op: "fn" input: "x"', ['error INPUT_ARITY graph_def.node[4] "direct"']],
    ['dangling top-level input', 'input: "call:0"', 'input: "nope:0"', ['error DANGLING_INPUT graph_def.node[3] "out"']],
    ['dangling control input', 'input: "^v"', 'input: "^nope"', ['error DANGLING_INPUT graph_def.node[3] "out"']],
    ['output index out of range', 'input: "call:0"', 'input: "call:1"', ['error BAD_OUTPUT_INDEX graph_def.node[3] "out"']],
    ['dangling function input', 'input: "read:value:0"', 'input: "nope:value:0"', [`error DANGLING_INPUT ${MUL}`]],
    ['bad output arg name', 'input: "read:value:0"', 'input: "read:output:0"', [`error BAD_OUTPUT_ARG ${MUL}`]],
    ['function output index out of range', 'input: "mul:z:0"', 'input: "mul:z:1"', [`error BAD_OUTPUT_INDEX ${CAT}`]],
    ['GraphDef-style input inside a function', 'input: "mul:z:0"', 'input: "mul"', [`error BAD_INPUT ${CAT}`]],
    ['data input after a control input', 'input: "cat:output:0" input: "^read"', 'input: "^read" input: "cat:output:0"', ['error BAD_INPUT function fn node "id"']],
    ['unknown function in f', 'func { name: "fn" }', 'func { name: "missing_fn" }', ['error UNKNOWN_FUNCTION graph_def.node[2] "call"']],
    ['Tout vs signature', 'list { type: DT_FLOAT } }', 'list { type: [DT_FLOAT, DT_FLOAT] } }', ['error CALL_SIGNATURE graph_def.node[2] "call"']],
    ['input dtype mismatch', 'name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }', 'name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_INT32 } }',
      ['error INPUT_TYPE graph_def.node[2] "call"', 'error INPUT_TYPE graph_def.node[4] "direct"']],
    // the renamed Const is a second "mul" (the first one wins), and "axis:output:0" now dangles
    ['duplicate node name', 'node_def { name: "axis"', 'node_def { name: "mul"', [`error DUPLICATE_NAME function fn node "mul"`, `error DANGLING_INPUT ${CAT}`]],
    ['ret missing', 'ret { key: "y" value: "id:output:0" }', '', ['error BAD_RET function fn ret "y"']],
    ['ret unresolved', 'value: "id:output:0"', 'value: "idx:output:0"', ['error BAD_RET function fn ret "y"']],
    ['control_ret unresolved', 'control_ret { key: "read" value: "read" }', 'control_ret { key: "read" value: "reed" }', ['error BAD_RET function fn control_ret "read"']],
    ['unknown attr', 'attr { key: "T" value { type: DT_FLOAT } } }\nnode { name: "direct"', 'attr { key: "T" value { type: DT_FLOAT } } attr { key: "foo" value { b: true } } }\nnode { name: "direct"',
      ['warning UNKNOWN_ATTR graph_def.node[3] "out"']],
    ['unknown op', 'op: "Identity" input: "call:0"', 'op: "IdentityV9" input: "call:0"', ['warning UNKNOWN_OP graph_def.node[3] "out"']],
  ])('%s', (_title, from, to, expected) => {
    expect(short(validate(edit(from, to)))).toEqual(expected);
    // verify's probe (stops at the first finding) agrees
    const g = parseTextFormat('tensorflow.GraphDef', edit(from, to)) as tensorflow.IGraphDef;
    expect(graphHasFindings(g)).toBe(expected.length > 0);
  });

  it('strict mode makes unknown ops and attrs errors', () => {
    expect(short(validate(edit('op: "Identity" input: "call:0"', 'op: "IdentityV9" input: "call:0"'), true))).toEqual(['error UNKNOWN_OP graph_def.node[3] "out"']);
    const withAttr = edit('attr { key: "_read_only_resource_inputs"', 'attr { key: "newer_attr" value { b: true } } attr { key: "_read_only_resource_inputs"');
    expect(short(validate(withAttr))).toEqual(['warning UNKNOWN_ATTR graph_def.node[2] "call"']);
    expect(short(validate(withAttr, true))).toEqual(['error UNKNOWN_ATTR graph_def.node[2] "call"']);
  });

  it('messages name the op, attr and values', () => {
    const [f] = validate(edit('input: "read:value:0"', 'input: "read:output:0"'));
    expect(f!.message).toMatch(/op ReadVariableOp has no output arg "output" \(output args: value\)/);
    const [g] = validate(edit('input: "read:value:0" attr { key: "T" value { type: DT_FLOAT } }', 'input: "read:value:0"'));
    expect(g!.message).toMatch(/required attr "T" \(type\) of op Mul is missing/);
  });

  it('internal function ops and placeholders inside functions are accepted', () => {
    const text = edit('node_def { name: "axis" op: "Const" attr { key: "dtype" value { type: DT_INT32 } }', 'node_def { name: "axis" op: "Const" attr { key: "dtype" value { placeholder: "Tidx" } }');
    expect(validate(text)).toEqual([]);
    const withArg = edit('node_def { name: "read"', 'node_def { name: "a0" op: "_Arg" attr { key: "T" value { type: DT_FLOAT } } attr { key: "index" value { i: 0 } } } node_def { name: "read"');
    expect(validate(withArg)).toEqual([]);
  });
});
