/**
 * Bytewise key order (memcmp, unsigned) and the index-key shortening rules of
 * LevelDB's BytewiseComparator, which TensorFlow's table builder copies.
 * Index keys only need to separate blocks, so shorter keys make a smaller index.
 */

/** <0, 0, >0 like memcmp, shorter key first on a common prefix. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * A key k with start ≤ k < limit, short if possible: at the first differing
 * byte, if start's byte + 1 is still below limit's byte, keep the prefix and
 * that incremented byte; otherwise (one key is a prefix of the other, or the
 * bytes are adjacent) return start unchanged.
 */
export function findShortestSeparator(start: Uint8Array, limit: Uint8Array): Uint8Array {
  const min = Math.min(start.length, limit.length);
  let i = 0;
  while (i < min && start[i] === limit[i]) i++;
  if (i >= min) return start;
  const b = start[i]!;
  if (b < 0xff && b + 1 < limit[i]!) {
    const out = start.slice(0, i + 1);
    out[i] = b + 1;
    return out;
  }
  return start;
}

/** A short key ≥ key: increment the first byte that is not 0xff and cut after it. */
export function findShortSuccessor(key: Uint8Array): Uint8Array {
  for (let i = 0; i < key.length; i++) {
    const b = key[i]!;
    if (b !== 0xff) {
      const out = key.slice(0, i + 1);
      out[i] = b + 1;
      return out;
    }
  }
  return key; // all 0xff (or empty): no shorter successor
}
