// Protobuf text format parser, reflection-driven (any message type in reflectionRoot()).
// Produces a plain object that the static protobufjs encoders accept: snake_case field names,
// int64 as Long, bytes as Uint8Array, enums as numbers, maps as objects keyed by the key's
// decimal/string form. Implicit-presence (proto3) scalars equal to their default are left out,
// so encoding gives the bytes protoc --encode gives.
//
// Accepted syntax (what protoc accepts, plus two extensions noted):
// - `#` comments; `name: value`, `name { … }`, `name: { … }`, `name < … >`; optional `,`/`;`
//   after a field; `name: [v1, v2]` for repeated scalars and `name [ {…}, {…} ]` for repeated
//   messages; enum values by name or number; adjacent string literals concatenate; string
//   escapes \a\b\f\n\r\t\v\\\?\'\" octal \ooo, hex \xHH, \uXXXX, \UXXXXXXXX; integers in
//   decimal, 0x hex and 0 octal; negative numbers; inf/infinity/nan (any case) for floats;
//   maps as repeated `{ key: … value: … }` entries;
// - google.protobuf.Any in expanded form `[type.googleapis.com/pkg.Msg] { … }`;
// - extension: fields given by number (`4 { 1: "x" }`, as protoc prints fields unknown to its
//   .proto files), where length-delimited values printed as strings are decoded as packed
//   scalars / sub-messages and varints/fixed values are taken as raw wire values.
// Every error is a SavedModelError('CORRUPT') naming file:line:column.
import protobuf from 'protobufjs/light.js';
import { asBytes } from '../bytes.js';
import { SavedModelError } from '../errors.js';
import { fullName, hasExplicitPresence, resolveMessageType } from './reflect.js';
import { type ScalarSpec, decodeMessageBytes, decodePacked, defaultFor, encodeMessage, intRange, intValue, isDefault, mapKeyString, parseIntText, rawWireValue } from './scalar-values.js';
import { type Token, Tokenizer } from './tokenizer.js';

export interface ParseTextFormatOptions {
  /** File name used in error messages (and SavedModelError.file). */
  file?: string;
  /** Accept field numbers in place of names (protoc's output for unknown fields). Default true. */
  allowFieldNumbers?: boolean;
  /** Maximum message nesting. Default 100 (protobuf's default recursion limit). */
  maxDepth?: number;
  /** Longest string / bytes value (adjacent literals together), decoded. Default 64 MiB; beyond: LIMIT_EXCEEDED. */
  maxStringBytes?: number;
}

type Msg = Record<string, unknown>;

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Parse protobuf text format into a plain message object of type `typeName`
 * (e.g. "tensorflow.SavedModel"). `options` may be just a file name for messages.
 */
