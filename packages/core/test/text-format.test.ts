import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Long from 'long';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './checkpoint-prng.js';
import { isSavedModelError } from '../src/errors.js';
import { encodeDeterministic, sortMapsDeep, tensorflow } from '../src/proto/index.js';
import { formatG } from '../src/text-format/float-format.js';
import { parseTextFormat, toTextFormat } from '../src/text-format/index.js';
import { FIXTURES, FIXTURE_NAMES, REPO_ROOT } from './shared.js';

const PROTOC = '/usr/bin/protoc';
if (!existsSync(PROTOC)) {
  throw new Error(`protoc not found at ${PROTOC}: the text-format tests use it as an independent oracle (apt-get install protobuf-compiler)`);
}
const PROTO_DIR = join(REPO_ROOT, 'proto');

function protoc(args: string[], input: Uint8Array | string): Buffer {
  return execFileSync(PROTOC, [`-I${PROTO_DIR}`, '-I/usr/include', ...args], { input, maxBuffer: 1 << 28 });
}

const readPb = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name, 'saved_model.pb')));
const readPbtxt = (name: string) => readFileSync(join(FIXTURES, `${name}.pbtxt`), 'utf8');
const decodeSorted = (name: string) => {
  const sm = tensorflow.SavedModel.decode(readPb(name));
  sortMapsDeep('tensorflow.SavedModel', sm as unknown as Record<string, unknown>);
  return sm;
};
const det = (m: object) => encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, m as tensorflow.ISavedModel);

/**
 * The fixture .pbtxt files were made with TF 2.9's .proto files, which lack two fields that
 * half_plus_two_tf2 (TF 2.14) uses, so protoc printed them as bare field numbers:
 * SignatureDef.defaults (= 4, map<string, TensorProto>) and StructuredValue.tensor_value (= 55).
 * Our .proto files declare both, so our text names them. These are the only differing lines
 * (line number in the fixture, fixture line, our line); both texts have the same line count.
 */
const HALF_PLUS_TWO_TF2_NAMED_FIELDS: [number, string, string][] = [
  [7078, '      4 {', '      defaults {'],
  [7079, '        1: "x"', '        key: "x"'],
  [7080, '        2 {', '        value {'],
  [7081, '          1: 1', '          dtype: DT_FLOAT'],
  [7082, '          2 {', '          tensor_shape {'],
  [7083, '            2 {', '            dim {'],
  [7084, '              1: 1', '              size: 1'],
  [7087, '          5: "\\000\\000\\000\\000"', '          float_val: 0'],
  [7397, '                      55 {', '                      tensor_value {'],
  [7398, '                        1: 1', '                        dtype: DT_FLOAT'],
  [7399, '                        2 {', '                        tensor_shape {'],
  [7400, '                          2 {', '                          dim {'],
  [7401, '                            1: 1', '                            size: 1'],
  [7404, '                        5: "\\000\\000\\000\\000"', '                        float_val: 0'],
];

