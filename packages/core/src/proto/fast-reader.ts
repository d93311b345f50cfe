// A protobufjs Reader with a faster `string()`. protobufjs's plain Reader (what a Uint8Array gets)
// slices a view per string and rebuilds it from char codes in JS; a big graph is millions of short
// ASCII names, and that was a fifth of decoding a 2,000-layer saved_model.pb. ASCII is taken in one
// native call (Node's latin1Slice, else String.fromCharCode over the bytes); anything else goes to
// TextDecoder, which, as Node's Buffer reader, puts U+FFFD where the bytes are not UTF-8.
// Byte fields stay views of the input, as the plain Reader gives them.
import protobuf from 'protobufjs/minimal.js';

type Slice = (this: Uint8Array, start: number, end: number) => string;
const bufferProto = (protobuf.util.Buffer as unknown as { prototype?: { latin1Slice?: unknown } } | null)?.prototype;
/** Node's own latin1Slice (a polyfilled Buffer's JS version would be no faster than ours). */
const nativeLatin1: Slice | undefined =
  typeof bufferProto?.latin1Slice === 'function' && /\[native code\]/.test(Function.prototype.toString.call(bufferProto.latin1Slice))
    ? (bufferProto.latin1Slice as Slice)
    : undefined;
const utf8 = new TextDecoder();
/** Longer ASCII runs go to TextDecoder too: fromCharCode's argument list stays small. */
const CHAR_CODES_MAX = 1024;

export class FastReader extends protobuf.Reader {
  /**
   * NodeDef attrs whose values the generated NodeDef.decode steps over (scripts/gen-proto.mjs):
   * those it names are left out of `attr`. Undefined: every attr is decoded.
   */
  skipAttr: ((key: string) => boolean) | undefined = undefined;

  override string(): string {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${len} > ${this.len}`);
    this.pos = end;
    const b = this.buf;
    let i = start;
    while (i < end && b[i]! < 128) i++;
    if (i === end) {
      if (nativeLatin1) return nativeLatin1.call(b, start, end);
      if (len <= CHAR_CODES_MAX) return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
    }
    return utf8.decode(b.subarray(start, end));
  }
}

export interface ReaderOptions {
  /** Leave out NodeDef attrs named with a leading "_" (TensorFlow's private attrs: _output_shapes, _class, …). */
  skipPrivateAttrs?: boolean;
}

const isPrivateAttr = (key: string): boolean => key.charCodeAt(0) === 95; // "_"

/** A reader for the generated `decode` functions: `tensorflow.X.decode(reader(bytes))`. */
export function reader(bytes: Uint8Array, options: ReaderOptions = {}): protobuf.Reader {
  const r = new FastReader(bytes);
  if (options.skipPrivateAttrs) r.skipAttr = isPrivateAttr;
  return r;
}
