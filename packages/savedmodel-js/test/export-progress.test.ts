// Progress of a zip export moves in small steps: the zip writer slices stored data (one weight can
// be a quarter of a model) and reports after each slice, so a progress bar driven by the sink's
// onProgress never jumps by more than 2 % of the archive's contents.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { zipSource } from '@savedmodel-js/zip';
import { exportModel, zipBlobSink } from '../src/index.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

describe('export progress', () => {
  it('a 16 MiB model of 32 weights: progress events at most 2 % apart, ending at 100 %', async () => {
    const layers = 16;
    const model = tf.sequential({ name: 'many' });
    for (let i = 0; i < layers; i++) {
      model.add(tf.layers.dense({ units: 512, inputShape: i === 0 ? [512] : undefined, name: `d${i}`, kernelInitializer: 'zeros' }));
    }
    expect(model.weights).toHaveLength(2 * layers);
    const events: { file: string; bytesWritten: number }[] = [];
    const sink = zipBlobSink({ onProgress: (p) => events.push({ file: p.file, bytesWritten: p.bytesWritten }) });
    try {
      await exportModel(model, sink, { verbose: false });
    } finally {
      model.dispose();
    }
    const total = events.at(-1)!.bytesWritten;
    const weightBytes = layers * (512 * 512 + 512) * 4;
    expect(total).toBeGreaterThan(weightBytes);
    // every file's size, as the archive lists it, adds up to the last event
    const zip = await zipSource(sink.blob());
    expect(zip.entries.filter((e) => !e.directory).reduce((n, e) => n + e.uncompressedSize, 0)).toBe(total);
    const fractions = [0, ...events.map((e) => e.bytesWritten / total)];
    let maxGap = 0;
    for (let i = 1; i < fractions.length; i++) {
      expect(fractions[i]!, `event ${i} goes backwards`).toBeGreaterThanOrEqual(fractions[i - 1]!);
      maxGap = Math.max(maxGap, fractions[i]! - fractions[i - 1]!);
    }
    expect(fractions.at(-1)).toBe(1);
    expect(maxGap, `${events.length} events, largest step ${(maxGap * 100).toFixed(2)} %`).toBeLessThanOrEqual(0.02);
    // the data file alone (one entry of ~16 MiB) reports many times, not once
    expect(events.filter((e) => e.file === 'variables/variables.data-00000-of-00001').length).toBeGreaterThanOrEqual(50);
  });
});
