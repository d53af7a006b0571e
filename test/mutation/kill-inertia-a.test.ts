/**
 * Killing tests for src/linalg/inertia.ts, part a (the linalg mutation run, README "Mutation testing"): the shape and
 * symmetry refusals of `inertia` / `inertiaAt` / `countEigenvaluesBelow` and the option refusals of
 * `certifiedEigenvalue`, pinned exactly with their default argument names (a typed error names the argument and says
 * what was expected and what came); Gershgorin's bounds in closed form; fraction-free elimination through a 2×2 pivot
 * taken after a pivot ≠ ±1 (the new leading minor is −c²/prev); the probe grid 1/den of a proposed bracket (den the
 * least common denominator of A, so that A − tI needs no larger one); certification of a matrix that float64 cannot
 * hold (no float guess, bisection only); and the exact solves of the Rayleigh-quotient iteration, whose null vector
 * proves a singular matrix's eigenvalue 0 with one exact count.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotSymmetricError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { symmetricEigen } from '../../src/linalg/dense.js';
import { math, rationalMatrix, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { certifiedEigenvalue, countEigenvaluesBelow, gershgorinBounds, inertia, inertiaAt, type CertifyStats } from '../../src/linalg/inertia.js';
import { message } from './throws.js';

const q = (p: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(p), BigInt(d));
const fresh = (): CertifyStats => ({ probes: 0, bisections: 0, solves: 0 });

describe('shape and symmetry refusals, exact messages and default names', () => {
  test('not an array, empty, a non-array row (row 0 too), a short row, asymmetric', () => {
    expect(message(() => inertia([]), ShapeMismatchError)).toBe('A: expected shape a non-empty square matrix, got an empty array');
    expect(message(() => inertia(null as never), ShapeMismatchError)).toBe('A: expected shape a non-empty square matrix, got object');
    expect(message(() => inertia('ab' as never, 'M'), ShapeMismatchError)).toBe('M: expected shape a non-empty square matrix, got string');
    // An array-like object is not a matrix, even when its entry 0 is a fine row.
    expect(message(() => inertia({ 0: [q(1)], length: 1 } as never), ShapeMismatchError)).toBe('A: expected shape a non-empty square matrix, got object');
    // A non-empty array whose row 0 is not an array is a bad row, not "an empty array".
    expect(message(() => inertia([q(5)] as never), ShapeMismatchError)).toBe('A: expected shape a square matrix, got 1 rows, row 0 of length ?');
    expect(message(() => inertia([[q(1), q(2)], q(5)] as never), ShapeMismatchError)).toBe('A: expected shape a square matrix, got 2 rows, row 1 of length ?');
    expect(message(() => inertia([[q(1), q(2)], [q(3)]]), ShapeMismatchError)).toBe('A: expected shape a square matrix, got 2 rows, row 1 of length 1');
    expect(message(() => inertia(rationalMatrix([[1, 2, 3], [2, 4, 5]])), ShapeMismatchError)).toBe('A: expected shape a square matrix, got 2 rows, row 0 of length 3');
    expect(message(() => inertia(rationalMatrix([[1, 2], [3, 4]])), NotSymmetricError)).toBe('A: expected a symmetric matrix (exact symmetry required for an inertia count)');
    expect(message(() => inertia(rationalMatrix([[1, 2], [3, 4]]), 'H'), NotSymmetricError)).toBe('H: expected a symmetric matrix (exact symmetry required for an inertia count)');
  });

  test('inertiaAt and countEigenvaluesBelow name A by default and the shift t', () => {
    const asym = rationalMatrix([[1, 2], [3, 4]]);
    expect(message(() => inertiaAt(asym, 0), NotSymmetricError)).toBe('A: expected a symmetric matrix (exact symmetry required for an inertia count)');
    expect(message(() => countEigenvaluesBelow(asym, 0), NotSymmetricError)).toBe('A: expected a symmetric matrix (exact symmetry required for an inertia count)');
    expect(message(() => countEigenvaluesBelow([], 0, 'G'), ShapeMismatchError)).toBe('G: expected shape a non-empty square matrix, got an empty array');
    const a = rationalMatrix([[2, 1], [1, 2]]); // eigenvalues 1 and 3
    expect(message(() => inertiaAt(a, Number.NaN), NonFiniteError)).toBe('t: expected a finite number, got NaN');
    expect(message(() => countEigenvaluesBelow(a, '1/x'), ParseError)).toBe('t: expected a rational such as "3/7" or "-0.25", got "1/x"');
    expect(inertiaAt(a, '1')).toEqual({ positive: 1, negative: 0, zero: 1 });
    expect(countEigenvaluesBelow(a, '3/1')).toBe(1);
  });
});

describe('certifiedEigenvalue: option refusals, exact messages', () => {
  const a = rationalMatrix([[2, 1], [1, 2]]); // eigenvalues 1 and 3, eigenvectors (1, ∓1)/√2

  test('relWidth in [0, 1), absWidth finite ≥ 0, not both 0, maxIterations an integer ≥ 0', () => {
    expect(message(() => certifiedEigenvalue(a, 0, { relWidth: 1 }), InvalidArgumentError)).toBe('options.relWidth: expected a number in [0, 1), got 1');
    expect(message(() => certifiedEigenvalue(a, 0, { absWidth: -1 }), InvalidArgumentError)).toBe('options.absWidth: expected a finite number ≥ 0, got -1');
    expect(message(() => certifiedEigenvalue(a, 0, { absWidth: Infinity }), InvalidArgumentError)).toBe('options.absWidth: expected a finite number ≥ 0, got Infinity');
    expect(message(() => certifiedEigenvalue(a, 0, { relWidth: 0 }), InvalidArgumentError)).toBe('options: expected relWidth > 0 or absWidth > 0, got "both 0"');
    expect(message(() => certifiedEigenvalue(a, 0, { maxIterations: -1 }), InvalidArgumentError)).toBe('options.maxIterations: expected an integer ≥ 0, got -1');
    expect(message(() => certifiedEigenvalue(a, 0, { maxIterations: 0.5 }), InvalidArgumentError)).toBe('options.maxIterations: expected an integer ≥ 0, got 0.5');
  });

  test('maxIterations 0 is allowed: the exact Rayleigh quotient of Jacobi vector (1, −1)/√2 meets Gershgorin lo = 1, no bisection', () => {
    const stats = fresh();
    const iv = certifiedEigenvalue(a, 0, { maxIterations: 0, stats });
    expect([iv.lo.toFraction(), iv.hi.toFraction()]).toEqual(['1', '1']);
    expect(stats.bisections).toBe(0);
    // relWidth 0 is fine with absWidth > 0.
    const top = certifiedEigenvalue(a, 1, { relWidth: 0, absWidth: 1e-9 });
    expect(top.lo.compare(3)).toBeLessThanOrEqual(0);
    expect(top.hi.compare(3)).toBeGreaterThanOrEqual(0);
  });
});

describe('gershgorinBounds: discs a_ii ± Σ_{j≠i} |a_ij|', () => {
  test('[[1/2, −1/3], [−1/3, 2]]: discs [1/6, 5/6] and [5/3, 7/3]', () => {
    const g = gershgorinBounds(rationalMatrix([['1/2', '-1/3'], ['-1/3', '2']]));
    expect([g.lo.toFraction(), g.hi.toFraction()]).toEqual(['1/6', '7/3']);
  });

  test('[[1, −2, 0], [−2, 5, 3], [0, 3, −4]]: discs [−1, 3], [0, 10], [−7, −1]', () => {
    const g = gershgorinBounds(rationalMatrix([[1, -2, 0], [-2, 5, 3], [0, 3, -4]]));
    expect([g.lo.toFraction(), g.hi.toFraction()]).toEqual(['-7', '10']);
  });
});

/** Signs of the float64 Jacobi eigenvalues (an independent oracle where every |λ| is far above its error). */
function floatInertia(a: readonly (readonly number[])[]): { positive: number; negative: number; zero: number } {
  const values = symmetricEigen(a.map((r) => [...r])).values;
  for (const v of values) expect(Math.abs(v)).toBeGreaterThan(0.1);
  const positive = values.filter((v) => v > 0).length;
  return { positive, negative: values.length - positive, zero: 0 };
}

