// One table of the op registry (op-registry-*.gen.json) as imported: either the parsed JSON (what
// vite and vitest give for a .json import) or the file's text (what the CLI bundle gives, see
// packages/cli/build.mjs). The generator writes one op per line, sorted by name: an op is found
// by binary search over the text and JSON.parse'd the first time it is asked for, so a command
// that checks a graph of a dozen ops neither parses nor indexes the other ~1,900 (~8 ms of
// `savedmodel verify`). Both forms answer the same (packages/core/test/op-table.test.ts).
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
const OP_LINE = `\n${OP_PREFIX}`;

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

/** The text's op lines, found by binary search over the characters (the generator sorts them by name). */
function fromText(text: string): OpTable {
  const header = headerOf(text);
  // anything else (hand-edited, reformatted): parse it whole
  if (!header) return fromParsed(JSON.parse(text) as Record<string, unknown>);
  const first = text.indexOf(OPS_START) + OPS_START.length;
  const last = text.length - ']}\n'.length; // where the closing line starts
  let whole: OpTable | undefined;
  const parseWhole = () => (whole ??= fromParsed(JSON.parse(text) as Record<string, unknown>));
  // One op a line, as many as the header says, then the closing line: checked (natively, no
  // loop over the lines) on the first lookup; otherwise the whole text is parsed.
  let laidOut: boolean | undefined;
  const lines = () => (laidOut ??= text.endsWith('}\n]}\n') && text.split(OP_LINE).length - 1 === (header.partCount ?? header.count));
  const nameAt = (start: number) => text.slice(start + OP_PREFIX.length, text.indexOf('"', start + OP_PREFIX.length));

  /** Where the line of op `name` starts, or -1. */
  const locate = (name: string): number => {
    let lo = first, hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const start = text.lastIndexOf('\n', mid - 1) + 1; // the line holding mid
      const n = nameAt(start);
      if (n === name) return start;
      if (n < name) lo = text.indexOf('\n', start) + 1;
      else hi = start;
    }
    // not where the order says: look at every line start (a file out of order still answers right)
    const at = text.indexOf(`${OP_LINE}${name}"`);
    return at < 0 ? -1 : at + 1;
  };

  const parsed = new Map<string, CompactOp | undefined>();
  const get = (name: string): CompactOp | undefined => {
    if (whole || !lines()) return parseWhole().get(name);
    if (parsed.has(name)) return parsed.get(name);
    const start = name.includes('"') || name.includes('\\') ? -1 : locate(name);
    let op: CompactOp | undefined;
    if (start >= 0) {
      const end = text.indexOf('\n', start);
      const line = text.slice(start, text[end - 1] === ',' ? end - 1 : end);
      try {
        op = JSON.parse(line) as CompactOp;
      } catch {
        return parseWhole().get(name);
      }
      // a line that held more than its op: the layout was not the generator's after all
      if (op === null || typeof op !== 'object' || op.n !== name) return parseWhole().get(name);
    }
    parsed.set(name, op);
    return op;
  };
  return {
    header,
    has: (name) => get(name) !== undefined,
    get,
    names() {
      if (whole || !lines()) return parseWhole().names();
      const out: string[] = [];
      for (let at = text.indexOf(OP_LINE); at >= 0; at = text.indexOf(OP_LINE, at + 1)) out.push(nameAt(at + 1));
      return out;
    },
  };
}

/** A table from what `import x from './op-registry-….gen.json'` gave: the object or the text. */
export function opTable(json: unknown): OpTable {
  if (typeof json === 'string') return fromText(json);
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) return fromParsed(json as Record<string, unknown>);
  return { header: {}, has: () => false, get: () => undefined, names: () => [] };
}
