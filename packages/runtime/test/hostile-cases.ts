// Cases run by hostile-kit in child processes (heap cap, RSS watchdog): each builds a generated
// SavedModel in memory, loads it and runs it; errors propagate for the kit to report.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadSavedModel } from '../src/index.js';
import { DT, SPLATS, build, call, fn, negChain, nestedCalls, placeholder } from './hostile-models.js';

const F = DT.DT_FLOAT;

/** A chain of `n` Neg nodes in the top-level graph or in one function body; returns y for x = [1, -2]. */
export async function chain(args: { n: number; inFunction: boolean }): Promise<{ nodes: number; y: number[] }> {
  await tf.setBackend('cpu');
  let files: Map<string, Uint8Array>;
  if (args.inFunction) {
    const { nodes, last } = negChain(args.n, 'a', 'function');
    files = await build({
      nodes: [placeholder('x'), call('call', 'f', ['x'], [F], [F])],
      functions: [fn('f', [['a', F]], [['o', F, last]], nodes)],
      inputs: { x: ['x:0', F, [-1]] },
      outputs: { y: ['call:0', F] },
    });
  } else {
    const { nodes, last } = negChain(args.n, 'x', 'graph');
    files = await build({ nodes: [placeholder('x'), ...nodes], inputs: { x: ['x:0', F, [-1]] }, outputs: { y: [`${last}:0`, F] } });
  }
  const m = await loadSavedModel(files);
  const y = m.predict(tf.tensor1d([1, -2])) as tf.Tensor;
  const out = { nodes: m.graph.nodes.length, y: Array.from(y.dataSync()) };
  m.dispose();
  return out;
}

/** Functions each calling the next `calls` times, `depth` levels. */
export async function callTree(args: { depth: number; calls: number }): Promise<void> {
  await loadSavedModel(await build(nestedCalls(args.depth, args.calls)));
}

/** One of SPLATS. */
export async function splat(args: { name: string }): Promise<void> {
  const spec = SPLATS[args.name];
  if (!spec) throw new Error(`no splat case ${args.name}`);
  await loadSavedModel(await build(spec()));
}
