import { resolve } from 'node:path';
import { isSavedModelError, SavedModelError, showAll } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { exportModel } from 'savedmodel-js';
import { parse } from '../args.js';
import { halfPlusTwo } from '../example-model.js';
import type { Io } from '../dispatch.js';
import { progressBar } from '../progress.js';
import { quietTfjs } from '../tfjs.js';

export async function exampleCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { overwrite: { type: 'boolean' } }, ['OUT_DIR']);
  const out = resolve(positionals[0] ?? 'out/half_plus_two');
  await quietTfjs();
  const bar = progressBar('writing', io.err, io.isTTY === true);
  try {
    await exportModel(halfPlusTwo(), out, { verbose: false, options: { overwrite: values.overwrite === true, onProgress: (p) => bar.update(p) } });
  } catch (e) {
    if (isSavedModelError(e, 'ALREADY_EXISTS')) {
      throw new SavedModelError('ALREADY_EXISTS', `${out} already exists; pass --overwrite to replace it`, { file: out, cause: e });
    }
    throw e;
  }
  bar.done();
  io.out(`Exported the example model (y = 0.5·x + 2, tfjs layers model) to ${out}\n`);
  const { savedModel } = await readSavedModelDir(out, { checkpoint: false });
  io.out(showAll(savedModel));
  return 0;
}
