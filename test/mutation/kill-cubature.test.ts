/**
 * Killing tests for src/linalg/cubature.ts (`gaussianMomentRule`): the Stryker survivors of 2026-12-07 (README,
 * "Mutation testing"). The typed errors name the argument and say exactly what was expected and what came
 * (design: bad input gets a typed error naming the argument), and symmetry is checked on its own, not only
 * through the LDLᵀ pivots (docs/math.md#s0-1: the moment rule is exact for symmetric positive definite Σ).
 */
import { describe, expect, test } from 'vitest';
import { NotPositiveDefiniteError, ShapeMismatchError } from '../../src/errors.js';
import { gaussianMomentRule } from '../../src/linalg/cubature.js';
import { math, rationalMatrix, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { thrown } from './throws.js';

describe('gaussianMomentRule: exact error messages', () => {
  test('empty input and a non-array: ShapeMismatchError naming `covariance`, with the expected shape and what came', () => {
    const empty = thrown(() => gaussianMomentRule([]));
    expect(empty).toBeInstanceOf(ShapeMismatchError);
    expect(empty.argument).toBe('covariance');
    expect(empty.message).toBe('covariance: expected shape a non-empty h×h matrix or a vector of h variances, got an empty array');
    const notArray = thrown(() => gaussianMomentRule('Σ' as unknown as Rational[]));
    expect(notArray.message).toBe('covariance: expected shape a non-empty h×h matrix or a vector of h variances, got string');
  });

  test('a ragged matrix and a row that is not an array: ShapeMismatchError with the row and its length', () => {
    const ragged = thrown(() => gaussianMomentRule([[math.fraction(1), math.fraction(0)], [math.fraction(0)]]));
    expect(ragged).toBeInstanceOf(ShapeMismatchError);
    expect(ragged.argument).toBe('covariance');
    expect(ragged.message).toBe('covariance: expected shape a square matrix, got 2 rows, row 1 of length 1');
    const notRow = thrown(() => gaussianMomentRule([[math.fraction(1), math.fraction(0)], math.fraction(1)] as unknown as RationalMatrix));
    expect(notRow.message).toBe('covariance: expected shape a square matrix, got 2 rows, row 1 of length ?');
  });
});

describe('gaussianMomentRule: symmetry is checked, not inferred from the pivots', () => {
  test('Σ = [[2, 0], [1, 2]]: its lower triangle has positive pivots (2, 3/2), yet Σ is not symmetric → NotPositiveDefiniteError (not symmetric)', () => {
    const e = thrown(() => gaussianMomentRule(rationalMatrix([[2, 0], [1, 2]])));
    expect(e).toBeInstanceOf(NotPositiveDefiniteError);
    expect(e.argument).toBe('covariance');
    expect(e.message).toBe('covariance: expected a symmetric positive definite matrix (not symmetric)');
    // The same lower triangle, symmetrized, is accepted: the refusal above is the symmetry check's alone.
    expect(gaussianMomentRule(rationalMatrix([[2, 1], [1, 2]])).weights).toHaveLength(5);
  });

  test('a zero pivot names the pivot and its exact value', () => {
    const e = thrown(() => gaussianMomentRule(rationalMatrix([[1, 1], [1, 1]])));
    expect(e.message).toBe('covariance: expected a symmetric positive definite matrix (pivot 1 is 0)');
  });
});
