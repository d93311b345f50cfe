import { SavedModelError, type SavedModelErrorCode } from '@savedmodel-js/core';
import { loadSavedModel, type PlainTensor } from 'savedmodel-js';
import { parse, UsageError } from '../args.js';
import type { Io } from '../main.js';
import { quietTfjs } from '../tfjs.js';
import { parseInputExamples } from '../input-examples.js';

/** numpy's names for TensorFlow dtypes, as saved_model_cli prints results. */
const NUMPY_DTYPE: Record<string, string> = {
  DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_HALF: 'float16', DT_BFLOAT16: 'bfloat16', DT_INT32: 'int32', DT_INT64: 'int64',
  DT_UINT8: 'uint8', DT_INT8: 'int8', DT_INT16: 'int16', DT_UINT16: 'uint16', DT_UINT32: 'uint32', DT_UINT64: 'uint64',
  DT_BOOL: 'bool', DT_STRING: 'object', DT_COMPLEX64: 'complex64', DT_COMPLEX128: 'complex128',
};

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

/** `x=[[1,2,3]]; y=2` → { x: [[1,2,3]], y: 2 }; values are JSON (numbers, strings, booleans, nested arrays). */
export function parseInputExprs(s: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of splitExprs(s)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--input_exprs: expected KEY=VALUE, got '${part}'`);
    const key = part.slice(0, eq).trim();
    const text = part.slice(eq + 1).trim();
    if (key in out) throw new UsageError(`--input_exprs: input '${key}' given twice`);
    try {
      out[key] = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--input_exprs: value of '${key}' is not a JSON number, string, boolean or (nested) array: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Shortest decimal that reads back as the same float32, numpy style ("3." in arrays, "3.0" alone). */
function formatFloat(v: number, inArray: boolean): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  let s = String(v);
  for (let p = 1; p <= 9; p++) {
    const t = v.toPrecision(p);
    if (Math.fround(Number(t)) === Math.fround(v)) { s = String(Number(t)); break; }
  }
  if (/^-?\d+$/.test(s)) s += inArray ? '.' : '.0';
  return s;
}

function formatElement(t: PlainTensor, v: number | boolean | string, inArray: boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `b${JSON.stringify(v)}`;
  return t.dtype === 'float32' ? formatFloat(v, inArray) : String(v);
}

/** numpy-like nested print: `[[2.5 3. 3.5]]`. */
export function formatTensor(t: PlainTensor): string {
  if (t.shape.length === 0) return formatElement(t, t.values[0]!, false);
  let i = 0;
  const rec = (depth: number): string => {
    const n = t.shape[depth]!;
    const items: string[] = [];
    for (let k = 0; k < n; k++) items.push(depth === t.shape.length - 1 ? formatElement(t, t.values[i++]!, true) : rec(depth + 1));
    const sep = depth === t.shape.length - 1 ? ' ' : '\n' + ' '.repeat(depth + 1);
    return `[${items.join(sep)}]`;
  };
  return rec(0);
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {
    tag_set: { type: 'string' }, signature_def: { type: 'string' }, input_exprs: { type: 'string' }, json: { type: 'boolean' },
    input_examples: { type: 'string' },
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
  const model = await loadSavedModel(dir, { tags, signature: values.signature_def ?? 'serving_default' });
  try {
    const outputs = await model.run(inputs);
    const keys = Object.keys(outputs).sort();
    if (values.json) {
      const json: Record<string, unknown> = {};
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
