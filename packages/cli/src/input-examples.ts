// `--input_examples 'inputs=[{"x":[8.0]},{"x":[2.0]}]'` as saved_model_cli has it: each key takes a
// list of dicts of feature name → list of values, serialized as tf.train.Example strings. As in
// saved_model_cli (Python literals), a feature whose first value is written as an integer (`8`) is
// an int64_list, one written with a point or exponent (`8.0`) a float_list, strings a bytes_list.
import { serializeExamples, type ExampleInput } from 'savedmodel-js';
import { UsageError } from './args.js';

type Lit = number | string | { int: number } | Lit[] | { [k: string]: Lit };

/** A JSON / Python-literal subset parser that keeps whether a number was written as an integer. */
function parseLiteral(text: string, what: string): Lit {
  let i = 0;
  const fail = (msg: string): never => { throw new UsageError(`${what}: ${msg} at offset ${i}`); };
  const ws = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const value = (): Lit => {
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      const out: Lit[] = [];
      ws();
      if (text[i] === ']') { i++; return out; }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ',') { i++; ws(); if (text[i] === ']') { i++; return out; } continue; }
        if (text[i] === ']') { i++; return out; }
        fail("expected ',' or ']'");
      }
    }
    if (c === '{') {
      i++;
      const out: { [k: string]: Lit } = {};
      ws();
      if (text[i] === '}') { i++; return out; }
      for (;;) {
        ws();
        const k = value();
        if (typeof k !== 'string') fail('feature names must be strings');
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        out[k as string] = value();
        ws();
        if (text[i] === ',') { i++; ws(); if (text[i] === '}') { i++; return out; } continue; }
        if (text[i] === '}') { i++; return out; }
        fail("expected ',' or '}'");
      }
    }
    if (c === '"' || c === "'") {
      const q = c;
      let s = '';
      i++;
      while (i < text.length && text[i] !== q) {
        if (text[i] === '\\') { i++; const e = text[i] ?? ''; s += e === 'n' ? '\n' : e === 't' ? '\t' : e; } else s += text[i];
        i++;
      }
      if (text[i] !== q) fail('unterminated string');
      i++;
      return s;
    }
    const m = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail('expected a value');
    i += m[0].length;
    const n = Number(m[0]);
    return /[.eE]/.test(m[0]) ? n : { int: n };
  };
  const v = value();
  ws();
  if (i !== text.length) fail('unexpected text after the value');
  return v;
}

function isInt(x: Lit): x is { int: number } {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && typeof (x as { int?: unknown }).int === 'number' && Object.keys(x).length === 1;
}

/** One `key=[{...}, ...]` value → serialized Examples. */
export function parseInputExamples(key: string, text: string): Uint8Array[] {
  const what = `--input_examples: '${key}'`;
  const list = parseLiteral(text, what);
  if (!Array.isArray(list)) throw new UsageError(`${what}: expected a list of dicts of feature name to list of values`);
  return list.flatMap((ex, n) => {
    if (typeof ex !== 'object' || ex === null || Array.isArray(ex) || isInt(ex)) throw new UsageError(`${what}: example ${n} is not a dict`);
    const plain: ExampleInput = {};
    const int64: string[] = [];
    for (const [name, values] of Object.entries(ex)) {
      if (!Array.isArray(values)) throw new UsageError(`${what}: feature '${name}' of example ${n} must be a list`);
      if (values.length > 0 && isInt(values[0]!)) int64.push(name);
      plain[name] = values.map((v) => {
        if (isInt(v)) return v.int;
        if (typeof v === 'number' || typeof v === 'string') return v;
        throw new UsageError(`${what}: feature '${name}' of example ${n} holds a nested value`);
      });
    }
    return serializeExamples([plain], { int64 });
  });
}
