// Writing TF2 SavedModels from TensorFlow.js: tf.saved_model.save (saveModel with Module or a
// tf.LayersModel) and Keras 3's export API (exportModel, ExportArchive).
export { Module, type Trackable, type FunctionAttr } from './module.js';
export { PolymorphicFunction, tfFunction, parameterNames, type ExportableFunction, type FunctionOptions, type SpecLike } from './function.js';
export { graphFunction, FunctionBuilder, type GraphFunctionBody, type GraphValue } from './graph-function.js';
export { RawVariable, rawVariable, type RawVariableOptions, type AnyVariable } from './variables.js';
export type { DTypeName } from './dtypes.js';
export { saveModel, type SaveModelArgs, type SaveOptions, type SaveSummary, type Signatures, type SignatureFunction } from './save.js';
export { exportModel, ExportArchive, type ExportModelOptions, type WriteOutOptions, type AddEndpointOptions } from './keras.js';
export { graphModelFunction, isGraphModel, type GraphModelLike } from './graph-model.js';
export { traceableDropout, withTraceableDropout } from './dropout.js';
export { buildSavedModel, GRAPH_DEF_PRODUCER, SDK_MARKER, type BuildOptions, type BuildResult } from './builder.js';
export type { SignatureTarget } from './signatures.js';
export { TensorSpec, tensorSpec } from '@savedmodel-js/trace';
// Hooks for @savedmodel-js/keras (the tf.keras SavedModel layout is built on this builder).
export { TreeResolver, isLayersModel, type ObjectNode, type TreeNode, type VariableNode } from './module.js';
export { buildAndWrite, buildOptionsOf, canonicalizeSignatures, isFileSink, summarize, uniqueNames } from './save.js';
export { variableInfo, variableKey, isVariable, type VariableInfo } from './variables.js';
// A layers model's weight lists in one pass (tfjs's Container getters are quadratic in the layer count).
export { weightLists, type WeightLists } from './layer-weights.js';
// Building a layers model from an untrusted config (the Keras loaders, convertTfjsModel).
export { modelFromUntrustedConfig, withLayerWeightBudget, weightBudgetFor } from './layer-weight-budget.js';
export { checkLayerGraph } from './layer-graph-check.js';
