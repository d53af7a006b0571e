/**
 * Exact rational linear algebra on mathjs Fractions (arbitrary-precision numerator/denominator).
 *
 * @remarks
 * Matrices are `Rational[][]` (arrays of rows). Inputs may be numbers (converted exactly: every float64
 * is a dyadic rational, so 0.1 becomes 3602879701896397/36028797018963968 — pass the string "1/10" when
 * you mean one tenth) or rational strings such as "3/7", "-2", "0.25".
 *
 * The measured mathjs pitfalls (README, "Pitfalls handled once") are handled here once:
 * - `lusolve`/`lup` treat pivots below `absTol` as zero even for Fractions, so the shared instance is created
 *   with `absTol: 0` and a tiny `relTol` (0 is rejected by mathjs); and solve / inverse / determinant here do
 *   not call mathjs at all but run fraction-free elimination on bigints (exact, no tolerance, 10–100× faster);
 * - BigNumber `eigs` returns wrong answers, so no exact or high-precision eigenvalue routine here uses it:
 *   eigenvalues are bounded instead by exact inertia counts (./inertia.ts);
 * - `math.fraction(x)` for a number x approximates it by a "nice" fraction (math.fraction(1e-12) is 0!):
 *   use {@link rational} or {@link exactFromFloat} for the exact value;
 * - `Fraction.valueOf()` is NaN once numerator and denominator both pass 1.8e308: use {@link toNumber}.
 */
import { all, create, type Fraction, type MathJsInstance } from 'mathjs';
import { InvalidArgumentError, NonFiniteError, ParseError, ShapeMismatchError } from '../errors.js';

/** One mathjs instance, configured for exact work. */
export const math: MathJsInstance = create(all, { relTol: 1e-60, absTol: 0, precision: 64 });

/** An exact rational number (mathjs / fraction.js `Fraction`, bigint numerator and denominator). */
export type Rational = Fraction;
/** An exact matrix as rows. */
export type RationalMatrix = Rational[][];
/** What the exact routines accept for one entry. */
export type RationalLike = Rational | number | string | bigint;

const RATIONAL_RE = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(\s*\/\s*[+-]?\d+)?\s*$/;

/** True when `x` is a mathjs Fraction. */
export function isRational(x: unknown): x is Rational {
  return typeof x === 'object' && x !== null && math.isFraction(x);
}

/**
 * Parses one rational entry.
 * @throws NonFiniteError for NaN/±∞; ParseError for strings that are not a rational ("3/0", "abc").
 */
export function rational(x: RationalLike, name = 'value'): Rational {
  if (isRational(x)) return x;
  if (typeof x === 'bigint') return math.fraction(x);
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new NonFiniteError(name, x);
    return exactFromFloat(x);
  }
  if (typeof x === 'string') {
    if (!RATIONAL_RE.test(x)) throw new ParseError(name, `expected a rational such as "3/7" or "-0.25", got ${JSON.stringify(x)}`);
    const [num, den] = x.split('/');
    const n = decimalToFraction(num.trim(), name);
    if (den === undefined) return n;
    const d = decimalToFraction(den.trim(), name);
    if (d.n === 0n) throw new ParseError(name, `zero denominator in ${JSON.stringify(x)}`);
    return n.div(d);
  }
  throw new ParseError(name, `expected a number or a rational string, got ${typeof x}`);
}

/**
 * Largest decimal exponent accepted in a rational string. 10^10000 is a 33 000-bit integer, built in
 * well under a millisecond; "1e999999999" would instead hang or exhaust memory, so it is a ParseError.
 */
const MAX_DECIMAL_EXPONENT = 10000;

function decimalToFraction(s: string, name: string): Rational {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) throw new ParseError(name, `not a decimal: ${JSON.stringify(s)}`);
  const [, sign, intPart, fracPart = '', expPart] = m;
  const e = expPart ? Number(expPart) : 0;
  if (!(Math.abs(e) <= MAX_DECIMAL_EXPONENT)) throw new ParseError(name, `decimal exponent ${expPart} outside ±${MAX_DECIMAL_EXPONENT}`);
  let num = BigInt((intPart || '0') + fracPart);
  let den = 10n ** BigInt(fracPart.length);
  if (e > 0) num *= 10n ** BigInt(e);
  if (e < 0) den *= 10n ** BigInt(-e);
  if (sign === '-') num = -num;
  return math.fraction(num, den);
}

