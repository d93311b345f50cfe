// @savedmodel-js/core — browser-safe entry point (no Node imports).
export * from './errors.js';
export * from './proto/index.js';
export { findUnknownFields, type UnknownField } from './proto/unknown-fields.js';
export * from './crc32c/crc32c.js';
export * from './checkpoint/index.js';
export * from './io/file-source.js';
export * from './savedmodel/constants.js';
export * from './savedmodel/read.js';
export * from './savedmodel/write.js';
export * from './savedmodel/fingerprint.js';
export * from './savedmodel/inspect.js';
export * from './savedmodel/verify.js';
export * from './savedmodel/diff.js';
export * from './graph/attr.js';
export * from './savedmodel/dtype-names.js';
export * from './text-format/index.js';
export * from './registry/index.js';
