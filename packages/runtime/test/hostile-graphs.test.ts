// Graph size and shape attacks on loadSavedModel: nothing may recurse on the graph's size
// (100,000-node chains run), call nesting is bounded (LIMIT_EXCEEDED, never RangeError), and
// cycles are INVALID_GRAPH naming a node of the cycle.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attr, node } from '@savedmodel-js/core';
import { loadSavedModel } from '../src/index.js';
import { DT, build, call, constNode, expectCode, fn, negChain, nestedCalls, placeholder, settle } from './hostile-models.js';

const F = DT.DT_FLOAT;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('long chains run', () => {
  it('100,000 Neg nodes in the top-level graph', async () => {
    const { nodes, last } = negChain(100_000, 'x', 'graph');
    const files = await build({ nodes: [placeholder('x'), ...nodes], inputs: { x: ['x:0', F, [-1]] }, outputs: { y: [`${last}:0`, F] } });
    const m = await loadSavedModel(files);
    expect(m.graph.nodes.length).toBe(100_002); // placeholder, chain, output identity
    const y = m.predict(tf.tensor1d([1, -2])) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([1, -2]); // an even number of negations
    m.dispose();
  }, 60_000);

  it('100,000 Neg nodes in a function body', async () => {
    const { nodes, last } = negChain(99_999, 'a', 'function');
    const files = await build({
      nodes: [placeholder('x'), call('call', 'f', ['x'], [F], [F])],
      functions: [fn('f', [['a', F]], [['o', F, last]], nodes)],
      inputs: { x: ['x:0', F, [-1]] },
      outputs: { y: ['call:0', F] },
    });
    const m = await loadSavedModel(files);
    const y = m.predict(tf.tensor1d([1, -2])) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([-1, 2]); // odd
    m.dispose();
  }, 60_000);
});

describe('call nesting', () => {
  it('1,000 nested calls run', async () => {
    const m = await loadSavedModel(await build(nestedCalls(1000)));
    expect(Array.from((m.predict(tf.tensor1d([3])) as tf.Tensor).dataSync())).toEqual([-3]);
    m.dispose();
  }, 60_000);

  it('2,000 nested calls → LIMIT_EXCEEDED before inlining', async () => {
    const { err, ms } = await settle(loadSavedModel(await build(nestedCalls(2000))));
    expectCode(err, 'LIMIT_EXCEEDED', 'nest 2000 deep', 'f0');
    expect(ms).toBeLessThan(5000);
  }, 60_000);

  it('functions each calling the next twice, depth 40 → LIMIT_EXCEEDED at once', async () => {
    const { err, ms } = await settle(loadSavedModel(await build(nestedCalls(40, 2))));
    expectCode(err, 'LIMIT_EXCEEDED', 'maxNodes', "'serving_default'");
    expect(ms).toBeLessThan(2000);
  });

  it('the same tree at depth 10 (1,024 leaves) runs; limits.maxNodes below its size refuses it', async () => {
    const files = await build(nestedCalls(11, 2));
    const m = await loadSavedModel(files);
    expect(Array.from((m.predict(tf.tensor1d([1])) as tf.Tensor).dataSync())).toEqual([-1024]);
    m.dispose();
    expectCode((await settle(loadSavedModel(files, { limits: { maxNodes: 1000 } }))).err, 'LIMIT_EXCEEDED', 'maxNodes = 1000');
  }, 30_000);

  it('a function calling itself → UNSUPPORTED naming it', async () => {
    const files = await build({
      nodes: [placeholder('x'), call('call', 'f', ['x'], [F], [F])],
      functions: [fn('f', [['a', F]], [['o', F, 'again:output:0']], [call('again', 'f', ['a'], [F], [F])])],
      inputs: { x: ['x:0', F, [-1]] },
      outputs: { y: ['call:0', F] },
    });
    expectCode((await settle(loadSavedModel(files))).err, 'UNSUPPORTED', 'function f calls itself');
  });
});

