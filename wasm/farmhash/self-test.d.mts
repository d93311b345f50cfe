/** The first n bytes of FarmHash's self-test data (farmhash.cc's Setup()). */
export function farmhashSelfTestData(n: number): Uint8Array;
/** [offset, length, farmhashna::Hash64] from farmhash.cc's farmhashnaTest expected[]. */
export const FARMHASH_PUBLISHED: readonly (readonly [number, number, bigint])[];
