// op-table.ts: a registry table given as its file text (what the CLI bundle imports; indexed by
// line, each op parsed when asked for) answers exactly as the parsed JSON (what vite and vitest
// import) — entry by entry, and through verifySavedModel on every fixture.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { opTable } from '../src/registry/op-table.js';
import { FIXTURES, FIXTURES_MORE, REPO_ROOT } from './shared.js';

const REGISTRY = join(REPO_ROOT, 'packages/core/src/registry');
const FILES = ['op-registry-common.gen.json', 'op-registry-rest.gen.json', 'op-registry-2.21.gen.json'];
const text = (f: string) => readFileSync(join(REGISTRY, f), 'utf8');

function sameAnswers(a: ReturnType<typeof opTable>, b: ReturnType<typeof opTable>): void {
  expect(a.header).toEqual(b.header);
  expect(a.names()).toEqual(b.names());
  for (const n of b.names()) {
    expect(a.has(n), n).toBe(true);
    expect(a.get(n), n).toEqual(b.get(n));
  }
  for (const n of ['NoSuchOp', '', 'format', 'ops', '"n"']) {
    expect(a.has(n)).toBe(false);
    expect(a.get(n)).toBeUndefined();
  }
}

describe('opTable over a registry file', () => {
  for (const f of FILES) {
    it(`${f}: the text answers as the parsed JSON, every op`, () => {
      const raw = text(f);
      const json = JSON.parse(raw) as { ops: { n: string }[]; count: number; partCount: number };
      const fromText = opTable(raw);
      const fromJson = opTable(json);
      expect(fromJson.names()).toHaveLength(json.partCount);
      sameAnswers(fromText, fromJson);
      // one parse per op: the same object each time
      const first = fromJson.names()[0]!;
      expect(fromText.get(first)).toBe(fromText.get(first));
    });
  }

  it('text laid out otherwise (reformatted, no final newline, two ops on a line, a wrong count) is parsed whole: answers as JSON.parse', () => {
    const raw = text('op-registry-common.gen.json');
    const variants = [
      JSON.stringify(JSON.parse(raw), null, 1),
      JSON.stringify(JSON.parse(raw)),
      raw.trimEnd(),
      raw.replace('\n{"n":"Abs",', '\n{ "n":"Abs",'),
      raw.replace('},\n{"n":"Acos",', '}, {"n":"Acos",'),
      raw.replace('"ops":[\n', '"ops":[\n\n'),
      raw.replace(/"partCount":(\d+)/, (_, n: string) => `"partCount":${Number(n) - 1}`),
    ];
    for (const v of variants) {
      expect(v).not.toBe(raw);
      sameAnswers(opTable(v), opTable(JSON.parse(v)));
    }
  });

  it('a line that is not its op after all, found when it is asked for: from then on answers as JSON.parse, or throws its SyntaxError', () => {
    const raw = text('op-registry-common.gen.json');
    // a second "n" in Abs's line: JSON.parse keeps the last
    const twice = raw.replace('{"n":"Abs",', '{"n":"Abs","n":"Abs2",');
    expect(twice).not.toBe(raw);
    const t = opTable(twice);
    expect(t.get('Abs')).toBeUndefined();
    sameAnswers(t, opTable(JSON.parse(twice)));
    expect(t.get('Abs2')?.n).toBe('Abs2');
    expect(() => opTable(raw.replace('{"n":"Acos",', '{"n":"Acos",,')).get('Acos')).toThrow(SyntaxError);
  });

  it('anything but an object or a string is an empty table (the format check then refuses it)', () => {
    for (const v of [null, undefined, 3, [], [{ n: 'Abs' }]]) {
      const t = opTable(v);
      expect(t.header.format).toBeUndefined();
      expect(t.names()).toEqual([]);
      expect(t.has('Abs')).toBe(false);
    }
  });
});

/** verify --strict and not, on every fixture: the JSON findings, with the registry imported as given. */
async function verifyAll(): Promise<Record<string, unknown>> {
  const { verifySavedModel } = await import('../src/savedmodel/verify.js');
  const { dirSource } = await import('../src/io/node-fs.js');
  const out: Record<string, unknown> = {};
  for (const root of [FIXTURES, FIXTURES_MORE]) {
    for (const name of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
      for (const strict of [false, true]) {
        const r = await verifySavedModel(dirSource(join(root, name)), { strict });
        out[`${name}${strict ? ' strict' : ''}`] = r.findings;
      }
    }
  }
  return out;
}

describe('verifySavedModel with the registry as text (the CLI bundle) finds what it finds with the parsed JSON', () => {
  let viaJson: Record<string, unknown>;

  it('parsed JSON', async () => {
    vi.resetModules();
    viaJson = await verifyAll();
    expect(Object.keys(viaJson).length).toBeGreaterThanOrEqual(40);
    // the fixtures do exercise both tables: TF 2.21-only ops and UNKNOWN_* findings
    expect(JSON.stringify(viaJson)).toContain('NEEDS_NEWER_TF');
  }, 30_000);

  it('file text', async () => {
    vi.resetModules();
    for (const f of FILES) vi.doMock(join(REGISTRY, f), () => ({ default: text(f) }));
    try {
      // the mock is what the registry modules get
      expect(typeof (await import('../src/registry/op-registry-common.gen.json')).default).toBe('string');
      const viaText = await verifyAll();
      expect(viaText).toEqual(viaJson);
    } finally {
      for (const f of FILES) vi.doUnmock(join(REGISTRY, f));
      vi.resetModules();
    }
  }, 30_000);
});
