/**
 * Killing tests for src/linalg/inertia.ts, part e (the linalg mutation run, README "Mutation testing"): the failed-guess
 * branches of `certifiedEigenvalue` (certify's guess loop and widening, tryBracket's overflow guard and failed lower
 * side, the Rayleigh-quotient iteration's stop rules), re-seated on inputs that float64 Jacobi handles correctly.
 * kill-inertia-b reached them through 10^307-scale matrices on which Jacobi's skip threshold overflowed and returned
 * the unrotated diagonal as its guesses; with that fixed (dense.ts), the guesses there are right, or ±Infinity.
 *
 * Here the wrong guesses come from the ROUNDED matrix instead: A = Q·diag(2^200, d_0·2^130, d_1·2^130)·Qᵀ with the
 * rational orthogonal Q = [[1, 2, 2], [2, 1, −2], [2, −2, 1]]/3 has entries m/9, which round to float64 with errors
 * of ≈ ε·2^200 ≈ 2^148, far above the two small eigenvalues d·2^130. Jacobi on the rounded matrix sees them as noise
 * (its error estimate 4·3·ε·2^200 ≈ 2^152 keeps its own guess out), and the Rayleigh-quotient iterates that start from
 * its vector (exact solves, exact quotients) wander between the two before they settle, on λ_k or on its neighbour.
 * The counts below were read off the code (the `stats` option) and each is explained; the intervals are checked
 * exactly against the known eigenvalues. Eigenvalues near 2^130 also keep roundToBits on its s < 0 branch.
 */
