// The zip records we write and read (PKWARE APPNOTE 6.3.x): signatures, flags, and builders
// for local headers, data descriptors, central directory headers and end records.
// All integers are little-endian; 64-bit fields are written from JS numbers (exact to 2^53).

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_DESCRIPTOR = 0x08074b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;

export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_EOCD_SIZE = 56;
export const ZIP64_LOCATOR_SIZE = 20;

/** General purpose flag bits. */
export const FLAG_ENCRYPTED = 1 << 0;
export const FLAG_DESCRIPTOR = 1 << 3;
export const FLAG_STRONG_ENCRYPTION = 1 << 6;
export const FLAG_UTF8 = 1 << 11;
/** Central directory encryption (APPNOTE 7.0): local header fields masked. */
export const FLAG_MASKED_HEADERS = 1 << 13;

export const METHOD_STORE = 0;
export const METHOD_DEFLATE = 8;

export const EXTRA_ZIP64 = 0x0001;
export const EXTRA_UNICODE_PATH = 0x7075;

/** Sentinels that send readers to the ZIP64 fields. */
export const MAX32 = 0xffffffff;
export const MAX16 = 0xffff;

/** "Version needed to extract": 2.0 (deflate, folders), 4.5 (ZIP64). */
export const VERSION_DEFAULT = 20;
export const VERSION_ZIP64 = 45;
/** "Version made by": high byte 3 = Unix (so external attributes carry a Unix mode), spec 4.5. */
export const MADE_BY_UNIX = (3 << 8) | VERSION_ZIP64;

export const UNIX_FILE_MODE = 0o100644;
export const UNIX_DIR_MODE = 0o040755;
export const S_IFMT = 0o170000;
export const S_IFLNK = 0o120000;
export const DOS_DIR_ATTR = 0x10;

export function setU64(v: DataView, at: number, n: number): void {
  v.setUint32(at, n % 0x1_0000_0000, true);
  v.setUint32(at + 4, Math.floor(n / 0x1_0000_0000), true);
}

export function getU64(v: DataView, at: number): number {
  return v.getUint32(at, true) + v.getUint32(at + 4, true) * 0x1_0000_0000;
}

/** A ZIP64 extended-information extra field holding `values` (8 bytes each, in spec order). */
function zip64Extra(values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 8 * values.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, EXTRA_ZIP64, true);
  v.setUint16(2, 8 * values.length, true);
  values.forEach((x, i) => setU64(v, 4 + 8 * i, x));
  return out;
}

export interface LocalHeaderFields {
  name: Uint8Array;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Add the ZIP64 extra (sizes then live there; the 32-bit fields hold 0xFFFFFFFF). */
  zip64: boolean;
}

