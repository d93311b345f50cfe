// Everything this package takes from @savedmodel-js/core, in one place.
export { tensorflow, SavedModelError, isSavedModelError, getOpDef, toNumber } from '@savedmodel-js/core';
export type { SavedModelErrorCode } from '@savedmodel-js/core';
// TEMPORARY: the graph helpers are not exported from the core index yet; switch this line to
// '@savedmodel-js/core' once they are.
export { attr, shapeProto, tensorFromBytes, type Dims } from '../../core/src/graph/attr.js';
