// savedmodel-js — the one import for the common jobs. The @savedmodel-js/* packages stay
// available for advanced use; this facade re-exports, by name, what a user needs.

// Writing TF2 SavedModels: tf.saved_model.save (saveModel, Module, tfFunction) and Keras 3's
// Model.export / ExportArchive.
export {
  Module, PolymorphicFunction, tfFunction, graphFunction, rawVariable, RawVariable, saveModel, exportModel, ExportArchive,
  traceableDropout, withTraceableDropout, TensorSpec, tensorSpec,
  type Trackable, type FunctionAttr, type ExportableFunction, type FunctionOptions, type GraphFunctionBody, type GraphValue,
  type SpecLike, type RawVariableOptions, type AnyVariable, type DTypeName, type SaveModelArgs, type SaveOptions,
  type SaveSummary, type Signatures, type SignatureFunction, type ExportModelOptions, type WriteOutOptions,
  type AddEndpointOptions,
} from '@savedmodel-js/export';
// Loading SavedModels and running their signatures with TensorFlow.js.
export {
  getMetaGraphsFromSavedModel, loadSavedModel, loadSavedModelFrom, TFSavedModel,
  type LoadSavedModelOptions, type SavedModelMetaGraph, type SavedModelSignature, type SavedModelSource,
  type PlainTensor, type PlainValue,
  serializeExamples, type ExampleInput, type ExampleFeatureValue, type SerializeExamplesOptions,
} from '@savedmodel-js/runtime';
// Converting TensorFlow.js models (graph and layers, quantized weights too) to SavedModels, and
// SavedModels to TensorFlow.js graph models.
export {
  convertTfjsModel, convertSavedModelToTfjs,
  type ConvertTfjsOptions, type ConvertTfjsResult, type ConvertProgress, type GraphConvertReport, type TfjsModelSource,
  type ToTfjsOptions, type ToTfjsResult,
} from '@savedmodel-js/convert';
// Keras models whole: tf.keras.models.save_model / load_model (SavedModel with keras_metadata.pb,
// Keras 2 .h5, Keras 3 .keras) from and back into tf.LayersModel.
export {
  saveKerasModel, loadKerasModel, saveKerasH5, loadKerasH5, saveKerasV3, loadKerasV3,
  type SaveKerasModelOptions, type LoadKerasModelOptions, type KerasSaveFormat, type KerasModelSource,
} from '@savedmodel-js/keras';
// TF1 Keras export: export_saved_model / save_keras_model (serve, train and eval MetaGraphs) and
// load_from_saved_model.
export {
  exportSavedModelV1, saveKerasModelV1, loadFromSavedModel,
  type ExportSavedModelV1Options, type SaveKerasModelV1Options, type ExportV1Summary, type LoadFromSavedModelOptions,
} from '@savedmodel-js/keras';
// Where files go / come from: in-memory maps (browser), zips (download, OPFS, Blob).
export {
  SavedModelError, isSavedModelError, fileMapSink, fileMapSource,
  type SavedModelErrorCode, type FileSink, type FileSource, type FileMap,
} from '@savedmodel-js/core';
export { saveToZipBlob, zipSink, zipBlobSink, opfsSink, downloadsTarget, type ZipBlobOptions, type ZipSinkOptions } from '@savedmodel-js/zip';
