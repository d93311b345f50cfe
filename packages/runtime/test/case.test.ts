// Case / StatelessCase, written as TensorFlow writes them (branch functions in the library) with
// the core writer, lowered to If chains and run by our loader. TensorFlow's CaseOp runs the last
// branch for an index out of range; the expected values are each branch computed by tfjs itself.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { fn, savedModelFiles } from './graph-kit.js';
import { lowerCaseOps } from '../src/case-lowering.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;
const I = DT.DT_INT32;

beforeAll(async () => { await tf.setBackend('cpu'); });



const c = (name: string, v: number) => node(name, 'Const', [], { dtype: attr.type(F), value: attr.tensor(floatTensor([v], [])) });

// three branches of (a, b) → (out, b): a·2, a−1, a+b+10
const BRANCHES = [
  fn('branch0_11', [['a', F], ['b', F]], [['o', F, 'mul:z:0'], ['p', F, 'b']], [c('two', 2), node('mul', 'Mul', ['a', 'two:output:0'], { T: attr.type(F) })]),
  fn('branch1_12', [['a', F], ['b', F]], [['o', F, 'sub:z:0'], ['p', F, 'b']], [c('one', 1), node('sub', 'Sub', ['a', 'one:output:0'], { T: attr.type(F) })]),
  fn('branch2_13', [['a', F], ['b', F]], [['o', F, 'add2:z:0'], ['p', F, 'b']], [
    c('ten', 10),
    node('add', 'AddV2', ['a', 'b'], { T: attr.type(F) }),
    node('add2', 'AddV2', ['add:z:0', 'ten:output:0'], { T: attr.type(F) }),
  ]),
];
const byTfjs = (branch: number, a: number[], b: number[]): number[] => {
  const x = tf.tensor1d(a), y = tf.tensor1d(b);
  const r = branch === 0 ? tf.mul(x, 2) : branch === 1 ? tf.sub(x, 1) : tf.add(tf.add(x, y), 10);
  return Array.from(r.dataSync());
};
const caseAttrs = {
  Tin: attr.types([F, F]), Tout: attr.types([F, F]),
  branches: { list: { func: BRANCHES.map((f) => ({ name: f.signature!.name! })) } },
};

describe('Case lowered to If chains', () => {
  for (const op of ['Case', 'StatelessCase']) {
    it(`${op} at the top level: indexes -1, 0, 1, 2, 5 (out of range → last branch)`, async () => {
      const files = await savedModelFiles(
        [
          node('i', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([]) }),
          node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1]) }),
          node('y', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1]) }),
          node('case', op, ['i', 'x', 'y'], caseAttrs),
        ],
        BRANCHES,
        { i: ['i:0', I], x: ['x:0', F], y: ['y:0', F] },
        { out: ['case:0', F], pass: ['case:1', F] },
      );
      const m = await loadSavedModel(files);
      expect(m.graph.nodes.map((n) => n.op)).not.toContain(op);
      const x = [1.5, -4], y = [0.25, 3];
      for (const [index, branch] of [[-1, 2], [0, 0], [1, 1], [2, 2], [5, 2]] as const) {
        const r = await m.run({ i: index, x, y });
        expect(r.out!.values, `index ${index}`).toEqual(byTfjs(branch, x, y));
        expect(r.pass!.values).toEqual(y);
      }
      m.dispose();
    });
  }

  it('Case inside a called function (function-style references), two branches', async () => {
    const two = [BRANCHES[0]!, BRANCHES[1]!];
    const outer = fn('outer_20', [['i', I], ['a', F]], [['r', F, 'case:output:0']], [
      node('case', 'StatelessCase', ['i', 'a', 'a'], { Tin: attr.types([F, F]), Tout: attr.types([F, F]), branches: { list: { func: two.map((f) => ({ name: f.signature!.name! })) } } }),
    ]);
    const files = await savedModelFiles(
      [
        node('i', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([]) }),
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1]) }),
        node('call', 'StatefulPartitionedCall', ['i', 'x'], { f: attr.func('outer_20'), Tin: attr.types([I, F]), Tout: attr.types([F]) }),
      ],
      [...two, outer],
      { i: ['i:0', I], x: ['x:0', F] },
      { out: ['call:0', F] },
    );
    const m = await loadSavedModel(files);
    const x = [3, 7];
    for (const [index, branch] of [[-1, 1], [0, 0], [1, 1], [9, 1]] as const) {
      expect((await m.run({ i: index, x })).out!.values, `index ${index}`).toEqual(byTfjs(branch, x, x));
    }
    m.dispose();
  });

  it('one branch: a call whatever the index; no branches: INVALID_GRAPH', async () => {
    const files = await savedModelFiles(
      [
        node('i', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([]) }),
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1]) }),
        node('case', 'Case', ['i', 'x', 'x'], { ...caseAttrs, branches: { list: { func: [{ name: 'branch1_12' }] } } }),
      ],
      BRANCHES,
      { i: ['i:0', I], x: ['x:0', F] },
      { out: ['case:0', F] },
    );
    const m = await loadSavedModel(files);
    for (const index of [-3, 0, 4]) expect((await m.run({ i: index, x: [5] })).out!.values).toEqual(byTfjs(1, [5], [5]));
    m.dispose();
    expect(() => lowerCaseOps([node('case', 'Case', ['i', 'x'], { Tin: attr.types([F]), Tout: attr.types([F]), branches: { list: { func: [] } } })], []))
      .toThrow(expect.objectContaining({ code: 'INVALID_GRAPH' }));
  });

  it('nothing to lower: the same arrays come back', () => {
    const nodes = [node('x', 'Placeholder', [], { dtype: attr.type(F) })];
    const fns = [BRANCHES[0]!];
    const r = lowerCaseOps(nodes, fns);
    expect(r.nodes).toBe(nodes);
    expect(r.functions).toBe(fns);
  });
});
