// Generated mutations of protobuf bytes: structured (per field, by wire type) and random (seeded).
import { mulberry32, randomInt } from '../checkpoint-prng.js';

export interface FieldSite {
  /** Offset of the tag varint. */
  tagAt: number;
  wireType: number;
  /** Offset of the value (after the tag). */
  valueAt: number;
  /** End of the value. */
  end: number;
  /** For length-delimited fields: where the payload starts. */
  payloadAt?: number;
}

function readVarint(b: Uint8Array, p: number, end: number): [number, number] | undefined {
  let v = 0, mul = 1;
  for (let i = 0; i < 10 && p < end; i++) {
    const x = b[p++]!;
    v += (x & 0x7f) * mul;
    mul *= 128;
    if (x < 0x80) return [v, p];
  }
  return undefined;
}

/** Fields of the message in b[start, end), recursing into payloads that parse as messages (bounded). */
export function fieldSites(b: Uint8Array, start = 0, end = b.length, depth = 0, out: FieldSite[] = []): FieldSite[] {
  let p = start;
  const sites: FieldSite[] = [];
  while (p < end) {
    const t = readVarint(b, p, end);
    if (!t || t[0] === 0) return out;
    const wireType = t[0] & 7;
    const valueAt = t[1];
    let e: number;
    let payloadAt: number | undefined;
    if (wireType === 0) { const v = readVarint(b, valueAt, end); if (!v) return out; e = v[1]; }
    else if (wireType === 1) e = valueAt + 8;
    else if (wireType === 5) e = valueAt + 4;
    else if (wireType === 2) { const v = readVarint(b, valueAt, end); if (!v) return out; payloadAt = v[1]; e = payloadAt + v[0]; }
    else return out;
    if (e > end) return out;
    sites.push(payloadAt === undefined ? { tagAt: p, wireType, valueAt, end: e } : { tagAt: p, wireType, valueAt, end: e, payloadAt });
    p = e;
  }
  out.push(...sites);
  if (depth < 8) for (const s of sites) if (s.payloadAt !== undefined && s.end > s.payloadAt) fieldSites(b, s.payloadAt, s.end, depth + 1, out);
  return out;
}

function splice(b: Uint8Array, at: number, remove: number, insert: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at));
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

const MAX_VARINT = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
const varint = (v: number) => { const o: number[] = []; while (v >= 0x80) { o.push((v % 128) | 0x80); v = Math.floor(v / 128); } o.push(v); return o; };

/** Mutations of one field site chosen by its wire type. */
export function structuredMutations(b: Uint8Array, s: FieldSite): { what: string; bytes: Uint8Array }[] {
  const m: { what: string; bytes: Uint8Array }[] = [];
  const tag = readVarint(b, s.tagAt, s.valueAt)![0];
  for (const wt of [3, 4, 6, 7]) m.push({ what: `wire type ${wt}`, bytes: splice(b, s.tagAt, s.valueAt - s.tagAt, varint(tag - s.wireType + wt)) });
  if (s.wireType === 0) {
    m.push({ what: 'varint max', bytes: splice(b, s.valueAt, s.end - s.valueAt, MAX_VARINT) });
    m.push({ what: 'varint 2^31', bytes: splice(b, s.valueAt, s.end - s.valueAt, varint(2 ** 31)) });
    m.push({ what: 'varint 2^53', bytes: splice(b, s.valueAt, s.end - s.valueAt, varint(2 ** 53)) });
    m.push({ what: 'varint unterminated', bytes: splice(b, s.valueAt, s.end - s.valueAt, [0x80, 0x80, 0x80]) });
  } else if (s.wireType === 2) {
    const len = s.end - s.payloadAt!;
    for (const [what, v] of [['length +1', len + 1], ['length 2^31', 2 ** 31], ['length 2^53', 2 ** 53], ['length -1', len > 0 ? len - 1 : 0]] as const) {
      m.push({ what, bytes: splice(b, s.valueAt, s.payloadAt! - s.valueAt, varint(v)) });
    }
    if (len > 0) m.push({ what: 'payload 0xff', bytes: splice(b, s.payloadAt!, len, new Uint8Array(len).fill(0xff)) });
  } else {
    const n = s.end - s.valueAt;
    m.push({ what: 'fixed 0xff', bytes: splice(b, s.valueAt, n, new Uint8Array(n).fill(0xff)) });
    m.push({ what: 'fixed truncated', bytes: b.slice(0, s.valueAt + 1) });
  }
  return m;
}

/** `count` random mutations (flip, set, insert, delete, truncate, duplicate) from a fixed seed. */
export function randomMutations(b: Uint8Array, seed: number, count: number): Uint8Array[] {
  const rand = mulberry32(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const at = randomInt(rand, b.length);
    switch (randomInt(rand, 6)) {
      case 0: { const c = b.slice(); c[at] = c[at]! ^ (1 << randomInt(rand, 8)); out.push(c); break; }
      case 1: { const c = b.slice(); c[at] = randomInt(rand, 256); out.push(c); break; }
      case 2: out.push(splice(b, at, 0, Array.from({ length: 1 + randomInt(rand, 8) }, () => randomInt(rand, 256)))); break;
      case 3: out.push(splice(b, at, Math.min(1 + randomInt(rand, 16), b.length - at), [])); break;
      case 4: out.push(b.slice(0, at)); break;
      default: { const n = Math.min(1 + randomInt(rand, 64), b.length - at); out.push(splice(b, at, 0, b.subarray(at, at + n))); }
    }
  }
  return out;
}
