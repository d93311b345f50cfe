/**
 * Builds one table block (LevelDB / TensorFlow `table::BlockBuilder` layout):
 *
 *   entry*   : varint32 shared, varint32 non_shared, varint32 value_length,
 *              key[shared..] (non_shared bytes), value
 *   restarts : uint32 LE offset of every restart entry
 *   count    : uint32 LE number of restarts
 *
 * Keys are delta-coded against the previous key except at restart points,
 * which store the whole key so a reader can binary-search them.
 */
import { SavedModelError } from '../../errors.js';
import { ByteBuffer } from './byte-buffer.js';
import { putVarint32 } from './varint.js';

export const DEFAULT_RESTART_INTERVAL = 16;

export class BlockBuilder {
  private readonly buffer = new ByteBuffer(4096);
  private readonly restarts: number[] = [0];
  private counter = 0;
  private finished = false;
  private lastKey: Uint8Array = new Uint8Array(0);
  private entries = 0;

  constructor(readonly restartInterval: number = DEFAULT_RESTART_INTERVAL) {
    if (!Number.isInteger(restartInterval) || restartInterval < 1) {
      throw new SavedModelError('INVALID_ARGUMENT', `block restart interval must be a positive integer, got ${restartInterval}`);
    }
  }

  /** True when no entry has been added since construction / reset. */
  get empty(): boolean {
    return this.entries === 0;
  }

  /** Same estimate as LevelDB: entries + 4 bytes per restart + the count. */
  currentSizeEstimate(): number {
    return this.buffer.length + this.restarts.length * 4 + 4;
  }

  /** Add an entry; `key` must sort after the previous key (the table writer checks that). */
  add(key: Uint8Array, value: Uint8Array): void {
    if (this.finished) throw new SavedModelError('INVALID_ARGUMENT', 'BlockBuilder.add after finish');
    let shared = 0;
    if (this.counter < this.restartInterval) {
      const last = this.lastKey;
      const min = Math.min(last.length, key.length);
      while (shared < min && last[shared] === key[shared]) shared++;
    } else {
      this.restarts.push(this.buffer.length);
      this.counter = 0;
    }
    const nonShared = key.length - shared;
    putVarint32(this.buffer, shared);
    putVarint32(this.buffer, nonShared);
    putVarint32(this.buffer, value.length);
    this.buffer.pushRange(key, shared, key.length);
    this.buffer.pushBytes(value);
    this.lastKey = key;
    this.counter++;
    this.entries++;
  }

  /** Append the restart array; returns a view valid until `reset()`. */
  finish(): Uint8Array {
    if (!this.finished) {
      for (const r of this.restarts) this.buffer.pushFixed32(r);
      this.buffer.pushFixed32(this.restarts.length);
      this.finished = true;
    }
    return this.buffer.view();
  }

  reset(): void {
    this.buffer.reset();
    this.restarts.length = 0;
    this.restarts.push(0);
    this.counter = 0;
    this.finished = false;
    this.lastKey = new Uint8Array(0);
    this.entries = 0;
  }
}
