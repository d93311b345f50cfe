// The wire walk of findUnknownFields (our own reader over a field-number table) checked against an
// independent walk driven by protobufjs's reflection schema of the same .proto files, on every
// TensorFlow-written .pb in the fixtures, on bytes with unknown fields put at known depths, and on
// damaged bytes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { isSavedModelError } from '../src/errors.js';
import { tensorflow } from '../src/proto/index.js';
import { lookupType } from '../src/proto/reflection.js';
import { findUnknownFields, type UnknownField } from '../src/proto/unknown-fields.js';
import { mulberry32, randomInt } from './checkpoint-prng.js';
import { FIXTURES, FIXTURES_MORE } from './shared.js';

/** Reference: the same walk through protobufjs's Reader and reflected field lookup. */
function reference(typeName: string, bytes: Uint8Array): UnknownField[] {
  const out: UnknownField[] = [];
  const walk = (type: protobuf.Type, buf: Uint8Array, path: string) => {
    const r = protobuf.Reader.create(buf);
    while (r.pos < r.len) {
      const tag = r.uint32();
      const id = tag >>> 3, wt = tag & 7;
      const field = type.fieldsById[id];
      if (!field) { out.push({ path, field: id, wireType: wt }); r.skipType(wt); continue; }
      field.resolve();
      if (wt !== 2) { r.skipType(wt); continue; }
      const inner = r.bytes();
      if (field.map) {
        const e = protobuf.Reader.create(inner);
        while (e.pos < e.len) {
          const t = e.uint32();
          const eid = t >>> 3, ewt = t & 7;
          if (eid === 2 && ewt === 2 && field.resolvedType instanceof protobuf.Type) walk(field.resolvedType, e.bytes(), `${path}.${field.name}`);
          else if (eid === 1 || eid === 2) e.skipType(ewt);
          else { out.push({ path: `${path}.${field.name}<entry>`, field: eid, wireType: ewt }); e.skipType(ewt); }
        }
      } else if (field.resolvedType instanceof protobuf.Type) {
        walk(field.resolvedType, inner, `${path}.${field.name}`);
      }
    }
  };
  walk(lookupType(typeName), bytes, typeName);
  return out;
}

const TYPES: Record<string, string> = {
  'saved_model.pb': 'tensorflow.SavedModel',
  'fingerprint.pb': 'tensorflow.FingerprintDef',
  'keras_metadata.pb': 'third_party.py.keras.protobuf.SavedMetadata',
};

function pbFiles(): [string, string, Uint8Array][] {
  const out: [string, string, Uint8Array][] = [];
  for (const root of [FIXTURES, FIXTURES_MORE]) {
    for (const d of readdirSync(root)) {
      const dir = join(root, d);
      if (!statSync(dir).isDirectory()) continue;
      for (const [file, type] of Object.entries(TYPES)) {
        try { out.push([`${d}/${file}`, type, new Uint8Array(readFileSync(join(dir, file)))]); } catch { /* not in this fixture */ }
      }
    }
  }
  return out;
}

const varint = (v: number): number[] => { const o: number[] = []; while (v >= 0x80) { o.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); } o.push(v); return o; };
const field = (id: number, bytes: Uint8Array | number[]): number[] => [...varint((id << 3) | 2), ...varint(bytes.length), ...bytes];

describe('findUnknownFields', () => {
  const files = pbFiles();

  it('finds the .pb files of both fixture folders', () => {
    expect(files.filter(([, t]) => t === 'tensorflow.SavedModel').length).toBeGreaterThanOrEqual(15);
  });

  it.each(files.map(([name, type, bytes]) => [name, type, bytes] as const))('%s: same result as the reflection walk', (_name, type, bytes) => {
    expect(findUnknownFields(type, bytes)).toEqual(reference(type, bytes));
  });

  it('reports unknown fields at depth, in map entries and in map values, with their paths', () => {
    const attr = tensorflow.AttrValue.encode({ i: 3 }).finish();
    const attrWithUnknown = [...attr, ...varint((77 << 3) | 0), 5]; // field 77 inside an AttrValue
    const entry = [...field(1, new TextEncoder().encode('T')), ...field(2, attrWithUnknown), ...varint((9 << 3) | 5), 1, 2, 3, 4];
    const node = [...field(1, new TextEncoder().encode('n')), ...field(5, entry), ...varint((99 << 3) | 1), 0, 0, 0, 0, 0, 0, 0, 0];
    const bytes = new Uint8Array(field(2, field(2, field(1, node)))); // SavedModel.meta_graphs.graph_def.node
    const got = findUnknownFields('tensorflow.SavedModel', bytes);
    expect(got).toEqual(reference('tensorflow.SavedModel', bytes));
    expect(got).toEqual([
      { path: 'tensorflow.SavedModel.meta_graphs.graph_def.node.attr', field: 77, wireType: 0 },
      { path: 'tensorflow.SavedModel.meta_graphs.graph_def.node.attr<entry>', field: 9, wireType: 5 },
      { path: 'tensorflow.SavedModel.meta_graphs.graph_def.node', field: 99, wireType: 1 },
    ]);
  });

  it('damaged bytes: a typed error wherever the reflection walk fails, the same list wherever both succeed', () => {
    const rand = mulberry32(0x5eed);
    const sources = files.filter(([, t]) => t === 'tensorflow.SavedModel').map(([, , b]) => b).filter((b) => b.length < 200_000);
    let bothOk = 0, bothFailed = 0;
    for (let i = 0; i < 400; i++) {
      const src = sources[i % sources.length]!;
      const b = src.slice(0, i % 3 === 0 ? randomInt(rand, src.length) : src.length);
      for (let k = 0; k < 1 + randomInt(rand, 4); k++) {
        if (b.length === 0) break;
        const at = randomInt(rand, b.length);
        b[at] = b[at]! ^ (1 << randomInt(rand, 8));
      }
      let want: UnknownField[] | undefined;
      try { want = reference('tensorflow.SavedModel', b); } catch { want = undefined; }
      let got: UnknownField[] | undefined;
      try {
        got = findUnknownFields('tensorflow.SavedModel', b, 'x.pb');
      } catch (e) {
        expect(isSavedModelError(e) && ['CORRUPT', 'TRUNCATED', 'LIMIT_EXCEEDED'].includes(e.code)).toBe(true);
        expect(isSavedModelError(e) && e.file).toBe('x.pb');
      }
      if (want === undefined) { expect(got).toBeUndefined(); bothFailed++; continue; }
      // ours is stricter only about field number 0 and mismatched group end tags
      if (got === undefined) continue;
      expect(got).toEqual(want);
      bothOk++;
    }
    expect(bothOk).toBeGreaterThan(50);
    expect(bothFailed).toBeGreaterThan(50);
  });

  it('rejects a type name that is not in our .proto files', () => {
    expect(() => findUnknownFields('tensorflow.NoSuchMessage', new Uint8Array())).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
