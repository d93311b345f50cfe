// A real SavedModel directory through the File System Access API (a FileSystemDirectoryHandle
// from showDirectoryPicker(), or an OPFS folder). Each file is streamed through its writable
// and appears whole when closed; abort() removes every file and folder this sink created.
import { SavedModelError, type FileSink } from '@savedmodel-js/core';
import { checkRelativePath } from '@savedmodel-js/core/internal';
import { normalizeRootFolder } from './zip-sink.js';

export interface DirectoryHandleSinkOptions {
  /** Sub-folder of the handle to write into (created), e.g. 'half_plus_two/1'. */
  rootFolder?: string;
  /** Allow writing into a non-empty folder (files of the same name are replaced). */
  overwrite?: boolean;
  /** Called after each file. */
  onProgress?: (p: { file: string; filesWritten: number; bytesWritten: number }) => void;
}

/** The entries iterator of a directory handle (DOM.AsyncIterable typing is not in the DOM lib we use). */
async function isEmptyDir(dir: FileSystemDirectoryHandle): Promise<boolean> {
  const keys = (dir as unknown as { keys(): AsyncIterableIterator<string> }).keys();
  const first = await keys.next();
  return first.done === true;
}

export async function directoryHandleSink(handle: FileSystemDirectoryHandle, options: DirectoryHandleSinkOptions = {}): Promise<FileSink> {
  const root = normalizeRootFolder(options.rootFolder);
  const created: { parent: FileSystemDirectoryHandle; name: string }[] = [];
  const dirs = new Map<string, FileSystemDirectoryHandle>([['', handle]]);

  async function childDir(parent: FileSystemDirectoryHandle, name: string): Promise<FileSystemDirectoryHandle> {
    try {
      return await parent.getDirectoryHandle(name);
    } catch {
      const d = await parent.getDirectoryHandle(name, { create: true });
      created.push({ parent, name });
      return d;
    }
  }
  async function dirFor(path: string): Promise<FileSystemDirectoryHandle> {
    const known = dirs.get(path);
    if (known) return known;
    const slash = path.lastIndexOf('/');
    const parent = await dirFor(slash < 0 ? '' : path.slice(0, slash));
    const d = await childDir(parent, path.slice(slash + 1));
    dirs.set(path, d);
    return d;
  }

  const base = await dirFor(root);
  if (!options.overwrite && !(await isEmptyDir(base))) {
    throw new SavedModelError('ALREADY_EXISTS', `folder ${handle.name}/${root} is not empty; pass overwrite to write into it`, { file: root || handle.name });
  }
  let state: 'open' | 'committed' | 'aborted' = 'open';
  let filesWritten = 0, bytesWritten = 0;
  const location = `${handle.name}${root ? `/${root}` : ''}`;

  return {
    location,
    async write(path, data) {
      if (state !== 'open') throw new SavedModelError('INVALID_ARGUMENT', `directory sink already ${state}`, { file: path });
      checkRelativePath(path);
      const full = root ? `${root}/${path}` : path;
      const slash = full.lastIndexOf('/');
      const dir = await dirFor(slash < 0 ? '' : full.slice(0, slash));
      const name = full.slice(slash + 1);
      let existed = true;
      try { await dir.getFileHandle(name); } catch { existed = false; }
      const fh = await dir.getFileHandle(name, { create: true });
      if (!existed) created.push({ parent: dir, name });
      const w = await fh.createWritable({ keepExistingData: false });
      try {
        for await (const chunk of data instanceof Uint8Array ? [data] : data) {
          await w.write(chunk as Uint8Array<ArrayBuffer>);
          bytesWritten += chunk.length;
        }
        await w.close();
      } catch (e) {
        await w.abort().catch(() => undefined);
        throw new SavedModelError('INVALID_ARGUMENT', `cannot write ${full} in ${handle.name}: ${(e as Error)?.message ?? String(e)}`, { file: path, cause: e });
      }
      filesWritten++;
      options.onProgress?.({ file: path, filesWritten, bytesWritten });
    },
    async commit() {
      if (state === 'aborted') throw new SavedModelError('INVALID_ARGUMENT', 'directory sink was aborted', { file: location });
      state = 'committed';
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      for (const { parent, name } of created.reverse()) {
        await parent.removeEntry(name, { recursive: true }).catch(() => undefined);
      }
    },
  };
}
