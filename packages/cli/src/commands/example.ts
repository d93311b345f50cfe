import { resolve } from 'node:path';
import { showAll } from '@savedmodel-js/core';
import { readSavedModelDir, writeSavedModelDir } from '@savedmodel-js/core/node';
import { parse } from '../args.js';
import { exampleModel } from '../example-model.js';
import type { Io } from '../main.js';

export async function exampleCommand(argv: string[], io: Io): Promise<number> {
  const { positionals } = parse(argv, {}, ['OUT_DIR']);
  const out = resolve(positionals[0] ?? 'out/half_plus_two');
  await writeSavedModelDir(out, exampleModel(), { overwrite: true });
  io.out(`Wrote the example SavedModel (y = 0.5·x + 2) to ${out}\n`);
  const { savedModel } = await readSavedModelDir(out, { checkpoint: false });
  io.out(showAll(savedModel));
  return 0;
}
