/** File names of a TensorBundle checkpoint with prefix P: `P.index` and `P.data-%05d-of-%05d`. */

export const DEFAULT_CHECKPOINT_PREFIX = 'variables/variables';

function pad5(n: number): string {
  return String(n).padStart(5, '0');
}

/** `prefix.data-00000-of-00001` for shard `i` of `n` (as TF's "%05d"). */
export function shardFileName(prefix: string, i: number, n: number): string {
  return `${prefix}.data-${pad5(i)}-of-${pad5(n)}`;
}

export function indexFileName(prefix: string): string {
  return `${prefix}.index`;
}
