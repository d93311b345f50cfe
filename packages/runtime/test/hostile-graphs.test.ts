// Graph size and shape attacks on loadSavedModel: nothing may recurse on the graph's size
// (100,000-node chains run), call nesting is bounded (LIMIT_EXCEEDED, never RangeError), and
// cycles are INVALID_GRAPH naming a node of the cycle. The 100,000-node cases run in child
// processes (hostile-kit: heap cap, RSS watchdog), so a stack overflow or a runaway allocation
// shows as a crash there, and their seconds of work do not block the test worker.
import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, isSavedModelError, node, type SavedModelErrorCode } from '@savedmodel-js/core';
import { HostileSummary, describeResult, runHostile, type HostileResult } from '../../core/test/hostile-kit.js';
import { flattenNested, loadSavedModel } from '../src/index.js';
import { DT, build, call, constNode, fn, negChain, nestedCalls, placeholder } from './hostile-models.js';

const F = DT.DT_FLOAT;
const CASES = fileURLToPath(new URL('./hostile-cases.ts', import.meta.url));
const summary = new HostileSummary('runtime: graph size, nesting, cycles');

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => summary.print());

async function settle(p: Promise<unknown>): Promise<{ err: unknown; ms: number }> {
  const t0 = performance.now();
  const err = await p.then(() => undefined, (e: unknown) => e);
  return { err, ms: performance.now() - t0 };
}

