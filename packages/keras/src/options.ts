// Options objects reject unknown keys (a typo must never silently drop a feature): core's one check.
import { checkOptions } from '@savedmodel-js/core/internal';

export function checkOptionKeys(fn: string, options: object | undefined, accepted: readonly string[]): void {
  checkOptions(options, accepted, `${fn} options`);
}