import { describe, expect, test } from 'vitest';
import { exactFromFloat, math, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { certifiedEigenvalue, type CertifyOptions, type CertifyStats } from '../../src/linalg/inertia.js';

const q = (p: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(p), BigInt(d));
const P = 10n ** 307n;
const L = 2n ** 130n;

/** sign·Q·diag(2^200, d0·2^130, d1·2^130)·Qᵀ, Q = [[1, 2, 2], [2, 1, −2], [2, −2, 1]]/3 (QQᵀ = I). */
function cluster(d0: bigint, d1: bigint, sign = 1n): RationalMatrix {
  const Q = [
    [1n, 2n, 2n],
    [2n, 1n, -2n],
    [2n, -2n, 1n],
  ];
  const D = [2n ** 200n, d0 * L, d1 * L];
  return Q.map((qi) => Q.map((qj) => q(sign * (qi[0] * qj[0] * D[0] + qi[1] * qj[1] * D[1] + qi[2] * qj[2] * D[2]), 9)));
}

/** certifiedEigenvalue with fresh work counters. */
function run(a: RationalMatrix, k: number, options: CertifyOptions = {}): { lo: Rational; hi: Rational; stats: CertifyStats } {
  const stats: CertifyStats = { probes: 0, bisections: 0, solves: 0 };
  const iv = certifiedEigenvalue(a, k, { ...options, stats });
  return { lo: iv.lo, hi: iv.hi, stats };
}

describe('inertia.ts e: guesses beyond float64', () => {
  test('a guess beyond float64 ends the guessing: 10^307·[[15, 15], [15, 1]], λ_1 = 10^307·(8 + √274) ≈ 2.46e308', () => {
    // Jacobi's λ_1 overflows to Infinity (so does its error estimate, and relWidth/8·∞ lets it through as a guess):
    // certify stops at it, before its Rayleigh bound or any solve, and bisects from the Gershgorin bracket
    // [10^307·(1 − 15), 10^307·(15 + 15) + 1]: 52 steps, each one count.
    const r = run([[q(15n * P), q(15n * P)], [q(15n * P), q(P)]], 1, { relWidth: 1e-15 });
    expect(r.stats).toEqual({ probes: 52, bisections: 52, solves: 0 });
    // lo ≤ λ_1 ≤ hi exactly: (lo/P − 8)² ≤ 274 ≤ (hi/P − 8)², with lo/P > 8.
    const lo8 = r.lo.div(q(P)).sub(8);
    expect(lo8.compare(0)).toBeGreaterThan(0);
    expect(lo8.pow(2).compare(274)).toBeLessThanOrEqual(0);
    expect(r.hi.div(q(P)).sub(8).pow(2).compare(274)).toBeGreaterThanOrEqual(0);
    expect(r.hi.sub(r.lo).compare(r.lo.mul(exactFromFloat(1e-15)))).toBeLessThanOrEqual(0);
  });

  test('…and with relWidth 0 (no Jacobi guess) no solve is started from it (σ = ∞ threw NonFiniteError)', () => {
    // absWidth 1e300: the Jacobi guess (error ∞) is not yielded, and the Rayleigh-quotient iteration, whose first shift
    // would be Jacobi's ∞, does not start: 30 bisection steps from the Gershgorin bracket, no solve.
    const r = run([[q(15n * P), q(15n * P)], [q(15n * P), q(P)]], 1, { relWidth: 0, absWidth: 1e300 });
    expect(r.stats).toEqual({ probes: 30, bisections: 30, solves: 0 });
    expect(r.lo.div(q(P)).sub(8).pow(2).compare(274)).toBeLessThanOrEqual(0);
    expect(r.hi.div(q(P)).sub(8).pow(2).compare(274)).toBeGreaterThanOrEqual(0);
    expect(r.hi.sub(r.lo).compare(exactFromFloat(1e300))).toBeLessThanOrEqual(0);
  });

  test('a proposal whose side overflows is not made: 10^307·[[17, 1], [1, 16]] (λ_1) and its negative (λ_0), relWidth 1/2', () => {
    // λ_1 = 10^307·(16.5 + √1.25) ≈ 1.7618e308: Jacobi's guess (error 4·2·ε·1.76e308, within relWidth/8) ± its
    // half-width relWidth/4·1.76e308 ≈ 4.4e307 overflows above; so does the one Rayleigh-quotient step (it does not
    // move: one solve), and both widenings. No count at all: the Rayleigh bound from Jacobi's vector and Gershgorin's
    // upper end 18·10^307 + 1 are already narrow enough. −A: the same below (the lower side overflows to −∞; Gershgorin's
    // lower end is −18·10^307).
    const a = run([[q(17n * P), q(P)], [q(P), q(16n * P)]], 1, { relWidth: 0.5 });
    expect(a.stats).toEqual({ probes: 0, bisections: 0, solves: 1 });
    const lo = a.lo.div(q(P)).sub(q(33, 2));
    expect(lo.compare(0)).toBeGreaterThan(0);
    expect(lo.pow(2).compare(q(5, 4))).toBeLessThanOrEqual(0);
    expect(a.hi.equals(q(18n * P + 1n))).toBe(true);
    const neg = run([[q(-17n * P), q(-P)], [q(-P), q(-16n * P)]], 0, { relWidth: 0.5 });
    expect(neg.stats).toEqual({ probes: 0, bisections: 0, solves: 1 });
    const hi = neg.hi.div(q(P)).add(q(33, 2));
    expect(hi.compare(0)).toBeLessThan(0);
    expect(hi.pow(2).compare(q(5, 4))).toBeLessThanOrEqual(0);
    expect(neg.lo.equals(q(-18n * P))).toBe(true); // Gershgorin's lower end (the upper one gets the + 1)
  });
});

describe('inertia.ts e: failed guesses from a badly rounded matrix (Q·diag(2^200, d_0·2^130, d_1·2^130)·Qᵀ)', () => {
  test('failed guesses do not stop the guessing: d = (1, 10), λ_0 = 2^130 — four Rayleigh guesses, the fourth holds', () => {
    // The iterates 1.832e39, 1.36191e39, 1.361129467687e39 lie above λ_0 = 2^130 ≈ 1.3611294676837538e39 by more than
    // their half-width 1e−12/4·value: each proposal's lower side counts one eigenvalue below it (fails; its upper side is
    // not tried). The fourth, 2^130 to float64 precision, holds: its lower side counts none, its upper side is beaten by
    // its own Rayleigh bound (k = 0). Four counts, four solves, no bisection.
    const r = run(cluster(1n, 10n), 0);
    expect(r.stats).toEqual({ probes: 4, bisections: 0, solves: 4 });
    expect(r.lo.compare(q(L))).toBeLessThan(0);
    expect(r.hi.compare(q(L))).toBeGreaterThanOrEqual(0);
    expect(r.hi.sub(r.lo).compare(r.lo.mul(exactFromFloat(1e-12)))).toBeLessThanOrEqual(0);
  });

  test('four moving Rayleigh-quotient steps and no more: d = (1, 10), λ_1 = 10·2^130, which every iterate misses', () => {
    // For k = 1 the iterates (3.81e39, 1.55e39, 1.3612e39, 1.36112946768e39) head for λ_0 = 2^130, below λ_1: the first
    // proposal is counted on both sides (its lower side holds, 1 below; its upper side fails, 1 below), the next three
    // only on the upper side (their lower sides are beaten by the first one's), and each iterate moved, so the
    // iteration stops at its cap of 4 solves. The last guess is widened twice (×64, ×4096; both upper sides fail),
    // and 46 bisection steps follow: 4 + 1 + 2 = 7 counts before bisecting, 53 in all.
    const r = run(cluster(1n, 10n), 1);
    expect(r.stats).toEqual({ probes: 53, bisections: 46, solves: 4 });
    expect(r.lo.compare(q(10n * L))).toBeLessThan(0);
    expect(r.hi.compare(q(10n * L))).toBeGreaterThan(0);
    expect(r.hi.sub(r.lo).compare(r.lo.mul(exactFromFloat(1e-12)))).toBeLessThanOrEqual(0);
  });

  // d = (1, 2): the Rayleigh quotient of the solved vector is 1.5·2^130 to float64 precision (equal weight on the two
  // small eigenvectors), and the next step lands on the same float (it did not move: it stops after two solves).
  // - k = 0, λ_0 = 2^130: both proposals fail on their lower side (1 below; the upper side is not tried: a failed lower
  //   side ends that proposal, not the guessing), as do the two widenings (×64, ×4096).
  // - −A, k = 2, λ_2 = −2^130: the mirror image; the lower sides are beaten by the Rayleigh bound (k = n − 1), and every
  //   upper side fails (2 below).
  // Either way four counts, then bisection: 0 (straddled by the bracket), ∓2^129 (gallop from the end at 0), and ∓2^130,
  // at which A − tI is singular: λ_k = ∓2^130 exactly, after 3 steps.
  test.each([
    { k: 0, sign: 1n, side: 'lower' },
    { k: 2, sign: -1n, side: 'upper' },
  ])('d = (1, 2), sign $sign, k = $k: every proposal fails on its $side side, four counts before bisecting', ({ k, sign }) => {
    const r = run(cluster(1n, 2n, sign), k);
    expect(r.stats).toEqual({ probes: 7, bisections: 3, solves: 2 });
    expect(r.lo.equals(q(sign * L))).toBe(true);
    expect(r.hi.equals(q(sign * L))).toBe(true);
  });
});
