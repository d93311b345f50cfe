// tf.train.Example protos: what TF Serving's classify/regress APIs and `saved_model_cli run
// --input_examples` feed to signatures whose input is a string tensor of serialized Examples.
import { SavedModelError, tensorflow } from '@savedmodel-js/core';

/** One feature's values: numbers (float_list), bigints or integer numbers with `int64` (int64_list), strings / bytes (bytes_list). */
export type ExampleFeatureValue = number | bigint | string | Uint8Array | Array<number | bigint | string | Uint8Array>;

/** One Example: feature name → value or list of values. */
export type ExampleInput = Record<string, ExampleFeatureValue>;

export interface SerializeExamplesOptions {
  /** Feature names whose numbers are integers (int64_list) rather than floats; bigints are always int64. */
  int64?: string[];
}

function featureOf(name: string, value: ExampleFeatureValue, int64: Set<string>, where: string): tensorflow.IFeature {
  const list = Array.isArray(value) ? value : [value];
  const kinds = new Set(list.map((v) => (typeof v === 'string' || v instanceof Uint8Array ? 'bytes' : typeof v === 'bigint' || int64.has(name) ? 'int64' : typeof v === 'number' ? 'float' : 'bad')));
  if (kinds.has('bad')) throw new SavedModelError('INVALID_ARGUMENT', `${where}: feature '${name}' holds a value that is not a number, bigint, string or bytes`, { key: name });
  if (kinds.size > 1) throw new SavedModelError('INVALID_ARGUMENT', `${where}: feature '${name}' mixes ${[...kinds].join(' and ')} values`, { key: name });
  const kind = kinds.values().next().value ?? 'float';
  if (kind === 'bytes') {
    const enc = new TextEncoder();
    return { bytes_list: { value: list.map((v) => (typeof v === 'string' ? enc.encode(v) : (v as Uint8Array))) } };
  }
  if (kind === 'int64') {
    return {
      int64_list: {
        value: list.map((v) => {
          if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new SavedModelError('INVALID_ARGUMENT', `${where}: feature '${name}' is int64 but holds ${v}`, { key: name });
          const b = BigInt(v as number | bigint);
          if (b < -(1n << 63n) || b >= 1n << 63n) throw new SavedModelError('INVALID_ARGUMENT', `${where}: feature '${name}' value ${b} is outside int64`, { key: name });
          return b.toString() as unknown as number; // protobufjs takes int64 as decimal strings
        }),
      },
    };
  }
  return { float_list: { value: list as number[] } };
}

/**
 * Serialize plain objects as tf.train.Example protos, e.g. `serializeExamples([{ x: [8.0] }, { x: [2.0] }])`
 * — the batch a signature taking serialized Examples (ParseExample) expects as its string input.
 * Numbers become float_list (int64_list for names in `options.int64`, and for bigints), strings
 * and bytes bytes_list; as in saved_model_cli, a scalar is a one-value list.
 */
export function serializeExamples(examples: ExampleInput[], options: SerializeExamplesOptions = {}): Uint8Array[] {
  for (const k of Object.keys(options)) {
    if (k !== 'int64') throw new SavedModelError('INVALID_ARGUMENT', `serializeExamples: unknown option '${k}'`, { key: k });
  }
  if (!Array.isArray(examples)) throw new SavedModelError('INVALID_ARGUMENT', 'serializeExamples takes an array of objects (feature name → values)');
  const int64 = new Set(options.int64 ?? []);
  return examples.map((ex, i) => {
    if (!ex || typeof ex !== 'object' || Array.isArray(ex)) throw new SavedModelError('INVALID_ARGUMENT', `example ${i} is not an object of feature name → values`);
    const feature: Record<string, tensorflow.IFeature> = {};
    for (const name of Object.keys(ex).sort()) feature[name] = featureOf(name, ex[name]!, int64, `example ${i}`);
    return tensorflow.Example.encode({ features: { feature } }).finish();
  });
}

/** The features of one serialized Example (bad bytes → INVALID_ARGUMENT naming the batch index). */
export function decodeExample(bytes: Uint8Array, where: string): Map<string, tensorflow.IFeature> {
  let ex: tensorflow.Example;
  try {
    ex = tensorflow.Example.decode(bytes);
  } catch (e) {
    throw new SavedModelError('INVALID_ARGUMENT', `${where}: cannot decode a tf.train.Example: ${(e as Error).message}`, { cause: e });
  }
  return new Map(Object.entries(ex.features?.feature ?? {}));
}

/** Context features and feature lists of one serialized SequenceExample (bad bytes → INVALID_ARGUMENT). */
export function decodeSequenceExample(bytes: Uint8Array, where: string): { context: Map<string, tensorflow.IFeature>; lists: Map<string, tensorflow.IFeature[]> } {
  let ex: tensorflow.SequenceExample;
  try {
    ex = tensorflow.SequenceExample.decode(bytes);
  } catch (e) {
    throw new SavedModelError('INVALID_ARGUMENT', `${where}: cannot decode a tf.train.SequenceExample: ${(e as Error).message}`, { cause: e });
  }
  return {
    context: new Map(Object.entries(ex.context?.feature ?? {})),
    lists: new Map(Object.entries(ex.feature_lists?.feature_list ?? {}).map(([k, v]) => [k, v.feature ?? []])),
  };
}
