// Attack harness: runs one generated case in a child Node process with a heap cap
// (--max-old-space-size), an RSS watchdog and a timeout, and reports what happened
// (exit code, the SavedModelError code the child printed, peak RSS, elapsed time).
//
// The child runs TypeScript through tsx with hostile-tsconfig.json, whose `paths` resolve
// @savedmodel-js/* to the package sources (as vite.config.ts's aliases do for vitest), so no
// build is needed and the child runs the same code the tests do.
//
// A case is an exported function of a case module (an absolute path): `(args) => unknown`.
// It throws to report an error; what it returns must be JSON-serializable.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = join(here, 'hostile-child.ts');
const TSCONFIG = join(here, 'hostile-tsconfig.json');
const RESULT_TAG = 'HOSTILE_RESULT ';
// tsx's ESM loader, resolved from the repo root (a root devDependency).
const TSX_LOADER = createRequire(resolve(here, '../../../package.json')).resolve('tsx');

export interface HostileCase {
  /** Name for the summary table. */
  name: string;
  /** Absolute path of the module exporting the case function. */
  module: string;
  /** Name of the exported function. */
  fn: string;
  /** JSON-serializable argument passed to the function. */
  args?: unknown;
  /** V8 heap cap of the child (MiB, default 512). */
  heapMb?: number;
  /** RSS above which the watchdog kills the child (MiB, default 1536). */
  rssLimitMb?: number;
  /** Wall-clock limit (ms, default 120 000 — the machine may be loaded). */
  timeoutMs?: number;
  /** Extra environment for the child. */
  env?: Record<string, string>;
}

export interface HostileResult {
  name: string;
  /** 'ok' (returned), 'error' (SavedModelError), 'raw-error' (anything else thrown), 'crash' (no result line). */
  outcome: 'ok' | 'error' | 'raw-error' | 'crash';
  /** SavedModelError code when outcome is 'error'. */
  code: string | undefined;
  /** SavedModelError errno (IO_ERROR), if any. */
  errno: string | undefined;
  /** Constructor name of what was thrown. */
  errorName: string | undefined;
  message: string | undefined;
  /** Full length of the error message (messages must stay short). */
  messageLength: number | undefined;
  /** What the case function returned (outcome 'ok'). */
  value: unknown;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the watchdog killed the child. */
  killedFor: 'rss' | 'timeout' | undefined;
  /** Peak resident set size of the child, MiB (VmHWM from /proc, or the child's own maxRSS). */
  peakRssMb: number;
  elapsedMs: number;
  /** Last 2,000 characters of stderr (for diagnosing crashes). */
  stderrTail: string;
}

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/** Run one case in a child process; never throws for what the child does. */
export function runHostile(c: HostileCase): Promise<HostileResult> {
  const heapMb = c.heapMb ?? 512;
  const rssLimitKb = (c.rssLimitMb ?? 1536) * 1024;
  const timeoutMs = c.timeoutMs ?? 120_000;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, '--import', TSX_LOADER, CHILD, c.module, c.fn, JSON.stringify(c.args ?? null)],
    { env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout = (stdout + d).slice(-1_000_000); });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-20_000); });
  let peakKb = 0;
  let killedFor: HostileResult['killedFor'];
  const kill = (why: 'rss' | 'timeout') => {
    if (killedFor === undefined) killedFor = why;
    child.kill('SIGKILL');
  };
  const poll = () => {
    if (child.pid === undefined) return;
    const hwm = procStatusKb(child.pid, 'VmHWM');
    const rss = procStatusKb(child.pid, 'VmRSS');
    if (hwm !== undefined) peakKb = Math.max(peakKb, hwm);
    if (rss !== undefined && rss > rssLimitKb) kill('rss');
  };
  const watchdog = setInterval(poll, 20);
  const timer = setTimeout(() => kill('timeout'), timeoutMs);
  return new Promise((resolveResult) => {
    child.on('close', (exitCode, signal) => {
      clearInterval(watchdog);
      clearTimeout(timer);
      const elapsedMs = Math.round(performance.now() - started);
      const line = stdout.split('\n').reverse().find((l) => l.startsWith(RESULT_TAG));
      const r = line ? (JSON.parse(line.slice(RESULT_TAG.length)) as Record<string, unknown>) : undefined;
      if (r && typeof r.maxRssKb === 'number') peakKb = Math.max(peakKb, r.maxRssKb);
      resolveResult({
        name: c.name,
        outcome: (r?.outcome as HostileResult['outcome'] | undefined) ?? 'crash',
        code: r?.code as string | undefined,
        errno: r?.errno as string | undefined,
        errorName: r?.errorName as string | undefined,
        message: r?.message as string | undefined,
        messageLength: r?.messageLength as number | undefined,
        value: r?.value,
        exitCode,
        signal,
        killedFor,
        peakRssMb: Math.round(peakKb / 1024),
        elapsedMs,
        stderrTail: stderr.slice(-2000),
      });
    });
    child.on('error', (e) => {
      stderr += `\nspawn failed: ${e.message}`;
    });
  });
}

/** One-line description of a result, for assertion messages. */
export function describeResult(r: HostileResult): string {
  const what = r.outcome === 'error' ? r.code : r.outcome === 'crash' ? `crash (exit ${r.exitCode}, signal ${r.signal}${r.killedFor ? `, killed for ${r.killedFor}` : ''})` : r.outcome;
  const msg = r.message ? `: ${r.message.slice(0, 300)}` : '';
  const err = r.outcome === 'crash' ? `\n${r.stderrTail}` : '';
  return `${r.name}: ${what}${msg} [${r.peakRssMb} MiB, ${r.elapsedMs} ms]${err}`;
}

/** Collects results of a suite and prints one table at its end (call `print` in afterAll). */
export class HostileSummary {
  readonly results: HostileResult[] = [];
  constructor(readonly title: string) {}

  add(r: HostileResult): HostileResult {
    this.results.push(r);
    return r;
  }

  /** Record a case run in-process (no child), e.g. a batch of random mutations. */
  addInline(name: string, code: string, elapsedMs: number, peakRssMb = Math.round(process.memoryUsage().rss / 2 ** 20)): void {
    this.results.push({
      name, outcome: code === 'OK' ? 'ok' : 'error', code, errno: undefined, errorName: undefined, message: undefined,
      messageLength: undefined, value: undefined, exitCode: null, signal: null, killedFor: undefined, peakRssMb, elapsedMs, stderrTail: '',
    });
  }

  table(): string {
    const rows = this.results.map((r) => [
      r.name,
      r.outcome === 'error' ? `${r.code}${r.errno ? ` ${r.errno}` : ''}` : r.outcome === 'ok' ? (r.code ?? 'OK') : r.outcome === 'crash' ? `CRASH${r.killedFor ? `(${r.killedFor})` : ''}` : `RAW ${r.errorName}`,
      String(r.peakRssMb),
      String(r.elapsedMs),
    ]);
    const head = ['case', 'code', 'max RSS MiB', 'ms'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    const fmt = (row: string[]) => row.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
    const maxRss = Math.max(0, ...this.results.map((r) => r.peakRssMb));
    return [
      `== ${this.title}: ${this.results.length} cases, max RSS ${maxRss} MiB ==`,
      fmt(head),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...rows.map(fmt),
    ].join('\n');
  }

  print(): void {
    if (this.results.length > 0) console.log(`\n${this.table()}\n`);
  }
}
