// Bad input to the .keras functions: typed errors, never a raw exception.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { concatChunks } from '@savedmodel-js/core/internal';
import { ZipWriter } from '@savedmodel-js/zip';
import { loadKerasV3, saveKerasV3 } from '../src/index.js';
import { ZOO } from './helpers/format-zoo.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

async function zipOf(entries: Record<string, Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const z = new ZipWriter((c: Uint8Array) => { chunks.push(c); });
  for (const [n, d] of Object.entries(entries)) await z.add(n, d);
  await z.finish();
  return concatChunks(chunks);
}
const text = (s: string) => new TextEncoder().encode(s);
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { name?: string; code?: string }) => `${e.name}:${e.code}`);

describe('.keras errors', () => {
  it('not a zip → a SavedModelError; no config.json → NOT_FOUND; config.json not JSON → CORRUPT', async () => {
    expect(await codeOf(loadKerasV3(text('plain text, not an archive')))).toMatch(/^SavedModelError:/);
    expect(await codeOf(loadKerasV3(await zipOf({ 'metadata.json': text('{}') })))).toBe('SavedModelError:NOT_FOUND');
    expect(await codeOf(loadKerasV3(await zipOf({ 'config.json': text('{not json') })))).toBe('SavedModelError:CORRUPT');
  });

  it('a config tfjs cannot build → UNSUPPORTED; weights missing → NOT_FOUND; weights not HDF5 → CORRUPT', async () => {
    const custom = { module: 'my_pkg', class_name: 'MyModel', config: {}, registered_name: 'MyModel' };
    const good = await saveKerasV3(ZOO[0]!.make());
    const { zipSource } = await import('@savedmodel-js/zip');
    const config = await (await zipSource(good, { root: '' })).readEntry('config.json');
    const weights = await (await zipSource(good, { root: '' })).readEntry('model.weights.h5');
    expect(await codeOf(loadKerasV3(await zipOf({ 'config.json': text(JSON.stringify(custom)), 'model.weights.h5': weights })))).toBe('SavedModelError:UNSUPPORTED');
    expect(await codeOf(loadKerasV3(await zipOf({ 'config.json': config })))).toBe('SavedModelError:NOT_FOUND');
    expect(await codeOf(loadKerasV3(await zipOf({ 'config.json': config, 'model.weights.h5': text('nope') })))).toBe('SavedModelError:CORRUPT');
  });

  it('unknown option keys → INVALID_ARGUMENT', async () => {
    expect(await codeOf(saveKerasV3(ZOO[0]!.make(), undefined, { include_optimizer: false } as never))).toBe('SavedModelError:INVALID_ARGUMENT');
    expect(await codeOf(loadKerasV3(new Uint8Array(4), { strict: true } as never))).toBe('SavedModelError:INVALID_ARGUMENT');
  });
});