describe('cycles → INVALID_GRAPH naming a node', () => {
  const cases: Array<[string, () => Parameters<typeof build>[0], string[]]> = [
    ['two ops reading each other (top level)', () => ({
      nodes: [placeholder('x'), node('a', 'AddV2', ['x', 'b'], { T: attr.type(F) }), node('b', 'Neg', ['a'], { T: attr.type(F) })],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['a:0', F] },
    }), ['cycle', 'node a']],
    ['an op reading itself', () => ({
      nodes: [placeholder('x'), node('a', 'AddV2', ['x', 'a'], { T: attr.type(F) })],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['a:0', F] },
    }), ['cycle', 'node a']],
    ['Identity nodes reading each other', () => ({
      nodes: [placeholder('x'), node('i', 'Identity', ['j'], { T: attr.type(F) }), node('j', 'Identity', ['i'], { T: attr.type(F) })],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['i:0', F] },
    }), ['cycle']],
    ['a cycle of 100,000 nodes', () => {
      const { nodes } = negChain(100_000, 'n99999', 'graph');
      return { nodes: [placeholder('x'), ...nodes], inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['n5:0', F] } };
    }, ['cycle']],
    ['a cycle inside a function body', () => ({
      nodes: [placeholder('x'), call('call', 'f', ['x'], [F], [F])],
      functions: [fn('f', [['a', F]], [['o', F, 'p:z:0']], [
        node('p', 'AddV2', ['a', 'q:y:0'], { T: attr.type(F) }), node('q', 'Neg', ['p:z:0'], { T: attr.type(F) }),
      ])],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['call:0', F] },
    }), ['cycle', 'call/p']],
    ['a call whose argument needs its own output', () => ({
      nodes: [placeholder('x'), call('call', 'f', ['n'], [F], [F]), node('n', 'Identity', ['call:0'], { T: attr.type(F) })],
      functions: [fn('f', [['a', F]], [['o', F, 'a']], [])],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['call:0', F] },
    }), ['cycle']],
    ['a ReadVariableOp reading its own output', () => ({
      nodes: [placeholder('x'), node('r', 'ReadVariableOp', ['r'], { dtype: attr.type(F) }), node('y', 'AddV2', ['x', 'r'], { T: attr.type(F) })],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['y:0', F] },
    }), ['cycle', 'node r']],
  ];
  for (const [name, spec, mentions] of cases) {
    it(name, async () => {
      const { err, ms } = await settle(loadSavedModel(await build(spec())));
      expectCode(err, 'INVALID_GRAPH', ...mentions);
      expect(ms).toBeLessThan(20_000);
    }, 60_000);
  }

  it('a TF1 while loop (cycle through NextIteration) still loads and runs', async () => {
    // i = 0; while i < 5: i += 1
    const I = DT.DT_INT32;
    const T = { T: attr.type(I) };
    const files = await build({
      nodes: [
        placeholder('limit', I, []),
        constNode('zero', { dtype: I, tensor_shape: {}, int_val: [0] }),
        constNode('one', { dtype: I, tensor_shape: {}, int_val: [1] }),
        node('enter', 'Enter', ['zero'], { ...T, frame_name: attr.str('loop'), is_constant: attr.bool(false), parallel_iterations: attr.int(1) }),
        node('enter_limit', 'Enter', ['limit'], { ...T, frame_name: attr.str('loop'), is_constant: attr.bool(true), parallel_iterations: attr.int(1) }),
        node('enter_one', 'Enter', ['one'], { ...T, frame_name: attr.str('loop'), is_constant: attr.bool(true), parallel_iterations: attr.int(1) }),
        node('merge', 'Merge', ['enter', 'next'], { ...T, N: attr.int(2) }),
        node('less', 'Less', ['merge', 'enter_limit'], T),
        node('cond', 'LoopCond', ['less']),
        node('switch', 'Switch', ['merge', 'cond'], T),
        node('body', 'Identity', ['switch:1'], T),
        node('add', 'AddV2', ['body', 'enter_one'], T),
        node('next', 'NextIteration', ['add'], T),
        node('exit', 'Exit', ['switch'], T),
      ],
      inputs: { limit: ['limit:0', I, []] },
      outputs: { y: ['exit:0', I] },
    });
    const m = await loadSavedModel(files);
    expect((await m.run({ limit: 5 })).y!.values).toEqual([5]);
    m.dispose();
  }, 30_000);
});
