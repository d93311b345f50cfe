import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readCheckpointFrom, type CheckpointEntry, type CheckpointReader } from '@savedmodel-js/core';
import { dirSource } from '@savedmodel-js/core/node';
import { parse, UsageError } from '../args.js';
import type { Io } from '../dispatch.js';

/** Tensors with at most this many elements get their values printed with --values. */
const MAX_PRINTED_ELEMENTS = 64;

/** Accepts a SavedModel dir, its variables/ dir, or a checkpoint prefix / .index path. */
function locate(arg: string): { root: string; prefix: string } {
  if (existsSync(join(arg, 'variables', 'variables.index'))) return { root: arg, prefix: 'variables/variables' };
  if (existsSync(join(arg, 'variables.index'))) return { root: arg, prefix: 'variables' };
  const p = arg.endsWith('.index') ? arg.slice(0, -'.index'.length) : arg;
  if (existsSync(`${p}.index`) && statSync(`${p}.index`).isFile()) return { root: dirname(p), prefix: basename(p) };
  throw new UsageError(`no checkpoint found at ${arg} (expected DIR/variables/variables.index or a checkpoint prefix)`);
}

function formatValue(ckpt: CheckpointReader, e: CheckpointEntry): string {
  if (e.numElements > MAX_PRINTED_ELEMENTS) return `(${e.numElements} elements)`;
  if (e.dtypeName === 'DT_STRING') {
    const strs = ckpt.stringBytes(e);
    return JSON.stringify(strs.map((b) => (b.length > 64 ? `<${b.length} bytes>` : new TextDecoder().decode(b))));
  }
  const v = ckpt.value(e) as ArrayLike<number | bigint>;
  const items = Array.from(v, (x) => (typeof x === 'bigint' ? x.toString() : Number.isInteger(x) && e.dtypeName.includes('FLOAT') ? x.toFixed(1) : String(x)));
  return e.shape.length === 0 ? (items[0] ?? '') : `[${items.join(', ')}]`;
}

export async function checkpointCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { values: { type: 'boolean' } }, ['DIR']);
  const arg = positionals[0];
  if (!arg) throw new UsageError('missing SavedModel directory or checkpoint prefix');
  const { root, prefix } = locate(arg);
  const ckpt = await readCheckpointFrom(dirSource(root, { blocking: true }), prefix);
  for (const e of ckpt.entries) {
    const cols = [e.key, e.dtypeName, `[${e.shape.join(', ')}]`];
    if (values.values) cols.push(formatValue(ckpt, e));
    io.out(cols.join('\t') + '\n');
  }
  return 0;
}
