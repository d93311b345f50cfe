// Where the SavedModel sits inside an archive: at the root (saved_model.pb), or in one folder
// such as `export/saved_model.pb` or TF Serving's `name/1/saved_model.pb`.
import { SavedModelError } from '@savedmodel-js/core';

const MARKERS = ['saved_model.pb', 'saved_model.pbtxt'];

/**
 * The folder ('' = the archive root) holding saved_model.pb(txt), given the archive's file
 * paths. Several candidates that are all numbered versions of one model (`m/1`, `m/2`) give the
 * highest version, as TF Serving loads; other ambiguities are INVALID_ARGUMENT (pass `root`).
 * No candidate at all gives '' (reading then reports the missing saved_model.pb).
 */
export function findSavedModelRoot(files: Iterable<string>): string {
  const candidates = new Set<string>();
  for (const f of files) {
    if (f.startsWith('__MACOSX/')) continue;
    const slash = f.lastIndexOf('/');
    const base = f.slice(slash + 1);
    if (MARKERS.includes(base)) candidates.add(slash < 0 ? '' : f.slice(0, slash));
  }
  if (candidates.has('')) return '';
  const list = [...candidates].sort();
  if (list.length <= 1) return list[0] ?? '';
  const parentOf = (d: string) => (d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '');
  const parent = parentOf(list[0]!);
  const versions = list.map((d) => d.slice(d.lastIndexOf('/') + 1));
  if (list.every((d) => parentOf(d) === parent) && versions.every((v) => /^\d+$/.test(v))) {
    let best = 0;
    for (let i = 1; i < versions.length; i++) if (BigInt(versions[i]!) > BigInt(versions[best]!)) best = i;
    return list[best]!;
  }
  throw new SavedModelError('INVALID_ARGUMENT', `archive holds several SavedModels (${list.map((d) => `${d}/`).join(', ')}); choose one with the root option`, { file: list[0] });
}
