import { SavedModelError, type SavedModelErrorCode } from '@savedmodel-js/core';
import { loadSavedModel, type PlainTensor } from 'savedmodel-js';
import { parse, parseByteSize, UsageError } from '../args.js';
import type { Io } from '../main.js';
import { formatNumpy, type NumpyKind } from '../numpy-format.js';
import { quietTfjs } from '../tfjs.js';
import { parseInputExamples } from '../input-examples.js';

/** numpy's names for TensorFlow dtypes, as saved_model_cli prints results. */
const NUMPY_DTYPE: Readonly<Record<string, string>> = Object.freeze({ __proto__: null,
  DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_HALF: 'float16', DT_BFLOAT16: 'bfloat16', DT_INT32: 'int32', DT_INT64: 'int64',
  DT_UINT8: 'uint8', DT_INT8: 'int8', DT_INT16: 'int16', DT_UINT16: 'uint16', DT_UINT32: 'uint32', DT_UINT64: 'uint64',
  DT_BOOL: 'bool', DT_STRING: 'object', DT_COMPLEX64: 'complex64', DT_COMPLEX128: 'complex128',
} as unknown as Record<string, string>);

/** Split `a=[1,2];b="x;y"` on top-level semicolons (not inside brackets or JSON strings). */
export function splitExprs(s: string): string[] {
  const parts: string[] = [];
  let depth = 0, inStr = false, start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ';' && depth === 0) { parts.push(s.slice(start, i)); start = i + 1; }
  }
  parts.push(s.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/**
 * `x=[[1,2,3]]; y=2` → { x: [[1,2,3]], y: 2 }; values are JSON (numbers, strings, booleans, nested
 * arrays). A null-prototype object: inputs may be named `constructor`, `toString` or `__proto__`.
 */
export function parseInputExprs(s: string): Record<string, unknown> {
  const seen = new Map<string, unknown>();
  for (const part of splitExprs(s)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input_exprs: expected KEY=VALUE, got '${part}'`);
    const key = part.slice(0, eq).trim();
    const text = part.slice(eq + 1).trim();
    if (seen.has(key)) throw new UsageError(`--input_exprs: input '${key}' given twice`);
    try {
      seen.set(key, JSON.parse(text));
    } catch (e) {
      throw new UsageError(`--input_exprs: value of '${key}' is not a JSON number, string, boolean or (nested) array: ${(e as Error).message}`);
    }
  }
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of seen) out[k] = v;
  return out;
}

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
    input_examples: { type: 'string' },
    max_tensor_bytes: { type: 'string' }, max_total_bytes: { type: 'string' },
  }, ['DIR']);
  const dir = positionals[0];
  if (!dir) throw new UsageError('missing SavedModel directory');
  const inputs = values.input_exprs === undefined ? {} : parseInputExprs(values.input_exprs);
  for (const part of values.input_examples === undefined ? [] : splitExprs(values.input_examples)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input_examples: expected KEY=[{...}, ...], got '${part.slice(0, 100)}'`);
    const key = part.slice(0, eq).trim();
    if (key in inputs) throw new UsageError(`input '${key}' given twice (--input_exprs / --input_examples)`);
    inputs[key] = parseInputExamples(key, part.slice(eq + 1).trim());
  }
  const tags = (values.tag_set ?? 'serve').split(',').map((t) => t.trim()).filter(Boolean);
  await quietTfjs();
  const limits: { maxTensorBytes?: number; maxTotalBytes?: number } = {};
  if (values.max_tensor_bytes !== undefined) limits.maxTensorBytes = parseByteSize('max_tensor_bytes', values.max_tensor_bytes);
  if (values.max_total_bytes !== undefined) limits.maxTotalBytes = parseByteSize('max_total_bytes', values.max_total_bytes);
  const model = await loadSavedModel(dir, { tags, signature: values.signature_def ?? 'serving_default', limits });
  try {
    const outputs = await model.run(inputs);
    const keys = Object.keys(outputs).sort();
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
    } else {
      for (const k of keys) io.out(`Result for output key ${k}:\n${formatTensor(outputs[k]!)}\n`);
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
