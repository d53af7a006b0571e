/**
 * Killing tests for src/linalg/inertia.ts, part d (the linalg mutation run, README "Mutation testing"): the exact
 * general solve behind Rayleigh-quotient iteration, the 64-bit outward rounding of exact Rayleigh quotients, the
 * default argument names and the `k` message of certifiedEigenvalue, the split points of plain bisection (replayed from
 * the documented rule), and the positive-definiteness decision of certifiedConditionNumber (which inertia counts it
 * spends, when it rejects, an exact λ_min found by its bisection, and n = 1).
 *
 * How each private routine is reached from the public API (design: the kernel's own tests must see its branches):
 * - generalSolve runs when the symmetric solve of (A − σI)x = v needs a 2×2 pivot. With A = I + εB (ε = 2^−57, B an
 *   integer matrix with zero diagonal and ‖B‖ < 8) every eigenvalue of A rounds to 1 in float64, so Jacobi returns
 *   σ = 1 exactly and A − σI = εB has no diagonal pivot at all. With relWidth 1e-15 Jacobi's own guess is too coarse,
 *   so the first exact solve x = (εB)⁻¹v of the Jacobi vector v is what bounds λ_min from above (λ_max from below):
 *   the certified end is the exact Rayleigh quotient of x rounded outward, checked here against x recomputed by
 *   plain Gauss–Jordan elimination over fractions. A singular B gives no solution, so σ = 1 is probed and proved an
 *   eigenvalue.
 * - roundToBits: for a diagonal matrix the Jacobi vectors are unit vectors, so the bound is the eigenvalue itself
 *   rounded outward to 64 significant bits (for ±1/3 and ±2^100/3 the grids are 2^−65 and 2^35, since both times
 *   the scaled value is 2^65/3 ∈ [2^63, 2^64)); a dyadic eigenvalue is returned exactly.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError } from '../../src/errors.js';
import { symmetricEigen } from '../../src/linalg/dense.js';
import { exactFromFloat, math, ratioToNumber, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { certifiedConditionNumber, certifiedEigenvalue, type CertifyStats } from '../../src/linalg/inertia.js';
import { message } from './throws.js';

const q = (p: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(p), BigInt(d));
const newStats = (): CertifyStats => ({ probes: 0, bisections: 0, solves: 0 });

function diagQ(d: readonly Rational[]): RationalMatrix {
  return d.map((x, i) => d.map((_, j) => (i === j ? x : q(0))));
}

/** Solves B x = v over the rationals by Gauss–Jordan elimination with the first non-zero pivot in each column. */
function solveQ(b: readonly (readonly number[])[], v: readonly Rational[]): Rational[] {
  const n = b.length;
  const m = b.map((row, i) => [...row.map((x) => q(x)), v[i]]);
  for (let k = 0; k < n; k++) {
    const p = m.findIndex((row, i) => i >= k && !row[k].equals(0));
    [m[k], m[p]] = [m[p], m[k]];
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const f = m[i][k].div(m[k][k]);
      m[i] = m[i].map((x, j) => x.sub(f.mul(m[k][j])));
    }
  }
  return m.map((row, i) => row[n].div(row[i]));
}

/** x / max|x|, each entry rounded to float64 (the solve's output format). */
function normaliseQ(x: readonly Rational[]): number[] {
  const max = x.reduce((acc, y) => (y.abs().compare(acc) > 0 ? y.abs() : acc), q(0));
  return x.map((y) => {
    const z = y.div(max);
    return ratioToNumber(z.s * z.n, z.d);
  });
}

/** The exact Rayleigh quotient uᵀBu/uᵀu of a float vector u. */
function rayleighQ(b: readonly (readonly number[])[], u: readonly number[]): Rational {
  const v = u.map(exactFromFloat);
  let num = q(0);
  let den = q(0);
  for (let i = 0; i < v.length; i++) {
    den = den.add(v[i].mul(v[i]));
    for (let j = 0; j < v.length; j++) num = num.add(v[i].mul(v[j]).mul(b[i][j]));
  }
  return num.div(den);
}

