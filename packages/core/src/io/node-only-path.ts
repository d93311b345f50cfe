// File paths are a Node thing: in a browser (or a worker) the Node-only modules that read and write
// them cannot even be resolved, so a path there is the caller's mistake, reported as such before
// any lazy import of a `/node` entry point is attempted.
import { SavedModelError } from '../errors.js';

/** True where Node's built-in modules are available (Node, or a runtime that emulates them). */
export function hasNodeFileSystem(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** INVALID_ARGUMENT unless running under Node; `what` says which argument held the path. */
export function assertPathSupported(path: string, what = 'path'): void {
  if (hasNodeFileSystem()) return;
  throw new SavedModelError('INVALID_ARGUMENT', `${what}: paths need Node; pass a FileSource/Blob (or fileMapSink / a zip sink to write) in the browser`, { file: path });
}
