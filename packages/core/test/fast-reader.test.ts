// FastReader (proto/fast-reader.ts) must decode what protobufjs's own Reader decodes: every
// protobuf file TensorFlow wrote in the fixtures gives the same message both ways; strings of
// every kind (ASCII, 2–4 byte UTF-8, long) come back as written; bytes that are not UTF-8 give
// U+FFFD as the WHATWG decoder defines (known vectors); a length past the end is a RangeError,
// which decodeSavedModel turns into a typed error.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { reader } from '../src/proto/fast-reader.js';
import { tensorflow } from '../src/proto/index.js';
import { decodeSavedModel } from '../src/savedmodel/decode.js';
import { PROTO_FIXTURE_DIRS as dirs, protoFilesIn } from './shared.js';

/** A NodeDef whose name field (1) holds exactly `bytes`. */
const nodeNamed = (bytes: number[]) => new Uint8Array([10, bytes.length, ...bytes]);
const decodeName = (bytes: number[]) => tensorflow.NodeDef.decode(reader(nodeNamed(bytes))).name;

describe('FastReader: what protobufjs’s Reader decodes', () => {
  it.each(dirs)('%s: every protobuf file decodes to the same message', (dir) => {
    const files = protoFilesIn(dir);
    for (const { codec, bytes } of files) {
      const theirs = codec.decode(new protobuf.Reader(bytes));
      const ours = codec.decode(reader(bytes));
      expect(ours).toEqual(theirs);
    }
    expect(files.length).toBeGreaterThan(0);
  });

  it('strings: ASCII, multi-byte UTF-8 and long ones come back as written', () => {
    const samples = ['', 'dense_1/MatMul/ReadVariableOp:value:0', 'café', '日本語の名前', 'emoji 😀 in a name', 'x'.repeat(5000), `${'a'.repeat(2000)}é`];
    for (const s of samples) {
      const bytes = tensorflow.NodeDef.encode({ name: s }).finish();
      expect(tensorflow.NodeDef.decode(reader(bytes)).name).toBe(s);
      expect(tensorflow.NodeDef.decode(new protobuf.Reader(bytes)).name).toBe(s);
    }
  });

  it('a view at an offset into a larger buffer (a pooled Buffer, a slice) reads its own bytes', () => {
    const bytes = tensorflow.NodeDef.encode({ name: 'dense/MatMul', op: 'MatMul', input: ['x', 'café'] }).finish();
    for (const pad of [1, 7, 13]) {
      const big = new Uint8Array(bytes.length + 2 * pad).fill(0x41);
      big.set(bytes, pad);
      for (const view of [big.subarray(pad, pad + bytes.length), Buffer.from(big.buffer, pad, bytes.length)]) {
        const n = tensorflow.NodeDef.decode(reader(view));
        expect([n.name, n.op, n.input]).toEqual(['dense/MatMul', 'MatMul', ['x', 'café']]);
      }
    }
  });

  it('bytes that are not UTF-8 decode to U+FFFD (WHATWG Encoding known vectors)', () => {
    expect(decodeName([0xc3, 0x28])).toBe('\ufffd(');
    expect(decodeName([0x61, 0xff, 0x62])).toBe('a\ufffdb');
    expect(decodeName([0xed, 0xa0, 0x80])).toBe('\ufffd\ufffd\ufffd'); // an encoded lone surrogate
    expect(decodeName([0xe2, 0x82])).toBe('\ufffd'); // truncated sequence
  });

  it('a string running past the end is a RangeError; decodeSavedModel names the file', () => {
    const bad = new Uint8Array([10, 20, 0x61, 0x62]);
    expect(() => tensorflow.NodeDef.decode(reader(bad))).toThrow(RangeError);
    // SavedModel field 2 (meta_graphs) → MetaGraphDef field 2 (graph_def) → a name past the end
    expect(() => decodeSavedModel(new Uint8Array([0x12, 6, 0x12, 4, 0x0a, 2, 0x0a, 50]), 'x/saved_model.pb'))
      .toThrow(expect.objectContaining({ code: 'CORRUPT', message: expect.stringContaining('x/saved_model.pb') }));
  });
});

describe('decodeSavedModel with skipPrivateAttrs', () => {
  /** Every NodeDef of a SavedModel (top-level graph and function bodies). */
  const nodesOf = (sm: tensorflow.ISavedModel) => (sm.meta_graphs ?? []).flatMap((mg) => [
    ...(mg.graph_def?.node ?? []),
    ...(mg.graph_def?.library?.function ?? []).flatMap((f) => f.node_def ?? []),
  ]);

  it.each(dirs)('%s: the same message as a full decode less the "_" node attrs', (dir) => {
    const p = join(dir, 'saved_model.pb');
    if (!existsSync(p)) return void expect(existsSync(join(dir, 'saved_model.pbtxt')) || existsSync(join(dir, 'saved_model.cpb'))).toBe(true);
    const bytes = new Uint8Array(readFileSync(p));
    const full = decodeSavedModel(bytes);
    const lean = decodeSavedModel(bytes, 'saved_model.pb', { skipPrivateAttrs: true });
    let dropped = 0;
    for (const n of nodesOf(full)) {
      for (const k of Object.keys(n.attr ?? {})) if (k.startsWith('_')) { delete n.attr![k]; dropped++; }
    }
    expect(lean).toEqual(full);
    // TensorFlow writes _output_shapes (and more) on most nodes: something was left out
    if (nodesOf(full).length > 20) expect(dropped).toBeGreaterThan(0);
  });

  it('a skipped attr value is still bounds-checked', () => {
    // NodeDef.attr entry: key "_x", value (field 2) claiming 9 bytes where 1 remains
    const entry = [0x0a, 2, 0x5f, 0x78, 0x12, 9, 0x08];
    const node = new Uint8Array([0x2a, entry.length, ...entry]);
    expect(() => tensorflow.NodeDef.decode(reader(node, { skipPrivateAttrs: true }))).toThrow(RangeError);
    // a well-formed one is left out; a public attr beside it is kept
    const ok = [0x0a, 2, 0x5f, 0x78, 0x12, 2, 0x18, 3]; // _x: { i: 3 }
    const pub = [0x0a, 1, 0x54, 0x12, 2, 0x30, 1]; // T: { type: DT_FLOAT }
    const two = new Uint8Array([0x2a, ok.length, ...ok, 0x2a, pub.length, ...pub]);
    expect(tensorflow.NodeDef.decode(reader(two, { skipPrivateAttrs: true })).attr).toEqual({ T: expect.objectContaining({ type: 1 }) });
    expect(Object.keys(tensorflow.NodeDef.decode(reader(two)).attr).sort()).toEqual(['T', '_x']);
  });
});
