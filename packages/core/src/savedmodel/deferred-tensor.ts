// A checkpoint tensor whose value is still on its tfjs backend when the SavedModel is written:
// read once, when (or shortly before) its record is written.
import type { CheckpointTensor } from '../checkpoint/index.js';

/**
 * A tensor's bytes copied out of its backend piece by piece. The tensor's current value is
 * pinned from open until close (a later assign or dispose does not change what is read).
 */
export interface TensorByteReader {
  readonly byteLength: number;
  /** Copy bytes [offset, offset + target.length) into `target`, synchronously. */
  read(offset: number, target: Uint8Array): void;
  /** Release the pinned value (called once, also when the export fails). */
  close(): void;
}

/**
 * A checkpoint tensor whose data is read only when its record is written (a weight still on its
 * tfjs backend): one asynchronous read per tensor, streamed into the data file, then released.
 */
export interface DeferredCheckpointTensor extends Omit<CheckpointTensor, 'data'> {
  load(): Promise<CheckpointTensor['data']>;
  /**
   * Optional: a reader copying the value out of its backend in pieces (no full copy of the
   * tensor), or undefined where the backend does not allow it (then load() is used).
   */
  openReader?(): TensorByteReader | undefined;
  /**
   * Optional: load() waits on a device (a GPU readback: webgpu, webgl), so the writer starts it
   * ahead of its turn (read-ahead.ts) and such reads overlap. Leave unset where load() copies
   * synchronously: started early, its copy would only be held longer.
   */
  readsFromDevice?: boolean;
}

export function isDeferredTensor(t: CheckpointTensor | DeferredCheckpointTensor): t is DeferredCheckpointTensor {
  return typeof (t as Partial<DeferredCheckpointTensor>).load === 'function';
}
