// Hand-made hostile inputs (generated, never committed): a checkpoint index whose keys share one
// huge prefix (prefix-compression amplification), a saved_model.pbtxt with a huge string.
import { crc32c } from '@savedmodel-js/core';
import { encodeBundleEntry, encodeBundleHeader, encodeFooter, maskCrc } from '@savedmodel-js/core/internal';

function varint(out: number[], v: number): void {
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
}

/** A table block (one restart point) holding `entries`, each stored with the given shared-prefix length. */
function block(entries: { shared: number; suffix: Uint8Array; value: Uint8Array }[]): Uint8Array {
  const head: number[] = [];
  const parts: Uint8Array[] = [];
  let n = 0;
  for (const e of entries) {
    head.length = 0;
    varint(head, e.shared);
    varint(head, e.suffix.length);
    varint(head, e.value.length);
    for (const p of [Uint8Array.from(head), e.suffix, e.value]) { parts.push(p); n += p.length; }
  }
  const out = new Uint8Array(n + 8);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  const v = new DataView(out.buffer);
  v.setUint32(o, 0, true); // restart[0] = 0
  v.setUint32(o + 4, 1, true); // one restart
  return out;
}

/** `contents` followed by its 5-byte trailer (type 0, masked crc32c of contents ‖ type). */
function withTrailer(contents: Uint8Array): Uint8Array {
  const out = new Uint8Array(contents.length + 5);
  out.set(contents);
  out[contents.length] = 0;
  new DataView(out.buffer).setUint32(contents.length + 1, maskCrc(crc32c(out.subarray(0, contents.length + 1))), true);
  return out;
}

function handle(offset: number, size: number): Uint8Array {
  const b: number[] = [];
  varint(b, offset);
  varint(b, size);
  return Uint8Array.from(b);
}

/**
 * A checkpoint index: the bundle header, one key of `keyBytes` bytes, then `followers` keys
 * that repeat it (shared prefix) plus a 4-byte counter. Materializing every key costs
 * ≈ keyBytes × followers bytes; the file is ≈ keyBytes + 8 × followers bytes.
 */
export function amplifiedIndex(keyBytes: number, followers: number): Uint8Array {
  const value = encodeBundleEntry({ dtype: 1, shape: [0], shardId: 0, offset: 0, size: 0, crc32c: 0, slices: [] });
  const header = encodeBundleHeader({ numShards: 1, endianness: 0, version: { producer: 1, minConsumer: 0, badConsumers: [] } });
  const entries = [
    { shared: 0, suffix: new Uint8Array(0), value: header },
    { shared: 0, suffix: new Uint8Array(keyBytes).fill(0x6b), value },
  ];
  for (let i = 0; i < followers; i++) {
    const s = new Uint8Array(4);
    new DataView(s.buffer).setUint32(0, i + 1);
    entries.push({ shared: keyBytes, suffix: s, value });
  }
  const data = withTrailer(block(entries));
  const meta = withTrailer(block([]));
  const index = withTrailer(block([{ shared: 0, suffix: Uint8Array.of(0x6c), value: handle(0, data.length - 5) }]));
  const footer = encodeFooter({ metaindex: { offset: data.length, size: meta.length - 5 }, index: { offset: data.length + meta.length, size: index.length - 5 } });
  const out = new Uint8Array(data.length + meta.length + index.length + footer.length);
  let o = 0;
  for (const p of [data, meta, index, footer]) { out.set(p, o); o += p.length; }
  return out;
}

/** saved_model.pbtxt bytes with one string literal of `n` bytes (a tag). */
export function pbtxtWithHugeString(n: number): Uint8Array {
  const pre = new TextEncoder().encode('saved_model_schema_version: 1\nmeta_graphs {\n  meta_info_def {\n    tags: "');
  const post = new TextEncoder().encode('"\n  }\n}\n');
  const out = new Uint8Array(pre.length + n + post.length);
  out.set(pre);
  out.fill(0x61, pre.length, pre.length + n);
  out.set(post, pre.length + n);
  return out;
}
