// Child-process cases (hostile-kit) whose naive handling would exhaust memory or hang.
import { fileMapSource, readCheckpoint, readSavedModel } from '@savedmodel-js/core';
import { readSavedModelDir } from '@savedmodel-js/core/node';
import { amplifiedIndex, pbtxtWithHugeString } from './craft.js';

/** A checkpoint index whose keys share one long prefix `followers` times. */
export function keyAmplification(a: { keyBytes: number; followers: number }): number {
  const index = amplifiedIndex(a.keyBytes, a.followers);
  return readCheckpoint(index, () => new Uint8Array(0)).entries.length;
}

/** readSavedModel of a saved_model.pbtxt holding one string of `mb` MB. */
export async function pbtxtHugeString(a: { mb: number }): Promise<string> {
  const files = new Map([['saved_model.pbtxt', pbtxtWithHugeString(a.mb * 1e6)]]);
  const m = await readSavedModel(fileMapSource(files));
  return m.format;
}

/** readSavedModelDir of a directory (FIFO / device symlink inside is made by the parent). */
export async function readDir(a: { dir: string }): Promise<number> {
  const m = await readSavedModelDir(a.dir);
  return m.checkpoint?.entries.length ?? 0;
}
