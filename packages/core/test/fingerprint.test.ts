// fingerprint.pb: FarmHash Fingerprint64 and the FingerprintDef hashes, against the only
// TF-written fingerprint we have (half_plus_two_tf2, TF 2.14) and independent FarmHash values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isSavedModelError } from '../src/errors.js';
import { fingerprint64, fingerprintCat64 } from '../src/hash/farmhash.js';
import { fileMapSink } from '../src/io/file-source.js';
import { encodeDeterministic, tensorflow, type Long } from '../src/proto/index.js';
import { DataType, type CheckpointTensor } from '../src/checkpoint/index.js';
import {
  checkpointIndexBytes, computeFingerprint, fingerprintOfEncoded, hashGraphDefProgram, hashSavedModel, hashSavedObjectGraph, hashSignatureDefs,
  regularizeGraphDef, singleprint, withFingerprint,
} from '../src/savedmodel/fingerprint.js';
import { decodeSavedModel } from '../src/savedmodel/read.js';
import { regularizedGraphBytes } from '../src/savedmodel/graph-hash-bytes.js';
import { encodeSavedModel, writeSavedModel, type DeferredCheckpointTensor, type SavedModelContent } from '../src/savedmodel/write.js';
import * as core from '../src/index.js';
import { FIXTURES, FIXTURE_NAMES } from './shared.js';

// ---- a straightforward BigInt FarmHash (farmhashna::Hash64), the reference for the fast one ----
const M = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n, K1 = 0xb492b66fbe98f273n, K2 = 0x9ae16a3b2f90404fn;
const m = (x: bigint) => x & M;
const rot = (v: bigint, s: number) => (s === 0 ? v : m((v >> BigInt(s)) | (v << BigInt(64 - s))));
const smix = (v: bigint) => v ^ (v >> 47n);
const f64 = (b: Uint8Array, p: number) => { let r = 0n; for (let i = 7; i >= 0; i--) r = (r << 8n) | BigInt(b[p + i]!); return r; };
const f32 = (b: Uint8Array, p: number) => { let r = 0n; for (let i = 3; i >= 0; i--) r = (r << 8n) | BigInt(b[p + i]!); return r; };
const h16 = (u: bigint, v: bigint, mul: bigint) => {
  let a = m((u ^ v) * mul); a ^= a >> 47n;
  let b = m((v ^ a) * mul); b ^= b >> 47n;
  return m(b * mul);
};
function refFingerprint64(s: Uint8Array): bigint {
  const len = s.length, L = BigInt(len), mul = m(K2 + L * 2n);
  if (len <= 16) {
    if (len >= 8) {
      const a = m(f64(s, 0) + K2), b = f64(s, len - 8);
      return h16(m(m(rot(b, 37) * mul) + a), m(m(rot(a, 25) + b) * mul), mul);
    }
    if (len >= 4) return h16(m(L + (f32(s, 0) << 3n)), f32(s, len - 4), mul);
    if (len > 0) {
      const y = BigInt(s[0]!) + (BigInt(s[len >> 1]!) << 8n), z = L + (BigInt(s[len - 1]!) << 2n);
      return m(smix(m(y * K2) ^ m(z * K0)) * K2);
    }
    return K2;
  }
  if (len <= 32) {
    const a = m(f64(s, 0) * K1), b = f64(s, 8), c = m(f64(s, len - 8) * mul), d = m(f64(s, len - 16) * K2);
    return h16(m(rot(m(a + b), 43) + rot(c, 30) + d), m(a + rot(m(b + K2), 18) + c), mul);
  }
  if (len <= 64) {
    const a = m(f64(s, 0) * K2), b = f64(s, 8), c = m(f64(s, len - 8) * mul), d = m(f64(s, len - 16) * K2);
    const y = m(rot(m(a + b), 43) + rot(c, 30) + d), z = h16(y, m(a + rot(m(b + K2), 18) + c), mul);
    const e = m(f64(s, 16) * mul), f = f64(s, 24), g = m(m(y + f64(s, len - 32)) * mul), h = m(m(z + f64(s, len - 24)) * mul);
    return h16(m(rot(m(e + f), 43) + rot(g, 30) + h), m(e + rot(m(f + a), 18) + g), mul);
  }
  const weak = (p: number, a: bigint, b: bigint): [bigint, bigint] => {
    const w = f64(s, p), x = f64(s, p + 8), y = f64(s, p + 16), z = f64(s, p + 24);
    a = m(a + w); b = rot(m(b + a + z), 21);
    const c = a;
    a = m(a + x); a = m(a + y); b = m(b + rot(a, 44));
    return [m(a + z), m(b + c)];
  };
  let x = 81n, y = m(81n * K1 + 113n), z = m(smix(m(y * K2 + 113n)) * K2);
  let v: [bigint, bigint] = [0n, 0n], w: [bigint, bigint] = [0n, 0n];
  x = m(x * K2 + f64(s, 0));
  const end = Math.floor((len - 1) / 64) * 64, last64 = end + ((len - 1) & 63) - 63;
  let p = 0;
  do {
    x = m(rot(m(x + y + v[0] + f64(s, p + 8)), 37) * K1);
    y = m(rot(m(y + v[1] + f64(s, p + 48)), 42) * K1);
    x ^= w[1];
    y = m(y + v[0] + f64(s, p + 40));
    z = m(rot(m(z + w[0]), 33) * K1);
    v = weak(p, m(v[1] * K1), m(x + w[0]));
    w = weak(p + 32, m(z + w[1]), m(y + f64(s, p + 16)));
    [z, x] = [x, z];
    p += 64;
  } while (p !== end);
  const mu = m(K1 + ((z & 0xffn) << 1n));
  p = last64;
  w[0] = m(w[0] + BigInt((len - 1) & 63)); v[0] = m(v[0] + w[0]); w[0] = m(w[0] + v[0]);
  x = m(rot(m(x + y + v[0] + f64(s, p + 8)), 37) * mu);
  y = m(rot(m(y + v[1] + f64(s, p + 48)), 42) * mu);
  x ^= m(w[1] * 9n);
  y = m(y + m(v[0] * 9n) + f64(s, p + 40));
  z = m(rot(m(z + w[0]), 33) * mu);
  v = weak(p, m(v[1] * mu), m(x + w[0]));
  w = weak(p + 32, m(z + w[1]), m(y + f64(s, p + 16)));
  [z, x] = [x, z];
  return h16(m(h16(v[0], w[0], mu) + m(smix(y) * K0) + z), m(h16(v[1], w[1], mu) + x), mu);
}

