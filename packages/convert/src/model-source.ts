// Where a tfjs model comes from: a model.json path (Node) or URL, a tf.io.IOHandler, or the files
// a user dropped (a Map of paths to bytes, or File objects). Every weight path of the manifest
// is checked to stay in the model's folder before anything is read.
import { SavedModelError, type MemoryBudget } from '@savedmodel-js/core';
import { assertPathSupported, quoteSnippet } from '@savedmodel-js/core/internal';
import { checkWeightPath, parseModelJson, type ModelJson, type WeightGroup } from './model-json.js';

/** Anything with `load()` returning tfjs ModelArtifacts (tf.io.IOHandler). */
export interface ModelLoader {
  load(): Promise<unknown>;
}

/** A dropped or picked file (browser File, or anything with a name and bytes). */
export interface NamedBlob {
  name: string;
  /** Path inside a dropped folder, when the browser gives one. */
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  size: number;
}

/** A tf.GraphModel already in memory (what tfjs-converter keeps of what it loaded). */
export interface InMemoryGraphModel {
  artifacts: Record<string, unknown> | undefined;
  weights: Record<string, Array<{ dtype: string; shape: number[]; dataSync(): unknown; data?(): Promise<unknown> }>>;
}

export type TfjsModelSource = string | URL | ModelLoader | InMemoryGraphModel | Map<string, Uint8Array | NamedBlob> | Iterable<NamedBlob>;

export interface OpenedModel {
  json: ModelJson;
  /** For messages: the model.json path or URL. */
  location: string;
  /** Bytes of one weight file named by the manifest (path already checked). */
  read(path: string, budget: MemoryBudget): Promise<Uint8Array>;
  /** IOHandler sources: all weights already in one buffer, in manifest order. */
  flat?: Uint8Array;
}

function isGraphModel(x: unknown): x is InMemoryGraphModel {
  const g = x as Partial<InMemoryGraphModel> | null;
  return typeof g === 'object' && g !== null && typeof g.artifacts === 'object' && g.artifacts !== null && typeof g.weights === 'object' && typeof (x as { execute?: unknown }).execute === 'function';
}

/**
 * An in-memory tf.GraphModel: its artifacts (the model.json content) with the weight bytes it was
 * loaded from, or — when tfjs streamed them and kept none — its weight tensors as they are in
 * memory (dequantized already).
 */
function graphModelLoader(g: InMemoryGraphModel): ModelLoader {
  const a = g.artifacts!;
  if (a.weightData !== undefined) return { load: async () => a };
  return {
    load: async () => {
      const specs: { name: string; shape: number[]; dtype: string }[] = [];
      const parts: Uint8Array[] = [];
      const tensors = Object.entries(g.weights).filter(([, ts]) => ts[0] !== undefined).map(([name, ts]) => [name, ts[0]!] as const);
      // asynchronous reads, all at once as tfjs's own save does: webgpu's synchronous read of a
      // value on the GPU can answer zeros (headless Chromium) and cache them on the tensor
      const values = await Promise.all(tensors.map(([, t]) => (typeof t.data === 'function' ? t.data() : t.dataSync())));
      for (const [i, [name, t]] of tensors.entries()) {
        specs.push({ name, shape: [...t.shape], dtype: t.dtype });
        const v = values[i];
        if (Array.isArray(v)) {
          for (const b of v as Uint8Array[]) {
            const len = new Uint8Array(4);
            new DataView(len.buffer).setUint32(0, b.length, true);
            parts.push(len, b);
          }
        } else {
          const view = v as ArrayBufferView;
          parts.push(t.dtype === 'bool' ? Uint8Array.from(view as Uint8Array) : new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
        }
      }
      return { ...a, weightSpecs: specs, weightData: parts };
    },
  };
}

function isLoader(x: unknown): x is ModelLoader {
  return typeof x === 'object' && x !== null && typeof (x as ModelLoader).load === 'function';
}

const decoder = new TextDecoder();

function bytesOfView(b: ArrayBuffer | ArrayBufferView): Uint8Array {
  return b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

async function fromLoader(loader: ModelLoader): Promise<OpenedModel> {
  let a: Record<string, unknown>;
  try {
    a = (await loader.load()) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof SavedModelError) throw e;
    throw new SavedModelError('IO_ERROR', `the IOHandler failed to load the model: ${quoteSnippet((e as Error).message ?? String(e))}`, { cause: e });
  }
  if (typeof a !== 'object' || a === null) throw new SavedModelError('INVALID_ARGUMENT', 'the IOHandler returned no model artifacts');
  const wd = a.weightData;
  const parts: Uint8Array[] = wd === undefined ? [] : Array.isArray(wd) ? wd.map((x) => bytesOfView(x as ArrayBuffer)) : [bytesOfView(wd as ArrayBuffer)];
  const flat = parts.length === 1 ? parts[0]! : (() => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  })();
  const json = parseModelJson({
    format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy, modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [], weights: a.weightSpecs ?? [] }], signature: a.signature, userDefinedMetadata: a.userDefinedMetadata,
    modelInitializer: a.modelInitializer, initializerSignature: a.initializerSignature, trainingConfig: a.trainingConfig,
  }, 'IOHandler artifacts');
  return { json, location: 'IOHandler', flat, read: () => Promise.reject(new SavedModelError('INVALID_ARGUMENT', 'IOHandler artifacts have no weight files')) };
}

