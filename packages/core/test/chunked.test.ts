// saved_model.cpb (TF >= 2.14 proto splitter): riegeli records + ChunkMetadata, merged as TF's Merger does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileMapSource, isSavedModelError, readSavedModel, SavedModelError, tensorflow } from '../src/index.js';
import { encodeDeterministic } from '../src/internal.js';
import { mergeChunkedProto } from '../src/reflection.js';
import { readSavedModelDir } from '../src/node.js';
import { mulberry32 } from './checkpoint-prng.js';
import { FIXTURES_MORE } from './shared.js';

const CHUNKED = join(FIXTURES_MORE, 'tf_chunked_model');
const NON_CHUNKED = join(FIXTURES_MORE, 'tf_non_chunked_model');

const canonical = (sm: tensorflow.ISavedModel) => Buffer.from(encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, sm as tensorflow.SavedModel));

function float64Const(sm: tensorflow.ISavedModel): Uint8Array {
  const nodes = sm.meta_graphs?.[0]?.graph_def?.node ?? [];
  const c = nodes.find((n) => n.op === 'Const' && n.attr?.dtype?.type === tensorflow.DataType.DT_DOUBLE && (n.attr?.value?.tensor?.tensor_content?.length ?? 0) > 0);
  if (!c) throw new Error('no float64 Const with tensor_content');
  return c.attr!.value!.tensor!.tensor_content!;
}

