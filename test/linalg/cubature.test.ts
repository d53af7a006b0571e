/**
 * The signed (2h+1)-point rule (src/linalg/cubature.ts): exact, in rational arithmetic, for E over
 * ε ∼ N(0, Σ) of every monomial of total degree ≤ 3 — moments 1, 0, Σ, 0 — for full (not only diagonal)
 * rational SPD Σ.
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { NotPositiveDefiniteError, ShapeMismatchError } from '../../src/errors.js';
import { gaussianMomentRule, type RationalRule } from '../../src/linalg/cubature.js';
import { addQ, identityQ, math, multiplyQ, rationalMatrix, scaleQ, transposeQ, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';

const ZERO = math.fraction(0);

/** Σ_i w_i Π_k x_{i, idx_k}: the rule applied to the monomial ε_{idx_0} ε_{idx_1} … */
function applyRule(rule: RationalRule, idx: readonly number[]): Rational {
  return rule.points.reduce((s, x, i) => s.add(idx.reduce((p, k) => p.mul(x[k]), rule.weights[i])), ZERO);
}

/** Rational SPD Σ = F Fᵀ + δ I, full (F lower-and-upper random), h ∈ [1, 4], δ ∈ {1/1000, 1/10, 1}. */
const covarianceArb = fc
  .integer({ min: 1, max: 4 })
  .chain((h) =>
    fc.tuple(
      fc.array(fc.array(fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: 1, max: 6 })), { minLength: h, maxLength: h }), { minLength: h, maxLength: h }),
      fc.constantFrom('1/1000', '1/10', '1'),
    ),
  )
  .map(([f, delta]) => {
    const F: RationalMatrix = f.map((row) => row.map(([p, q]) => math.fraction(p, q)));
    return addQ(multiplyQ(F, transposeQ(F)), scaleQ(identityQ(F.length), delta));
  });

describe('gaussianMomentRule', () => {
  test.prop([covarianceArb], { numRuns: 150 })('E[1] = 1, E[ε_i] = 0, E[ε_i ε_j] = Σ_ij, E[ε_i ε_j ε_k] = 0 — all exact', (sigma) => {
    const h = sigma.length;
    const rule = gaussianMomentRule(sigma);
    expect(rule.points).toHaveLength(2 * h + 1);
    expect(rule.weights).toHaveLength(2 * h + 1);
    expect(applyRule(rule, []).equals(math.fraction(1))).toBe(true);
    for (let i = 0; i < h; i++) {
      expect(applyRule(rule, [i]).n).toBe(0n);
      for (let j = 0; j < h; j++) {
        expect(applyRule(rule, [i, j]).equals(sigma[i][j])).toBe(true);
        for (let k = 0; k < h; k++) expect(applyRule(rule, [i, j, k]).n).toBe(0n);
      }
    }
  });

  test('the check can fail: degree 4 is NOT exact (E[ε⁴] = 3σ⁴ for h = 1)', () => {
    const rule = gaussianMomentRule([[math.fraction(2)]]);
    expect(applyRule(rule, [0, 0, 0, 0]).equals(math.fraction(12))).toBe(false);
  });

  test('diagonal form: a vector of variances gives the same moments', () => {
    const v = [math.fraction(1, 4), math.fraction(9)];
    const rule = gaussianMomentRule(v);
    expect(applyRule(rule, [0, 0]).equals(v[0])).toBe(true);
    expect(applyRule(rule, [1, 1]).equals(v[1])).toBe(true);
    expect(applyRule(rule, [0, 1]).n).toBe(0n);
  });

  test("non-PD, singular, negative, non-symmetric Σ → NotPositiveDefiniteError('covariance'); non-square → ShapeMismatchError", () => {
    const bad: RationalMatrix[] = [
      rationalMatrix([[1, 2], [2, 1]]),
      rationalMatrix([[1, 1], [1, 1]]),
      rationalMatrix([[0]]),
      rationalMatrix([[-1]]),
      rationalMatrix([[1, 0], [1, 1]]),
    ];
    for (const s of bad) {
      expect(() => gaussianMomentRule(s)).toThrow(NotPositiveDefiniteError);
      expect(() => gaussianMomentRule(s)).toThrow(/^covariance: /);
    }
    expect(() => gaussianMomentRule([math.fraction(1), math.fraction(0)])).toThrow(NotPositiveDefiniteError);
    expect(() => gaussianMomentRule(rationalMatrix([[1, 0, 0], [0, 1, 0]]))).toThrow(ShapeMismatchError);
    expect(() => gaussianMomentRule([])).toThrow(ShapeMismatchError);
  });
});
