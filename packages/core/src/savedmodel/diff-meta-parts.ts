// The meta graph's smaller parts for `diff`: saver_def, collections, signatures (tensor infos,
// input defaults) and asset file defs.
import { tensorflow } from '../proto/index.js';
import type { Ctx } from './diff.js';
import { compareStructured } from './diff-objects.js';
import {
  attrText, boolText, bytesText, Collector, dtypeText, enumText, float32Text, int64, key, listText, PRESENT, shapeText, sortedUnion,
} from './diff-render.js';

export function compareSaverDef({ d, prefix, mgA, mgB }: Ctx): void {
  const sa = mgA.saver_def, sb = mgB.saver_def;
  const p = `${prefix}saver_def`;
  if (!sa || !sb) { d.presence(p, sa ? PRESENT : undefined, sb ? PRESENT : undefined, 'saver_def'); return; }
  d.eq(`${p}.filename_tensor_name`, sa.filename_tensor_name ?? '', sb.filename_tensor_name ?? '', 'filename tensor differs');
  d.eq(`${p}.save_tensor_name`, sa.save_tensor_name ?? '', sb.save_tensor_name ?? '', 'save tensor differs');
  d.eq(`${p}.restore_op_name`, sa.restore_op_name ?? '', sb.restore_op_name ?? '', 'restore op differs');
  d.eq(`${p}.max_to_keep`, String(sa.max_to_keep ?? 0), String(sb.max_to_keep ?? 0), 'max_to_keep differs');
  d.eq(`${p}.sharded`, boolText(sa.sharded), boolText(sb.sharded), 'sharded differs');
  d.eq(`${p}.keep_checkpoint_every_n_hours`, float32Text(sa.keep_checkpoint_every_n_hours ?? 0), float32Text(sb.keep_checkpoint_every_n_hours ?? 0), 'keep_checkpoint_every_n_hours differs');
  const ver = tensorflow.SaverDef.CheckpointFormatVersion as unknown as Record<number, string>;
  d.eq(`${p}.version`, enumText(ver, sa.version), enumText(ver, sb.version), 'checkpoint format version differs');
}

function collectionKind(c: tensorflow.ICollectionDef): string {
  if (c.node_list) return 'node_list';
  if (c.bytes_list) return 'bytes_list';
  if (c.int64_list) return 'int64_list';
  if (c.float_list) return 'float_list';
  if (c.any_list) return 'any_list';
  return '<empty>';
}

function collectionValues(c: tensorflow.ICollectionDef): string[] {
  if (c.node_list) return [...(c.node_list.value ?? [])];
  if (c.bytes_list) return (c.bytes_list.value ?? []).map((x) => bytesText(x));
  if (c.int64_list) return (c.int64_list.value ?? []).map(int64);
  if (c.float_list) return (c.float_list.value ?? []).map(float32Text);
  if (c.any_list) return (c.any_list.value ?? []).map((x) => `${x.type_url ?? ''} ${bytesText(x.value)}`);
  return [];
}

export function compareCollections({ d, prefix, mgA, mgB }: Ctx): void {
  const ca = mgA.collection_def ?? {}, cb = mgB.collection_def ?? {};
  for (const k of sortedUnion(Object.keys(ca), Object.keys(cb))) {
    const x = ca[k], y = cb[k];
    const p = `${prefix}collection_def${key(k)}`;
    if (!x || !y) { d.presence(p, x && collectionKind(x), y && collectionKind(y), 'collection'); continue; }
    const kx = collectionKind(x), ky = collectionKind(y);
    if (kx !== ky) { d.add(`${p}.kind`, kx, ky, 'collection kind differs'); continue; }
    d.eqList(`${p}.${kx}.value`, collectionValues(x), collectionValues(y), 'collection values differ');
  }
}

function tensorInfoEncoding(t: tensorflow.ITensorInfo): string {
  if (t.coo_sparse) return 'coo_sparse';
  if (t.composite_tensor) return 'composite_tensor';
  if (t.name !== null && t.name !== undefined) return 'name';
  return '<unset>';
}

function tensorInfoText(t: tensorflow.ITensorInfo): string {
  let where: string;
  if (t.coo_sparse) where = `coo_sparse(${t.coo_sparse.values_tensor_name ?? ''}, ${t.coo_sparse.indices_tensor_name ?? ''}, ${t.coo_sparse.dense_shape_tensor_name ?? ''})`;
  else if (t.composite_tensor) where = `composite_tensor(${(t.composite_tensor.components ?? []).map((c) => c.name ?? '').join(', ')})`;
  else where = t.name ?? '';
  return `${where} ${dtypeText(t.dtype)} ${shapeText(t.tensor_shape)}`;
}

