// Debian's python3-h5py as an independent HDF5 reader (CI installs it; tests skip where it is absent).
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';

export const HAS_H5PY = (() => {
  try { return spawnSync(PYTHON, ['-c', 'import h5py'], { stdio: 'ignore' }).status === 0; } catch { return false; }
})();

export interface H5pyNode {
  kind: 'group' | 'dataset';
  attrs: Record<string, { value: unknown; type: string }>;
  dtype?: string;
  shape?: number[];
  sha256?: string;
}

/** Every group and dataset of an HDF5 file as h5py sees it (attribute values and types, dataset dtypes, shapes, byte hashes). */
export function h5pyDump(file: string): Record<string, H5pyNode> {
  const script = fileURLToPath(new URL('./h5py-dump.py', import.meta.url));
  return JSON.parse(execFileSync(PYTHON, [script, file], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, H5pyNode>;
}
