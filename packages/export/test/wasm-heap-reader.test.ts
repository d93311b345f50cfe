// Weights on tfjs-backend-wasm go to a directory straight from the wasm heap (piece by piece into
// reused buffers, no data() copy); the value is pinned while it is read (an assign or dispose
// meanwhile does not change it), nothing leaks, in-memory sinks that allocate the data file get the
// heap copied straight into it, and other backends or sinks that keep chunks use data() — with the
// same bytes written in every case.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fileMapSink } from '@savedmodel-js/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel } from '../src/index.js';
import { openHeapReader } from '../src/heap-reader.js';

const root = mkdtempSync(join(tmpdir(), 'sm-wasm-heap-'));
const DATA = 'variables/variables.data-00000-of-00001';

beforeAll(async () => {
  await tf.setBackend('wasm');
});
afterAll(async () => {
  await tf.setBackend('cpu');
  rmSync(root, { recursive: true, force: true });
});

/** Counts read()/readSync() calls on the current backend while `body` runs. */
async function countReads(body: () => Promise<unknown>): Promise<number> {
  const backend = tf.backend() as unknown as Record<'read' | 'readSync', (...a: unknown[]) => unknown>;
  let n = 0;
  let depth = 0; // wasm's read() calls readSync(): one read
  const saved = { read: backend.read, readSync: backend.readSync };
  const wrap = (f: (...a: unknown[]) => unknown) => function (this: unknown, ...a: unknown[]) {
    if (depth++ === 0) n++;
    try { return f.apply(this, a); } finally { depth--; }
  };
  backend.read = wrap(saved.read);
  backend.readSync = wrap(saved.readSync);
  try { await body(); } finally {
    delete (backend as Partial<typeof backend>).read;
    delete (backend as Partial<typeof backend>).readSync;
    if (backend.read !== saved.read) Object.assign(backend, saved);
  }
  return n;
}

function model(): tf.LayersModel {
  const x = tf.input({ shape: [300], name: 'x' });
  // 300×1800 float32 = 2.06 MiB: the kernel spans several pieces
  const h = tf.layers.dense({ units: 1800, activation: 'relu', kernelInitializer: 'randomNormal', biasInitializer: 'randomNormal' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: 3 }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y });
}

describe('wasm weights read from the heap', () => {
  it('a directory export reads no weight through data(), leaks no tensor, and writes the bytes data() gives', async () => {
    const m = model();
    const before = tf.memory().numTensors;
    const dir = join(root, 'dir');
    const reads = await countReads(() => exportModel(m, dir));
    expect(reads).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const files = new Map<string, Uint8Array>();
    // a sink that keeps chunks: data() (one read per weight), never the heap pool
    const keeping = { ...fileMapSink(files), allocate: undefined };
    expect(await countReads(() => exportModel(m, keeping))).toBe(m.weights.length);
    for (const f of [DATA, 'variables/variables.index', 'saved_model.pb']) {
      expect(readFileSync(join(dir, f)).equals(Buffer.from(files.get(f)!)), f).toBe(true);
    }
    // a sink that allocates the data file (fileMapSink): the heap straight into its buffer, no data()
    const memory = new Map<string, Uint8Array>();
    expect(await countReads(() => exportModel(m, fileMapSink(memory)))).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    for (const f of [DATA, 'variables/variables.index', 'saved_model.pb']) {
      expect(Buffer.from(memory.get(f)!).equals(Buffer.from(files.get(f)!)), f).toBe(true);
    }
    // and the data file holds the weights themselves, in order
    const expected = Buffer.concat(m.weights.map((w) => Buffer.from((w.read().dataSync() as Float32Array).buffer)));
    expect(readFileSync(join(dir, DATA)).subarray(0, expected.length).equals(expected)).toBe(true);
    m.dispose();
  });

  it('the value read is the one at open: a later assign or dispose neither changes nor frees it', () => {
    const init = tf.tensor1d([1, 2, 3, 4]);
    const v = tf.variable(init, true, 'pinned');
    init.dispose();
    const before = tf.memory().numTensors;
    const reader = openHeapReader(v)!;
    expect(reader).toBeDefined();
    expect(reader.byteLength).toBe(16);
    const next = tf.tensor1d([9, 9, 9, 9]);
    v.assign(next);
    next.dispose();
    tf.tidy(() => tf.add(tf.ones([50_000]), 1).dataSync()); // other heap traffic meanwhile
    const got = new Uint8Array(16);
    reader.read(0, got.subarray(0, 8));
    v.dispose();
    reader.read(8, got.subarray(8));
    expect(Array.from(new Float32Array(got.buffer))).toEqual([1, 2, 3, 4]);
    expect(() => reader.read(12, new Uint8Array(8))).toThrow(/outside/);
    reader.close();
    expect(tf.memory().numTensors).toBe(before - 1); // v and the pinned old value both gone
  });

  it('no reader off the wasm backend or for strings: data() is used', async () => {
    const s = tf.tensor1d(['a']);
    expect(openHeapReader(s)).toBeUndefined();
    s.dispose();
    await tf.setBackend('cpu');
    try {
      const v = tf.variable(tf.ones([2]));
      expect(openHeapReader(v)).toBeUndefined();
      v.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
