// Options objects reject unknown keys: a typo must never silently drop a feature.
import { SavedModelError } from '@savedmodel-js/core';

export function checkOptions(fn: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new SavedModelError('INVALID_ARGUMENT', `${fn}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new SavedModelError('INVALID_ARGUMENT', `${fn}: unknown option "${key.slice(0, 100)}" (accepted: ${allowed.join(', ')})`, { key });
    }
  }
}
