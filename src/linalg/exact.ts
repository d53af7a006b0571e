/**
 * Exact rational linear algebra on mathjs Fractions (arbitrary-precision numerator/denominator).
 *
 * @remarks
 * Matrices are `Rational[][]` (arrays of rows). Inputs may be numbers (converted exactly: every float64
 * is a dyadic rational, so 0.1 becomes 3602879701896397/36028797018963968 — pass the string "1/10" when
 * you mean one tenth) or rational strings such as "3/7", "-2", "0.25".
 *
 * The measured mathjs pitfalls (shared/notes/ecosystem.md §4) are handled here once:
 * - `lusolve`/`lup` treat pivots below `absTol` as zero even for Fractions, so the instance is created with
 *   `absTol: 0` and a tiny `relTol` (0 is rejected by mathjs);
 * - BigNumber `eigs` returns wrong answers, so no exact or high-precision eigenvalue routine here uses it:
 *   eigenvalues are bounded instead by exact inertia counts (./inertia.ts).
 */
import { all, create, type Fraction, type MathJsInstance, type Matrix as MathMatrix } from 'mathjs';
import { NonFiniteError, ParseError, ShapeMismatchError } from '../errors.js';

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
    const n = decimalToFraction(num.trim());
    if (den === undefined) return n;
    const d = decimalToFraction(den.trim());
    if (d.n === 0n) throw new ParseError(name, `zero denominator in ${JSON.stringify(x)}`);
    return n.div(d);
  }
  throw new ParseError(name, `expected a number or a rational string, got ${typeof x}`);
}

function decimalToFraction(s: string): Rational {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) throw new ParseError('value', `not a decimal: ${JSON.stringify(s)}`);
  const [, sign, intPart, fracPart = '', expPart] = m;
  let num = BigInt((intPart || '0') + fracPart);
  let den = 10n ** BigInt(fracPart.length);
  const e = expPart ? Number(expPart) : 0;
  if (e > 0) num *= 10n ** BigInt(e);
  if (e < 0) den *= 10n ** BigInt(-e);
  if (sign === '-') num = -num;
  return math.fraction(num, den);
}

/** The exact dyadic rational equal to a finite float64 (no rounding to "nice" fractions). */
export function exactFromFloat(x: number): Rational {
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

/** A·B (checks inner dimensions). */
export function multiplyQ(a: RationalMatrix, b: RationalMatrix): RationalMatrix {
  if (a[0].length !== b.length) throw new ShapeMismatchError('b', `${a[0].length} rows (the columns of a)`, `${b.length} rows`);
  return a.map((row) =>
    b[0].map((_, j) => {
      let s = ZERO;
      for (let k = 0; k < row.length; k++) if (row[k].n !== 0n && b[k][j].n !== 0n) s = s.add(row[k].mul(b[k][j]));
      return s;
    }),
  );
}

/** A·v. */
export function matVecQ(a: RationalMatrix, v: readonly Rational[]): Rational[] {
  if (a[0].length !== v.length) throw new ShapeMismatchError('v', `length ${a[0].length}`, `length ${v.length}`);
  return a.map((row) => row.reduce((s, x, k) => s.add(x.mul(v[k])), ZERO));
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

function toMath(a: RationalMatrix): MathMatrix {
  return math.matrix(a);
}

function fromMath(m: MathMatrix | Rational[][]): RationalMatrix {
  const arr = (math.isMatrix(m) ? m.toArray() : m) as unknown as Rational[][];
  return arr.map((row) => (Array.isArray(row) ? row : [row as unknown as Rational]));
}

function assertSquareQ(a: RationalMatrix, name: string): number {
  if (a.length !== a[0].length) throw new ShapeMismatchError(name, 'a square matrix', `${a.length}×${a[0].length}`);
  return a.length;
}

function assertSameShape(a: RationalMatrix, b: RationalMatrix): void {
  if (a.length !== b.length || a[0].length !== b[0].length) throw new ShapeMismatchError('b', `${a.length}×${a[0].length}`, `${b.length}×${b[0].length}`);
}

/** det A, exactly (mathjs `det` on Fractions). */
export function detQ(a: RationalMatrix, name = 'A'): Rational {
  assertSquareQ(a, name);
  return math.det(toMath(a)) as unknown as Rational;
}

/**
 * A⁻¹, exactly (mathjs `inv` on Fractions).
 * @throws ShapeMismatchError if A is not square; {@link SingularMatrixError} if det A = 0 exactly.
 */
export function invQ(a: RationalMatrix, name = 'A'): RationalMatrix {
  assertSquareQ(a, name);
  if (detQ(a, name).n === 0n) throw new SingularMatrixError(name);
  return fromMath(math.inv(toMath(a)) as MathMatrix);
}

/**
 * Solves A X = B exactly (mathjs `lusolve` with `absTol: 0`, so tiny pivots are not mistaken for zero).
 * @param b a vector or a matrix with as many rows as A.
 */
export function solveQ(a: RationalMatrix, b: RationalMatrix, name = 'A'): RationalMatrix {
  const n = assertSquareQ(a, name);
  if (b.length !== n) throw new ShapeMismatchError('b', `${n} rows`, `${b.length} rows`);
  if (detQ(a, name).n === 0n) throw new SingularMatrixError(name);
  const cols = b[0].length;
  const out = zerosQ(n, cols);
  for (let j = 0; j < cols; j++) {
    const x = fromMath(math.lusolve(toMath(a), math.matrix(b.map((row) => [row[j]]))) as MathMatrix);
    for (let i = 0; i < n; i++) out[i][j] = x[i][0];
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

/** Nearest float64 of a rational. */
export function toNumber(x: Rational): number {
  return x.valueOf();
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