export function parseTextFormat(typeName: string, text: string | Uint8Array, options: string | ParseTextFormatOptions = {}): Msg {
  const opts: ParseTextFormatOptions = typeof options === 'string' ? { file: options } : options;
  const type = resolveMessageType(typeName);
  try {
    let src: string;
    if (typeof text === 'string') src = text;
    else {
      try {
        src = utf8Strict.decode(asBytes(text, opts.file ?? 'text format input'));
      } catch {
        throw new SavedModelError('CORRUPT', 'text format: input is not valid UTF-8', opts.file !== undefined ? { file: opts.file } : {});
      }
    }
    const p = new Parser(new Tokenizer(src, opts.file, opts.maxStringBytes), opts);
    const msg: Msg = {};
    p.parseBody(type, msg, null, 0);
    return msg;
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    const m = e instanceof Error ? e.message : String(e);
    throw new SavedModelError('CORRUPT', `text format: cannot parse ${typeName}: ${m}`, { ...(opts.file !== undefined ? { file: opts.file } : {}), cause: e });
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of input';
  const s = t.text.length > 40 ? t.text.slice(0, 40) + '…' : t.text;
  return `"${s}"`;
}

class Parser {
  private readonly allowNumbers: boolean;
  private readonly maxDepth: number;

  constructor(
    private readonly tok: Tokenizer,
    opts: ParseTextFormatOptions,
  ) {
    this.allowNumbers = opts.allowFieldNumbers ?? true;
    this.maxDepth = opts.maxDepth ?? 100;
  }

  private err(msg: string, t?: Token): SavedModelError {
    return this.tok.error(msg, t);
  }

  private isSym(t: Token, s: string): boolean {
    return t.kind === 'sym' && t.text === s;
  }

  private expectSym(s: string): Token {
    const t = this.tok.next();
    if (!this.isSym(t, s)) throw this.err(`expected "${s}", found ${describe(t)}`, t);
    return t;
  }

  private trySym(s: string): boolean {
    if (this.isSym(this.tok.peek(), s)) {
      this.tok.next();
      return true;
    }
    return false;
  }

  /** Fields until `close` ("}" / ">") or, at top level (close null), end of input. */
  parseBody(type: protobuf.Type, msg: Msg, close: string | null, depth: number): void {
    if (depth > this.maxDepth) throw this.err(`message nesting deeper than ${this.maxDepth}`, this.tok.peek());
    const seen = new Set<string>();
    const oneofs = new Map<string, string>();
    for (;;) {
      const t = this.tok.peek();
      if (t.kind === 'eof') {
        if (close !== null) throw this.err(`unexpected end of input: expected "${close}" to close message ${fullName(type)}`, t);
        return;
      }
      if (close !== null && this.isSym(t, close)) {
        this.tok.next();
        return;
      }
      this.parseField(type, msg, seen, oneofs, depth);
      if (!this.trySym(';')) this.trySym(',');
    }
  }

  private parseField(type: protobuf.Type, msg: Msg, seen: Set<string>, oneofs: Map<string, string>, depth: number): void {
    const t = this.tok.next();
    let field: protobuf.Field | undefined;
    let byNumber = false;
    if (t.kind === 'ident') {
      field = type.fields[t.text];
      if (!field) throw this.err(`message type ${fullName(type)} has no field named "${t.text}"`, t);
    } else if (t.kind === 'int' && this.allowNumbers && /^[1-9]\d{0,9}$/.test(t.text)) {
      field = type.fieldsById[Number(t.text)];
      byNumber = true;
      if (!field) throw this.err(`message type ${fullName(type)} has no field number ${t.text}`, t);
    } else if (this.isSym(t, '[')) {
      this.parseBracketName(type, msg, seen, t, depth);
      return;
    } else {
      throw this.err(`expected a field name, found ${describe(t)}`, t);
    }
    field.resolve();
    if (!field.repeated && !field.map) {
      if (seen.has(field.name)) throw this.err(`non-repeated field "${field.name}" is specified multiple times`, t);
      seen.add(field.name);
    }
    if (field.partOf) {
      const other = oneofs.get(field.partOf.name);
      if (other !== undefined && other !== field.name) {
        throw this.err(`field "${field.name}" is specified along with field "${other}", another member of oneof "${field.partOf.name}"`, t);
      }
      oneofs.set(field.partOf.name, field.name);
    }
    const rt = field.resolvedType;
    if (field.map || rt instanceof protobuf.Type) {
      this.trySym(':');
      const v = this.tok.peek();
      if (this.isSym(v, '[')) {
        if (!field.repeated && !field.map) throw this.err(`field "${field.name}" is not repeated; a list is not allowed`, v);
        this.tok.next();
        if (!this.trySym(']')) {
          for (;;) {
            this.parseMessageValue(field, msg, depth);
            if (this.trySym(']')) break;
            this.expectSym(',');
          }
        }
        if (field.map) msg[field.name] ??= {};
        else msg[field.name] ??= [];
      } else if (byNumber && v.kind === 'string' && !field.map) {
        // protoc prints an unknown length-delimited field as a string when it does not parse as a message
        const bytes = this.concatStrings();
        this.storeMessage(field, msg, decodeMessageBytes(rt as protobuf.Type, bytes, (m) => this.err(m, v)));
      } else {
        this.parseMessageValue(field, msg, depth);
      }
      return;
    }
    // scalar
    const colon = this.tok.next();
    if (!this.isSym(colon, ':')) throw this.err(`expected ":" after scalar field "${field.name}", found ${describe(colon)}`, colon);
    const spec: ScalarSpec = { type: field.type, enumType: rt instanceof protobuf.Enum ? rt : null, what: `field "${field.name}"` };
    const v = this.tok.peek();
    if (this.isSym(v, '[')) {
      if (!field.repeated) throw this.err(`field "${field.name}" is not repeated; a list is not allowed`, v);
      this.tok.next();
      const arr = (msg[field.name] ??= []) as unknown[];
      if (!this.trySym(']')) {
        for (;;) {
          arr.push(this.parseScalar(spec, byNumber));
          if (this.trySym(']')) break;
          this.expectSym(',');
        }
      }
      return;
    }
    if (byNumber && v.kind === 'string' && field.type !== 'string' && field.type !== 'bytes') {
      // a packed repeated field printed by protoc as an unknown length-delimited field
      if (!field.repeated) throw this.err(`field "${field.name}" (number ${field.id}) is a scalar; a byte string is not a valid value`, v);
      const bytes = this.concatStrings();
      const arr = (msg[field.name] ??= []) as unknown[];
      for (const x of decodePacked(field.type, spec.enumType !== null, bytes, (m) => this.err(m, v))) arr.push(x);
      return;
    }
    const value = this.parseScalar(spec, byNumber);
    if (field.repeated) {
      ((msg[field.name] ??= []) as unknown[]).push(value);
    } else if (hasExplicitPresence(field) || !isDefault(value)) {
      msg[field.name] = value;
    }
  }

  /** `[type.googleapis.com/pkg.Msg] { … }` inside google.protobuf.Any; extensions are not supported. */
  private parseBracketName(type: protobuf.Type, msg: Msg, seen: Set<string>, open: Token, depth: number): void {
    let name = '';
    for (;;) {
      const t = this.tok.next();
      if (this.isSym(t, ']')) break;
      if (t.kind === 'ident' || t.kind === 'int' || (t.kind === 'sym' && (t.text === '.' || t.text === '/' || t.text === '-'))) {
        name += t.text;
        if (name.length > 1000) throw this.err('type name in [...] is too long', open);
        continue;
      }
      throw this.err(`unexpected ${describe(t)} in [${name}`, t);
    }
    if (fullName(type) !== 'google.protobuf.Any' || !name.includes('/')) {
      throw this.err(`extensions are not supported ([${name}] in ${fullName(type)})`, open);
    }
    if (seen.has('type_url') || seen.has('value')) throw this.err('google.protobuf.Any given both expanded and as type_url/value', open);
    seen.add('type_url');
    seen.add('value');
    const inner = name.slice(name.lastIndexOf('/') + 1);
    let innerType: protobuf.Type;
    try {
      innerType = resolveMessageType(inner);
    } catch {
      throw this.err(`unknown message type "${inner}" in Any`, open);
    }
    this.trySym(':');
    const sub: Msg = {};
    const o = this.tok.next();
    if (this.isSym(o, '{')) this.parseBody(innerType, sub, '}', depth + 1);
    else if (this.isSym(o, '<')) this.parseBody(innerType, sub, '>', depth + 1);
    else throw this.err(`expected "{" or "<", found ${describe(o)}`, o);
    msg.type_url = name;
    msg.value = encodeMessage(innerType, sub);
  }

  private parseMessageValue(field: protobuf.Field, msg: Msg, depth: number): void {
    const o = this.tok.next();
    let close: string;
    if (this.isSym(o, '{')) close = '}';
    else if (this.isSym(o, '<')) close = '>';
    else throw this.err(`expected "{" or "<" to start ${field.map ? 'map entry' : 'message'} "${field.name}", found ${describe(o)}`, o);
    if (field.map) {
      this.parseMapEntry(field as unknown as protobuf.MapField, msg, close, depth + 1);
      return;
    }
    const sub: Msg = {};
    this.parseBody(field.resolvedType as protobuf.Type, sub, close, depth + 1);
    this.storeMessage(field, msg, sub);
  }

  private storeMessage(field: protobuf.Field, msg: Msg, sub: Msg): void {
    if (field.repeated) ((msg[field.name] ??= []) as unknown[]).push(sub);
    else msg[field.name] = sub;
  }

  private parseMapEntry(field: protobuf.MapField, msg: Msg, close: string, depth: number): void {
    if (depth > this.maxDepth) throw this.err(`message nesting deeper than ${this.maxDepth}`, this.tok.peek());
    const keySpec: ScalarSpec = { type: field.keyType, enumType: null, what: `key of map "${field.name}"` };
    const rt = field.resolvedType;
    const valSpec: ScalarSpec = { type: field.type, enumType: rt instanceof protobuf.Enum ? rt : null, what: `value of map "${field.name}"` };
    let key: unknown, value: unknown;
    let hasKey = false, hasValue = false;
    for (;;) {
      const t = this.tok.next();
      if (this.isSym(t, close)) break;
      if (t.kind === 'eof') throw this.err(`unexpected end of input: expected "${close}" to close map entry "${field.name}"`, t);
      const isKey = (t.kind === 'ident' && t.text === 'key') || (this.allowNumbers && t.kind === 'int' && t.text === '1');
      const isValue = (t.kind === 'ident' && t.text === 'value') || (this.allowNumbers && t.kind === 'int' && t.text === '2');
      const byNumber = t.kind === 'int';
      if (isKey) {
        if (hasKey) throw this.err(`map entry "${field.name}" has "key" twice`, t);
        hasKey = true;
        this.expectSym(':');
        key = this.parseScalar(keySpec, byNumber);
      } else if (isValue) {
        if (hasValue) throw this.err(`map entry "${field.name}" has "value" twice`, t);
        hasValue = true;
        if (rt instanceof protobuf.Type) {
          this.trySym(':');
          const sub: Msg = {};
          const v = this.tok.peek();
          if (byNumber && v.kind === 'string') {
            value = decodeMessageBytes(rt, this.concatStrings(), (m) => this.err(m, v));
          } else {
            const o = this.tok.next();
            if (this.isSym(o, '{')) this.parseBody(rt, sub, '}', depth + 1);
            else if (this.isSym(o, '<')) this.parseBody(rt, sub, '>', depth + 1);
            else throw this.err(`expected "{" or "<" for the value of map "${field.name}", found ${describe(o)}`, o);
            value = sub;
          }
        } else {
          this.expectSym(':');
          value = this.parseScalar(valSpec, byNumber);
        }
      } else {
        throw this.err(`map entry "${field.name}" has no field ${describe(t)} (only key and value)`, t);
      }
      if (!this.trySym(';')) this.trySym(',');
    }
    if (!hasKey) key = defaultFor(keySpec);
    if (!hasValue) value = rt instanceof protobuf.Type ? {} : defaultFor(valSpec);
    const obj = (msg[field.name] ??= {}) as Msg;
    obj[mapKeyString(key)] = value;
  }

  private concatStrings(): Uint8Array {
    const parts: Uint8Array[] = [];
    let n = 0;
    while (this.tok.peek().kind === 'string') {
      const t = this.tok.next();
      const b = t.bytes!;
      parts.push(b);
      n += b.length;
      if (n > this.tok.maxStringBytes) throw this.tok.stringTooLong(t);
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  private parseScalar(spec: ScalarSpec, byNumber: boolean): unknown {
    const { type } = spec;
    if (type === 'string' || type === 'bytes') {
      const t = this.tok.peek();
      if (t.kind !== 'string') throw this.err(`expected a string for ${spec.what}, found ${describe(t)}`, t);
      const bytes = this.concatStrings();
      if (type === 'bytes') return bytes;
      try {
        return utf8Strict.decode(bytes);
      } catch {
        throw this.err(`string ${spec.what} is not valid UTF-8 (use a bytes field for binary data)`, t);
      }
    }
    const neg = this.trySym('-');
    const t = this.tok.next();
    if (byNumber && !neg && t.kind === 'int') return rawWireValue(spec, parseIntText(t.text), t.text, (m) => this.err(m, t));
    if (spec.enumType) {
      if (t.kind === 'ident' && !neg) {
        const v = spec.enumType.values[t.text];
        if (v === undefined) throw this.err(`unknown enumeration value "${t.text}" for ${spec.what} (enum ${fullName(spec.enumType)})`, t);
        return v;
      }
      if (t.kind === 'int') {
        const v = (neg ? -1n : 1n) * parseIntText(t.text);
        if (v < -(2n ** 31n) || v >= 2n ** 31n) throw this.err(`enum value out of range for ${spec.what}: ${neg ? '-' : ''}${t.text}`, t);
        return Number(v);
      }
      throw this.err(`expected an enum name or number for ${spec.what}, found ${describe(t)}`, t);
    }
    if (type === 'bool') {
      if (t.kind === 'ident' && !neg) {
        if (t.text === 'true' || t.text === 't' || t.text === 'True') return true;
        if (t.text === 'false' || t.text === 'f' || t.text === 'False') return false;
      }
      if (t.kind === 'int' && !neg) {
        const v = parseIntText(t.text);
        if (v === 0n) return false;
        if (v === 1n) return true;
      }
      throw this.err(`expected true or false for ${spec.what}, found ${neg ? '"-"' : describe(t)}`, t);
    }
    if (type === 'float' || type === 'double') {
      let v: number;
      if (t.kind === 'float') v = Number(t.text.replace(/[fF]$/, ''));
      else if (t.kind === 'int') v = Number(parseIntText(t.text));
      else if (t.kind === 'ident') {
        const l = t.text.toLowerCase();
        if (l === 'inf' || l === 'infinity') v = Infinity;
        else if (l === 'nan') v = NaN;
        else throw this.err(`expected a number for ${spec.what}, found ${describe(t)}`, t);
      } else throw this.err(`expected a number for ${spec.what}, found ${describe(t)}`, t);
      if (Number.isNaN(v) && t.kind !== 'ident') throw this.err(`bad number ${describe(t)} for ${spec.what}`, t);
      if (neg) v = -v;
      return type === 'float' ? Math.fround(v) : v;
    }
    // integers
    if (t.kind !== 'int') throw this.err(`expected an integer for ${spec.what}, found ${describe(t)}`, t);
    let v = parseIntText(t.text);
    if (neg) v = -v;
    const [lo, hi] = intRange(type);
    if (v < lo || v > hi) throw this.err(`integer out of range for ${type} ${spec.what}: ${neg ? '-' : ''}${t.text}`, t);
    return intValue(type, v);
  }
}
