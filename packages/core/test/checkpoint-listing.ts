// Parses the ground-truth listings /shared/fixtures/tf/NAME.variables.txt, written by an
// independent Python parser of the checkpoint format (see that folder's README).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './shared.js';

export type ListedValue =
  | { kind: 'scalar'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'summary'; count: number; first8: string[]; sum: number; min: string; max: string }
  | { kind: 'strings'; lengths: number[]; lengthCrcOk: boolean };

export interface ListedEntry {
  key: string;
  dtype: string;
  shape: number[];
  shard: number;
  offset: number;
  size: number;
  crcMasked: number;
  crcUnmasked: number;
  crcOk: boolean;
  value: ListedValue;
}

export interface Listing {
  indexBytes: number;
  dataBytes: Record<string, number>;
  /** (offset, size, compression byte, crc ok) of every block, as printed. */
  blocks: { offset: number; size: number; compression: number; crcOk: boolean }[];
  indexEntries: { key: string; offset: number; size: number }[];
  headerRaw: string;
  entries: ListedEntry[];
  /** Data file order: (start, end, key). */
  fileOrder: { start: number; end: number; key: string }[];
  /** Text-format TrackableObjectGraph lines (without the '#   ' prefix), or undefined. */
  objectGraphText: string[] | undefined;
}

function pyList(s: string): string[] {
  const inner = s.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  return inner === '' ? [] : inner.split(',').map((x) => x.trim());
}

function parseValue(text: string): ListedValue {
  let m = /^strings lengths=\[([^\]]*)\] \(length-crc ok=(True|False)\)/.exec(text);
  if (m) return { kind: 'strings', lengths: pyList(`[${m[1]}]`).map(Number), lengthCrcOk: m[2] === 'True' };
  m = /^\((\d+) elements\) first8=(\[[^\]]*\]) sum=(\S+) min=(\S+) max=(\S+)$/.exec(text);
  if (m) return { kind: 'summary', count: Number(m[1]), first8: pyList(m[2]!), sum: Number(m[3]), min: m[4]!, max: m[5]! };
  if (text.startsWith('[')) return { kind: 'list', items: pyList(text) };
  return { kind: 'scalar', text };
}

// Python reprs of tuples with quoted strings: ('key', 0, 28) / (0, 4, 'key').
function pyTuples(s: string): string[][] {
  const out: string[][] = [];
  const re = /\(([^()]*)\)/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out.push(m[1]!.split(',').map((x) => x.trim().replace(/^'(.*)'$/, '$1')));
  }
  return out;
}

export function readListing(name: string): Listing {
  const lines = readFileSync(join(FIXTURES, `${name}.variables.txt`), 'utf8').split('\n');
  const get = (prefix: string): string => {
    const l = lines.find((x) => x.startsWith(prefix));
    if (l === undefined) throw new Error(`${name}.variables.txt: no line starting with ${JSON.stringify(prefix)}`);
    return l.slice(prefix.length);
  };
  const sizes = /^(\d+) bytes; data files: (.*)$/.exec(get('# index file: '));
  if (!sizes) throw new Error(`${name}: cannot parse the file size line`);
  const dataBytes: Record<string, number> = {};
  for (const part of sizes[2]!.split(',')) {
    const [f, n] = part.trim().split('=');
    dataBytes[f!] = parseInt(n!, 10);
  }
  const blocks = pyTuples(get('# blocks (offset,size,compression byte,trailer crc ok): ')).map((t) => ({
    offset: Number(t[0]),
    size: Number(t[1]),
    compression: Number(t[2]),
    crcOk: t[3] === 'True',
  }));
  const indexEntries = pyTuples(get('# index block entries (separator key, data block offset, size): ')).map((t) => ({
    key: t[0]!,
    offset: Number(t[1]),
    size: Number(t[2]),
  }));
  const headerRaw = /raw=([0-9a-f]+)/.exec(get('# header entry'))![1]!;

  const start = lines.findIndex((l) => l.startsWith('key\tdtype\tshape'));
  if (start < 0) throw new Error(`${name}: no table header line`);
  const entries: ListedEntry[] = [];
  for (let i = start + 1; i < lines.length && lines[i]!.trim() !== ''; i++) {
    const c = lines[i]!.split('\t');
    if (c.length < 10) throw new Error(`${name}: short row ${JSON.stringify(lines[i])}`);
    entries.push({
      key: c[0]!,
      dtype: c[1]!,
      shape: pyList(c[2]!).map(Number),
      shard: Number(c[3]),
      offset: Number(c[4]),
      size: Number(c[5]),
      crcMasked: Number(c[6]),
      crcUnmasked: Number(c[7]),
      crcOk: c[8] === 'True',
      value: parseValue(c.slice(9).join('\t')),
    });
  }
  const fileOrder = pyTuples(get('# data file layout in file order (start, end, key): ')).map((t) => ({
    start: Number(t[0]),
    end: Number(t[1]),
    key: t[2]!,
  }));
  let objectGraphText: string[] | undefined;
  const g = lines.findIndex((l) => l.startsWith('# _CHECKPOINTABLE_OBJECT_GRAPH decoded as tensorflow.TrackableObjectGraph:'));
  if (g >= 0) {
    objectGraphText = [];
    for (let i = g + 1; i < lines.length && lines[i]!.startsWith('#   '); i++) objectGraphText.push(lines[i]!.slice(4));
  }
  return { indexBytes: Number(sizes[1]), dataBytes, blocks, indexEntries, headerRaw, entries, fileOrder, objectGraphText };
}
