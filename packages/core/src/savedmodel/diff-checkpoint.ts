// Checkpoint part of diffSavedModels: keys, dtypes, shapes, values (exact bytes, or within
// a float tolerance), and the `_CHECKPOINTABLE_OBJECT_GRAPH` compared as a structure
// (the same comparison serves the top-level `Const` copy of that graph).
import type { CheckpointEntry, CheckpointReader } from '../checkpoint/index.js';
import { DataType, dtypeElementSize } from '../checkpoint/index.js';
import { isSavedModelError } from '../errors.js';
import { halfToFloat } from '../float16.js';
import { reader } from '../proto/fast-reader.js';
import { tensorflow } from '../proto/index.js';
import {
  ABSENT, PRESENT, bytesEqual, bytesText, Collector, dimsText, float32Text, key, sortedUnion,
} from './diff-render.js';
import { pairTrees, showPath } from './diff-tree.js';

export const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';

export interface CheckpointDiffOptions {
  /** Compare full_name of checkpoint object-graph attributes too (default false). */
  strictNames?: boolean;
  /** Float values (float, double, half, bfloat16, complex parts) may differ by this much (default 0: exact bytes). */
  floatTolerance?: number;
  /** Compare tensor values (default true). */
  checkpointValues?: boolean;
}

type TrackableObject = tensorflow.TrackableObjectGraph.ITrackableObject;

/**
 * Decodes a serialized TrackableObjectGraph; undefined unless it re-encodes to as many bytes
 * (nothing unknown was dropped, so it really is one; newer TF writes fields out of order, so
 * the bytes themselves may differ).
 */
export function decodeTrackableGraph(bytes: Uint8Array): tensorflow.TrackableObjectGraph | undefined {
  try {
    const g = tensorflow.TrackableObjectGraph.decode(reader(bytes));
    if (g.nodes.length === 0) return undefined;
    return tensorflow.TrackableObjectGraph.encode(g).finish().length === bytes.length ? g : undefined;
  } catch {
    return undefined;
  }
}

function describeTrackable(n: TrackableObject | undefined): string {
  if (!n) return ABSENT;
  const attrs = (n.attributes ?? []).map((x) => x.name ?? '');
  return attrs.length > 0 ? `object with ${attrs.join(', ')}` : 'object';
}

/** Children names, attributes (name, checkpoint_key, full_name if strict), slot variables, registered savers. */
export function compareTrackableGraphs(d: Collector, path: string, ga: tensorflow.ITrackableObjectGraph, gb: tensorflow.ITrackableObjectGraph, strictNames: boolean): void {
  const na = ga.nodes ?? [], nb = gb.nodes ?? [];
  const tree = pairTrees(d, path, na, nb, describeTrackable);
  for (const { a, b, path: p } of tree.pairs) {
    const x = na[a]!, y = nb[b]!;
    const np = `${path}.nodes${key(showPath(p))}`;
    const attrsA = new Map((x.attributes ?? []).map((t) => [t.name ?? '', t])), attrsB = new Map((y.attributes ?? []).map((t) => [t.name ?? '', t]));
    for (const name of sortedUnion(attrsA.keys(), attrsB.keys())) {
      const s = attrsA.get(name), t = attrsB.get(name);
      const ap = `${np}.attributes${key(name)}`;
      if (!s || !t) { d.presence(ap, s?.checkpoint_key ?? undefined, t?.checkpoint_key ?? undefined, 'checkpointed attribute'); continue; }
      d.eq(`${ap}.checkpoint_key`, s.checkpoint_key ?? '', t.checkpoint_key ?? '', 'checkpoint key differs');
      if (strictNames) d.eq(`${ap}.full_name`, s.full_name ?? '', t.full_name ?? '', 'full name differs');
    }
    const rs = (v: TrackableObject) => (v.registered_saver ? `${v.registered_saver.name ?? ''}:${v.registered_saver.object_name ?? ''}` : ABSENT);
    d.eq(`${np}.registered_saver`, rs(x), rs(y), 'registered saver differs');
    const hv = (v: TrackableObject) => (v.has_checkpoint_values ? String(Boolean(v.has_checkpoint_values.value)) : ABSENT);
    d.eq(`${np}.has_checkpoint_values`, hv(x), hv(y), 'has_checkpoint_values differs');
  }
}

// ---- values ----