async function fromUrl(url: URL): Promise<OpenedModel> {
  const get = async (u: URL, what: string): Promise<Uint8Array> => {
    let res: Response;
    try {
      res = await fetch(u);
    } catch (e) {
      throw new SavedModelError('IO_ERROR', `cannot fetch ${what}: ${quoteSnippet((e as Error).message)}`, { file: quoteSnippet(u.href), cause: e });
    }
    if (!res.ok) throw new SavedModelError(res.status === 404 ? 'NOT_FOUND' : 'IO_ERROR', `cannot fetch ${what}: HTTP ${res.status}`, { file: quoteSnippet(u.href) });
    return new Uint8Array(await res.arrayBuffer());
  };
  const json = parseModelJson(decoder.decode(await get(url, 'model.json')), url.href);
  return {
    json, location: url.href,
    read: async (path, budget) => {
      const u = new URL(checkWeightPath(path, url.href), url);
      const b = await get(u, `weight file ${quoteSnippet(path)}`);
      budget.take(b.length, `weight file ${quoteSnippet(path)}`, { file: u.href });
      return b;
    },
  };
}

function basename(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1] ?? p;
}

async function fromFiles(files: Map<string, Uint8Array | NamedBlob>): Promise<OpenedModel> {
  const keys = [...files.keys()];
  const jsonKey = keys.find((k) => basename(k) === 'model.json') ?? (keys.filter((k) => k.endsWith('.json')).length === 1 ? keys.find((k) => k.endsWith('.json')) : undefined);
  if (!jsonKey) throw new SavedModelError('NOT_FOUND', `no model.json among the ${keys.length} files given`);
  const dir = jsonKey.includes('/') ? jsonKey.slice(0, jsonKey.lastIndexOf('/') + 1) : '';
  const bytes = async (v: Uint8Array | NamedBlob, what: string, budget?: MemoryBudget): Promise<Uint8Array> => {
    if (v instanceof Uint8Array) { budget?.take(v.length, what); return v; }
    budget?.take(v.size, what);
    return new Uint8Array(await v.arrayBuffer());
  };
  const json = parseModelJson(decoder.decode(await bytes(files.get(jsonKey)!, 'model.json')), jsonKey);
  return {
    json, location: jsonKey,
    read: async (path, budget) => {
      const rel = checkWeightPath(path, jsonKey);
      // Dropped files lose their folders: the path beside model.json, else the same base name.
      const v = files.get(dir + rel) ?? files.get(rel) ?? (() => {
        const hits = keys.filter((k) => basename(k) === basename(rel));
        return hits.length === 1 ? files.get(hits[0]!) : undefined;
      })();
      if (!v) throw new SavedModelError('NOT_FOUND', `weight file ${JSON.stringify(quoteSnippet(path))} listed in model.json was not given`, { file: jsonKey });
      return bytes(v, `weight file ${quoteSnippet(path)}`, budget);
    },
  };
}

interface NodeReader {
  openModelJsonFile(path: string, budget: MemoryBudget): Promise<OpenedModel>;
}

const NODE_READER = '@savedmodel-js/convert/node';

export async function openModel(source: TfjsModelSource, budget: MemoryBudget): Promise<OpenedModel> {
  if (typeof source === 'string' && /^https?:\/\//i.test(source)) return fromUrl(new URL(source));
  if (source instanceof URL) return source.protocol === 'file:' ? openModel(decodeURIComponent(source.pathname), budget) : fromUrl(source);
  if (typeof source === 'string') {
    // Node only: imported lazily so browser bundles never reach node:fs.
    assertPathSupported(source, 'convertTfjsModel');
    const mod = (await import(/* @vite-ignore */ NODE_READER)) as NodeReader;
    return mod.openModelJsonFile(source, budget);
  }
  if (isGraphModel(source)) return fromLoader(graphModelLoader(source));
  if (isLoader(source)) return fromLoader(source);
  if (source instanceof Map) return fromFiles(source);
  if (typeof (source as Iterable<NamedBlob>)[Symbol.iterator] === 'function') {
    const m = new Map<string, NamedBlob>();
    for (const f of source as Iterable<NamedBlob>) m.set(f.webkitRelativePath || f.name, f);
    return fromFiles(m);
  }
  throw new SavedModelError('INVALID_ARGUMENT', 'a tfjs model source is a model.json path or URL, a tf.io.IOHandler, a tf.GraphModel, a Map of file names to bytes, or File objects');
}

/** The concatenated bytes of one manifest group's files, in their listed order. */
export async function readGroupBytes(model: OpenedModel, group: WeightGroup, budget: MemoryBudget, onBytes: (n: number) => void): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const p of group.paths) {
    const b = await model.read(p, budget);
    parts.push(b);
    onBytes(b.length);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of parts) { out.set(b, o); o += b.length; }
  return out;
}