function expectCode(err: unknown, code: SavedModelErrorCode, ...mentions: string[]): void {
  expect(isSavedModelError(err), `expected SavedModelError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code, String(err)).toBe(code);
  for (const m of mentions) expect((err as Error).message).toContain(m);
}

function expectChild(r: HostileResult, code: string | 'ok', maxRssMb: number): void {
  summary.add(r);
  if (code === 'ok') expect(r.outcome, describeResult(r)).toBe('ok');
  else {
    expect(r.outcome, describeResult(r)).toBe('error');
    expect(r.code, describeResult(r)).toBe(code);
  }
  expect(r.peakRssMb, describeResult(r)).toBeLessThan(maxRssMb);
}

describe('100,000 nodes (child processes)', () => {
  it('a chain in the top-level graph and in a function body runs', async () => {
    const opts = { module: CASES, heapMb: 1024, rssLimitMb: 2048, timeoutMs: 240_000 };
    const [top, inFn] = await Promise.all([
      runHostile({ ...opts, name: '100,000-node chain, top level', fn: 'chain', args: { n: 100_000, inFunction: false } }),
      runHostile({ ...opts, name: '99,999-node chain in a function', fn: 'chain', args: { n: 99_999, inFunction: true } }),
    ]);
    expectChild(top, 'ok', 2048);
    expect(top.value).toEqual({ nodes: 100_002, y: [1, -2] }); // placeholder + chain + output; even negations
    expectChild(inFn, 'ok', 2048);
    expect(inFn.value).toEqual({ nodes: 100_001, y: [-1, 2] });
  }, 300_000);
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

  it('functions each calling the next twice, depth 40 → LIMIT_EXCEEDED at once (child, 256 MiB heap)', async () => {
    const r = await runHostile({ name: 'call tree 2^40 (depth 40, 2 calls each)', module: CASES, fn: 'callTree', args: { depth: 40, calls: 2 }, heapMb: 256, rssLimitMb: 1024 });
    expectChild(r, 'LIMIT_EXCEEDED', 1024);
    expect(r.message).toContain('maxNodes');
    const { err, ms } = await settle(loadSavedModel(await build(nestedCalls(40, 2))));
    expectCode(err, 'LIMIT_EXCEEDED', 'maxNodes', "'serving_default'");
    expect(ms).toBeLessThan(2000);
  }, 180_000);

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
    ['a ring of 10,000 nodes', () => {
      const { nodes } = negChain(10_000, 'n9999', 'graph');
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
    ['a NextIteration that no Merge reads', () => ({
      nodes: [placeholder('x'), node('a', 'AddV2', ['x', 'n'], { T: attr.type(F) }), node('n', 'NextIteration', ['a'], { T: attr.type(F) })],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['a:0', F] },
    }), ['cycle']],
    ['a Merge / NextIteration loop with no Switch on a LoopCond (would never exit)', () => ({
      nodes: [
        placeholder('x'), node('e', 'Enter', ['x'], { T: attr.type(F), frame_name: attr.str('f') }),
        node('m', 'Merge', ['e', 'n'], { T: attr.type(F), N: attr.int(2) }), node('a', 'Neg', ['m'], { T: attr.type(F) }),
        node('n', 'NextIteration', ['a'], { T: attr.type(F) }),
      ],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['a:0', F] },
    }), ['Merge m', 'LoopCond']],
    ['a ReadVariableOp reading its own output', () => ({
      nodes: [placeholder('x'), node('r', 'ReadVariableOp', ['r'], { dtype: attr.type(F) }), node('y', 'AddV2', ['x', 'r'], { T: attr.type(F) })],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['y:0', F] },
    }), ['cycle', 'node r']],
  ];
  for (const [name, spec, mentions] of cases) {
    it(name, async () => {
      const { err, ms } = await settle(loadSavedModel(await build(spec())));
      expectCode(err, 'INVALID_GRAPH', ...mentions);
      expect(ms).toBeLessThan(10_000);
    }, 30_000);
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

// Found by the loaders fuzz (FUZZ_SEED=9000): a function ret 'Identity:output:8' reached
// tfjs-converter as a dangling input, a TypeError there. TensorFlow refuses such references.
describe('references past an op\'s outputs → INVALID_GRAPH naming them', () => {
  const cases: Array<[string, () => Parameters<typeof build>[0], string[]]> = [
    ['a function ret naming element 8 of a one-tensor output', () => ({
      nodes: [placeholder('x'), call('call', 'f', ['x'], [F], [F])],
      functions: [fn('f', [['a', F]], [['o', F, 'i:output:8']], [node('i', 'Identity', ['a'], { T: attr.type(F) })])],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['call:0', F] },
    }), ['op Identity', 'element 8']],
    ['a graph input reading output 3 of a one-output op', () => ({
      nodes: [placeholder('x'), node('n', 'Neg', ['x'], { T: attr.type(F) }), node('y', 'Neg', ['n:3'], { T: attr.type(F) })],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['y:0', F] },
    }), ['op Neg', 'output 3']],
    ['a signature output reading output 1 of a one-output op', () => ({
      nodes: [placeholder('x'), node('n', 'Neg', ['x'], { T: attr.type(F) })],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['n:1', F] },
    }), ['op Neg', 'output 1']],
    ['element 1 of a function call\'s single output (would alias the next)', () => ({
      nodes: [placeholder('x'), call('call', 'f', ['x'], [F], [F])],
      functions: [
        fn('g', [['b', F]], [['p', F, 'b'], ['q', F, 'b']], []),
        fn('f', [['a', F]], [['o', F, 'c:p:1']], [node('c', 'g', ['a'], {})]), // g called as an op by name
      ],
      inputs: { x: ['x:0', F, [-1]] }, outputs: { y: ['call:0', F] },
    }), ['element 1']],
  ];
  for (const [name, spec, mentions] of cases) {
    it(name, async () => {
      const { err } = await settle(loadSavedModel(await build(spec())));
      expectCode(err, 'INVALID_GRAPH', ...mentions);
    });
  }
});

// Found by the structural loaders fuzz (FUZZ_SEED=45000): keras_cnn's MaxPool with `strides` an
// int instead of a list(int) was a TypeError in tfjs-converter's op mapper.
describe('attrs of the wrong kind → INVALID_GRAPH naming node and attr', () => {
  const pool = (attrs: Record<string, unknown>) => ({
    nodes: [placeholder('x', F, [-1, 4, 4, 1]), node('p', 'MaxPool', ['x'], { T: attr.type(F), ksize: attr.ints([1, 2, 2, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.str('VALID'), ...attrs })],
    inputs: { x: ['x:0', F, [-1, 4, 4, 1]] }, outputs: { y: ['p:0', F] },
  });
  it('the valid pool loads and runs', async () => {
    const m = await loadSavedModel(await build(pool({}) as never));
    const y = m.predict(tf.ones([1, 4, 4, 1])) as tf.Tensor;
    expect(y.shape).toEqual([1, 2, 2, 1]);
    tf.dispose(y);
    m.dispose();
  });
  for (const [what, attrs, mention] of [
    ['strides an int', { strides: attr.int(2) }, '"strides" should be a list(int)'],
    ['padding a list', { padding: attr.ints([1]) }, '"padding" should be a string'],
    ['T a shape', { T: attr.shape([2]) }, '"T" should be a type'],
  ] as const) {
    it(what, async () => {
      const { err } = await settle(loadSavedModel(await build(pool(attrs) as never)));
      expectCode(err, 'INVALID_GRAPH', 'node p', mention);
    });
  }
});

describe('structured values without recursion', () => {
  it('flattenNested walks a 100,000-deep nested array; a ragged one is INVALID_ARGUMENT', () => {
    let v: unknown = [1];
    for (let i = 0; i < 100_000; i++) v = [v];
    const { shape, flat } = flattenNested(v, 'x');
    expect(shape.length).toBe(100_001);
    expect(flat).toEqual([1]);
    let ragged: unknown = [[1], [2, 3]];
    for (let i = 0; i < 100_000; i++) ragged = [ragged];
    expect(() => flattenNested(ragged, 'x')).toThrow(/ragged/);
  });
});
