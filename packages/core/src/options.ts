/**
 * Options objects of the public API reject keys they do not know (a typo must never silently
 * drop a feature): INVALID_ARGUMENT naming the key, where it was given and the accepted keys.
 */
import { SavedModelError, quoteSnippet } from './errors.js';

/**
 * Checks that `options` (undefined / null allowed: no options) is a plain object whose own keys
 * are all in `allowed`; `where` names the API in the message ("loadSavedModel options").
 * Returns the object (or an empty one) for chaining.
 */
export function checkOptions<T extends object>(options: T | null | undefined, allowed: readonly string[], where: string): T {
  if (options === undefined || options === null) return {} as T;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new SavedModelError('INVALID_ARGUMENT', `${where} must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new SavedModelError('INVALID_ARGUMENT', `${where}: unknown option ${JSON.stringify(quoteSnippet(key, 80))}; accepted: ${allowed.join(', ')}`, { key });
    }
  }
  return options;
}
