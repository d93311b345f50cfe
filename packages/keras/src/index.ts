// @savedmodel-js/keras — Keras model formats (tf.keras SavedModel + keras_metadata.pb, .h5, .keras)
// written from and loaded back into TensorFlow.js. Re-exported by savedmodel-js.
export { saveKerasModel, inferSaveFormat, type SaveKerasModelOptions, type KerasSaveFormat } from './save-keras-model.js';
export { kerasOptimizer, kerasOptimizerConfig, type KerasOptimizer } from './savedmodel/optimizer-mapping.js';
export { loadKerasModel, type KerasModelSource, type LoadKerasModelOptions } from './load-keras-model.js';
