// Helpers for the export tests: temporary directories, the checks every written SavedModel must
// pass (verify --strict, every NodeDef against the op registry), directory listings for
// "nothing left behind".
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import {
  fileMapSource, isSavedModelError, tensorflow, validateGraphDef, verifySavedModel, type FileMap, type FileSource, type LoadedSavedModel, type SavedModelErrorCode,
} from '@savedmodel-js/core';
import { dirSource, readSavedModelDir } from '@savedmodel-js/core/node';

const dirs: string[] = [];

/** A fresh empty directory (removed by cleanupTempDirs). */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'smjs-export-'));
  dirs.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Every file and directory under `dir`, relative, sorted. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const e of readdirSync(p)) {
      const full = join(p, e);
      out.push(relative(dir, full));
      if (statSync(full).isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** verify --strict reports nothing, and every NodeDef (top level and in functions) validates strictly. */
export async function expectValid(source: string | FileSource | FileMap): Promise<LoadedSavedModel> {
  const src = typeof source === 'string' ? dirSource(source) : source instanceof Map ? fileMapSource(source) : source;
  const report = await verifySavedModel(src, { strict: true });
  expect(report.findings.map((f) => `${f.severity} ${f.code} ${f.where}: ${f.message}`)).toEqual([]);
  expect(report.errors).toBe(0);
  const loaded = report.loaded!;
  for (const mg of loaded.savedModel.meta_graphs) {
    expect(validateGraphDef(mg.graph_def!, { strict: true })).toEqual([]);
  }
  if (loaded.savedModel.meta_graphs[0]?.object_graph_def) expectLoadable(loaded);
  return loaded;
}

export function readDir(dir: string): Promise<LoadedSavedModel> {
  return readSavedModelDir(dir);
}

/** Awaits `p`, expecting a SavedModelError with `code`; returns it. */
export async function expectError(p: Promise<unknown> | (() => unknown), code: SavedModelErrorCode, message?: RegExp): Promise<Error> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeDefined();
  if (!isSavedModelError(err, code)) throw new Error(`expected SavedModelError ${code}, got ${String(err)}`, { cause: err });
  if (message) expect((err as Error).message).toMatch(message);
  return err as Error;
}

/** Largest |a - b| / max(1, |b|) over two tensors of the same shape. */
export function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!)));
  return m;
}

/** Deterministic inputs. */
export function inputOf(shape: number[], seed: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed * 2654435761 >>> 0 || 1;
  for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; v[i] = s / 4294967296 * 2 - 1; }
  return tf.tensor(v, shape);
}

/** Every output of a loaded signature, keyed by output name (predict returns a bare Tensor for one output). */
export function runAll(model: { outputKeys: string[]; execute(inputs: tf.NamedTensorMap | tf.Tensor | tf.Tensor[], outputs?: string | string[]): tf.Tensor | tf.Tensor[] }, feeds: tf.NamedTensorMap | tf.Tensor | tf.Tensor[]): Record<string, tf.Tensor> {
  const keys = model.outputKeys;
  const r = model.execute(feeds, keys) as tf.Tensor[];
  return Object.fromEntries(keys.map((k, i) => [k, r[i]!]));
}

/**
 * What tf.saved_model.load needs of the object graph (format notes §5.11, checklist §6b), checked
 * structurally: one kind per node, children in range, every function named by the object graph in
 * the library with a `concrete_functions` entry whose name ends in `_<uid>`, bound inputs that are
 * variables, FunctionDef inputs = flattened canonical inputs + bound inputs, outputs = flattened
 * output signature, every `f` attr naming a library function, the signature map reviver version,
 * and every variable reachable in the checkpoint's object graph by the same edge names with its
 * key present and dtype / shape equal.
 */
