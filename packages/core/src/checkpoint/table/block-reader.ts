/**
 * Parses one table block (layout in block-builder.ts) into its entries.
 *
 * Every length is checked against the block before use, and the restart array
 * is cross-checked with the entries actually found, so a corrupt block yields
 * a typed error instead of garbage keys, a RangeError or a long loop.
 * Work is linear in the block size: each entry consumes at least 3 bytes.
 */
import { asBytes } from '../../bytes.js';
import { SavedModelError } from '../../errors.js';
import { getFixed32, readVarint32, type Cursor } from './varint.js';

/**
 * Bounds on the keys a block may materialize. Prefix compression lets a few bytes of file stand
 * for a whole earlier key, so a crafted block (one 1 MB key, then thousands of entries sharing
 * it) would otherwise expand to gigabytes of keys.
 */
export interface KeyBudget {
  /** Longest key accepted, in bytes. */
  maxKeyBytes: number;
  /** Key bytes still allowed to be materialized (decremented as keys are built). */
  remaining: number;
}

export interface BlockEntry {
  key: Uint8Array;
  /** View into the block (no copy). */
  value: Uint8Array;
}

function corrupt(msg: string, offset?: number): SavedModelError {
  return new SavedModelError('CORRUPT', `bad block: ${msg}`, offset !== undefined ? { offset } : {});
}

/**
 * Decode all entries of `block` (contents without the 5-byte trailer).
 * `baseOffset` is the block's position in its file, used only in error messages.
 */
export function readBlock(blockView: Uint8Array, baseOffset = 0, keys?: KeyBudget): BlockEntry[] {
  const block = asBytes(blockView, 'table block');
  const size = block.length;
  if (size < 4) throw corrupt(`block of ${size} bytes has no restart count`, baseOffset);
  const numRestarts = getFixed32(block, size - 4);
  const maxRestarts = Math.floor((size - 4) / 4);
  if (numRestarts > maxRestarts) {
    throw corrupt(`restart count ${numRestarts} does not fit in a ${size}-byte block`, baseOffset + size - 4);
  }
  const dataEnd = size - 4 - numRestarts * 4;
  const restarts = new Array<number>(numRestarts);
  for (let i = 0; i < numRestarts; i++) {
    const r = getFixed32(block, dataEnd + 4 * i);
    // Restarts are strictly increasing offsets of entries inside the data area.
    if (r >= dataEnd && !(dataEnd === 0 && r === 0)) throw corrupt(`restart ${i} at ${r} is outside the entries (${dataEnd} bytes)`, baseOffset + dataEnd + 4 * i);
    if (i > 0 && r <= restarts[i - 1]!) throw corrupt(`restart offsets not increasing (${restarts[i - 1]} then ${r})`, baseOffset + dataEnd + 4 * i);
    restarts[i] = r;
  }
  if (dataEnd > 0) {
    if (numRestarts === 0) throw corrupt('entries without a restart point', baseOffset);
    if (restarts[0] !== 0) throw corrupt(`first restart is ${restarts[0]}, not 0`, baseOffset + dataEnd);
  }

  const entries: BlockEntry[] = [];
  const cur: Cursor = { pos: 0 };
  let prevKey: Uint8Array = new Uint8Array(0);
  let nextRestart = 0;
  while (cur.pos < dataEnd) {
    const entryStart = cur.pos;
    const shared = readVarint32(block, cur, dataEnd);
    const nonShared = readVarint32(block, cur, dataEnd);
    const valueLength = readVarint32(block, cur, dataEnd);
    const isRestart = nextRestart < numRestarts && restarts[nextRestart] === entryStart;
    if (nextRestart < numRestarts && restarts[nextRestart]! < entryStart) {
      throw corrupt(`restart offset ${restarts[nextRestart]} is not at an entry boundary`, baseOffset + entryStart);
    }
    if (isRestart) {
      nextRestart++;
      if (shared !== 0) throw corrupt(`restart entry shares ${shared} key bytes`, baseOffset + entryStart);
    }
    if (shared > prevKey.length) {
      throw corrupt(`entry shares ${shared} bytes with a previous key of ${prevKey.length} bytes`, baseOffset + entryStart);
    }
    const keyStart = cur.pos;
    // Compare as subtraction so huge declared lengths cannot overflow.
    if (nonShared > dataEnd - keyStart || valueLength > dataEnd - keyStart - nonShared) {
      throw corrupt(`entry key/value lengths (${nonShared}+${valueLength}) run past the entries area`, baseOffset + entryStart);
    }
    if (keys) {
      const keyLength = shared + nonShared;
      if (keyLength > keys.maxKeyBytes) {
        throw new SavedModelError('LIMIT_EXCEEDED', `table key of ${keyLength} bytes is over the ${keys.maxKeyBytes}-byte key limit (limits.maxKeyBytes)`, { offset: baseOffset + entryStart });
      }
      if (keyLength > keys.remaining) {
        throw new SavedModelError('LIMIT_EXCEEDED', `table keys expand to more bytes than the table's size justifies (prefix-compression amplification); key of ${keyLength} bytes refused`, { offset: baseOffset + entryStart });
      }
      keys.remaining -= keyLength;
    }
    const key = new Uint8Array(shared + nonShared);
    if (shared > 0) key.set(prevKey.subarray(0, shared));
    key.set(block.subarray(keyStart, keyStart + nonShared), shared);
    const valueStart = keyStart + nonShared;
    entries.push({ key, value: block.subarray(valueStart, valueStart + valueLength) });
    prevKey = key;
    cur.pos = valueStart + valueLength;
  }
  if (nextRestart !== numRestarts && dataEnd > 0) {
    throw corrupt(`restart offset ${restarts[nextRestart]} is not at an entry boundary`, baseOffset + dataEnd);
  }
  return entries;
}
