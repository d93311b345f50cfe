// Op registry (TF ~2.2 OpDefs) and the graph utilities built on it.
export { ensureOpDefs, getOpDef, hasOp, isOpRegistryLoaded, loadOpRegistry, outputArgNames, registeredOpNames, registryVersion } from './op-registry.js';
export { commonNewestLookup, loadNewestOpRegistry, type OpDefLookup, type PartialOpDefLookup } from './op-registry-newest.js';
export { addDefaultAttrs, addNodeDefaultAttrs, attrValuesEqual, stripDefaultAttrs, stripNodeDefaultAttrs, type DefaultAttrsOptions } from './strip-defaults.js';
export { buildStrippedOpList, opsUsedByGraphDef, type StrippedOpListOptions } from './stripped-op-list.js';
export { validateGraphDef } from './validate-graph.js';
export type { Finding, FindingCode, ValidateOptions } from './validate-findings.js';
