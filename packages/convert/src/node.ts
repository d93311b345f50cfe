// @savedmodel-js/convert/node: reading tfjs models from disk (used by convertTfjsModel when the
// source is a path; imported lazily so that browser bundles never reach node:fs).
export { openModelJsonFile } from './node-model-files.js';
