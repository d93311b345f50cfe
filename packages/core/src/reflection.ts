// @savedmodel-js/core/reflection — the protobufjs reflection runtime over our .proto files and what is
// built on it (not a stable API). A separate entry: importing it pulls protobufjs/light and the
// descriptor into a bundle, which writers and .pb readers never need.
export { lookupType, reflectionRoot } from './proto/reflection.js';
export { ownBytesDeep } from './savedmodel/own-bytes.js';
export { mergeChunkedProto } from './savedmodel/chunked/index.js';
