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
