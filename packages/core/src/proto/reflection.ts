// Reflection view of the same .proto files (field names, numbers, map/repeated flags): used by the
// text format, unknown-field checks and the chunked-format merger — not by plain .pb reads or writes.
import './long-setup.js';
import protobuf from 'protobufjs/light.js';
import descriptor from './gen/descriptor.json';

export const protoRoot: protobuf.Root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);

export function lookupType(fullName: string): protobuf.Type {
  return protoRoot.lookupType(fullName);
}
