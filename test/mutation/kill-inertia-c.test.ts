/**
 * Killing tests for src/linalg/inertia.ts, part c (the linalg mutation run, README "Mutation testing"): the float64
 * guesses behind `certifiedEigenvalue` and the exact solves of its Rayleigh-quotient iteration. Results are certified
 * whatever the guesses are, so what these tests pin is the work a matrix with a hand-derivable path costs
 * (`options.stats`: exact inertia counts, bisection steps, exact solves) and the exact interval it returns:
 * - the Jacobi guess is offered only when its error bound 4nε‖A‖ is within an eighth of the requested width (relative
 *   or absolute), to the bit: diag(1, 2, 3), diag(1, 128), diag(1, 2) at relWidth 2^−45;
 * - otherwise one exact solve of (A − σI)x = v at σ = the Jacobi value: a singular A − σI proves λ = σ with one count
 *   (diag(1, 2, 3) at relWidth 1e-30, the zero matrix); a shifted matrix that needs a 2×2 pivot goes through the
 *   general (row-pivoting) solve; the solution is normalised by its largest entry whatever its sign and position;
 * - the iteration stops when the float64 Rayleigh quotient stops moving; entries below 2^−80 of the largest are dropped
 *   before scaling to integers (they cannot be scaled exactly).
 * For λ_min the exact Rayleigh quotient r of a vector is an upper bound and Gershgorin's lower bound a lower one
 * (Courant–Fischer); for λ_max r is a lower bound. Roundings of r to 64 significant bits are written out by hand.
 */
