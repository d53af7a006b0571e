/**
 * Killing tests for src/linalg/inertia.ts, part b (the linalg mutation run, README "Mutation testing"): the
 * certification loop between the guesses and the bisection, pinned on matrices whose every step can be followed by
 * hand. What test/linalg/inertia.test.ts checks only as "a valid bracket, not too many steps", pinned exactly:
 * - the width test (hi − lo ≤ absWidth, or ≤ relWidth·min(|lo|, |hi|)) at its boundary, read off 1×1 matrices
 *   [[x]] with |x| ≈ 2^1030: they do not fit in float64, so there is no guess and bisection starts at once from the
 *   Gershgorin bracket [x, x + 1]; every probe t ∈ (x, x + 1) counts one eigenvalue below it, so the bracket after
 *   j bisection steps is [x, x + 2^−j], and j is the first step at which the width test passes;
 * - the bisection's cap (`maxIterations`) and its message, and the work counters;
 * - the gallop towards an end at 0 from below (a bracket [lo < 0, 0], not reached by the kernel's other tests);
 * - the verified guess bracket: a side that the verified bracket already beats costs no count, the probe points sit
 *   on the 1/den grid of A = num/den when that grid is fine enough (else on the guess's own float), the half-width
 *   is a quarter of absWidth, an exact guess (A − σI singular) is probed at σ itself.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { exactFromFloat, math, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { certifiedEigenvalue, type CertifyOptions, type CertifyStats, type CertifiedInterval } from '../../src/linalg/inertia.js';

const q = (p: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(p), BigInt(d));
const Z = q(0);
/** 2^1030: above float64's range (2^1024), so a matrix holding it gets no float64 guess. */
const H = 2n ** 1030n;

/** certifiedEigenvalue with fresh work counters: the interval as exact strings, and the counters. */
function run(a: RationalMatrix, k: number, options: CertifyOptions): { lo: string; hi: string; stats: CertifyStats } {
  const stats: CertifyStats = { probes: 0, bisections: 0, solves: 0 };
  const iv: CertifiedInterval = certifiedEigenvalue(a, k, { ...options, stats });
  return { lo: iv.lo.toFraction(), hi: iv.hi.toFraction(), stats };
}

const bis = (j: number): CertifyStats => ({ probes: j, bisections: j, solves: 0 });

describe('inertia.ts b: the width test at its boundary (1×1 matrices beyond float64: bisection from [x, x + 1])', () => {
  test('relative width: equality passes (hi − lo = 1 = 2^−1030·|lo| for x = 2^1030)', () => {
    expect(run([[q(H)]], 0, { relWidth: 2 ** -1030 })).toEqual({ lo: `${H}`, hi: `${H + 1n}`, stats: bis(0) });
  });

  test('relative width of a negative bracket uses |hi|, the smaller end (x = −2^1030, relWidth 2^−1031)', () => {
    // [−H, −H + 2^−j] passes when 2^−j ≤ 2^−1031·(H − 2^−j) = 1/2 − 2^−1031−j: not at j = 1 (1/2 > 1/2 − 2^−1032; with
    // |lo| = H it would pass), at j = 2.
    expect(run([[q(-H)]], 0, { relWidth: 2 ** -1031 })).toEqual({ lo: `${-H}`, hi: `${-(4n * H - 1n)}/4`, stats: bis(2) });
  });

  test('relative width of a positive bracket uses lo, the smaller end (x = 2^1030 − 1/2, relWidth 2^−1030)', () => {
    // [x, x + 1]: 1 > 2^−1030·x = 1 − 2^−1031 (with hi = x + 1 it would pass); [x, x + 1/2] passes.
    expect(run([[q(2n * H - 1n, 2)]], 0, { relWidth: 2 ** -1030 })).toEqual({ lo: `${2n * H - 1n}/2`, hi: `${H}`, stats: bis(1) });
  });

  test('absolute width: equality passes, and the comparison is exact across denominators (absWidth 1/4)', () => {
    // relWidth 0: only the absolute test, 2^−j ≤ 1/4 from j = 2 on.
    expect(run([[q(H)]], 0, { relWidth: 0, absWidth: 0.25 })).toEqual({ lo: `${H}`, hi: `${4n * H + 1n}/4`, stats: bis(2) });
  });
});