function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + 7) & 255;
  return b;
}

function random(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (Math.imul(s, 1103515245) + 12345) >>> 0; b[i] = s >>> 24; }
  return b;
}

const u64 = (v: number | Long | null | undefined) => (v === null || v === undefined ? 0n : BigInt(v.toString()));
/** A FingerprintDef's values, comparable with toEqual. */
const plain = (fp: tensorflow.IFingerprintDef) => ({
  saved_model_checksum: u64(fp.saved_model_checksum), graph_def_program_hash: u64(fp.graph_def_program_hash),
  signature_def_hash: u64(fp.signature_def_hash), saved_object_graph_hash: u64(fp.saved_object_graph_hash),
  checkpoint_hash: u64(fp.checkpoint_hash), producer: fp.version?.producer ?? 0, uuid: fp.uuid ?? '',
});

// ---- the half_plus_two_tf2 fixture (TF 2.14, with the fingerprint.pb TF wrote) ----
const DIR = join(FIXTURES, 'half_plus_two_tf2');
const SM_BYTES = new Uint8Array(readFileSync(join(DIR, 'saved_model.pb')));
const INDEX_BYTES = new Uint8Array(readFileSync(join(DIR, 'variables', 'variables.index')));
const TF_FP = tensorflow.FingerprintDef.decode(new Uint8Array(readFileSync(join(DIR, 'fingerprint.pb'))));
const FIXTURE = {
  saved_model_checksum: 3202314178945370836n,
  graph_def_program_hash: 13265581747292989307n,
  signature_def_hash: 3442878103270210563n,
  saved_object_graph_hash: 16227935890437681837n,
  checkpoint_hash: 17568057568585441542n,
};
const FIELDS = Object.keys(FIXTURE) as (keyof typeof FIXTURE)[];

