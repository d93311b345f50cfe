// The OPFS sink's stream target keeps a few writes queued on the WritableStream (the zip writer
// goes on checksumming while the stream writes): chunks arrive in order, no more than `depth`
// are outstanding, and a failed write is reported at a later write or at close(). Small chunks
// are copied into blocks (fewer, larger writes); large ones go through as they are.
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
    const target = queuedStreamTarget(s.stream, 'test', 3, 1);
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
    const target = queuedStreamTarget(s.stream, 'test', 4, 1);
    const run = async () => {
      for (let i = 0; i < 10; i++) await target.write(new Uint8Array([i]));
      await target.close!();
    };
    await expect(run()).rejects.toThrow(/quota exceeded/);
    await target.abort!(new Error('stop'));
    expect(s.got).toEqual([0, 1]);
  });

  it('coalesces small chunks into blocks of `block` bytes, passes large ones through, and loses no byte', async () => {
    const writes: Uint8Array[] = [];
    const stream = new WritableStream<Uint8Array>({ async write(c) { await tick(); writes.push(c); } });
    const target = queuedStreamTarget(stream, 'test', 2, 1000);
    const sent: Uint8Array[] = [];
    const big = new Uint8Array(2500).map((_, i) => i % 251);
    for (let i = 0; i < 30; i++) {
      const c = i === 17 ? big : new Uint8Array(70 + (i % 5) * 37).map((_, j) => (i * 31 + j) & 255);
      sent.push(c);
      await target.write(c);
      if (i !== 17) c.fill(0); // a small chunk was copied: changing it afterwards changes nothing
    }
    await target.close!();
    const want = Buffer.concat(sent.map((c, i) => (i === 17 ? c : Buffer.from(new Uint8Array(70 + (i % 5) * 37).map((_, j) => (i * 31 + j) & 255)))));
    expect(Buffer.concat(writes).equals(want)).toBe(true);
    expect(writes.includes(big)).toBe(true); // the large chunk itself, not a copy
    for (const w of writes) expect(w.length <= 1000 || w === big).toBe(true);
    expect(writes.length).toBeLessThan(12); // 30 chunks, ~4,200 small bytes: a handful of blocks
  });
});
