// CRC-32C (Castagnoli), pure JavaScript fallback.
import { slicingBy8 } from './slicing-by-8.js';

export const crc32cExtendJs = slicingBy8(0x82f63b78);

export function crc32cJs(data: Uint8Array): number {
  return crc32cExtendJs(0, data);
}
