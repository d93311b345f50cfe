// What core's small WebAssembly modules (crc32c/crc32c-wasm.ts, hash/farmhash-wasm.ts) load
// with: their bytes from base64 without Buffer (one code path for Node and browsers), and one
// instance made on first use — or the reason there is none, so callers fall back to JavaScript.

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 → bytes. Uses atob where the platform has it, else a small decoder. */
export function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  if (typeof atob === 'function') {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const clean = s.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array((clean.length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | B64.indexOf(clean[i]!);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/** An instance made on the first call of any of these; tried once. */
export interface LazyInstance<T> {
  /** The instance, or null where making it failed (see error()). */
  get(): T | null;
  /** The instance; where it is unavailable, an Error "<what> unavailable: <why>". */
  need(): T;
  /** Why it is unavailable (the exception from making it), if it is. */
  error(): unknown;
}

export function lazyInstance<T>(what: string, make: () => T): LazyInstance<T> {
  /** undefined: not tried yet; null: tried, unavailable. */
  let value: T | null | undefined;
  let loadError: unknown;
  const get = (): T | null => {
    if (value === undefined) {
      try {
        value = make();
      } catch (e) {
        value = null;
        loadError = e;
      }
    }
    return value;
  };
  return {
    get,
    need() {
      const v = get();
      if (v === null) {
        throw new Error(`${what} unavailable: ${loadError instanceof Error ? loadError.message : String(loadError)}`, { cause: loadError });
      }
      return v;
    },
    error() {
      get();
      return loadError;
    },
  };
}
