// Where the ground truth lives (TensorFlow-written fixtures, op registry, format docs).
// One setting: SAVEDMODEL_SHARED, default `../shared` beside the checkout. Missing = loud failure.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type protobuf from 'protobufjs/minimal.js';
import { tensorflow, third_party } from '../src/proto/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = resolve(process.env.SAVEDMODEL_SHARED ?? join(repoRoot, '..', 'shared'));

if (!existsSync(join(SHARED, 'fixtures', 'tf'))) {
  throw new Error(
    `ground-truth folder not found: ${SHARED}/fixtures/tf. Set SAVEDMODEL_SHARED to the shared/ folder ` +
      `(fixtures, tf/ops.pbtxt); tests never skip without it.`,
  );
}

export const FIXTURES = join(SHARED, 'fixtures', 'tf');
export const OPS_PBTXT = join(SHARED, 'tf', 'ops.pbtxt');
/** More TensorFlow-written SavedModels (fixtures/tf-more, README there has the expected answers). */
export const FIXTURES_MORE = join(SHARED, 'fixtures', 'tf-more');
/** TF 2.21's op registry (checking what others wrote; ops.pbtxt stays the floor for what we emit). */
export const OPS_2_21_PBTXT = join(SHARED, 'tf', 'ops-2.21.pbtxt');
export const REPO_ROOT = repoRoot;

/** Names of the fixture SavedModel directories. */
export const FIXTURE_NAMES: string[] = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
if (FIXTURE_NAMES.length < 10) throw new Error(`expected 10 fixtures in ${FIXTURES}, found ${FIXTURE_NAMES.length}`);

/** A generated message type, as the codec tests use it: decode from bytes or a reader, encode into a writer. */
export interface ProtoCodec {
  decode(r: Uint8Array | protobuf.Reader): unknown;
  encode(m: unknown, w?: protobuf.Writer): protobuf.Writer;
}

/** The protobuf files a SavedModel directory may hold, with their message types. */
const PROTO_FILES: readonly [string, ProtoCodec][] = [
  ['saved_model.pb', tensorflow.SavedModel as unknown as ProtoCodec],
  ['fingerprint.pb', tensorflow.FingerprintDef as unknown as ProtoCodec],
  ['keras_metadata.pb', third_party.py.keras.protobuf.SavedMetadata as unknown as ProtoCodec],
  ['debug/saved_model_debug_info.pb', tensorflow.GraphDebugInfo as unknown as ProtoCodec],
];

/** Every fixture directory with binary protobuf files: fixtures/tf, and those of fixtures/tf-more. */
export const PROTO_FIXTURE_DIRS: string[] = [
  ...FIXTURE_NAMES.map((n) => join(FIXTURES, n)),
  ...['keras3_power_consumption', 'tf_AssetModule', 'tf_StaticHashTableModule', 'tf_half_plus_two', 'tf_non_chunked_model', 'tf_x_plus_y_v2_debuginfo'].map((n) => join(FIXTURES_MORE, n)),
];

/** The protobuf files present in fixture directory `dir`: name, message type, bytes. */
export function protoFilesIn(dir: string): { file: string; codec: ProtoCodec; bytes: Uint8Array }[] {
  return PROTO_FILES.filter(([file]) => existsSync(join(dir, file)))
    .map(([file, codec]) => ({ file, codec, bytes: new Uint8Array(readFileSync(join(dir, file))) }));
}

/** Every file of fixture `name`, keyed by its relative POSIX path (an in-memory SavedModel). */
export function fixtureFiles(name: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(FIXTURES, name, rel))) {
      const p = rel ? `${rel}/${e}` : e;
      if (statSync(join(FIXTURES, name, p)).isDirectory()) walk(p);
      else files.set(p, new Uint8Array(readFileSync(join(FIXTURES, name, p))));
    }
  };
  walk('');
  return files;
}
