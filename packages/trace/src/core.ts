// Everything this package takes from @savedmodel-js/core, in one place.
export { tensorflow, SavedModelError, isSavedModelError, getOpDef, attr, shapeProto, tensorFromBytes, DEFAULT_LIMITS } from '@savedmodel-js/core';
export { toNumber, allowedValuesOf, valuesOutside, type AllowedValues } from '@savedmodel-js/core/internal';
export type { SavedModelErrorCode, Dims } from '@savedmodel-js/core';
