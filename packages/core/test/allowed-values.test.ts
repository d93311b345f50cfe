// allowed_values rules (registry/allowed-values.ts), shared by the tracer's emit check and the
// graph validator. Expected sets are read straight from ops.pbtxt's text, not through our parser.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorflow } from '../src/proto/index.js';
import { getOpDef, loadOpRegistry } from '../src/registry/index.js';
import { allowedValuesOf, valuesOutside } from '../src/registry/allowed-values.js';
import { OPS_PBTXT } from './shared.js';

const text = readFileSync(OPS_PBTXT, 'utf8');

/** The `allowed_values { list { … } }` entries of attr `attr` of op `op`, as written in ops.pbtxt. */
function allowedInText(op: string, attr: string): string[] {
  const start = text.indexOf(`\n  name: "${op}"\n`);
  expect(start, `op ${op} in ops.pbtxt`).toBeGreaterThan(0);
  const end = text.indexOf('\nop {', start);
  const body = text.slice(start, end < 0 ? undefined : end);
  const a = body.indexOf(`    name: "${attr}"\n`);
  expect(a, `attr ${attr} of ${op}`).toBeGreaterThan(0);
  const block = body.slice(a, body.indexOf('\n  }\n', a));
  const list = /allowed_values \{\s*list \{([^}]*)\}/.exec(block);
  expect(list, `allowed_values of ${op}.${attr}`).not.toBeNull();
  return [...list![1]!.matchAll(/(?:s|type): "?([A-Za-z0-9_]+)"?/g)].map((m) => m[1]!);
}

const attrDef = (op: string, name: string) => getOpDef(op)!.attr!.find((a) => a.name === name)!;
const bytes = (s: string) => new TextEncoder().encode(s);
const dt = (name: string) => (tensorflow.DataType as unknown as Record<string, number>)[name]!;

describe('allowed_values rules', () => {
  beforeAll(async () => { await loadOpRegistry(); });

  it('a string attr: Conv2D padding holds exactly the strings ops.pbtxt lists; values outside come back as text', () => {
    const rule = allowedValuesOf(attrDef('Conv2D', 'padding'))!;
    expect(rule).toMatchObject({ name: 'padding', kind: 'string', list: false });
    expect([...rule.strings].sort()).toEqual(allowedInText('Conv2D', 'padding').sort());
    expect(valuesOutside(rule, { s: bytes('SAME') })).toEqual([]);
    expect(valuesOutside(rule, { s: bytes('same') })).toEqual(['same']);
    // non-ASCII bytes never match TensorFlow's ASCII strings
    expect(valuesOutside(rule, { s: bytes('SAMÉ') })).toHaveLength(1);
    // a value in another member than the declared type's holds nothing to check here
    expect(valuesOutside(rule, { list: { s: [bytes('FOO')] } })).toEqual([]);
  });

  it('a list(type) attr: DecodeCSV OUT_TYPE holds the listed dtypes; each value outside is reported in order', () => {
    const rule = allowedValuesOf(attrDef('DecodeCSV', 'OUT_TYPE'))!;
    expect(rule).toMatchObject({ name: 'OUT_TYPE', kind: 'type', list: true });
    expect([...rule.types].sort()).toEqual(allowedInText('DecodeCSV', 'OUT_TYPE').map(dt).sort());
    const bool = dt('DT_BOOL'), half = dt('DT_HALF');
    expect(valuesOutside(rule, { list: { type: [dt('DT_FLOAT'), bool, dt('DT_STRING'), half] } })).toEqual([bool, half]);
    expect(valuesOutside(rule, { list: { type: [] } })).toEqual([]);
  });

  it('one rule per AttrDef, made once; attrs without allowed_values (or of other types) have none', () => {
    const a = attrDef('Conv2D', 'padding');
    expect(allowedValuesOf(a)).toBe(allowedValuesOf(a));
    expect(allowedValuesOf(attrDef('Conv2D', 'strides'))).toBeNull();
    expect(allowedValuesOf({ name: 'x', type: 'int', allowed_values: { list: { i: [1, 2] } } })).toBeNull();
  });
});