export function expectLoadable(m: LoadedSavedModel): void {
  const mg = m.savedModel.meta_graphs[0]!;
  const lib = new Map((mg.graph_def?.library?.function ?? []).map((f) => [f.signature!.name!, f]));
  const og = mg.object_graph_def!;
  const nodes = og.nodes ?? [];
  const concrete = og.concrete_functions ?? {};
  const kinds = ['user_object', 'asset', 'function', 'variable', 'bare_concrete_function', 'constant', 'resource', 'captured_tensor'] as const;
  const leaves = (v: tensorflow.IStructuredValue | null | undefined): number => {
    if (!v) return 0;
    if (v.tensor_spec_value) return 1;
    const list = v.list_value?.values ?? v.tuple_value?.values;
    if (list) return list.reduce((n, x) => n + leaves(x), 0);
    if (v.dict_value) return Object.values(v.dict_value.fields ?? {}).reduce((n, x) => n + leaves(x), 0);
    return 0;
  };
  expect(nodes[0]!.user_object?.identifier).toBe('_generic_user_object');
  nodes.forEach((n, i) => {
    expect(kinds.filter((k) => n[k] != null).length, `node ${i} has one kind`).toBe(1);
    for (const c of n.children ?? []) expect(c.node_id!).toBeLessThan(nodes.length);
    if (n.user_object) expect([n.user_object.version?.producer, n.user_object.version?.min_consumer]).toEqual([1, 1]);
    const names = [...(n.function?.concrete_functions ?? []), ...(n.bare_concrete_function ? [n.bare_concrete_function.concrete_function_name!] : [])];
    for (const name of names) {
      expect(lib.has(name), `${name} in the library`).toBe(true);
      expect(concrete[name], `${name} in concrete_functions`).toBeDefined();
    }
    if (n.bare_concrete_function) {
      const b = n.bare_concrete_function;
      const c = concrete[b.concrete_function_name!]!;
      const nUser = lib.get(b.concrete_function_name!)!.signature!.input_arg!.length - (c.bound_inputs?.length ?? 0);
      expect(b.argument_keywords?.length ?? 0).toBe(nUser);
    }
  });
  const sigMap = nodes[nodes[0]!.children!.find((c) => c.local_name === 'signatures')!.node_id!]!;
  expect(sigMap.user_object?.identifier).toBe('signature_map');
  for (const [name, c] of Object.entries(concrete)) {
    expect(name).toMatch(/_\d+$/);
    const fd = lib.get(name);
    expect(fd, `${name} in the library`).toBeDefined();
    for (const b of c.bound_inputs ?? []) expect(nodes[b]?.variable, `bound input ${b} of ${name} is a variable`).toBeDefined();
    const args = fd!.signature!.input_arg ?? [];
    expect(args.length).toBe(leaves(c.canonicalized_input_signature) + (c.bound_inputs?.length ?? 0));
    (c.bound_inputs ?? []).forEach((_, k) => expect(args[args.length - 1 - k]!.type).toBe(tensorflow.DataType.DT_RESOURCE));
    expect(fd!.signature!.output_arg?.length ?? 0).toBe(leaves(c.output_signature));
  }
  const funcRefs = (nodeDefs: tensorflow.INodeDef[] | null | undefined) => {
    for (const nd of nodeDefs ?? []) for (const v of Object.values(nd.attr ?? {})) if (v.func?.name) expect(lib.has(v.func.name), `${v.func.name} in the library`).toBe(true);
  };
  funcRefs(mg.graph_def?.node);
  for (const f of lib.values()) funcRefs(f.node_def);
  // checkpoint object graph: same edges to every variable
  const ck = m.checkpoint!;
  const tog = tensorflow.TrackableObjectGraph.decode(ck.stringBytes('_CHECKPOINTABLE_OBJECT_GRAPH')[0]!);
  const walk = (ogId: number, ckId: number, seen: Set<number>) => {
    if (seen.has(ogId)) return;
    seen.add(ogId);
    const n = nodes[ogId]!;
    const t = tog.nodes[ckId]!;
    if (n.variable) {
      const attr = (t.attributes ?? []).find((a) => a.name === 'VARIABLE_VALUE');
      expect(attr, `variable node ${ogId} has a VARIABLE_VALUE`).toBeDefined();
      const e = ck.entry(attr!.checkpoint_key ?? '');
      expect(e.dtype).toBe(n.variable.dtype);
      expect(e.shape).toEqual((n.variable.shape?.dim ?? []).map((d) => Number(d.size)));
    }
    for (const c of n.children ?? []) {
      const child = nodes[c.node_id!]!;
      if (child.function || child.bare_concrete_function) continue;
      const tc = (t.children ?? []).find((x) => x.local_name === c.local_name);
      expect(tc, `checkpoint edge ${c.local_name}`).toBeDefined();
      walk(c.node_id!, tc!.node_id ?? -1, seen);
    }
  };
  walk(0, 0, new Set());
}
