// Reading a SavedModel from any FileSource: saved_model.pb (or .pbtxt), the checkpoint,
// fingerprint.pb, keras_metadata.pb, assets.
import { readCheckpoint, type CheckpointReader } from '../checkpoint/index.js';
import { guardDecode, SavedModelError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import { DEFAULT_MAX_STRING_BYTES } from '../limits.js';
import type { FileSource, RangedFile } from '../io/file-source.js';
import { tensorflow, third_party } from '../proto/index.js';
export { decodeSavedModel } from './decode.js';
import { checkSize, decodeSavedModel } from './decode.js';
import {
  ASSETS_DIR, FINGERPRINT_PB, KERAS_METADATA_PB, MAX_PROTO_BYTES, SAVED_MODEL_CPB, SAVED_MODEL_PB, SAVED_MODEL_PBTXT,
  VARIABLES_INDEX, VARIABLES_PREFIX,
} from './constants.js';
import { shardFileName } from '../checkpoint/index.js';

export interface ReadSavedModelOptions {
  /** Read variables/ too (default true). */
  checkpoint?: boolean;
  /** Verify every tensor record's checksum while reading (default false: checked on access). */
  verifyChecksums?: boolean;
  /** Memory limits (checkpoint keys and tensors, text-format strings); defaults DEFAULT_LIMITS. */
  limits?: Partial<Limits>;
  /**
   * Leave out NodeDef attrs named with a leading "_" (_output_shapes, _class, …) while decoding
   * saved_model.pb (default false). For readers that only run the graph, as loadSavedModel does.
   */
  skipPrivateAttrs?: boolean;
}

export interface LoadedSavedModel {
  savedModel: tensorflow.SavedModel;
  /** Which file held it. */
  format: 'pb' | 'cpb' | 'pbtxt';
  /** The raw saved_model.pb bytes (for cpb: the merged message's bytes; absent for pbtxt). */
  savedModelBytes?: Uint8Array;
  checkpoint?: CheckpointReader;
  fingerprint?: tensorflow.FingerprintDef;
  kerasMetadata?: third_party.py.keras.protobuf.SavedMetadata;
  /** Paths under assets/. */
  assets: string[];
  /** Problems that TensorFlow's loaders would only log (unreadable fingerprint, …). */
  warnings: string[];
  source: FileSource;
}


export async function readSavedModel(source: FileSource, options: ReadSavedModelOptions = {}): Promise<LoadedSavedModel> {
  const limits = resolveLimits(options.limits);
  const decodeOptions = { skipPrivateAttrs: options.skipPrivateAttrs === true };
  const warnings: string[] = [];
  let savedModel: tensorflow.SavedModel;
  let format: 'pb' | 'cpb' | 'pbtxt';
  let savedModelBytes: Uint8Array | undefined;
  // As TensorFlow's Merger: a chunked saved_model.cpb wins over saved_model.pb beside it.
  if (await source.has(SAVED_MODEL_CPB)) {
    // The chunked format and the text format need the reflection runtime: loaded on first use.
    const { mergeChunkedProto } = await import('./chunked/index.js');
    savedModelBytes = await mergeChunkedProto(await source.read(SAVED_MODEL_CPB), 'tensorflow.SavedModel', { file: SAVED_MODEL_CPB, maxBytes: Math.min(MAX_PROTO_BYTES, limits.maxTotalBytes) });
    savedModel = decodeSavedModel(savedModelBytes, SAVED_MODEL_CPB, decodeOptions);
    (await import('./own-bytes.js')).ownBytesDeep('tensorflow.SavedModel', savedModel as unknown as Record<string, unknown>);
    format = 'cpb';
  } else if (await source.has(SAVED_MODEL_PB)) {
    savedModelBytes = await source.read(SAVED_MODEL_PB);
    savedModel = decodeSavedModel(savedModelBytes, SAVED_MODEL_PB, decodeOptions);
    format = 'pb';
  } else if (await source.has(SAVED_MODEL_PBTXT)) {
    const bytes = await source.read(SAVED_MODEL_PBTXT);
    checkSize(SAVED_MODEL_PBTXT, bytes);
    const text = guardDecode(SAVED_MODEL_PBTXT, 'UTF-8 text', () => new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    const { parseTextFormat } = await import('../text-format/parser.js');
    const obj = parseTextFormat('tensorflow.SavedModel', text, { file: SAVED_MODEL_PBTXT, maxStringBytes: Math.min(DEFAULT_MAX_STRING_BYTES, limits.maxTensorBytes) });
    const reencoded = guardDecode(SAVED_MODEL_PBTXT, 'tensorflow.SavedModel', () => tensorflow.SavedModel.encode(obj as tensorflow.ISavedModel).finish());
    savedModel = decodeSavedModel(reencoded, SAVED_MODEL_PBTXT, decodeOptions);
    (await import('./own-bytes.js')).ownBytesDeep('tensorflow.SavedModel', savedModel as unknown as Record<string, unknown>);
    format = 'pbtxt';
  } else {
    throw new SavedModelError('NOT_FOUND', `SavedModel file does not exist at: ${source.location}/{${SAVED_MODEL_PBTXT}|${SAVED_MODEL_PB}|${SAVED_MODEL_CPB}}`, { file: SAVED_MODEL_PB });
  }

  let fingerprint: tensorflow.FingerprintDef | undefined;
  if (await source.has(FINGERPRINT_PB)) {
    const bytes = await source.read(FINGERPRINT_PB);
    try {
      fingerprint = guardDecode(FINGERPRINT_PB, 'tensorflow.FingerprintDef', () => tensorflow.FingerprintDef.decode(bytes));
    } catch (e) {
      // TensorFlow only logs an unreadable fingerprint; loading goes on.
      warnings.push((e as Error).message);
    }
  }

  let kerasMetadata: third_party.py.keras.protobuf.SavedMetadata | undefined;
  if (await source.has(KERAS_METADATA_PB)) {
    const bytes = await source.read(KERAS_METADATA_PB);
    kerasMetadata = guardDecode(KERAS_METADATA_PB, 'Keras SavedMetadata', () => third_party.py.keras.protobuf.SavedMetadata.decode(bytes));
  }

  let checkpoint: CheckpointReader | undefined;
  if (options.checkpoint !== false && (await source.has(VARIABLES_INDEX))) {
    checkpoint = await readCheckpointFrom(source, VARIABLES_PREFIX, limits);
    if (options.verifyChecksums) checkpoint.verifyAll();
  }

  const assets = (await source.list()).filter((p) => p.startsWith(`${ASSETS_DIR}/`));
  const result: LoadedSavedModel = { savedModel, format, assets, warnings, source };
  if (savedModelBytes) result.savedModelBytes = savedModelBytes;
  if (checkpoint) result.checkpoint = checkpoint;
  if (fingerprint) result.fingerprint = fingerprint;
  if (kerasMetadata) result.kerasMetadata = kerasMetadata;
  return result;
}

/** Reads `<prefix>.index` and its data shards. */
export async function readCheckpointFrom(source: FileSource, prefix = VARIABLES_PREFIX, limits?: Partial<Limits>): Promise<CheckpointReader> {
  const index = await source.read(`${prefix}.index`);
  // The header says how many shards there are; read them up front since the reader is synchronous.
  const opts = limits ? { prefix, limits } : { prefix };
  const probe = readCheckpoint(index, () => new Uint8Array(0), opts);
  const n = probe.header.numShards;
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = shardFileName(prefix, i, n);
    if (!(await source.has(name))) throw new SavedModelError('NOT_FOUND', `checkpoint data shard ${i} of ${n} is missing`, { file: name });
    names.push(name);
  }
  if (source.openRanged) {
    // Records are read one by one as they are asked for: a signature reads only its own variables.
    const files: RangedFile[] = [];
    for (const name of names) files.push(await source.openRanged(name));
    return readCheckpoint(index, {
      size: (i) => files[i]?.size ?? 0,
      read: (i, offset, length) => files[i]?.read(offset, length) ?? new Uint8Array(0),
    }, opts);
  }
  const shards: Uint8Array[] = [];
  for (const name of names) shards.push(await source.read(name));
  return readCheckpoint(index, (i) => shards[i] ?? new Uint8Array(0), opts);
}
