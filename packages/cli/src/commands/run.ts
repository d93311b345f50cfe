import { DEFAULT_LIMITS, SavedModelError, type SavedModelErrorCode } from '@savedmodel-js/core';
import { loadSavedModel, type PlainTensor } from 'savedmodel-js';
import { parse, parseByteSize, UsageError } from '../args.js';
import type { Io } from '../dispatch.js';
import { formatNumpy, type NumpyKind } from '../numpy-format.js';
import { quietTfjs } from '../tfjs.js';
import { parseInputExamples } from '../input-examples.js';
import { parseInputExprs, splitExprs } from '../input-exprs.js';
import { loadInputFiles, parseInputsArg, prepareOutputFiles } from '../npy-files.js';

export { parseInputExprs, splitExprs };

/** numpy's names for TensorFlow dtypes, as saved_model_cli prints results. */
const NUMPY_DTYPE: Readonly<Record<string, string>> = Object.freeze({ __proto__: null,
  DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_HALF: 'float16', DT_BFLOAT16: 'bfloat16', DT_INT32: 'int32', DT_INT64: 'int64',
  DT_UINT8: 'uint8', DT_INT8: 'int8', DT_INT16: 'int16', DT_UINT16: 'uint16', DT_UINT32: 'uint32', DT_UINT64: 'uint64',
  DT_BOOL: 'bool', DT_STRING: 'object', DT_COMPLEX64: 'complex64', DT_COMPLEX128: 'complex128',
} as unknown as Record<string, string>);

/** numpy's element kind for a TensorFlow dtype (how saved_model_cli's numpy results print). */
function numpyKind(tfDtype: string): NumpyKind {
  if (tfDtype === 'DT_DOUBLE') return 'float64';
  if (tfDtype === 'DT_HALF' || tfDtype === 'DT_BFLOAT16') return 'float16';
  if (tfDtype === 'DT_FLOAT') return 'float32';
  if (tfDtype === 'DT_BOOL') return 'bool';
  if (tfDtype === 'DT_STRING') return 'bytes';
  return 'int';
}

/** An output as `print(ndarray)` shows it: `[[2.5]\n [3. ]]`. */
export function formatTensor(t: PlainTensor): string {
  const kind = t.tfDtype ? numpyKind(t.tfDtype) : t.dtype === 'float32' ? 'float32' : t.dtype === 'bool' ? 'bool' : t.dtype === 'string' ? 'bytes' : 'int';
  return formatNumpy({ kind, shape: t.shape, values: t.values });
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    tag_set: { type: 'string' }, signature_def: { type: 'string' }, input_exprs: { type: 'string' }, json: { type: 'boolean' },
    input_examples: { type: 'string' }, inputs: { type: 'string' }, outdir: { type: 'string' }, overwrite: { type: 'boolean' },
    max_tensor_bytes: { type: 'string' }, max_total_bytes: { type: 'string' }, round_float64: { type: 'boolean' },
  }, ['DIR']);
  const dir = positionals[0];
  if (!dir) throw new UsageError('missing SavedModel directory');
  // saved_model_cli's precedence: --inputs, then --input_exprs, then --input_examples (later ones win, with a warning)
  const fileSpecs = values.inputs === undefined ? [] : parseInputsArg(values.inputs);
  const exprs = values.input_exprs === undefined ? {} : parseInputExprs(values.input_exprs);
  const examples = new Map<string, Uint8Array[]>();
  for (const part of values.input_examples === undefined ? [] : splitExprs(values.input_examples)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input_examples: expected KEY=[{...}, ...], got '${part.slice(0, 100)}'`);
    const key = part.slice(0, eq).trim();
    if (examples.has(key)) throw new UsageError(`--input_examples: input '${key}' given twice`);
    examples.set(key, parseInputExamples(key, part.slice(eq + 1).trim()));
  }
  if (values.overwrite && values.outdir === undefined) throw new UsageError('--overwrite applies to --outdir only');
  const tags = (values.tag_set ?? 'serve').split(',').map((t) => t.trim()).filter(Boolean);
  await quietTfjs();
  const limits: { maxTensorBytes?: number; maxTotalBytes?: number } = {};
  if (values.max_tensor_bytes !== undefined) limits.maxTensorBytes = parseByteSize('max_tensor_bytes', values.max_tensor_bytes);
  if (values.max_total_bytes !== undefined) limits.maxTotalBytes = parseByteSize('max_total_bytes', values.max_total_bytes);
  const inputs = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of await loadInputFiles(fileSpecs, limits.maxTensorBytes ?? DEFAULT_LIMITS.maxTensorBytes, io.err)) inputs[k] = v;
  for (const [k, v] of Object.entries(exprs)) {
    if (k in inputs) io.err(`input_key ${k} has been specified with both --inputs and --input_exprs options. Value in --input_exprs will be used.\n`);
    inputs[k] = v;
  }
  for (const [k, v] of examples) {
    if (k in inputs) io.err(`input_key ${k} has been specified in multiple options. Value in --input_examples will be used.\n`);
    inputs[k] = v;
  }
  const model = await loadSavedModel(dir, { tags, signature: values.signature_def ?? 'serving_default', limits, roundFloat64: values.round_float64 === true });
  try {
    const outputs = await model.run(inputs);
    const keys = Object.keys(outputs).sort();
    const files = values.outdir === undefined ? undefined : await prepareOutputFiles(values.outdir, outputs, values.overwrite === true);
    if (values.json) {
      const json = Object.create(null) as Record<string, unknown>;
      for (const k of keys) {
        const t = outputs[k]!;
        json[k] = {
          dtype: NUMPY_DTYPE[t.tfDtype] ?? t.dtype,
          shape: t.shape,
          values: t.values.map((v) => (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) ? String(v) : v)),
        };
      }
      io.out(JSON.stringify({ outputs: json }) + '\n');
      // stdout stays one JSON document: the "saved to" lines go to stderr
      for (const k of keys) if (files) io.err(`Output ${k} is saved to ${await files.write(k)}\n`);
    } else {
      for (const k of keys) {
        io.out(`Result for output key ${k}:\n${formatTensor(outputs[k]!)}\n`);
        if (files) io.out(`Output ${k} is saved to ${await files.write(k)}\n`);
      }
    }
  } catch (e) {
    if (e instanceof SavedModelError || e instanceof UsageError) throw e;
    // a SavedModelError from another copy of the core package (a bundled savedmodel-js) keeps its code
    const code = (e as { name?: unknown; code?: unknown }).code;
    if ((e as Error).name === 'SavedModelError' && typeof code === 'string') throw new SavedModelError(code as SavedModelErrorCode, (e as Error).message, { cause: e });
    throw new SavedModelError('INVALID_ARGUMENT', `running the signature failed: ${(e as Error).message}`, { cause: e });
  } finally {
    model.dispose();
  }
  return 0;
}
