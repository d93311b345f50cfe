// Loading SavedModels for inference with TensorFlow.js (no Python, no native TensorFlow).
export { loadSavedModel, loadSavedModelFrom, TFSavedModel, type LoadSavedModelOptions } from './saved-model.js';
export { getMetaGraphsFromSavedModel, type SavedModelMetaGraph, type SavedModelSignature } from './meta-graphs.js';
export { freezeSignature, runnableSignatureKeys, type FreezeOptions, type FrozenGraph, type FrozenTensorInfo, type FrozenVariable } from './freeze.js';
export { resolveVariableKeys, objectGraphCheckpointKeys, dataInputs, refNodeName, type VariableKey, type VariableKeys, type VariableKeySource } from './variables.js';
export { decodeTensorProto, type HostTensor } from './host-tensor.js';
export { createGraphModel, tfjsDtype, toModelArtifacts } from './tfjs-model.js';
export { executorNodes } from './executor-graph.js';
export { TF_OPS_REGISTERED_BY_RUNTIME } from './ops/gradient-ops.js';
export { readSource, type SavedModelSource } from './source.js';
export { flattenNested, plainToTensor, type PlainTensor, type PlainValue } from './plain.js';
export { serializeExamples, type ExampleInput, type ExampleFeatureValue, type SerializeExamplesOptions } from './examples.js';
