// `savedmodel` command line: inspect, check and (soon) produce TensorFlow SavedModels with no TensorFlow.
import { isSavedModelError } from '@savedmodel-js/core';
import { checkpointCommand } from './commands/checkpoint.js';
import { exampleCommand } from './commands/example.js';
import { showCommand } from './commands/show.js';
import { verifyCommand } from './commands/verify.js';
import { UsageError } from './args.js';

const USAGE = `usage: savedmodel <command> [options]

commands:
  show DIR [--all] [--tag_set TAGS] [--signature_def KEY]
                       print tag-sets, signatures and concrete functions (saved_model_cli layout)
  checkpoint DIR [--values]
                       list checkpoint variables: key, dtype, shape (and small values)
  verify DIR [--strict]
                       check checksums, graph against the op registry, signatures, object graph
  example [OUT_DIR]    write the built-in example SavedModel and show its signatures
`;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'show': return await showCommand(rest, io);
      case 'checkpoint': return await checkpointCommand(rest, io);
      case 'verify': return await verifyCommand(rest, io);
      case 'example': return await exampleCommand(rest, io);
      case undefined: case '-h': case '--help': case 'help':
        io.out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        io.err(`savedmodel: unknown command '${cmd}'\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`savedmodel ${cmd}: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (isSavedModelError(e)) {
      io.err(`savedmodel ${cmd}: error [${e.code}]: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
