import { metaGraphFor, showAll, showOps, showSignature, showSignatureKeys, showTagSets } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { parse, UsageError } from '../args.js';
import type { Io } from '../dispatch.js';

/** `saved_model_cli show`, with its output byte for byte (its flag combinations included). */
export async function showCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    all: { type: 'boolean' }, tag_set: { type: 'string' }, signature_def: { type: 'string' }, list_ops: { type: 'boolean' },
  }, ['DIR']);
  const dir = positionals[0];
  if (!dir) throw new UsageError('missing SavedModel directory');
  const { savedModel } = await readSavedModelDir(dir, { checkpoint: false, blocking: true });
  if (values.all) {
    io.out(showAll(savedModel));
  } else if (values.tag_set === undefined) {
    if (values.signature_def !== undefined) throw new UsageError('--signature_def needs --tag_set');
    if (values.list_ops) io.out('--list_ops must be paired with a tag-set or with --all.\n');
    io.out(showTagSets(savedModel));
  } else {
    const mg = metaGraphFor(savedModel, values.tag_set);
    if (values.list_ops) io.out(showOps(mg));
    io.out(values.signature_def === undefined ? showSignatureKeys(mg) : showSignature(mg, values.signature_def));
  }
  return 0;
}
