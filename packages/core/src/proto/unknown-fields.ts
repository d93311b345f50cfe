// Walks protobuf wire bytes with the schema of our .proto files and lists fields they do not
// declare. protobufjs silently skips unknown fields on decode, so this is how we prove that a
// TensorFlow-written file is fully understood (and how `verify` flags newer-TF content).
// It reads the wire format itself over a table of field numbers (field-table.ts): no reflection
// runtime to build, one cursor for the whole walk, and no path string built unless a field is
// reported or an error names it (`savedmodel verify` runs this once, cold: every step counts).
import { guardDecode, SavedModelError } from '../errors.js';
import { messageInfo, type MessageInfo } from './field-table.js';

export interface UnknownField {
  /** Dotted path of message types from the root, e.g. tensorflow.SavedModel.meta_graphs.graph_def */
  path: string;
  field: number;
  wireType: number;
}

const MAX_DEPTH = 100;

/** Throws SavedModelError CORRUPT when the bytes are not well-formed wire data for `typeName`. */
export function findUnknownFields(typeName: string, bytes: Uint8Array, file?: string): UnknownField[] {
  const type = messageInfo(typeName);
  if (!type) throw new SavedModelError('INVALID_ARGUMENT', `no message type ${JSON.stringify(typeName.slice(0, 200))} in our .proto files`);
  const out: UnknownField[] = [];
  guardDecode(file ?? typeName, `${typeName} wire data`, () => walk(type, new Cursor(bytes, 0, bytes.length), { up: null, name: typeName }, out, 0));
  return out;
}

/** Where the walk is: the root type, or a field of the enclosing message. */
interface Where {
  readonly up: Where | null;
  readonly name: string;
}

/** "tensorflow.SavedModel.meta_graphs.graph_def": built only for a report or an error. */
function pathOf(w: Where): string {
  return w.up ? `${pathOf(w.up)}.${w.name}` : w.name;
}

/**
 * A position in `buf` limited to `end`; every read is bounds-checked (TRUNCATED past the end). A
 * nested message narrows `end` while it is walked.
 */
class Cursor {
  constructor(readonly buf: Uint8Array, public pos: number, public end: number) {}

  /** A varint of up to 10 bytes; values past 2^32 are returned modulo 2^32 (tags and lengths check their range). */
  varint(): number {
    let v = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) throw new SavedModelError('TRUNCATED', `varint runs past the end at offset ${this.pos}`);
      const b = this.buf[this.pos++]!;
      if (shift < 32) v |= (b & 0x7f) << shift;
      if (b < 0x80) return v >>> 0;
    }
    throw new SavedModelError('CORRUPT', `varint longer than 10 bytes before offset ${this.pos}`);
  }

  /**
   * A length prefix and the position of the bytes it covers; the cursor moves past them. `what`
   * names the field in the error: its path (+ `suffix`), or its number.
   */
  delimited(what: Where | number, suffix = ''): number {
    const lenPos = this.pos;
    const v = this.varintFull();
    const start = this.pos;
    if (v > this.end - start) {
      const name = typeof what === 'number' ? String(what) : `${pathOf(what)}${suffix}`;
      throw new SavedModelError('TRUNCATED', `length-delimited field ${name} (${v} bytes at offset ${lenPos}) runs past the end of its message`);
    }
    this.pos = start + v;
    return start;
  }

  /** A varint as a Number (exact up to 2^53; lengths beyond any buffer compare as too long). */
  private varintFull(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new SavedModelError('TRUNCATED', `varint runs past the end at offset ${this.pos}`);
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
    throw new SavedModelError('CORRUPT', `varint longer than 10 bytes before offset ${this.pos}`);
  }

  skip(n: number): void {
    if (n > this.end - this.pos) throw new SavedModelError('TRUNCATED', `field runs past the end at offset ${this.pos}`);
    this.pos += n;
  }

  /** Skips one value of wire type `wt` (its tag already read); groups are skipped to their end tag. */
  skipValue(wt: number, field: number, depth: number): void {
    switch (wt) {
      case 0: this.varintFull(); return;
      case 1: this.skip(8); return;
      case 2: this.delimited(field); return;
      case 5: this.skip(4); return;
      case 3: {
        if (depth > MAX_DEPTH) throw new SavedModelError('LIMIT_EXCEEDED', `groups nested deeper than ${MAX_DEPTH}`);
        for (;;) {
          const tag = this.varint();
          const w = tag & 7;
          if (w === 4) {
            if (tag >>> 3 !== field) throw new SavedModelError('CORRUPT', `group ${field} ends with the end tag of ${tag >>> 3} at offset ${this.pos}`);
            return;
          }
          this.skipValue(w, tag >>> 3, depth + 1);
        }
      }
      default:
        throw new SavedModelError('CORRUPT', `invalid wire type ${wt} for field ${field} at offset ${this.pos}`);
    }
  }
}

function walk(type: MessageInfo, c: Cursor, where: Where, out: UnknownField[], depth: number): void {
  if (depth > MAX_DEPTH) throw new SavedModelError('LIMIT_EXCEEDED', `message nesting deeper than ${MAX_DEPTH} at ${pathOf(where)}`);
  const buf = c.buf;
  while (c.pos < c.end) {
    // most tags are one byte
    const b = buf[c.pos]!;
    let tag: number;
    if (b < 0x80) {
      c.pos++;
      tag = b;
    } else tag = c.varint();
    const id = tag >>> 3, wt = tag & 7;
    if (id === 0) throw new SavedModelError('CORRUPT', `field number 0 in ${pathOf(where)} at offset ${c.pos}`);
    const field = type.fields.get(id);
    if (!field) {
      out.push({ path: pathOf(where), field: id, wireType: wt });
      c.skipValue(wt, id, depth);
      continue;
    }
    if (wt !== 2 || (field.message === undefined && !field.map)) {
      c.skipValue(wt, id, depth);
      continue;
    }
    const inner: Where = { up: where, name: field.name };
    const start = c.delimited(inner);
    const after = c.pos, end = c.end;
    c.pos = start;
    c.end = after;
    const child = field.message === undefined ? undefined : messageInfo(field.message)!;
    if (field.map) walkMapEntry(child, c, inner, out, depth + 1);
    else walk(child!, c, inner, out, depth + 1);
    c.pos = after;
    c.end = end;
  }
}

/** A map entry: key = 1, value = 2 (walked when it is a message, `value`); other numbers are unknown. */
function walkMapEntry(value: MessageInfo | undefined, c: Cursor, where: Where, out: UnknownField[], depth: number): void {
  while (c.pos < c.end) {
    const tag = c.varint();
    const id = tag >>> 3, wt = tag & 7;
    if (id === 2 && wt === 2 && value !== undefined) {
      const start = c.delimited(where, '<value>');
      const after = c.pos, end = c.end;
      c.pos = start;
      c.end = after;
      walk(value, c, where, out, depth + 1);
      c.pos = after;
      c.end = end;
    } else if (id === 1 || id === 2) {
      c.skipValue(wt, id, depth);
    } else {
      out.push({ path: `${pathOf(where)}<entry>`, field: id, wireType: wt });
      c.skipValue(wt, id, depth);
    }
  }
}
