// One table of the op registry (op-registry-*.gen.json) as imported: either the parsed JSON (what
// vite and vitest give for a .json import) or the file's text (what the CLI bundle gives, see
// packages/cli/build.mjs). The text is indexed by op name line by line — the generator writes
// one op per line — and each op is JSON.parse'd the first time it is asked for, so a command
// that checks a graph of a dozen ops does not parse the other ~1,900 (~8 ms of `savedmodel
// verify`). Both forms answer the same (packages/core/test/op-table.test.ts).
import type { CompactOp } from './op-registry-format.js';

export interface OpTable {
  /** Every top-level field of the file but "ops" (format, source, count, part, …). */
  header: Record<string, unknown>;
  has(name: string): boolean;
  /** The compact entry of `name`; the same object on every call. */
  get(name: string): CompactOp | undefined;
  /** Op names in file order. */
  names(): string[];
}

const OPS_START = '"ops":[\n';
const OP_PREFIX = '{"n":"';

function fromParsed(json: Record<string, unknown>): OpTable {
  const { ops, ...header } = json as { ops?: unknown };
  const list = Array.isArray(ops) ? (ops as CompactOp[]) : [];
  const index = new Map<string, CompactOp>();
  for (const op of list) index.set(op.n, op);
  return { header, has: (n) => index.has(n), get: (n) => index.get(n), names: () => list.map((op) => op.n) };
}

/** The header fields before "ops"; undefined when the text does not start as the generator writes it. */
function headerOf(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf(OPS_START);
  // the fields before "ops" end with a comma
  if (start < 1 || text[start - 1] !== ',' || text.lastIndexOf('\n', start) >= 0) return undefined;
  try {
    return JSON.parse(`${text.slice(0, start - 1)}}`) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * Op name → its line; undefined when the op lines are not laid out as the generator writes them
 * (one op a line, as many lines as the header's partCount says).
 */
function indexLines(text: string, header: Record<string, unknown>): Map<string, string> | undefined {
  const lines = new Map<string, string>();
  let pos = text.indexOf(OPS_START) + OPS_START.length;
  for (;;) {
    const end = text.indexOf('\n', pos);
    if (end < 0) return undefined;
    const line = text.slice(pos, end);
    pos = end + 1;
    if (line === ']}') break;
    // an op line: {"n":"Name",…} followed by "," except the last
    const body = line.endsWith(',') ? line.slice(0, -1) : line;
    const q = body.indexOf('"', OP_PREFIX.length);
    if (!body.startsWith(OP_PREFIX) || !body.endsWith('}') || q < 0) return undefined;
    const name = body.slice(OP_PREFIX.length, q);
    if (name.includes('\\') || lines.has(name)) return undefined;
    lines.set(name, body);
  }
  const count = header.partCount ?? header.count;
  return pos === text.length && lines.size === count ? lines : undefined;
}

function fromText(text: string): OpTable {
  const header = headerOf(text);
  // anything else (hand-edited, reformatted): parse it whole
  if (!header) return fromParsed(JSON.parse(text) as Record<string, unknown>);
  // indexed on first use (`show` never looks an op up)
  let table: { lines: Map<string, string> } | { whole: OpTable } | undefined;
  const whole = () => (table = { whole: fromParsed(JSON.parse(text) as Record<string, unknown>) });
  const get = () => table ?? ((lines) => (lines ? (table = { lines }) : whole()))(indexLines(text, header));
  const parsed = new Map<string, CompactOp>();
  return {
    header,
    has(n) {
      const t = get();
      return 'whole' in t ? t.whole.has(n) : t.lines.has(n);
    },
    get(n) {
      const t = get();
      if ('whole' in t) return t.whole.get(n);
      let op = parsed.get(n);
      if (op) return op;
      const line = t.lines.get(n);
      if (line === undefined) return undefined;
      try {
        op = JSON.parse(line) as CompactOp;
      } catch {
        return whole().whole.get(n);
      }
      // a line that held more than its op: the layout was not the generator's after all
      if (op === null || typeof op !== 'object' || op.n !== n) return whole().whole.get(n);
      parsed.set(n, op);
      return op;
    },
    names() {
      const t = get();
      return 'whole' in t ? t.whole.names() : [...t.lines.keys()];
    },
  };
}

/** A table from what `import x from './op-registry-….gen.json'` gave: the object or the text. */
export function opTable(json: unknown): OpTable {
  if (typeof json === 'string') return fromText(json);
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) return fromParsed(json as Record<string, unknown>);
  return { header: {}, has: () => false, get: () => undefined, names: () => [] };
}
