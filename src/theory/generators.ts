/**
 * fast-check generators shared by the claims: small rational numbers, rational SPD matrices with a capped
 * condition number, perturbation scales σ spanning tiny to huge, and hyperparameter means including 0.
 * Every claim's `arbitrary` is built from these, so tests and `verify` draw from the same distribution.
 */
import fc from 'fast-check';
import { conditionNumber } from '../linalg/dense.js';
import { math, type Rational, type RationalMatrix, multiplyQ, transposeQ, addQ, identityQ, scaleQ, toNumberMatrix } from '../linalg/exact.js';

/** A rational p/q with |p| ≤ maxNum, 1 ≤ q ≤ maxDen. */
export function rationalArb(maxNum = 20, maxDen = 8): fc.Arbitrary<Rational> {
  return fc.tuple(fc.integer({ min: -maxNum, max: maxNum }), fc.integer({ min: 1, max: maxDen })).map(([p, q]) => math.fraction(p, q));
}

/** A vector of `length` rationals. */
export function rationalVectorArb(length: number, maxNum = 20, maxDen = 8): fc.Arbitrary<Rational[]> {
  return fc.array(rationalArb(maxNum, maxDen), { minLength: length, maxLength: length });
}

/** An m×n matrix of rationals. */
export function rationalMatrixArb(m: number, n: number, maxNum = 9, maxDen = 4): fc.Arbitrary<RationalMatrix> {
  return fc.array(rationalVectorArb(n, maxNum, maxDen), { minLength: m, maxLength: m });
}

/**
 * A rational symmetric positive definite m×m matrix F Fᵀ + δ I (δ ∈ {1/1000, 1/10, 1}) whose float64
 * condition number is at most `maxKappa` (cases above are filtered out, as lineax's fixtures do).
 */
export function spdArb(m: number, maxKappa = 1e6): fc.Arbitrary<RationalMatrix> {
  return fc
    .tuple(rationalMatrixArb(m, m, 6, 3), fc.constantFrom('1/1000', '1/10', '1'))
    .map(([f, delta]) => addQ(multiplyQ(f, transposeQ(f)), scaleQ(identityQ(m), delta)))
    .filter((a) => conditionNumber(toNumberMatrix(a)) <= maxKappa);
}

/**
 * Perturbation scales σ_k > 0 as rationals: a mix of ordinary values (1/8 … 4), tiny (1/1000) and huge
 * (100), so that σ² ranges over 1e-6 … 1e4.
 */
export function sigmaArb(h: number): fc.Arbitrary<Rational[]> {
  const one = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1, max: 32 }), fc.constantFrom(8, 4, 2, 1)).map(([p, q]) => math.fraction(p, q)) },
    { weight: 1, arbitrary: fc.constant(math.fraction(1, 1000)) },
    { weight: 1, arbitrary: fc.constant(math.fraction(100)) },
  );
  return fc.array(one, { minLength: h, maxLength: h });
}

/** A hyperparameter mean λ̄ ∈ ℚ^h: all zeros with probability ≈ 1/5, else small rationals (|λ̄_k| ≤ 10). */
export function lambdaArb(h: number): fc.Arbitrary<Rational[]> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(new Array<Rational>(h).fill(math.fraction(0))) },
    { weight: 4, arbitrary: rationalVectorArb(h, 40, 4) },
  );
}

/** Dimensions (h, m) with h ∈ [1, 3], m ∈ [1, 4], the edge cases h = 1 and m = 1 drawn often. */
export const dimsArb: fc.Arbitrary<{ h: number; m: number }> = fc.record({
  h: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 3 })),
  m: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4 })),
});
