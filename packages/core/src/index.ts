// @savedmodel-js/core — browser-safe entry point (no Node imports).
// The public surface, named on purpose. Building blocks other @savedmodel-js packages share
// (table/bundle codecs, hashing, option and byte helpers) live in `@savedmodel-js/core/internal`.

// Errors and resource limits.
export { SavedModelError, isSavedModelError, type SavedModelErrorCode, type SavedModelErrorDetails } from './errors.js';
export { DEFAULT_LIMITS, MAX_TENSOR_ELEMENTS, MemoryBudget, resolveLimits, type Limits } from './limits.js';

// Protocol buffers: the generated message classes.
export { tensorflow, third_party } from './proto/index.js';

// Checksums.
export { crc32c, crc32, type CrcInput } from './crc32c/crc32c.js';

// Checkpoints (TensorBundle).
export {
  readCheckpoint, CheckpointReader,
  type CheckpointReaderOptions, type NumericTensorValue, type ShardRanges, type ShardSource, type TensorValue,
} from './checkpoint/bundle-reader.js';
export type { CheckpointEntry } from './checkpoint/bundle-index.js';
export {
  writeCheckpoint, BundleWriter,
  type BundleWriterOptions, type CheckpointTensor, type DataRecord, type WrittenCheckpoint, type StreamedRecord, type RecordHeader,
} from './checkpoint/bundle-writer.js';
export { DataType, dtypeElementSize, dtypeFromName, dtypeName, isStringDtype, type DataTypeName } from './checkpoint/dtypes.js';
export { DEFAULT_CHECKPOINT_PREFIX, indexFileName, shardFileName } from './checkpoint/shard-name.js';

// File sources and sinks (in memory; directories are in `/node`).
export { fileMapSource, fileMapSink, type FileSource, type FileSink, type FileMap, type RangedFile, type SinkData } from './io/file-source.js';
export { hasNodeFileSystem } from './io/node-only-path.js';

// SavedModel files.
export {
  SAVED_MODEL_PB, SAVED_MODEL_PBTXT, SAVED_MODEL_CPB, VARIABLES_DIR, VARIABLES_PREFIX, VARIABLES_INDEX, ASSETS_DIR,
  ASSETS_EXTRA_DIR, FINGERPRINT_PB, KERAS_METADATA_PB, DEBUG_INFO_PB, OBJECT_GRAPH_KEY, VARIABLE_VALUE_ATTR,
  INIT_OP_SIGNATURE_KEY, TRAIN_OP_SIGNATURE_KEY, MAIN_OP_COLLECTION, LEGACY_INIT_OP_COLLECTION,
  DEFAULT_SERVING_SIGNATURE, SERVE_TAG, PREDICT_METHOD, CLASSIFY_METHOD, REGRESS_METHOD, MAX_PROTO_BYTES,
} from './savedmodel/constants.js';
export {
  readSavedModel, decodeSavedModel, readCheckpointFrom, type ReadSavedModelOptions, type LoadedSavedModel,
} from './savedmodel/read.js';
export { setBlockDecompressor, type BlockDecompressor, type ChunkedReadOptions, type RiegeliCompression } from './savedmodel/chunked/index.js';
export {
  encodeSavedModel, writeSavedModel, isDeferredTensor, type SavedModelContent, type WriteOptions, type DeferredCheckpointTensor, type TensorByteReader,
} from './savedmodel/write.js';
export { computeFingerprint, withFingerprint, FINGERPRINT_PRODUCER, type FingerprintOptions } from './savedmodel/fingerprint.js';

// Inspecting, verifying, comparing (saved_model_cli's show, our verify and diff).
export {
  tagSetsOf, metaGraphFor, showTagSets, showSignatureKeys, showSignature, opsUsed, showOps, showConcreteFunctions, showAll,
} from './savedmodel/inspect.js';
export { verifySavedModel, verifyMetaGraph, type VerifyOptions, type VerifyReport } from './savedmodel/verify.js';
export { validateGraphDef } from './registry/validate-graph.js';
export type { Finding, FindingCode, ValidateOptions } from './registry/validate-findings.js';
export { diffSavedModels, formatDifference, type DiffOptions, type DiffableSavedModel } from './savedmodel/diff.js';
export { type Difference } from './savedmodel/diff-render.js';

// Building graphs: NodeDef / AttrValue / TensorProto helpers.
export { node, attr, shapeProto, tensorFromBytes, floatTensor, int32Tensor, stringTensor, type Dims } from './graph/attr.js';

// Text format (protoc-compatible).
export { DEFAULT_MAX_STRING_BYTES } from './limits.js';

// TensorFlow's op registry.
export {
  getOpDef, hasOp, ensureOpDefs, isOpRegistryLoaded, loadOpRegistry, outputArgNames, registeredOpNames, registryVersion,
} from './registry/op-registry.js';
export { loadNewestOpRegistry, type OpDefLookup } from './registry/op-registry-newest.js';
export {
  addDefaultAttrs, addNodeDefaultAttrs, stripDefaultAttrs, stripNodeDefaultAttrs, attrValuesEqual, type DefaultAttrsOptions,
} from './registry/strip-defaults.js';
export { buildStrippedOpList, opsUsedByGraphDef, type StrippedOpListOptions } from './registry/stripped-op-list.js';
