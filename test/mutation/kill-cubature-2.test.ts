/**
 * Killing tests for src/linalg/cubature.ts, second round (the survivor of the linalg run of 2026-12-07 against
 * test/linalg/cubature.test.ts and kill-cubature.test.ts; README "Mutation testing"): the rule's first point is the
 * origin of ℚ^h (h coordinates, all 0), not an empty array — `points[i] ∈ ℚ^h` for every i, as RationalRule says.
 * (An evaluator that reads a missing coordinate as 0 cannot see the difference, which is why the exactness tests did
 * not; the second test still checks the whole rule, origin included, on E[(c + aᵀε)²] = c² + aᵀΣa for ε ∼ N(0, Σ),
 * a degree-2 polynomial, for which the rule is exact: see the remarks of src/linalg/cubature.ts.)
 */
import { describe, expect, test } from 'vitest';
import { gaussianMomentRule } from '../../src/linalg/cubature.js';
import { math, rationalMatrix, rationalVector, type Rational } from '../../src/linalg/exact.js';

describe('gaussianMomentRule: the origin point', () => {
  test('points[0] is the zero vector of length h (matrix and variance-vector input)', () => {
    const full = gaussianMomentRule(rationalMatrix([[2, 1, 0], [1, 2, 1], [0, 1, 2]]));
    expect(full.points).toHaveLength(7);
    expect(full.points[0].map((x) => x.toFraction())).toEqual(['0', '0', '0']);
    const diag = gaussianMomentRule(rationalVector(['1/4', 3]));
    expect(diag.points[0].map((x) => x.toFraction())).toEqual(['0', '0']);
    // Every point has h coordinates.
    for (const rule of [full, diag]) expect(new Set(rule.points.map((p) => p.length)).size).toBe(1);
  });

  test('E[(c + aᵀε)²] = c² + aᵀΣa exactly, evaluated point by point (the origin contributes c² times its weight)', () => {
    const sigma = rationalMatrix([[2, 1, 0], [1, 2, 1], [0, 1, 2]]);
    const a = rationalVector([1, '-1/2', 3]);
    const c = math.fraction(5n, 3n);
    const rule = gaussianMomentRule(sigma);
    const p = (e: readonly Rational[]): Rational => {
      let v = c;
      for (let i = 0; i < a.length; i++) v = v.add(a[i].mul(e[i]));
      return v.mul(v);
    };
    const expectation = rule.points.reduce((s, pt, i) => s.add(rule.weights[i].mul(p(pt))), math.fraction(0));
    // aᵀΣa by hand: Σa = (2 − 1/2, 1 − 1 + 3, −1/2 + 6) = (3/2, 3, 11/2); aᵀ(Σa) = 3/2 − 3/2 + 33/2 = 33/2.
    // c² + 33/2 = 25/9 + 33/2 = 347/18.
    expect(expectation.toFraction()).toBe('347/18');
  });
});
