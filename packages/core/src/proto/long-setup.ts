// int64 fields must decode as Long, never as lossy numbers. protobufjs loads `long` itself (a plain
// require that Node and bundlers follow), so we use that one class instead of importing a second
// copy; configure() makes the reader and writer pick it up. Must run before the generated messages
// module evaluates (its prototypes read util.Long at load time).
import protobuf from 'protobufjs/minimal.js';

if (!protobuf.util.Long) {
  throw new Error('@savedmodel-js/core: protobufjs did not load the `long` package; int64 fields would lose precision');
}
protobuf.configure();
