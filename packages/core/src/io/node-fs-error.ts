// Node file-system failures as SavedModelErrors: a missing path is NOT_FOUND, an existing path of
// the wrong kind is INVALID_ARGUMENT, everything else the system reports (EACCES, EROFS, ENOSPC,
// EMFILE, EIO, …) is IO_ERROR carrying the errno — never a raw Node error.
import { quoteSnippet, SavedModelError } from '../errors.js';

/** The `code` of a Node system error (`ENOENT`, …), if `e` is one. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `e` (thrown by node:fs while doing `what` on `file`) as a SavedModelError; SavedModelErrors pass through. */
export function fsError(e: unknown, what: string, file: string): SavedModelError {
  if (e instanceof SavedModelError) return e;
  const errno = errnoOf(e);
  const reason = e instanceof Error ? e.message : String(e);
  if (errno === 'ENOENT') return new SavedModelError('NOT_FOUND', `cannot ${what}: no such file or directory`, { file, errno, cause: e });
  if (errno === 'EISDIR' || errno === 'ENOTDIR') {
    return new SavedModelError('INVALID_ARGUMENT', `cannot ${what}: ${errno === 'EISDIR' ? 'a directory where a file is expected' : 'a file where a directory is expected'}`, { file, errno, cause: e });
  }
  if (errno === 'ERR_FS_FILE_TOO_LARGE') return new SavedModelError('LIMIT_EXCEEDED', `cannot ${what}: file too large to read into memory`, { file, errno, cause: e });
  if (errno === 'EEXIST' || errno === 'ENOTEMPTY') return new SavedModelError('ALREADY_EXISTS', `cannot ${what}: target exists`, { file, errno, cause: e });
  return new SavedModelError('IO_ERROR', `cannot ${what}: ${quoteSnippet(reason)}`, errno !== undefined ? { file, errno, cause: e } : { file, cause: e });
}

/** Runs `fn`, turning any fs failure into a SavedModelError (see fsError). */
export async function fsCall<T>(what: string, file: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fsError(e, what, file);
  }
}
