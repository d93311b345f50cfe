// A TensorFlow.js backend failing to read a tensor back synchronously (webgpu's readSync goes
// through OffscreenCanvas, webgl's through a blocking readPixels) is the backend's failure, not
// the SavedModel's: reported with the backend named and the way around it (asynchronous reads).
import { SavedModelError, quoteSnippet } from './errors.js';

/** True when `e` was thrown from inside a backend's synchronous readback (readSync / dataSync). */
export function isSyncReadbackFailure(e: unknown): boolean {
  if (e instanceof SavedModelError || !(e instanceof Error)) return false;
  return /\b(readSync|dataSync|arraySync)\b/.test(e.stack ?? '');
}

/**
 * UNSUPPORTED naming the backend: "`backend` failed to read a tensor back synchronously while
 * `what`: <its message>; use the asynchronous API (`hint`)".
 */
export function syncReadbackError(e: unknown, backend: string, what: string, hint = 'await tensor.data(), predictAsync()/executeAsync()'): SavedModelError {
  const msg = quoteSnippet(e instanceof Error ? e.message : String(e));
  return new SavedModelError(
    'UNSUPPORTED',
    `the TensorFlow.js '${backend}' backend failed to read a tensor back synchronously while ${what} (a backend limitation, not a problem of the model): ${msg}; use asynchronous reads (${hint})`,
    { cause: e },
  );
}
