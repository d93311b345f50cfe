// fingerprint.pb (tensorflow.FingerprintDef, TF >= 2.12), computed as TensorFlow's
// saved_model/fingerprinting.cc and graph/regularization/simple_delete.cc do
// (docs/savedmodel-format.md §3.10, §5.12). Checked against the fingerprint.pb that TF 2.14 wrote
// for shared/fixtures/tf/half_plus_two_tf2: all five hashes reproduce.
import { BundleWriter, type CheckpointTensor } from '../checkpoint/index.js';
import { asBytes } from '../bytes.js';
import { SavedModelError } from '../errors.js';
import { fingerprint64, fingerprintCat64 } from '../hash/farmhash.js';
import { Long, compareUtf8, encodeDeterministic, tensorflow } from '../proto/index.js';
import { decodeSavedModel } from './decode.js';
import { encodeSavedModel } from './encode.js';
import { regularizedGraphBytes } from './graph-hash-bytes.js';
import { isDeferredTensor, type SavedModelContent } from './write.js';

export { fingerprint64, fingerprintCat64 };

/** `version.producer` of the fingerprints TF 2.12+ writes. */
export const FINGERPRINT_PRODUCER = 1;

export interface FingerprintOptions {
  /**
   * `uuid` field: a string is written as given, `true` draws a random v4 UUID. Default: none,
   * as TF 2.14 writes (later TF versions add a random one; it is unrelated to the hashes).
   */
  uuid?: string | boolean;
}

/**
 * The FingerprintDef TensorFlow writes next to a SavedModel: `savedModel` is the message (its
 * checksum is then over encodeSavedModel's bytes, which writeSavedModel writes) or the
 * saved_model.pb bytes themselves (checksum over exactly those bytes: TF hashes its own
 * re-serialization of the file, which is the file whenever its writer was deterministic — TF's
 * always is). `variablesIndex` is the raw `variables/variables.index` file (absent:
 * checkpoint_hash 0, as TF when it cannot read it). Throws INVALID_ARGUMENT when there is no meta
 * graph or a concrete function name does not end in `_<integer>` (TF refuses those too).
 * Sorts map fields of a message in place, as writing does.
 */
export function computeFingerprint(
  savedModel: tensorflow.ISavedModel | Uint8Array,
  variablesIndex?: Uint8Array | null,
  options: FingerprintOptions = {},
): tensorflow.IFingerprintDef {
  let checksum: bigint;
  if (ArrayBuffer.isView(savedModel)) {
    const bytes = asBytes(savedModel, 'saved_model.pb');
    checksum = fingerprint64(bytes);
    savedModel = decodeSavedModel(bytes);
  } else {
    checksum = hashSavedModel(savedModel);
  }
  return fingerprintWithChecksum(savedModel, checksum, variablesIndex, options);
}

/**
 * computeFingerprint of `savedModel` whose deterministic encoding `encoded` is already at hand
 * (writeSavedModel: the bytes it writes), so the message is not encoded a second time.
 */
export function fingerprintOfEncoded(
  savedModel: tensorflow.ISavedModel, encoded: Uint8Array, variablesIndex?: Uint8Array | null, options: FingerprintOptions = {},
): tensorflow.IFingerprintDef {
  return fingerprintWithChecksum(savedModel, fingerprint64(encoded), variablesIndex, options, encoded);
}

function fingerprintWithChecksum(
  savedModel: tensorflow.ISavedModel, checksum: bigint, variablesIndex: Uint8Array | null | undefined, options: FingerprintOptions,
  encoded?: Uint8Array,
): tensorflow.IFingerprintDef {
  const metaGraph = savedModel.meta_graphs?.[0];
  if (!metaGraph) throw new SavedModelError('INVALID_ARGUMENT', 'cannot fingerprint a SavedModel without meta graphs');
  const fp: tensorflow.IFingerprintDef = {
    saved_model_checksum: toLong(checksum),
    graph_def_program_hash: toLong(graphProgramHash(metaGraph.graph_def ?? {}, encoded)),
    signature_def_hash: toLong(hashSignatureDefs(metaGraph.signature_def)),
    saved_object_graph_hash: toLong(hashSavedObjectGraph(metaGraph.object_graph_def ?? {})),
    checkpoint_hash: toLong(variablesIndex ? fingerprint64(asBytes(variablesIndex, 'variables.index')) : 0n),
    version: { producer: FINGERPRINT_PRODUCER },
  };
  if (typeof options.uuid === 'string') fp.uuid = options.uuid;
  else if (options.uuid === true) fp.uuid = randomUuidV4();
  return fp;
}

