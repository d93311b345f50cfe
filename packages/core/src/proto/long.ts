// The Long class protobufjs decodes int64 fields into (see long-setup.ts): one copy in every bundle.
import './long-setup.js';
import protobuf from 'protobufjs/minimal.js';
import type LongClass from 'long';

export type Long = LongClass;
export const Long = protobuf.util.Long as unknown as typeof LongClass;
