// The model.json of a TensorFlow.js model (tfjs.io's file format), checked against its schema
// before anything else reads it: every field the converter relies on has the expected JSON type,
// so a malformed file gives INVALID_ARGUMENT naming the field, never a TypeError later on.
import { SavedModelError } from '@savedmodel-js/core';
import { checkedElementCount, quoteSnippet } from '@savedmodel-js/core/internal';

export type WeightDtype = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
export type QuantizationDtype = 'uint8' | 'uint16' | 'float16';

export interface QuantizationSpec {
  dtype: QuantizationDtype;
  scale?: number;
  min?: number;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: WeightDtype;
  quantization?: QuantizationSpec;
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** A model.json tensor of the optional `signature` field (a TensorInfo in proto3 JSON). */
export interface SignatureTensorJson {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}

export interface SignatureJson {
  inputs?: Record<string, SignatureTensorJson>;
  outputs?: Record<string, SignatureTensorJson>;
  methodName?: string;
}

export interface ModelJson {
  format: 'graph-model' | 'layers-model';
  generatedBy?: string;
  convertedBy?: string | null;
  modelTopology: Record<string, unknown>;
  weightsManifest: WeightGroup[];
  signature?: SignatureJson;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: Record<string, unknown>;
  initializerSignature?: SignatureJson;
  trainingConfig?: unknown;
}

const WEIGHT_DTYPES = new Set<string>(['float32', 'int32', 'bool', 'string', 'complex64']);
const QUANT_DTYPES = new Set<string>(['uint8', 'uint16', 'float16']);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

class Checker {
  constructor(private readonly file: string) {}

  fail(field: string, what: string): never {
    throw new SavedModelError('INVALID_ARGUMENT', `model.json field ${quoteSnippet(field)} ${what}`, { file: this.file });
  }

  object(x: unknown, field: string): Record<string, unknown> {
    if (!isObject(x)) this.fail(field, 'must be an object');
    return x;
  }

  array(x: unknown, field: string): unknown[] {
    if (!Array.isArray(x)) this.fail(field, 'must be an array');
    return x;
  }

  string(x: unknown, field: string): string {
    if (typeof x !== 'string') this.fail(field, 'must be a string');
    return x;
  }

  number(x: unknown, field: string): number {
    if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(field, 'must be a finite number');
    return x;
  }
}

function checkSignature(c: Checker, x: unknown, field: string): SignatureJson {
  const sig = c.object(x, field);
  for (const side of ['inputs', 'outputs'] as const) {
    if (sig[side] === undefined) continue;
    const m = c.object(sig[side], `${field}.${side}`);
    for (const [k, v] of Object.entries(m)) {
      const t = c.object(v, `${field}.${side}.${k}`);
      c.string(t.name, `${field}.${side}.${k}.name`);
      if (t.dtype !== undefined) c.string(t.dtype, `${field}.${side}.${k}.dtype`);
      if (t.tensorShape !== undefined) {
        const s = c.object(t.tensorShape, `${field}.${side}.${k}.tensorShape`);
        if (s.dim !== undefined) {
          c.array(s.dim, `${field}.${side}.${k}.tensorShape.dim`).forEach((d, i) => {
            const dd = c.object(d, `${field}.${side}.${k}.tensorShape.dim[${i}]`);
            if (dd.size !== undefined && typeof dd.size !== 'string' && typeof dd.size !== 'number') c.fail(`${field}.${side}.${k}.tensorShape.dim[${i}].size`, 'must be a number or a string');
          });
        }
      }
    }
  }
  return sig as SignatureJson;
}

function checkWeight(c: Checker, x: unknown, field: string): WeightSpec {
  const w = c.object(x, field);
  const name = c.string(w.name, `${field}.name`);
  const shape = c.array(w.shape, `${field}.shape`).map((d, i) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) c.fail(`${field}.shape[${i}]`, `must be a non-negative integer (weight ${quoteSnippet(name)})`);
    return d;
  });
  checkedElementCount(shape, { key: name });
  const dtype = c.string(w.dtype, `${field}.dtype`);
  if (!WEIGHT_DTYPES.has(dtype)) c.fail(`${field}.dtype`, `is ${JSON.stringify(quoteSnippet(dtype))}; tfjs weights are ${[...WEIGHT_DTYPES].join(', ')}`);
  const out: WeightSpec = { name, shape, dtype: dtype as WeightDtype };
  if (w.quantization !== undefined) {
    const q = c.object(w.quantization, `${field}.quantization`);
    const qd = c.string(q.dtype, `${field}.quantization.dtype`);
    if (!QUANT_DTYPES.has(qd)) c.fail(`${field}.quantization.dtype`, `is ${JSON.stringify(quoteSnippet(qd))}; tfjs quantizes to uint8, uint16 or float16`);
    const spec: QuantizationSpec = { dtype: qd as QuantizationDtype };
    if (qd === 'float16') {
      if (dtype !== 'float32') c.fail(`${field}.quantization`, `float16 applies to float32 weights only (weight ${quoteSnippet(name)} is ${dtype})`);
    } else {
      if (dtype !== 'float32' && dtype !== 'int32') c.fail(`${field}.quantization`, `${qd} applies to float32 or int32 weights only (weight ${quoteSnippet(name)} is ${dtype})`);
      spec.scale = c.number(q.scale, `${field}.quantization.scale`);
      spec.min = c.number(q.min, `${field}.quantization.min`);
    }
    out.quantization = spec;
  }
  return out;
}