/**
 * `content` with `fingerprint` set from its SavedModel and the variables.index that
 * writeSavedModel will write for its checkpoint (built here the same way: one BundleWriter over
 * the tensors in order). A one-shot iterable checkpoint is materialized into an array first.
 */
export function withFingerprint(content: SavedModelContent, options: FingerprintOptions = {}): SavedModelContent {
  const checkpoint = content.checkpoint ? [...content.checkpoint] : undefined;
  const index = checkpoint ? checkpointIndexBytes(checkpoint.map((t) => {
    if (isDeferredTensor(t)) throw new SavedModelError('INVALID_ARGUMENT', 'withFingerprint needs the checkpoint data now; for deferred tensors pass WriteOptions.fingerprint to writeSavedModel', { key: t.key });
    return t;
  })) : undefined;
  const out: SavedModelContent = { ...content, fingerprint: computeFingerprint(content.savedModel, index, options) };
  if (checkpoint) out.checkpoint = checkpoint;
  return out;
}

/** The variables.index bytes writeSavedModel writes for these tensors (data is only checksummed). */
export function checkpointIndexBytes(checkpoint: Iterable<CheckpointTensor>): Uint8Array {
  const writer = new BundleWriter();
  for (const t of checkpoint) writer.add(t);
  return writer.finish();
}

/** saved_model_checksum: Fingerprint64 of the deterministic serialization of the SavedModel. */
export function hashSavedModel(savedModel: tensorflow.ISavedModel): bigint {
  return fingerprint64(encodeSavedModel(savedModel));
}

/** graph_def_program_hash: Fingerprint64 of the deterministic serialization of regularizeGraphDef(graph). */
export function hashGraphDefProgram(graph: tensorflow.IGraphDef): bigint {
  return graphProgramHash(graph);
}

/**
 * hashGraphDefProgram; with `savedModelBytes`, the deterministic encoding of the SavedModel whose
 * meta_graphs[0].graph_def is `graph`, the unchanged nodes' bytes are reused from it.
 */
function graphProgramHash(graph: tensorflow.IGraphDef, savedModelBytes?: Uint8Array): bigint {
  const g = regularizeGraphDef(graph);
  if (savedModelBytes) {
    const before = graph.node ?? [];
    const spliced = regularizedGraphBytes(savedModelBytes, g, (g.node ?? []).map((n, i) => n === before[i]));
    if (spliced) return fingerprint64(spliced);
  }
  return fingerprint64(encodeDeterministic('tensorflow.GraphDef', tensorflow.GraphDef, g as tensorflow.GraphDef));
}

/**
 * TF's graph_regularization::SimpleDelete, on a copy (`graph` is not changed; unchanged nodes are
 * shared). For PartitionedCall/StatefulPartitionedCall nodes the `f` function name loses its
 * `_<uid>` digits (the `_` stays) and a `config_proto` attr becomes an empty string (still
 * present); a `Const` whose `dtype` is DT_STRING gets an empty `value` AttrValue (oneof unset,
 * the entry kept); `library` and `versions` become present-but-empty messages.
 */
