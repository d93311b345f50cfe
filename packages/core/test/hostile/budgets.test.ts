// Sizes from untrusted input are checked against the limits before anything is materialized:
// checkpoint index keys (length and prefix-compression amplification), checkpoint tensors,
// text-format strings. (The big versions run in child processes in resources.test.ts.)
import { describe, expect, it } from 'vitest';
import { DataType, fileMapSource, readCheckpoint, readSavedModel, writeCheckpoint, type SavedModelError } from '@savedmodel-js/core';
import { readTable } from '@savedmodel-js/core/internal';
import { parseTextFormat } from '@savedmodel-js/core/reflection';
import { amplifiedIndex, pbtxtWithHugeString } from './craft.js';

function codeOf(fn: () => unknown): string {
  try { fn(); return 'OK'; } catch (e) { return (e as SavedModelError).code ?? `raw ${String(e)}`; }
}
async function codeOfAsync(fn: () => Promise<unknown>): Promise<string> {
  try { await fn(); return 'OK'; } catch (e) { return (e as SavedModelError).code ?? `raw ${String(e)}`; }
}

describe('checkpoint index key amplification', () => {
  it('the crafted index is otherwise well-formed (small version reads)', () => {
    const ck = readCheckpoint(amplifiedIndex(100, 50), () => new Uint8Array(0));
    expect(ck.entries.length).toBe(51);
    expect(ck.entries[1]!.key.length).toBe(104);
  });

  it('a 1 MB key is over maxKeyBytes: LIMIT_EXCEEDED before any follower is built', () => {
    const index = amplifiedIndex(2 ** 20, 40_000);
    const before = process.memoryUsage().arrayBuffers;
    let err: SavedModelError | undefined;
    try { readCheckpoint(index, () => new Uint8Array(0)); } catch (e) { err = e as SavedModelError; }
    expect(err?.code).toBe('LIMIT_EXCEEDED');
    expect(err?.message).toMatch(/maxKeyBytes/);
    expect(err?.file).toBe('variables/variables.index');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 2 ** 20);
  });

  it('keys under maxKeyBytes but sharing them thousands of times stop at the total key budget', () => {
    const index = amplifiedIndex(60_000, 4_000); // ≈ 240 MB of keys from a ≈ 90 KB file
    expect(index.length).toBeLessThan(200_000);
    expect(codeOf(() => readTable(index, { maxTotalKeyBytes: 16 * 2 ** 20 }))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => readTable(index, { maxKeyBytes: 1000 }))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => readCheckpoint(index, () => new Uint8Array(0), { limits: { maxKeyBytes: 1000 } }))).toBe('LIMIT_EXCEEDED');
  });
});

describe('checkpoint tensors', () => {
  it('a tensor over limits.maxTensorBytes is LIMIT_EXCEEDED; under it reads', () => {
    const w = writeCheckpoint([{ key: 'big', dtype: DataType.DT_FLOAT, shape: [1024, 64], data: new Float32Array(65536).fill(0.5) }]);
    const shard = w.data[0]!;
    const small = readCheckpoint(w.index, () => shard, { limits: { maxTensorBytes: 1000 } });
    let err: SavedModelError | undefined;
    try { small.value('big'); } catch (e) { err = e as SavedModelError; }
    expect(err?.code).toBe('LIMIT_EXCEEDED');
    expect(err?.key).toBe('big');
    expect(err?.message).toContain('262144');
    expect((readCheckpoint(w.index, () => shard).value('big') as Float32Array)[65535]).toBe(0.5);
  });
  it('unknown limit names are INVALID_ARGUMENT', () => {
    expect(codeOf(() => readCheckpoint(amplifiedIndex(10, 1), () => new Uint8Array(0), { limits: { maxTensorByte: 1 } as never }))).toBe('INVALID_ARGUMENT');
  });
});

describe('text-format strings', () => {
  it('a string literal over maxStringBytes is LIMIT_EXCEEDED naming the file; under it parses', () => {
    const text = new TextDecoder().decode(pbtxtWithHugeString(5000));
    expect(codeOf(() => parseTextFormat('tensorflow.SavedModel', text, { file: 'x.pbtxt', maxStringBytes: 4096 }))).toBe('LIMIT_EXCEEDED');
    const m = parseTextFormat('tensorflow.SavedModel', text, { maxStringBytes: 5000 }) as { meta_graphs: { meta_info_def: { tags: string[] } }[] };
    expect(m.meta_graphs[0]!.meta_info_def.tags[0]!.length).toBe(5000);
    // Adjacent literals count together; escapes count as the bytes they decode to.
    expect(codeOf(() => parseTextFormat('tensorflow.SavedModel', 'meta_graphs { meta_info_def { tags: "aaaa" "bbbb" "c" } }', { maxStringBytes: 8 }))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => parseTextFormat('tensorflow.SavedModel', 'meta_graphs { meta_info_def { tags: "\\x41\\x42\\x43\\x44" } }', { maxStringBytes: 4 }))).toBe('OK');
  });

  it('readSavedModel of a pbtxt with a string over the limit is LIMIT_EXCEEDED (saved_model.pbtxt)', async () => {
    const files = new Map([['saved_model.pbtxt', pbtxtWithHugeString(300_000)]]);
    let err: SavedModelError | undefined;
    try { await readSavedModel(fileMapSource(files), { limits: { maxTensorBytes: 100_000 } }); } catch (e) { err = e as SavedModelError; }
    expect(err?.code).toBe('LIMIT_EXCEEDED');
    expect(err?.file).toBe('saved_model.pbtxt');
    expect(await codeOfAsync(() => readSavedModel(fileMapSource(files)))).toBe('OK');
  });
});