describe('inertia.ts b: the bisection cap and the work counters', () => {
  test('maxIterations = the steps needed passes; one fewer throws, naming the bracket reached', () => {
    expect(run([[q(H)]], 0, { relWidth: 0, absWidth: 0.25, maxIterations: 2 }).stats).toEqual(bis(2));
    let caught: unknown;
    try {
      run([[q(-H)]], 0, { relWidth: 0, absWidth: 0.25, maxIterations: 1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    // The bracket after one step, [−2^1030, −2^1030 + 1/2], printed as float64 (beyond its range).
    expect((caught as Error).message).toBe('options.maxIterations: expected enough bisection steps to reach the requested width (λ_0 ∈ [-Infinity, -Infinity]), got 1');
    // maxIterations 0 allows no step at all.
    expect(() => run([[q(H)]], 0, { relWidth: 0, absWidth: 0.25, maxIterations: 0 })).toThrow('(λ_0 ∈ [Infinity, Infinity]), got 0');
  });
});

describe('inertia.ts b: the gallop towards an end at 0 from below', () => {
  test('diag(−1, −2^−30, 2^1030), λ_1 = −2^−30, relWidth 1/2: 11 exact counts, each one hand-checked', () => {
    // Bracket [−1, 2^1030 + 1] (Gershgorin), no float64 guess. It straddles 0: probe 0 (2 eigenvalues below: hi = 0).
    // Gallop from lo towards 0, t = −2^(⌊log2|lo|⌋ − g), g = 1, 2, 4, 8, 16 doubling while hi stays 0:
    // −1/2, −1/8, −1/128, −2^−15 (1 below each: lo = t), −2^−31 (2 below: hi = t). Then across orders of magnitude,
    // t = −2^round((a + b)/2) for the exponents a, b of lo, hi while they differ by ≥ 4: −2^−23, −2^−27, −2^−29 (lo).
    // Then plain bisection at short dyadics near the midpoint: −5·2^−32 (lo), −7·2^−33 (hi), and the width
    // 3·2^−33 ≤ |hi|/2 = 7·2^−34 passes.
    const a = [
      [q(-1), Z, Z],
      [Z, q(-1, 2n ** 30n), Z],
      [Z, Z, q(H)],
    ];
    expect(run(a, 1, { relWidth: 0.5 })).toEqual({ lo: `-5/${2n ** 32n}`, hi: `-7/${2n ** 33n}`, stats: bis(11) });
  });
});

describe('inertia.ts b: the verified guess bracket', () => {
  test('a side already beaten by the verified bracket costs no count (diag(1, 2, 2), λ_1 = 2, absWidth 4)', () => {
    // Jacobi's guess 2 (exact), half-width absWidth/4 = 1: the proposal [1, 3] is the Gershgorin bracket [1, 2 + 1]
    // itself, so neither side is probed, and its width 2 ≤ 4 needs no bisection.
    expect(run([[q(1), Z, Z], [Z, q(2), Z], [Z, Z, q(2)]], 1, { relWidth: 0, absWidth: 4 })).toEqual({ lo: '1', hi: '3', stats: bis(0) });
  });

  test('…and only the side not beaten is counted (diag(2047/1024, 2, 3), λ_1 = 2, absWidth 2^−8)', () => {
    // Half-width 2^−10: the lower side 2 − 2^−10 is the Gershgorin end, the upper side 2 + 2^−10 is counted (2 below).
    expect(run([[q(2047, 1024), Z, Z], [Z, q(2), Z], [Z, Z, q(3)]], 1, { relWidth: 0, absWidth: 2 ** -8 })).toEqual({
      lo: '2047/1024',
      hi: '2049/1024',
      stats: { probes: 1, bisections: 0, solves: 0 },
    });
  });

  test('tridiag(1, 2, 1), λ_0 = 2 − √2, absWidth 2^−20: one count at the float guess − absWidth/4, no bisection, no solve', () => {
    const a = [
      [q(2), q(1), Z],
      [q(1), q(2), q(1)],
      [Z, q(1), q(2)],
    ];
    const stats: CertifyStats = { probes: 0, bisections: 0, solves: 0 };
    const iv = certifiedEigenvalue(a, 0, { relWidth: 0, absWidth: 2 ** -20, stats });
    expect(stats).toEqual({ probes: 1, bisections: 0, solves: 0 });
    // lo is the float64 2 − √2 − 2^−22 itself (den = 1: the 1/den grid is too coarse), hi the Rayleigh quotient's upper
    // bound; lo ≤ 2 − √2 ≤ hi checked exactly: (2 − lo)² ≥ 2 ≥ (2 − hi)².
    const two = q(2);
    expect(two.sub(iv.lo).pow(2).compare(two)).toBeGreaterThanOrEqual(0);
    expect(two.sub(iv.hi).pow(2).compare(two)).toBeLessThanOrEqual(0);
    expect(Math.abs(Number(iv.lo.valueOf()) - (2 - Math.SQRT2 - 2 ** -22))).toBeLessThan(1e-15);
    expect(iv.lo.d).toBe(2n ** 53n);
    expect(iv.hi.sub(iv.lo).compare(q(1, 2n ** 21n))).toBeLessThan(0);
  });

  test('probe points on the 1/den grid when it is fine enough: den·half = 1024·2^−7 = 8', () => {
    // tridiag(1, 2, 1) ⊕ [100 + 1/1024]: den = 1024; absWidth 2^−5, half-width 2^−7; the lower side
    // (2 − √2 − 2^−7)·1024 = 591.84… rounds to 592/1024 = 37/64.
    const a = [
      [q(2), q(1), Z, Z],
      [q(1), q(2), q(1), Z],
      [Z, q(1), q(2), Z],
      [Z, Z, Z, q(102401, 1024)],
    ];
    const r = run(a, 0, { relWidth: 0, absWidth: 2 ** -5 });
    expect(r.lo).toBe('37/64');
    expect(r.stats).toEqual({ probes: 1, bisections: 0, solves: 0 });
  });

  test('a guess of half-width 0 proposes no bracket and costs no count: 2^−1080·[[2, 1], [1, 2]], λ_0 = 2^−1080', () => {
    // The matrix rounds to 0 in float64: Jacobi's guess is 0 and its error estimate (Number.MIN_VALUE) exceeds
    // relWidth/8·0, so only the Rayleigh-quotient iteration guesses: one exact solve, a quotient 1.2·2^−1080 whose
    // float64 value underflows to 0, half-width max(relWidth/4·0, 0, 4ε·0) = 0. Neither that guess nor its widening
    // (0·64) may probe anything: every count is a bisection step of [2^−1080 (Gershgorin), upper], and every probe lies
    // above λ_0 = 2^−1080, so the lower end stays the Gershgorin one.
    const s = (x: number): Rational => q(x, 2n ** 1080n);
    const stats: CertifyStats = { probes: 0, bisections: 0, solves: 0 };
    const iv = certifiedEigenvalue([[s(2), s(1)], [s(1), s(2)]], 0, { stats });
    expect(iv.lo.equals(s(1))).toBe(true);
    expect(stats.solves).toBe(1);
    expect(stats.bisections).toBeGreaterThan(0);
    expect(stats.probes).toBe(stats.bisections);
    expect(iv.hi.sub(iv.lo).compare(iv.lo.mul(exactFromFloat(1e-12)))).toBeLessThanOrEqual(0);
  });

  test('an exact guess is probed at σ itself: diag(1, 2, 3), λ_1 = 2, relWidth 1e-14', () => {
    // Jacobi's error estimate 4·3·ε·3 ≈ 8e-15 exceeds relWidth/8·2: no Jacobi guess; the first Rayleigh-quotient solve
    // finds A − 2I singular, and one count at 2 proves λ_1 = 2.
    expect(run([[q(1), Z, Z], [Z, q(2), Z], [Z, Z, q(3)]], 1, { relWidth: 1e-14 })).toEqual({ lo: '2', hi: '2', stats: { probes: 1, bisections: 0, solves: 1 } });
  });
});
