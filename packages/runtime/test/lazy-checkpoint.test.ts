// The loader reads only the checkpoint records a signature needs, each on its own, from a source
// with ranged reads (as a Node directory is): counted here by a FileSource that records every read.
import { fileMapSource, readCheckpointFrom, type FileSource, type RangedFile } from '@savedmodel-js/core';
import { dirSource } from '@savedmodel-js/core/node';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSavedModel } from '../src/index.js';
import { FIXTURES, fixtureFiles } from '../../core/test/shared.js';

const DATA = 'variables/variables.data-00000-of-00001';

/** fileMapSource plus ranged reads (fresh copies), logging [path, offset, length] of every read. */
function countingSource(files: Map<string, Uint8Array>): { source: FileSource; reads: Array<[string, number, number]> } {
  const inner = fileMapSource(files);
  const reads: Array<[string, number, number]> = [];
  const source: FileSource = {
    location: 'counting',
    list: () => inner.list(),
    has: (p) => inner.has(p),
    async read(p) {
      const b = await inner.read(p);
      reads.push([p, 0, b.length]);
      return b;
    },
    async openRanged(p): Promise<RangedFile> {
      const b = await inner.read(p);
      return {
        size: b.length,
        read(offset, length) {
          reads.push([p, offset, length]);
          return b.slice(offset, offset + length);
        },
      };
    },
  };
  return { source, reads };
}

describe('loadSavedModel reads the checkpoint lazily', () => {
  it('a signature reads only its own variables (and the object graph), never the whole data file', async () => {
    const files = fixtureFiles('module_with_multiple_signatures');
    const { source, reads } = countingSource(files);
    const ckpt = await readCheckpointFrom(fileMapSource(files));
    const entry = (k: string) => ckpt.entry(k);
    const v = entry('v/.ATTRIBUTES/VARIABLE_VALUE');
    const two = entry('two/.ATTRIBUTES/VARIABLE_VALUE');
    const og = entry('_CHECKPOINTABLE_OBJECT_GRAPH');
    const m = await loadSavedModel(source, { signature: 'timestwo' });
    try {
      const y = m.predict({ x: tf.scalar(5) }) as tf.Tensor;
      expect(await y.data()).toEqual(new Float32Array([10]));
      y.dispose();
    } finally {
      m.dispose();
    }
    const dataReads = reads.filter(([p]) => p === DATA);
    // `two` and the object graph, each exactly once; `v` (serving_default's variable) never
    expect(dataReads.filter(([, o, n]) => o === two.offset && n === two.size).length).toBeGreaterThanOrEqual(1);
    expect(dataReads.some(([, o, n]) => o < v.offset + v.size && v.offset < o + n)).toBe(false);
    expect(dataReads.every(([, o, n]) => (o === two.offset && n === two.size) || (o === og.offset && n === og.size))).toBe(true);
    const total = dataReads.reduce((s, [, , n]) => s + n, 0);
    expect(total).toBeLessThan(files.get(DATA)!.length);
  });

  it('keras_cnn serving_default reads its layer weights, not the optimizer or metric slots', async () => {
    const files = fixtureFiles('keras_cnn');
    const { source, reads } = countingSource(files);
    const ckpt = await readCheckpointFrom(fileMapSource(files));
    const m = await loadSavedModel(source);
    m.dispose();
    const dataReads = reads.filter(([p]) => p === DATA);
    const readKeys = new Set(ckpt.entries.filter((e) => dataReads.some(([, o, n]) => o === e.offset && n === e.size)).map((e) => e.key));
    expect([...readKeys].filter((k) => k.startsWith('optimizer/') || k.startsWith('keras_api/'))).toEqual([]);
    expect([...readKeys].filter((k) => k.startsWith('layer_with_weights-')).length).toBe(6);
    // no read covers more than one record
    for (const [, o, n] of dataReads) expect(ckpt.entries.some((e) => e.offset === o && e.size === n)).toBe(true);
  });

  it('a Node directory is read by ranges: values are the records read on their own, equal to a whole-file read', async () => {
    const dir = join(FIXTURES, 'keras_cnn');
    const ranged = await readCheckpointFrom(dirSource(dir));
    const whole = await readCheckpointFrom(fileMapSource(fixtureFiles('keras_cnn')));
    const bytesOf = (v: unknown) => (Array.isArray(v) ? Buffer.concat(v as Uint8Array[]) : Buffer.from((v as Uint8Array).buffer, (v as Uint8Array).byteOffset, (v as Uint8Array).byteLength));
    for (const e of whole.entries) {
      const a = ranged.value(e.key);
      expect(a.constructor).toBe(whole.value(e.key).constructor);
      expect(bytesOf(a).equals(bytesOf(whole.value(e.key))), e.key).toBe(true);
    }
  });
});