const E = 2n ** 57n;
const EPS = q(1, E);
/** I + εB as a rational matrix. */
const onePlus = (b: readonly (readonly number[])[]): RationalMatrix => b.map((row, i) => row.map((x, j) => q((i === j ? E : 0n) + BigInt(x), E)));

describe('inertia.ts part d: generalSolve through Rayleigh-quotient iteration', () => {
  // Zero diagonal, det B = 9; the row-pivoted elimination swaps twice and meets both zero and non-zero multipliers.
  const B = [
    [0, 2, 0, 1],
    [2, 0, 1, 3],
    [0, 1, 0, 2],
    [1, 3, 2, 0],
  ];

  test.each([0, 3])('λ_%i of I + εB: the certified end is the Rayleigh quotient of one exact solve from the Jacobi vector', (k) => {
    const a = onePlus(B);
    const jac = symmetricEigen(a.map((row) => row.map((x) => ratioToNumber(x.s * x.n, x.d))), { vectors: true });
    expect(jac.values).toEqual([1, 1, 1, 1]); // premise: σ = 1 exactly, so A − σI = εB
    const x = normaliseQ(solveQ(B, (jac.vectors?.getColumn(k) ?? []).map(exactFromFloat)));
    const rq = q(1).add(EPS.mul(rayleighQ(B, x)));
    const stats = newStats();
    const r = certifiedEigenvalue(a, k, { relWidth: 1e-15, stats });
    expect(stats).toEqual({ probes: k === 0 ? 0 : 1, bisections: 0, solves: 1 });
    const end = k === 0 ? r.hi : r.lo; // the Rayleigh quotient bounds λ_min from above, λ_max from below
    const slack = end.sub(rq).mul(q(2n ** 62n)); // outward rounding to 64 bits: |end − rq| ≤ 2^−62 near 1
    expect(k === 0 ? slack.compare(-1e-9) >= 0 : slack.compare(1e-9) <= 0).toBe(true);
    expect(slack.abs().compare(1)).toBeLessThanOrEqual(0);
  });

  test('a singular εB: no solution, so σ = 1 is probed and proved to be λ_2 exactly', () => {
    // S (1, −1, −1, 1)ᵀ = 0; the spectrum of S is −4, −2, 0, 6, so λ_2(I + εS) = 1.
    const S = [
      [0, 2, 1, 3],
      [2, 0, 3, 1],
      [1, 3, 0, 2],
      [3, 1, 2, 0],
    ];
    const stats = newStats();
    const r = certifiedEigenvalue(onePlus(S), 2, { relWidth: 1e-15, stats });
    expect([r.lo.toFraction(), r.hi.toFraction()]).toEqual(['1', '1']);
    expect(stats).toEqual({ probes: 1, bisections: 0, solves: 1 });
  });
});

