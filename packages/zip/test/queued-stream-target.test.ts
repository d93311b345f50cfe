// The OPFS sink's stream target keeps a few writes queued on the WritableStream (the zip writer
// goes on checksumming while the stream writes): chunks arrive in order, no more than `depth`
// are outstanding, and a failed write is reported at a later write or at close().
import { describe, expect, it } from 'vitest';
import { queuedStreamTarget } from '../src/byte-sink.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

function slowStream(failAt = -1) {
  const got: number[] = [];
  let completed = 0;
  const stream = new WritableStream<Uint8Array>({
    async write(c) {
      await tick();
      if (got.length === failAt) throw new Error('quota exceeded');
      got.push(c[0]!);
      completed++;
    },
  });
  return { stream, got, completed: () => completed };
}

describe('queuedStreamTarget', () => {
  it('writes every chunk in order with at most `depth` outstanding', async () => {
    const s = slowStream();
    const target = queuedStreamTarget(s.stream, 'test', 3);
    let maxOutstanding = 0;
    for (let i = 0; i < 20; i++) {
      await target.write(new Uint8Array([i]));
      maxOutstanding = Math.max(maxOutstanding, i + 1 - s.completed());
    }
    await target.close!();
    expect(s.got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxOutstanding).toBeGreaterThan(1); // writes really were queued
    expect(maxOutstanding).toBeLessThanOrEqual(3);
  });

  it('a failing write rejects a later write or close', async () => {
    const s = slowStream(2);
    const target = queuedStreamTarget(s.stream, 'test', 4);
    const run = async () => {
      for (let i = 0; i < 10; i++) await target.write(new Uint8Array([i]));
      await target.close!();
    };
    await expect(run()).rejects.toThrow(/quota exceeded/);
    await target.abort!(new Error('stop'));
    expect(s.got).toEqual([0, 1]);
  });
});