/** The exact dyadic rational equal to a finite float64 (no rounding to "nice" fractions). */
export function exactFromFloat(x: number): Rational {
  // NaN and ±Infinity have no rational value (and the doubling loop below would never end on them).
  if (!Number.isFinite(x)) throw new NonFiniteError('x', x);
  if (Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER) return math.fraction(BigInt(x), 1n);
  // x = mantissa · 2^exp with an integer mantissa: multiply by 2 until integral (≤ 1074 steps).
  let m = x;
  let e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  return math.fraction(BigInt(m), 2n ** BigInt(e));
}

/** Parses a vector of rational entries; `name` is used in error messages (`name[i]`). */
export function rationalVector(v: readonly RationalLike[], name = 'vector'): Rational[] {
  if (!Array.isArray(v)) throw new ShapeMismatchError(name, 'an array', typeof v);
  return v.map((x, i) => rational(x, `${name}[${i}]`));
}

/** Parses a matrix given as rows of rational entries, checking that all rows have the same length. */
export function rationalMatrix(a: readonly (readonly RationalLike[])[], name = 'matrix'): RationalMatrix {
  if (!Array.isArray(a) || a.length === 0) throw new ShapeMismatchError(name, 'a non-empty array of rows', Array.isArray(a) ? 'an empty array' : typeof a);
  const cols = Array.isArray(a[0]) ? a[0].length : -1;
  return a.map((row, i) => {
    if (!Array.isArray(row) || row.length !== cols || cols === 0) {
      throw new ShapeMismatchError(name, `rows of equal, non-zero length ${cols}`, `row ${i} ${Array.isArray(row) ? `of length ${row.length}` : 'is not an array'}`);
    }
    return row.map((x, j) => rational(x, `${name}[${i}][${j}]`));
  });
}

/** Exact 0 and 1. */
export const ZERO: Rational = math.fraction(0);
export const ONE: Rational = math.fraction(1);

/** n×n identity. */
export function identityQ(n: number): RationalMatrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? ONE : ZERO)));
}

/** m×n zero matrix. */
export function zerosQ(m: number, n: number): RationalMatrix {
  return Array.from({ length: m }, () => new Array<Rational>(n).fill(ZERO));
}

