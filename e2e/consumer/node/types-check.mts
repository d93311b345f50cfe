// Node16/NodeNext resolution of the exports maps (types condition, .d.ts with .js specifiers).
import { exportModel, fileMapSink, loadSavedModel, saveToZipBlob, type SavedModelErrorCode } from 'savedmodel-js';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { zipFileSource } from '@savedmodel-js/zip/node';

const code: SavedModelErrorCode = 'INVALID_ARGUMENT';
export const used = [exportModel, fileMapSink, loadSavedModel, saveToZipBlob, readSavedModelDir, zipFileSource, code];
