export {};
// Loading SavedModels and running their signatures with TensorFlow.js (loadSavedModel, getMetaGraphsFromSavedModel).
export * from './load/index.js';
// Writing TF2 SavedModels (saveModel, Module, tfFunction, graphFunction, exportModel, ExportArchive).
export * from './export/index.js';
