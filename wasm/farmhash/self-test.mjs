// FarmHash's own self-test (google/farmhash src/farmhash.cc): its input data and the published
// farmhashna::Hash64 answers. Facts of the algorithm, used by scripts/build-wasm.mjs (to refuse
// a wrong binary) and by packages/core/test/farmhash-wasm.test.ts; plain JavaScript so the build
// script (Node, no TypeScript) and the tests read the same copy.

/**
 * The first n bytes of the self-test data (farmhash.cc's Setup()): a = 9, b = 777; per byte i:
 * a += b; b += a; a = (a ^ a >> 41) * k0; b = (b ^ b >> 41) * k0 + i; byte = b >> 37.
 */
export function farmhashSelfTestData(n) {
  const K0 = 0xc3a5c85c97cb3127n;
  const out = new Uint8Array(n);
  let a = 9n, b = 777n;
  for (let i = 0; i < n; i++) {
    a = BigInt.asUintN(64, a + b);
    b = BigInt.asUintN(64, b + a);
    a = BigInt.asUintN(64, (a ^ (a >> 41n)) * K0);
    b = BigInt.asUintN(64, (b ^ (b >> 41n)) * K0 + BigInt(i));
    out[i] = Number((b >> 37n) & 0xffn);
  }
  return out;
}

/**
 * [offset, length, farmhashna::Hash64(data + offset, length)] from farmhash.cc's farmhashnaTest
 * expected[] (its calls Test(i * i, i) for i < 299, then Test(0, i) for growing i, Test(0, 1 MiB)).
 */
export const FARMHASH_PUBLISHED = [
  [0, 0, 11160318154034397263n], [1, 1, 6057711933287653014n], [9, 3, 17262924617777385131n],
  [16, 4, 1287846036432493960n], [64, 8, 11597051931199355094n], [256, 16, 282273162512842838n],
  [289, 17, 7691019942193281883n], [1024, 32, 541269899254986215n], [1089, 33, 711203541633906104n],
  [4096, 64, 16066393710399699995n], [4225, 65, 4381627749513796415n], [16129, 127, 11027467577531522736n],
  [16384, 128, 17629800649466220701n], [16641, 129, 15345954539186508726n], [36864, 192, 13338803518511360161n],
  [65025, 255, 8429558128705429752n], [65536, 256, 9210440767890242563n], [88804, 298, 2319855510833732255n],
  [0, 61590, 4658748233181427170n], [0, 70388, 6136237577409579594n], [0, 137229, 963236806629702321n],
  [0, 305769, 7363706753104667812n], [0, 1016994, 15964842784149948926n], [0, 1048576, 17893921758998833411n],
];