describe('text format vs the TensorFlow fixtures', () => {
  it.each(FIXTURE_NAMES)('%s: parse(NAME.pbtxt) encodes to the same bytes as the decoded saved_model.pb', (name) => {
    const parsed = parseTextFormat('tensorflow.SavedModel', readPbtxt(name), `${name}.pbtxt`);
    const fromText = det(parsed);
    const fromPb = det(tensorflow.SavedModel.decode(readPb(name)));
    expect(Buffer.from(fromText).equals(Buffer.from(fromPb))).toBe(true);
  });

  it.each(FIXTURE_NAMES)('%s: toTextFormat(decode(saved_model.pb)) equals NAME.pbtxt', (name) => {
    const ours = toTextFormat('tensorflow.SavedModel', decodeSorted(name));
    const fixture = readPbtxt(name);
    if (name !== 'half_plus_two_tf2') {
      expect(ours === fixture).toBe(true);
      return;
    }
    const a = fixture.split('\n'), b = ours.split('\n');
    expect(b.length).toBe(a.length);
    const diffs: [number, string, string][] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diffs.push([i + 1, a[i]!, b[i]!]);
    expect(diffs).toEqual(HALF_PLUS_TWO_TF2_NAMED_FIELDS);
  });

  it.each(FIXTURE_NAMES)('%s: equals protoc --decode with our .proto files (byte-identical)', (name) => {
    const ref = protoc(['--decode=tensorflow.SavedModel', 'tensorflow/saved_model.proto'], readPb(name)).toString('utf8');
    // map order: protoc prints maps sorted by key; sortMaps does the same while printing
    const ours = toTextFormat('tensorflow.SavedModel', tensorflow.SavedModel.decode(readPb(name)), { sortMaps: true });
    expect(ours === ref).toBe(true);
  });

  it.each(FIXTURE_NAMES)('%s: protoc --encode of our text gives our deterministic bytes', (name) => {
    const sm = decodeSorted(name);
    const ours = det(sm);
    const text = toTextFormat('tensorflow.SavedModel', sm);
    const viaProtoc = protoc(['--deterministic_output', '--encode=tensorflow.SavedModel', 'tensorflow/saved_model.proto'], text);
    expect(Buffer.from(ours).equals(viaProtoc)).toBe(true);
  });

  it('TF 2.3.1 fixtures: text -> parse -> encodeDeterministic reproduces saved_model.pb exactly', () => {
    for (const name of ['int64_multiply', 'uint8_multiply']) {
      const parsed = parseTextFormat('tensorflow.SavedModel', readPbtxt(name));
      expect(Buffer.from(det(parsed)).equals(Buffer.from(readPb(name)))).toBe(true);
    }
  });
});

const rng = mulberry32;