/** Parses and checks model.json text (or an already parsed object). */
export function parseModelJson(text: string | unknown, file = 'model.json'): ModelJson {
  const c = new Checker(file);
  let json: unknown = text;
  if (typeof text === 'string') {
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SavedModelError('INVALID_ARGUMENT', `model.json is not JSON: ${quoteSnippet((e as Error).message)}`, { file, cause: e });
    }
  }
  const m = c.object(json, '(root)');
  const topology = c.object(m.modelTopology, 'modelTopology');
  let format = m.format;
  if (format === undefined) {
    // tfjs infers the format the same way: Keras JSON has class_name, a GraphDef has node.
    format = 'node' in topology || 'library' in topology ? 'graph-model' : 'layers-model';
  }
  if (format !== 'graph-model' && format !== 'layers-model') {
    c.fail('format', `is ${JSON.stringify(quoteSnippet(String(format)))}; expected "graph-model" or "layers-model"`);
  }
  const manifest = c.array(m.weightsManifest ?? [], 'weightsManifest').map((g, i): WeightGroup => {
    const group = c.object(g, `weightsManifest[${i}]`);
    const paths = c.array(group.paths, `weightsManifest[${i}].paths`).map((p, k) => c.string(p, `weightsManifest[${i}].paths[${k}]`));
    const weights = c.array(group.weights, `weightsManifest[${i}].weights`).map((w, k) => checkWeight(c, w, `weightsManifest[${i}].weights[${k}]`));
    return { paths, weights };
  });
  const out: ModelJson = { format: format as ModelJson['format'], modelTopology: topology, weightsManifest: manifest };
  if (m.generatedBy !== undefined) out.generatedBy = c.string(m.generatedBy, 'generatedBy');
  if (m.convertedBy !== undefined && m.convertedBy !== null) out.convertedBy = c.string(m.convertedBy, 'convertedBy');
  if (m.signature !== undefined && m.signature !== null) out.signature = checkSignature(c, m.signature, 'signature');
  if (m.initializerSignature !== undefined && m.initializerSignature !== null) out.initializerSignature = checkSignature(c, m.initializerSignature, 'initializerSignature');
  if (m.userDefinedMetadata !== undefined) out.userDefinedMetadata = c.object(m.userDefinedMetadata, 'userDefinedMetadata');
  if (m.modelInitializer !== undefined && m.modelInitializer !== null) out.modelInitializer = c.object(m.modelInitializer, 'modelInitializer');
  if (m.trainingConfig !== undefined) out.trainingConfig = m.trainingConfig;
  const names = new Set<string>();
  for (const g of manifest) {
    for (const w of g.weights) {
      if (names.has(w.name)) c.fail('weightsManifest', `lists weight ${JSON.stringify(quoteSnippet(w.name))} twice`);
      names.add(w.name);
    }
  }
  return out;
}

/**
 * A weight path from the manifest, checked to stay inside the model's folder: relative, no
 * `..` segment, no drive letter or scheme, no empty segment. Returns it normalized ('./' removed).
 */
export function checkWeightPath(path: string, file = 'model.json'): string {
  const bad = (why: string): never => {
    throw new SavedModelError('INVALID_ARGUMENT', `weight path ${JSON.stringify(quoteSnippet(path))} ${why}: weights must lie in the model's folder`, { file });
  };
  if (path.length === 0) bad('is empty');
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) bad('is absolute');
  if (path.includes('\0')) bad('contains a NUL character');
  const parts = path.split(/[\\/]/).filter((p) => p !== '.');
  if (parts.some((p) => p === '..')) bad('leaves the folder (..)');
  if (parts.some((p) => p === '')) bad('has an empty segment');
  return parts.join('/');
}
