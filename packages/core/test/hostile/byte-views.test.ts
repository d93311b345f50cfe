// Every reader in core gives identical results for the same bytes as a Uint8Array, a Buffer from
// readFileSync, a pool-slice Buffer and a subarray with a non-zero offset (all TF fixtures).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeFingerprint, crc32, crc32c, fileMapSource, isSavedModelError, readCheckpoint, readSavedModel, tensorflow, type CheckpointReader } from '@savedmodel-js/core';
import { readTable } from '@savedmodel-js/core/internal';
import { parseTextFormat } from '@savedmodel-js/core/reflection';
import { byteViews, type ByteView } from '../byte-views.js';
import { FIXTURE_NAMES, FIXTURES } from '../shared.js';

function files(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel))) {
    const p = rel ? `${rel}/${e}` : e;
    if (statSync(join(dir, p)).isDirectory()) out.push(...files(dir, p));
    else out.push(p);
  }
  return out.sort();
}

/** Bytes as a compact comparable string (toEqual over big number arrays is slow). */
const b64 = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

/** Every tensor of a checkpoint as comparable plain data (its element type included). */
function checkpointValues(ck: CheckpointReader): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of ck.entries) {
    if (e.slices.length > 0) continue;
    const v = ck.value(e);
    out[e.key] = Array.isArray(v) ? v.map(b64) : `${v.constructor.name}:${v.length}:${b64(v)}`;
  }
  return out;
}

/** One variant of a fixture: each file given as the same kind of view. */
function fileMap(name: string, kind: ByteView['kind']): Map<string, Uint8Array> {
  const m = new Map<string, Uint8Array>();
  for (const p of files(join(FIXTURES, name))) m.set(p, byteViews(join(FIXTURES, name, p)).find((v) => v.kind === kind)!.bytes);
  return m;
}

const KINDS: ByteView['kind'][] = ['Uint8Array', 'readFileSync Buffer', 'pool-slice Buffer', 'offset subarray'];

describe.each(FIXTURE_NAMES)('byte views of %s', (name) => {
  it('readSavedModel over a file map, checkpoint values and fingerprints agree for every view kind', async () => {
    const results = [];
    for (const kind of KINDS) {
      await new Promise((r) => setImmediate(r)); // keep the runner's RPC alive on a busy machine
      const m = fileMap(name, kind);
      const loaded = await readSavedModel(fileMapSource(m));
      const index = m.get('variables/variables.index');
      const fp = m.has('saved_model.pb') ? computeFingerprint(m.get('saved_model.pb')!, index ?? null) : undefined;
      results.push({
        kind,
        savedModel: b64(tensorflow.SavedModel.encode(loaded.savedModel).finish()),
        values: loaded.checkpoint ? checkpointValues(loaded.checkpoint) : {},
        fingerprint: fp ? b64(tensorflow.FingerprintDef.encode(fp).finish()) : '',
      });
    }
    for (const r of results.slice(1)) {
      expect(r.values, r.kind).toEqual(results[0]!.values);
      expect(r.savedModel, r.kind).toEqual(results[0]!.savedModel);
      expect(r.fingerprint, r.kind).toEqual(results[0]!.fingerprint);
    }
  });

  it('readCheckpoint, readTable and CRCs agree for every view kind', () => {
    const dir = join(FIXTURES, name, 'variables');
    const shards = readdirSync(dir).filter((f) => f.includes('.data-')).sort();
    const indexViews = byteViews(join(dir, 'variables.index'));
    const shardViews = shards.map((s) => byteViews(join(dir, s)));
    const out = KINDS.map((_kind, k) => {
      const index = indexViews[k]!.bytes;
      const ck = readCheckpoint(index, (i) => shardViews[i]![k]!.bytes);
      const table = readTable(index);
      return {
        values: checkpointValues(ck),
        table: table.entries.map((e) => `${b64(e.key)}=${b64(e.value)}`),
        crcs: [index, ...shardViews.map((v) => v[k]!.bytes)].map((b) => [crc32c(b), crc32(b)]),
      };
    });
    expect(Object.keys(out[0]!.values).length).toBeGreaterThan(0);
    for (let k = 1; k < KINDS.length; k++) expect(out[k], KINDS[k]).toEqual(out[0]);
  });

  it('parseTextFormat of the protoc decode agrees for every view kind', () => {
    const views = byteViews(join(FIXTURES, `${name}.pbtxt`));
    const encoded = views.map((v) => b64(tensorflow.SavedModel.encode(parseTextFormat('tensorflow.SavedModel', v.bytes) as tensorflow.ISavedModel).finish()));
    for (let k = 1; k < encoded.length; k++) expect(encoded[k], views[k]!.kind).toEqual(encoded[0]);
  });
});

describe('CRC inputs', () => {
  it('reject non-byte inputs with INVALID_ARGUMENT', () => {
    for (const bad of ['hello', 42, null, undefined, {}, [1, 2, 3]]) {
      for (const f of [crc32c, crc32]) {
        let err: unknown;
        try { f(bad as unknown as Uint8Array); } catch (e) { err = e; }
        expect(isSavedModelError(err, 'INVALID_ARGUMENT'), `${f.name}(${JSON.stringify(bad)})`).toBe(true);
      }
    }
  });
});
