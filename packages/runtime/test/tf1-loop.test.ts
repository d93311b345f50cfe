// A TF1 while loop as tf.compat.v1.while_loop writes it (Enter / Merge / LoopCond / Switch /
// NextIteration / Exit, two loop variables and a loop-invariant tensor), written with our core
// writer and run by the loader; the expected values are the same recurrence computed by tfjs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, node, tensorflow } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { savedModelFiles } from './graph-kit.js';

const DT = tensorflow.DataType;
const F = DT.DT_FLOAT;
const I = DT.DT_INT32;

beforeAll(async () => { await tf.setBackend('cpu'); });


const T = (t: number) => ({ T: attr.type(t) });
const enter = (name: string, input: string, t: number, constant: boolean) =>
  node(name, 'Enter', [input], { ...T(t), frame_name: attr.str('while/while_context'), is_constant: attr.bool(constant), parallel_iterations: attr.int(10) });
const scalar = (name: string, t: number, v: number) =>
  node(name, 'Const', [], { dtype: attr.type(t), value: attr.tensor(t === F ? { dtype: F, tensor_shape: {}, float_val: [v] } : { dtype: I, tensor_shape: {}, int_val: [v] }) });

describe('TF1 while loop', () => {
  it('(i, acc) = (0, a0); while i < n: (i + 1, acc · x + 1) — against the same recurrence in tfjs', async () => {
    const files = await savedModelFiles(
      [
        node('n', 'Placeholder', [], { dtype: attr.type(I), shape: attr.shape([]) }),
        node('x', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1]) }),
        node('a0', 'Placeholder', [], { dtype: attr.type(F), shape: attr.shape([-1]) }),
        scalar('zero', I, 0),
        scalar('while/one', I, 1),
        scalar('while/onef', F, 1),
        enter('while/Enter', 'zero', I, false),
        enter('while/Enter_1', 'a0', F, false),
        enter('while/Less/Enter', 'n', I, true),
        enter('while/mul/Enter', 'x', F, true),
        node('while/Merge', 'Merge', ['while/Enter', 'while/NextIteration'], { ...T(I), N: attr.int(2) }),
        node('while/Merge_1', 'Merge', ['while/Enter_1', 'while/NextIteration_1'], { ...T(F), N: attr.int(2) }),
        node('while/Less', 'Less', ['while/Merge', 'while/Less/Enter'], T(I)),
        node('while/LoopCond', 'LoopCond', ['while/Less']),
        node('while/Switch', 'Switch', ['while/Merge', 'while/LoopCond'], T(I)),
        node('while/Switch_1', 'Switch', ['while/Merge_1', 'while/LoopCond'], T(F)),
        node('while/Identity', 'Identity', ['while/Switch:1'], T(I)),
        node('while/Identity_1', 'Identity', ['while/Switch_1:1'], T(F)),
        node('while/add', 'AddV2', ['while/Identity', 'while/one'], T(I)),
        node('while/mul', 'Mul', ['while/Identity_1', 'while/mul/Enter'], T(F)),
        node('while/add_1', 'AddV2', ['while/mul', 'while/onef'], T(F)),
        node('while/NextIteration', 'NextIteration', ['while/add'], T(I)),
        node('while/NextIteration_1', 'NextIteration', ['while/add_1'], T(F)),
        node('while/Exit', 'Exit', ['while/Switch'], T(I)),
        node('while/Exit_1', 'Exit', ['while/Switch_1'], T(F)),
      ],
      [],
      { n: ['n:0', I], x: ['x:0', F], a0: ['a0:0', F] },
      { i: ['while/Exit:0', I], acc: ['while/Exit_1:0', F] },
      { producer: 27 },
    );
    const m = await loadSavedModel(files);
    const x = [0.5, -1.25, 2], a0 = [1, 3, -0.75];
    for (const n of [0, 1, 4, 9]) {
      // the same loop with tfjs ops
      let acc = tf.tensor1d(a0);
      for (let i = 0; i < n; i++) acc = tf.add(tf.mul(acc, tf.tensor1d(x)), 1);
      const r = await m.run({ n, x, a0 });
      expect(r.i!.values, `n = ${n}`).toEqual([n]);
      expect(r.acc!.values, `n = ${n}`).toEqual(Array.from(acc.dataSync()));
    }
    m.dispose();
  });
});
