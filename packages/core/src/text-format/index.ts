// Protobuf text format (protoc --decode / TensorFlow `as_text` layout) for any message type
// in our .proto files, driven by the protobufjs reflection schema (reflectionRoot()).
export { toTextFormat, type ToTextFormatOptions } from './printer.js';
export { parseTextFormat, type ParseTextFormatOptions } from './parser.js';
export { DEFAULT_MAX_STRING_BYTES } from '../limits.js';
export { formatFloat32, formatFloat64 } from './float-format.js';