describe('printer details checked against protoc', () => {
  it('float and double formatting (%.6g/%.9g, %.15g/%.17g, inf, nan, -0, denormals, ties)', () => {
    const r = rng(42);
    const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
    const f64 = new Float64Array(1), u64 = new Uint32Array(f64.buffer);
    const floats: number[] = [0.5, 3, 1e-5, 1e-4, 0.1, 1 / 3, 5 / 3, 1.66666663, 16777216, 16777217, 123456, 1234567, 1e6, 999999.5, 1e-45, 1.17549435e-38,
      3.4028235e38, -0, -2.5, 2097151.625, 2097151.875, 0.0001, 0.00001, 100000, 1e15, Infinity, -Infinity, NaN, 0.4, 1e10, 0.3];
    const doubles: number[] = [0.5, 0.1, 1 / 3, 1e-5, 1e21, 1e22, 123456789012345680, 5e-324, 1.7976931348623157e308, -0, 2 ** 53, 2 ** 53 + 2, 0.30000000000000004,
      Infinity, -Infinity, NaN, 10000, 1e-7, 4.35, 1234567.125];
    for (let i = 0; i < 3000; i++) {
      u32[0] = (r() * 2 ** 32) >>> 0;
      if (!Number.isNaN(f32[0]!)) floats.push(f32[0]!);
      u64[0] = (r() * 2 ** 32) >>> 0;
      u64[1] = (r() * 2 ** 32) >>> 0;
      if (!Number.isNaN(f64[0]!)) doubles.push(f64[0]!);
      // "nice" decimals with few digits, and small integers, hit the %.6g branch
      floats.push(Number((r() * 1000).toFixed(1 + (i % 5))), Math.floor(r() * 1e8), (i % 2 ? -1 : 1) * Number((r() * 1e-3).toPrecision(1 + (i % 9))));
      doubles.push(Number((r() * 1e6).toFixed(i % 12)), Number((r() * 10 ** (i % 40 - 20)).toPrecision(1 + (i % 17))));
    }
    const msg = { float_val: floats.map((x) => Math.fround(x)), double_val: doubles };
    const bytes = tensorflow.TensorProto.encode(msg).finish();
    const ref = protoc(['--decode=tensorflow.TensorProto', 'tensorflow/tensor.proto'], bytes).toString('utf8');
    const ours = toTextFormat('tensorflow.TensorProto', tensorflow.TensorProto.decode(bytes));
    const a = ref.split('\n'), b = ours.split('\n');
    const bad = a.map((l, i) => (l === b[i] ? null : `${l} | ${b[i]}`)).filter((x) => x !== null);
    expect(bad).toEqual([]);
    expect(ours).toBe(ref);
  });

  it('formatG rounds exact ties half-to-even like printf', () => {
    expect(formatG(2.5, 1)).toBe('2');
    expect(formatG(3.5, 1)).toBe('4');
    expect(formatG(0.125, 2)).toBe('0.12');
    expect(formatG(2097151.625, 9)).toBe('2097151.62');
    expect(formatG(1234565, 6)).toBe('1.23456e+06');
    expect(formatG(1e-5, 6)).toBe('1e-05');
    expect(formatG(123456789, 6)).toBe('1.23457e+08');
    expect(formatG(9.9999996e-5, 6)).toBe('0.0001');
  });

  it('string and bytes escaping (all 256 byte values, UTF-8 strings)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const msg = {
      dtype: 7,
      string_val: [all, new Uint8Array(0), Uint8Array.from([0x27, 0x22, 0x5c, 0x3f, 0x0a, 0x00, 0x31])],
      resource_handle_val: [{ device: 'h\u00e9llo \u4e16\u754c \ud83d\ude00 \'"\\\n\t\r\u0007', name: 'plain' }],
    };
    const bytes = tensorflow.TensorProto.encode(msg).finish();
    const ref = protoc(['--decode=tensorflow.TensorProto', 'tensorflow/tensor.proto'], bytes).toString('utf8');
    const decoded = tensorflow.TensorProto.decode(bytes);
    expect(toTextFormat('tensorflow.TensorProto', decoded)).toBe(ref);
    // and back
    const back = parseTextFormat('tensorflow.TensorProto', ref);
    expect(Buffer.from(tensorflow.TensorProto.encode(back).finish()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('enums by name, unknown enum numbers, int64 extremes, uint64, oneof defaults, empty messages, maps', () => {
    const attr = {
      attr: {
        b: { b: false }, // oneof member set to its default: still printed
        i: { i: Long.fromString('-9223372036854775808') },
        t: { type: 999 }, // unknown enum value: printed as a number
        l: { list: {} },
        s: { shape: { dim: [{ size: Long.fromNumber(-1) }, { size: Long.fromString('9007199254740993') }] } },
      },
      op: 'X',
    };
    const bytes = encodeDeterministic('tensorflow.NodeDef', tensorflow.NodeDef, attr);
    const ref = protoc(['--decode=tensorflow.NodeDef', 'tensorflow/node_def.proto'], bytes).toString('utf8');
    const decoded = tensorflow.NodeDef.decode(bytes);
    expect(toTextFormat('tensorflow.NodeDef', decoded, { sortMaps: true })).toBe(ref);
    const back = parseTextFormat('tensorflow.NodeDef', ref);
    expect(Buffer.from(encodeDeterministic('tensorflow.NodeDef', tensorflow.NodeDef, back)).equals(Buffer.from(bytes))).toBe(true);
    const u = tensorflow.FingerprintDef.encode({ saved_model_checksum: Long.fromString('18446744073709551615', true), uuid: 'u' }).finish();
    const uref = protoc(['--decode=tensorflow.FingerprintDef', 'tensorflow/fingerprint.proto'], u).toString('utf8');
    expect(uref).toContain('saved_model_checksum: 18446744073709551615');
    expect(toTextFormat('tensorflow.FingerprintDef', tensorflow.FingerprintDef.decode(u))).toBe(uref);
  });
});

describe('parseTextFormat syntax', () => {
  const nodeText = `
    # a comment
    name: "n"  # trailing comment
    op: 'Mul';
    input: ["a", 'b:1', "^c"]
    attr: { key: "T" value: < type: DT_FLOAT > },
    attr < key: "N" value { i: -3 } >
    attr { key: "big" value { i: 9007199254740993 } }
    attr { key: "hex" value { i: 0x7fffffffffffffff } }
    attr { key: "oct" value { i: 017 } }
    attr { key: "f" value { f: -inf } }
    attr { key: "g" value { f: NaN } }
    attr { key: "h" value { f: 1.5e-3f } }
    attr { key: "s" value { s: "con" 'cat' "\\x41\\101\\u00e9\\U0001F600\\n" } }
    attr { key: "e" value { type: 9 } }
    attr { key: "l" value { list { type: [DT_INT32, 1] i: [1, -2, 3] b: [true, f, 1] } } }
    attr { key: "m" value { list { shape [ { dim { size: 2 } }, { unknown_rank: true } ] } } }
    experimental_debug_info { original_node_names: "x" }
  `;
  it('accepts the whole syntax', () => {
    const m = parseTextFormat('tensorflow.NodeDef', nodeText) as any;
    expect(m.name).toBe('n');
    expect(m.op).toBe('Mul');
    expect(m.input).toEqual(['a', 'b:1', '^c']);
    expect(m.attr.T).toEqual({ type: 1 });
    expect(m.attr.N.i.toString()).toBe('-3');
    expect(m.attr.big.i.toString()).toBe('9007199254740993');
    expect(m.attr.hex.i.toString()).toBe('9223372036854775807');
    expect(m.attr.oct.i.toString()).toBe('15');
    expect(m.attr.f.f).toBe(-Infinity);
    expect(Number.isNaN(m.attr.g.f)).toBe(true);
    expect(m.attr.h.f).toBe(Math.fround(1.5e-3));
    expect(new TextDecoder().decode(m.attr.s.s)).toBe('concatAA\u00e9\u{1F600}\n');
    expect(m.attr.e.type).toBe(9);
    expect(m.attr.l.list.type).toEqual([3, 1]);
    expect(m.attr.l.list.i.map(String)).toEqual(['1', '-2', '3']);
    expect(m.attr.l.list.b).toEqual([true, false, true]);
    expect(m.attr.m.list.shape.length).toBe(2);
    // round trip through the printer and protoc
    const bytes = encodeDeterministic('tensorflow.NodeDef', tensorflow.NodeDef, m);
    const text = toTextFormat('tensorflow.NodeDef', m);
    expect(Buffer.from(protoc(['--deterministic_output', '--encode=tensorflow.NodeDef', 'tensorflow/node_def.proto'], text)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('proto3 defaults are left out (as protoc does); oneof defaults kept', () => {
    const m = parseTextFormat('tensorflow.NodeDef', 'name: "" op: "x" attr { key: "a" value { i: 0 } }');
    expect(Buffer.from(tensorflow.NodeDef.encode(m).finish()).equals(protoc(['--encode=tensorflow.NodeDef', 'tensorflow/node_def.proto'], 'name: "" op: "x" attr { key: "a" value { i: 0 } }'))).toBe(true);
  });

  it('expanded google.protobuf.Any', () => {
    const text = 'collection_def { key: "a" value { any_list { value { [type.googleapis.com/tensorflow.AssetFileDef] { tensor_info { name: "Const:0" } filename: "foo.txt" } } } } }';
    const m = parseTextFormat('tensorflow.MetaGraphDef', text) as any;
    const any = m.collection_def.a.any_list.value[0];
    expect(any.type_url).toBe('type.googleapis.com/tensorflow.AssetFileDef');
    expect(Buffer.from(any.value).toString('latin1')).toBe('\n\t\n\x07Const:0\x12\x07foo.txt');
  });

  it('fields by number (protoc output for fields unknown to older .proto files)', () => {
    const m = parseTextFormat('tensorflow.SignatureDef', '4 { 1: "x" 2 { 1: 1 2 { 2 { 1: 1 } } 5: "\\000\\000\\200?" } } 3: "m"') as any;
    expect(m.method_name).toBe('m');
    expect(m.defaults.x.dtype).toBe(1);
    expect(m.defaults.x.float_val).toEqual([1]);
    expect(m.defaults.x.tensor_shape.dim[0].size.toString()).toBe('1');
    expect(() => parseTextFormat('tensorflow.SignatureDef', '4 { 1: "x" }', { allowFieldNumbers: false })).toThrow(/no field named|expected a field name/);
  });
});

describe('parseTextFormat errors', () => {
  const expectCorrupt = (text: string | Uint8Array, re?: RegExp, type = 'tensorflow.SavedModel') => {
    let caught: unknown;
    try {
      parseTextFormat(type, text, 'm.pbtxt');
    } catch (e) {
      caught = e;
    }
    expect(isSavedModelError(caught, 'CORRUPT'), `no CORRUPT error for ${JSON.stringify(String(text).slice(0, 60))}: ${String(caught)}`).toBe(true);
    if (re) expect((caught as Error).message).toMatch(re);
    expect((caught as { file?: string }).file).toBe('m.pbtxt');
  };

  it('reports file:line:column', () => {
    expectCorrupt('saved_model_schema_version: 1\nmeta_graphs {\n  bogus: 3\n}\n', /m\.pbtxt:3:3: message type tensorflow\.MetaGraphDef has no field named "bogus"/);
    expectCorrupt('meta_graphs {', /m\.pbtxt:1:14: unexpected end of input/);
    expectCorrupt('saved_model_schema_version: "x"', /1:29: expected an integer/);
    expectCorrupt('saved_model_schema_version: 1 saved_model_schema_version: 2', /specified multiple times/);
    expectCorrupt('meta_graphs { meta_info_def { tags: "a\\q" } }', /invalid escape/);
    expectCorrupt('meta_graphs { meta_info_def { tags: "a\n" } }', /cannot cross line/);
    expectCorrupt('attr { key: "a" value { s: "x" i: 1 } }', /another member of oneof/, 'tensorflow.NodeDef');
    expectCorrupt('attr { key: "a" value { type: DT_NOPE } }', /unknown enumeration value "DT_NOPE"/, 'tensorflow.NodeDef');
    expectCorrupt('version: 4294967296', /out of range/, 'tensorflow.GraphDef');
    expectCorrupt('name: "\\xff\\xfe"', /not valid UTF-8/, 'tensorflow.NodeDef');
    expectCorrupt(new Uint8Array([0x6e, 0xff]), /not valid UTF-8/, 'tensorflow.NodeDef');
    expectCorrupt('[ext.foo]: 1', /extensions are not supported/);
    expectCorrupt('meta_graphs { } }', /expected a field name/);
    expectCorrupt('saved_model_schema_version: 12abc', /need space/);
  });

  it('bounds nesting depth', () => {
    expectCorrupt('meta_graphs { graph_def { library { function { node_def { attr { key: "a" value { func { attr { key: "b" value { list { func { ' +
      'attr { key: "c" value { func { attr { key: "d" value { func { '.repeat(40), /nesting deeper than 100/);
    const deep = 'attr { key: "a" value { func { '.repeat(5000);
    expectCorrupt(deep, /nesting/, 'tensorflow.NodeDef');
  });

  it('never throws anything but SavedModelError(CORRUPT) on garbage and truncated text', () => {
    const r = rng(7);
    const base = readPbtxt('int64_multiply');
    const alphabet = ' \n\t{}<>[]:;,#"\'\\-.0123456789abcxyzeEfFnaiINF_\u00e9\u0000';
    let ok = 0, errs = 0;
    for (let i = 0; i < 400; i++) {
      let text: string;
      const mode = i % 4;
      if (mode === 0) text = base.slice(0, Math.floor(r() * base.length)); // truncated
      else if (mode === 1) {
        // random edits of the real text
        const chars = base.split('');
        for (let k = 0; k < 1 + Math.floor(r() * 8); k++) chars[Math.floor(r() * chars.length)] = alphabet[Math.floor(r() * alphabet.length)]!;
        text = chars.join('');
      } else if (mode === 2) {
        text = Array.from({ length: Math.floor(r() * 200) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
      } else {
        // a slice from the middle (unbalanced braces, wrong context)
        const a = Math.floor(r() * base.length);
        text = base.slice(a, a + Math.floor(r() * 2000));
      }
      try {
        parseTextFormat('tensorflow.SavedModel', text, 'm.pbtxt');
        ok++;
      } catch (e) {
        if (!isSavedModelError(e, 'CORRUPT')) throw new Error(`non-CORRUPT error for input #${i}: ${String(e)}`);
        errs++;
      }
    }
    expect(errs).toBeGreaterThan(300);
    expect(ok + errs).toBe(400);
  });
});
