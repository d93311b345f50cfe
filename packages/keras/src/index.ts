// @savedmodel-js/keras — Keras model formats (tf.keras SavedModel + keras_metadata.pb, .h5, .keras)
// written from and loaded back into TensorFlow.js. Re-exported by savedmodel-js.
export {};
