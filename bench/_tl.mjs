import * as tf from '@tensorflow/tfjs';
import { rm } from 'node:fs/promises';
import { mlp } from './export.bench.mjs';
import { dist } from './lib.mjs';
const { exportModel } = await dist('export');
const { dirSink } = await import('../packages/core/dist/node.js');
await tf.setBackend('cpu');
const model = mlp(100);
await rm('/tmp/prof/ours', { recursive: true, force: true });
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  const ev = [];
  const inner = await dirSink('/tmp/prof/ours');
  const sink = { ...inner, releasesChunksAfter: inner.releasesChunksAfter,
    async write(p, d) { const s = performance.now() - t0; await inner.write(p, d); ev.push(`${p.split('/').pop()} ${s.toFixed(1)}-${(performance.now() - t0).toFixed(1)}`); },
    async commit() { const s = performance.now() - t0; await inner.commit(); ev.push(`commit ${s.toFixed(1)}-${(performance.now() - t0).toFixed(1)}`); } };
  await exportModel(model, sink);
  const total = performance.now() - t0;
  await rm('/tmp/prof/ours', { recursive: true });
  if (i >= 5) console.log(total.toFixed(1), ev.join(' | '));
}
