// Our own strict walk over an archive's structure, made before any parser's view of it is
// trusted: end records, central directory, every local header and data range. Everything an
// attacker controls is checked against the file and against everything else:
//   - end record found exactly at the end (its comment reaching the last byte); ZIP64 records
//     where the locator says; the central directory lying inside the file and ending exactly
//     where the end records begin;
//   - names: UTF-8/CP437 decoded, no absolute paths, "..", backslashes, drive letters, control
//     characters; no duplicates (also by case / Unicode form); no file that is also a folder;
//   - entries: not encrypted, STORE or DEFLATE only, not symbolic links, single disk;
//   - sizes: local header agrees with the central directory (names, method, sizes, CRC);
//     data inside the file and before the central directory; entries never overlap (the
//     overlapping-entry zip bomb); STORE sizes equal; DEFLATE sizes within DEFLATE's maximum
//     ratio (1032:1); data descriptors, when present, agree;
//   - limits: entry count and total declared uncompressed size against the caller's limits.
// Failures are SavedModelErrors: CORRUPT (structure or sizes lie), INVALID_ARGUMENT (unsafe or
// ambiguous names), UNSUPPORTED (encryption, other methods, multi-disk, links),
// LIMIT_EXCEEDED (caller limits) — naming the entry.
import { crc32, SavedModelError } from '@savedmodel-js/core';
import { asBytes } from '@savedmodel-js/core/internal';
import { decodeEntryName, foldedName, unsafeNameReason } from './entry-name.js';
import {
  CENTRAL_HEADER_SIZE, EOCD_SIZE, EXTRA_UNICODE_PATH, EXTRA_ZIP64, FLAG_DESCRIPTOR, FLAG_ENCRYPTED,
  FLAG_MASKED_HEADERS, FLAG_STRONG_ENCRYPTION, FLAG_UTF8, getU64, LOCAL_HEADER_SIZE, MAX16, MAX32, METHOD_DEFLATE,
  METHOD_STORE, S_IFLNK, S_IFMT, SIG_CENTRAL, SIG_DESCRIPTOR, SIG_EOCD, SIG_LOCAL, SIG_ZIP64_EOCD, SIG_ZIP64_LOCATOR,
  ZIP64_EOCD_SIZE, ZIP64_LOCATOR_SIZE,
} from './zip-format.js';

/** DEFLATE cannot expand data more than ~1032:1 (258-byte matches at ~2 bits each). */
export const MAX_DEFLATE_RATIO = 1032;

export interface ZipLimits {
  /** Most entries accepted (default 1,000,000). */
  maxEntries?: number;
  /** Most uncompressed bytes, all entries together (default 8 GiB). Zip bombs stop here. */
  maxUncompressedBytes?: number;
  /**
   * Largest entry `read()` materializes in memory (default DEFAULT_LIMITS.maxTensorBytes, 1 GiB);
   * larger entries are LIMIT_EXCEEDED before anything is inflated (stream them with `chunks()`).
   */
  maxEntryBytes?: number;
}

export const DEFAULT_MAX_ENTRIES = 1_000_000;
export const DEFAULT_MAX_UNCOMPRESSED_BYTES = 8 * 1024 ** 3;

export interface ScannedEntry {
  /** Full archive name (folders end with '/'). */
  name: string;
  directory: boolean;
  method: 'store' | 'deflate';
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Offset of the entry's (compressed) data. */
  dataOffset: number;
}

export interface ScannedZip {
  entries: ScannedEntry[];
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  zip64: boolean;
}

function corrupt(msg: string, file?: string, offset?: number): SavedModelError {
  const d: { file?: string; offset?: number } = {};
  if (file !== undefined) d.file = file;
  if (offset !== undefined) d.offset = offset;
  return new SavedModelError('CORRUPT', msg, d);
}

interface Extra { id: number; start: number; length: number }