describe('FarmHash Fingerprint64 (farmhashna::Hash64)', () => {
  // Values of Google's C++ FarmHash (the `farmhash` npm package, Node-API) on pattern(n); every
  // code path (0-3, 4-7, 8-16, 17-32, 33-64, >64 with 1 and several blocks, lengths ≡ 0 mod 64).
  const CPP: [number, bigint][] = [
    [0, 11160318154034397263n], [1, 6305636504242451570n], [2, 12726977116232901853n],
    [3, 13757920146842369537n], [4, 8711584101399146599n], [5, 11613753480509168137n],
    [7, 350524659672043134n], [8, 13951928220410398821n], [9, 9272600268400918218n],
    [15, 4110295510335322160n], [16, 627284022712469582n], [17, 16727878671107872245n],
    [24, 6000570719063355126n], [31, 2864921176549744580n], [32, 17291822166980286175n],
    [33, 8349058023639834897n], [48, 12723908663564597508n], [63, 12502087356314882322n],
    [64, 16291252500013338479n], [65, 10938277795795887744n], [127, 16905422548444369035n],
    [128, 2023883709047346148n], [129, 10982694807032664465n], [191, 10230225529978799885n],
    [192, 15088902434565252272n], [193, 17748299056822264399n], [255, 13985890794715226201n],
    [256, 2926152793872466221n], [257, 13262096387002265671n], [1000, 17079257492731967287n],
    [1024, 9995940772224365560n],
  ];

  it('matches the C++ reference at every length class', () => {
    for (const [n, want] of CPP) {
      expect([n, fingerprint64(pattern(n))]).toEqual([n, want]);
      expect([n, refFingerprint64(pattern(n))]).toEqual([n, want]);
    }
  });

  it('matches BigQuery FARM_FINGERPRINT (signed) around 128 bytes and known strings', () => {
    // BigQuery values for REPEAT('a', n) (the multiple-of-64 case some ports get wrong).
    const bq: [number, bigint][] = [[126, 6261940804893177895n], [127, 7531535164187061522n], [128, -4747627967806356490n], [129, -266561011801984384n], [130, 7135893960687184995n]];
    for (const [n, want] of bq) expect(BigInt.asIntN(64, fingerprint64('a'.repeat(n)))).toBe(want);
    expect(fingerprint64('')).toBe(0x9ae16a3b2f90404fn); // k2
    expect(fingerprint64('foo')).toBe(6150913649986995171n);
    expect(fingerprint64('hello world')).toBe(6381520714923946011n);
    expect(fingerprint64('serving_default')).toBe(15811929960628376559n);
  });

  it('agrees with the BigInt reference on edge lengths, random and extreme bytes', () => {
    const lengths = [0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000];
    for (let n = 0; n <= 300; n++) lengths.push(n);
    for (const n of lengths) {
      for (const data of [random(n, n + 1), new Uint8Array(n).fill(0xff), new Uint8Array(n)]) {
        expect([n, fingerprint64(data)]).toEqual([n, refFingerprint64(data)]);
      }
    }
  });

  it('hashes a subarray by its own bytes, strings as UTF-8', () => {
    const big = random(500, 7);
    expect(fingerprint64(big.subarray(3, 203))).toBe(fingerprint64(big.slice(3, 203)));
    expect(fingerprint64('héllo ✓')).toBe(fingerprint64(new TextEncoder().encode('héllo ✓')));
  });

  it('is fast enough for tens of MB (logs MB/s)', () => {
    const data = random(16 << 20, 3);
    fingerprint64(data.subarray(0, 1 << 20)); // warm up
    const t = performance.now();
    const h = fingerprint64(data);
    const s = (performance.now() - t) / 1000;
    console.log(`fingerprint64: ${(16 / s).toFixed(0)} MB/s`);
    expect(h).toBe(fingerprint64(data)); // deterministic; no timing assertion (CI speed varies)
  });

  it('FingerprintCat64 is TF\'s formula (order-sensitive, mod 2^64)', () => {
    const k = 0xc6a4a7935bd1e995n;
    const cat = (a: bigint, b: bigint) => {
      let r = a ^ k;
      r ^= m(smix(m(b * k)) * k);
      r = m(r * k);
      r = m(smix(r) * k);
      return smix(r);
    };
    for (const [a, b] of [[0n, 0n], [1n, 2n], [M, M], [12345678901234567890n, 987654321n]] as const) {
      expect(fingerprintCat64(a, b)).toBe(cat(a, b));
    }
    expect(fingerprintCat64(1n, 2n)).not.toBe(fingerprintCat64(2n, 1n));
  });
});

