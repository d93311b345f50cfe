// `savedmodel` command line: inspect, check and produce TensorFlow SavedModels with no TensorFlow.
// Commands are imported when chosen: show / checkpoint / verify / diff never load tfjs (start fast);
// run / convert / example do.
import { defaultIo, dispatch, type Command, type Io } from './dispatch.js';

export { dispatch, type Command, type Io } from './dispatch.js';

/** Commands by name, each imported when chosen. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  show: async () => (await import('./commands/show.js')).showCommand,
  checkpoint: async () => (await import('./commands/checkpoint.js')).checkpointCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  diff: async () => (await import('./commands/diff.js')).diffCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  example: async () => (await import('./commands/example.js')).exampleCommand,
  convert: async () => (await import('./commands/convert.js')).convertCommand,
};

export function main(argv: string[], io: Io = defaultIo): Promise<number> {
  return dispatch(argv, io, COMMANDS);
}

