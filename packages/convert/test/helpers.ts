// Shared test kit for the convert package: Google's loader on a graph model folder, inputs for a
// signature, and closeness checks.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { dirSource } from '@savedmodel-js/core/node';
import { verifySavedModel } from '@savedmodel-js/core';

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * tf.loadGraphModel on a model.json folder, through tfjs' own artifact assembly
 * (getModelArtifactsForJSON reads the manifest and decodes the weights, quantized ones included).
 */
export async function loadTfjsGraphModel(dir: string, jsonName = 'model.json'): Promise<tf.GraphModel> {
  return tf.loadGraphModel(tfjsFilesHandler(dir, jsonName));
}

/** tfjs's own reading of a model.json + shards folder (layers or graph). */
export function tfjsFilesHandler(dir: string, jsonName = 'model.json'): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(dir, jsonName), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const parts: Uint8Array[] = [];
        for (const g of manifest) {
          specs.push(...g.weights);
          for (const p of g.paths) parts.push(new Uint8Array(readFileSync(join(dir, p))));
        }
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) { all.set(p, o); o += p.length; }
        return [specs, all.buffer];
      });
    },
  };
}

/** Deterministic values in [-2, 2) (floats) or small ints, for a shape. */
export function testValues(n: number, dtype: string, seed = 1): number[] {
  const out: number[] = [];
  let s = seed * 2654435761 >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out.push(dtype === 'float32' ? (s / 2 ** 32) * 4 - 2 : (s >>> 24) % 7);
  }
  return out;
}

export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string): void {
  if (got.length !== want.length) throw new Error(`${what}: ${got.length} values, expected ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!(Math.abs(g - w) <= rel * Math.max(1, Math.abs(w)))) throw new Error(`${what}[${i}]: got ${g}, expected ${w} (rel ${rel})`);
  }
}

export async function verifyStrict(dir: string): Promise<string[]> {
  const r = await verifySavedModel(dirSource(dir), { strict: true });
  return r.findings.filter((f) => f.severity === 'error').map((f) => `${f.code} ${f.where}: ${f.message}`);
}

/** A proto3-JSON NodeDef for hand-written graph models. */
export function jnode(name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, op, input, attr };
}

export const jt = {
  type: (t: string) => ({ type: t }),
  shape: (dims: number[]) => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
  ints: (is: number[]) => ({ list: { i: is.map(String) } }),
  strs: (ss: string[]) => ({ list: { s: ss.map((s) => Buffer.from(s).toString('base64')) } }),
  str: (s: string) => ({ s: Buffer.from(s).toString('base64') }),
  f: (f: number) => ({ f }),
  i: (i: number) => ({ i: String(i) }),
  b: (b: boolean) => ({ b }),
};

/** A Const node as tensorflowjs_converter writes it (value: dtype + shape, bytes in the weights). */
export function jconst(name: string, dtype: string, shape: number[]): Record<string, unknown> {
  return jnode(name, 'Const', [], { dtype: jt.type(dtype), value: { tensor: { dtype, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } } });
}

export interface GroupSpec {
  /** Shard files of the group, in order, with their bytes. */
  files: Array<[string, Uint8Array]>;
  weights: Array<Record<string, unknown>>;
}

/** Writes model.json + shards; returns the model.json path. */
export function writeGraphModel(dir: string, nodes: unknown[], groups: GroupSpec[], extra: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  for (const g of groups) for (const [p, b] of g.files) writeFileSync(join(dir, p), b);
  writeFileSync(join(dir, 'model.json'), JSON.stringify({
    format: 'graph-model', generatedBy: '2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { node: nodes, library: {}, versions: { producer: 1645 } },
    weightsManifest: groups.map((g) => ({ paths: g.files.map(([p]) => p), weights: g.weights })),
    ...extra,
  }));
  return join(dir, 'model.json');
}

export function f32(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}
