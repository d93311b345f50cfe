// C-style escaping as protobuf's CEscape (used by the C++ text printer for both string and
// bytes fields): \n \r \t \" \' \\ by name, every other byte outside 0x20..0x7e as a
// 3-digit octal escape. Strings are escaped as their UTF-8 bytes.
import { latin1 } from '../bytes.js';

const utf8 = new TextEncoder();

export function cEscape(bytes: Uint8Array): string {
  let out = '';
  let run = 0; // start of a run of bytes that need no escaping
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    let esc: string | null = null;
    switch (c) {
      case 0x0a: esc = '\\n'; break;
      case 0x0d: esc = '\\r'; break;
      case 0x09: esc = '\\t'; break;
      case 0x22: esc = '\\"'; break;
      case 0x27: esc = "\\'"; break;
      case 0x5c: esc = '\\\\'; break;
      default:
        if (c < 0x20 || c >= 0x7f) esc = '\\' + c.toString(8).padStart(3, '0');
    }
    if (esc !== null) {
      if (run < i) out += latin1(bytes, run, i);
      out += esc;
      run = i + 1;
    }
  }
  if (run < bytes.length) out += latin1(bytes, run, bytes.length);
  return out;
}

export function cEscapeString(s: string): string {
  // fast path: printable ASCII without quotes/backslashes
  let plain = true;
  for (let i = 0; i < s.length && plain; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x27 || c === 0x5c) plain = false;
  }
  return plain ? s : cEscape(utf8.encode(s));
}