function bf16ToFloat(h: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, h << 16, true);
  return v.getFloat32(0, true);
}

/** Float components of element `i` (1 or 2 numbers), or undefined for non-float dtypes. */
function floatParts(dtype: number, v: DataView, i: number): number[] | undefined {
  switch (dtype) {
    case DataType.DT_FLOAT: return [v.getFloat32(i * 4, true)];
    case DataType.DT_DOUBLE: return [v.getFloat64(i * 8, true)];
    case DataType.DT_HALF: return [halfToFloat(v.getUint16(i * 2, true))];
    case DataType.DT_BFLOAT16: return [bf16ToFloat(v.getUint16(i * 2, true))];
    case DataType.DT_COMPLEX64: return [v.getFloat32(i * 8, true), v.getFloat32(i * 8 + 4, true)];
    case DataType.DT_COMPLEX128: return [v.getFloat64(i * 16, true), v.getFloat64(i * 16 + 8, true)];
    default: return undefined;
  }
}

function numText(x: number, single: boolean): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return single ? float32Text(x) : String(x);
}

function elementText(dtype: number, v: DataView, i: number): string {
  const fp = floatParts(dtype, v, i);
  if (fp) {
    const single = dtype !== DataType.DT_DOUBLE && dtype !== DataType.DT_COMPLEX128;
    return fp.length === 1 ? numText(fp[0]!, single) : `(${numText(fp[0]!, single)}${fp[1]! < 0 ? '' : '+'}${numText(fp[1]!, single)}j)`;
  }
  switch (dtype) {
    case DataType.DT_INT32: case DataType.DT_QINT32: return String(v.getInt32(i * 4, true));
    case DataType.DT_UINT32: return String(v.getUint32(i * 4, true));
    case DataType.DT_INT16: case DataType.DT_QINT16: return String(v.getInt16(i * 2, true));
    case DataType.DT_UINT16: case DataType.DT_QUINT16: return String(v.getUint16(i * 2, true));
    case DataType.DT_INT8: case DataType.DT_QINT8: return String(v.getInt8(i));
    case DataType.DT_UINT8: case DataType.DT_QUINT8: return String(v.getUint8(i));
    case DataType.DT_BOOL: return v.getUint8(i) ? 'true' : 'false';
    case DataType.DT_INT64: return v.getBigInt64(i * 8, true).toString();
    case DataType.DT_UINT64: return v.getBigUint64(i * 8, true).toString();
    default: {
      const size = dtypeElementSize(dtype) ?? 1;
      return bytesText(new Uint8Array(v.buffer, v.byteOffset + i * size, size));
    }
  }
}

function within(x: number, y: number, tol: number): boolean {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (x === y) return true;
  return Math.abs(x - y) <= tol;
}

/** Up to this many elements, a differing tensor is shown whole. */
const SHOW_WHOLE = 8;

function showValues(items: readonly string[], scalar: boolean): string {
  return scalar && items.length === 1 ? items[0]! : `[${items.join(', ')}]`;
}