/** Splits an extra-field area; every field must fit exactly. */
function parseExtras(view: DataView, start: number, length: number, name: string): Extra[] {
  const out: Extra[] = [];
  let p = start;
  const end = start + length;
  while (p < end) {
    if (p + 4 > end) throw corrupt('truncated extra field', name, p);
    const id = view.getUint16(p, true);
    const len = view.getUint16(p + 2, true);
    if (p + 4 + len > end) throw corrupt(`extra field 0x${id.toString(16).padStart(4, '0')} runs past its area`, name, p);
    out.push({ id, start: p + 4, length: len });
    p += 4 + len;
  }
  return out;
}

/**
 * Scans `bytes` (a whole archive). `location` names the archive in messages.
 * Entries come back in central-directory order.
 */
export function scanZip(input: Uint8Array, limits: ZipLimits = {}, location = 'zip archive'): ScannedZip {
  const bytes = asBytes(input, location);
  const maxEntries = limits.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxTotal = limits.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED_BYTES;
  const len = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);

  if (len < EOCD_SIZE) throw corrupt(`not a zip archive: ${len} bytes is shorter than an end-of-central-directory record`, location);

  // End of central directory: the last record whose comment ends exactly at the end of the file.
  let eocd = -1;
  for (let p = len - EOCD_SIZE; p >= Math.max(0, len - EOCD_SIZE - 0xffff); p--) {
    if (bytes[p] === 0x50 && u32(p) === SIG_EOCD && p + EOCD_SIZE + u16(p + 20) === len) { eocd = p; break; }
  }
  if (eocd < 0) throw corrupt('not a zip archive (or truncated): no end-of-central-directory record at its end', location);
  const disk = u16(eocd + 4), cdDisk = u16(eocd + 6);
  let entriesOnDisk = u16(eocd + 8), totalEntries = u16(eocd + 10);
  let cdSize = u32(eocd + 12), cdOffset = u32(eocd + 16);
  let cdEnd = eocd;
  let zip64 = false;

  const locator = eocd - ZIP64_LOCATOR_SIZE;
  if (locator >= 0 && u32(locator) === SIG_ZIP64_LOCATOR) {
    zip64 = true;
    if (u32(locator + 4) !== 0 || u32(locator + 16) > 1) throw new SavedModelError('UNSUPPORTED', 'multi-disk (split) zip archives are not supported', { file: location });
    const rec = getU64(view, locator + 8);
    if (rec + ZIP64_EOCD_SIZE > locator || u32(rec) !== SIG_ZIP64_EOCD) {
      throw corrupt(`ZIP64 end-of-central-directory locator points to offset ${rec}, where there is no ZIP64 end record`, location, locator);
    }
    const recSize = getU64(view, rec + 4);
    if (recSize < ZIP64_EOCD_SIZE - 12 || rec + 12 + recSize !== locator) {
      throw corrupt('ZIP64 end-of-central-directory record size does not match its position', location, rec);
    }
    if (u32(rec + 16) !== 0 || u32(rec + 20) !== 0) throw new SavedModelError('UNSUPPORTED', 'multi-disk (split) zip archives are not supported', { file: location });
    const e64Disk = getU64(view, rec + 24), e64 = getU64(view, rec + 32), s64 = getU64(view, rec + 40), o64 = getU64(view, rec + 48);
    // The 32/16-bit fields must be the sentinels or agree with the ZIP64 values.
    if ((entriesOnDisk !== MAX16 && entriesOnDisk !== e64Disk) || (totalEntries !== MAX16 && totalEntries !== e64) ||
        (cdSize !== MAX32 && cdSize !== s64) || (cdOffset !== MAX32 && cdOffset !== o64)) {
      throw corrupt('end-of-central-directory record and ZIP64 end record disagree', location, eocd);
    }
    entriesOnDisk = e64Disk; totalEntries = e64; cdSize = s64; cdOffset = o64;
    cdEnd = rec;
  } else if (disk !== 0 || cdDisk !== 0) {
    throw new SavedModelError('UNSUPPORTED', 'multi-disk (split) zip archives are not supported', { file: location });
  }
  if (entriesOnDisk !== totalEntries) throw new SavedModelError('UNSUPPORTED', 'multi-disk (split) zip archives are not supported', { file: location });
  if (cdOffset > len || cdSize > len || cdOffset + cdSize > len) {
    throw corrupt(`central directory (offset ${cdOffset}, ${cdSize} bytes) points outside the file (${len} bytes)`, location, eocd);
  }
  if (cdOffset + cdSize !== cdEnd) {
    throw corrupt(`central directory (offset ${cdOffset}, ${cdSize} bytes) does not end where the end records begin (offset ${cdEnd}): prepended, appended or missing bytes`, location, eocd);
  }
  if (totalEntries > maxEntries) {
    throw new SavedModelError('LIMIT_EXCEEDED', `zip archive declares ${totalEntries} entries, over the limit of ${maxEntries}`, { file: location });
  }
  if (totalEntries * CENTRAL_HEADER_SIZE > cdSize) {
    throw corrupt(`central directory of ${cdSize} bytes cannot hold ${totalEntries} entries`, location, cdOffset);
  }

  // Central directory.
  const entries: ScannedEntry[] = [];
  const seen = new Map<string, string>();
  let p = cdOffset;
  let total = 0;
  const descriptors: boolean[] = [];
  for (let i = 0; i < totalEntries; i++) {
    if (p + CENTRAL_HEADER_SIZE > cdEnd || u32(p) !== SIG_CENTRAL) throw corrupt(`central directory record ${i} is missing or malformed`, location, p);
    const madeBy = u16(p + 4);
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const crc = u32(p + 16);
    let csize = u32(p + 20), usize = u32(p + 24);
    const nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32);
    let diskStart = u16(p + 34);
    const external = u32(p + 38);
    let lho = u32(p + 42);
    const recEnd = p + CENTRAL_HEADER_SIZE + nameLen + extraLen + commentLen;
    if (recEnd > cdEnd) throw corrupt(`central directory record ${i} runs past the central directory`, location, p);
    const nameBytes = bytes.subarray(p + CENTRAL_HEADER_SIZE, p + CENTRAL_HEADER_SIZE + nameLen);
    const rawName = decodeEntryName(nameBytes, (flags & FLAG_UTF8) !== 0);
    const label = rawName ?? `entry #${i}`;
    if (rawName === undefined) throw corrupt('entry name is flagged UTF-8 but is not valid UTF-8', label, p);
    const name = rawName;

    const extras = parseExtras(view, p + CENTRAL_HEADER_SIZE + nameLen, extraLen, name);
    const z = extras.find((e) => e.id === EXTRA_ZIP64);
    if (usize === MAX32 || csize === MAX32 || lho === MAX32 || diskStart === MAX16) {
      if (!z) throw corrupt('size or offset field holds the ZIP64 sentinel but the entry has no ZIP64 extra field', name, p);
      let q = z.start;
      const zend = z.start + z.length;
      const take8 = () => {
        if (q + 8 > zend) throw corrupt('ZIP64 extra field is too short for the fields it must hold', name, z.start);
        const v = getU64(view, q); q += 8; return v;
      };
      if (usize === MAX32) usize = take8();
      if (csize === MAX32) csize = take8();
      if (lho === MAX32) lho = take8();
      if (diskStart === MAX16) {
        if (q + 4 > zend) throw corrupt('ZIP64 extra field is too short for the fields it must hold', name, z.start);
        diskStart = u32(q);
      }
    }
    const upath = extras.find((e) => e.id === EXTRA_UNICODE_PATH);
    if (upath && upath.length >= 5 && bytes[upath.start] === 1 && u32(upath.start + 1) === crc32(nameBytes)) {
      // Some readers (jszip among them) prefer this name: it must say the same thing.
      const alt = decodeEntryName(bytes.subarray(upath.start + 5, upath.start + upath.length), true);
      if (alt !== name) throw corrupt(`Unicode path extra field names a different path (${JSON.stringify(alt)})`, name, p);
    }

    if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS)) !== 0 || method === 99) {
      throw new SavedModelError('UNSUPPORTED', 'encrypted zip entries are not supported', { file: name });
    }
    if (method !== METHOD_STORE && method !== METHOD_DEFLATE) {
      throw new SavedModelError('UNSUPPORTED', `zip compression method ${method} is not supported (only STORE and DEFLATE)`, { file: name });
    }
    if (diskStart !== 0) throw new SavedModelError('UNSUPPORTED', 'multi-disk (split) zip archives are not supported', { file: name });
    if (madeBy >> 8 === 3 && ((external >>> 16) & S_IFMT) === S_IFLNK) {
      throw new SavedModelError('UNSUPPORTED', 'symbolic-link entries are not supported', { file: name });
    }
    const why = unsafeNameReason(name);
    if (why) throw new SavedModelError('INVALID_ARGUMENT', `unsafe zip entry name: ${why}`, { file: name });
    const directory = name.endsWith('/');
    const key = foldedName(directory ? name.slice(0, -1) : name);
    const prev = seen.get(key);
    if (prev !== undefined) {
      throw new SavedModelError('INVALID_ARGUMENT', prev === name
        ? 'duplicate zip entry name'
        : `zip entry name collides with ${JSON.stringify(prev)} (differs only in case or Unicode form)`, { file: name });
    }
    seen.set(key, name);

    if (method === METHOD_STORE && csize !== usize) {
      throw corrupt(`stored entry declares ${csize} compressed but ${usize} uncompressed bytes`, name, p);
    }
    if (method === METHOD_DEFLATE && usize > csize * MAX_DEFLATE_RATIO + 64) {
      throw corrupt(`declared uncompressed size ${usize} is impossible for ${csize} bytes of DEFLATE data`, name, p);
    }
    if (directory && usize !== 0) throw corrupt('folder entry has contents', name, p);
    total += usize;
    if (total > maxTotal) {
      throw new SavedModelError('LIMIT_EXCEEDED', `zip archive expands to more than the limit of ${maxTotal} bytes (maxUncompressedBytes)`, { file: name });
    }
    entries.push({ name, directory, method: method === METHOD_DEFLATE ? 'deflate' : 'store', crc32: crc, compressedSize: csize, uncompressedSize: usize, localHeaderOffset: lho, dataOffset: -1 });
    descriptors.push((flags & FLAG_DESCRIPTOR) !== 0);

    // Local header: must sit before the central directory and agree with it.
    if (lho + LOCAL_HEADER_SIZE > cdOffset) {
      throw corrupt(`local header offset ${lho} points outside the entry area (central directory starts at ${cdOffset})`, name, p);
    }
    if (u32(lho) !== SIG_LOCAL) throw corrupt(`no local header at offset ${lho}`, name, lho);
    const lFlags = u16(lho + 6), lMethod = u16(lho + 8);
    const lCrc = u32(lho + 14);
    let lCsize = u32(lho + 18), lUsize = u32(lho + 22);
    const lNameLen = u16(lho + 26), lExtraLen = u16(lho + 28);
    const dataOffset = lho + LOCAL_HEADER_SIZE + lNameLen + lExtraLen;
    if (dataOffset > cdOffset) throw corrupt('local header runs into the central directory', name, lho);
    const lName = bytes.subarray(lho + LOCAL_HEADER_SIZE, lho + LOCAL_HEADER_SIZE + lNameLen);
    if (lNameLen !== nameLen || !lName.every((b, k) => b === nameBytes[k])) {
      throw corrupt('local header and central directory name different files', name, lho);
    }
    if ((lFlags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
      throw new SavedModelError('UNSUPPORTED', 'encrypted zip entries are not supported', { file: name });
    }
    if (lMethod !== method) throw corrupt(`local header says compression method ${lMethod}, central directory ${method}`, name, lho);
    if ((lFlags & FLAG_DESCRIPTOR) === 0) {
      const lExtras = parseExtras(view, lho + LOCAL_HEADER_SIZE + lNameLen, lExtraLen, name);
      const lz = lExtras.find((e) => e.id === EXTRA_ZIP64);
      if ((lUsize === MAX32 || lCsize === MAX32) && lz && lz.length >= 16) {
        lUsize = getU64(view, lz.start);
        lCsize = getU64(view, lz.start + 8);
      }
      if (lCrc !== crc || lCsize !== csize || lUsize !== usize) {
        throw corrupt(`local header (${lCsize} compressed / ${lUsize} bytes, crc ${lCrc.toString(16)}) disagrees with the central directory (${csize} / ${usize}, crc ${crc.toString(16)}): sizes lie`, name, lho);
      }
    }
    if (dataOffset + csize > cdOffset) {
      throw corrupt(`entry data (${csize} bytes at offset ${dataOffset}) runs past the entry area into the central directory or beyond the file: sizes lie`, name, dataOffset);
    }
    const last = entries[entries.length - 1];
    if (last) last.dataOffset = dataOffset;
    p = recEnd;
  }
  if (p !== cdEnd) throw corrupt(`central directory holds ${cdEnd - p} bytes after its ${totalEntries} declared records`, location, p);

  // A name that is a file cannot also be a folder of another entry ("a" and "a/b").
  const files = new Map<string, string>();
  for (const e of entries) if (!e.directory) files.set(foldedName(e.name), e.name);
  for (const e of entries) {
    const parts = (e.directory ? e.name.slice(0, -1) : e.name).split('/');
    let prefix = '';
    for (let k = 0; k < parts.length - 1; k++) {
      prefix = k === 0 ? parts[0]! : `${prefix}/${parts[k]!}`;
      const file = files.get(foldedName(prefix));
      if (file !== undefined) {
        throw new SavedModelError('INVALID_ARGUMENT', `zip entry lies inside ${JSON.stringify(file)}, which is a file`, { file: e.name });
      }
    }
  }

  // Data descriptors, where present, must agree; entries must not overlap.
  const order = entries.map((_, i) => i).sort((a, b) => entries[a]!.localHeaderOffset - entries[b]!.localHeaderOffset);
  let prevEnd = 0;
  let prevName = '';
  for (const i of order) {
    const e = entries[i]!;
    if (e.localHeaderOffset < prevEnd) {
      throw corrupt(`entry overlaps ${JSON.stringify(prevName)} (overlapping entries: a zip bomb or a corrupt archive)`, e.name, e.localHeaderOffset);
    }
    let end = e.dataOffset + e.compressedSize;
    if (descriptors[i]) end = checkDescriptor(view, end, cdOffset, e);
    prevEnd = end;
    prevName = e.name;
  }
  return { entries, centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize, zip64 };
}

/** Validates the data descriptor at `at`; returns the offset just past it. */
function checkDescriptor(view: DataView, at: number, limit: number, e: ScannedEntry): number {
  const fits = (n: number) => at + n <= limit;
  const sig = fits(4) && view.getUint32(at, true) === SIG_DESCRIPTOR;
  const base = sig ? at + 4 : at;
  const matches32 = (o: number) => o + 12 <= limit && view.getUint32(o, true) === e.crc32 &&
    view.getUint32(o + 4, true) === e.compressedSize && view.getUint32(o + 8, true) === e.uncompressedSize;
  const matches64 = (o: number) => o + 20 <= limit && view.getUint32(o, true) === e.crc32 &&
    getU64(view, o + 4) === e.compressedSize && getU64(view, o + 12) === e.uncompressedSize;
  if (matches64(base)) return base + 20;
  if (matches32(base)) return base + 12;
  throw corrupt('data descriptor is missing or disagrees with the central directory (CRC or sizes lie)', e.name, at);
}
