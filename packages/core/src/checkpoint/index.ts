// TensorBundle checkpoints (the `variables/` directory of a SavedModel): reader, writer,
// and the LevelDB-style table format they use for the index file.
export { readCheckpoint, CheckpointReader } from './bundle-reader.js';
export type { CheckpointReaderOptions, NumericTensorValue, ShardRanges, ShardSource, TensorValue } from './bundle-reader.js';
export type { CheckpointEntry } from './bundle-index.js';
export { writeCheckpoint, BundleWriter } from './bundle-writer.js';
export type { BundleWriterOptions, CheckpointTensor, DataRecord, RecordHeader, StreamedRecord, WrittenCheckpoint } from './bundle-writer.js';
export {
  decodeBundleEntry,
  decodeBundleHeader,
  encodeBundleEntry,
  encodeBundleHeader,
  BUNDLE_VERSION,
  ENDIANNESS_BIG,
  ENDIANNESS_LITTLE,
} from './bundle-entry.js';
export type { BundleEntry, BundleHeader, BundleVersion, TensorSliceExtent } from './bundle-entry.js';
export { DataType, dtypeElementSize, dtypeFromName, dtypeName, isStringDtype } from './dtypes.js';
export type { DataTypeName } from './dtypes.js';
export { DEFAULT_CHECKPOINT_PREFIX, indexFileName, shardFileName } from './shard-name.js';
export { decodeStringRecord, encodeStringRecord } from './string-record.js';
export { readTable } from './table/table-reader.js';
export type { DataBlockInfo, TableContents, TableReaderOptions } from './table/table-reader.js';
export { TableWriter, writeTable, DEFAULT_BLOCK_SIZE, COMPRESSION_NONE, COMPRESSION_SNAPPY } from './table/table-writer.js';
export type { BlockCompressor, TableWriterOptions } from './table/table-writer.js';
export { BlockBuilder, DEFAULT_RESTART_INTERVAL } from './table/block-builder.js';
export { readBlock } from './table/block-reader.js';
export type { BlockEntry, KeyBudget } from './table/block-reader.js';
export { decodeFooter, encodeFooter, FOOTER_LENGTH } from './table/footer.js';
export type { BlockHandle, Footer } from './table/footer.js';
export { snappyDecompress, snappyUncompressedLength, snappyMaxExpansion } from './table/snappy.js';
export type { SnappyOptions } from './table/snappy.js';
export { compareBytes, findShortestSeparator, findShortSuccessor } from './table/comparator.js';