function compareValues(d: Collector, path: string, ea: CheckpointEntry, eb: CheckpointEntry, ckA: CheckpointReader, ckB: CheckpointReader, tol: number): void {
  const scalar = ea.shape.length === 0;
  if (ea.dtype === DataType.DT_STRING) {
    const sa = ckA.stringBytes(ea), sb = ckB.stringBytes(eb);
    const differ: number[] = [];
    for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
      const x = sa[i], y = sb[i];
      if (!x || !y || !bytesEqual(x, y)) differ.push(i);
    }
    if (differ.length === 0) return;
    const txt = (s: Uint8Array | undefined) => (s ? bytesText(s) : ABSENT);
    if (sa.length <= SHOW_WHOLE) {
      d.add(`${path}.value`, showValues(sa.map(txt), scalar), showValues(sb.map(txt), scalar), 'string values differ');
    } else {
      const i = differ[0]!;
      d.add(`${path}.value[${i}]`, txt(sa[i]), txt(sb[i]), `${differ.length} of ${sa.length} elements differ (first at flat index ${i})`);
    }
    return;
  }
  const ba = ckA.bytes(ea), bb = ckB.bytes(eb);
  if (bytesEqual(ba, bb)) return;
  const size = dtypeElementSize(ea.dtype);
  if (!size || ba.length !== bb.length || ba.length % size !== 0) {
    d.add(`${path}.value`, `${ba.length} bytes`, `${bb.length} bytes`, 'tensor bytes differ');
    return;
  }
  const va = new DataView(ba.buffer, ba.byteOffset, ba.byteLength), vb = new DataView(bb.buffer, bb.byteOffset, bb.byteLength);
  const n = ba.length / size;
  const differ: number[] = [];
  for (let i = 0; i < n; i++) {
    const pa = tol > 0 ? floatParts(ea.dtype, va, i) : undefined;
    if (pa) {
      const pb = floatParts(ea.dtype, vb, i)!;
      if (!pa.every((x, k) => within(x, pb[k]!, tol))) differ.push(i);
    } else if (!bytesEqual(ba.subarray(i * size, (i + 1) * size), bb.subarray(i * size, (i + 1) * size))) {
      differ.push(i);
    }
  }
  if (differ.length === 0) return;
  const how = tol > 0 ? `values differ by more than ${tol}` : 'values differ';
  if (n <= SHOW_WHOLE) {
    const all = (v: DataView) => Array.from({ length: n }, (_, i) => elementText(ea.dtype, v, i));
    d.add(`${path}.value`, showValues(all(va), scalar), showValues(all(vb), scalar), how);
  } else {
    const i = differ[0]!;
    d.add(`${path}.value[${i}]`, elementText(ea.dtype, va, i), elementText(ea.dtype, vb, i), `${how}: ${differ.length} of ${n} elements (first at flat index ${i})`);
  }
}

function unreadable(e: unknown): string {
  return isSavedModelError(e) ? `<unreadable: ${e.code}: ${e.message}>` : `<unreadable: ${(e as Error).message}>`;
}

export function compareCheckpoints(d: Collector, ckA: CheckpointReader | undefined, ckB: CheckpointReader | undefined, options: CheckpointDiffOptions): void {
  if (!ckA || !ckB) {
    if (ckA || ckB) d.add('checkpoint', ckA ? PRESENT : ABSENT, ckB ? PRESENT : ABSENT, `variables/ only in ${ckA ? 'A' : 'B'}`);
    return;
  }
  const ea = new Map(ckA.entries.map((e) => [e.key, e])), eb = new Map(ckB.entries.map((e) => [e.key, e]));
  const summary = (e: CheckpointEntry) => `${e.dtypeName} ${dimsText(e.shape)}`;
  for (const k of sortedUnion(ea.keys(), eb.keys())) {
    const x = ea.get(k), y = eb.get(k);
    const p = `checkpoint${key(k)}`;
    if (!x || !y) { d.presence(p, x && summary(x), y && summary(y), 'checkpoint key'); continue; }
    d.eq(`${p}.dtype`, x.dtypeName, y.dtypeName, 'dtype differs');
    d.eq(`${p}.shape`, dimsText(x.shape), dimsText(y.shape), 'shape differs');
    if (x.dtype !== y.dtype || dimsText(x.shape) !== dimsText(y.shape)) continue;
    if (x.slices.length > 0 || y.slices.length > 0) {
      d.eq(`${p}.slices`, JSON.stringify(x.slices), JSON.stringify(y.slices), 'partitioned-variable slices differ');
      continue;
    }
    if (k === OBJECT_GRAPH_KEY && x.dtype === DataType.DT_STRING) {
      let ga: tensorflow.TrackableObjectGraph | undefined, gb: tensorflow.TrackableObjectGraph | undefined;
      try {
        ga = decodeTrackableGraph(ckA.stringBytes(x)[0] ?? new Uint8Array(0));
        gb = decodeTrackableGraph(ckB.stringBytes(y)[0] ?? new Uint8Array(0));
      } catch {
        // unreadable: compared as values below, which reports it
      }
      if (ga && gb) {
        compareTrackableGraphs(d, 'checkpoint.object_graph', ga, gb, options.strictNames === true);
        continue;
      }
    }
    if (options.checkpointValues === false) continue;
    let errA: string | undefined, errB: string | undefined;
    try { ckA.bytes(x); } catch (e) { errA = unreadable(e); }
    try { ckB.bytes(y); } catch (e) { errB = unreadable(e); }
    if (errA || errB) {
      d.eq(`${p}.value`, errA ?? '<readable>', errB ?? '<readable>', 'tensor could not be read');
      continue;
    }
    compareValues(d, p, x, y, ckA, ckB, options.floatTolerance ?? 0);
  }
}
