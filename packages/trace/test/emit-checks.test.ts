// GraphBuilder.emit indexes each op's OpDef once (big graphs emit thousands of nodes of a few
// ops), but every node is still checked against it: a bad node after many good ones of the same
// op is refused just as the first one would be. Scoped names skip the sanitizer only when both
// the scope and the base are names it would keep.
import { describe, expect, it } from 'vitest';
import { tensorflow } from '@savedmodel-js/core';
import { GraphBuilder, sanitizeNodeName, type GraphTensor } from '../src/graph/graph-builder.js';

const DT = tensorflow.DataType;
const f32 = (ref: string): GraphTensor => ({ ref, dtype: DT.DT_FLOAT, shape: [2, 2] });
const i32 = (ref: string): GraphTensor => ({ ref, dtype: DT.DT_INT32, shape: [2, 2] });

function codeOf(f: () => unknown): string | undefined {
  try { f(); } catch (e) { return (e as { code?: string }).code; }
  return undefined;
}

describe('GraphBuilder.emit: every node checked against the op registry', () => {
  it('after 1,000 good MatMuls, a bad one is still refused', () => {
    const g = new GraphBuilder();
    for (let i = 0; i < 1000; i++) g.emit('MatMul', [f32('a'), f32('b')], { transpose_a: false });
    expect(g.nodes).toHaveLength(1000);
    expect(g.nodes[999]!.attr!.T).toEqual({ type: DT.DT_FLOAT });
    // an attr MatMul does not declare
    expect(codeOf(() => g.emit('MatMul', [f32('a'), f32('b')], { no_such_attr: 1 }))).toBe('INVALID_GRAPH');
    // an attr value of the wrong type
    expect(codeOf(() => g.emit('MatMul', [f32('a'), f32('b')], { transpose_a: 'yes' }))).toBe('INVALID_GRAPH');
    // inputs whose dtypes disagree on T
    expect(codeOf(() => g.emit('MatMul', [f32('a'), i32('b')]))).toBe('INVALID_GRAPH');
    // the wrong number of inputs
    expect(codeOf(() => g.emit('MatMul', [f32('a')]))).toBe('INVALID_GRAPH');
    // a list where one tensor goes
    expect(codeOf(() => g.emit('MatMul', [[f32('a'), f32('c')], f32('b')]))).toBe('INVALID_GRAPH');
    expect(g.nodes).toHaveLength(1000);
  });

  it('required attrs, fixed input types and unknown ops are checked on every node', () => {
    const g = new GraphBuilder();
    const shape = g.constant(DT.DT_INT32, [2], [2, 2]);
    for (let i = 0; i < 100; i++) g.emit('Fill', [shape, f32('v')], {});
    // Fill takes exactly two inputs
    expect(codeOf(() => g.emit('Fill', [shape], {}))).toBe('INVALID_GRAPH');
    // Cast needs DstT: inferred from nothing, so it must be given
    g.emit('Cast', [f32('x')], { DstT: DT.DT_INT32 });
    expect(codeOf(() => g.emit('Cast', [f32('x')], {}))).toBe('INVALID_GRAPH');
    // StringJoin's inputs are strings, fixed by the OpDef (a float is refused)
    expect(codeOf(() => g.emit('StringJoin', [[f32('s')]], {}))).toBe('INVALID_GRAPH');
    expect(codeOf(() => g.emit('NoSuchOpAnywhere', [], {}))).toMatch(/INVALID_GRAPH|UNSUPPORTED/);
  });

  it("attrs with allowed_values: a type or string outside TensorFlow's list is refused (UNSUPPORTED), naming op and kernel", () => {
    const g = new GraphBuilder();
    const b = (ref: string): GraphTensor => ({ ref, dtype: DT.DT_BOOL, shape: [2] });
    for (let i = 0; i < 50; i++) g.emit('Relu', [f32('x')]);
    g.kernel = 'Relu';
    // ops.pbtxt: Relu's T is realnumbertypes + qint8, so no bool
    let err: unknown;
    try { g.emit('Relu', [b('flag')]); } catch (e) { err = e; }
    expect((err as { code?: string }).code).toBe('UNSUPPORTED');
    expect(String((err as Error).message)).toMatch(/Relu.*T=DT_BOOL.*kernel Relu/);
    // Conv2D's padding is one of SAME / VALID / EXPLICIT
    const x = { ref: 'x', dtype: DT.DT_FLOAT, shape: [1, 4, 4, 1] };
    const w = { ref: 'w', dtype: DT.DT_FLOAT, shape: [2, 2, 1, 1] };
    g.emit('Conv2D', [x, w], { strides: [1, 1, 1, 1], padding: 'VALID' });
    expect(codeOf(() => g.emit('Conv2D', [x, w], { strides: [1, 1, 1, 1], padding: 'FULL' }))).toBe('UNSUPPORTED');
    expect(codeOf(() => g.emit('Conv2D', [x, w], { strides: [1, 1, 1, 1], padding: 'SAME', data_format: 'NWHC' }))).toBe('UNSUPPORTED');
    // a list(type) attr: Pack's T has no allowed_values, IdentityN's T neither; Cast's SrcT/DstT take any type
    g.emit('Cast', [b('flag')], { DstT: DT.DT_FLOAT });
    expect(g.nodes.map((n) => n.op).filter((o) => o === 'Conv2D')).toHaveLength(1);
    expect(g.nodes).toHaveLength(52);
  });

  it('scoped names: clean parts are joined as they are, anything else goes through the sanitizer', () => {
    const g = new GraphBuilder();
    g.scope = 'model/dense_1';
    expect(g.emit('Relu', [f32('x')])[0]!.ref).toBe('model/dense_1/Relu:activations:0');
    expect(g.emit('Relu', [f32('x')])[0]!.ref).toBe('model/dense_1/Relu_1:activations:0');
    g.scope = 'model/bad name!';
    expect(g.nodes.length).toBe(2);
    g.emit('Relu', [f32('x')]);
    expect(g.nodes[2]!.name).toBe(sanitizeNodeName('model/bad name!/Relu'));
    expect(g.nodes[2]!.name).toBe('model/bad_name_/Relu');
    g.scope = 'model/dense_1';
    g.emit('Relu', [f32('x')], {}, { name: 'odd//name/' });
    expect(g.nodes[3]!.name).toBe(sanitizeNodeName('model/dense_1/odd//name/'));
  });

  it('sanitizeNodeName keeps exactly the names it would not change', () => {
    const samples = ['a', 'a/b', 'a//b', '/a', 'a/', '.x', '_x', '-x', 'x-y.z_0/W', 'ü', 'a b', '', 'a/_b', 'a/-b', '9/8'];
    for (const s of samples) {
      const slow = (() => {
        let n = s.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
        if (!n || !/^[A-Za-z0-9.]/.test(n)) n = `n${n}`;
        return n;
      })();
      expect(sanitizeNodeName(s)).toBe(slow);
    }
  });
});
