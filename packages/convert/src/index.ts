// @savedmodel-js/convert: TensorFlow.js models (graph and layers, quantized weights included) to
// SavedModels, and SavedModels to TensorFlow.js graph models.
export { convertTfjsModel, type ConvertTfjsOptions, type ConvertTfjsResult, type ConvertProgress } from './convert-tfjs.js';
export type { GraphConvertReport, TensorSummary } from './graph-savedmodel.js';
export type { TfjsModelSource, ModelLoader, NamedBlob, InMemoryGraphModel } from './model-source.js';
export { parseModelJson, checkWeightPath, type ModelJson, type WeightSpec, type WeightGroup, type QuantizationSpec } from './model-json.js';
export { halfToFloat } from '@savedmodel-js/core/internal';
export { floatToHalf } from './tensor-values.js';
export { convertSavedModelToTfjs, frozenToTfjs, type ToTfjsOptions, type ToTfjsResult, type SavedModelInput } from './to-tfjs.js';
export { quantizeWeights, type QuantizeDtype, type Quantized } from './quantize.js';
