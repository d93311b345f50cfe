// Shared test helpers: output collectors, the independent validators (Info-ZIP unzip, Python's
// zipfile, jszip), temp dirs, and a hand-crafting zip builder that shares no code with ours.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { crc32 } from '@savedmodel-js/core';

export const UNZIP = '/usr/bin/unzip';

/** An in-memory byte sink and the archive it collected. */
export function collector(): { sink: (c: Uint8Array) => void; bytes(): Uint8Array; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  return {
    chunks,
    sink: (c) => { chunks.push(c); },
    bytes: () => new Uint8Array(Buffer.concat(chunks)),
  };
}

export function tempDir(prefix = 'zip-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file and folder under `dir`, relative, sorted. */
export function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel))) {
    const p = rel ? `${rel}/${e}` : e;
    if (statSync(join(dir, p)).isDirectory()) out.push(`${p}/`, ...walk(dir, p));
    else out.push(p);
  }
  return out.sort();
}

/** Info-ZIP `unzip -t`: returns its output; throws unless it reports no errors. */
export function unzipTest(path: string): string {
  const r = spawnSync(UNZIP, ['-t', path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0 || !out.includes('No errors detected')) throw new Error(`unzip -t failed (${r.status}):\n${out.slice(-4000)}`);
  return out;
}

export interface PyEntry { name: string; size: number; csize: number; date: number[]; flags: number; method: number }

/** Python's zipfile: testzip() must find nothing; returns the listing. */
export function pythonTest(path: string): PyEntry[] {
  const code = [
    'import zipfile, sys, json',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'print(json.dumps({"bad": bad, "entries": [{"name": i.filename, "size": i.file_size, "csize": i.compress_size,',
    '  "date": list(i.date_time), "flags": i.flag_bits, "method": i.compress_type} for i in z.infolist()]}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', code, path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python zipfile failed (${r.status}):\n${r.stderr.slice(-4000)}`);
  const res = JSON.parse(r.stdout) as { bad: string | null; entries: PyEntry[] };
  if (res.bad !== null) throw new Error(`python zipfile.testzip: first bad file ${res.bad}`);
  return res.entries;
}

/** jszip reads the archive back (with its own CRC check): name → bytes (folders omitted). */
export async function jszipRead(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
  const out = new Map<string, Uint8Array>();
  for (const f of Object.values(zip.files)) {
    if (!f.dir) out.set(f.name, await f.async('uint8array'));
  }
  return out;
}

export function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

// ---------------------------------------------------------------------------------------------
// Hand-crafted archives. Every field can be overridden, so tests can make any part lie.

export interface CraftEntry {
  name: string;
  /** Bytes stored after the local header (already compressed when method is 8). */
  data: Uint8Array;
  method?: number;
  /** CRC of the uncompressed data (default: crc32(data), right for STORE). */
  crc?: number;
  /** Uncompressed size (default data.length). */
  usize?: number;
  /** Central directory compressed size (default data.length). */
  csize?: number;
  flags?: number;
  /** Local header overrides. */
  localName?: string;
  localCsize?: number;
  localUsize?: number;
  localFlags?: number;
  localMethod?: number;
  /** Central directory overrides. */
  madeBy?: number;
  externalAttrs?: number;
  centralExtra?: Uint8Array;
  /** Point the central record at another entry's local header (index). */
  localHeaderOf?: number;
  /** Absolute local header offset to claim. */
  offsetOverride?: number;
}

export interface CraftOptions {
  /** Added to the real central directory offset in the end record. */
  cdOffsetDelta?: number;
  /** Entry count in the end record (default the real count). */
  declaredEntries?: number;
  /** Bytes before the first local header. */
  prepend?: Uint8Array;
}

const enc = new TextEncoder();

export function craftZip(entries: CraftEntry[], options: CraftOptions = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => { parts.push(b); offset += b.length; };
  if (options.prepend) push(options.prepend);
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(offset);
    const name = enc.encode(e.localName ?? e.name);
    const h = new Uint8Array(30 + name.length);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(6, e.localFlags ?? e.flags ?? 0x800, true);
    v.setUint16(8, e.localMethod ?? e.method ?? 0, true);
    v.setUint16(10, 0, true);
    v.setUint16(12, 0x21, true);
    v.setUint32(14, e.crc ?? crc32(e.data), true);
    v.setUint32(18, e.localCsize ?? e.csize ?? e.data.length, true);
    v.setUint32(22, e.localUsize ?? e.usize ?? e.data.length, true);
    v.setUint16(26, name.length, true);
    v.setUint16(28, 0, true);
    h.set(name, 30);
    push(h);
    push(e.data);
  }
  const cdOffset = offset;
  entries.forEach((e, i) => {
    const name = enc.encode(e.name);
    const extra = e.centralExtra ?? new Uint8Array(0);
    const h = new Uint8Array(46 + name.length + extra.length);
    const v = new DataView(h.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, e.madeBy ?? (3 << 8) | 20, true);
    v.setUint16(6, 20, true);
    v.setUint16(8, e.flags ?? 0x800, true);
    v.setUint16(10, e.method ?? 0, true);
    v.setUint16(12, 0, true);
    v.setUint16(14, 0x21, true);
    v.setUint32(16, e.crc ?? crc32(e.data), true);
    v.setUint32(20, e.csize ?? e.data.length, true);
    v.setUint32(24, e.usize ?? e.data.length, true);
    v.setUint16(28, name.length, true);
    v.setUint16(30, extra.length, true);
    v.setUint32(38, e.externalAttrs ?? (0o100644 << 16) >>> 0, true);
    v.setUint32(42, e.offsetOverride ?? offsets[e.localHeaderOf ?? i]!, true);
    h.set(name, 46);
    h.set(extra, 46 + name.length);
    push(h);
  });
  const cdSize = offset - cdOffset;
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, options.declaredEntries ?? entries.length, true);
  v.setUint16(10, options.declaredEntries ?? entries.length, true);
  v.setUint32(12, cdSize, true);
  v.setUint32(16, cdOffset + (options.cdOffsetDelta ?? 0), true);
  push(end);
  return new Uint8Array(Buffer.concat(parts));
}

export const text = (s: string) => enc.encode(s);
