// An attr's allowed_values (the dtypes or strings an OpDef restricts it to; TensorFlow rejects a
// node outside them), as one rule shared by the tracer's emit-time check and the graph validator.
// Strings compare as latin1 text: TensorFlow's allowed strings (padding, data_format, …) are
// ASCII, so any byte outside ASCII is simply not allowed, and no decoder is needed.
import { latin1 } from '../bytes.js';
import type { tensorflow } from '../proto/index.js';

export interface AllowedValues {
  /** The attr's name. */
  readonly name: string;
  /** 'type' for type / list(type) attrs (values are DataType numbers), 'string' for string / list(string). */
  readonly kind: 'type' | 'string';
  /** A list(…) attr: its values are in AttrValue.list, else in the scalar member. */
  readonly list: boolean;
  readonly types: ReadonlySet<number>;
  readonly strings: ReadonlySet<string>;
}

// OpDefs are immutable and shared (getOpDef, the newest registry): each AttrDef's rule is made
// once, on first use, and goes with its AttrDef.
const rules = new WeakMap<tensorflow.OpDef.IAttrDef, AllowedValues | null>();
const NONE: ReadonlySet<never> = new Set();

/** An attr's string value as text: bytes as latin1, a string as it is. */
function text(b: Uint8Array | string | null | undefined): string {
  if (b == null) return '';
  return typeof b === 'string' ? b : latin1(b);
}

/** The allowed_values rule of `a`, or null when it has none (or is of a type allowed_values does not restrict). */
export function allowedValuesOf(a: tensorflow.OpDef.IAttrDef): AllowedValues | null {
  let rule = rules.get(a);
  if (rule !== undefined) return rule;
  const list = a.allowed_values?.list;
  rule = null;
  if (list) {
    if (a.type === 'type' || a.type === 'list(type)') {
      rule = { name: a.name ?? '', kind: 'type', list: a.type === 'list(type)', types: new Set((list.type ?? []).map(Number)), strings: NONE };
    } else if (a.type === 'string' || a.type === 'list(string)') {
      rule = { name: a.name ?? '', kind: 'string', list: a.type === 'list(string)', types: NONE, strings: new Set((list.s ?? []).map(text)) };
    }
  }
  rules.set(a, rule);
  return rule;
}

/**
 * The values `v` sets that are outside `rule`, in order: DataType numbers for a type rule,
 * latin1 strings for a string rule, read from the member the attr's declared type uses (an unset
 * one holds nothing). Empty when every value is allowed.
 */
export function valuesOutside(rule: AllowedValues, v: tensorflow.IAttrValue): Array<number | string> {
  const out: Array<number | string> = [];
  if (rule.kind === 'type') {
    const ts = rule.list ? (v.list?.type ?? []) : v.type != null ? [v.type] : [];
    for (const t of ts) if (!rule.types.has(Number(t))) out.push(Number(t));
  } else {
    const ss = rule.list ? (v.list?.s ?? []) : v.s != null ? [v.s] : [];
    for (const b of ss) {
      const s = text(b);
      if (!rule.strings.has(s)) out.push(s);
    }
  }
  return out;
}
