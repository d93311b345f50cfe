// Injected file-system faults for tests (tests may run as root, where chmod blocks nothing).
// Use in a test file:
//   vi.mock('node:fs/promises', async (orig) => (await import('../fs-faults.js')).faultyFsPromises(await orig()));
//   import { injectFault, clearFaults } from '../fs-faults.js';
// then `injectFault({ op: 'writeFile', errno: 'ENOSPC' })` makes the next matching call fail.
type FsPromises = typeof import('node:fs/promises');

export interface Fault {
  /** fs/promises function name, or 'handle.write' for FileHandle.write. */
  op: string;
  /** Node error code to fail with. */
  errno: string;
  /** Let this many matching calls succeed first (default 0). */
  skip?: number;
  /** Only calls whose first argument (a path) contains this. */
  pathIncludes?: string;
}

const state: { faults: Fault[]; hits: number } = { faults: [], hits: 0 };

export function injectFault(f: Fault): void {
  state.faults.push({ ...f });
}

export function clearFaults(): void {
  state.faults = [];
  state.hits = 0;
}

/** How many calls failed by injection since the last clearFaults(). */
export function faultHits(): number {
  return state.hits;
}

function take(op: string, path: unknown): Error | undefined {
  const i = state.faults.findIndex((f) => f.op === op && (f.pathIncludes === undefined || String(path).includes(f.pathIncludes)));
  if (i < 0) return undefined;
  const f = state.faults[i]!;
  if ((f.skip ?? 0) > 0) { f.skip!--; return undefined; }
  state.faults.splice(i, 1);
  state.hits++;
  return Object.assign(new Error(`${f.errno}: injected failure, ${op} '${String(path)}'`), { code: f.errno, syscall: op, path: String(path) });
}

const WRAPPED = ['writeFile', 'mkdir', 'rename', 'link', 'unlink', 'readdir', 'rm', 'stat', 'lstat'] as const;

/** fs/promises with every WRAPPED function and open (and its handles' write) failing on demand. */
export function faultyFsPromises(orig: FsPromises): FsPromises {
  const out: Record<string, unknown> = { ...orig };
  for (const name of WRAPPED) {
    const fn = orig[name] as (...a: unknown[]) => Promise<unknown>;
    out[name] = (...args: unknown[]) => {
      const e = take(name, args[0]);
      return e ? Promise.reject(e) : fn(...args);
    };
  }
  out.open = async (...args: Parameters<FsPromises['open']>) => {
    const e = take('open', args[0]);
    if (e) throw e;
    const fh = await orig.open(...args);
    return new Proxy(fh, {
      get(t, k) {
        if (k === 'write') {
          return (...a: unknown[]) => {
            const err = take('handle.write', args[0]);
            return err ? Promise.reject(err) : (t.write as (...x: unknown[]) => Promise<unknown>)(...a);
          };
        }
        const v = Reflect.get(t, k) as unknown;
        return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(t) : v;
      },
    });
  };
  out.default = out;
  return out as unknown as FsPromises;
}
