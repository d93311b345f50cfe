// One attr value checked against its AttrDef: the kind of value its declared type needs (a list
// of the right element kind for list(...) types), allowed_values, and the minimum; a placeholder
// only inside a function. Problems come back as data for the graph validator to report.
import type { Long } from '../proto/long.js';
import { tensorflow } from '../proto/index.js';
import { allowedValuesOf, valuesOutside } from './allowed-values.js';
import type { FindingCode } from './validate-findings.js';

export interface AttrProblem {
  code: Extract<FindingCode, 'ATTR_TYPE' | 'ATTR_NOT_ALLOWED' | 'ATTR_MINIMUM'>;
  message: string;
}

export const dtName = (t: number | undefined): string => {
  if (t === undefined) return '?';
  const e = tensorflow.DataType as unknown as Record<string, number>;
  for (const [k, v] of Object.entries(e)) if (v === t) return k;
  return String(t);
};
export const toNum = (v: number | Long | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

/** Which AttrValue oneof member is set. */
function valueCase(v: tensorflow.IAttrValue): string | null {
  for (const k of ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'placeholder', 'func'] as const) if (v[k] != null) return k;
  return null;
}

const SCALAR_ATTR_TYPES: Record<string, string> = {
  string: 's', int: 'i', float: 'f', bool: 'b', type: 'type', shape: 'shape', tensor: 'tensor', func: 'func',
};

/** Non-empty members of a ListValue. */
export function listCases(l: tensorflow.AttrValue.IListValue): string[] {
  const out: string[] = [];
  for (const k of ['s', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'func'] as const) {
    const x = l[k];
    if (x && x.length) out.push(k);
  }
  return out;
}

function listLength(l: tensorflow.AttrValue.IListValue): number {
  let n = 0;
  for (const k of ['s', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'func'] as const) n = Math.max(n, l[k]?.length ?? 0);
  return n;
}

/** "list(int)" → the match of /^list\((\w+)\)$/ (element type in [1]); null for other types. Memoized: few distinct types. */
const listTypes = new Map<string, RegExpExecArray | null>();
function listAttrType(type: string): RegExpExecArray | null {
  let m = listTypes.get(type);
  if (m === undefined) {
    m = /^list\((\w+)\)$/.exec(type);
    if (listTypes.size < 256) listTypes.set(type, m);
  }
  return m;
}

const NONE: readonly AttrProblem[] = Object.freeze([]);

/**
 * What is wrong with value `v` of attr `a` of a node of op `op` (in a function body when
 * `inFunction`, where a placeholder is allowed); empty when nothing is.
 */
/**
 * Whether `v` is the kind of value attr `a` declares (a list of the right element kind for
 * list(...) types; a placeholder only inside a function): a message when it is not.
 */
export function attrKindProblem(a: tensorflow.OpDef.IAttrDef, v: tensorflow.IAttrValue, inFunction: boolean): string | undefined {
  const type = a.type ?? '';
  const c = valueCase(v);
  const label = `attr ${JSON.stringify(a.name ?? '')}`;
  if (c === 'placeholder') return inFunction ? undefined : `${label} is a placeholder ("${v.placeholder}") outside a function`;
  const m = listAttrType(type);
  if (m) {
    if (c !== 'list') return `${label} should be a ${type}, got ${c ?? 'no value'}`;
    const want = SCALAR_ATTR_TYPES[m[1]!];
    const wrong = listCases(v.list!).filter((k) => k !== want);
    if (wrong.length) return `${label} should be a ${type}, but its list holds ${wrong.join(', ')} values`;
  } else if (SCALAR_ATTR_TYPES[type] !== undefined && c !== SCALAR_ATTR_TYPES[type]) {
    return `${label} should be a ${type}, got ${c === null ? 'no value' : c === 'list' ? 'a list' : `${c} value`}`;
  } // other declared types ("any"?): not checked
  return undefined;
}

export function attrValueProblems(a: tensorflow.OpDef.IAttrDef, v: tensorflow.IAttrValue, op: string, inFunction: boolean): readonly AttrProblem[] {
  let out: AttrProblem[] | undefined; // most values are fine: nothing allocated for them
  const report = (code: AttrProblem['code'], message: string) => { (out ??= []).push({ code, message }); };
  const type = a.type ?? '';
  const label = `attr ${JSON.stringify(a.name ?? '')}`;
  const kind = attrKindProblem(a, v, inFunction);
  if (kind !== undefined) return [{ code: 'ATTR_TYPE', message: kind }];
  if (valueCase(v) === 'placeholder') return NONE; // value comes from the enclosing function's attrs
  const m = listAttrType(type);
  // allowed_values
  const rule = allowedValuesOf(a);
  if (rule) {
    for (const x of valuesOutside(rule, v)) {
      const shown = rule.kind === 'type' ? dtName(x as number) : JSON.stringify(x);
      const all = rule.kind === 'type' ? [...rule.types].map(dtName) : [...rule.strings].map((y) => JSON.stringify(y));
      report('ATTR_NOT_ALLOWED', `${label} = ${shown} is not allowed for op ${op} (allowed: ${all.join(', ')})`);
    }
  }
  // minimum
  if (a.has_minimum) {
    const min = toNum(a.minimum);
    if (type === 'int') {
      const x = toNum(v.i);
      if (x < min) report('ATTR_MINIMUM', `${label} = ${x} is below the minimum ${min}`);
    } else if (m) {
      const len = listLength(v.list!);
      if (len < min) report('ATTR_MINIMUM', `${label} has ${len} elements, fewer than the minimum ${min}`);
    }
  }
  return out ?? NONE;
}
