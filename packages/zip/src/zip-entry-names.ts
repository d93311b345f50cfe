// The names already in an archive being written, so that a new entry cannot collide with them
// on extraction: not the same name, nor one differing only in case or Unicode form, and no
// file/folder clash ("a" as a file and "a/b").
import { SavedModelError } from '@savedmodel-js/core';
import { encodeEntryName, foldedName } from './entry-name.js';

/** 'a/b/c' → 'a', 'a/b'. */
function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

export class ZipEntryNames {
  /** Folded (case/Unicode-insensitive) paths of files, and of folders (explicit or implied). */
  private readonly fileKeys = new Set<string>();
  private readonly dirKeys = new Set<string>();
  private readonly explicitDirKeys = new Set<string>();

  /**
   * Validates a new entry name (`directory`: it ends with '/'): safe, not taken (also not by a
   * name differing only in case or Unicode form: those collide on extraction), and no
   * file/folder clash. Returns its UTF-8 bytes; register() it once the entry is written.
   */
  claim(name: string, directory: boolean): Uint8Array {
    const bytes = encodeEntryName(name);
    const key = foldedName(directory ? name.slice(0, -1) : name);
    const fail = (why: string) => new SavedModelError('INVALID_ARGUMENT', why, { file: name });
    if (this.fileKeys.has(key) || (directory && this.explicitDirKeys.has(key))) {
      throw fail('duplicate zip entry name (names that differ only in case or Unicode form count as duplicates)');
    }
    if (!directory && this.dirKeys.has(key)) throw fail('zip entry name is already a folder of other entries');
    for (const a of ancestors(key)) if (this.fileKeys.has(a)) throw fail(`zip entry would lie inside the file entry ${JSON.stringify(a)}`);
    return bytes;
  }

  register(name: string, directory: boolean): void {
    const key = foldedName(directory ? name.slice(0, -1) : name);
    if (directory) {
      this.explicitDirKeys.add(key);
      this.dirKeys.add(key);
    } else {
      this.fileKeys.add(key);
    }
    for (const a of ancestors(key)) this.dirKeys.add(a);
  }
}
