/**
 * Killing tests for src/linalg/dense.ts, third round: choleskySolve on a matrix that is symmetric only to rounding
 * (README "Mutation testing"). assertSymmetric accepts an asymmetry up to 1e-12 relative, but ml-matrix's Cholesky
 * throws an untyped `Error('Matrix is not symmetric')` on any asymmetry at all, so such a matrix (a user's A read from
 * JSON, a Hessian assembled in float64) escaped as an untyped error (found through src/theory/appE/math.ts's
 * `validate`, 2026-12-07). choleskySolve now factors the lower triangle mirrored, LAPACK's convention: these pin that
 * it is the lower triangle (bit for bit the solve of the mirrored matrix), that the diagonal is kept, that the
 * caller's Matrix is not touched, and that a genuine asymmetry is still a NotSymmetricError naming the matrix.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, test } from 'vitest';
import { NotSymmetricError } from '../../src/errors.js';
import { choleskySolve } from '../../src/linalg/dense.js';
import { expectThrows } from './throws.js';

const ULP1 = 1.0000000000000002; // 1 + 2^-52

describe('choleskySolve: symmetric to rounding', () => {
  test('an asymmetry of one ulp: the solve of the lower triangle mirrored, bit for bit (2×2 and 3×3)', () => {
    const lower = choleskySolve([[4, 1], [1, 3]], [1, 2]).to1DArray();
    expect(choleskySolve([[4, ULP1], [1, 3]], [1, 2]).to1DArray()).toEqual(lower);
    const upper = choleskySolve([[4, ULP1], [ULP1, 3]], [1, 2]).to1DArray();
    expect(upper).not.toEqual(lower);
    expect(choleskySolve([[4, 1], [ULP1, 3]], [1, 2]).to1DArray()).toEqual(upper);
    const a3 = [[5, 1, 0.5], [1, 4, 2], [0.5, 2, 6]];
    const b3 = [1, -1, 2];
    const want = choleskySolve(a3, b3).to1DArray();
    const skew = [[5, ULP1, 0.5000000000000001], [1, 4, 2.0000000000000004], [0.5, 2, 6]];
    expect(choleskySolve(skew, b3).to1DArray()).toEqual(want);
  });

  test('the caller\'s Matrix is left as it was', () => {
    const m = new Matrix([[4, ULP1], [1, 3]]);
    choleskySolve(m, [1, 2]);
    expect(m.to2DArray()).toEqual([[4, ULP1], [1, 3]]);
  });

  test('a genuine asymmetry is still a NotSymmetricError naming the matrix', () => {
    expectThrows(() => choleskySolve([[4, 1.5], [1, 3]], [1, 2], 'H'), NotSymmetricError, 'H', 'H: expected a symmetric matrix (entries [0][1] = 1.5 and [1][0] = 1 differ)');
  });
});