describe('inertia through 2×2 pivots taken after a pivot ≠ ±1', () => {
  test('[2] ⊕ B with zero-diagonal B: pivot 2, then [[0, 2], [2, 0]] (leading minor −c²/prev = −2), then more', () => {
    // Eigenvalues −3.163, −0.651, 0.132, 2, 3.682 (det = 2·det B = 2): inertia (3, 2, 0).
    const m = [[2, 0, 0, 0, 0], [0, 0, 1, 1, 0], [0, 1, 0, 3, -1], [0, 1, 3, 0, 0], [0, 0, -1, 0, 0]];
    expect(floatInertia(m)).toEqual({ positive: 3, negative: 2, zero: 0 });
    expect(inertia(rationalMatrix(m))).toEqual({ positive: 3, negative: 2, zero: 0 });
    // Eigenvalues −2.170, −0.311, 1, 1.481, 2: (3, 2, 0), the pivot 2 last.
    const m2 = [[0, -1, -1, -1, 0], [-1, 0, -1, 0, 0], [-1, -1, 0, 0, 0], [-1, 0, 0, 0, 0], [0, 0, 0, 0, 2]];
    expect(floatInertia(m2)).toEqual({ positive: 3, negative: 2, zero: 0 });
    expect(inertia(rationalMatrix(m2))).toEqual({ positive: 3, negative: 2, zero: 0 });
    // The same spectrum shifted: A − tI at t = 1/2 (λ = 1, 1.481, 2 above; the rest below).
    expect(inertiaAt(rationalMatrix(m2), '1/2')).toEqual({ positive: 3, negative: 2, zero: 0 });
    expect(inertiaAt(rationalMatrix(m2), 1)).toEqual({ positive: 2, negative: 2, zero: 1 });
  });
});

