/**
 * Killing tests for src/linalg/exact.ts, second round (the survivors of the linalg run of 2026-12-07 against
 * test/linalg/*.test.ts and kill-exact.test.ts; README "Mutation testing"): the shared mathjs instance's exact-work
 * configuration (absTol 0, so Fraction `lusolve` solves Hilbert H₁₄, which a default-config instance cannot), the
 * default argument name `A` of solveQ / solveVecQ, shape errors for `null` and for a row-count mismatch with equal
 * column counts, and ratioToNumber's correct rounding with a negative denominator and at a subnormal tie (ties to even).
 * Every expected float comes from IEEE arithmetic on exact operands (one correctly rounded division or product), not
 * from the code under test.
 */
import type { ConfigOptions } from 'mathjs';
import { describe, expect, test } from 'vitest';
import { ShapeMismatchError } from '../../src/errors.js';
import { addQ, detQ, invQ, math, rationalMatrix, ratioToNumber, SingularMatrixError, solveQ, solveVecQ, subQ, toNumber, zerosQ, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { message } from './throws.js';

const q = (n: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(n), BigInt(d));

/** Hilbert matrix H_n, (H_n)_ij = 1/(i + j + 1) (0-based), built with the shared instance. */
function hilbert(n: number): RationalMatrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => q(1, i + j + 1)));
}

describe('exact.ts: second-round killing tests', () => {
  test('the shared mathjs instance is configured for exact work: absTol 0, relTol 1e-60; Fraction lusolve solves H₁₄ exactly', () => {
    const config = (math.config as () => ConfigOptions)(); // config() with no argument reads (the types ask for one)
    expect({ absTol: config.absTol, relTol: config.relTol }).toEqual({ absTol: 0, relTol: 1e-60 });
    // b = H₁₄·1 (row sums), so x = 1 exactly. A default-config instance (absTol 1e-15) reads a pivot of H₁₄ as zero
    // and throws "Division by Zero" here (test/linalg/exact.test.ts, "the absTol pitfall").
    const h = hilbert(14);
    const b = h.map((row) => [row.reduce((s, x) => s.add(x), q(0))]);
    const x = math.lusolve(math.matrix(h), math.matrix(b)).valueOf() as unknown as Rational[][];
    expect(x.map((row) => row[0].toFraction())).toEqual(new Array<string>(14).fill('1'));
  });

  test('solveQ and solveVecQ name the matrix `A` by default, in the shape and the singularity errors', () => {
    const singular = rationalMatrix([[1, 2], [2, 4]]);
    expect(message(() => solveQ(singular, [[q(1)], [q(2)]]), SingularMatrixError)).toBe('A: expected shape a non-singular matrix, got det = 0 exactly');
    expect(message(() => solveVecQ(singular, [q(1), q(2)]), SingularMatrixError)).toBe('A: expected shape a non-singular matrix, got det = 0 exactly');
    expect(message(() => solveQ(zerosQ(1, 2), [[q(1)]]), ShapeMismatchError)).toBe('A: expected shape a square matrix, got 1×2');
    expect(message(() => solveVecQ(zerosQ(2, 1), [q(1), q(2)]), ShapeMismatchError)).toBe('A: expected shape a square matrix, got 2×1');
    // A name given is used instead.
    expect(message(() => solveVecQ(singular, [q(1), q(2)], 'M'), SingularMatrixError)).toBe('M: expected shape a non-singular matrix, got det = 0 exactly');
  });

  test('a null or undefined matrix is a ShapeMismatchError naming it (typeof), not a TypeError', () => {
    expect(message(() => detQ(null as never), ShapeMismatchError)).toBe('A: expected shape a non-empty square matrix, got object');
    expect(message(() => invQ(undefined as never, 'M'), ShapeMismatchError)).toBe('M: expected shape a non-empty square matrix, got undefined');
    expect(message(() => solveQ(null as never, [[q(1)]]), ShapeMismatchError)).toBe('A: expected shape a non-empty square matrix, got object');
  });

  test('addQ / subQ: the row counts are compared, not only the column counts', () => {
    expect(message(() => addQ(zerosQ(2, 2), zerosQ(3, 2)), ShapeMismatchError)).toBe('b: expected shape 2×2, got 3×2');
    expect(message(() => subQ(zerosQ(3, 2), zerosQ(2, 2)), ShapeMismatchError)).toBe('b: expected shape 3×2, got 2×2');
    expect(message(() => subQ(zerosQ(1, 3), zerosQ(2, 3)), ShapeMismatchError)).toBe('b: expected shape 1×3, got 2×3');
  });

  test('ratioToNumber with a negative denominator: correctly rounded, the sign carried (ratios whose rounding is not exact)', () => {
    // Small integers are exact doubles, so the JS quotient is the correctly rounded value of the ratio.
    for (const [num, den] of [[1n, -10n], [-1n, -10n], [10n, -3n], [-10n, -3n], [1n, -7n], [2n, -3n], [123456789n, -1000n]] as const) {
      expect({ num, den, value: ratioToNumber(num, den) }).toEqual({ num, den, value: Number(num) / Number(den) });
    }
    expect(ratioToNumber(1n, -10n)).toBe(-0.1);
  });

  test('ratioToNumber / toNumber at subnormal ties (no dropped bits): ties go to the even multiple of 2^−1074', () => {
    const unit = 2n ** 1075n; // k/2^1075 = (k/2)·Number.MIN_VALUE: a tie between two subnormals for odd k
    // IEEE multiplication is correctly rounded, ties to even: 1.5·MIN → 2·MIN, 2.5·MIN → 2·MIN, 3.5·MIN → 4·MIN, 0.5·MIN → 0.
    for (const k of [1n, 3n, 5n, 7n, 9n]) {
      const want = Number.MIN_VALUE * (Number(k) / 2);
      expect({ k, value: ratioToNumber(k, unit) }).toEqual({ k, value: want });
      expect({ k, value: toNumber(q(-k, unit)) }).toEqual({ k, value: -want });
    }
    expect(ratioToNumber(3n, unit)).toBe(2 * Number.MIN_VALUE);
    expect(ratioToNumber(7n, unit)).toBe(4 * Number.MIN_VALUE);
    // Just above a tie rounds up whatever the parity: (3·2^1075 + 1)/2^1076 is a hair above 1.5·MIN.
    expect(ratioToNumber(3n * unit + 1n, unit * 2n ** 1075n)).toBe(2 * Number.MIN_VALUE);
    expect(ratioToNumber(5n * unit + 1n, unit * 2n ** 1075n)).toBe(3 * Number.MIN_VALUE);
  });
});
