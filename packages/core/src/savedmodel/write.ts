// Writing a SavedModel to any FileSink: checkpoint first, saved_model.pb last (its presence
// marks a complete export, as in TensorFlow), then commit — or abort on any failure.
import { BundleWriter, type CheckpointTensor } from '../checkpoint/index.js';
import { SavedModelError } from '../errors.js';
import { checkRelativePath, type FileSink } from '../io/file-source.js';
import { encodeDeterministic, tensorflow, third_party } from '../proto/index.js';
import {
  ASSETS_DIR, DEBUG_INFO_PB, FINGERPRINT_PB, KERAS_METADATA_PB, SAVED_MODEL_PB, SAVED_MODEL_PBTXT, VARIABLES_INDEX,
  VARIABLES_PREFIX,
} from './constants.js';
import { shardFileName } from '../checkpoint/index.js';

export interface SavedModelContent {
  savedModel: tensorflow.ISavedModel;
  /** Checkpoint tensors in data-file order; omitted = no variables/ directory. */
  checkpoint?: Iterable<CheckpointTensor>;
  /** Files for assets/ (base names or sub-paths) and their bytes. */
  assets?: Map<string, Uint8Array>;
  /** Extra files for assets.extra/ (e.g. tf_serving_warmup_requests). */
  assetsExtra?: Map<string, Uint8Array>;
  fingerprint?: tensorflow.IFingerprintDef;
  kerasMetadata?: third_party.py.keras.protobuf.ISavedMetadata;
  /** debug/saved_model_debug_info.pb (SaveOptions.save_debug_info). */
  debugInfo?: tensorflow.IGraphDebugInfo;
}

export interface WriteOptions {
  /** Write saved_model.pbtxt (protobuf text format) instead of saved_model.pb, like TF's as_text. */
  asText?: boolean;
  /** Called after each file with the bytes written so far. */
  onProgress?: (p: { file: string; bytesWritten: number; filesWritten: number }) => void;
}

export function encodeSavedModel(sm: tensorflow.ISavedModel): Uint8Array {
  return encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, sm as tensorflow.SavedModel);
}

export async function writeSavedModel(sink: FileSink, content: SavedModelContent, options: WriteOptions = {}): Promise<void> {
  let bytesWritten = 0, filesWritten = 0;
  const put = async (file: string, data: Uint8Array | Uint8Array[]) => {
    await sink.write(file, data);
    bytesWritten += Array.isArray(data) ? data.reduce((n, c) => n + c.length, 0) : data.length;
    filesWritten++;
    options.onProgress?.({ file, bytesWritten, filesWritten });
  };
  try {
    // Encode first: an unencodable message fails before anything is written.
    // The text printer needs the reflection runtime: loaded only when asked for.
    const main = options.asText
      ? new TextEncoder().encode((await import('../text-format/printer.js')).toTextFormat('tensorflow.SavedModel', sortedCopy(content.savedModel)))
      : encodeSavedModel(content.savedModel);
    if (content.checkpoint) {
      // Stream: each record goes to the sink as the caller's own bytes (no concatenated copy).
      const writer = new BundleWriter();
      const chunks: Uint8Array[] = [];
      for (const t of content.checkpoint) chunks.push(...writer.add(t).chunks);
      const index = writer.finish();
      await put(shardFileName(VARIABLES_PREFIX, 0, 1), chunks);
      await put(VARIABLES_INDEX, index);
    }
    for (const [name, bytes] of content.assets ?? []) await put(`${ASSETS_DIR}/${checkRelativePath(name)}`, bytes);
    for (const [name, bytes] of content.assetsExtra ?? []) await put(`assets.extra/${checkRelativePath(name)}`, bytes);
    if (content.kerasMetadata) {
      await put(KERAS_METADATA_PB, encodeDeterministic('third_party.py.keras.protobuf.SavedMetadata', third_party.py.keras.protobuf.SavedMetadata, content.kerasMetadata as third_party.py.keras.protobuf.SavedMetadata));
    }
    if (content.debugInfo) {
      await put(DEBUG_INFO_PB, encodeDeterministic('tensorflow.GraphDebugInfo', tensorflow.GraphDebugInfo, content.debugInfo as tensorflow.GraphDebugInfo));
    }
    if (content.fingerprint) {
      await put(FINGERPRINT_PB, tensorflow.FingerprintDef.encode(content.fingerprint).finish());
    }
    await put(options.asText ? SAVED_MODEL_PBTXT : SAVED_MODEL_PB, main);
    await sink.commit();
  } catch (e) {
    await sink.abort();
    if (e instanceof SavedModelError) throw e;
    // A system error from a sink (ENOSPC, EACCES, …) is an I/O fault, not a bad argument.
    const errno = (e as { code?: unknown } | null)?.code;
    if (typeof errno === 'string' && /^E[A-Z0-9]+$/.test(errno)) {
      throw new SavedModelError('IO_ERROR', `cannot write SavedModel to ${sink.location}: ${(e as Error).message}`, { file: sink.location, errno, cause: e });
    }
    throw new SavedModelError('INVALID_ARGUMENT', `cannot write SavedModel to ${sink.location}: ${(e as Error).message}`, { file: sink.location, cause: e });
  }
}

/** Map-sorted deep copy (the text writer prints maps in their object order). */
function sortedCopy(sm: tensorflow.ISavedModel): tensorflow.SavedModel {
  const bytes = encodeSavedModel(sm);
  return tensorflow.SavedModel.decode(bytes);
}
