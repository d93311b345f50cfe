// FlatWriter (proto/flat-writer.ts) must write exactly the bytes of protobufjs's own writer: on
// every protobuf file TensorFlow wrote in the fixtures, and on messages built to reach every
// writer method and edge (negative int32, 64-bit extremes, NaN / -0 floats, base64 strings for
// bytes, lone surrogates in short and long strings, lengths of 1 to 4 varint bytes).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flatWriter } from '../src/proto/flat-writer.js';
import { encodeDeterministic, Long, tensorflow } from '../src/proto/index.js';
import { FIXTURES, PROTO_FIXTURE_DIRS as dirs, protoFilesIn } from './shared.js';

interface Codec<T> {
  decode(b: Uint8Array): T;
  encode(m: T, w?: unknown): { finish(): Uint8Array };
}

function same<T>(codec: Codec<T>, msg: T): { ours: Uint8Array; theirs: Uint8Array } {
  const theirs = codec.encode(msg).finish();
  const ours = codec.encode(msg, flatWriter()).finish();
  return { ours, theirs };
}

function expectSameBytes<T>(codec: Codec<T>, msg: T): Uint8Array {
  const { ours, theirs } = same(codec, msg);
  expect(ours.length).toBe(theirs.length);
  expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
  return ours;
}

