import * as tf from '@tensorflow/tfjs';
import { dist } from './lib.mjs';
const { exportModel } = await dist('export');
const { fileMapSink } = await dist('core');
await tf.setBackend('cpu');
const x = tf.input({ shape: [8], name: 'x' });
let h = x;
for (let i = 0; i < 50; i++) h = tf.layers.dense({ units: 8, activation: 'relu' }).apply(h);
const model = tf.model({ inputs: x, outputs: h });
const C = Object.getPrototypeOf(Object.getPrototypeOf(model));
const counts = {};
for (const p of ['weights', 'trainableWeights', 'nonTrainableWeights']) {
  let proto = model; while (proto && !Object.getOwnPropertyDescriptor(proto, p)) proto = Object.getPrototypeOf(proto);
  const d = Object.getOwnPropertyDescriptor(proto, p);
  Object.defineProperty(proto, p, { ...d, get() { if (this === model) { counts[p] = (counts[p] || 0) + 1; if (process.env.STACK && p === 'trainableWeights') console.log(new Error().stack.split('\n').slice(2, 5).join(' | ')); } return d.get.call(this); } });
}
await exportModel(model, fileMapSink());
console.log(counts);