describe('inertia.ts part d: exact Rayleigh quotients rounded outward to 64 bits', () => {
  const T = 2n ** 65n / 3n; // ⌊2^65/3⌋ (2^65 ≡ 2 mod 3), so ⌈2^65/3⌉ = T + 1
  const G = 2n ** 65n;

  test('±1/3: the neighbours on the grid 2^−65, on the side that keeps the bound', () => {
    expect(certifiedEigenvalue(diagQ([q(1, 3), q(2)]), 0).hi.equals(q(T + 1n, G))).toBe(true); // λ_min ≤ ⌈⌉
    expect(certifiedEigenvalue(diagQ([q(0), q(1, 3)]), 1).lo.equals(q(T, G))).toBe(true); // λ_max ≥ ⌊⌋
    expect(certifiedEigenvalue(diagQ([q(-1, 3), q(0)]), 0).hi.equals(q(-T, G))).toBe(true);
    expect(certifiedEigenvalue(diagQ([q(-2), q(-1, 3)]), 1).lo.equals(q(-T - 1n, G))).toBe(true);
  });

  test('±2^100/3: the neighbours on the grid 2^35 (a negative shift)', () => {
    const x = q(2n ** 100n, 3);
    const s = 2n ** 35n;
    expect(certifiedEigenvalue(diagQ([x, x.mul(2)]), 0).hi.equals(q((T + 1n) * s))).toBe(true);
    expect(certifiedEigenvalue(diagQ([q(0), x]), 1).lo.equals(q(T * s))).toBe(true);
    expect(certifiedEigenvalue(diagQ([x.neg(), q(0)]), 0).hi.equals(q(-T * s))).toBe(true);
    expect(certifiedEigenvalue(diagQ([x.mul(-2), x.neg()]), 1).lo.equals(q((-T - 1n) * s))).toBe(true);
  });

  test('a dyadic eigenvalue is its own bound: λ_min = 1/2 exactly, λ_max = −1/2 from below exactly', () => {
    const r = certifiedEigenvalue(diagQ([q(1, 2), q(2)]), 0);
    expect([r.lo.toFraction(), r.hi.toFraction()]).toEqual(['1/2', '1/2']);
    expect(certifiedEigenvalue(diagQ([q(-2), q(-1, 2)]), 1).lo.toFraction()).toBe('-1/2');
    expect(certifiedEigenvalue(diagQ([q(3n * 2n ** 90n), q(2n ** 100n)]), 0).hi.equals(q(3n * 2n ** 90n))).toBe(true);
  });
});

describe('inertia.ts part d: default names and the k message', () => {
  test('certifiedEigenvalue names A and states the range of k; certifiedConditionNumber names A', () => {
    const notSym = [
      [q(1), q(2)],
      [q(3), q(4)],
    ];
    const two = diagQ([q(1), q(2)]);
    expect(message(() => certifiedEigenvalue(notSym, 0), NotSymmetricError)).toBe('A: expected a symmetric matrix (exact symmetry required for an inertia count)');
    expect(message(() => certifiedEigenvalue(two, 2), InvalidArgumentError)).toBe('k: expected an integer in [0, 1], got 2');
    expect(message(() => certifiedEigenvalue(two, 0.5), InvalidArgumentError)).toBe('k: expected an integer in [0, 1], got 0.5');
    expect(message(() => certifiedConditionNumber(notSym), NotSymmetricError)).toBe('A: expected a symmetric matrix (exact symmetry required for an inertia count)');
    expect(message(() => certifiedConditionNumber(diagQ([q(1), q(-1)])), NotPositiveDefiniteError)).toBe('A: expected a symmetric positive definite matrix (inertia (+1, −1, 0×0))');
  });
});

