// The `savedmodel` command line's shell: usage text, output streams and error reporting around a
// table of commands (main.ts: all of them, imported when chosen; inspect-main.ts: the read-only ones).
// Nothing from the libraries is imported up front (the error check imports core when an error needs
// it; by then a command has loaded it anyway).
import { UsageError } from './args.js';
import { writeText } from './stdio.js';

const USAGE = `usage: savedmodel <command> [options]

commands:
  show DIR [--all] [--tag_set TAGS] [--signature_def KEY] [--list_ops]
                       print tag-sets, signatures and concrete functions (saved_model_cli layout)
  checkpoint DIR [--values]
                       list checkpoint variables: key, dtype, shape (and small values)
  verify DIR [--strict]
                       check checksums, graph against the op registry, signatures, object graph
  diff A B [--json] [--functions] [--strict-names] [--float-tolerance X] [--all-attrs] [--versions] [--no-values]
                       compare two SavedModels structurally (function uids, TF versions ignored)
  run DIR [--signature_def KEY] [--input_exprs 'x=[[1,2,3]];y=np.ones((2,3))'] [--input_examples 'inputs=[{"x":[8.0]}]']
      [--inputs 'x=a.npy;y=b.npz[name]'] [--outdir DIR [--overwrite]] [--tag_set serve] [--json]
      [--max_tensor_bytes 1GiB] [--max_total_bytes 4GiB] [--round_float64]
                       run a signature with TensorFlow.js and print each output (saved_model_cli run);
                       --outdir writes KEY.npy per output; --input_exprs reads literals and np.* constructors (no eval);
                       sizes the model asks for beyond the limits are refused (LIMIT_EXCEEDED);
                       --round_float64 runs float64 ops in float32 as TensorFlow.js does instead of refusing them
  convert MODEL_JSON OUT [--overwrite] [--variables] [--keep_float16] [--json]
                       convert a tfjs model (graph or layers, quantized weights too) into a SavedModel
  convert SAVEDMODEL_DIR OUT --to tfjs-graph-model [--signature_def KEY] [--quantize uint8|uint16|float16] [--skip_op_check]
                       write a SavedModel signature as a tfjs graph model (model.json + weight shards);
                       ops stock TensorFlow.js does not run are refused unless --skip_op_check
  convert MODEL.h5|MODEL.keras OUT [--to tfjs-layers-model] [--overwrite] [--json]
                       a Keras file → tf.keras SavedModel (keras_metadata.pb) or a tfjs layers model
  example [OUT_DIR] [--overwrite]
                       export the built-in example model and show its signatures
`;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stderr is a terminal: progress bars redraw in place. */
  isTTY?: boolean;
}

/** Standard output and error (stdio.ts); isTTY is looked up when a progress bar asks. */
export const defaultIo: Io = {
  out: (s) => writeText(1, s),
  err: (s) => writeText(2, s),
  get isTTY() {
    return process.stderr.isTTY === true;
  },
};

/** A command: its arguments after the name, the output streams; resolves to the exit code. */
export type Command = (args: string[], io: Io) => Promise<number>;

/**
 * Runs `argv[0]` from `commands` with usage and error reporting: usage errors exit 2 with the
 * usage text, SavedModelErrors exit 1 with their code, anything else is a bug and is thrown.
 */
export async function dispatch(argv: string[], io: Io, commands: Record<string, () => Promise<Command>>): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    }
    const load = Object.hasOwn(commands, cmd) ? commands[cmd] : undefined;
    if (!load) {
      io.err(`savedmodel: unknown command '${cmd}'\n${USAGE}`);
      return 2;
    }
    return await (await load())(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`savedmodel ${cmd}: ${e.message}\n${USAGE}`);
      return 2;
    }
    const { isSavedModelError } = await import('@savedmodel-js/core');
    if (isSavedModelError(e)) {
      io.err(`savedmodel ${cmd}: error [${e.code}]: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
