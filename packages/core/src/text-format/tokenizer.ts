// Tokenizer for the protobuf text format (the subset of protobuf's io::Tokenizer that
// text format uses): identifiers, integers (decimal, 0x hex, 0 octal), floats (with optional
// f/F suffix), single- or double-quoted strings with C escapes, `#` comments, symbols.
import { SavedModelError } from '../errors.js';
import { DEFAULT_MAX_STRING_BYTES } from '../limits.js';

export type TokenKind = 'ident' | 'int' | 'float' | 'string' | 'sym' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token (for strings: the raw literal including quotes). */
  text: string;
  /** Decoded bytes of a string literal. */
  bytes?: Uint8Array;
  line: number;
  col: number;
  offset: number;
}

const utf8 = new TextEncoder();


/** Decoded bytes of one literal: a growable byte buffer (a number[] costs 8+ bytes per byte). */
class ByteOut {
  private buf = new Uint8Array(64);
  length = 0;
  constructor(private readonly max: number, private readonly tooLong: () => SavedModelError) {}

  private reserve(n: number): void {
    const need = this.length + n;
    if (need > this.max) throw this.tooLong();
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.min(Math.max(need, this.buf.length * 2), Math.max(need, this.max)));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  push(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  /** Appends the chars of an ASCII run. */
  pushAscii(s: string, start: number, end: number): void {
    this.reserve(end - start);
    for (let i = start; i < end; i++) this.buf[this.length++] = s.charCodeAt(i);
  }

  pushBytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/** \a \b \f \n \r \t \v \\ \? \' \" by the character after the backslash. */
const SIMPLE_ESCAPES: Record<number, number> = { 97: 7, 98: 8, 102: 12, 110: 10, 114: 13, 116: 9, 118: 11, 92: 92, 63: 63, 39: 39, 34: 34 };

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

export class Tokenizer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private peeked: Token | null = null;

  constructor(
    private readonly src: string,
    private readonly file: string | undefined,
    /** Longest decoded string literal accepted (LIMIT_EXCEEDED beyond). */
    readonly maxStringBytes = DEFAULT_MAX_STRING_BYTES,
  ) {}

  /** LIMIT_EXCEEDED for a string literal (or adjacent literals) decoding to more than maxStringBytes. */
  stringTooLong(at?: { line: number; col: number; offset: number }): SavedModelError {
    const p = at ?? { line: this.line, col: this.pos - this.lineStart + 1, offset: this.pos };
    const where = `${this.file ?? '<text>'}:${p.line}:${p.col}`;
    return new SavedModelError('LIMIT_EXCEEDED', `text format: ${where}: string literal longer than ${this.maxStringBytes} bytes (maxStringBytes)`, this.file !== undefined ? { file: this.file } : {});
  }

  error(msg: string, at?: { line: number; col: number; offset: number }): SavedModelError {
    const p = at ?? { line: this.line, col: this.pos - this.lineStart + 1, offset: this.pos };
    const where = `${this.file ?? '<text>'}:${p.line}:${p.col}`;
    return new SavedModelError('CORRUPT', `text format: ${where}: ${msg}`, this.file !== undefined ? { file: this.file } : {});
  }

  peek(): Token {
    if (!this.peeked) this.peeked = this.read();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = null;
    return t;
  }

  private skipSpaceAndComments(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 10) {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
        this.pos++;
      } else if (c === 35 /* # */) {
        while (this.pos < s.length && s.charCodeAt(this.pos) !== 10) this.pos++;
      } else {
        break;
      }
    }
  }

  private read(): Token {
    this.skipSpaceAndComments();
    const s = this.src;
    const start = this.pos;
    const at = { line: this.line, col: start - this.lineStart + 1, offset: start };
    if (start >= s.length) return { kind: 'eof', text: '', ...at };
    const c = s.charCodeAt(start);
    if (isLetter(c)) {
      let p = start + 1;
      while (p < s.length) {
        const d = s.charCodeAt(p);
        if (isLetter(d) || isDigit(d)) p++;
        else break;
      }
      this.pos = p;
      return { kind: 'ident', text: s.slice(start, p), ...at };
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(s.charCodeAt(start + 1)))) return this.readNumber(at);
    if (c === 34 || c === 39) return this.readString(c, at);
    // any other single character is a symbol (surrogate pairs kept together for messages)
    const cp = s.codePointAt(start)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return { kind: 'sym', text: String.fromCodePoint(cp), ...at };
  }

  private readNumber(at: { line: number; col: number; offset: number }): Token {
    const s = this.src;
    let p = this.pos;
    let kind: TokenKind = 'int';
    const c0 = s.charCodeAt(p);
    const c1 = s.charCodeAt(p + 1);
    if (c0 === 48 && (c1 === 120 || c1 === 88)) {
      p += 2;
      const ds = p;
      while (p < s.length && isHex(s.charCodeAt(p))) p++;
      if (p === ds) throw this.error('"0x" must be followed by hex digits', at);
    } else if (c0 === 48 && isDigit(c1)) {
      p += 1;
      while (p < s.length && isDigit(s.charCodeAt(p))) {
        if (s.charCodeAt(p) > 55) throw this.error('numbers starting with leading zero must be in octal', at);
        p++;
      }
    } else {
      while (p < s.length && isDigit(s.charCodeAt(p))) p++;
      if (s.charCodeAt(p) === 46 /* . */) {
        kind = 'float';
        p++;
        while (p < s.length && isDigit(s.charCodeAt(p))) p++;
      }
      const e = s.charCodeAt(p);
      if (e === 101 || e === 69) {
        kind = 'float';
        p++;
        const sg = s.charCodeAt(p);
        if (sg === 43 || sg === 45) p++;
        const ds = p;
        while (p < s.length && isDigit(s.charCodeAt(p))) p++;
        if (p === ds) throw this.error('"e" must be followed by exponent', at);
      }
      const f = s.charCodeAt(p);
      if (f === 102 || f === 70) {
        kind = 'float';
        p++;
      }
    }
    const after = s.charCodeAt(p);
    if (p < s.length && (isLetter(after) || isDigit(after) || after === 46)) {
      this.pos = p;
      throw this.error('need space between number and identifier');
    }
    this.pos = p;
    return { kind, text: s.slice(at.offset, p), ...at };
  }

  private readString(quote: number, at: { line: number; col: number; offset: number }): Token {
    const s = this.src;
    let p = this.pos + 1;
    const out = new ByteOut(this.maxStringBytes, () => this.stringTooLong(at));
    let runStart = p; // start of unescaped text not yet copied
    const flush = (end: number) => {
      if (end > runStart) {
        let ascii = true;
        for (let i = runStart; i < end; i++) if (s.charCodeAt(i) > 0x7f) { ascii = false; break; }
        if (ascii) out.pushAscii(s, runStart, end);
        else out.pushBytes(utf8.encode(s.slice(runStart, end)));
      }
    };
    for (;;) {
      if (p >= s.length) {
        this.pos = p;
        throw this.error('unexpected end of text inside a string literal', at);
      }
      const c = s.charCodeAt(p);
      if (c === quote) {
        flush(p);
        p++;
        break;
      }
      if (c === 10) {
        this.pos = p;
        throw this.error('string literals cannot cross line boundaries', at);
      }
      if (c !== 92 /* \ */) {
        p++;
        continue;
      }
      flush(p);
      const escAt = p;
      p++;
      if (p >= s.length) {
        this.pos = p;
        throw this.error('unexpected end of text inside a string literal', at);
      }
      const e = s.charCodeAt(p);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out.push(simple);
        p++;
      } else if (e >= 48 && e <= 55) {
        let v = 0, n = 0;
        while (n < 3 && p < s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 55) {
          v = v * 8 + (s.charCodeAt(p) - 48);
          p++;
          n++;
        }
        out.push(v & 0xff);
      } else if (e === 120 || e === 88) {
        p++;
        let v = 0, n = 0;
        while (n < 2 && p < s.length && isHex(s.charCodeAt(p))) {
          v = v * 16 + parseInt(s[p]!, 16);
          p++;
          n++;
        }
        if (n === 0) {
          this.pos = p;
          throw this.error('expected hex digits for escape sequence', at);
        }
        out.push(v);
      } else if (e === 117 || e === 85) {
        const len = e === 117 ? 4 : 8;
        const hex = s.slice(p + 1, p + 1 + len);
        if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) {
          this.pos = p;
          throw this.error(`expected ${len} hex digits after \\${String.fromCharCode(e)}`, at);
        }
        p += 1 + len;
        let cp = parseInt(hex, 16);
        if (cp >= 0xd800 && cp <= 0xdbff && s.charCodeAt(p) === 92 && s.charCodeAt(p + 1) === 117) {
          const lo = s.slice(p + 2, p + 6);
          const lv = /^[0-9a-fA-F]{4}$/.test(lo) ? parseInt(lo, 16) : -1;
          if (lv >= 0xdc00 && lv <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lv - 0xdc00);
            p += 6;
          }
        }
        if (cp > 0x10ffff) {
          this.pos = p;
          throw this.error(`code point out of range in \\U escape: ${hex}`, at);
        }
        appendUtf8(out, cp);
      } else {
        this.pos = p;
        throw this.error(`invalid escape sequence "\\${s[p]}" in string literal`, { line: at.line, col: at.col + (escAt - at.offset), offset: escAt });
      }
      runStart = p;
    }
    this.pos = p;
    return { kind: 'string', text: s.slice(at.offset, p), bytes: out.bytes(), ...at };
  }
}

/** UTF-8 of one code point (lone surrogates are encoded as-is, as protobuf does). */
function appendUtf8(out: ByteOut, cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.pushBytes(Uint8Array.of(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)));
  else if (cp < 0x10000) out.pushBytes(Uint8Array.of(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)));
  else out.pushBytes(Uint8Array.of(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)));
}
