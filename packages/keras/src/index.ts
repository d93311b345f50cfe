// @savedmodel-js/keras — Keras model formats (tf.keras SavedModel + keras_metadata.pb, .h5, .keras)
// written from and loaded back into TensorFlow.js. Re-exported by savedmodel-js.
export { saveKerasModel, inferSaveFormat, type SaveKerasModelOptions, type KerasSaveFormat } from './save-keras-model.js';
export { kerasOptimizer, kerasOptimizerConfig, type KerasOptimizer } from './savedmodel/optimizer-mapping.js';
export { loadKerasModel, type KerasModelSource, type LoadKerasModelOptions } from './load-keras-model.js';
export { saveKerasH5, KERAS2_VERSION, type SaveKerasH5Options } from './h5/save-keras-h5.js';
export { loadKerasH5, type LoadKerasH5Options } from './h5/load-keras-h5.js';
export type { KerasLoadOptions } from './h5/into-tfjs.js';
export type { ModelFileInput, ModelFileTarget } from './h5/output-target.js';
export { saveKerasV3, KERAS3_VERSION, type SaveKerasV3Options } from './keras3/save-keras-v3.js';
export { loadKerasV3, type LoadKerasV3Options } from './keras3/load-keras-v3.js';
export {
  exportSavedModelV1, saveKerasModelV1,
  type ExportSavedModelV1Options, type SaveKerasModelV1Options, type ExportV1Summary,
} from './v1/export-saved-model-v1.js';
export { loadFromSavedModel, type LoadFromSavedModelOptions } from './v1/load-from-saved-model.js';
