/**
 * Killing tests for src/linalg/dense.ts (the linalg mutation run, README "Mutation testing"): what test/linalg/dense.test.ts
 * checks only by error class or argument prefix, pinned exactly (design: a typed error names the argument and says what
 * was expected and what came), and the branches its random draws do not reach: the symmetry tolerance at its edge,
 * Jacobi's equal-diagonal rotation and its sweep cap, CG's iteration cap, warm start at b = 0 and the exact scaling at
 * the top of the float64 range.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, test } from 'vitest';
import { NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../src/errors.js';
import { assertFiniteVector, assertSymmetric, choleskySolve, conditionNumber, conjugateGradient, dot, kron, norm2, symmetricEigen, toMatrix, unvec, vec } from '../../src/linalg/dense.js';
import { EPS, relativeError, relativeErrorVec } from '../../src/tolerance.js';
import { message } from './throws.js';

/** v ↦ A v for A = [[4, 1], [1, 3]] (A x = [1, 2] at x = [1/11, 7/11]). */
const mv = (v: readonly number[]): number[] => [4 * v[0] + v[1], v[0] + 3 * v[1]];

describe('dense.ts: argument checks, exact messages', () => {
  test('toMatrix: empty, ragged, empty rows, non-array rows, non-numbers; a Matrix passes through as itself', () => {
    expect(message(() => toMatrix([], 'X'), ShapeMismatchError)).toBe('X: expected shape a non-empty array of rows, got an array of length 0');
    expect(message(() => toMatrix('rows' as never, 'X'), ShapeMismatchError)).toBe('X: expected shape a non-empty array of rows, got string');
    expect(message(() => toMatrix([]), ShapeMismatchError)).toBe('matrix: expected shape a non-empty array of rows, got an array of length 0');
    expect(message(() => toMatrix([[1, 2], [3]], 'X'), ShapeMismatchError)).toBe('X: expected shape rows of length 2, got row 1 of length 1');
    expect(message(() => toMatrix([[1], 5 as never], 'X'), ShapeMismatchError)).toBe('X: expected shape rows of length 1, got row 1 of length ?');
    expect(message(() => toMatrix([[], []], 'X'), ShapeMismatchError)).toBe('X: expected shape rows of length 0, got row 0 of length 0');
    expect(message(() => toMatrix([[1, 2], [3, Number.NaN]], 'X'), NonFiniteError)).toBe('X[1][1]: expected a finite number, got NaN');
    expect(message(() => toMatrix([[1, '2' as never]], 'X'), NonFiniteError)).toBe('X[0][1]: expected a finite number, got "2"');
    expect(message(() => toMatrix(new Matrix([[1, 2], [Infinity, 4]]), 'M'), NonFiniteError)).toBe('M[1][0]: expected a finite number, got Infinity');
    expect(message(() => toMatrix(new Matrix([[1, -Infinity]]), 'M'), NonFiniteError)).toBe('M[0][1]: expected a finite number, got -Infinity');
    const m = new Matrix([[1, 2]]);
    expect(toMatrix(m)).toBe(m);
    expect(toMatrix([[1, 2], [3, 4]]).to2DArray()).toEqual([[1, 2], [3, 4]]);
  });

  test('vectors, kron, vec, unvec name their arguments', () => {
    expect(message(() => assertFiniteVector([1, '2' as never], 'b'), NonFiniteError)).toBe('b[1]: expected a finite number, got "2"');
    expect(message(() => assertFiniteVector([0, 1, -Infinity], 'b'), NonFiniteError)).toBe('b[2]: expected a finite number, got -Infinity');
    expect(message(() => kron([[Number.NaN]], [[1]]), NonFiniteError)).toBe('a[0][0]: expected a finite number, got NaN');
    expect(message(() => kron([[1]], [[Number.NaN]]), NonFiniteError)).toBe('b[0][0]: expected a finite number, got NaN');
    expect(message(() => vec([[1], [Number.NaN]]), NonFiniteError)).toBe('x[1][0]: expected a finite number, got NaN');
    expect(message(() => unvec([1, 2, 3], 2, 2), ShapeMismatchError)).toBe('v: expected shape length 4 (= 2×2), got length 3');
    expect(unvec([1, 2, 3, 4, 5, 6], 2, 3).to2DArray()).toEqual([[1, 3, 5], [2, 4, 6]]);
  });

  test('symmetricEigen / conditionNumber / choleskySolve messages', () => {
    expect(message(() => symmetricEigen([[1, 2, 3], [2, 4, 5]]), ShapeMismatchError)).toBe('a: expected shape a square matrix, got 2×3');
    expect(message(() => symmetricEigen([[1, 2], [3, 4]]), NotSymmetricError)).toBe('a: expected a symmetric matrix (entries [0][1] = 2 and [1][0] = 3 differ)');
    expect(message(() => conditionNumber([[1, 0], [0, -1]]), NotPositiveDefiniteError)).toBe('a: expected a symmetric positive definite matrix (smallest eigenvalue -1)');
    expect(message(() => choleskySolve([[1, 2], [2, 1]], [1, 1]), NotPositiveDefiniteError)).toBe('A: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
    expect(message(() => choleskySolve([[2, 0], [0, 2]], [1, 1, 1]), ShapeMismatchError)).toBe('b: expected shape 2 rows, got 3 rows');
    // An empty right-hand side is a vector of length 0 (not an empty matrix): the row count is what is wrong.
    expect(message(() => choleskySolve([[2, 0], [0, 2]], []), ShapeMismatchError)).toBe('b: expected shape 2 rows, got 0 rows');
    expect(message(() => choleskySolve([[2, 0], [0, 2]], [[1], [Number.NaN]]), NonFiniteError)).toBe('b[1][0]: expected a finite number, got NaN');
    expect(message(() => choleskySolve([[2, 0], [0, 2]], [1, Number.NaN]), NonFiniteError)).toBe('b[1]: expected a finite number, got NaN');
    // A Matrix right-hand side (several columns) is solved column by column.
    expect(choleskySolve([[4, 0], [0, 16]], new Matrix([[4, 8], [16, 32]])).to2DArray()).toEqual([[1, 2], [1, 2]]);
  });

  test('conjugateGradient messages', () => {
    expect(message(() => conjugateGradient(mv, [1, 2], { x0: [1] }), ShapeMismatchError)).toBe('x0: expected shape length 2, got length 1');
    expect(message(() => conjugateGradient(mv, [1, 2], { x0: [1, Number.NaN] }), NonFiniteError)).toBe('x0[1]: expected a finite number, got NaN');
    expect(message(() => conjugateGradient(() => [1], [1, 2]), ShapeMismatchError)).toBe('matvec: expected shape a vector of length 2, got length 1');
    expect(message(() => conjugateGradient(() => [1], [1, 2], { x0: [1, 1] }), ShapeMismatchError)).toBe('matvec: expected shape a vector of length 2, got length 1');
    expect(message(() => conjugateGradient(() => [Number.NaN, 0], [1, 2], { x0: [1, 1] }), NonFiniteError)).toBe('matvec[0]: expected a finite number, got NaN');
    expect(message(() => conjugateGradient((v) => [-v[0], v[1]], [1, 0]), NotPositiveDefiniteError)).toBe('matvec: expected a symmetric positive definite matrix (curvature pᵀAp = -1 at iteration 0)');
    // Zero curvature is not positive either.
    expect(message(() => conjugateGradient(() => [0, 0], [1, 0]), NotPositiveDefiniteError)).toBe('matvec: expected a symmetric positive definite matrix (curvature pᵀAp = 0 at iteration 0)');
  });
});

describe('dense.ts: edges of the numerics', () => {
  test('assertSymmetric: |a_ij − a_ji| ≤ relTol·max|a| passes at equality, the scale is max|a| over negative entries too', () => {
    expect(() => assertSymmetric(new Matrix([[1, 2], [2, 1]]), 'a', 0)).not.toThrow();
    expect(() => assertSymmetric(new Matrix([[1, 2], [2 + 2 ** -51, 1]]), 'a', 0)).toThrow(NotSymmetricError);
    // |2 − (2 + 2^−50)| = 2^−50 = relTol·scale with relTol = 2^−51 and scale 2: accepted.
    expect(() => assertSymmetric(new Matrix([[1, 2], [2 + 2 ** -50, 1]]), 'a', 2 ** -51)).not.toThrow();
    expect(() => assertSymmetric(new Matrix([[1, 2], [2 + 2 ** -49, 1]]), 'a', 2 ** -51)).toThrow(NotSymmetricError);
    // scale = max|a| = 1000 from the negative entry: 1e-10 asymmetry is within 1e-12·1000; against max a = 1 it is not.
    expect(() => assertSymmetric(new Matrix([[-1000, 1], [1 + 1e-10, 1]]), 'a')).not.toThrow();
    expect(() => assertSymmetric(new Matrix([[1000, 1], [1 + 1e-8, 1]]), 'a')).toThrow(NotSymmetricError);
    // The default tolerance is 1e-12 relative: 1e-11 asymmetry at scale 1 is rejected, 1e-13 accepted.
    expect(() => assertSymmetric(new Matrix([[1, 0.5], [0.5 + 1e-11, 1]]), 'a')).toThrow(NotSymmetricError);
    expect(() => assertSymmetric(new Matrix([[1, 0.5], [0.5 + 1e-13, 1]]), 'a')).not.toThrow();
  });

  test('symmetricEigen: equal diagonal entries (θ = 0) rotate by π/4; the sweep cap; eigenvectors only when asked', () => {
    const two = symmetricEigen([[2, 1], [1, 2]], { vectors: true });
    expect(two.values).toEqual([1, 3]);
    const v = two.vectors as Matrix;
    // A v = λ v for each column, |v| = 1.
    for (let k = 0; k < 2; k++) {
      const col = v.getColumn(k);
      expect(relativeErrorVec([2 * col[0] + col[1], col[0] + 2 * col[1]], col.map((x) => two.values[k] * x))).toBeLessThanOrEqual(4 * EPS);
      expect(relativeError(norm2(col), 1)).toBeLessThanOrEqual(2 * EPS);
    }
    expect(symmetricEigen([[0, 1], [1, 0]]).values).toEqual([-1, 1]);
    expect(symmetricEigen([[2, 1], [1, 2]]).vectors).toBeUndefined();
    // The rotation uses the exact symmetrisation ½(a_ij + a_ji): [[0, 1], [1 + 2^−45, 0]] has eigenvalues ±(1 + 2^−46).
    const halfway = symmetricEigen([[0, 1], [1 + 2 ** -45, 0]]).values;
    expect(halfway).toEqual([-(1 + 2 ** -46), 1 + 2 ** -46]);
    // maxSweeps: 0 sweeps return the sorted diagonal; one sweep of a 3×3 leaves off-diagonal mass (not yet converged).
    const a = [[4, 1, 2], [1, 3, 1], [2, 1, 5]];
    expect(symmetricEigen(a, { maxSweeps: 0 }).values).toEqual([3, 4, 5]);
    const full = symmetricEigen(a).values;
    const one = symmetricEigen(a, { maxSweeps: 1 }).values;
    expect(one).not.toEqual(full);
    expect(symmetricEigen(a, { maxSweeps: 60 }).values).toEqual(full);
    expect(full.reduce((s, x) => s + x, 0)).toBeCloseTo(12, 12);
  });

  test('conditionNumber: the general kind of a rectangular matrix, and the name in the spd error', () => {
    expect(relativeError(conditionNumber([[3, 0], [0, 1], [0, 0]], 'general'), 3)).toBeLessThanOrEqual(4 * EPS);
    expect(conditionNumber([[0, 0], [0, 0]], 'general')).toBe(Infinity);
    expect(relativeError(conditionNumber([[4, 0], [0, 1]]), 4)).toBe(0);
    expect(message(() => conditionNumber([[0, 0], [0, 1]], 'spd', 'G'), NotPositiveDefiniteError)).toBe('G: expected a symmetric positive definite matrix (smallest eigenvalue 0)');
  });

  test('conjugateGradient: the iteration cap, warm start at b = 0 (absolute target relTol), residualNorm, relTol', () => {
    const capped = conjugateGradient(mv, [1, 2], { maxIterations: 1 });
    expect(capped.iterations).toBe(1);
    expect(capped.converged).toBe(false);
    expect(capped.residualNorm).toBeGreaterThan(1e-3);
    const none = conjugateGradient(mv, [3, 4], { maxIterations: 0 });
    expect(none).toEqual({ x: [0, 0], iterations: 0, residualNorm: 5, converged: false });
    // The default cap is 10·n: a 2×2 converges within it.
    const full = conjugateGradient(mv, [1, 2]);
    expect(full.converged).toBe(true);
    expect(full.iterations).toBe(2);
    expect(full.residualNorm).toBeLessThanOrEqual(1e-12 * Math.sqrt(5));
    expect(relativeErrorVec(full.x, [1 / 11, 7 / 11])).toBeLessThanOrEqual(16 * EPS);
    // b = 0 with a warm start: the target is relTol absolute (‖b‖ = 0), and CG goes to x = 0.
    const warm = conjugateGradient(mv, [0, 0], { x0: [1, 1] });
    expect(warm.converged).toBe(true);
    expect(warm.iterations).toBeGreaterThanOrEqual(1);
    expect(norm2(warm.x)).toBeLessThanOrEqual(1e-12);
    // A loose relTol stops early: at 0.5 one step of CG suffices here.
    const loose = conjugateGradient(mv, [1, 2], { relTol: 0.5 });
    expect(loose.iterations).toBe(1);
    expect(loose.converged).toBe(true);
    expect(loose.residualNorm).toBeLessThanOrEqual(0.5 * Math.sqrt(5));
  });

  test('conjugateGradient at the top of the float64 range: b = [MAX_VALUE, 0] (log2 ‖b‖ rounds to 1024, scaled by 2^1023)', () => {
    const res = conjugateGradient(mv, [Number.MAX_VALUE, 0]);
    expect(res.converged).toBe(true);
    expect(relativeErrorVec(res.x, [(3 / 11) * Number.MAX_VALUE, (-1 / 11) * Number.MAX_VALUE])).toBeLessThanOrEqual(16 * EPS);
    expect(res.residualNorm).toBeLessThanOrEqual(1e-12 * Number.MAX_VALUE);
  });

  test('dot and norm2', () => {
    expect(dot([1, 2, 3], [4, -5, 6])).toBe(12);
    expect(dot([], [])).toBe(0);
    expect(norm2([3, 4])).toBe(5);
  });
});
