/**
 * One error class for the whole SDK, with a machine-readable `code`
 * (compare codes, not message text) and the file / key / kernel it is about.
 */
export type SavedModelErrorCode =
  /** A file is shorter than its own structure says. */
  | 'TRUNCATED'
  /** A checksum (block trailer, tensor record, string lengths) does not match. */
  | 'CHECKSUM_MISMATCH'
  /** Bytes do not have the expected layout (bad magic, bad varint, bad block, bad proto). */
  | 'CORRUPT'
  /** A length or count in the input is larger than the input can justify. */
  | 'LIMIT_EXCEEDED'
  /** A well-formed feature the SDK does not handle (unknown compression, big-endian bundle, …). */
  | 'UNSUPPORTED'
  /** A file the format requires is missing. */
  | 'NOT_FOUND'
  /** Caller passed something invalid (bad dtype, unsorted keys, shape/data mismatch, …). */
  | 'INVALID_ARGUMENT'
  /** Graph content fails validation against the op registry. */
  | 'INVALID_GRAPH'
  /** Output target exists and overwriting was not requested. */
  | 'ALREADY_EXISTS'
  /** The file system failed (EACCES, EROFS, ENOSPC, EMFILE, EIO, …); `errno` says which. */
  | 'IO_ERROR';

export interface SavedModelErrorDetails {
  /** File (relative to the SavedModel root where possible) the error is about. */
  file?: string;
  /** Checkpoint key, node name, signature key, … */
  key?: string;
  /** Byte offset in `file`, when meaningful. */
  offset?: number;
  /** Node's error code (`EACCES`, `ENOSPC`, …) for IO_ERROR. */
  errno?: string;
  cause?: unknown;
}

/** Longest piece of user- or file-supplied text an error message quotes (names, keys, paths). */
export const MAX_QUOTED_CHARS = 200;

/** `text` cut to MAX_QUOTED_CHARS characters (with a marker saying how long it was), for messages. */
export function quoteSnippet(text: string, max = MAX_QUOTED_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(${text.length} chars)`;
}

export class SavedModelError extends Error {
  override readonly name = 'SavedModelError';
  readonly code: SavedModelErrorCode;
  readonly file: string | undefined;
  readonly key: string | undefined;
  readonly offset: number | undefined;
  readonly errno: string | undefined;

  constructor(code: SavedModelErrorCode, message: string, details: SavedModelErrorDetails = {}) {
    const where = [
      details.file !== undefined ? `file ${quoteSnippet(details.file)}` : '',
      details.key !== undefined ? `key ${JSON.stringify(quoteSnippet(details.key))}` : '',
      details.offset !== undefined ? `offset ${details.offset}` : '',
      details.errno !== undefined ? details.errno : '',
    ].filter(Boolean).join(', ');
    super(where ? `${message} (${where})` : message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.code = code;
    this.file = details.file;
    this.key = details.key;
    this.offset = details.offset;
    this.errno = details.errno;
  }
}

/** Type guard; optionally checks the code. */
export function isSavedModelError(e: unknown, code?: SavedModelErrorCode): e is SavedModelError {
  return e instanceof SavedModelError && (code === undefined || e.code === code);
}

/**
 * Run `fn`, turning any non-SavedModelError thrown while decoding untrusted bytes
 * (RangeError from a DataView, protobufjs "index out of range", …) into a typed error.
 */
export function guardDecode<T>(file: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SavedModelError) {
      if (e.file === undefined) throw new SavedModelError(e.code, e.message, { file, key: e.key, offset: e.offset, cause: e.cause });
      throw e;
    }
    const msg = e instanceof Error ? e.message : String(e);
    throw new SavedModelError('CORRUPT', `cannot decode ${what}: ${msg}`, { file, cause: e });
  }
}
