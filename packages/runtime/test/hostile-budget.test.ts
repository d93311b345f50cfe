// The loader's memory budget (limits option): sizes that come from the model's files — a
// Const's shape with one splatted value, a checkpoint tensor, a string tensor — are checked
// and reserved before anything is allocated; impossible sizes are typed errors, never
// `RangeError: Invalid typed array length` or an allocation until the process is killed.
import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, isSavedModelError, node, type SavedModelErrorCode } from '@savedmodel-js/core';
import { HostileSummary, describeResult, runHostile } from '../../core/test/hostile-kit.js';
import { loadSavedModel } from '../src/index.js';
import { DT, SPLATS, build, constModel, constNode, placeholder } from './hostile-models.js';

const F = DT.DT_FLOAT;
const CASES = fileURLToPath(new URL('./hostile-cases.ts', import.meta.url));
const summary = new HostileSummary('runtime: memory budget');

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

describe('Const splats and impossible shapes (default limits)', () => {
  for (const name of Object.keys(SPLATS)) {
    it(`${name} → LIMIT_EXCEEDED naming the constant, before allocating`, async () => {
      const files = await build(SPLATS[name]!());
      const rss0 = process.memoryUsage().rss;
      const { err, ms } = await settle(loadSavedModel(files));
      expectCode(err, 'LIMIT_EXCEEDED', 'constant c');
      expect(ms).toBeLessThan(3000);
      expect(process.memoryUsage().rss - rss0).toBeLessThan(200 * 2 ** 20);
    });
  }

  it('in a child with a 256 MiB heap: typed errors, bounded peak RSS', async () => {
    const names = ['float splat [3e8]', 'int64 splat [2e8]'];
    const results = await Promise.all(names.map((name) =>
      runHostile({ name: `Const ${name}`, module: CASES, fn: 'splat', args: { name }, heapMb: 256, rssLimitMb: 768 })));
    for (const r of results) {
      summary.add(r);
      expect(r.outcome, describeResult(r)).toBe('error');
      expect(r.code, describeResult(r)).toBe('LIMIT_EXCEEDED');
      expect(r.peakRssMb, describeResult(r)).toBeLessThan(768);
    }
  }, 180_000);

  it('a negative dimension → INVALID_GRAPH', async () => {
    const { err } = await settle(loadSavedModel(await build(constModel({ dtype: F, tensor_shape: { dim: [{ size: -5 }] }, float_val: [1] }))));
    expectCode(err, 'INVALID_GRAPH', 'c');
  });

  it('an int64 splat within the budget fills quickly and runs', async () => {
    const files = await build(constModel({ dtype: DT.DT_INT64, tensor_shape: { dim: [{ size: 1_000_000 }] }, int64_val: [7] }, DT.DT_INT64));
    const t0 = performance.now();
    const m = await loadSavedModel(files);
    const y = (m.predict(tf.scalar(5, 'int32')) as tf.Tensor).dataSync();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(y.length).toBe(1_000_000);
    expect([y[0], y[999_999]]).toEqual([12, 12]);
    m.dispose();
  });
});

describe('limits option', () => {
  const floats = (n: number) => ({ dtype: F, tensor_shape: { dim: [{ size: n }] }, float_val: [1] });

  it('maxTensorBytes: 1,000 bytes hold [250] floats, not [251]', async () => {
    const m = await loadSavedModel(await build(constModel(floats(250))), { limits: { maxTensorBytes: 1000 } });
    m.dispose();
    const { err } = await settle(loadSavedModel(await build(constModel(floats(251))), { limits: { maxTensorBytes: 1000 } }));
    expectCode(err, 'LIMIT_EXCEEDED', 'constant c', '1004 bytes', 'maxTensorBytes');
  });

  it('maxTotalBytes counts every constant of the model', async () => {
    const files = await build({
      nodes: [
        placeholder('x', F, []), constNode('a', floats(150)), constNode('b', floats(150)),
        node('s', 'AddV2', ['x', 'a'], { T: attr.type(F) }), node('y', 'AddV2', ['s', 'b'], { T: attr.type(F) }),
      ],
      inputs: { x: ['x:0', F, []] },
      outputs: { y: ['y:0', F] },
    });
    (await loadSavedModel(files, { limits: { maxTotalBytes: 1200 } })).dispose();
    const { err } = await settle(loadSavedModel(files, { limits: { maxTotalBytes: 1000 } }));
    expectCode(err, 'LIMIT_EXCEEDED', 'maxTotalBytes', '600 already used');
  });

  it('the limits bound the readers too: a checkpoint key over maxKeyBytes → LIMIT_EXCEEDED', async () => {
    const files = await build({
      nodes: [
        node('a_rather_long_variable_name', 'VariableV2', [], { dtype: attr.type(F), shape: attr.shape([2]) }),
        node('y', 'Identity', ['a_rather_long_variable_name'], { T: attr.type(F) }),
        placeholder('x', F, []),
      ],
      inputs: { x: ['x:0', F, []] },
      outputs: { y: ['y:0', F] },
      checkpoint: [{ key: 'a_rather_long_variable_name', dtype: F, shape: [2], data: new Float32Array(2) }],
    });
    (await loadSavedModel(files)).dispose();
    const { err } = await settle(loadSavedModel(files, { limits: { maxKeyBytes: 8 } }));
    expectCode(err, 'LIMIT_EXCEEDED');
  });

  it('checkpoint values are reserved before they are read (numeric and string)', async () => {
    const model = (dtype: number, data: Float32Array | Uint8Array[]) => build({
      nodes: [
        node('w', 'VariableV2', [], { dtype: attr.type(dtype), shape: attr.shape([300]) }),
        node('y', 'Identity', ['w'], { T: attr.type(dtype) }),
        placeholder('x', F, []),
      ],
      inputs: { x: ['x:0', F, []] },
      outputs: { y: ['y:0', dtype] },
      checkpoint: [{ key: 'w', dtype, shape: [300], data }],
    });
    const numeric = await model(F, new Float32Array(300));
    (await loadSavedModel(numeric, { limits: { maxTensorBytes: 1200 } })).dispose();
    expectCode((await settle(loadSavedModel(numeric, { limits: { maxTensorBytes: 1000 } }))).err, 'LIMIT_EXCEEDED', "checkpoint key 'w'", '1200 bytes');
    const strings = await model(DT.DT_STRING, Array.from({ length: 300 }, () => new Uint8Array([120])));
    expectCode((await settle(loadSavedModel(strings, { limits: { maxTensorBytes: 10_000 } }))).err, 'LIMIT_EXCEEDED', "checkpoint key 'w'");
  });

  it('string constants count their bytes', async () => {
    const files = await build(constModel({ dtype: DT.DT_STRING, tensor_shape: { dim: [{ size: 100 }] }, string_val: [new Uint8Array(1000)] }, DT.DT_STRING));
    expectCode((await settle(loadSavedModel(files, { limits: { maxTensorBytes: 50_000 } }))).err, 'LIMIT_EXCEEDED', 'constant c');
  });

  it('unknown or impossible limits → INVALID_ARGUMENT', async () => {
    const files = await build(constModel(floats(1)));
    expectCode((await settle(loadSavedModel(files, { limits: { maxTensorByte: 5 } as never }))).err, 'INVALID_ARGUMENT', 'maxTensorByte');
    expectCode((await settle(loadSavedModel(files, { limits: { maxNodes: -1 } }))).err, 'INVALID_ARGUMENT', 'maxNodes');
  });
});
