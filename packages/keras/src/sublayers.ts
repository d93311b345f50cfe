// The layers a tfjs layer holds, named as Keras tracks them (the attribute names Keras 2's object
// graph and Keras 3's saving_lib both use): a wrapper's wrapped layers, a recurrent layer's cell
// and StackedRNNCells' cells. tfjs keeps the same objects, some as private members.

interface Named { getClassName(): string }

/**
 * A wrapper's layers: Bidirectional its two copies of the wrapped RNN (`forward_layer`,
 * `backward_layer`; Keras does not track the original as holding weights), TimeDistributed the
 * wrapped layer (`layer`). Empty for any other layer.
 */
export function wrappedLayers<L extends Named>(layer: L): [string, L][] {
  const w = layer as unknown as { forwardLayer?: L; backwardLayer?: L; layer?: L };
  switch (layer.getClassName()) {
    case 'Bidirectional':
      return w.forwardLayer && w.backwardLayer ? [['forward_layer', w.forwardLayer], ['backward_layer', w.backwardLayer]] : [];
    case 'TimeDistributed':
      return w.layer ? [['layer', w.layer]] : [];
    default:
      return [];
  }
}

const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN', 'RNN', 'ConvLSTM2D']);

export function isRecurrent(layer: Named): boolean {
  return RECURRENT.has(layer.getClassName());
}

/**
 * A recurrent layer's `cell`, and, when that is StackedRNNCells, its `cells` (else null); null for
 * a layer that is not recurrent.
 */
export function rnnCells<L extends Named>(layer: L): { cell: L; stacked: L[] | null } | null {
  if (!isRecurrent(layer)) return null;
  const cell = (layer as unknown as { cell?: L }).cell;
  if (!cell) return null;
  const cells = (cell as unknown as { cells?: L[] }).cells;
  return { cell, stacked: cell.getClassName() === 'StackedRNNCells' && Array.isArray(cells) ? cells : null };
}
