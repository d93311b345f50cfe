// Reflection view of the same .proto files (field names, numbers, map/repeated flags): used by the
// text format, unknown-field checks and the chunked-format merger — not by plain .pb reads or writes.
// Built on first use, not at import: building and resolving the schema costs tens of milliseconds,
// which every importer of the core index (the CLI's `show`, apps) would otherwise pay at start.
import './long-setup.js';
import protobuf from 'protobufjs/light.js';
import descriptor from './gen/descriptor.json';

let root: protobuf.Root | undefined;

/** The reflected schema of our .proto files (shared; treat as read-only). */
export function reflectionRoot(): protobuf.Root {
  root ??= protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
  return root;
}

export function lookupType(fullName: string): protobuf.Type {
  return reflectionRoot().lookupType(fullName);
}