/** Aᵀ. */
export function transposeQ(a: RationalMatrix): RationalMatrix {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

/**
 * A·B (checks inner dimensions). Rows of A and columns of B are scaled to integers by the lcm of their
 * denominators, the products summed in bigints, and one fraction formed per entry: (AB)_ij =
 * (A'B')_ij / (r_i c_j). That avoids a gcd per multiply-add, which is what makes Fraction sums slow.
 */
export function multiplyQ(a: RationalMatrix, b: RationalMatrix): RationalMatrix {
  if (a[0].length !== b.length) throw new ShapeMismatchError('b', `${a[0].length} rows (the columns of a)`, `${b.length} rows`);
  const inner = b.length;
  const { m: ai, scale: ra } = integerRows(a);
  const { m: bt, scale: cb } = integerRows(transposeQ(b));
  return ai.map((row, i) =>
    bt.map((col, j) => {
      let s = 0n;
      for (let k = 0; k < inner; k++) if (row[k] !== 0n && col[k] !== 0n) s += row[k] * col[k];
      return s === 0n ? ZERO : math.fraction(s, ra[i] * cb[j]);
    }),
  );
}

/** A·v. */
export function matVecQ(a: RationalMatrix, v: readonly Rational[]): Rational[] {
  if (a[0].length !== v.length) throw new ShapeMismatchError('v', `length ${a[0].length}`, `length ${v.length}`);
  return multiplyQ(
    a,
    v.map((x) => [x]),
  ).map((row) => row[0]);
}

/** a + b for vectors. */
export function addVecQ(a: readonly Rational[], b: readonly Rational[]): Rational[] {
  return a.map((x, i) => x.add(b[i]));
}

/** a − b for vectors. */
export function subVecQ(a: readonly Rational[], b: readonly Rational[]): Rational[] {
  return a.map((x, i) => x.sub(b[i]));
}

/** aᵀb, exactly (skipping zero terms). */
export function dotQ(a: readonly Rational[], b: readonly Rational[]): Rational {
  let s = ZERO;
  for (let i = 0; i < a.length; i++) if (a[i].n !== 0n && b[i].n !== 0n) s = s.add(a[i].mul(b[i]));
  return s;
}

/** A + B. */
export function addQ(a: RationalMatrix, b: RationalMatrix): RationalMatrix {
  assertSameShape(a, b);
  return a.map((row, i) => row.map((x, j) => x.add(b[i][j])));
}

/** A − B. */
export function subQ(a: RationalMatrix, b: RationalMatrix): RationalMatrix {
  assertSameShape(a, b);
  return a.map((row, i) => row.map((x, j) => x.sub(b[i][j])));
}

/** c·A. */
export function scaleQ(a: RationalMatrix, c: RationalLike): RationalMatrix {
  const k = rational(c, 'c');
  return a.map((row) => row.map((x) => x.mul(k)));
}

/** Exact equality of two matrices (same shape and every entry equal). */
export function equalQ(a: RationalMatrix, b: RationalMatrix): boolean {
  if (a.length !== b.length || a[0].length !== b[0].length) return false;
  return a.every((row, i) => row.every((x, j) => x.equals(b[i][j])));
}

/** Kronecker product A ⊗ B. */
export function kronQ(a: RationalMatrix, b: RationalMatrix): RationalMatrix {
  const p = b.length;
  const q = b[0].length;
  const out = zerosQ(a.length * p, a[0].length * q);
  for (let i = 0; i < a.length; i++)
    for (let j = 0; j < a[0].length; j++)
      for (let k = 0; k < p; k++) for (let l = 0; l < q; l++) out[i * p + k][j * q + l] = a[i][j].mul(b[k][l]);
  return out;
}

/** Column-major vec (as {@link vec} in dense.ts). */
export function vecQ(x: RationalMatrix): Rational[] {
  const out: Rational[] = [];
  for (let j = 0; j < x[0].length; j++) for (let i = 0; i < x.length; i++) out.push(x[i][j]);
  return out;
}

/** Inverse of {@link vecQ}. */
export function unvecQ(v: readonly Rational[], rows: number, columns: number): RationalMatrix {
  if (v.length !== rows * columns) throw new ShapeMismatchError('v', `length ${rows * columns}`, `length ${v.length}`);
  return Array.from({ length: rows }, (_, i) => Array.from({ length: columns }, (_, j) => v[i + j * rows]));
}

function assertSquareQ(a: RationalMatrix, name: string): number {
  if (!Array.isArray(a) || a.length === 0) throw new ShapeMismatchError(name, 'a non-empty square matrix', Array.isArray(a) ? 'an empty array' : typeof a);
  if (!Array.isArray(a[0])) throw new ShapeMismatchError(name, 'a square matrix', `${a.length} rows, row 0 of type ${typeof a[0]}`);
  if (a.length !== a[0].length) throw new ShapeMismatchError(name, 'a square matrix', `${a.length}×${a[0].length}`);
  return a.length;
}

function assertSameShape(a: RationalMatrix, b: RationalMatrix): void {
  if (a.length !== b.length || a[0].length !== b[0].length) throw new ShapeMismatchError('b', `${a.length}×${a[0].length}`, `${b.length}×${b[0].length}`);
}

/** Each row times the lcm of its denominators, as integers; also returns those multipliers. */
/**
 * A rational matrix as an integer matrix over one common denominator: A = N / D with D > 0 the least common
 * multiple of the entries' denominators. Exact loops that would otherwise take a gcd per Fraction operation work
 * on (N, D) instead (THM-3's exact gradient descent).
 */
export function toIntegerMatrix(a: RationalMatrix): [bigint[][], bigint] {
  let D = 1n;
  for (const row of a) for (const x of row) if (D % x.d !== 0n) D = (D / gcdBig(D, x.d)) * x.d;
  return [a.map((row) => row.map((x) => x.s * x.n * (D / x.d))), D];
}

function integerRows(rows: readonly (readonly Rational[])[]): { m: bigint[][]; scale: bigint[] } {
  const scale: bigint[] = [];
  const m = rows.map((row) => {
    let l = 1n;
    for (const x of row) if (x.d !== 1n && l % x.d !== 0n) l = (l / gcdBig(l, x.d)) * x.d;
    scale.push(l);
    return row.map((x) => x.s * x.n * (l / x.d));
  });
  return { m, scale };
}

/**
 * Fraction-free (Bareiss) forward elimination with row pivoting on the integer rows `m` (n rows, the first
 * n columns the square part), in place. After step k every entry is a minor of the original integer
 * matrix, so each division is exact and no gcd is ever taken. Returns the sign of the row permutation, or
 * 0 if the square part is singular.
 */
function bareissForward(m: bigint[][], n: number): number {
  const width = m[0].length;
  let sign = 1;
  let prev = 1n;
  for (let k = 0; k < n; k++) {
    let p = k;
    while (p < n && m[p][k] === 0n) p++;
    if (p === n) return 0;
    if (p !== k) {
      [m[p], m[k]] = [m[k], m[p]];
      sign = -sign;
    }
    const mk = m[k];
    const piv = mk[k];
    for (let i = k + 1; i < n; i++) {
      const mi = m[i];
      const f = mi[k];
      if (f === 0n) {
        if (prev !== piv) for (let j = k + 1; j < width; j++) mi[j] = (piv * mi[j]) / prev;
      } else {
        for (let j = k + 1; j < width; j++) mi[j] = (piv * mi[j] - f * mk[j]) / prev;
      }
      mi[k] = 0n;
    }
    prev = piv;
  }
  return sign;
}

/**
 * det A, exactly: fraction-free elimination on the row-scaled integer matrix, det A = ±M_n / Π(row scales).
 * @throws ShapeMismatchError naming `name` unless A is square.
 */
export function detQ(a: RationalMatrix, name = 'A'): Rational {
  const n = assertSquareQ(a, name);
  const { m, scale } = integerRows(a);
  const sign = bareissForward(m, n);
  if (sign === 0) return ZERO;
  const den = scale.reduce((p, x) => p * x, 1n);
  return math.fraction(BigInt(sign) * m[n - 1][n - 1], den);
}

/**
 * A⁻¹, exactly (solves A X = I, see {@link solveQ}).
 * @throws ShapeMismatchError if A is not square; {@link SingularMatrixError} if det A = 0 exactly.
 */
export function invQ(a: RationalMatrix, name = 'A'): RationalMatrix {
  const n = assertSquareQ(a, name);
  return solveQ(a, identityQ(n), name);
}

/**
 * Solves A X = B exactly.
 *
 * @remarks
 * Fraction-free Gaussian elimination (Bareiss) with row pivoting on bigints: each row of [A | B] is scaled
 * to integers by the lcm of its denominators (which leaves X unchanged), the forward sweep keeps every
 * entry an integer minor, and back substitution computes the integers det·X (Cramer), so the only
 * fractions formed are the final entries X_ij = (det·X)_ij / det. There is no tolerance anywhere: a pivot is
 * zero only when it is exactly 0. (mathjs `lusolve` instead treats pivots below `absTol` as zero even for
 * Fractions, and fails on Hilbert H₁₄ with default settings — test/linalg/exact.test.ts shows it; it is
 * also 10–100× slower at these sizes.)
 * @param b B, a matrix with as many rows as A (one column for a vector, or use {@link solveVecQ}).
 * @throws ShapeMismatchError naming `name` (A not square) or `b`; {@link SingularMatrixError} naming `name`
 * if det A = 0 exactly.
 */
export function solveQ(a: RationalMatrix, b: RationalMatrix, name = 'A'): RationalMatrix {
  const n = assertSquareQ(a, name);
  if (!Array.isArray(b) || b.length !== n) throw new ShapeMismatchError('b', `${n} rows`, `${Array.isArray(b) ? b.length : 0} rows`);
  const cols = b[0].length;
  for (let i = 0; i < n; i++) if (!Array.isArray(b[i]) || b[i].length !== cols) throw new ShapeMismatchError('b', `rows of length ${cols}`, `row ${i} of length ${Array.isArray(b[i]) ? b[i].length : '?'}`);
  const { m } = integerRows(a.map((row, i) => [...row, ...b[i]]));
  if (bareissForward(m, n) === 0) throw new SingularMatrixError(name);
  const det = m[n - 1][n - 1];
  const out = zerosQ(n, cols).map((row) => [...row]);
  const X = new Array<bigint>(n);
  for (let c = 0; c < cols; c++) {
    // Row k reads m_kk x_k + Σ_{j>k} m_kj x_j = m_k,n+c; with X = det·x (integers) each division is exact.
    for (let k = n - 1; k >= 0; k--) {
      const mk = m[k];
      let acc = det * mk[n + c];
      for (let j = k + 1; j < n; j++) if (mk[j] !== 0n && X[j] !== 0n) acc -= mk[j] * X[j];
      X[k] = acc / mk[k];
    }
    for (let i = 0; i < n; i++) out[i][c] = math.fraction(X[i], det);
  }
  return out;
}

/** Solves A x = b for one vector. */
export function solveVecQ(a: RationalMatrix, b: readonly Rational[], name = 'A'): Rational[] {
  return solveQ(
    a,
    b.map((x) => [x]),
    name,
  ).map((row) => row[0]);
}

/** Thrown when an exact solve meets a singular matrix (det = 0 exactly). */
export class SingularMatrixError extends ShapeMismatchError {
  constructor(name: string) {
    super(name, 'a non-singular matrix', 'det = 0 exactly');
  }
}

/**
 * Nearest float64 of a rational, correctly rounded (ties to even); ±Infinity beyond the float64 range.
 *
 * @remarks
 * fraction.js's `valueOf()` computes Number(n)/Number(d): two roundings and a division, and NaN once both
 * n and d exceed 1.8e308 (e.g. (3^700 + 1)/3^700, which is about 1). This goes through {@link ratioToNumber}.
 */
export function toNumber(x: Rational): number {
  return ratioToNumber(x.s * x.n, x.d);
}

/** Number of bits of |x| (0 for 0). */
export function bitLength(x: bigint): number {
  if (x < 0n) x = -x;
  if (x === 0n) return 0;
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/** Greatest common divisor of two bigints (non-negative; gcd(0, 0) = 0). */
export function gcdBig(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * The float64 nearest to num/den (round to nearest, ties to even, subnormals included), for any bigints
 * with den ≠ 0. Overflow gives ±Infinity; |num/den| below half the smallest subnormal gives ±0.
 * @throws InvalidArgumentError if den = 0.
 */
export function ratioToNumber(num: bigint, den: bigint): number {
  if (den === 0n) throw new InvalidArgumentError('den', 'a non-zero denominator', '0');
  if (num === 0n) return 0;
  let negative = false;
  if (num < 0n) {
    num = -num;
    negative = true;
  }
  if (den < 0n) {
    den = -den;
    negative = !negative;
  }
  const e = bitLength(num) - bitLength(den); // num/den ∈ [2^(e−1), 2^(e+1))
  if (e > 1026) return negative ? -Infinity : Infinity;
  // Scale so that q = ⌊num·2^s/den⌋ has 54–55 bits, or stop at the subnormal resolution 2^−1074.
  const s = Math.min(54 - e, 1074);
  const n2 = s >= 0 ? num << BigInt(s) : num;
  const d2 = s >= 0 ? den : den << BigInt(-s);
  const q = n2 / d2;
  const rem = n2 - q * d2;
  const drop = Math.max(0, bitLength(q) - 53); // bits below float64 precision
  let m = q >> BigInt(drop);
  let roundUp: boolean;
  if (drop === 0) {
    const twice = 2n * rem;
    roundUp = twice > d2 || (twice === d2 && (m & 1n) === 1n);
  } else {
    const low = q & ((1n << BigInt(drop)) - 1n);
    const half = 1n << BigInt(drop - 1);
    roundUp = low > half || (low === half && (rem !== 0n || (m & 1n) === 1n));
  }
  if (roundUp) m += 1n;
  // m ≤ 2^53 is exact in float64; multiplying by a power of two is exact unless it overflows.
  const value = Number(m) * 2 ** (drop - s);
  return negative ? -value : value;
}

/** Matrix of nearest float64s. */
export function toNumberMatrix(a: RationalMatrix): number[][] {
  return a.map((row) => row.map(toNumber));
}

/** Exact string "p/q" (or "p" for integers), the form the CLI emits. */
export function toRationalString(x: Rational): string {
  return x.toFraction();
}

/** Symmetric check in exact arithmetic. */
export function isSymmetricQ(a: RationalMatrix): boolean {
  const n = a.length;
  if (a[0].length !== n) return false;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (!a[i][j].equals(a[j][i])) return false;
  return true;
}

/**
 * Cayley transform Q = (I − S)(I + S)⁻¹ of a rational skew-symmetric S, exactly.
 *
 * @remarks
 * For Sᵀ = −S the matrix I + S is invertible (its eigenvalues are 1 + iθ), (I − S) and (I + S)⁻¹ commute,
 * and QᵀQ = (I − S)⁻¹(I + S)(I − S)(I + S)⁻¹ = I. So Q is a rational orthogonal matrix (without −1 as an
 * eigenvalue), and Q D Qᵀ is a rational symmetric matrix whose eigenvalues are exactly the entries of a
 * rational diagonal D: the tests and the benchmark build matrices with known spectra this way.
 * @param s S (n×n, rational, Sᵀ = −S exactly).
 * @throws InvalidArgumentError naming `name` if S is not skew-symmetric.
 */
export function cayleyTransformQ(s: RationalMatrix, name = 'S'): RationalMatrix {
  const n = assertSquareQ(s, name);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      if (!s[i][j].equals(s[j][i].neg())) throw new InvalidArgumentError(`${name}[${i}][${j}]`, `a skew-symmetric matrix (Sᵀ = −S)`, `${s[i][j].toFraction()} against ${s[j][i].toFraction()}`);
    }
  }
  const eye = identityQ(n);
  return multiplyQ(subQ(eye, s), invQ(addQ(eye, s), name));
}