describe('inertia.ts part d: certifiedConditionNumber decides positive definiteness with the counts it needs', () => {
  const m = (rows: readonly (readonly number[])[]): RationalMatrix => rows.map((row) => row.map((x) => q(x)));

  test('λ_min certified ≤ 0: rejected at once, with no inertia count beyond those of certifying λ_min', () => {
    const a = m([
      [1, 2],
      [2, 1],
    ]); // λ = −1, 3
    const s0 = newStats();
    expect(certifiedEigenvalue(a, 0, { stats: s0 }).hi.compare(0)).toBeLessThanOrEqual(0);
    const s = newStats();
    expect(message(() => certifiedConditionNumber(a, { stats: s }), NotPositiveDefiniteError)).toBe('A: expected a symmetric positive definite matrix (inertia (+1, −1, 0×0))');
    expect(s).toEqual(s0);
  });

  test('a singular PSD matrix whose λ_min bracket straddles 0: one inertia count at 0 rejects it', () => {
    // [[1, 3], [3, 9]] has λ = 0, 10; absWidth 1 stops the λ_min bracket at [−1/4, hi] with hi > 0 (a Rayleigh quotient).
    const a = m([
      [1, 3],
      [3, 9],
    ]);
    const opts = { absWidth: 1, relWidth: 0 };
    const s0 = newStats();
    const r0 = certifiedEigenvalue(a, 0, { ...opts, stats: s0 });
    expect([r0.lo.compare(0), r0.hi.compare(0)]).toEqual([-1, 1]); // premise: the bracket straddles 0
    const s = newStats();
    expect(message(() => certifiedConditionNumber(a, { ...opts, stats: s }), NotPositiveDefiniteError)).toBe(
      'A: expected a symmetric positive definite matrix (inertia (+1, −0, 0×1))',
    );
    expect(s).toEqual({ ...s0, probes: s0.probes + 1 });
  });

  test('a PD matrix whose λ_min bracket straddles 0: one inertia count, then one count per bisection step', () => {
    // [[1, 1], [1, 2]]: λ = (3 ∓ √5)/2; absWidth 10 stops the λ_min bracket at [0 (Gershgorin), hi].
    const a = m([
      [1, 1],
      [1, 2],
    ]);
    const opts = { absWidth: 10, relWidth: 0 };
    const s0 = newStats();
    const s1 = newStats();
    expect(certifiedEigenvalue(a, 0, { ...opts, stats: s0 }).lo.compare(0)).toBeLessThanOrEqual(0); // premise
    certifiedEigenvalue(a, 1, { ...opts, stats: s1 });
    const s = newStats();
    const c = certifiedConditionNumber(a, { ...opts, stats: s });
    const extraBisections = s.bisections - s0.bisections - s1.bisections;
    expect(extraBisections).toBeGreaterThan(0);
    expect(s.probes).toBe(s0.probes + s1.probes + 1 + extraBisections);
    const lambdaMin = (3 - Math.sqrt(5)) / 2;
    expect(c.lambdaMin.lo.compare(0)).toBe(1);
    expect(c.lambdaMin.lo.valueOf()).toBeLessThanOrEqual(lambdaMin);
    expect(c.lambdaMin.hi.valueOf()).toBeGreaterThanOrEqual(lambdaMin);
  });

  test('n = 1: λ_max is λ_min, certified once (no second count, solve or bisection)', () => {
    // relWidth 1e-30 is finer than the 64-bit Rayleigh bound on 1/3, so certifying λ spends counts and solves.
    const a = [[q(1, 3)]];
    const opts = { relWidth: 1e-30 };
    const s0 = newStats();
    certifiedEigenvalue(a, 0, { ...opts, stats: s0 });
    expect(s0.probes + s0.solves).toBeGreaterThan(0); // premise
    const s = newStats();
    const c = certifiedConditionNumber(a, { ...opts, stats: s });
    expect(s).toEqual(s0);
    expect(c.lambdaMax).toBe(c.lambdaMin);
    expect([c.kappa.lo.compare(1), c.kappa.hi.compare(1)]).toEqual([-1, 1]);
  });

  test('the bisection to a positive lower end can hit λ_min exactly: then λ_min = [t, t]', () => {
    // A = M ⊕ [2^1100] with M = Q diag(2^14, 2^20) Qᵀ, Q the 3-4-5 rotation: no float64 guesses (2^1100 overflows),
    // Gershgorin's lower end is negative, and absWidth 2^80 stops the λ_min bisection at [0, 2^77] (probes 0, 2^1099,
    // 2^1097, 2^1093, …, 2^77). Positive definiteness is then counted, and the gallop from [0, 2^77] probes 2^76, 2^74,
    // 2^70, 2^62, 2^46 and then 2^14 = λ_min, proving it exactly.
    const l1 = 2n ** 14n;
    const l2 = 2n ** 20n;
    const h = 2n ** 1100n;
    const a: RationalMatrix = [
      [q(9n * l1 + 16n * l2, 25), q(12n * (l1 - l2), 25), q(0)],
      [q(12n * (l1 - l2), 25), q(16n * l1 + 9n * l2, 25), q(0)],
      [q(0), q(0), q(h)],
    ];
    const opts = { absWidth: 2 ** 80, relWidth: 2 ** -4 };
    const r0 = certifiedEigenvalue(a, 0, opts);
    expect([r0.lo.toFraction(), r0.hi.equals(q(2n ** 77n))]).toEqual(['0', true]); // premise
    const c = certifiedConditionNumber(a, opts);
    expect([c.lambdaMin.lo.toFraction(), c.lambdaMin.hi.toFraction()]).toEqual(['16384', '16384']);
    expect(c.lambdaMax.lo.compare(q(h))).toBeLessThanOrEqual(0);
    expect(c.lambdaMax.hi.compare(q(h))).toBeGreaterThanOrEqual(0);
    expect(c.kappa.lo.equals(c.lambdaMax.lo.div(q(l1)))).toBe(true);
    expect(c.kappa.hi.equals(c.lambdaMax.hi.div(q(l1)))).toBe(true);
  });
});

