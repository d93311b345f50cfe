// Publishing output: `overwrite: false` is exclusive (two concurrent writers to one new path:
// exactly one succeeds), `overwrite: true` swaps the new directory in, and temporaries left by
// dead writers are removed on the next write to that target (see node-publish.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeSavedModel, tensorflow, type SavedModelError } from '@savedmodel-js/core';
import { removeStaleTemporaries, temporarySibling, releaseTemporary, writeSavedModelDir } from '@savedmodel-js/core/node';

const tmp = mkdtempSync(join(tmpdir(), 'hostile-publish-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const model = (tag: string) => ({ savedModel: tensorflow.SavedModel.create({ saved_model_schema_version: 1, meta_graphs: [{ meta_info_def: { tags: [tag] } }] }) });
const pb = (tag: string) => Buffer.from(encodeSavedModel(model(tag).savedModel));

/** A pid that surely belongs to no process now (a child that has exited). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('overwrite: false is exclusive', () => {
  it('20 trials of two concurrent exports to one new path: exactly one succeeds each time', async () => {
    for (let trial = 0; trial < 20; trial++) {
      const target = join(tmp, `race-${trial}`, 'out');
      const results = await Promise.allSettled([writeSavedModelDir(target, model('a')), writeSavedModelDir(target, model('b'))]);
      const ok = results.map((r) => r.status === 'fulfilled');
      expect(ok.filter(Boolean).length, `trial ${trial}`).toBe(1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((loser.reason as SavedModelError).code).toBe('ALREADY_EXISTS');
      const winner = ok[0] ? 'a' : 'b';
      expect(readFileSync(join(target, 'saved_model.pb')).equals(pb(winner)), `trial ${trial}`).toBe(true);
      expect(readdirSync(join(tmp, `race-${trial}`))).toEqual(['out']);
    }
  });

  it('an existing empty directory is filled; a file at the target is ALREADY_EXISTS', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await writeSavedModelDir(empty, model('x'));
    expect(readdirSync(empty)).toContain('saved_model.pb');
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'keep');
    let err: SavedModelError | undefined;
    try { await writeSavedModelDir(file, model('x')); } catch (e) { err = e as SavedModelError; }
    expect(err?.code).toBe('ALREADY_EXISTS');
    expect(readFileSync(file, 'utf8')).toBe('keep');
  });
});

describe('overwrite: true', () => {
  it('replaces the old directory; readers see the old or the new model (or, briefly, none); nothing left over', async () => {
    const target = join(tmp, 'swap', 'out');
    await writeSavedModelDir(target, model('old'));
    let stop = false, missing = 0, seenOld = 0, seenNew = 0, polls = 0;
    const poller = (async () => {
      while (!stop) {
        polls++;
        try {
          const b = readFileSync(join(target, 'saved_model.pb'));
          if (b.equals(pb('old'))) seenOld++; else if (b.equals(pb('new'))) seenNew++; else throw new Error('a mixed or partial saved_model.pb');
        } catch (e) {
          if ((e as { code?: string }).code === 'ENOENT') missing++; else throw e;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    await writeSavedModelDir(target, model('new'), { overwrite: true });
    await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await poller;
    console.log(`overwrite swap: ${polls} polls, old ${seenOld}, new ${seenNew}, missing ${missing}`);
    expect(readFileSync(join(target, 'saved_model.pb')).equals(pb('new'))).toBe(true);
    expect(readdirSync(join(tmp, 'swap'))).toEqual(['out']);
    expect(seenNew).toBeGreaterThan(0);
  });
});

describe('stale temporaries', () => {
  it('siblings of dead writers older than the write are removed; live, recent and foreign ones stay', async () => {
    const parent = join(tmp, 'stale');
    const target = join(parent, 'out');
    mkdirSync(parent);
    const past = new Date(Date.now() - 3600_000);
    const dead = deadPid();
    const future = new Date(Date.now() + 60_000);
    const make = (name: string, old = true) => {
      const p = join(parent, name);
      mkdirSync(p);
      writeFileSync(join(p, 'junk'), new Uint8Array(1000));
      // "recent" stands for a sibling modified after the write began.
      utimesSync(p, old ? past : future, old ? past : future);
      return name;
    };
    const deadOne = make(`.out.tmp-${dead}-0123456789ab`);
    const deadOld = make(`.out.tmp-${dead}-0123456789ac.old`);
    const live = make(`.out.tmp-${process.ppid}-0123456789ad`); // our parent process is alive
    const recent = make(`.out.tmp-${dead}-0123456789ae`, false);
    const other = make(`.other.tmp-${dead}-0123456789af`);
    const mineActive = temporarySibling(target);
    mkdirSync(mineActive);
    utimesSync(mineActive, past, past);
    await writeSavedModelDir(target, model('x'));
    const left = readdirSync(parent).sort();
    expect(left).not.toContain(deadOne);
    expect(left).not.toContain(deadOld);
    expect(left).toEqual([live, recent, other, mineActive.slice(parent.length + 1), 'out'].sort());
    releaseTemporary(mineActive);
    const removed = await removeStaleTemporaries(target, Date.now() + 120_000);
    expect(removed.map((p) => p.slice(parent.length + 1)).sort()).toEqual([mineActive.slice(parent.length + 1), recent].sort());
    expect(existsSync(join(parent, live))).toBe(true);
  });
});
