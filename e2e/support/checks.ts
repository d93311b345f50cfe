// Independent checks of a downloaded SavedModel zip, run in Node: Info-ZIP's `unzip -t`, Python's
// zipfile.testzip(), and the repo's `savedmodel verify` CLI on the extracted directory.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

function run(cmd: string, args: string[], hint: string): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${cmd} is not installed; the e2e tests need it: ${hint}`);
  }
  if (r.error) throw r.error;
  return r;
}

/** `unzip -t`: Info-ZIP tests every entry's CRC; throws with its output unless it reports no errors. */
export function unzipTest(zipPath: string): string {
  const r = run('unzip', ['-t', zipPath], 'apt-get install -y unzip');
  if (r.status !== 0 || !/No errors detected/.test(r.stdout)) {
    throw new Error(`unzip -t ${zipPath} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** Python's zipfile: opens the archive and testzip() (reads every member, checks CRCs) returns None. */
export function pythonTestzip(zipPath: string): string[] {
  const script = [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'bad = z.testzip()',
    'print("\\n".join(z.namelist()))',
    'sys.exit(0 if bad is None else "first bad member: %s" % bad)',
  ].join('\n');
  const r = run('python3', ['-c', script, zipPath], 'apt-get install -y python3');
  if (r.status !== 0) throw new Error(`python3 zipfile.testzip() failed for ${zipPath} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim().split('\n');
}

/** unzip -q -d DIR. */
export function extract(zipPath: string, dir: string): void {
  const r = run('unzip', ['-q', '-o', zipPath, '-d', dir], 'apt-get install -y unzip');
  if (r.status !== 0) throw new Error(`unzip -d failed (exit ${r.status}): ${r.stderr}`);
}

/** `savedmodel verify DIR` (packages/cli; the built dist/ or, without a build, the sources). */
export function cliVerify(dir: string): { status: number; output: string } {
  const r = run(process.execPath, [`${REPO}packages/cli/bin/savedmodel.cjs`, 'verify', dir], 'node is missing?');
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