export function localHeader(f: LocalHeaderFields): Uint8Array {
  const extra = f.zip64 ? zip64Extra([f.uncompressedSize, f.compressedSize]) : undefined;
  const out = new Uint8Array(LOCAL_HEADER_SIZE + f.name.length + (extra?.length ?? 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, SIG_LOCAL, true);
  v.setUint16(4, f.zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, true);
  v.setUint16(6, f.flags, true);
  v.setUint16(8, f.method, true);
  v.setUint16(10, f.time, true);
  v.setUint16(12, f.date, true);
  v.setUint32(14, f.crc >>> 0, true);
  v.setUint32(18, f.zip64 ? MAX32 : f.compressedSize, true);
  v.setUint32(22, f.zip64 ? MAX32 : f.uncompressedSize, true);
  v.setUint16(26, f.name.length, true);
  v.setUint16(28, extra?.length ?? 0, true);
  out.set(f.name, LOCAL_HEADER_SIZE);
  if (extra) out.set(extra, LOCAL_HEADER_SIZE + f.name.length);
  return out;
}

/** Data descriptor with signature; 8-byte sizes when `zip64`. */
export function dataDescriptor(crc: number, compressedSize: number, uncompressedSize: number, zip64: boolean): Uint8Array {
  const out = new Uint8Array(zip64 ? 24 : 16);
  const v = new DataView(out.buffer);
  v.setUint32(0, SIG_DESCRIPTOR, true);
  v.setUint32(4, crc >>> 0, true);
  if (zip64) {
    setU64(v, 8, compressedSize);
    setU64(v, 16, uncompressedSize);
  } else {
    v.setUint32(8, compressedSize, true);
    v.setUint32(12, uncompressedSize, true);
  }
  return out;
}

export interface CentralHeaderFields extends Omit<LocalHeaderFields, 'zip64'> {
  offset: number;
  /** Entry used ZIP64 in its local header (version needed 4.5). */
  localZip64: boolean;
  /** Put every size/offset in the ZIP64 extra, not only those that overflow. */
  forceZip64: boolean;
  directory: boolean;
}

export function centralHeader(f: CentralHeaderFields): Uint8Array {
  const big = (n: number) => f.forceZip64 || n >= MAX32;
  const z: number[] = [];
  if (big(f.uncompressedSize)) z.push(f.uncompressedSize);
  if (big(f.compressedSize)) z.push(f.compressedSize);
  if (big(f.offset)) z.push(f.offset);
  const extra = z.length > 0 ? zip64Extra(z) : undefined;
  const zip64 = extra !== undefined || f.localZip64;
  const out = new Uint8Array(CENTRAL_HEADER_SIZE + f.name.length + (extra?.length ?? 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, SIG_CENTRAL, true);
  v.setUint16(4, MADE_BY_UNIX, true);
  v.setUint16(6, zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, true);
  v.setUint16(8, f.flags, true);
  v.setUint16(10, f.method, true);
  v.setUint16(12, f.time, true);
  v.setUint16(14, f.date, true);
  v.setUint32(16, f.crc >>> 0, true);
  v.setUint32(20, big(f.compressedSize) ? MAX32 : f.compressedSize, true);
  v.setUint32(24, big(f.uncompressedSize) ? MAX32 : f.uncompressedSize, true);
  v.setUint16(28, f.name.length, true);
  v.setUint16(30, extra?.length ?? 0, true);
  v.setUint16(32, 0, true); // comment length
  v.setUint16(34, 0, true); // disk number start
  v.setUint16(36, 0, true); // internal attributes
  const mode = f.directory ? UNIX_DIR_MODE : UNIX_FILE_MODE;
  v.setUint32(38, ((mode << 16) | (f.directory ? DOS_DIR_ATTR : 0)) >>> 0, true);
  v.setUint32(42, big(f.offset) ? MAX32 : f.offset, true);
  out.set(f.name, CENTRAL_HEADER_SIZE);
  if (extra) out.set(extra, CENTRAL_HEADER_SIZE + f.name.length);
  return out;
}

export interface EndFields {
  entries: number;
  cdOffset: number;
  cdSize: number;
}

/** ZIP64 end of central directory record + locator (written right after the central directory). */
export function zip64End(f: EndFields, zip64EndOffset: number): Uint8Array {
  const out = new Uint8Array(ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, SIG_ZIP64_EOCD, true);
  setU64(v, 4, ZIP64_EOCD_SIZE - 12);
  v.setUint16(12, MADE_BY_UNIX, true);
  v.setUint16(14, VERSION_ZIP64, true);
  v.setUint32(16, 0, true); // this disk
  v.setUint32(20, 0, true); // disk with the central directory
  setU64(v, 24, f.entries);
  setU64(v, 32, f.entries);
  setU64(v, 40, f.cdSize);
  setU64(v, 48, f.cdOffset);
  const l = ZIP64_EOCD_SIZE;
  v.setUint32(l, SIG_ZIP64_LOCATOR, true);
  v.setUint32(l + 4, 0, true);
  setU64(v, l + 8, zip64EndOffset);
  v.setUint32(l + 16, 1, true); // total disks
  return out;
}

/** Classic end record; fields that overflow (or all, when `zip64Sentinels`) hold the sentinels. */
export function endOfCentralDirectory(f: EndFields, zip64Sentinels: boolean): Uint8Array {
  const out = new Uint8Array(EOCD_SIZE);
  const v = new DataView(out.buffer);
  const n = zip64Sentinels || f.entries >= MAX16 ? MAX16 : f.entries;
  v.setUint32(0, SIG_EOCD, true);
  v.setUint16(4, 0, true);
  v.setUint16(6, 0, true);
  v.setUint16(8, n, true);
  v.setUint16(10, n, true);
  v.setUint32(12, zip64Sentinels || f.cdSize >= MAX32 ? MAX32 : f.cdSize, true);
  v.setUint32(16, zip64Sentinels || f.cdOffset >= MAX32 ? MAX32 : f.cdOffset, true);
  v.setUint16(20, 0, true);
  return out;
}
