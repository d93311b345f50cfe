// Everything this package takes from @savedmodel-js/core, in one place.
export { tensorflow, SavedModelError, isSavedModelError, getOpDef, toNumber, attr, shapeProto, tensorFromBytes } from '@savedmodel-js/core';
export type { SavedModelErrorCode, Dims } from '@savedmodel-js/core';
