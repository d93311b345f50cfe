// Decoding saved_model.pb bytes: size check, typed errors, map defaults. No reflection runtime, so
// writers that re-read what they wrote (fingerprints) stay small.
import { asBytes } from '../bytes.js';
import { guardDecode, SavedModelError } from '../errors.js';
import { fillMapDefaults, tensorflow } from '../proto/index.js';
import { reader, type ReaderOptions } from '../proto/fast-reader.js';
import { MAX_PROTO_BYTES, SAVED_MODEL_PB } from './constants.js';

export function checkSize(file: string, bytes: Uint8Array): void {
  if (bytes.length > MAX_PROTO_BYTES) {
    throw new SavedModelError('LIMIT_EXCEEDED', `${bytes.length} bytes is over protobuf's 2 GiB message limit`, { file });
  }
}

/**
 * saved_model.pb bytes as a message. `skipPrivateAttrs`: leave out the NodeDef attrs named with a
 * leading "_" (_output_shapes, _class, …: TensorFlow's own bookkeeping, which running a graph never
 * reads), a large part of a big graph's decoded objects.
 */
export function decodeSavedModel(view: Uint8Array, file = SAVED_MODEL_PB, options: ReaderOptions = {}): tensorflow.SavedModel {
  const bytes = asBytes(view, file);
  checkSize(file, bytes);
  return guardDecode(file, 'tensorflow.SavedModel', () => {
    const sm = tensorflow.SavedModel.decode(reader(bytes, options));
    fillMapDefaults('tensorflow.SavedModel', sm as unknown as Record<string, unknown>);
    return sm;
  });
}