import { describe, expect, test } from 'vitest';
import { cayleyTransformQ, exactFromFloat, math, multiplyQ, rationalMatrix, transposeQ, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { certifiedEigenvalue, type CertifiedInterval, type CertifyOptions, type CertifyStats } from '../../src/linalg/inertia.js';

const q = (p: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(p), BigInt(d));
const ZERO = q(0);

function diagQ(d: readonly Rational[]): RationalMatrix {
  return d.map((x, i) => d.map((_, j) => (i === j ? x : ZERO)));
}

/** certifiedEigenvalue with fresh work counters. */
function run(a: RationalMatrix, k: number, options: CertifyOptions = {}): { iv: CertifiedInterval; stats: CertifyStats } {
  const stats: CertifyStats = { probes: 0, bisections: 0, solves: 0 };
  const iv = certifiedEigenvalue(a, k, { ...options, stats });
  return { iv, stats };
}

const contains = (iv: CertifiedInterval, x: Rational): boolean => iv.lo.compare(x) <= 0 && x.compare(iv.hi) <= 0;
/** hi − lo ≤ rel·min(|lo|, |hi|). */
function narrow(iv: CertifiedInterval, rel: Rational): boolean {
  const lo = iv.lo.abs();
  const hi = iv.hi.abs();
  return iv.hi.sub(iv.lo).compare(rel.mul(lo.compare(hi) < 0 ? lo : hi)) <= 0;
}

/** 2^e as an exact rational. */
const pow2 = (e: number): Rational => (e >= 0 ? q(1n << BigInt(e)) : q(1n, 1n << BigInt(-e)));

/** The 2×2 [[a, d], [d, b]] (a < b): p(t) = (a − t)(b − t) − d² is ≥ 0 at t ≤ λ_min and ≤ 0 on [λ_min, λ_max]. */
function twoByTwo(a: Rational, b: Rational, d: Rational): { m: RationalMatrix; p: (t: Rational) => Rational } {
  return { m: [[a, d], [d, b]], p: (t) => a.sub(t).mul(b.sub(t)).sub(d.mul(d)) };
}

describe('inertia.ts: when the Jacobi guess is offered (error bound 4nε‖A‖ vs an eighth of the width)', () => {
  test('diag(1, 2, 3): 36ε ≤ 1e-12/8, so no exact solve; λ_min = [1, 1] from Gershgorin (1) and the Rayleigh quotient of e₁ (1), no count', () => {
    // Jacobi on a diagonal matrix rotates nothing: values 1, 2, 3 and vectors e₁, e₂, e₃, exactly.
    const a = diagQ([q(1), q(2), q(3)]);
    const min = run(a, 0);
    expect(min.iv).toEqual({ lo: q(1), hi: q(1) });
    expect(min.stats).toEqual({ probes: 0, bisections: 0, solves: 0 });
    // λ_1 = 2 is not extreme: the guess 2 ± max(1e-12/4·2, 36ε) is verified by two counts, one per side.
    const mid = run(a, 1);
    expect(mid.stats).toEqual({ probes: 2, bisections: 0, solves: 0 });
    expect(contains(mid.iv, q(2))).toBe(true);
    expect(mid.iv.lo.equals(mid.iv.hi)).toBe(false);
    expect(narrow(mid.iv, q(1, 10n ** 12n))).toBe(true);
  });

  test('diag(1, 2) at relWidth 2^−45: 4·2·ε·2 = 2^−48 equals 2^−45/8·1, and equality is accepted (no solve, no count)', () => {
    expect(run(diagQ([q(1), q(2)]), 0, { relWidth: 2 ** -45 })).toEqual({ iv: { lo: q(1), hi: q(1) }, stats: { probes: 0, bisections: 0, solves: 0 } });
  });

  test('diag(1, 128): 4·2·ε·128 = 2^−42 > 1e-12/8 (and > absWidth 1e-12/8): one exact solve at σ = 1 finds A − I singular, one count proves λ_min = 1', () => {
    const a = diagQ([q(1), q(128)]);
    const want = { iv: { lo: q(1), hi: q(1) }, stats: { probes: 1, bisections: 0, solves: 1 } };
    expect(run(a, 0)).toEqual(want);
    expect(run(a, 0, { relWidth: 0, absWidth: 1e-12 })).toEqual(want);
  });

  test('relWidth 1e-30: no float64 guess is good enough; the first exact solve (σ = 1, singular) proves λ_min(diag(1, 2, 3)) = 1 with one count', () => {
    expect(run(diagQ([q(1), q(2), q(3)]), 0, { relWidth: 1e-30 })).toEqual({ iv: { lo: q(1), hi: q(1) }, stats: { probes: 1, bisections: 0, solves: 1 } });
  });

  test('the zero matrix: a guess 0 has no relative accuracy (bound 0·ε + MIN_VALUE > 0); the solve at σ = 0 is singular and one count at 0 proves λ = 0', () => {
    expect(run(rationalMatrix([[0, 0], [0, 0]]), 0)).toEqual({ iv: { lo: ZERO, hi: ZERO }, stats: { probes: 1, bisections: 0, solves: 1 } });
  });
});

describe('inertia.ts: the exact solves of the Rayleigh-quotient iteration', () => {
  test('a shifted matrix with a zero-diagonal 2×2 block takes the general solve: [[s, 1, 0], [1, s, 0], [0, 0, s + 2^−80]], s = 2^−20, λ_1 = s + 2^−80', () => {
    // fl(A) = [[s, 1, 0], [1, s, 0], [0, 0, s]]: Jacobi gives λ_1 ≈ s with vector e₃, and 4·3·ε·(1 + s) > 1e-12/8·s, so no Jacobi guess.
    // σ = s: A − σI = [[0, 1, 0], [1, 0, 0], [0, 0, 2^−80]] is invertible but needs a 2×2 pivot after the 1×1 one; the
    // solution of (A − σI)x = e₃ is 2^80·e₃, whose Rayleigh quotient is s + 2^−80 exactly, and fl(s + 2^−80) = s: the
    // guess s ± 1e-12/4·s holds (two counts) and is already narrow enough.
    const s = pow2(-20);
    const lambda = s.add(pow2(-80));
    const a: RationalMatrix = [[s, q(1), ZERO], [q(1), s, ZERO], [ZERO, ZERO, lambda]];
    const { iv, stats } = run(a, 1);
    expect(stats).toEqual({ probes: 2, bisections: 0, solves: 1 });
    expect(contains(iv, lambda)).toBe(true);
    expect(narrow(iv, q(1, 10n ** 12n))).toBe(true);
  });

  test('diag(1/3, 2/3, 5/7) at relWidth 1e-14: one solve each; the solution is ±(product of the other pivots)·e_k, positive for λ_min, negative for λ_1', () => {
    // 4·3·ε·5/7 ≈ 1.9e-15 exceeds 1e-14/8·1/3 and 1e-14/8·2/3: no Jacobi guess. σ = fl(λ_k) ≠ λ_k, so A − σI is invertible.
    const a = diagQ([q(1, 3), q(2, 3), q(5, 7)]);
    // λ_min: the solve gives e₁ exactly, r = 1/3: [Gershgorin 1/3, ⌈2^65/3⌉/2^65] (1/3 rounded up to 64 bits), no count.
    expect(run(a, 0, { relWidth: 1e-14 })).toEqual({ iv: { lo: q(1, 3), hi: q(12297829382473034411n, 1n << 65n) }, stats: { probes: 0, bisections: 0, solves: 1 } });
    // λ_1 = 2/3: the solution det·(A − σI)⁻¹e₂ is a negative multiple of e₂ (A − σI has one negative eigenvalue), normalised
    // to −e₂; r = 2/3 exactly, and the guess fl(2/3) ± 1e-14/4·2/3 is verified by two counts.
    const mid = run(a, 1, { relWidth: 1e-14 });
    expect(mid.stats).toEqual({ probes: 2, bisections: 0, solves: 1 });
    expect(contains(mid.iv, q(2, 3))).toBe(true);
    expect(narrow(mid.iv, exactFromFloat(1e-14))).toBe(true);
  });

  test('[[1/3, ±10^−400], [±10^−400, 2/3]] at relWidth 1e-14: the solution spans 400 decades (its small entry of either sign must not set the scale)', () => {
    // fl(A) = diag(1/3, 2/3): σ = fl(1/3) (λ_min) or fl(2/3) (λ_max), v = e₁ or e₂. The exact solution is
    // a positive multiple of adj(A − σI)·v = (2/3 − σ, ∓10^−400) or (∓10^−400, 1/3 − σ): normalised by its largest
    // entry it is e₁ or −e₂ in float64, whose Rayleigh quotients are 1/3 and 2/3 exactly.
    const d400 = q(1n, 10n ** 400n);
    for (const d of [d400, d400.neg()]) {
      const { m, p } = twoByTwo(q(1, 3), q(2, 3), d);
      const min = run(m, 0, { relWidth: 1e-14 });
      // λ_min ∈ [1/3 − 10^−400 (Gershgorin), ⌈2^65/3⌉/2^65 (r = 1/3 rounded up)], no count.
      expect(min).toEqual({ iv: { lo: q(1, 3).sub(d400), hi: q(12297829382473034411n, 1n << 65n) }, stats: { probes: 0, bisections: 0, solves: 1 } });
      expect(p(min.iv.lo).compare(ZERO) >= 0 && p(min.iv.hi).compare(ZERO) <= 0).toBe(true);
      // λ_max ≥ r = 2/3 rounded down to 64 bits = ⌊2^66/3⌋/2^65; the upper side takes one count.
      const max = run(m, 1, { relWidth: 1e-14 });
      expect(max.iv.lo).toEqual(q(24595658764946068821n, 1n << 65n));
      expect(max.stats).toEqual({ probes: 1, bisections: 0, solves: 1 });
      expect(p(max.iv.lo).compare(ZERO) <= 0 && p(max.iv.hi).compare(ZERO) >= 0 && max.iv.lo.compare(q(1, 2)) > 0).toBe(true);
      expect(narrow(max.iv, exactFromFloat(1e-14))).toBe(true);
    }
  });

  test('[[1, 10^−30], [10^−30, 2]] at relWidth 1e-30: the solution ≈ (1, −10^−30) has an entry below 2^−80, dropped: r(e₁) = 1 is the upper end', () => {
    // 10^−30·2^133 is not an integer, so the entry cannot be scaled exactly; dropping it leaves e₁, r = 1 exactly, and
    // Gershgorin's 1 − 10^−30 is already within 1e-30 relative: [1 − 10^−30, 1], no count.
    const d = q(1n, 10n ** 30n);
    const { m, p } = twoByTwo(q(1), q(2), d);
    const { iv, stats } = run(m, 0, { relWidth: 1e-30 });
    expect(iv).toEqual({ lo: q(1).sub(d), hi: q(1) });
    expect(stats).toEqual({ probes: 0, bisections: 0, solves: 1 });
    expect(p(iv.lo).compare(ZERO) >= 0 && p(iv.hi).compare(ZERO) <= 0).toBe(true);
  });

  test('the iteration stops once the float64 Rayleigh quotient repeats: λ_min = 0 of Q·diag(3, 1, 0)·Qᵀ takes 2 solves, not 1 or 4', () => {
    // Q = (I − S)(I + S)⁻¹ for S = [[0, 1/2, −1], [−1/2, 0, 2/3], [1, −2/3, 0]]: A = Q diag(3, 1, 0) Qᵀ is singular but
    // fl(A) is not. The first solve moves σ from the Jacobi value (~1e-17) to r ≈ 3e-35; the second returns the same
    // float64 vector, hence the same r: stop (a third solve could only repeat it). The bisection's count at 0 proves λ = 0.
    const s = rationalMatrix([[0, '1/2', -1], ['-1/2', 0, '2/3'], [1, '-2/3', 0]]);
    const qm = cayleyTransformQ(s);
    const a = multiplyQ(multiplyQ(qm, diagQ([q(3), q(1), ZERO])), transposeQ(qm));
    const { iv, stats } = run(a, 0);
    expect(iv).toEqual({ lo: ZERO, hi: ZERO });
    expect(stats.solves).toBe(2);
  });
});