describe('certifiedEigenvalue: the probe grid, float64 overflow, exact solves', () => {
  test('a proposed bracket is probed on the grid 1/24, 24 = lcm of the denominators 3, 2, 8 of A', () => {
    const a: RationalMatrix = rationalMatrix([['0', '0', '2/3', '-1/2'], ['0', '0', '-5/2', '7/8'], ['2/3', '-5/2', '0', '4/3'], ['-1/2', '7/8', '4/3', '0']]);
    const lambda = symmetricEigen(a.map((r) => r.map((x) => Number(x.s * x.n) / Number(x.d)))).values; // −3.382, −0.061, 0.824, 2.618
    for (const k of [1, 2]) {
      const iv = certifiedEigenvalue(a, k, { absWidth: 8 }); // half-width 8/4 = 2: 24·2 ≥ 8, so the 1/24 grid is fine enough
      for (const end of [iv.lo, iv.hi]) expect(24n % end.d).toBe(0n);
      expect(iv.lo.compare(lambda[k])).toBeLessThan(0);
      expect(iv.hi.compare(lambda[k])).toBeGreaterThan(0);
      expect(iv.hi.sub(iv.lo).compare(8)).toBeLessThanOrEqual(0);
    }
    const [lo1, hi1] = [certifiedEigenvalue(a, 1, { absWidth: 8 }).lo, certifiedEigenvalue(a, 1, { absWidth: 8 }).hi];
    expect([lo1.toFraction(), hi1.toFraction()]).toEqual(['-49/24', '47/24']); // −0.061 ∓ 2 rounded to the grid
  });

  test('an entry 10^400 (no float64 value): no Jacobi guess, bisection certifies λ_min = 1 of diag(10^400, 1)', () => {
    const big = 10n ** 400n;
    const a: RationalMatrix = [[q(big), q(0)], [q(0), q(1)]];
    const stats = fresh();
    const iv = certifiedEigenvalue(a, 0, { relWidth: 0.5, stats });
    expect(iv.lo.compare(1)).toBeLessThanOrEqual(0);
    expect(iv.hi.compare(1)).toBeGreaterThanOrEqual(0);
    expect(iv.hi.sub(iv.lo).compare(iv.lo.abs().mul(q(1, 2)))).toBeLessThanOrEqual(0);
    expect(stats.solves).toBe(0); // no float guess, so no Rayleigh-quotient iteration either
    const top = certifiedEigenvalue(a, 1, { relWidth: 0.5 });
    expect(top.lo.compare(q(big))).toBeLessThanOrEqual(0);
    expect(top.hi.compare(q(big))).toBeGreaterThanOrEqual(0);
  });

  test("singular A: exact solves from Jacobi's null vector find σ = 0, and one exact count proves λ_k = 0", () => {
    // [[0, −4, −5], [−4, 0, 0], [−5, 0, 0]]: eigenvalues −√41, 0, √41, null vector (0, 5, −4). The first exact solve
    // (A − σI)x = v at Jacobi's σ ≈ 0 returns x ∝ (0, 5, −4) in float64, whose exact Rayleigh quotient is 0; the
    // second, at σ = 0, finds A − 0·I singular; the count at 0 then proves λ_1 = 0. A wrong solve costs more work.
    const stats = fresh();
    const iv = certifiedEigenvalue(rationalMatrix([[0, -4, -5], [-4, 0, 0], [-5, 0, 0]]), 1, { stats });
    expect([iv.lo.toFraction(), iv.hi.toFraction()]).toEqual(['0', '0']);
    expect(stats).toEqual({ probes: 1, bisections: 0, solves: 2 });
    // Rank 2 (rows 0, 1, 3 are multiples of e₂): 0 is a double eigenvalue, λ_1 = λ_2 = 0, each proved the same way.
    const b = rationalMatrix([['0', '0', '4/3', '0'], ['0', '0', '-7/8', '0'], ['4/3', '-7/8', '0', '7'], ['0', '0', '7', '0']]);
    for (const k of [1, 2]) {
      const s = fresh();
      const jv = certifiedEigenvalue(b, k, { stats: s });
      expect([jv.lo.toFraction(), jv.hi.toFraction()]).toEqual(['0', '0']);
      expect(s).toEqual({ probes: 1, bisections: 0, solves: 2 });
    }
  });
});
