// Where archive bytes go. The zip writer only sees a ByteTarget: a write function that may
// return a promise (the writer awaits it before producing more: backpressure), plus optional
// close/abort so the owner of the output learns whether the archive is complete.
import { SavedModelError } from '@savedmodel-js/core';

/**
 * Receives the archive's bytes in order. Return a promise to make the writer wait (backpressure).
 * The writer never modifies a chunk after handing it over; a sink may keep it (a Blob builder does).
 */
export type ByteSink = (chunk: Uint8Array) => void | Promise<void>;

export interface ByteTarget {
  write: ByteSink;
  /** The archive is complete (called once, after the last byte). */
  close?(): void | Promise<void>;
  /** The archive will never be complete: discard what was written if possible. */
  abort?(reason?: unknown): void | Promise<void>;
  /** Human-readable destination for messages. */
  readonly location?: string;
  /**
   * Optional: most bytes the target prefers per write call, for targets where each call has a
   * high fixed cost (OPFS: a round trip to the browser process per write). The zip writer hands
   * it stored data in slices up to this size (default and minimum: PROGRESS_SLICE, 256 KiB),
   * still views of the caller's bytes; progress then comes once per slice.
   */
  readonly writeSize?: number;
}

/** Anything the writers accept as output. */
export type ByteOutput = ByteSink | ByteTarget | WritableStream<Uint8Array>;

function isWritableStream(x: unknown): x is WritableStream<Uint8Array> {
  return typeof x === 'object' && x !== null && typeof (x as WritableStream).getWriter === 'function';
}

/** Normalizes a ByteSink / ByteTarget / WritableStream into a ByteTarget. */
export function toByteTarget(out: ByteOutput): ByteTarget {
  if (typeof out === 'function') return { write: out };
  if (isWritableStream(out)) return writableStreamTarget(out);
  if (typeof out === 'object' && out !== null && typeof out.write === 'function') return out;
  throw new SavedModelError('INVALID_ARGUMENT', 'zip output must be a function, a { write } target or a WritableStream');
}

/**
 * A WritableStream (OPFS `createWritable()`, a TransformStream feeding a Response, a Node
 * `Writable.toWeb`) as a ByteTarget. Each write waits until the stream has taken the chunk,
 * so callers may reuse their buffers once a write resolves. close() closes the stream (OPFS
 * makes the file visible then); abort() aborts it (OPFS discards the swap file).
 */
export function writableStreamTarget(stream: WritableStream<Uint8Array>, location = 'WritableStream'): ByteTarget {
  const writer = stream.getWriter();
  return {
    location,
    async write(chunk) {
      await writer.write(chunk);
    },
    async close() {
      await writer.close();
    },
    async abort(reason) {
      try {
        await writer.abort(reason);
      } catch {
        // already errored or closed: nothing more to discard
      }
    },
  };
}

/**
 * Collects the archive as Blob parts (no concatenation: the parts are the chunks themselves).
 * `blob()` is available after close(); abort() drops the parts.
 */
export function blobTarget(type = 'application/zip'): ByteTarget & { blob(): Blob; readonly size: number } {
  let parts: Uint8Array[] | undefined = [];
  let size = 0;
  let result: Blob | undefined;
  return {
    location: 'Blob',
    get size() { return size; },
    write(chunk) {
      if (!parts) throw new SavedModelError('INVALID_ARGUMENT', 'zip Blob output already closed or aborted');
      parts.push(chunk);
      size += chunk.length;
    },
    close() {
      if (!parts) return;
      result = new Blob(parts as Uint8Array<ArrayBuffer>[], { type });
      parts = undefined;
    },
    abort() {
      parts = undefined;
    },
    blob() {
      if (!result) throw new SavedModelError('INVALID_ARGUMENT', 'zip Blob is only available after a successful commit');
      return result;
    },
  };
}
