// The commands that only read files (show, checkpoint, verify, diff), statically imported: built
// into one CommonJS bundle (dist/inspect.cjs) that the bin runs through a V8 code cache on Node
// versions without module.enableCompileCache (before 22.1), where compiling the ~1 MB of
// JavaScript those commands load was most of their start-up time. They never import tfjs.
import { checkpointCommand } from './commands/checkpoint.js';
import { diffCommand } from './commands/diff.js';
import { showCommand } from './commands/show.js';
import { verifyCommand } from './commands/verify.js';
import { defaultIo, dispatch, type Command, type Io } from './dispatch.js';

const COMMANDS: Record<string, () => Promise<Command>> = {
  show: async () => showCommand,
  checkpoint: async () => checkpointCommand,
  verify: async () => verifyCommand,
  diff: async () => diffCommand,
};

/** The names inspectMain runs; the bin sends every other command to main(). */
export const INSPECT_COMMANDS: readonly string[] = Object.keys(COMMANDS);

export function inspectMain(argv: string[], io: Io = defaultIo): Promise<number> {
  return dispatch(argv, io, COMMANDS);
}
