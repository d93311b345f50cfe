// tfjs in the CLI: cpu backend, without the "install tfjs-node" banner (nothing native is wanted here).
import * as tf from '@tensorflow/tfjs';

let ready: Promise<typeof tf> | undefined;

export function quietTfjs(): Promise<typeof tf> {
  ready ??= (async () => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      await tf.setBackend('cpu');
      await tf.ready();
    } finally {
      console.warn = warn;
    }
    return tf;
  })();
  return ready;
}