describe('FingerprintDef of half_plus_two_tf2 (written by TF 2.14)', () => {
  it('the fixture has the five hashes and version {producer: 1}, no uuid', () => {
    for (const f of FIELDS) expect([f, u64(TF_FP[f])]).toEqual([f, FIXTURE[f]]);
    expect(TF_FP.version?.producer).toBe(1);
    expect(TF_FP.uuid).toBe('');
  });

  it('computeFingerprint(saved_model.pb bytes, variables.index) reproduces all five fields', () => {
    const fp = computeFingerprint(SM_BYTES, INDEX_BYTES);
    for (const f of FIELDS) expect([f, u64(fp[f])]).toEqual([f, FIXTURE[f]]);
    expect(fp.version).toEqual({ producer: 1 });
    expect(fp.uuid).toBeUndefined();
    // and it encodes to a message that decodes to the same values as TF's file
    expect(plain(tensorflow.FingerprintDef.decode(tensorflow.FingerprintDef.encode(fp).finish()))).toEqual(plain(TF_FP));
  });

  it('checkpoint_hash = Fingerprint64(variables.index); saved_model_checksum = Fingerprint64(saved_model.pb)', () => {
    expect(fingerprint64(INDEX_BYTES)).toBe(FIXTURE.checkpoint_hash);
    expect(fingerprint64(SM_BYTES)).toBe(FIXTURE.saved_model_checksum);
  });

  it('signature_def_hash, saved_object_graph_hash and graph_def_program_hash from the decoded message', () => {
    const mg = decodeSavedModel(SM_BYTES).meta_graphs[0]!;
    expect(hashSignatureDefs(mg.signature_def)).toBe(FIXTURE.signature_def_hash);
    expect(hashSavedObjectGraph(mg.object_graph_def!)).toBe(FIXTURE.saved_object_graph_hash);
    expect(hashGraphDefProgram(mg.graph_def!)).toBe(FIXTURE.graph_def_program_hash);
  });

  it('from a message, saved_model_checksum is over the deterministic encoding; the other four are the same', () => {
    // The fixture's writer put MetaGraphDef/MetaInfoDef fields in descending order, so its
    // bytes differ from protobuf's field-order serialization (ours and protoc's): same message,
    // other bytes, other checksum; the checksum always belongs to the bytes actually written.
    const sm = decodeSavedModel(SM_BYTES);
    const encoded = encodeSavedModel(sm);
    expect(encoded).not.toEqual(SM_BYTES);
    const fp = computeFingerprint(sm, INDEX_BYTES);
    expect(u64(fp.saved_model_checksum)).toBe(fingerprint64(encoded));
    expect(hashSavedModel(sm)).toBe(fingerprint64(encoded));
    for (const f of FIELDS.filter((x) => x !== 'saved_model_checksum')) expect([f, u64(fp[f])]).toEqual([f, FIXTURE[f]]);
  });

  it('fingerprintOfEncoded (graph hash spliced from the written bytes) equals the hash of the message, on every fixture', () => {
    for (const name of FIXTURE_NAMES) {
      const sm = decodeSavedModel(new Uint8Array(readFileSync(join(FIXTURES, name, 'saved_model.pb'))));
      const encoded = encodeSavedModel(sm);
      const fp = fingerprintOfEncoded(sm, encoded);
      expect([name, u64(fp.graph_def_program_hash)]).toEqual([name, hashGraphDefProgram(sm.meta_graphs[0]!.graph_def!)]);
      // the splice is taken (not the fallback) and is byte for byte the regularized graph's encoding
      const graph = sm.meta_graphs[0]!.graph_def!;
      const g = regularizeGraphDef(graph);
      const spliced = regularizedGraphBytes(encoded, g, (g.node ?? []).map((n, i) => n === graph.node![i]));
      expect(spliced, name).toBeDefined();
      expect(Buffer.from(spliced!).equals(encodeDeterministic('tensorflow.GraphDef', tensorflow.GraphDef, g as tensorflow.GraphDef)), name).toBe(true);
    }
    // the fixture TF 2.14 fingerprinted itself
    const sm = decodeSavedModel(SM_BYTES);
    expect(u64(fingerprintOfEncoded(sm, encodeSavedModel(sm)).graph_def_program_hash)).toBe(FIXTURE.graph_def_program_hash);
  });

  it('singleprint is TF\'s "graph/signature/object_graph/checkpoint" string', () => {
    expect(singleprint(TF_FP)).toBe('13265581747292989307/3442878103270210563/16227935890437681837/17568057568585441542');
  });
});

