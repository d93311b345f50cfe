// @savedmodel-js/core/internal — building blocks shared by the @savedmodel-js packages.
// Not a stable API: names here may change between minor versions. What needs protobufjs's
// reflection runtime is in `@savedmodel-js/core/reflection`, so bundles without it stay small.
export { quoteSnippet, guardDecode, MAX_QUOTED_CHARS } from './errors.js';
export { checkedElementCount } from './limits.js';
export { asBytes, exactArrayBuffer, latin1 } from './bytes.js';
export { halfToFloat } from './float16.js';
export { isSyncReadbackFailure, syncReadbackError } from './backend-readback.js';
export { checkOptions } from './options.js';
export { READ_AHEAD_BYTES } from './savedmodel/read-ahead.js';
export { allowedValuesOf, valuesOutside, type AllowedValues } from './registry/allowed-values.js';
export { toNumber, toBigInt, compareUtf8, sortMapsDeep, encodeDeterministic, fillMapDefaults, Long } from './proto/index.js';
export { flatWriter } from './proto/flat-writer.js';
export { reader } from './proto/fast-reader.js';
export { sharedAttrDefaults } from './registry/strip-defaults.js';
export { attrKindProblem } from './registry/attr-check.js';
export { crc32cExtend, crc32Extend, setCrcImplementation, crcImplementation, type CrcImplementation } from './crc32c/crc32c.js';
export { maskCrc, unmaskCrc } from './crc32c/mask.js';
export {
  decodeBundleEntry, decodeBundleHeader, encodeBundleEntry, encodeBundleHeader, BUNDLE_VERSION, ENDIANNESS_BIG,
  ENDIANNESS_LITTLE, type BundleEntry, type BundleHeader, type BundleVersion, type TensorSliceExtent,
} from './checkpoint/bundle-entry.js';
export { decodeStringRecord, encodeStringRecord } from './checkpoint/string-record.js';
export { readTable, type DataBlockInfo, type TableContents, type TableReaderOptions } from './checkpoint/table/table-reader.js';
export {
  TableWriter, writeTable, DEFAULT_BLOCK_SIZE, COMPRESSION_NONE, COMPRESSION_SNAPPY, type BlockCompressor, type TableWriterOptions,
} from './checkpoint/table/table-writer.js';
export { BlockBuilder, DEFAULT_RESTART_INTERVAL } from './checkpoint/table/block-builder.js';
export { readBlock, type BlockEntry, type KeyBudget } from './checkpoint/table/block-reader.js';
export { decodeFooter, encodeFooter, FOOTER_LENGTH, type BlockHandle, type Footer } from './checkpoint/table/footer.js';
export { snappyDecompress, snappyUncompressedLength, snappyMaxExpansion, type SnappyOptions } from './checkpoint/table/snappy.js';
export { compareBytes, findShortestSeparator, findShortSuccessor } from './checkpoint/table/comparator.js';
export { checkRelativePath, concatChunks, collectChunks } from './io/file-source.js';
export { assertPathSupported } from './io/node-only-path.js';
export {
  checkpointIndexBytes, hashSavedModel, hashGraphDefProgram, regularizeGraphDef, hashSignatureDefs, hashSavedObjectGraph,
  singleprint, fingerprintOfEncoded,
} from './savedmodel/fingerprint.js';
export { fingerprint64, fingerprintCat64 } from './hash/farmhash.js';
export { normalizeFunctionName } from './savedmodel/diff-functions.js';
export { dtypeLabel, pyDtypeName } from './savedmodel/dtype-names.js';
export { formatFloat32, formatFloat64 } from './text-format/float-format.js';
