import * as tf from '@tensorflow/tfjs';
import { mlp } from './export.bench.mjs';
import { dist } from './lib.mjs';
const { exportModel } = await dist('export');
const { traceModel } = await dist('trace');
const core = await dist('core');
await tf.setBackend('cpu');
const model = mlp(100);
const nullSink = () => ({ location: 'null', async write(p, d) { if (!(d instanceof Uint8Array)) { if (Symbol.asyncIterator in d) { for await (const c of d) {} } else for (const c of d) {} } }, async commit() {}, async abort() {} });
for (let i = 0; i < 30; i++) {
  let t = performance.now(); await traceModel(model); const tr = performance.now() - t;
  t = performance.now(); await exportModel(model, nullSink()); const ex = performance.now() - t;
  if (i > 5) console.log('trace', tr.toFixed(1), 'export to a null sink (all but fs)', ex.toFixed(1));
}
