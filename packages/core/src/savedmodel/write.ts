// Writing a SavedModel to any FileSink: checkpoint first, saved_model.pb last (its presence
// marks a complete export, as in TensorFlow), then commit — or abort on any failure.
import { BundleWriter, type CheckpointTensor } from '../checkpoint/index.js';
import { SavedModelError } from '../errors.js';
import { checkRelativePath, type FileSink, type SinkData } from '../io/file-source.js';
import { encodeDeterministic, tensorflow, third_party } from '../proto/index.js';
import { encodeSavedModel } from './encode.js';
import { fingerprintOfEncoded, type FingerprintOptions } from './fingerprint.js';
import {
  ASSETS_DIR, DEBUG_INFO_PB, FINGERPRINT_PB, KERAS_METADATA_PB, SAVED_MODEL_PB, SAVED_MODEL_PBTXT, VARIABLES_INDEX,
  VARIABLES_PREFIX,
} from './constants.js';
import { shardFileName } from '../checkpoint/index.js';
import { isDeferredTensor, type DeferredCheckpointTensor } from './deferred-tensor.js';
import { dataFileChunks, releaseWindow } from './stream-records.js';
import { fillDataFile, plannedDataFileSize } from './data-file-buffer.js';

export { encodeSavedModel };

export { isDeferredTensor, type DeferredCheckpointTensor, type TensorByteReader } from './deferred-tensor.js';

export interface SavedModelContent {
  savedModel: tensorflow.ISavedModel;
  /** Checkpoint tensors in data-file order; omitted = no variables/ directory. */
  checkpoint?: Iterable<CheckpointTensor | DeferredCheckpointTensor>;
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
  /**
   * Also write fingerprint.pb, computed once the checkpoint is written (from the variables.index
   * written and the saved_model.pb bytes, without a second pass over the weights). Ignored with
   * asText and when `content.fingerprint` is given.
   */
  fingerprint?: boolean | FingerprintOptions;
}

export async function writeSavedModel(sink: FileSink, content: SavedModelContent, options: WriteOptions = {}): Promise<void> {
  let bytesWritten = 0, filesWritten = 0;
  const put = async (file: string, data: SinkData, size?: () => number) => {
    await sink.write(file, data);
    bytesWritten += size ? size() : data instanceof Uint8Array ? data.length : [...(data as Iterable<Uint8Array>)].reduce((n, c) => n + c.length, 0);
    filesWritten++;
    options.onProgress?.({ file, bytesWritten, filesWritten });
  };
  try {
    // Encode first: an unencodable message fails before anything is written.
    // The text printer needs the reflection runtime: loaded only when asked for.
    const main = options.asText
      ? new TextEncoder().encode((await import('../text-format/printer.js')).toTextFormat('tensorflow.SavedModel', sortedCopy(content.savedModel)))
      : encodeSavedModel(content.savedModel);
    let index: Uint8Array | undefined;
    if (content.checkpoint) {
      // Stream: each record goes to the sink as the caller's own bytes (no concatenated copy).
      const writer = new BundleWriter();
      const tensors = [...content.checkpoint];
      const dataFile = shardFileName(VARIABLES_PREFIX, 0, 1);
      const planned = sink.allocate ? plannedDataFileSize(tensors) : undefined;
      if (sink.allocate && planned !== undefined) {
        // A sink keeping whole files in memory: records go straight into the file's own buffer.
        const target = sink.allocate(dataFile, planned);
        if (!(target instanceof Uint8Array) || target.length !== planned) {
          throw new SavedModelError('INVALID_ARGUMENT', `${sink.location}: allocate(${dataFile}, ${planned}) did not return a Uint8Array of ${planned} bytes`, { file: dataFile });
        }
        await fillDataFile(writer, tensors, target);
        await put(dataFile, target);
      } else if (tensors.some(isDeferredTensor)) {
        // One read per tensor, as the sink asks for its bytes, written in pieces that are
        // checksummed while the sink writes them (stream-records.ts).
        await put(dataFile, dataFileChunks(writer, tensors, releaseWindow(sink)), () => writer.shardSizes[0]!);
      } else {
        const chunks: Uint8Array[] = [];
        for (const t of tensors as CheckpointTensor[]) chunks.push(...writer.add(t).chunks);
        await put(dataFile, chunks);
      }
      index = writer.finish();
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
    const fingerprint = content.fingerprint ?? (options.fingerprint && !options.asText
      ? fingerprintOfEncoded(content.savedModel, main, index, options.fingerprint === true ? {} : options.fingerprint)
      : undefined);
    if (fingerprint) {
      await put(FINGERPRINT_PB, tensorflow.FingerprintDef.encode(fingerprint).finish());
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
