// File and key names fixed by the SavedModel format (docs/savedmodel-format.md §1, §4.5, §5.4).
export const SAVED_MODEL_PB = 'saved_model.pb';
export const SAVED_MODEL_PBTXT = 'saved_model.pbtxt';
/** Chunked SavedModel (TF >= 2.14 proto splitter: riegeli records + ChunkMetadata). */
export const SAVED_MODEL_CPB = 'saved_model.cpb';
export const VARIABLES_DIR = 'variables';
export const VARIABLES_PREFIX = 'variables/variables';
export const VARIABLES_INDEX = 'variables/variables.index';
export const ASSETS_DIR = 'assets';
export const ASSETS_EXTRA_DIR = 'assets.extra';
export const FINGERPRINT_PB = 'fingerprint.pb';
export const KERAS_METADATA_PB = 'keras_metadata.pb';
/** Written when SaveOptions.save_debug_info is set: a tensorflow.GraphDebugInfo. */
export const DEBUG_INFO_PB = 'debug/saved_model_debug_info.pb';
export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';
export const VARIABLE_VALUE_ATTR = 'VARIABLE_VALUE';
export const INIT_OP_SIGNATURE_KEY = '__saved_model_init_op';
export const TRAIN_OP_SIGNATURE_KEY = '__saved_model_train_op';
export const MAIN_OP_COLLECTION = 'saved_model_main_op';
export const LEGACY_INIT_OP_COLLECTION = 'legacy_init_op';
export const DEFAULT_SERVING_SIGNATURE = 'serving_default';
export const SERVE_TAG = 'serve';
export const PREDICT_METHOD = 'tensorflow/serving/predict';
export const CLASSIFY_METHOD = 'tensorflow/serving/classify';
export const REGRESS_METHOD = 'tensorflow/serving/regress';
/** protobuf refuses messages over 2 GiB; TF splits such models into saved_model.cpb chunks. */
export const MAX_PROTO_BYTES = 2 ** 31 - 1;

