// protobufjs picks up `long` through an eval'd require that bundlers and browsers don't have.
// Set it explicitly, before the generated messages module evaluates (its prototypes read
// util.Long at load time), so int64 fields decode as Long everywhere, never as lossy numbers.
import protobuf from 'protobufjs/minimal.js';
import Long from 'long';

protobuf.util.Long = Long;
protobuf.configure();
