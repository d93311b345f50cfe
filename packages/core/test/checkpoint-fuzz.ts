// Shared machinery for the corrupt-input tests (checkpoint-fuzz-*.test.ts): the reader must
// return a valid result or throw a SavedModelError with a code and the file name — never
// another exception, never hang, never allocate from an absurd stored number.
import { expect } from 'vitest';
import { DataType, dtypeElementSize, readCheckpoint } from '../src/checkpoint/index.js';
import { SavedModelError, type SavedModelErrorCode } from '../src/errors.js';

export const INDEX_FILE = 'variables/variables.index';
export const DATA_FILE = 'variables/variables.data-00000-of-00001';
export const FLIPS = 2000;
export const CUTS = 50;
const CODES: SavedModelErrorCode[] = ['TRUNCATED', 'CHECKSUM_MISMATCH', 'CORRUPT', 'LIMIT_EXCEEDED', 'UNSUPPORTED'];
/**
 * Ceiling for the ArrayBuffer memory one read may add (the largest fixture file is 2.3 MB,
 * a full read copies it about once). Together with the size checks the reader does before
 * allocating, this catches any allocation sized from a corrupt number.
 */
const MAX_GROWTH = 32 * 1024 * 1024;

export interface Outcome {
  ok: number;
  errors: Map<string, number>;
  maxGrowth: number;
}

export const newOutcome = (): Outcome => ({ ok: 0, errors: new Map(), maxGrowth: 0 });
export const total = (o: Outcome): number => o.ok + [...o.errors.values()].reduce((a, b) => a + b, 0);

/** Read everything there is to read (every tensor's value), throwing whatever the reader throws. */
export function readEverything(index: Uint8Array, data: Uint8Array, verifyChecksums = true): void {
  const reader = readCheckpoint(index, () => data, { table: { verifyChecksums } });
  for (const e of reader.entries) {
    const size = dtypeElementSize(e.dtype);
    // Sizes were validated against dtype × shape before any value is materialised.
    if (size !== undefined && e.slices.length === 0) expect(e.numElements * size).toBe(e.size);
    if (e.dtype === DataType.DT_STRING) reader.stringBytes(e);
    // value() = bytes() (bounds + crc) + a copy into a typed array; skip the copy for big tensors to save time.
    else if (size !== undefined && e.size <= 65536) reader.value(e);
    else reader.bytes(e);
  }
}

/** Run one read of corrupt input; `files` are the names its error may carry. */
export function trial(out: Outcome, files: string[], run: () => void): void {
  const before = process.memoryUsage().arrayBuffers;
  try {
    run();
    out.ok++;
  } catch (e) {
    if (!(e instanceof SavedModelError)) throw new Error(`non-SavedModelError from corrupt input: ${String(e)}`, { cause: e });
    if (!CODES.includes(e.code)) throw new Error(`unexpected code ${e.code}: ${e.message}`);
    if (e.file === undefined || !files.includes(e.file)) throw new Error(`error names file ${e.file}, expected ${files.join(' or ')}: ${e.message}`);
    out.errors.set(e.code, (out.errors.get(e.code) ?? 0) + 1);
  }
  const growth = process.memoryUsage().arrayBuffers - before;
  if (growth > out.maxGrowth) out.maxGrowth = growth;
  if (growth > MAX_GROWTH) throw new Error(`one read of corrupt input grew ArrayBuffer memory by ${growth} bytes`);
}

export function cutPoints(len: number): number[] {
  const pts = new Set<number>();
  for (let i = 0; i < CUTS; i++) pts.add(Math.floor((len * i) / CUTS));
  return [...pts];
}

export function seedOf(name: string): number {
  return [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 17);
}
