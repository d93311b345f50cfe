// TensorFlow refuses a reduction whose axes name one dimension twice ("Axes contains duplicate
// dimension"); tfjs 4.x reduces over every dimension instead: Sum over axes [1, 1] of a [2, 3]
// tensor gave the sum of all six elements, and Mean divided that by 9. A reduction whose axes are
// a constant of the graph with a repeated value is refused when freezing (INVALID_GRAPH), rather
// than answering a number TensorFlow never would. (Axes computed at run time, or a negative and a
// positive value that name one dimension of an input of unknown rank, are not seen here.)
import type { tensorflow } from '@savedmodel-js/core';
import type { Freezer } from './freezer.js';
import type { Scope } from './model.js';

/** The reductions with a `reduction_indices` input (their second), as TensorFlow registers them. */
export const REDUCTIONS: ReadonlySet<string> = new Set(['Sum', 'Prod', 'Max', 'Min', 'Mean', 'All', 'Any', 'EuclideanNorm']);

/** Fails when `node`'s axes input (frozen reference `axesRef`) is a constant repeating an axis. */
export function checkReductionAxes(fz: Freezer, scope: Scope, node: tensorflow.INodeDef, axesRef: string | undefined): void {
  const axes = axesRef === undefined ? undefined : fz.constInts(axesRef);
  if (!axes) return;
  const seen = new Set<string>();
  for (const v of axes) {
    const key = String(v);
    if (seen.has(key)) fz.fail('INVALID_GRAPH', `node ${scope.prefix}${node.name} in ${scope.where} (op ${node.op}) reduces over axes [${axes.slice(0, 16).join(', ')}]: axis ${key} appears twice (TensorFlow refuses duplicate axes)`);
    seen.add(key);
  }
}
