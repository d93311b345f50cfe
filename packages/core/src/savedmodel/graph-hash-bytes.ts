// graph_def_program_hash without encoding the graph a second time: the regularized GraphDef's
// deterministic bytes are spliced from the saved_model.pb bytes just written (the bytes of every
// node regularization leaves alone, fresh encodings of the few it changes, empty `library` and
// `versions`). Falls back (undefined) whenever the bytes are not laid out as expected.
import { concatChunks } from '../io/file-source.js';
import { encodeDeterministic, tensorflow } from '../proto/index.js';

interface Field { num: number; start: number; end: number; valueStart: number }

/** Top-level fields of the message in b[start, end), or undefined on anything unexpected. */
function fieldsOf(b: Uint8Array, start: number, end: number): Field[] | undefined {
  const out: Field[] = [];
  let p = start;
  const varint = (): number | undefined => {
    let v = 0, mul = 1;
    for (let i = 0; i < 10 && p < end; i++) {
      const x = b[p++]!;
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 128;
    }
    return undefined;
  };
  while (p < end) {
    const fs = p;
    const tag = varint();
    if (tag === undefined) return undefined;
    const wire = tag % 8, num = Math.floor(tag / 8);
    if (wire === 0) { if (varint() === undefined) return undefined; out.push({ num, start: fs, end: p, valueStart: p }); continue; }
    if (wire === 2) {
      const len = varint();
      if (len === undefined || len > end - p) return undefined;
      out.push({ num, start: fs, end: p + len, valueStart: p });
      p += len;
      continue;
    }
    if (wire === 1) { p += 8; } else if (wire === 5) { p += 4; } else return undefined;
    if (p > end) return undefined;
    out.push({ num, start: fs, end: p, valueStart: p });
  }
  return out;
}

function lengthDelimited(tag: number, payload: Uint8Array): Uint8Array[] {
  const head: number[] = [tag];
  let n = payload.length;
  while (n >= 0x80) { head.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  head.push(n);
  return [Uint8Array.from(head), payload];
}

/**
 * Deterministic bytes of `regularized` (regularizeGraphDef of meta_graphs[0].graph_def, node for
 * node: `same[i]` says node i is unchanged) taken from `encoded`, the deterministic encoding of
 * the SavedModel; undefined when the splice cannot be trusted.
 */
export function regularizedGraphBytes(encoded: Uint8Array, regularized: tensorflow.IGraphDef, same: readonly boolean[]): Uint8Array | undefined {
  const top = fieldsOf(encoded, 0, encoded.length);
  const mgField = top?.find((f) => f.num === 2);
  if (!mgField) return undefined;
  const mg = fieldsOf(encoded, mgField.valueStart, mgField.end);
  const graphFields = mg?.filter((f) => f.num === 2);
  if (!graphFields || graphFields.length > 1) return undefined;
  const g = graphFields[0] ? fieldsOf(encoded, graphFields[0].valueStart, graphFields[0].end) : [];
  if (!g || g.some((f) => f.num < 1 || f.num > 4)) return undefined;
  const nodes = g.filter((f) => f.num === 1);
  const list = regularized.node ?? [];
  if (nodes.length !== list.length || same.length !== list.length) return undefined;
  const parts: Uint8Array[] = [];
  nodes.forEach((f, i) => {
    if (same[i]) parts.push(encoded.subarray(f.start, f.end));
    else parts.push(...lengthDelimited(0x0a, encodeDeterministic('tensorflow.NodeDef', tensorflow.NodeDef, list[i] as tensorflow.NodeDef)));
  });
  parts.push(Uint8Array.of(0x12, 0)); // library: present, empty
  for (const f of g) if (f.num === 3) parts.push(encoded.subarray(f.start, f.end));
  parts.push(Uint8Array.of(0x22, 0)); // versions: present, empty
  return concatChunks(parts);
}
