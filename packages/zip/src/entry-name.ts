// Entry names: what we accept when writing, how we decode them when reading, and the safety
// rules that keep every name inside its extraction root.
import { SavedModelError } from '@savedmodel-js/core';

const utf8 = new TextEncoder();
const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/** Longest name a zip header can hold. */
export const MAX_NAME_BYTES = 0xffff;

/**
 * Why `name` is unsafe as an archive path, or undefined when it is a plain relative path
 * ("a/b/c", or "a/b/" for a folder). Unsafe: empty, absolute ("/x", "C:x", "C:\x"), a
 * backslash, "." / ".." / empty segments, control characters (NUL included).
 */
export function unsafeNameReason(name: string): string | undefined {
  const path = name.endsWith('/') ? name.slice(0, -1) : name;
  if (path.length === 0) return 'empty name';
  if (path.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'drive letter';
  if (path.includes('\\')) return 'backslash in name';
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'control character in name';
  for (const seg of path.split('/')) {
    if (seg === '..') return 'parent-directory ("..") segment';
    if (seg === '.' || seg === '') return 'empty or "." segment';
  }
  return undefined;
}

/** Validates a name for writing and returns its UTF-8 bytes. */
export function encodeEntryName(name: string): Uint8Array {
  const why = unsafeNameReason(name);
  if (why) throw new SavedModelError('INVALID_ARGUMENT', `cannot add zip entry: ${why}`, { file: name });
  const bytes = utf8.encode(name);
  if (bytes.length > MAX_NAME_BYTES) {
    throw new SavedModelError('INVALID_ARGUMENT', `zip entry name is ${bytes.length} bytes, over the 65,535-byte limit`, { file: name });
  }
  return bytes;
}

// IBM code page 437, bytes 0x80–0xFF: the encoding of names without the UTF-8 flag (APPNOTE D.1).
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/**
 * Decodes a stored name: UTF-8 when flagged (invalid UTF-8 → undefined); unflagged names are
 * ASCII, else UTF-8 when they are valid UTF-8 (what most tools write without setting the flag),
 * else CP437.
 */
export function decodeEntryName(bytes: Uint8Array, utf8Flag: boolean): string | undefined {
  if (utf8Flag) {
    try { return utf8Fatal.decode(bytes); } catch { return undefined; }
  }
  let ascii = true;
  for (const b of bytes) if (b >= 0x80) { ascii = false; break; }
  if (!ascii) {
    try { return utf8Fatal.decode(bytes); } catch { /* not UTF-8: CP437 */ }
  }
  let s = '';
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return s;
}

/** Key that collides for names a case-insensitive or normalizing file system would merge. */
export function foldedName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}