// ---- a riegeli writer for synthetic files (uncompressed simple chunks), after riegeli's format doc ----
const BLOCK = 1 << 16, BH = 24;
const SIGNATURE = [0x83, 0xaf, 0x70, 0xd1, 0x0d, 0x88, 0x4a, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0, 0x91, 0xba, 0xc2, 0x3c, 0x92, 0x87, 0xe1, 0xa9, 0, 0, 0, 0, 0, 0, 0, 0, 0xe1, 0x9f, 0x13, 0xc0, 0xe9, 0xb1, 0xc3, 0x72, 0x73, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
function varint(n: number): number[] { const o: number[] = []; while (n >= 0x80) { o.push((n % 0x80) | 0x80); n = Math.floor(n / 0x80); } o.push(n); return o; }
/** Writes one simple chunk per group of records; returns the file and each record's numeric position. */
function riegeliFile(groups: Uint8Array[][]): { file: Uint8Array; positions: number[] } {
  const out: number[] = []; // physical bytes: `put` inserts a (zeroed) block header at every 64 KiB
  const put = (bytes: ArrayLike<number>) => { for (let i = 0; i < bytes.length; i++) { if (out.length % BLOCK === 0 && out.length > 0) for (let k = 0; k < BH; k++) out.push(0); out.push(bytes[i]!); } };
  put(SIGNATURE);
  const positions: number[] = [];
  for (const recs of groups) {
    const begin = out.length;
    const sizes = recs.flatMap((r) => varint(r.length));
    const values = recs.flatMap((r) => [...r]);
    const data = [0, ...varint(sizes.length), ...sizes, ...values];
    const h = new DataView(new ArrayBuffer(40));
    h.setBigUint64(8, BigInt(data.length), true);
    h.setBigUint64(24, BigInt(recs.length) << 8n | 0x72n, true);
    h.setBigUint64(32, BigInt(values.length), true);
    put(new Uint8Array(h.buffer));
    put(data);
    recs.forEach((_, i) => positions.push(begin + i));
    // padding: a chunk spans at least num_records bytes and does not end right after a block header
    while (out.length < begin + recs.length || (out.length % BLOCK > 0 && out.length % BLOCK <= BH)) put([0]);
  }
  return { file: Uint8Array.from(out), positions };
}

describe('chunked SavedModel (saved_model.cpb)', () => {
  it('tf_chunked_model (cpb), its pbtxt and tf_non_chunked_model decode to the same SavedModel', async () => {
    const cpb = await readSavedModelDir(CHUNKED, { checkpoint: false });
    const pb = await readSavedModelDir(NON_CHUNKED, { checkpoint: false });
    const txt = await readSavedModel(fileMapSource({ 'saved_model.pbtxt': readFileSync(join(CHUNKED, 'saved_model.pbtxt')) }));
    expect(cpb.format).toBe('cpb');
    expect(pb.format).toBe('pb');
    expect(txt.format).toBe('pbtxt');
    expect(canonical(cpb.savedModel).equals(canonical(pb.savedModel))).toBe(true);
    expect(canonical(txt.savedModel).equals(canonical(pb.savedModel))).toBe(true);
    // the 150x150 float64 constant, bit for bit
    const a = float64Const(cpb.savedModel), b = float64Const(pb.savedModel), c = float64Const(txt.savedModel);
    expect(a.length).toBe(150 * 150 * 8);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(c).equals(Buffer.from(b))).toBe(true);
  });

  it('cpb and pbtxt hand out plain Uint8Arrays that own exactly their bytes', async () => {
    const cpb = await readSavedModelDir(CHUNKED, { checkpoint: false });
    const txt = await readSavedModel(fileMapSource({ 'saved_model.pbtxt': readFileSync(join(CHUNKED, 'saved_model.pbtxt')) }));
    for (const sm of [cpb.savedModel, txt.savedModel]) {
      const c = float64Const(sm);
      expect(Object.getPrototypeOf(c)).toBe(Uint8Array.prototype);
      expect(c.byteOffset).toBe(0);
      expect(c.buffer.byteLength).toBe(c.byteLength);
      // what used to throw "byte length of Float64Array should be a multiple of 8"
      const f = new Float64Array(c.buffer);
      expect(f.length).toBe(150 * 150);
      expect(Number.isFinite(f[0]!)).toBe(true);
    }
  });

  it('reads a cpb given as a Buffer pool slice, a subarray, and a plain copy identically', async () => {
    const raw = readFileSync(join(CHUNKED, 'saved_model.cpb'));
    const padded = new Uint8Array(raw.length + 13);
    padded.set(raw, 13);
    const want = await readSavedModelDir(CHUNKED, { checkpoint: false });
    for (const bytes of [raw, padded.subarray(13), new Uint8Array(raw)]) {
      const got = await readSavedModel(fileMapSource({ 'saved_model.cpb': bytes }));
      expect(canonical(got.savedModel).equals(canonical(want.savedModel))).toBe(true);
    }
  });

  it('merges synthetic chunks: list index paths, map keys, bytes fields, empty paths, block headers crossed', async () => {
    // chunk 0: the SavedModel without its graph; chunk 1: a NodeDef; chunk 2: 100 KB of tensor_content
    // (the record crosses block headers); chunk 3: a signature; chunk 4: more of the SavedModel itself.
    const base = tensorflow.SavedModel.encode({ saved_model_schema_version: 1, meta_graphs: [{ meta_info_def: { tags: ['serve'] } }] }).finish();
    const node = tensorflow.NodeDef.encode({ name: 'c', op: 'Const', attr: { value: { tensor: { dtype: tensorflow.DataType.DT_DOUBLE } } } }).finish();
    const content = new Uint8Array(100_000).map((_, i) => (i * 7) & 0xff);
    const sig = tensorflow.SignatureDef.encode({ method_name: 'tensorflow/serving/predict' }).finish();
    const more = tensorflow.SavedModel.encode({ meta_graphs: [{ meta_info_def: { tags: ['train'] } }] }).finish();
    const { file, positions } = riegeliFile([[base, node], [content], [sig, more]]);
    const F = (field: number) => ({ field }), I = (index: number) => ({ index }), K = (s: string) => ({ map_key: { s } });
    const meta = tensorflow.proto_splitter.ChunkMetadata.encode({
      chunks: [base, node, content, sig, more].map((c, i) => ({ type: i === 2 ? 2 : 1, size: c.length, offset: positions[i]! })),
      message: {
        chunk_index: 0,
        chunked_fields: [
          // deeper first in the list: the merger sorts by depth, so the node exists before its tensor_content
          { field_tag: [F(2), I(0), F(2), F(1), I(0), F(5), K('value'), F(8), F(4)], message: { chunk_index: 2 } },
          { field_tag: [F(2), I(0), F(2), F(1), I(0)], message: { chunk_index: 1 } },
          { field_tag: [F(2), I(0), F(5), K('serving_default')], message: { chunk_index: 3 } },
          { field_tag: [], message: { chunk_index: 4 } },
        ],
      },
    }).finish();
    const withMeta = riegeliFile([[base, node], [content], [sig, more], [meta]]);
    expect(withMeta.positions.slice(0, 5)).toEqual(positions);
    const got = tensorflow.SavedModel.decode(await mergeChunkedProto(withMeta.file, 'tensorflow.SavedModel'));
    expect(got.meta_graphs.map((m) => m.meta_info_def?.tags)).toEqual([['serve'], ['train']]);
    const n = got.meta_graphs[0]!.graph_def!.node![0]!;
    const attr = n.attr!;
    expect(n.name).toBe('c');
    expect(attr.value!.tensor!.dtype).toBe(tensorflow.DataType.DT_DOUBLE);
    expect(Buffer.from(attr.value!.tensor!.tensor_content!).equals(Buffer.from(content))).toBe(true);
    expect(got.meta_graphs[0]!.signature_def!.serving_default!.method_name).toBe('tensorflow/serving/predict');
    expect(file.length).toBeGreaterThan(BLOCK); // the test really crosses a block header
  });

  it('damaged files give typed errors, never a crash or a huge allocation', async () => {
    const raw = new Uint8Array(readFileSync(join(CHUNKED, 'saved_model.cpb')));
    const rand = mulberry32(20261204);
    const cases: Uint8Array[] = [raw.subarray(0, 10), raw.subarray(0, 64), raw.subarray(0, 200), raw.subarray(0, raw.length - 1), new Uint8Array(0)];
    for (let k = 0; k < 40; k++) {
      const m = raw.slice();
      // flip bytes in the headers and the compressed data
      for (let j = 0; j < 3; j++) { const at = Math.floor(rand() * (k < 20 ? 140 : m.length)); m[at] = m[at]! ^ (1 << Math.floor(rand() * 8)); }
      cases.push(m);
    }
    let typed = 0;
    for (const bytes of cases) {
      try {
        await mergeChunkedProto(bytes, 'tensorflow.SavedModel');
      } catch (e) {
        if (!isSavedModelError(e)) throw e;
        expect(['CORRUPT', 'LIMIT_EXCEEDED', 'UNSUPPORTED']).toContain(e.code);
        expect(e.file).toBe('saved_model.cpb');
        typed++;
      }
    }
    expect(typed).toBeGreaterThanOrEqual(5);
  });

  it('a chunk index out of range and a list index past the end are CORRUPT', async () => {
    const base = tensorflow.SavedModel.encode({ saved_model_schema_version: 1 }).finish();
    const { positions } = riegeliFile([[base]]);
    for (const message of [
      { chunk_index: 5 },
      { chunk_index: 0, chunked_fields: [{ field_tag: [{ field: 2 }, { index: 3 }], message: { chunk_index: 0 } }] },
      { chunk_index: 0, chunked_fields: [{ field_tag: [{ field: 99 }], message: { chunk_index: 0 } }] },
    ]) {
      const meta = tensorflow.proto_splitter.ChunkMetadata.encode({ chunks: [{ type: 1, size: base.length, offset: positions[0]! }], message }).finish();
      const err = await mergeChunkedProto(riegeliFile([[base], [meta]]).file, 'tensorflow.SavedModel').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SavedModelError);
      expect((err as SavedModelError).code).toBe('CORRUPT');
    }
  });
});
