// Options objects reject unknown keys (a typo must never silently drop a feature).
import { SavedModelError } from '@savedmodel-js/core';

export function checkOptionKeys(fn: string, options: object | undefined, accepted: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') throw new SavedModelError('INVALID_ARGUMENT', `${fn}: options must be an object`);
  for (const k of Object.keys(options)) {
    if (!accepted.includes(k)) {
      throw new SavedModelError('INVALID_ARGUMENT', `${fn}: unknown option '${k}' (accepted: ${accepted.join(', ')})`, { key: k });
    }
  }
}