export function regularizeGraphDef(graph: tensorflow.IGraphDef): tensorflow.IGraphDef {
  const node = (graph.node ?? []).map((n) => {
    const attr = n.attr;
    if (!attr) return n;
    let out: Record<string, tensorflow.IAttrValue> | undefined;
    const set = (key: string, value: tensorflow.IAttrValue) => { (out ??= { ...attr })[key] = value; };
    if (n.op === 'PartitionedCall' || n.op === 'StatefulPartitionedCall') {
      const f = attr.f;
      const name = f?.func?.name ?? '';
      const uid = suffixUid(name);
      if (f && uid !== undefined) set('f', { ...f, func: { ...f.func, name: stripSuffix(name, uid.toString()) } });
      if (attr.config_proto) set('config_proto', { s: new Uint8Array(0) });
    }
    if (n.op === 'Const' && attr.dtype?.type === tensorflow.DataType.DT_STRING && attr.value) set('value', {});
    return out ? { ...n, attr: out } : n;
  });
  return { ...graph, node, library: {}, versions: {} };
}

/** signature_def_hash: over the keys in bytewise order, Cat(FP(key)) then Cat(FP(deterministic SignatureDef)). */
export function hashSignatureDefs(signatureDefs: Record<string, tensorflow.ISignatureDef> | null | undefined): bigint {
  let h = 0n;
  if (!signatureDefs) return h;
  for (const key of Object.keys(signatureDefs).sort(compareUtf8)) {
    const sig = signatureDefs[key]!;
    h = fingerprintCat64(h, fingerprint64(key));
    h = fingerprintCat64(h, fingerprint64(encodeDeterministic('tensorflow.SignatureDef', tensorflow.SignatureDef, sig as tensorflow.SignatureDef)));
  }
  return h;
}

/**
 * saved_object_graph_hash: concrete functions in order of their name's integer suffix (the text
 * after the last `_`); per function Cat(FP(name without the suffix digits)), then
 * Cat(FP(deterministic SavedConcreteFunction)). `nodes` are not hashed (TF's TODO). For two names
 * with the same uid TF keeps whichever its hash map yields first; this keeps the bytewise-first.
 */
export function hashSavedObjectGraph(objectGraph: tensorflow.ISavedObjectGraph): bigint {
  const functions = objectGraph.concrete_functions ?? {};
  const byUid = new Map<bigint, string>();
  for (const name of Object.keys(functions).sort(compareUtf8)) {
    const uid = suffixUid(name);
    if (uid === undefined) {
      throw new SavedModelError('INVALID_ARGUMENT', `cannot fingerprint: function name \`${name}\` does not end in an integer`);
    }
    if (!byUid.has(uid)) byUid.set(uid, name);
  }
  let h = 0n;
  for (const [uid, name] of [...byUid].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    h = fingerprintCat64(h, fingerprint64(stripSuffix(name, uid.toString())));
    const fn = functions[name]!;
    h = fingerprintCat64(h, fingerprint64(encodeDeterministic('tensorflow.SavedConcreteFunction', tensorflow.SavedConcreteFunction, fn as tensorflow.SavedConcreteFunction)));
  }
  return h;
}

/** TF's `Singleprint`: "graph_def_program_hash/signature_def_hash/saved_object_graph_hash/checkpoint_hash". */
export function singleprint(fp: tensorflow.IFingerprintDef): string {
  const s = (v: number | Long | null | undefined) => (v === null || v === undefined ? '0' : Long.fromValue(v).toUnsigned().toString());
  return [fp.graph_def_program_hash, fp.signature_def_hash, fp.saved_object_graph_hash, fp.checkpoint_hash].map(s).join('/');
}

// graph_regularization::GetSuffixUID: the text after the last '_' parsed by safe_strto64
// (surrounding ASCII spaces allowed, optional '-', decimal digits, int64 range).
const INT64_MAX = (1n << 63n) - 1n;
function suffixUid(name: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*(-?[0-9]+)[ \t\n\v\f\r]*$/.exec(name.slice(name.lastIndexOf('_') + 1));
  if (!m) return undefined;
  const v = BigInt(m[1]!);
  return v > INT64_MAX || v < -INT64_MAX - 1n ? undefined : v;
}

function stripSuffix(s: string, suffix: string): string {
  return s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
}

function toLong(v: bigint): Long {
  return Long.fromBits(Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0, true);
}

function randomUuidV4(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
