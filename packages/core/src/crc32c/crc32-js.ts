// CRC-32 (IEEE 802.3 / zip / gzip / PNG), pure JavaScript fallback.
import { slicingBy8 } from './slicing-by-8.js';

export const crc32ExtendJs = slicingBy8(0xedb88320);

export function crc32Js(data: Uint8Array): number {
  return crc32ExtendJs(0, data);
}
