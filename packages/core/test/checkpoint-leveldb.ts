// Runs LevelDB's own table reader (leveldb-check/table-dump.cc, compiled at test time) over
// table files, as an independent check of our table writer. Missing g++ / LevelDB is a failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'leveldb-check', 'table-dump.cc');

export interface LevelDbDump {
  /** One line per entry: "<key hex or -> <value length> <value hex or ->". */
  lines: string[];
  count: number;
}

/** The line table-dump.cc prints for an entry. */
export function dumpLine(key: Uint8Array, value: Uint8Array): string {
  return `${key.length ? hexOf(key) : '-'} ${value.length} ${value.length ? hexOf(value) : '-'}`;
}

export class LevelDbTableDump {
  private readonly dir: string;
  private readonly binary: string;
  private n = 0;

  constructor() {
    const gxx = spawnSync('g++', ['--version'], { encoding: 'utf8' });
    if (gxx.error || gxx.status !== 0) {
      throw new Error(`LevelDB cross-check needs g++ (not found: ${gxx.error?.message ?? gxx.stderr}). Install build-essential.`);
    }
    if (!existsSync('/usr/include/leveldb/table.h')) {
      throw new Error('LevelDB cross-check needs the LevelDB headers: /usr/include/leveldb/table.h is missing (install libleveldb-dev and libsnappy-dev).');
    }
    this.dir = mkdtempSync(join(tmpdir(), 'table-dump-'));
    this.binary = join(this.dir, 'table-dump');
    const r = spawnSync('g++', ['-std=c++17', '-O1', SOURCE, '-o', this.binary, '-lleveldb', '-lsnappy', '-lpthread'], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`compiling ${SOURCE} against LevelDB failed (is libleveldb-dev installed?):\n${r.stderr}`);
    }
  }

  /** Entries LevelDB reads from `table`; throws with LevelDB's message if it rejects the file. */
  dump(table: Uint8Array): LevelDbDump {
    const file = join(this.dir, `t${this.n++}.table`);
    writeFileSync(file, table);
    let out: string;
    try {
      out = execFileSync(this.binary, [file], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: string; status?: number };
      throw new Error(`LevelDB rejected the table (exit ${err.status}): ${err.stderr ?? String(e)}`);
    } finally {
      rmSync(file, { force: true });
    }
    const lines = out.trimEnd().split('\n');
    const last = lines.pop() ?? '';
    const m = /^count (\d+)$/.exec(last);
    if (!m) throw new Error(`unexpected table-dump output tail: ${last}`);
    return { lines, count: Number(m[1]) };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
