// buildOpDef (op-def-from-compact.ts) must give exactly what the trip through the wire format gave
// before: tensorflow.OpDef.decode(tensorflow.OpDef.encode(expandOp(c)).finish()) — same classes,
// Long int64s, float32-rounded floats, the reader's kind of bytes — for every op of every table.
import { describe, expect, it } from 'vitest';
import { tensorflow } from '../src/proto/index.js';
import { buildOpDef, expandOp } from '../src/registry/op-def-from-compact.js';
import type { CompactOp } from '../src/registry/op-registry-format.js';
import common from '../src/registry/op-registry-common.gen.json';
import rest from '../src/registry/op-registry-rest.gen.json';
import newest from '../src/registry/op-registry-2.21.gen.json';

const viaWire = (c: CompactOp) => tensorflow.OpDef.decode(tensorflow.OpDef.encode(expandOp(c)).finish());

describe('buildOpDef', () => {
  const tables: [string, CompactOp[]][] = [
    ['common', (common as unknown as { ops: CompactOp[] }).ops],
    ['rest', (rest as unknown as { ops: CompactOp[] }).ops],
    ['2.21', (newest as unknown as { ops: CompactOp[] }).ops],
  ];
  for (const [name, ops] of tables) {
    it(`is deep-equal to the wire trip for all ${name} ops`, () => {
      expect(ops.length).toBeGreaterThan(100);
      let compared = 0;
      for (const c of ops) {
        const built = buildOpDef(c);
        expect(built, c.n).toStrictEqual(viaWire(c));
        expect(built).toBeInstanceOf(tensorflow.OpDef);
        // and encodes to the same bytes
        expect(Buffer.from(tensorflow.OpDef.encode(built).finish()).equals(Buffer.from(tensorflow.OpDef.encode(expandOp(c)).finish()))).toBe(true);
        compared++;
      }
      expect(compared).toBe(ops.length);
    });
  }

  it('covers every kind of value the compact form has (so the comparison above means something)', () => {
    const all = tables.flatMap(([, ops]) => ops);
    const kinds = new Set<string>();
    for (const c of all) {
      for (const a of c.a ?? []) {
        if (typeof a === 'string') continue;
        for (const v of [a.d, a.v]) {
          if (!v) continue;
          const k = Object.keys(v)[0]!;
          kinds.add(k === 'list' ? `list.${Object.keys((v as { list: object }).list).join('+') || 'empty'}` : k);
        }
        if (a.m !== undefined) kinds.add(a.m === 0 ? 'min0' : 'min');
      }
      if (c.dep) kinds.add('dep');
      if (c.co) kinds.add('co');
      if (c.pb) kinds.add('pb-op');
    }
    for (const k of ['s', 'i', 'f', 'b', 'type', 'shape', 'list.i', 'list.type', 'list.s', 'list.empty', 'min', 'min0', 'dep']) expect([...kinds]).toContain(k);
  });

  it('falls back to the wire trip for entries held as base64 bytes, with equal results', () => {
    const full: CompactOp = { n: 'X', a: [{ n: 'v:tensor', d: { pb: Buffer.from(tensorflow.AttrValue.encode({ tensor: { dtype: 1, float_val: [1.5] } }).finish()).toString('base64') } }] };
    const built = buildOpDef(full);
    expect(built).toStrictEqual(viaWire(full));
    expect(built.attr[0]!.default_value!.tensor!.float_val).toEqual([1.5]);
  });

  it('rounds floats to float32 and keeps -1 dims and int64 attrs as Long', () => {
    const c: CompactOp = { n: 'Y', a: [{ n: 'f:float', d: { f: 0.1 } }, { n: 's:shape', d: { shape: [-1, 3] } }, { n: 'l:list(float)', d: { list: { f: ['nan', 'inf', 0.3] } } }, { n: 'k:int', d: { i: -2 }, m: -5 }] };
    const built = buildOpDef(c);
    expect(built).toStrictEqual(viaWire(c));
    expect(built.attr[0]!.default_value!.f).toBe(Math.fround(0.1));
    expect(String(built.attr[1]?.default_value?.shape?.dim?.[0]?.size)).toBe('-1');
    expect(String(built.attr[3]?.minimum)).toBe('-5');
  });
});
