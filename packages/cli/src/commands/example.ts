import { resolve } from 'node:path';
import { showAll } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { exportModel } from 'savedmodel-js';
import { parse } from '../args.js';
import { halfPlusTwo } from '../example-model.js';
import type { Io } from '../main.js';
import { progressBar } from '../progress.js';
import { quietTfjs } from '../tfjs.js';

export async function exampleCommand(argv: string[], io: Io): Promise<number> {
  const { positionals } = parse(argv, {}, ['OUT_DIR']);
  const out = resolve(positionals[0] ?? 'out/half_plus_two');
  await quietTfjs();
  const bar = progressBar('writing', io.err, io.isTTY === true);
  await exportModel(halfPlusTwo(), out, { verbose: false, options: { overwrite: true, onProgress: (p) => bar.update(p) } });
  bar.done();
  io.out(`Exported the example model (y = 0.5·x + 2, tfjs layers model) to ${out}\n`);
  const { savedModel } = await readSavedModelDir(out, { checkpoint: false });
  io.out(showAll(savedModel));
  return 0;
}
