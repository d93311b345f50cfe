// Process memory of the Chromium this test launched: its processes are found as the new
// descendants of this Node process (playwright spawns Chromium directly), their RSS read with ps.
import { execFileSync } from 'node:child_process';

export interface Proc {
  pid: number;
  ppid: number;
  rssKiB: number;
  type: string;
}

export function processTable(): Proc[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const procs: Proc[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const args = m[4]!;
    const type = /--type=([\w-]+)/.exec(args)?.[1] ?? (/chrom/i.test(args) ? 'browser' : 'other');
    procs.push({ pid: Number(m[1]), ppid: Number(m[2]), rssKiB: Number(m[3]), type });
  }
  return procs;
}

/** Descendants of `root` (not including it). */
export function descendants(procs: Proc[], root: number): Proc[] {
  const kids = new Map<number, Proc[]>();
  for (const p of procs) {
    const list = kids.get(p.ppid) ?? [];
    list.push(p);
    kids.set(p.ppid, list);
  }
  const out: Proc[] = [];
  const stack = [...(kids.get(root) ?? [])];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(kids.get(p.pid) ?? []));
  }
  return out;
}

/** Direct children of this process that are browsers (Chromium main processes). */
export function browserRoots(): Set<number> {
  return new Set(processTable().filter((p) => p.ppid === process.pid && p.type === 'browser').map((p) => p.pid));
}

export interface RssPeaks {
  /** Largest RSS of one renderer process (the page), KiB. */
  rendererKiB: number;
  /** Largest sum over all processes of the browser, KiB. */
  totalKiB: number;
  samples: number;
}

/** Samples the RSS of one browser's processes every `ms` until stop(). */
export function sampleRss(browserPid: number, ms = 200): { stop(): RssPeaks; peaks: RssPeaks } {
  const peaks: RssPeaks = { rendererKiB: 0, totalKiB: 0, samples: 0 };
  const tick = () => {
    try {
      const procs = processTable();
      const mine = [procs.find((p) => p.pid === browserPid), ...descendants(procs, browserPid)].filter((p): p is Proc => !!p);
      let total = 0;
      for (const p of mine) {
        total += p.rssKiB;
        if (p.type === 'renderer' && p.rssKiB > peaks.rendererKiB) peaks.rendererKiB = p.rssKiB;
      }
      if (total > peaks.totalKiB) peaks.totalKiB = total;
      peaks.samples++;
    } catch {
      // ps failed once: keep sampling
    }
  };
  tick();
  const timer = setInterval(tick, ms);
  return { peaks, stop: () => { clearInterval(timer); tick(); return peaks; } };
}
