// The one deterministic encoding of a SavedModel (written as saved_model.pb and fingerprinted).
import { encodeDeterministic, tensorflow } from '../proto/index.js';

export function encodeSavedModel(sm: tensorflow.ISavedModel): Uint8Array {
  return encodeDeterministic('tensorflow.SavedModel', tensorflow.SavedModel, sm as tensorflow.SavedModel);
}