describe('inertia.ts part d: plain bisection splits at a short dyadic near the midpoint', () => {
  /** The largest power of two ≤ x (x > 0), by doubling and halving. */
  function pow2AtMost(x: Rational): Rational {
    let s = q(1);
    while (s.compare(x) > 0) s = s.div(2);
    while (s.mul(2).compare(x) <= 0) s = s.mul(2);
    return s;
  }
  /**
   * The documented plain bisection, replayed independently: split [lo, hi] at the multiple of s nearest to its
   * midpoint, s the largest power of two ≤ width/8 (so the split is within width/16 of the midpoint); the count at t
   * against the known λ_k moves one end; stop when width ≤ relWidth·min(|lo|, |hi|).
   */
  function replay(lo: Rational, hi: Rational, lambda: Rational, relWidth: Rational): { lo: Rational; hi: Rational; steps: number } {
    let steps = 0;
    const lower = (): Rational => (lo.abs().compare(hi.abs()) < 0 ? lo.abs() : hi.abs());
    while (hi.sub(lo).compare(relWidth.mul(lower())) > 0) {
      const s = pow2AtMost(hi.sub(lo).div(8));
      const t = lo.add(hi).div(2).div(s).round(0).mul(s);
      steps++;
      const c = t.compare(lambda);
      if (c === 0) return { lo: t, hi: t, steps };
      if (c < 0) lo = t;
      else hi = t;
    }
    return { lo, hi, steps };
  }

  // Entries beyond float64 (2^1100): no float guesses, so certification bisects from Gershgorin's [min a_ii, max a_ii + 1],
  // and both ends are within a factor 16 of each other, so every split is the plain one.
  const H = 2n ** 1100n;
  const cases: [string, Rational, Rational][] = [
    ['diag(2^1100/3, 2^1100)', q(H, 3), q(H)],
    // 9·2^1095 and 9·2^1095 + 2^1100 − 1: the first width is 2^1100, so width/8 is itself a power of two, and the
    // midpoint 25·2^1095 is a multiple of 2^1096 (width/16) but not of 2^1097 (width/8).
    ['diag(9·2^1095, 9·2^1095 + 2^1100 − 1)', q(9n * 2n ** 1095n), q(9n * 2n ** 1095n + H - 1n)],
  ];
  test.each(cases)('%s: both eigenvalues, end for end and step for step', (_name, a, b) => {
    const relWidth = q(1, 1024);
    for (const k of [0, 1]) {
      const stats = newStats();
      const r = certifiedEigenvalue(diagQ([a, b]), k, { relWidth: 2 ** -10, stats });
      const want = replay(a, b.add(1), k === 0 ? a : b, relWidth);
      expect([r.lo.equals(want.lo), r.hi.equals(want.hi)]).toEqual([true, true]);
      expect(stats).toEqual({ probes: want.steps, bisections: want.steps, solves: 0 });
    }
  });
});