describe('regularizeGraphDef (TF\'s SimpleDelete)', () => {
  const graph = () => decodeSavedModel(SM_BYTES).meta_graphs[0]!.graph_def!;

  it('strips the uid from f, empties config_proto, clears DT_STRING Const values, empties library and versions', () => {
    const g = graph();
    const before = tensorflow.GraphDef.encode(g).finish();
    const r = regularizeGraphDef(g);
    expect(tensorflow.GraphDef.encode(g).finish()).toEqual(before); // input untouched
    const calls = r.node!.filter((n) => n.op === 'StatefulPartitionedCall');
    const names = calls.map((n) => n.attr!.f!.func!.name!);
    expect(names.every((n) => n.endsWith('_') && !/[0-9]$/.test(n))).toBe(true);
    expect(names.filter((n) => n.includes('signature_wrapper')).sort()).toEqual([
      '__inference_signature_wrapper_classify_x2y3_', '__inference_signature_wrapper_classify_xy_',
      '__inference_signature_wrapper_predict_', '__inference_signature_wrapper_regress_x2y3_', '__inference_signature_wrapper_regress_xy2_',
      '__inference_signature_wrapper_regress_xy_',
    ]);
    for (const n of calls) expect(n.attr!.config_proto).toEqual({ s: new Uint8Array(0) });
    const strConst = r.node!.find((n) => n.op === 'Const' && n.attr!.dtype!.type === tensorflow.DataType.DT_STRING)!;
    expect(strConst.attr!.value).toEqual({});
    const floatConst = r.node!.find((n) => n.op === 'Const' && n.attr!.dtype!.type === tensorflow.DataType.DT_FLOAT)!;
    expect(floatConst.attr!.value!.tensor).toBeTruthy();
    // present-but-empty library (field 2) and versions (field 4): the bytes end "12 00 … 22 00"
    const bytes = encodeDeterministic('tensorflow.GraphDef', tensorflow.GraphDef, r as tensorflow.GraphDef);
    expect([...bytes.subarray(-4)]).toEqual([0x12, 0x00, 0x22, 0x00]);
  });

  it('only the exact TF reading reproduces the fixture (absent library/config_proto do not)', () => {
    const r = regularizeGraphDef(graph());
    const variants: tensorflow.IGraphDef[] = [
      { ...r, library: null, versions: null },
      { ...r, node: r.node!.map((n) => (n.attr?.config_proto ? { ...n, attr: Object.fromEntries(Object.entries(n.attr).filter(([k]) => k !== 'config_proto')) } : n)) },
    ];
    for (const v of variants) {
      expect(fingerprint64(encodeDeterministic('tensorflow.GraphDef', tensorflow.GraphDef, v as tensorflow.GraphDef))).not.toBe(FIXTURE.graph_def_program_hash);
    }
  });

  it('leaves names without a numeric suffix, PartitionedCall too; no f or dtype attr is no error', () => {
    const g: tensorflow.IGraphDef = {
      node: [
        { name: 'a', op: 'PartitionedCall', attr: { f: { func: { name: 'my_fn' } } } },
        { name: 'b', op: 'PartitionedCall', attr: { f: { func: { name: 'fn_007' } }, config_proto: { s: new Uint8Array([1, 2]) } } },
        { name: 'c', op: 'StatefulPartitionedCall', attr: {} },
        { name: 'd', op: 'Const', attr: {} },
      ],
    };
    const r = regularizeGraphDef(g);
    expect(r.node![0]!.attr!.f!.func!.name).toBe('my_fn');
    expect(r.node![1]!.attr!.f!.func!.name).toBe('fn_00'); // uid 7; StripSuffix("7")
    expect(r.node![1]!.attr!.config_proto).toEqual({ s: new Uint8Array(0) });
    expect(g.node![1]!.attr!.f!.func!.name).toBe('fn_007');
    expect(r.node![2]).toBe(g.node![2]);
    expect(r.node![3]).toBe(g.node![3]);
  });
});

