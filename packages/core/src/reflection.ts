// @savedmodel-js/core/reflection — the protobufjs reflection runtime over our .proto files and what is
// built on it: the text format and the unknown-field walk (stable), lookups and chunk merging (not a
// stable API). A separate entry: importing it pulls protobufjs/light and the descriptor into a bundle,
// which writers and .pb readers never need.
export { lookupType, reflectionRoot } from './proto/reflection.js';
export { ownBytesDeep } from './savedmodel/own-bytes.js';
export { mergeChunkedProto } from './savedmodel/chunked/index.js';
export { toTextFormat, parseTextFormat, type ToTextFormatOptions, type ParseTextFormatOptions } from './text-format/index.js';
export { findUnknownFields, type UnknownField } from './proto/unknown-fields.js';
