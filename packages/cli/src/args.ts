import { parseArgs } from 'node:util';

export class UsageError extends Error {}

type Opts = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** node:util parseArgs with usage errors typed, plus saved_model_cli's `--dir DIR` spelling. */
export function parse<T extends Opts>(argv: string[], options: T, positionalNames: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, dir: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const positionals = [...parsed.positionals];
  const dir = (parsed.values as Record<string, unknown>).dir;
  if (dir !== undefined) positionals.unshift(String(dir));
  if (positionals.length > positionalNames.length) throw new UsageError(`unexpected argument '${positionals[positionalNames.length]}'`);
  return { values: parsed.values as { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }, positionals };
}

const BYTE_UNITS: Record<string, number> = { '': 1, B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

/** A byte count flag: `1000000`, `1e9`, `512MiB`, `4GiB` (binary units); positive. */
export function parseByteSize(flag: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*(B|KiB|MiB|GiB|TiB)?\s*$/.exec(text);
  const n = m ? Math.floor(Number(m[1]) * BYTE_UNITS[m[2] ?? '']!) : NaN;
  if (!(n > 0) || !Number.isSafeInteger(n)) throw new UsageError(`--${flag}: expected a positive byte count such as 1000000, 512MiB or 4GiB, got '${text}'`);
  return n;
}
