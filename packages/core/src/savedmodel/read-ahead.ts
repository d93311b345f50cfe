// The data file's tensors made ready ahead of their turn. A tensor whose load() waits on a
// device (readsFromDevice: webgpu and webgl read back from the GPU) has its read started while
// earlier records are still being written, as many ahead as fit a byte budget: the reads then
// overlap one another and the writing, as tfjs's own save (all reads at once) does, instead of
// one GPU round trip after another. Those backends keep a value on the CPU once it has been read,
// so a read started early holds no more memory than one started late; the budget bounds the
// rest. Any other tensor is prepared at most one ahead (`oneAhead`), and a reader (the wasm heap:
// opening copies nothing) stops the window.
import type { CheckpointTensor } from '../checkpoint/index.js';
import { DataType, dtypeElementSize } from '../checkpoint/dtypes.js';
import { isDeferredTensor, type DeferredCheckpointTensor, type TensorByteReader } from './deferred-tensor.js';

type AnyTensor = CheckpointTensor | DeferredCheckpointTensor;

/** Bytes of loads started ahead of their turn, at most (plus the one that crosses it). */
export const READ_AHEAD_BYTES = 64 << 20;

/** A tensor's value as it is about to be written: an open reader, a pending load, or data at hand. */
export type Prepared =
  | { kind: 'reader'; reader: TensorByteReader }
  | { kind: 'value'; value: Promise<CheckpointTensor['data']>; bytes: number }
  | { kind: 'data'; data: CheckpointTensor['data'] };

/**
 * The record size of a fixed-width tensor (element size × its dims), or undefined for a string
 * tensor, an unknown dtype or a malformed shape.
 */
export function fixedRecordBytes(t: AnyTensor): number | undefined {
  let n = t.dtype === DataType.DT_STRING ? undefined : dtypeElementSize(t.dtype);
  if (n === undefined || !Array.isArray(t.shape)) return undefined;
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0) return undefined;
    n *= d;
  }
  return n;
}

/** Opens the tensor's reader (where `readers`) or starts its one load (a rejection is handled when it is awaited). */
function prepare(t: AnyTensor, readers: boolean): Prepared {
  if (!isDeferredTensor(t)) return { kind: 'data', data: t.data };
  const reader = readers && t.dtype !== DataType.DT_STRING ? t.openReader?.() : undefined;
  if (reader) return { kind: 'reader', reader };
  const value = t.load();
  value.catch(() => undefined); // awaited in its turn; a failure before then is not unhandled
  // a size not known counts as the whole budget
  return { kind: 'value', value, bytes: fixedRecordBytes(t) ?? READ_AHEAD_BYTES };
}

export class ReadAhead {
  /** Prepared and not yet taken, by index: [taken, end). */
  private readonly ready = new Map<number, Prepared>();
  private taken = 0;
  private end = 0;
  /** Bytes of the loads in `ready`. */
  private pending = 0;

  constructor(
    private readonly tensors: readonly AnyTensor[],
    /** Whether tensors with a reader are read through it (else every deferred tensor is loaded). */
    private readonly readers: boolean,
    /** Whether the next tensor is prepared while one is written, whatever its kind. */
    private readonly oneAhead: boolean,
    private readonly budget = READ_AHEAD_BYTES,
  ) {}

  /** The next tensor's prepared value, in order; the ones after it are started within the budget. */
  next(): Prepared {
    const i = this.taken++;
    if (i >= this.end) this.add();
    const p = this.ready.get(i)!;
    this.ready.delete(i);
    if (p.kind === 'value') this.pending -= p.bytes;
    // device reads while the budget allows (not past a reader); any tensor one ahead where asked
    try {
      let last: Prepared | undefined = this.end > this.taken ? this.ready.get(this.end - 1) : undefined;
      while (this.end < this.tensors.length && last?.kind !== 'reader') {
        const t = this.tensors[this.end]!;
        // values at hand cost nothing to prepare: the window passes over them
        const ok = !isDeferredTensor(t) || (t.readsFromDevice === true && this.pending < this.budget) || (this.oneAhead && last === undefined);
        if (!ok) break;
        last = this.add();
      }
    } catch (e) {
      // the caller never gets this one: its pinned value is released here
      if (p.kind === 'reader') p.reader.close();
      throw e;
    }
    return p;
  }

  /** Closes the readers opened ahead and not taken (loads started ahead are left to finish). */
  close(): void {
    for (const p of this.ready.values()) if (p.kind === 'reader') p.reader.close();
    this.ready.clear();
  }

  private add(): Prepared {
    const p = prepare(this.tensors[this.end]!, this.readers);
    this.ready.set(this.end++, p);
    if (p.kind === 'value') this.pending += p.bytes;
    return p;
  }
}
