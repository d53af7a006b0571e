/**
 * Killing tests for src/linalg/dense.ts, fourth round: Jacobi's skip threshold near the top of the float64 range
 * (README "Mutation testing"). `symmetricEigen` skips a rotation when |a_pq| ≤ ε·√|a_pp a_qq|; the product a_pp a_qq
 * overflows to +Infinity once both diagonals pass ~1.3e154, and the threshold with it, so every off-diagonal entry was
 * zeroed unrotated and the diagonal came back as the eigenvalues (found through src/theory/input.ts's
 * `conditioningChecked`, 2026-12-07: κ(G) = 1 for G = [[2^1000, 2^999], [2^999, 2^1000]], whose κ is 3). The threshold
 * is now √|a_pp|·√|a_qq| when the product overflows, and the product's root, bit for bit as before, when it does not.
 * Oracles: 2^k·[[2, 1], [1, 2]] has eigenvalues 2^k and 3·2^k, exact in float64, and eigenvectors (1, ∓1)/√2.
 */
import { describe, expect, test } from 'vitest';
import { conditionNumber, symmetricEigen } from '../../src/linalg/dense.js';

/** 2^k·[[2, 1], [1, 2]]. */
const scaled = (k: number): number[][] => [
  [2 ** (k + 1), 2 ** k],
  [2 ** k, 2 ** (k + 1)],
];

describe('symmetricEigen: diagonals whose product overflows', () => {
  test.each([500, 1000, 1022])('2^%i·[[2, 1], [1, 2]]: eigenvalues 2^k and 3·2^k (ascending), to a few ulps', (k) => {
    const { values } = symmetricEigen(scaled(k));
    expect(values).toHaveLength(2);
    expect(Math.abs(values[0] - 2 ** k)).toBeLessThanOrEqual(4 * Number.EPSILON * 3 * 2 ** k);
    expect(Math.abs(values[1] - 3 * 2 ** k)).toBeLessThanOrEqual(4 * Number.EPSILON * 3 * 2 ** k);
  });

  test('the eigenvectors rotate too: (1, ∓1)/√2 up to sign, at 2^1000', () => {
    const { vectors } = symmetricEigen(scaled(1000), { vectors: true });
    if (vectors === undefined) throw new Error('symmetricEigen returned no vectors with { vectors: true }');
    const v = vectors.to2DArray();
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(v[0][j])).toBeCloseTo(Math.SQRT1_2, 14);
      expect(Math.abs(v[1][j])).toBeCloseTo(Math.SQRT1_2, 14);
    }
    expect(Math.sign(v[0][0] * v[1][0])).toBe(-1); // λ = 2^k: (1, −1)
    expect(Math.sign(v[0][1] * v[1][1])).toBe(1); // λ = 3·2^k: (1, 1)
  });

  test('κ of 2^1000·[[2, 1], [1, 2]] is 3, as at 2^0', () => {
    expect(conditionNumber(scaled(0))).toBeCloseTo(3, 14);
    expect(conditionNumber(scaled(1000))).toBeCloseTo(3, 14);
  });

  test('a negligible off-diagonal entry next to huge diagonals is still skipped: diag(2^1000, 2^1001) + 2^900 off the diagonal', () => {
    // |a_pq| = 2^900 ≤ ε·√(2^1000·2^1001): the eigenvalues are the diagonal to within 2^800 (far below an ulp).
    const { values } = symmetricEigen([
      [2 ** 1000, 2 ** 900],
      [2 ** 900, 2 ** 1001],
    ]);
    expect(values).toEqual([2 ** 1000, 2 ** 1001]);
  });
});
