import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeDeterministic, tensorflow, toNumber } from '../src/proto/index.js';
import { findUnknownFields } from '../src/proto/unknown-fields.js';
import { FIXTURES, FIXTURE_NAMES } from './shared.js';

const read = (name: string, file: string) => new Uint8Array(readFileSync(join(FIXTURES, name, file)));

describe('protobuf messages vs TensorFlow-written files', () => {
  it.each(FIXTURE_NAMES)('%s: saved_model.pb decodes with no unknown fields', (name) => {
    const bytes = read(name, 'saved_model.pb');
    expect(findUnknownFields('tensorflow.SavedModel', bytes)).toEqual([]);
    const sm = tensorflow.SavedModel.decode(bytes);
    expect(toNumber(sm.saved_model_schema_version)).toBe(1);
    expect(sm.meta_graphs.length).toBeGreaterThanOrEqual(1);
  });

  it.each(['int64_multiply', 'uint8_multiply'])('%s (TF 2.3.1): deterministic re-encoding is byte-identical', (name) => {
    const bytes = read(name, 'saved_model.pb');
    const sm = tensorflow.SavedModel.decode(bytes);
    const again = encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, sm);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each(FIXTURE_NAMES)('%s: re-encoding keeps the size (map order aside)', (name) => {
    const bytes = read(name, 'saved_model.pb');
    const again = encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, tensorflow.SavedModel.decode(bytes));
    expect(again.length).toBe(bytes.length);
  });

  it('fingerprint.pb and keras_metadata.pb decode with no unknown fields', () => {
    const fp = read('half_plus_two_tf2', 'fingerprint.pb');
    expect(findUnknownFields('tensorflow.FingerprintDef', fp)).toEqual([]);
    const f = tensorflow.FingerprintDef.decode(fp);
    expect(toNumber(f.version?.producer)).toBe(1);
    const km = read('keras_cnn', 'keras_metadata.pb');
    expect(findUnknownFields('third_party.py.keras.protobuf.SavedMetadata', km)).toEqual([]);
  });

  it('reports unknown fields it cannot map', () => {
    // field 99 (varint) appended to an empty SavedModel
    const bytes = new Uint8Array([0x98, 0x06, 0x01]);
    expect(findUnknownFields('tensorflow.SavedModel', bytes)).toEqual([{ path: 'tensorflow.SavedModel', field: 99, wireType: 0 }]);
  });
});
