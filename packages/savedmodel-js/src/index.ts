// Loading SavedModels and running their signatures with TensorFlow.js (loadSavedModel, getMetaGraphsFromSavedModel).
export {
  getMetaGraphsFromSavedModel, loadSavedModel, loadSavedModelFrom, TFSavedModel,
  type LoadSavedModelOptions, type SavedModelMetaGraph, type SavedModelSignature, type SavedModelSource,
  type PlainTensor, type PlainValue,
} from '@savedmodel-js/runtime';
// Writing TF2 SavedModels (saveModel, Module, tfFunction, graphFunction, exportModel, ExportArchive).
export * from './export/index.js';
