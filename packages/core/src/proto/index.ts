// The generated message classes plus small helpers every reader and writer needs. The reflection
// runtime (descriptor.json, protobufjs/light) is in ./reflection.ts, imported only by the text format,
// unknown-field checks and the chunked (.cpb) merger, so export-only bundles don't carry it.
import { Long } from './long.js';
import { tensorflow, third_party } from './gen/messages.js';

export { tensorflow, third_party, Long };
export { compareUtf8 } from './utf8-order.js';
export { sortMapsDeep, encodeDeterministic, fillMapDefaults } from './map-walk.js';

/** int64 fields decode as Long; this gives a JS number (exact below 2^53). */
export function toNumber(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** int64 fields as bigint, exact. */
export function toBigInt(v: number | Long | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  return BigInt(v.toString());
}
