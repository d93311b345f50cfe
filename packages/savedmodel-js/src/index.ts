export {};
// Loading SavedModels and running their signatures with TensorFlow.js (loadSavedModel, getMetaGraphsFromSavedModel).
export * from './load/index.js';