describe('FlatWriter: the bytes of protobufjs’s writer', () => {
  it.each(dirs)('%s: every protobuf file re-encodes to the same bytes', (dir) => {
    const files = protoFilesIn(dir);
    for (const { file, codec, bytes } of files) {
      const ours = expectSameBytes(codec as Codec<unknown>, codec.decode(bytes));
      // TF's own files are deterministic encodings: ours reproduces them where protobufjs does
      if (file !== 'saved_model.pb') expect(ours.length).toBe(bytes.length);
    }
    expect(files.length).toBeGreaterThan(0);
  });

  it('encodeDeterministic reproduces TF 2.3.1’s saved_model.pb byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'int64_multiply', 'saved_model.pb')));
    const again = encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, tensorflow.SavedModel.decode(bytes));
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it('numbers: negative int32, 64-bit extremes as Long / number / string, floats and doubles at the edges', () => {
    const t: tensorflow.ITensorProto = {
      dtype: tensorflow.DataType.DT_FLOAT,
      tensor_shape: { dim: [{ size: -1 }, { size: 0 }, { size: 2 ** 40 }, { size: Long.MAX_VALUE }, { size: Long.MIN_VALUE }] },
      version_number: -5,
      float_val: [NaN, -0, 0, Infinity, -Infinity, 1.5, 3.4e39, 1e-46, -1.2345678],
      double_val: [NaN, -0, 1e308, -Infinity, Number.MIN_VALUE, Math.PI],
      int_val: [-1, 0, 127, 128, 2 ** 31 - 1, -(2 ** 31), 300],
      int64_val: [Long.fromString('-9223372036854775808'), Long.MAX_VALUE, 5, -7, 2 ** 53 - 1, Long.fromString('18446744073709551615', true)],
      uint64_val: [Long.fromString('18446744073709551615', true), 0, 1, 2 ** 35],
      uint32_val: [0, 1, 2 ** 32 - 1, 2 ** 31],
      bool_val: [true, false, true],
      half_val: [0, 65535, 15360],
    };
    expectSameBytes(tensorflow.TensorProto as unknown as Codec<tensorflow.ITensorProto>, t);
    const sv: tensorflow.IStructuredValue = {
      list_value: {
        values: [
          { int64_value: Long.MIN_VALUE }, { int64_value: Long.MAX_VALUE }, { int64_value: -1 }, { int64_value: 0 }, { int64_value: 2 ** 40 },
          { int64_value: -(2 ** 32) }, { int64_value: -(2 ** 32) - 1 }, { int64_value: 2 ** 53 - 1 }, { int64_value: -(2 ** 53 - 1) }, { int64_value: 2 ** 53 }, { int64_value: 1.5 }, { int64_value: -2.5 },
          { float64_value: NaN }, { float64_value: -0 }, { bool_value: true }, { none_value: {} },
        ],
      },
    };
    expectSameBytes(tensorflow.StructuredValue as unknown as Codec<tensorflow.IStructuredValue>, sv);
    const debug: tensorflow.IGraphDebugInfo = {
      files: ['a.py', ''],
      frames_by_id: { 1: { file_index: 1, line: -3, col: 7 }, '18446744073709551615': { func: 'f' } },
      traces_by_id: { 7: { frame_id: [Long.fromString('18446744073709551615', true), 0, 12345678901] } },
      name_to_trace_id: { x: 7, 'y@f': Long.MAX_VALUE },
    };
    expectSameBytes(tensorflow.GraphDebugInfo as unknown as Codec<tensorflow.IGraphDebugInfo>, debug);
  });

  it('strings and bytes: ASCII, non-ASCII, lone surrogates below and above 40 UTF-16 units, base64 strings, empty values', () => {
    const strings = [
      '', 'a', 'plain/ascii_name:0', 'é', 'ünïcødé/näme', '日本語のノード名', '😀 emoji', '\uD800', 'x\uDC00y', '\uD83D',
      `${'a'.repeat(39)}\uD800`, `${'b'.repeat(60)}\uDFFF${'c'.repeat(10)}`, `${'ü'.repeat(50)}`, `${'😀'.repeat(30)}`,
      'z'.repeat(127), 'z'.repeat(128), 'q'.repeat(16384), `${'w'.repeat(20000)}é`,
      // UTF-8 lengths that need a longer varint than the UTF-16 length (bytes moved after writing)
      'ü'.repeat(64), '😀'.repeat(40), 'é'.repeat(10000), `${'k'.repeat(127)}é`, `${'é'.repeat(39)}\uD800`,
    ];
    const node: tensorflow.INodeDef = {
      name: strings[5], op: 'Const', input: strings, device: '',
      attr: {
        s: { s: new Uint8Array([0, 255, 128, 10]) },
        e: { s: new Uint8Array(0) },
        b64: { s: 'aGVsbG8gd29ybGQ=' as unknown as Uint8Array },
        l: { list: { s: [new Uint8Array(200).fill(7), new Uint8Array(0)], i: [-1, 1, Long.MIN_VALUE], f: [NaN, 0.1], b: [true, false] } },
      },
    };
    expectSameBytes(tensorflow.NodeDef as unknown as Codec<tensorflow.INodeDef>, node);
  });

  it('lengths of 1 to 4 varint bytes, nested: messages of 127, 128, 16383, 16384 and over 2 MiB bytes', () => {
    const nodes: tensorflow.INodeDef[] = [];
    for (const n of [100, 101, 102, 16300, 16310, 16320, 16330]) nodes.push({ name: 'n'.repeat(n), op: 'NoOp' });
    nodes.push({ name: 'big', op: 'Const', attr: { value: { tensor: { dtype: tensorflow.DataType.DT_FLOAT, tensor_content: new Uint8Array(3 << 20).fill(9) } } } });
    const graph: tensorflow.IGraphDef = { node: nodes, library: { function: [{ signature: { name: 'f' }, node_def: nodes.slice(0, 4) }] }, versions: { producer: 440 } };
    const bytes = expectSameBytes(tensorflow.GraphDef as unknown as Codec<tensorflow.IGraphDef>, graph);
    expect(bytes.length).toBeGreaterThan(3 << 20);
    // and the next writer (it reuses the buffer) still starts empty
    expectSameBytes(tensorflow.GraphDef as unknown as Codec<tensorflow.IGraphDef>, { versions: { producer: 1 } });
    // a writer written to again after finish starts over
    const w = flatWriter();
    tensorflow.GraphDef.encode({ versions: { producer: 7 } }, w).finish();
    const again = tensorflow.GraphDef.encode({ versions: { producer: 1 } }, w).finish();
    expect(Buffer.from(again).equals(Buffer.from(tensorflow.GraphDef.encode({ versions: { producer: 1 } }).finish()))).toBe(true);
  });

  it('a result over 1 MiB is the writer\'s own buffer: a Buffer of exactly its bytes, untouched by the writers after it', () => {
    const nodes: tensorflow.INodeDef[] = [];
    for (let i = 0; i < 30_000; i++) nodes.push({ name: `layer_${i}/MatMul`, op: 'MatMul', input: [`layer_${i - 1}/Relu:activations:0`, `layer_${i}/ReadVariableOp:value:0`], attr: { T: { type: tensorflow.DataType.DT_FLOAT } } });
    const graph: tensorflow.IGraphDef = { node: nodes, versions: { producer: 440 } };
    const codec = tensorflow.GraphDef as unknown as Codec<tensorflow.IGraphDef>;
    const first = codec.encode(graph, flatWriter()).finish();
    const copy = Uint8Array.from(first);
    expect(first.length).toBeGreaterThan(1 << 20);
    expect(Buffer.isBuffer(first)).toBe(true);
    expect(Buffer.from(first).equals(Buffer.from(codec.encode(graph).finish()))).toBe(true);
    // writers after it, small (the kept spare buffer) and big, write elsewhere
    for (const g of [{ versions: { producer: 1 } }, { node: nodes.slice(0, 20_000) }]) expectSameBytes(codec, g);
    expect(Buffer.from(first).equals(Buffer.from(copy))).toBe(true);
  });
});