describe('saved_object_graph_hash and signature_def_hash rules', () => {
  const fn = (i: number): tensorflow.ISavedConcreteFunction => ({ bound_inputs: [i] });
  const fp = (msg: tensorflow.ISavedConcreteFunction) => fingerprint64(encodeDeterministic('tensorflow.SavedConcreteFunction', tensorflow.SavedConcreteFunction, msg as tensorflow.SavedConcreteFunction));

  it('orders functions by the integer uid (9 before 10), hashing the name without its digits', () => {
    const h = hashSavedObjectGraph({ concrete_functions: { __inference_b_10: fn(1), __inference_a_9: fn(2) } });
    let want = 0n;
    want = fingerprintCat64(want, fingerprint64('__inference_a_'));
    want = fingerprintCat64(want, fp(fn(2)));
    want = fingerprintCat64(want, fingerprint64('__inference_b_'));
    want = fingerprintCat64(want, fp(fn(1)));
    expect(h).toBe(want);
    expect(hashSavedObjectGraph({})).toBe(0n);
  });

  it('refuses a function name without a numeric suffix, and a SavedModel without meta graphs', () => {
    let err: unknown;
    try { hashSavedObjectGraph({ concrete_functions: { no_uid: {} } }); } catch (e) { err = e; }
    expect(isSavedModelError(err, 'INVALID_ARGUMENT')).toBe(true);
    err = undefined;
    try { computeFingerprint({ meta_graphs: [] }); } catch (e) { err = e; }
    expect(isSavedModelError(err, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('signature keys in bytewise order, key then SignatureDef', () => {
    const sigs: Record<string, tensorflow.ISignatureDef> = { b: { method_name: 'x' }, a: { method_name: 'y' } };
    const enc = (s: tensorflow.ISignatureDef) => fingerprint64(encodeDeterministic('tensorflow.SignatureDef', tensorflow.SignatureDef, s as tensorflow.SignatureDef));
    let want = 0n;
    for (const k of ['a', 'b']) { want = fingerprintCat64(want, fingerprint64(k)); want = fingerprintCat64(want, enc(sigs[k]!)); }
    expect(hashSignatureDefs(sigs)).toBe(want);
    expect(hashSignatureDefs({})).toBe(0n);
  });
});

describe('writing fingerprint.pb (withFingerprint + writeSavedModel, as the SDK exports do)', () => {
  const tensors = (): CheckpointTensor[] => [
    { key: 'a/.ATTRIBUTES/VARIABLE_VALUE', dtype: DataType.DT_FLOAT, shape: [], data: new Float32Array([0.5]) },
    { key: 'b/.ATTRIBUTES/VARIABLE_VALUE', dtype: DataType.DT_FLOAT, shape: [2], data: new Float32Array([2, 3]) },
    { key: 's/.ATTRIBUTES/VARIABLE_VALUE', dtype: DataType.DT_STRING, shape: [2], data: ['x', 'yz'] },
  ];

  async function write(content: SavedModelContent) {
    const sink = fileMapSink();
    const order: string[] = [];
    await writeSavedModel(sink, content, { onProgress: (p) => order.push(p.file) });
    return { files: sink.files, order };
  }

  it('fingerprint.pb is written before saved_model.pb; its hashes match the written files', async () => {
    const { files, order } = await write(withFingerprint({ savedModel: decodeSavedModel(SM_BYTES), checkpoint: tensors() }));
    expect(order.indexOf('fingerprint.pb')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('fingerprint.pb')).toBeLessThan(order.indexOf('saved_model.pb'));
    const fp = tensorflow.FingerprintDef.decode(files.get('fingerprint.pb')!);
    expect(u64(fp.checkpoint_hash)).toBe(fingerprint64(files.get('variables/variables.index')!));
    expect(u64(fp.saved_model_checksum)).toBe(fingerprint64(files.get('saved_model.pb')!));
    // the same SavedModel as the fixture: the three message hashes are TF's
    expect(u64(fp.graph_def_program_hash)).toBe(FIXTURE.graph_def_program_hash);
    expect(u64(fp.signature_def_hash)).toBe(FIXTURE.signature_def_hash);
    expect(u64(fp.saved_object_graph_hash)).toBe(FIXTURE.saved_object_graph_hash);
    expect(fp.version?.producer).toBe(1);
    expect(fp.uuid).toBe('');
    // and fingerprinting the written directory from its files gives the same FingerprintDef
    const again = computeFingerprint(files.get('saved_model.pb')!, files.get('variables/variables.index')!);
    expect(plain(again)).toEqual(plain(fp));
  });

  it('checkpointIndexBytes is the index writeSavedModel writes', async () => {
    const { files } = await write({ savedModel: decodeSavedModel(SM_BYTES), checkpoint: tensors() });
    expect(checkpointIndexBytes(tensors())).toEqual(files.get('variables/variables.index'));
  });

  it('a one-shot checkpoint iterable is still written in full', async () => {
    function* once() { yield* tensors(); }
    const content = withFingerprint({ savedModel: decodeSavedModel(SM_BYTES), checkpoint: once() });
    const { files } = await write(content);
    expect(files.get('variables/variables.index')).toEqual(checkpointIndexBytes(tensors()));
    const fp = tensorflow.FingerprintDef.decode(files.get('fingerprint.pb')!);
    expect(u64(fp.checkpoint_hash)).toBe(fingerprint64(files.get('variables/variables.index')!));
  });

  it('no checkpoint: checkpoint_hash 0; uuid option', async () => {
    const { files } = await write(withFingerprint({ savedModel: decodeSavedModel(SM_BYTES) }, { uuid: true }));
    expect(files.has('variables/variables.index')).toBe(false);
    const fp = tensorflow.FingerprintDef.decode(files.get('fingerprint.pb')!);
    expect(u64(fp.checkpoint_hash)).toBe(0n);
    expect(fp.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(computeFingerprint(SM_BYTES, null, { uuid: 'fixed' }).uuid).toBe('fixed');
  });

  it('deferred tensors: each loaded once, in order, as the data file streams; WriteOptions.fingerprint equals withFingerprint', async () => {
    const loads: string[] = [];
    const deferred = (): DeferredCheckpointTensor[] => tensors().map(({ data, ...t }) => ({ ...t, load: async () => { loads.push(t.key); return data; } }));
    const streamed: string[] = [];
    const sink = fileMapSink();
    const write0 = sink.write.bind(sink);
    sink.write = async (path, data) => {
      streamed.push(`${path}:${Symbol.asyncIterator in Object(data) ? 'async' : 'sync'}`);
      return write0(path, data);
    };
    await writeSavedModel(sink, { savedModel: decodeSavedModel(SM_BYTES), checkpoint: deferred() }, { fingerprint: true });
    expect(loads).toEqual(tensors().map((t) => t.key));
    expect(streamed[0]).toBe('variables/variables.data-00000-of-00001:async');
    const eager = await write(withFingerprint({ savedModel: decodeSavedModel(SM_BYTES), checkpoint: tensors() }));
    for (const f of ['variables/variables.data-00000-of-00001', 'variables/variables.index', 'fingerprint.pb', 'saved_model.pb']) {
      expect(sink.files.get(f), f).toEqual(eager.files.get(f));
    }
    // withFingerprint cannot hash data that is not read yet
    let err: unknown;
    try { withFingerprint({ savedModel: decodeSavedModel(SM_BYTES), checkpoint: deferred() }); } catch (e) { err = e; }
    expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
    expect((err as Error).message).toContain('WriteOptions.fingerprint');
  });

  it('a deferred load failing aborts the sink: nothing is committed', async () => {
    const target = new Map<string, Uint8Array>();
    const bad: DeferredCheckpointTensor = { key: 'x', dtype: DataType.DT_FLOAT, shape: [1], load: () => Promise.reject(new Error('backend lost')) };
    let err: unknown;
    try { await writeSavedModel(fileMapSink(target), { savedModel: decodeSavedModel(SM_BYTES), checkpoint: [bad] }, { fingerprint: true }); } catch (e) { err = e; }
    expect(isSavedModelError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
    expect((err as Error).message).toContain('backend lost');
    expect(target.size).toBe(0);
  });

  it('is exported from the package entry point', () => {
    expect(core.computeFingerprint).toBe(computeFingerprint);
    expect(core.withFingerprint).toBe(withFingerprint);
    expect(core).not.toHaveProperty("fingerprint64"); // a building block: in core/internal
  });
});
