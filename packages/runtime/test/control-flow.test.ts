// TF2 functional control flow written the way TensorFlow writes it (functions in the library,
// called by StatelessIf / While nodes): the functions are frozen (calls inlined, variable handles
// passed into a loop become their values) and run by tfjs-converter's executor.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, floatTensor, int32Tensor, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { fn, savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;
const I = DT.DT_INT32;

beforeAll(async () => { await tf.setBackend('cpu'); });



const c = (name: string, t: tensorflow.ITensorProto) => node(name, 'Const', [], { dtype: attr.type(t.dtype!), value: attr.tensor(t) });

describe('functional control flow', () => {
  it('StatelessIf: then (x·2) / else (x−1) branches chosen by the condition', async () => {
    const files = await savedModelFiles(
      [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([]) }),
        node('c', 'Placeholder', [], { dtype: attr.type(DT.DT_BOOL), shape: attr.shape([]) }),
        node('if', 'StatelessIf', ['c', 'x'], { then_branch: attr.func('then_7'), else_branch: attr.func('else_8'), Tcond: attr.type(DT.DT_BOOL), Tin: attr.types([F]), Tout: attr.types([F]) }),
      ],
      [
        fn('then_7', [['a', F]], [['o', F, 'mul:z:0']], [c('two', floatTensor([2], [])), node('mul', 'Mul', ['a', 'two:output:0'], { T: attr.type(F) })]),
        fn('else_8', [['a', F]], [['o', F, 'sub:z:0']], [c('one', floatTensor([1], [])), node('sub', 'Sub', ['a', 'one:output:0'], { T: attr.type(F) })]),
      ],
      { x: ['x:0', F], c: ['c:0', DT.DT_BOOL] },
      { y: ['if:0', F] },
    );
    const m = await loadSavedModel(files);
    expect((await m.run({ x: 5, c: true })).y!.values).toEqual([10]);
    expect((await m.run({ x: 5, c: false })).y!.values).toEqual([4]);
    m.dispose();
  });

  it('While with a variable handle as a loop variable (as Keras exports an RNN): x·w applied n times, body calling a function', async () => {
    // loop vars: (i, n, x, w_handle); cond i < n; body: i + 1, n, scale(x, read(w)), w_handle
    const cond = fn('cond_3', [['i', I], ['n', I], ['x', F], ['w', DT.DT_RESOURCE]], [['o', DT.DT_BOOL, 'less:z:0']], [
      node('less', 'Less', ['i', 'n'], { T: attr.type(I) }),
    ]);
    const scale = fn('scale_5', [['v', F], ['k', F]], [['o', F, 'm:z:0']], [node('m', 'Mul', ['v', 'k'], { T: attr.type(F) })]);
    const body = fn('body_4', [['i', I], ['n', I], ['x', F], ['w', DT.DT_RESOURCE]], [['i2', I, 'add:z:0'], ['n2', I, 'n'], ['x2', F, 'call:output:0'], ['w2', DT.DT_RESOURCE, 'w']], [
      c('one', int32Tensor([1], [])),
      node('add', 'AddV2', ['i', 'one:output:0'], { T: attr.type(I) }),
      node('read', 'ReadVariableOp', ['w'], { dtype: attr.type(F) }),
      node('call', 'StatefulPartitionedCall', ['x', 'read:value:0'], { f: attr.func('scale_5'), Tin: attr.types([F, F]), Tout: attr.types([F]) }),
    ]);
    const types = [I, I, F, DT.DT_RESOURCE];
    const files = await savedModelFiles(
      [
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1]) }),
        node('n', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([]) }),
        c('zero', int32Tensor([0], [])),
        node('w', 'VarHandleOp', [], { dtype: attr.type(F), shape: attr.shape([]), shared_name: attr.str('w') }),
        node('while', 'While', ['zero', 'n', 'x', 'w'], { T: attr.types(types), cond: attr.func('cond_3'), body: attr.func('body_4'), parallel_iterations: attr.int(10) }),
      ],
      [cond, body, scale],
      { x: ['x:0', F], n: ['n:0', I] },
      { y: ['while:2', F], i: ['while:0', I] },
      { checkpoint: [{ key: 'w', dtype: F, shape: [], data: new Float32Array([3]) }] },
    );
    const m = await loadSavedModel(files);
    const r = await m.run({ x: [1, -2], n: 3 });
    expect(r.y!.values).toEqual([27, -54]);
    expect(r.i!.values).toEqual([3]);
    expect((await m.run({ x: [5], n: 0 })).y!.values).toEqual([5]);
    m.dispose();
  });
});
