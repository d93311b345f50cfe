// Cases that exercise hostile-kit itself (run in its child processes).
import { SavedModelError } from '@savedmodel-js/core';

export function returns(args: { n: number }): number {
  return args.n * 2;
}

export function throwsTyped(): never {
  throw new SavedModelError('LIMIT_EXCEEDED', 'too big', { file: 'x.pb' });
}

export function throwsRaw(): never {
  return (undefined as unknown as { dispose(): never }).dispose();
}

/** Grows RSS outside the V8 heap (Buffers) until the watchdog kills it. */
export function eatsMemory(): void {
  const keep: Buffer[] = [];
  for (;;) keep.push(Buffer.alloc(16 * 2 ** 20, 1));
}

export function spins(): void {
  for (;;);
}
