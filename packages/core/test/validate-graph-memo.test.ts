// validate-graph.ts memoizes per OpDef / AttrDef within a run (attrs by name, allowed_values
// sets, list(...) types) and builds labels of function-input findings only when reporting: every
// node must still get its own findings, with the same text, however often an op repeats.
import { describe, expect, it } from 'vitest';
import { tensorflow } from '../src/proto/index.js';
import { validateGraphDef } from '../src/registry/index.js';

const t = (type: number) => ({ type });

describe('validateGraphDef memoized per-op data', () => {
  it('reports ATTR_NOT_ALLOWED / UNKNOWN_ATTR on every node of a repeated op, allowed ones pass', () => {
    const graph: tensorflow.IGraphDef = {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: t(tensorflow.DataType.DT_STRING) } },
        // Abs does not allow DT_STRING; three nodes, three findings
        ...[0, 1, 2].map((k) => ({ name: `a${k}`, op: 'Abs', input: ['x'], attr: { T: t(tensorflow.DataType.DT_STRING), ...(k === 1 ? { bogus: { b: true } } : {}) } })),
        { name: 'f', op: 'Placeholder', attr: { dtype: t(tensorflow.DataType.DT_FLOAT) } },
        { name: 'ok', op: 'Abs', input: ['f'], attr: { T: t(tensorflow.DataType.DT_FLOAT) } },
        // data_format allowed_values are strings
        ...[0, 1].map((k) => ({ name: `b${k}`, op: 'BiasAdd', input: ['f', 'f'], attr: { T: t(tensorflow.DataType.DT_FLOAT), data_format: { s: new TextEncoder().encode(k ? 'NCHW' : 'XYZW') } } })),
      ],
    };
    const f = validateGraphDef(graph);
    const notAllowed = f.filter((x) => x.code === 'ATTR_NOT_ALLOWED').map((x) => x.where);
    expect(notAllowed).toEqual(['graph_def.node[1] "a0"', 'graph_def.node[2] "a1"', 'graph_def.node[3] "a2"', 'graph_def.node[6] "b0"']);
    expect(f.find((x) => x.where.includes('"b0"'))!.message).toContain('"XYZW" is not allowed for op BiasAdd (allowed: "NHWC", "NCHW")');
    expect(f.filter((x) => x.code === 'UNKNOWN_ATTR').map((x) => x.where)).toEqual(['graph_def.node[2] "a1"']);
  });

  it('labels function-input findings with the input as before', () => {
    const graph: tensorflow.IGraphDef = {
      library: {
        function: [{
          signature: { name: 'fn', input_arg: [{ name: 'x', type: tensorflow.DataType.DT_FLOAT }], output_arg: [{ name: 'y', type: tensorflow.DataType.DT_FLOAT }] },
          node_def: [{ name: 'n', op: 'Abs', input: ['x', 'nope:y:0'], attr: { T: t(tensorflow.DataType.DT_FLOAT) } }],
          ret: { y: 'n:y:0' },
        }],
      },
    };
    const f = validateGraphDef(graph);
    expect(f.map((x) => x.message)).toContain('input 1 "nope:y:0" names "nope", which is neither an input arg nor a node of the function');
  });
});
