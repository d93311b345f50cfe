// Number formatting exactly as protobuf's C++ text printer (protoc --decode, TF's
// text_format with the C++ backend) writes float and double fields:
//   float:  printf("%.6g"),  and if that does not parse back (strtof) to the same float,
//           printf("%.9g");
//   double: printf("%.15g"), and if that does not parse back (strtod) to the same double,
//           printf("%.17g");
//   non-finite: "inf", "-inf", "nan" (any NaN, sign ignored); subnormal floats always take
//   the 9-digit form (strtof reports ERANGE for them, which protoc treats as a failed check).
// This is *not* the shortest round-trip form: 5/3 as float32 prints "1.66666663"
// (fixture keras_cnn), where the shortest round-trip string is "1.6666666".
//
// printf rounds the exact binary value half-to-even; JavaScript's toExponential rounds
// halves up. They only disagree on exact ties, which are detected and redone exactly.

/** printf("%.<p>g", x) for finite x, as glibc writes it (round half to even on the exact value). */
export function formatG(x: number, p: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  const a = Math.abs(x);
  let { digits, exp } = roundSignificant(a, p);
  // %g: exponent X of the rounded value decides fixed vs scientific.
  const X = exp;
  let out: string;
  if (X < p && X >= -4) {
    // fixed notation with p-1-X decimals, trailing zeros removed
    if (X >= 0) {
      const intPart = digits.slice(0, X + 1).padEnd(X + 1, '0');
      let frac = digits.slice(X + 1);
      frac = frac.replace(/0+$/, '');
      out = frac ? `${intPart}.${frac}` : intPart;
    } else {
      let frac = '0'.repeat(-X - 1) + digits;
      frac = frac.replace(/0+$/, '');
      out = `0.${frac}`;
    }
  } else {
    let mant = digits.slice(1).replace(/0+$/, '');
    mant = mant ? `${digits[0]}.${mant}` : digits.slice(0, 1);
    const e = Math.abs(X);
    out = `${mant}e${X < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return neg ? `-${out}` : out;
}

/** `p` significant decimal digits of a > 0 (finite), rounded half-even on the exact value. */
function roundSignificant(a: number, p: number): { digits: string; exp: number } {
  // Fast path: toExponential is exact except that halves round up. A tie at p digits means
  // the exact expansion has p+1 significant digits ending in 5, so toExponential(p) ends in 5.
  const longer = a.toExponential(Math.min(p, 100));
  const lm = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(longer);
  if (lm && !(lm[2] ?? '').endsWith('5')) {
    const s = a.toExponential(p - 1);
    const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
    if (m) return { digits: m[1]! + (m[2] ?? ''), exp: Number(m[3]) };
  }
  return roundExact(a, p);
}

/** Exact decimal expansion of a double, then round half to even to p significant digits. */
function roundExact(a: number, p: number): { digits: string; exp: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, a);
  const hi = dv.getUint32(0), lo = dv.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (biased === 0) e2 = -1074;
  else {
    mant |= 1n << 52n;
    e2 = biased - 1075;
  }
  let all: string; // digits of the exact value
  let pointPos: number; // number of digits before the decimal point (may be <= 0)
  if (e2 >= 0) {
    all = (mant << BigInt(e2)).toString();
    pointPos = all.length;
  } else {
    const k = -e2;
    all = (mant * 5n ** BigInt(k)).toString(); // value = all * 10^-k
    pointPos = all.length - k;
  }
  // strip leading zeros (none for BigInt strings) and compute exponent of first digit
  const first = all.search(/[1-9]/);
  all = all.slice(first);
  pointPos -= first;
  let exp = pointPos - 1;
  if (all.length <= p) return { digits: all.padEnd(p, '0'), exp };
  const keep = all.slice(0, p);
  const next = all.charCodeAt(p) - 48;
  const restNonZero = /[1-9]/.test(all.slice(p + 1));
  let up = false;
  if (next > 5 || (next === 5 && restNonZero)) up = true;
  else if (next === 5) up = (keep.charCodeAt(p - 1) - 48) % 2 === 1;
  if (!up) return { digits: keep, exp };
  // increment the kept digits
  const arr = keep.split('').map((c) => c.charCodeAt(0) - 48);
  let i = p - 1;
  while (i >= 0) {
    if (arr[i]! < 9) {
      arr[i]! += 1;
      break;
    }
    arr[i] = 0;
    i--;
  }
  if (i < 0) {
    arr.unshift(1);
    arr.pop();
    exp += 1;
  }
  return { digits: arr.join(''), exp };
}

/** protobuf C++ SimpleFtoa: how a float (32-bit) field value is printed in text format. */
export function formatFloat32(v: number): string {
  const x = Math.fround(v);
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  // strtof flags ERANGE for any (inexact) subnormal result, so protoc's round-trip test
  // always fails for subnormal floats and they get 9 digits. (Doubles are checked with a
  // plain strtod comparison, no errno, so subnormal doubles are not special.)
  if (x !== 0 && Math.abs(x) < 2 ** -126) return formatG(x, 9);
  const s = formatG(x, 6);
  if (Math.fround(Number(s)) === x) return s;
  return formatG(x, 9);
}

/** protobuf C++ SimpleDtoa: how a double field value is printed in text format. */
export function formatFloat64(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const s = formatG(x, 15);
  if (Number(s) === x) return s;
  return formatG(x, 17);
}
