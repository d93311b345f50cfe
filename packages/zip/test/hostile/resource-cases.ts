// Child-process cases (hostile-kit): a small zip whose entry inflates to ~1.9 GiB.
import { constants, deflateRawSync } from 'node:zlib';
import { DataType, encodeSavedModel, readSavedModel, tensorflow, writeCheckpoint } from '@savedmodel-js/core';
import { zipSource } from '@savedmodel-js/zip';
import { craftZip } from '../helpers.js';

/** Raw DEFLATE of `n` × 64 MiB of zeros: one sync-flushed compressed chunk repeated, then a final empty block. */
function zeroDeflate(n: number): Uint8Array {
  const chunk = deflateRawSync(new Uint8Array(64 * 2 ** 20), { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const end = deflateRawSync(new Uint8Array(0));
  const out = new Uint8Array(chunk.length * n + end.length);
  for (let i = 0; i < n; i++) out.set(chunk, i * chunk.length);
  out.set(end, n * chunk.length);
  return out;
}

/** readSavedModel of a zip where `entry` inflates to `n` × 64 MiB (the others are a valid tiny model). */
export async function inflatingEntry(a: { n: number; entry: 'saved_model.pb' | 'variables/variables.data-00000-of-00001' }): Promise<string> {
  const data = zeroDeflate(a.n);
  const pb = encodeSavedModel(tensorflow.SavedModel.create({ saved_model_schema_version: 1, meta_graphs: [{ meta_info_def: { tags: ['serve'] } }] }));
  const entries = [{ name: `m/${a.entry}`, data, method: 8, crc: 0, usize: a.n * 64 * 2 ** 20 }];
  const plain = [{ name: 'm/saved_model.pb', data: pb }];
  if (a.entry !== 'saved_model.pb') {
    // A real index naming one shard, so the shard is read after saved_model.pb was parsed.
    plain.push({ name: 'm/variables/variables.index', data: writeCheckpoint([{ key: 'w', dtype: DataType.DT_FLOAT, shape: [1], data: new Float32Array([1]) }]).index });
  } else {
    plain.length = 0;
  }
  const zip = craftZip([...plain, ...entries]);
  const src = await zipSource(zip);
  const m = await readSavedModel(src);
  return `${m.format} ${zip.length}`;
}
