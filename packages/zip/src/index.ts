// @savedmodel-js/zip — browser-safe entry point (Node helpers: '@savedmodel-js/zip/node').
// Writing: a streaming zip writer (STORE/DEFLATE, ZIP64, data descriptors) and a core FileSink
// over it; targets: any byte sink / WritableStream, Blob, downloads://, OPFS, a directory handle.
// Reading: a checked FileSource over an archive (jszip parse, cross-checked by our own scan).
export { blobTarget, toByteTarget, writableStreamTarget, type ByteOutput, type ByteSink, type ByteTarget } from './byte-sink.js';
export { DEFAULT_ZIP_DATE, fromDosDateTime, toDosDateTime, type DosDateTime } from './dos-time.js';
export { unsafeNameReason } from './entry-name.js';
export {
  ZipWriter, type ZipCompression, type ZipEntryOptions, type ZipEntryRecord, type ZipSummary, type ZipWriterOptions,
  type ZipWriterProgress,
} from './zip-writer.js';
export type { ZipEntryData } from './zip-entry-data.js';
export { normalizeRootFolder, zipSink, type ZipFileSink, type ZipProgress, type ZipSinkOptions } from './zip-sink.js';
export { saveToZipBlob, zipBlobSink, type ZipBlobOptions } from './zip-blob.js';
export { downloadFileName, downloadsTarget, type DownloadsTargetOptions } from './downloads-target.js';
export { opfsPathSegments, opfsSink, type OpfsSinkOptions } from './opfs-sink.js';
export { directoryHandleSink, type DirectoryHandleSinkOptions } from './directory-handle-sink.js';
export {
  DEFAULT_MAX_ENTRIES, DEFAULT_MAX_UNCOMPRESSED_BYTES, MAX_DEFLATE_RATIO, scanZip, type ScannedEntry, type ScannedZip,
  type ZipLimits,
} from './zip-scan.js';
export { openZipArchive, type ZipArchive } from './jszip-archive.js';
export { findSavedModelRoot } from './savedmodel-root.js';
export { zipSource, type ZipEntryInfo, type ZipInput, type ZipSource, type ZipSourceOptions } from './zip-source.js';