function compareTensorInfo(d: Collector, p: string, ta: tensorflow.ITensorInfo, tb: tensorflow.ITensorInfo): void {
  const ea = tensorInfoEncoding(ta), eb = tensorInfoEncoding(tb);
  if (ea !== eb) d.add(`${p}.encoding`, ea, eb, 'tensor encoding differs');
  else if (ea === 'name') d.eq(`${p}.name`, ta.name ?? '', tb.name ?? '', 'tensor name differs');
  else if (ea === 'coo_sparse') {
    const x = ta.coo_sparse!, y = tb.coo_sparse!;
    d.eq(`${p}.coo_sparse.values_tensor_name`, x.values_tensor_name ?? '', y.values_tensor_name ?? '', 'tensor name differs');
    d.eq(`${p}.coo_sparse.indices_tensor_name`, x.indices_tensor_name ?? '', y.indices_tensor_name ?? '', 'tensor name differs');
    d.eq(`${p}.coo_sparse.dense_shape_tensor_name`, x.dense_shape_tensor_name ?? '', y.dense_shape_tensor_name ?? '', 'tensor name differs');
  } else if (ea === 'composite_tensor') {
    const x = ta.composite_tensor!, y = tb.composite_tensor!;
    compareStructured(d, `${p}.composite_tensor.type_spec`, { type_spec_value: x.type_spec ?? {} }, { type_spec_value: y.type_spec ?? {} });
    const ca = x.components ?? [], cb = y.components ?? [];
    if (ca.length !== cb.length) d.add(`${p}.composite_tensor.components`, listText(ca.map(tensorInfoText)), listText(cb.map(tensorInfoText)), 'components differ');
    else ca.forEach((c, i) => compareTensorInfo(d, `${p}.composite_tensor.components[${i}]`, c, cb[i]!));
  }
  d.eq(`${p}.dtype`, dtypeText(ta.dtype), dtypeText(tb.dtype), 'dtype differs');
  d.eq(`${p}.tensor_shape`, shapeText(ta.tensor_shape), shapeText(tb.tensor_shape), 'shape differs');
}

export function compareSignatures({ d, prefix, mgA, mgB }: Ctx): void {
  const sa = mgA.signature_def ?? {}, sb = mgB.signature_def ?? {};
  for (const k of sortedUnion(Object.keys(sa), Object.keys(sb))) {
    const x = sa[k], y = sb[k];
    const p = `${prefix}signature_def${key(k)}`;
    if (!x || !y) { d.presence(p, x && PRESENT, y && PRESENT, 'signature'); continue; }
    d.eq(`${p}.method_name`, x.method_name ?? '', y.method_name ?? '', 'method name differs');
    for (const side of ['inputs', 'outputs'] as const) {
      const ma = x[side] ?? {}, mb = y[side] ?? {};
      for (const name of sortedUnion(Object.keys(ma), Object.keys(mb))) {
        const ta = ma[name], tb = mb[name];
        const tp = `${p}.${side}${key(name)}`;
        if (!ta || !tb) d.presence(tp, ta && tensorInfoText(ta), tb && tensorInfoText(tb), side === 'inputs' ? 'signature input' : 'signature output');
        else compareTensorInfo(d, tp, ta, tb);
      }
    }
    const da = x.defaults ?? {}, db = y.defaults ?? {};
    for (const name of sortedUnion(Object.keys(da), Object.keys(db))) {
      const ta = da[name], tb = db[name];
      const tp = `${p}.defaults${key(name)}`;
      if (!ta || !tb) d.presence(tp, ta && attrText({ tensor: ta }), tb && attrText({ tensor: tb }), 'input default');
      else d.eq(tp, attrText({ tensor: ta }), attrText({ tensor: tb }), 'input default differs');
    }
  }
}

export function compareAssetFileDefs({ d, prefix, mgA, mgB }: Ctx): void {
  const la = mgA.asset_file_def ?? [], lb = mgB.asset_file_def ?? [];
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    const x = la[i], y = lb[i];
    const p = `${prefix}asset_file_def[${i}]`;
    if (!x || !y) { d.presence(p, x && (x.filename ?? ''), y && (y.filename ?? ''), 'asset file def'); continue; }
    d.eq(`${p}.filename`, x.filename ?? '', y.filename ?? '', 'asset file name differs');
    if (x.tensor_info || y.tensor_info) compareTensorInfo(d, `${p}.tensor_info`, x.tensor_info ?? {}, y.tensor_info ?? {});
  }
}
