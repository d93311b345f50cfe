// tfjs in the CLI: cpu backend, without the "install tfjs-node" banner (nothing native is wanted
// here). The cpu backend prints the banner on its first tensor write, from whichever copy of the
// backend runs (the loader imports one lazily), so a filter on console.warn stays installed.
import * as tf from '@tensorflow/tfjs';

const BANNER = 'looks like you are running TensorFlow.js in Node.js';

let ready: Promise<typeof tf> | undefined;

/** Drops tfjs's Node banner from console.warn for the rest of the process; other warnings pass. */
export function filterTfjsBanner(): void {
  const warn = console.warn as typeof console.warn & { tfjsBannerFiltered?: true };
  if (warn.tfjsBannerFiltered) return;
  const filtered = Object.assign((...args: unknown[]) => {
    if (args.some((a) => typeof a === 'string' && a.includes(BANNER))) return;
    warn.apply(console, args);
  }, { tfjsBannerFiltered: true as const });
  console.warn = filtered;
}

export function quietTfjs(): Promise<typeof tf> {
  filterTfjsBanner();
  ready ??= (async () => {
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return ready;
}
