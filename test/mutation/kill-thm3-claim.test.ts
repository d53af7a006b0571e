/**
 * Killing tests for src/theory/thm3/claim.ts (THM-3 as a claim: `shortRational`, the case generator, the eleven checks
 * of one case, the exact gradient-descent bound, the reference checks and the registered claim; README, "Mutation
 * testing"; docs/math.md#s0-1 THM-3, #pt-5; proofs/THM-3.md).
 *
 * The checks of steps 1–4 compare two exact computations that agree on every case (w₀ = w*, Θ = J*), so only their
 * names and details can be pinned here. Steps 5–8 are decided by `checkThm3` itself, and hand-built cases make each of
 * them fail: a step size η < 0 (the hypothesis η > 0 violated), an indefinite A (A ≻ 0 violated: the product formula
 * λ_max = λ_max(Σ)λ_max(A) then misses the dominant eigenvalue σ_max·a_min, so the certified ρ is too small), and a
 * non-diagonal A whose certified λ_max interval [3, 3 + 2⁻⁵¹] contains 2/η while ηλ_max < 2 (the undecided branch
 * of step 5 with a converging iteration). Each case's eleven checks are pinned field by field; the numbers come from
 * the closed forms of diagonal cases (λ(Σ⊗A) = {σ_i² a_j}, ρ = max|1 − ηλ|), and the float decision's boundaries
 * (upper = 1, lower = 1) are hit exactly by dyadic step sizes. `exactGradientDescentBound` is compared with plain
 * Fraction arithmetic E_{k+1} = E_k − ηAE_kΣ (a second algorithm), and the generator's draws are checked against
 * η = t·2/λ_max(Σ⊗A) for t in its list of factors, with the exact edge η·a·max σ² = 2 when m = 1 and Σ is diagonal.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { choleskySolve, conditionNumber, kron, symmetricEigenvalues, vec } from '../../src/linalg/dense.js';
import { math, rational, rationalMatrix, toNumber, toNumberMatrix, vecQ, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { EXACT_GD_STEPS, checkThm3, exactGradientDescentBound, referenceChecksThm3, shortRational, thm3Claim, type Thm3Case } from '../../src/theory/thm3/claim.js';
import { bestResponse, measureAsymptoticRatio, responseRate } from '../../src/theory/thm3/math.js';
import { eigenRelTol, relativeErrorVec } from '../../src/tolerance.js';
import type { Check } from '../../src/theory/claim.js';
import { expectThrows } from './throws.js';

type M = (number | string)[][];

/** A case from literals: Σ = diag(σ²) when `sigma` is given, else the full `cov`. */
function mk(A: M, B: M, b: (number | string)[], lambda0: (number | string)[], sigma: (number | string)[] | null, cov: M | null, eta: string | Rational, start: M): Thm3Case {
  const s = sigma ? sigma.map((x) => rational(x)) : null;
  const covariance = cov ? rationalMatrix(cov) : s!.map((x, i) => s!.map((_, j) => (i === j ? x.mul(x) : math.fraction(0))));
  return {
    A: rationalMatrix(A),
    B: rationalMatrix(B),
    b: b.map((x) => rational(x)),
    lambda0: lambda0.map((x) => rational(x)),
    sigma: s,
    covariance,
    eta: typeof eta === 'string' ? rational(eta) : eta,
    start: rationalMatrix(start),
  };
}

const NAMES = [
  'general step: ∇_w L_T(λ₀, w₀) = 0 ⇒ w₀ = w*(λ₀) = A⁻¹(b + Bλ₀)',
  'response Hessian in vec Θ (column-major) = Σ ⊗ A',
  'response stationarity ⇒ Θ = A⁻¹B = J*, for this Σ',
  'response minimiser decoupled from w₀ (E[ε] = 0): Θ = J* around w₀ ≠ w*',
  '∇_Θ R(Θ) = A(Θ − J*)Σ, i.e. ∇_{vecΘ} R = (Σ⊗A)(vecΘ − vec J*)',
  'GD converges ⇔ η < 2/λ_max(Σ⊗A): exact inertia vs certified λ_max',
  'ρ(T) < 1 ⇔ I − T² ≻ 0 agrees with η > 0 ∧ 2I − η(Σ⊗A) ≻ 0',
  'float64 ρ ∈ certified [ρ_lo, ρ_hi]',
  'float64 GD: ‖e_{K+1}‖/‖e_K‖ ∈ [ρ_lo√(1 − B_K), ρ_hi] (± rounding)',
  'float64 GD contracts iff converges (when the measured ratio is clear of 1)',
  'exact GD: ‖e_k‖² ≤ ρ_hi^{2k}‖e₀‖², k ≤ 12',
];

const exact = (name: string, holds: boolean, detail: string): Check => ({ name, kind: 'exact', error: holds ? 0 : 1, tolerance: 0, passed: holds, detail });

/** What a case's eleven checks must be, from hand-worked values. */
interface Expected {
  m: number;
  h: number;
  w0: string;
  diagonal: boolean;
  eta: string;
  /** Step 5: its verdict and the text after the η. */
  agree: boolean;
  how: string;
  converges: boolean;
  /** Step 5's second check (ρ(T) < 1 ⇔ I − T² ≻ 0 agrees). */
  spectral: boolean;
  /** float64 ρ, the certified [lo, hi] as numbers, λ_max.hi as a number, η as a number. */
  rate: number;
  lo: number;
  hi: number;
  lmax: number;
  etaF: number;
  /** Σ and A in float64, for the float64 GD run (measured here too: measureAsymptoticRatio is math.ts's). */
  Af: number[][];
  Sf: number[][];
  floatDecision: boolean | null;
  gdFailedAt: number | null;
}

function expectedChecks(e: Expected): Check[] {
  const size = `m=${e.m}, h=${e.h}`;
  const n = e.m * e.h;
  const outside = Math.max(0, e.lo - e.rate, e.rate - e.hi);
  const meas = measureAsymptoticRatio(e.Af, e.Sf, e.etaF);
  const rounding = eigenRelTol(n, 1) * (1 + e.etaF * e.lmax);
  const lower = e.lo * Math.sqrt(Math.max(0, 1 - meas.bound)) - rounding;
  const upper = e.hi + rounding;
  const miss = Math.max(0, lower - meas.ratio, meas.ratio - upper);
  const err7 = outside / Math.max(1, e.etaF * e.lmax);
  const tol7 = eigenRelTol(n, 1);
  return [
    exact(NAMES[0], true, `${size}; w₀ = [${e.w0}]`),
    exact(NAMES[1], true, size),
    exact(NAMES[2], true, `${size}; Σ ${e.diagonal ? 'diagonal' : 'full'}`),
    exact(NAMES[3], true, size),
    exact(NAMES[4], true, size),
    exact(NAMES[5], e.agree, `${size}; η = ${e.eta}; ${e.how}`),
    exact(NAMES[6], e.spectral, `${size}; converges = ${e.converges}`),
    { name: NAMES[7], kind: 'certified', error: err7, tolerance: tol7, passed: err7 <= tol7, detail: `${size}; ρ = ${e.rate}; [${e.lo}, ${e.hi}]` },
    {
      name: NAMES[8],
      kind: 'float64',
      error: miss,
      tolerance: 0,
      passed: miss === 0,
      detail: `${size}; K = ${meas.steps}; ratio = ${meas.ratio}; ρ = ${e.rate}; B_K = ${meas.bound.toExponential(2)}`,
    },
    exact(NAMES[9], e.floatDecision === null || e.floatDecision === e.converges, `${size}; float decision ${e.floatDecision}; exact ${e.converges}`),
    exact(NAMES[10], e.gdFailedAt === null, `${size}; ${e.gdFailedAt === null ? 'holds' : `fails at k = ${e.gdFailedAt}`}`),
  ];
}

describe('shortRational: the rational with `digits` significant decimal digits nearest to x > 0', () => {
  test('default 3 digits: exponent −2 (scale 4), 0 (scale 2), 4 (scale −2, an integer times 10²)', () => {
    expect(shortRational(0.0123456).toFraction()).toBe('123/10000');
    expect(shortRational(5).toFraction()).toBe('5');
    expect(shortRational(12345).toFraction()).toBe('12300');
    expect(shortRational(2 / 3).toFraction()).toBe('667/1000');
  });
  test('scale 0 (exponent = digits − 1) rounds to an integer; a negative scale multiplies by 10^{−scale}', () => {
    expect(shortRational(999.6).toFraction()).toBe('1000');
    expect(shortRational(123.4).toFraction()).toBe('123');
    expect(shortRational(123456, 2).toFraction()).toBe('120000');
  });
  test('other digit counts: 7 digits of π, 1 digit of 2/3, 4 digits of 0.000123456', () => {
    expect(shortRational(Math.PI, 7).toFraction()).toBe('3141593/1000000');
    expect(shortRational(2 / 3, 1).toFraction()).toBe('7/10');
    expect(shortRational(0.000123456, 4).toFraction()).toBe('247/2000000');
  });
  test('x ≤ 0, NaN and ±∞: InvalidArgumentError naming `x`', () => {
    for (const [x, got] of [
      [0, '0'],
      [-1, '-1'],
      [-0.5, '-0.5'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ] as const) {
      expectThrows(() => shortRational(x), InvalidArgumentError, 'x', `x: expected a finite positive number, got ${got}`);
    }
    expect(shortRational(Number.MIN_VALUE * 2 ** 60, 1).valueOf()).toBeGreaterThan(0);
  });
});

describe('checkThm3: every field of the eleven checks on hand-built cases', () => {
  test('converging, m = 1, h = 2 (n = 2 ≠ m/h), η·λ_max = 5/3 ∈ (1, 2): all pass; float ρ one ulp above the exact 2/3', () => {
    // A = 2, Σ = diag(1/4, 1/9): λ(Σ⊗A) = {1/2, 2/9}, η = 10/3: 1 − ηλ = {−2/3, 7/27}, ρ = 2/3. w* = (1 + 1/2 − 3)/2 = −3/4.
    const c = mk([[2]], [[1, -1]], [1], ['1/2', 3], ['1/2', '1/3'], null, '10/3', [[1, 2]]);
    const rate = Math.max(Math.abs(1 - ((10 / 3) * 0.25) * 2), Math.abs(1 - ((10 / 3) * (1 / 9)) * 2));
    expect(rate).toBe(0.6666666666666667); // one ulp above toNumber(2/3) = 0.6666666666666666
    const got = checkThm3(c);
    expect(got).toEqual(
      expectedChecks({ m: 1, h: 2, w0: '-3/4', diagonal: true, eta: '10/3', agree: true, how: 'η·λmax.hi < 2 ⇒ converges', converges: true, spectral: true, rate, lo: 2 / 3, hi: 2 / 3, lmax: 0.5, etaF: 10 / 3, Af: [[2]], Sf: [[0.25, 0], [0, 1 / 9]], floatDecision: true, gdFailedAt: null }),
    );
    expect(got[7].error).toBe((0.6666666666666667 - 0.6666666666666666) / (5 / 3));
    expect(got[8].detail).toMatch(/^m=1, h=2; K = \d+; ratio = 0\.66666666666666\d+; ρ = 0\.6666666666666667; B_K = /);
  });

  test('clearly diverging, A = [[2,1],[1,2]] (certified λ_max ∈ [3, 3(1+2⁻⁵¹)]), Σ = 1/4, η = 4: η·λmax.lo = 3 > 2', () => {
    // λ(Σ⊗A) = {1/4, 3/4}; 1 − ηλ = {0, −2}: ρ = 2; w* = A⁻¹(1 + 3, 1) = (7/3, −2/3).
    const c = mk([[2, 1], [1, 2]], [[1], [0]], [1, 1], [3], ['1/2'], null, '4', [[0], [1]]);
    const got = checkThm3(c);
    // The certified λ_max(A) interval is responseRate's (math.ts): here only its lower end 3 is exact.
    const r = responseRate(c.A, c.covariance, c.eta);
    expect(r.lambdaMax.lo.toFraction()).toBe('3/4');
    const hi = toNumber(r.rateInterval.hi);
    expect(hi).toBeGreaterThan(2);
    expect(hi).toBeLessThan(2 + 1e-11);
    const rate = Math.max(...symmetricEigenvalues([[2, 1], [1, 2]]).map((a) => Math.abs(1 - 4 * 0.25 * a)));
    expect(got).toEqual(
      expectedChecks({ m: 2, h: 1, w0: '7/3,-2/3', diagonal: true, eta: '4', agree: true, how: 'η·λmax.lo > 2 ⇒ diverges', converges: false, spectral: true, rate, lo: 2, hi, lmax: toNumber(r.lambdaMax.hi), etaF: 4, Af: [[2, 1], [1, 2]], Sf: [[0.25]], floatDecision: false, gdFailedAt: null }),
    );
  });

  test('full Σ = [[1, 1/2], [1/2, 1]] (eigenvalues 1/2, 3/2), A = 2, η = 1/5: "Σ full", converging', () => {
    // λ(Σ⊗A) = {1, 3}; 1 − ηλ = {4/5, 2/5}: ρ = 4/5. w* = (3 + 2·1 − 1·(−1))/2 ... = (b + Bλ₀)/2 = (1 + 2 + 1)/2 = 2.
    const c = mk([[2]], [[1, -1]], [1], [2, -1], null, [[1, '1/2'], ['1/2', 1]], '1/5', [[0, 0]]);
    const r = responseRate(c.A, c.covariance, c.eta);
    const got = checkThm3(c);
    const rate = Math.max(...symmetricEigenvalues([[1, 0.5], [0.5, 1]]).map((s) => Math.abs(1 - 0.2 * s * 2)));
    expect(rate).toBeCloseTo(0.8, 15);
    expect(got).toEqual(
      expectedChecks({ m: 1, h: 2, w0: '2', diagonal: false, eta: '1/5', agree: true, how: 'η·λmax.hi < 2 ⇒ converges', converges: true, spectral: true, rate, lo: toNumber(r.rateInterval.lo), hi: toNumber(r.rateInterval.hi), lmax: toNumber(r.lambdaMax.hi), etaF: 0.2, Af: [[2]], Sf: [[1, 0.5], [0.5, 1]], floatDecision: true, gdFailedAt: null }),
    );
  });

  test('exact edge η = 2/λ_max (A = 3, σ = 2, η = 1/6): undecided branch, inertia (0, 0, 1); ‖e_k‖ = ρ_hi^k‖e₀‖ with ρ_hi = 1', () => {
    const c = mk([[3]], [[2]], [-1], [1], [2], null, '1/6', [['1/2']]);
    const got = checkThm3(c);
    expect(got).toEqual(
      expectedChecks({
        m: 1,
        h: 1,
        w0: '1/3',
        diagonal: true,
        eta: '1/6',
        agree: true,
        how: '2/η inside the λmax interval; inertia {"positive":0,"negative":0,"zero":1}',
        converges: false,
        spectral: true,
        rate: 1,
        lo: 1,
        hi: 1,
        lmax: 12,
        etaF: 1 / 6,
        Af: [[3]],
        Sf: [[4]],
        floatDecision: null,
        gdFailedAt: null,
      }),
    );
  });

  test('undecided branch with a converging iteration: A = [[2,1],[1,2]], Σ = 1, η = 2/λmax.hi (λmax.hi = 3 + 2⁻⁵¹) ⇒ step 5 FAILS', () => {
    const hiA = math.fraction(6755399441057433n, 2251799813685248n);
    const c = mk([[2, 1], [1, 2]], [[1], [0]], [1, 1], [3], [1], null, math.fraction(2).div(hiA), [[0], [1]]);
    const r = responseRate(c.A, c.covariance, c.eta);
    expect(r.lambdaMax.hi.equals(hiA)).toBe(true);
    expect(r.lambdaMax.lo.toFraction()).toBe('3');
    const got = checkThm3(c);
    const etaF = toNumber(c.eta);
    const rate = Math.max(...symmetricEigenvalues([[2, 1], [1, 2]]).map((a) => Math.abs(1 - etaF * 1 * a)));
    expect(got).toEqual(
      expectedChecks({
        m: 2,
        h: 1,
        w0: '7/3,-2/3',
        diagonal: true,
        eta: '4503599627370496/6755399441057433',
        agree: false,
        how: '2/η inside the λmax interval; inertia {"positive":2,"negative":0,"zero":0}',
        converges: true,
        spectral: true,
        rate,
        lo: toNumber(r.rateInterval.lo),
        hi: toNumber(r.rateInterval.hi),
        lmax: toNumber(hiA),
        etaF,
        Af: [[2, 1], [1, 2]],
        Sf: [[1]],
        floatDecision: null,
        gdFailedAt: null,
      }),
    );
    expect(got[5].passed).toBe(false);
  });

  test('η = −2 < 0 with A = diag(−1, −4): η·λ_max = 2 exactly, inertia (0, 1, 1) ⇒ step 5 FAILS (not converging, but an eigenvalue beyond)', () => {
    // λ(Σ⊗A) = {−1, −4}, 2 − ηλ = {0, −6}; 1 − ηλ = {−1, −7}: ρ = 7. w* = A⁻¹(0 + 2, 1 + 2) = (−2, −3/4).
    const c = mk([[-1, 0], [0, -4]], [[1], [1]], [0, 1], [2], [1], null, '-2', [[1], [1]]);
    const got = checkThm3(c);
    expect(got).toEqual(
      expectedChecks({
        m: 2,
        h: 1,
        w0: '-2,-3/4',
        diagonal: true,
        eta: '-2',
        agree: false,
        how: '2/η inside the λmax interval; inertia {"positive":0,"negative":1,"zero":1}',
        converges: false,
        spectral: true,
        rate: 7,
        lo: 7,
        hi: 7,
        lmax: -1,
        etaF: -2,
        Af: [[-1, 0], [0, -4]],
        Sf: [[1]],
        floatDecision: false,
        gdFailedAt: null,
      }),
    );
  });

  test('η = −1/2 < 0 with A ≻ 0: η·λmax.hi < 2 but no convergence ⇒ step 5 FAILS in the first branch', () => {
    // A = 1, Σ = 1: 1 − ηλ = 3/2 = ρ, 2 − ηλ = 5/2 > 0 (inertia all positive, yet η ≤ 0).
    const c = mk([[1]], [[1]], [0], [0], [1], null, '-1/2', [[1]]);
    const got = checkThm3(c);
    expect(got).toEqual(
      expectedChecks({ m: 1, h: 1, w0: '0', diagonal: true, eta: '-1/2', agree: false, how: 'η·λmax.hi < 2 ⇒ converges', converges: false, spectral: true, rate: 1.5, lo: 1.5, hi: 1.5, lmax: 1, etaF: -0.5, Af: [[1]], Sf: [[1]], floatDecision: false, gdFailedAt: null }),
    );
  });

  test('indefinite A = diag(1, −1), Σ = diag(1, 4), η = 3/10: the certified ρ = 13/10 misses ρ = 11/5 ⇒ steps 5b–8 FAIL', () => {
    // λ(Σ⊗A) = {1, −1, 4, −4}; the product formula gives λ_min = −1, λ_max = 4: ρ_lo = ρ_hi = max(|1 + 3/10|, |1 − 6/5|) = 13/10,
    // but 1 − ηλ = {7/10, 13/10, −1/5, 11/5}. E₀ = start − J* = [[1, 0], [1, 1/10]]: ‖e_k‖² = (49/100)^k + (169/100)^k + (1/100)(484/100)^k
    // first exceeds (169/100)^k·(201/100) at k = 5 (k = 4: 0.0576 + 8.1573 + 5.4875 = 13.70 < 16.40; k = 5: 0.0282 + 13.786 + 26.56 = 40.37 > 27.72).
    const c = mk([[1, 0], [0, -1]], [[1, 0], [0, 1]], [1, 2], [0, 1], [1, 2], null, '3/10', [[2, 0], [1, '-9/10']]);
    const got = checkThm3(c);
    const rate = Math.abs(1 - 0.3 * 4 * -1);
    expect(rate).toBeCloseTo(2.2, 15);
    expect(got).toEqual(
      expectedChecks({ m: 2, h: 2, w0: '1,-3', diagonal: true, eta: '3/10', agree: true, how: 'η·λmax.hi < 2 ⇒ converges', converges: true, spectral: false, rate, lo: 1.3, hi: 1.3, lmax: 4, etaF: 0.3, Af: [[1, 0], [0, -1]], Sf: [[1, 0], [0, 4]], floatDecision: false, gdFailedAt: 5 }),
    );
    expect(got.map((x) => x.passed)).toEqual([true, true, true, true, true, true, false, false, false, false, false]);
    expect(got[7].error).toBeCloseTo(0.75, 14);
    expect(got[8].error).toBeCloseTo(0.9, 9);
  });

  test('float decision at upper = 1 exactly (ρ_hi = 1 − 2⁻⁴⁶, rounding 2⁻⁴⁶): undecided, not "contracts"', () => {
    // A = 1, Σ = diag(1, 2⁻⁴⁶), η = 1: 1 − ηλ = {0, 1 − 2⁻⁴⁶}; rounding = 16·2·ε·(1 + 1) = 2⁻⁴⁶.
    const c = mk([[1]], [[1, 1]], [0], [0, 0], [1, '1/8388608'], null, '1', [[1, 1]]);
    const rho = 1 - 2 ** -46;
    expect(rho + eigenRelTol(2, 1) * 2).toBe(1);
    const got = checkThm3(c);
    expect(got).toEqual(
      expectedChecks({ m: 1, h: 2, w0: '0', diagonal: true, eta: '1', agree: true, how: 'η·λmax.hi < 2 ⇒ converges', converges: true, spectral: true, rate: rho, lo: rho, hi: rho, lmax: 1, etaF: 1, Af: [[1]], Sf: [[1, 0], [0, 2 ** -46]], floatDecision: null, gdFailedAt: null }),
    );
  });

  test('float decision at lower = 1 exactly (n = 1, η = 2 + 3·2⁻⁴⁸, B_K = 0): undecided, not "diverges"', () => {
    // ρ = η − 1 = 1 + 3·2⁻⁴⁸, rounding = 16ε(1 + η) = 3·2⁻⁴⁸ + 3·2⁻⁹⁶: ρ − rounding rounds to 1.
    const eta = math.fraction(2n ** 49n + 3n, 2n ** 48n);
    const c = mk([[1]], [[1]], [0], [0], [1], null, eta, [[1]]);
    const rho = 1 + 3 * 2 ** -48;
    expect(rho - eigenRelTol(1, 1) * (1 + toNumber(eta))).toBe(1);
    const got = checkThm3(c);
    expect(got).toEqual(
      expectedChecks({ m: 1, h: 1, w0: '0', diagonal: true, eta: '562949953421315/281474976710656', agree: true, how: 'η·λmax.lo > 2 ⇒ diverges', converges: false, spectral: true, rate: rho, lo: rho, hi: rho, lmax: 1, etaF: toNumber(eta), Af: [[1]], Sf: [[1]], floatDecision: null, gdFailedAt: null }),
    );
  });

  test('float decision with a slow bound (K = 1999, B_K ≈ 1.8e−4): ρ_lo√(1 − B_K) < 1 < ρ_lo, undecided', () => {
    // A = diag(1, 7999/8000), Σ = 1, η = 40001/20000: 1 − ηλ = {−20001/20000, ≈ −1.0000250}: x = μ₂²/ρ² ≈ 1 − 1/2000.
    const c = mk([[1, 0], [0, '7999/8000']], [[1], [0]], [0, 0], [1], [1], null, '40001/20000', [[1], [1]]);
    const rho = 20001 / 20000;
    const got = checkThm3(c);
    const meas = measureAsymptoticRatio([[1, 0], [0, 7999 / 8000]], [[1]], 40001 / 20000);
    expect(meas.steps).toBe(1999);
    expect(meas.bound).toBeGreaterThan(1e-4);
    expect(rho * Math.sqrt(1 - meas.bound)).toBeLessThan(1);
    expect(rho / Math.sqrt(1 - meas.bound)).toBeGreaterThan(1);
    expect(rho * Math.sqrt(1 + meas.bound)).toBeGreaterThan(1);
    const rate = Math.max(Math.abs(1 - 2.00005 * 1 * 1), Math.abs(1 - 2.00005 * 1 * (7999 / 8000)));
    expect(got).toEqual(
      expectedChecks({ m: 2, h: 1, w0: '1,0', diagonal: true, eta: '40001/20000', agree: true, how: 'η·λmax.lo > 2 ⇒ diverges', converges: false, spectral: true, rate, lo: rho, hi: rho, lmax: 1, etaF: 2.00005, Af: [[1, 0], [0, 7999 / 8000]], Sf: [[1]], floatDecision: null, gdFailedAt: null }),
    );
  });
});

/** E_{k+1} = E_k − ηAE_kΣ in Fraction arithmetic; the first k ≤ steps with ‖E_k‖²_F > ρ^{2k}‖E₀‖²_F, or null. */
function gdOracle(A: RationalMatrix, S: RationalMatrix, eta: Rational, E0: RationalMatrix, rho: Rational, steps: number): number | null {
  const mul = (X: RationalMatrix, Y: RationalMatrix): RationalMatrix => X.map((row) => Y[0].map((_, j) => row.reduce((s, x, l) => s.add(x.mul(Y[l][j])), math.fraction(0))));
  const frob2 = (X: RationalMatrix): Rational => X.flat().reduce((s, x) => s.add(x.mul(x)), math.fraction(0));
  const n0 = frob2(E0);
  let E = E0;
  let r2k = math.fraction(1);
  for (let k = 1; k <= steps; k++) {
    const AES = mul(mul(A, E), S);
    E = E.map((row, i) => row.map((x, j) => x.sub(eta.mul(AES[i][j]))));
    r2k = r2k.mul(rho).mul(rho);
    if (frob2(E).compare(r2k.mul(n0)) > 0) return k;
  }
  return null;
}

describe('exactGradientDescentBound: the first k with ‖E_k‖² > ρ_hi^{2k}‖E₀‖², against Fraction arithmetic', () => {
  test('1×1 with denominators (A = 5/2, Σ = 4/3, η = 3/20 ⇒ E_k = (1/2)^k E₀): equality at every k holds; below it fails at k = 1', () => {
    const A = rationalMatrix([['5/2']]);
    const S = rationalMatrix([['4/3']]);
    const E0 = rationalMatrix([['7/3']]);
    const eta = rational('3/20');
    expect(exactGradientDescentBound(A, S, eta, E0, rational('1/2'), 12)).toEqual({ failedAt: null });
    expect(exactGradientDescentBound(A, S, eta, E0, rational('499/1000'), 12)).toEqual({ failedAt: 1 });
    expect(exactGradientDescentBound(A, S, eta, E0, rational('499/1000'), 0)).toEqual({ failedAt: null });
    expect(exactGradientDescentBound(A, S, eta, E0, rational('501/1000'), 12)).toEqual({ failedAt: null });
  });
  test('1×1, ρ = 2/3 (η = 1/10: ηAΣ = 1/3), equality at every k; ρ_hi = 2/3 holds, 665/1000 fails at k = 1', () => {
    const A = rationalMatrix([['5/2']]);
    const S = rationalMatrix([['4/3']]);
    const E0 = rationalMatrix([['-5/6']]);
    expect(exactGradientDescentBound(A, S, rational('1/10'), E0, rational('2/3'), 12)).toEqual({ failedAt: null });
    expect(exactGradientDescentBound(A, S, rational('1/10'), E0, rational('665/1000'), 12)).toEqual({ failedAt: 1 });
  });
  test('negative η = −3/20 (E_k = (3/2)^k E₀): ρ_hi = 3/2 holds with equality, ρ_hi = 1 fails at k = 1', () => {
    const A = rationalMatrix([['5/2']]);
    const S = rationalMatrix([['4/3']]);
    const E0 = rationalMatrix([['7/3']]);
    expect(exactGradientDescentBound(A, S, rational('-3/20'), E0, rational('3/2'), 12)).toEqual({ failedAt: null });
    expect(exactGradientDescentBound(A, S, rational('-3/20'), E0, rational(1), 12)).toEqual({ failedAt: 1 });
  });
  test('2×2 A and Σ, full, with denominators: the first failing k for several ρ_hi equals that of the Fraction recursion, also at k = steps', () => {
    const A = rationalMatrix([[2, '1/2'], ['1/2', 1]]);
    const S = rationalMatrix([[1, '1/3'], ['1/3', '1/2']]);
    const E0 = rationalMatrix([[1, '-1/2'], ['2/3', '1/4']]);
    const eta = rational('7/10');
    const found: (number | null)[] = [];
    for (const rho of ['7/10', '18/25', '37/50', '3/4', '19/25', '39/50', '157/200', '1/2']) {
      const want = gdOracle(A, S, eta, E0, rational(rho), 12);
      expect(exactGradientDescentBound(A, S, eta, E0, rational(rho), 12)).toEqual({ failedAt: want });
      found.push(want);
      if (want !== null) {
        expect(exactGradientDescentBound(A, S, eta, E0, rational(rho), want)).toEqual({ failedAt: want });
        expect(exactGradientDescentBound(A, S, eta, E0, rational(rho), want - 1)).toEqual({ failedAt: null });
      }
    }
    expect(found).toEqual([3, 4, 5, 6, 7, 12, null, 1]);
  });
});

/** Significant decimal digits of a rational whose denominator divides a power of 10 (else Infinity). */
function sigDigits(x: Rational): number {
  let n = x.n;
  let d = x.d;
  while (d % 10n === 0n && n % 10n === 0n) {
    n /= 10n;
    d /= 10n;
  }
  let k = 0n;
  while (d > 1n && k < 40n) {
    if ((10n ** k) % d === 0n) break;
    k++;
  }
  if ((10n ** k) % d !== 0n) return Number.POSITIVE_INFINITY;
  let p = (n * 10n ** k) / d;
  while (p !== 0n && p % 10n === 0n) p /= 10n;
  return p.toString().length;
}

const FACTORS = [0.01, 0.25, 0.5, 0.9, 0.99, 1, 1.01, 1.1, 2];

describe('thm3Claim.arbitrary: shapes, Σ = diag(σ²) or full, η = t·2/λ_max(Σ⊗A) for t in the factor list', () => {
  test('seed 257, 20 draws: every draw checked; the exact edge η·a·max σ² = 2 exactly iff m = 1, Σ diagonal and t = 1', () => {
    const cases = fc.sample(thm3Claim.arbitrary, { seed: 257, numRuns: 20 });
    const seen = new Set<string>();
    const factorsSeen = new Set<number>();
    for (const c of cases) {
      const m = c.A.length;
      const h = c.covariance.length;
      expect(m).toBeGreaterThanOrEqual(1);
      expect(m).toBeLessThanOrEqual(4);
      expect(h).toBeGreaterThanOrEqual(1);
      expect(h).toBeLessThanOrEqual(3);
      expect(c.A.every((row, i) => row.length === m && row.every((x, j) => x.equals(c.A[j][i])))).toBe(true);
      expect(c.B.length).toBe(m);
      expect(c.B.every((row) => row.length === h)).toBe(true);
      expect(c.b.length).toBe(m);
      expect(c.lambda0.length).toBe(h);
      expect(c.start.length).toBe(m);
      expect(c.start.every((row) => row.length === h)).toBe(true);
      expect(c.covariance.every((row, i) => row.length === h && row.every((x, j) => x.equals(c.covariance[j][i])))).toBe(true);
      const aEig = symmetricEigenvalues(toNumberMatrix(c.A));
      const sEig = symmetricEigenvalues(toNumberMatrix(c.covariance));
      expect(Math.min(...aEig)).toBeGreaterThan(0);
      expect(Math.min(...sEig)).toBeGreaterThan(0);
      if (c.sigma !== null) {
        expect(c.sigma.length).toBe(h);
        for (let i = 0; i < h; i++) for (let j = 0; j < h; j++) expect(c.covariance[i][j].equals(i === j ? c.sigma[i].mul(c.sigma[i]) : math.fraction(0))).toBe(true);
      }
      const t = (toNumber(c.eta) * Math.max(...aEig) * Math.max(...sEig)) / 2;
      const f = FACTORS.reduce((best, x) => (Math.abs(t / x - 1) < Math.abs(t / best - 1) ? x : best));
      factorsSeen.add(f);
      if (m === 1 && c.sigma !== null && f === 1) {
        const s2 = c.sigma.map((s) => s.mul(s));
        const max = s2.reduce((x, y) => (y.compare(x) > 0 ? y : x));
        expect(c.eta.mul(c.A[0][0]).mul(max).toFraction()).toBe('2');
        const im = s2.findIndex((x) => x.equals(max));
        const unique = s2.filter((x) => x.equals(max)).length === 1;
        if (h === 1) seen.add('edge h=1');
        if (h > 1 && unique && im < h - 1) seen.add('edge, max σ not last');
        if (h > 1 && unique && im > 0) seen.add('edge, max σ not first');
      } else {
        expect(Math.abs(t / f - 1)).toBeLessThanOrEqual(f === 1 ? 5.0001e-7 : 5.0001e-3);
        expect(sigDigits(c.eta)).toBeLessThanOrEqual(f === 1 ? 7 : 3);
        if (f === 1) expect(sigDigits(c.eta)).toBeGreaterThan(3);
        if (m === 1 && c.sigma !== null) seen.add('m=1, σ, t ≠ 1');
        if (m === 1 && c.sigma === null && f === 1) seen.add('m=1, full Σ, t = 1');
        if (m > 1 && c.sigma !== null && f === 1) seen.add('m>1, σ, t = 1');
      }
      seen.add(c.sigma === null ? 'full' : 'diagonal');
    }
    expect([...seen].sort()).toEqual(['diagonal', 'edge h=1', 'edge, max σ not first', 'edge, max σ not last', 'full', 'm=1, full Σ, t = 1', 'm=1, σ, t ≠ 1', 'm>1, σ, t = 1']);
    expect(factorsSeen.size).toBeGreaterThanOrEqual(6);
  });
});

describe('referenceChecksThm3: PT-6, PT-5 and the fixed edges of the step-size bound, every field (one call)', () => {
  test('all 16 checks pass, with their exact names, errors, tolerances and details', () => {
    const got = referenceChecksThm3();
    expect(got).toHaveLength(16);
    // PT-6: A = [[5/3, 1/3], [1/3, 8/3]] (det 13/3), b = (4/3, 7/3) at λ₀ = 0 (B = (1, −1)ᵀ does not enter): w* = (25/39, 31/39).
    expect(got[0]).toEqual({
      name: 'PT-6 data: w*(0) = (0.6410256410, 0.7948717949) at the printed precision',
      kind: 'reference',
      error: Math.max(Math.abs(25 / 39 - 0.641025641), Math.abs(31 / 39 - 0.7948717949)),
      tolerance: 5e-11,
      passed: true,
      detail: 'w* = [25/39,31/39]',
    });
    expect(got[0].error).toBeGreaterThan(Math.min(Math.abs(25 / 39 - 0.641025641), Math.abs(31 / 39 - 0.7948717949)));
    // PT-5: the float64 normal equations, recomputed here from the same data.
    const A = [
      [4, 1, 0],
      [1, 3, 0.5],
      [0, 0.5, 2],
    ];
    const B = [
      [1, 0],
      [-1, 2],
      [1 / 3, 1],
    ];
    const b = [1, -2, 0.5];
    const lambda0 = [-1.5, 2];
    const best = bestResponse({ A: [[4, 1, 0], [1, 3, '1/2'], [0, '1/2', 2]], B: [[1, 0], [-1, 2], ['1/3', 1]], b: [1, -2, '1/2'], lambda0: ['-3/2', 2] });
    // b + Bλ₀ = (−1/2, 7/2, 2); A·(−71/168, 25/21, 59/84) = (−1/2, 7/2, 2) checked by hand.
    expect(best.w.map((x) => x.toFraction())).toEqual(['-71/168', '25/21', '59/84']);
    const floatError = (S: number[][]): number => {
      const BS = B.map((row) => S[0].map((_, j) => row[0] * S[0][j] + row[1] * S[1][j]));
      const thetaF = choleskySolve(kron(S, A), vec(BS)).to1DArray();
      const rhs = b.map((x, i) => x + B[i][0] * lambda0[0] + B[i][1] * lambda0[1]);
      const w0F = choleskySolve(A, rhs).to1DArray();
      return Math.max(relativeErrorVec(thetaF, vecQ(best.J).map(toNumber)), relativeErrorVec(w0F, best.w.map(toNumber)));
    };
    const S1 = [
      [0.25, 0],
      [0, 9],
    ];
    const S2 = [
      [1, 0.5],
      [0.5, 2],
    ];
    expect(got.slice(1, 5)).toEqual([
      { name: 'PT-5 (σ = (1/2, 3)): exact w₀ = w*(λ₀), Θ = A⁻¹B', kind: 'exact', error: 0, tolerance: 0, passed: true, detail: undefined },
      {
        name: 'PT-5 (σ = (1/2, 3)): float64 normal equations = exact (rel 1e-10·κ)',
        kind: 'float64',
        error: floatError(S1),
        tolerance: 1e-10 * conditionNumber(kron(S1, A)),
        passed: true,
        detail: 'κ(Σ⊗A) = 97.91',
      },
      { name: 'PT-5 (full Σ = [[1, 1/2], [1/2, 2]]): exact w₀ = w*(λ₀), Θ = A⁻¹B', kind: 'exact', error: 0, tolerance: 0, passed: true, detail: undefined },
      {
        name: 'PT-5 (full Σ = [[1, 1/2], [1/2, 2]]): float64 normal equations = exact (rel 1e-10·κ)',
        kind: 'float64',
        error: floatError(S2),
        tolerance: 1e-10 * conditionNumber(kron(S2, A)),
        passed: true,
        detail: 'κ(Σ⊗A) = 7.571',
      },
    ]);
    expect(got[2].error).toBeGreaterThan(0);
    expect(got[4].error).toBeGreaterThan(0);
    // The step-size edges: A = [[2,1],[1,2]] (eigenvalues 1, 3), Σ = diag(1/4, 1): λ(Σ⊗A) = {1/4, 3/4, 1, 3}.
    const eigA = symmetricEigenvalues([
      [2, 1],
      [1, 2],
    ]);
    const rateAt = (eta: number): number => Math.max(...[0.25, 1].flatMap((s) => eigA.map((a) => Math.abs(1 - eta * s * a))));
    const edges: [string, number, boolean, string, number][] = [
      ['η = 2/3 − 1/1000 (just below 2/λmax)', 2 / 3 - 1 / 1000, true, '997/1000', 0.997],
      ['η = 2/3 (exactly 2/λmax)', 2 / 3, false, '1', 1],
      ['η = 2/3 + 1/1000 (just above 2/λmax)', 2 / 3 + 1 / 1000, false, '1003/1000', 1.003],
      ['η = 1/3 (= 1/λmax, inside)', 1 / 3, true, '11/12', 11 / 12],
    ];
    edges.forEach(([label, etaF, conv, rhoExact, rho], i) => {
      const etaQ = [math.fraction(1997, 3000), math.fraction(2, 3), math.fraction(2003, 3000), math.fraction(1, 3)][i];
      const rate = rateAt(toNumber(etaQ));
      expect(Math.abs(toNumber(etaQ) - etaF)).toBeLessThan(1e-15);
      expect(got[5 + 2 * i]).toEqual({ name: `${label}: converges = ${conv}, ρ = ${rhoExact} ∈ certified interval`, kind: 'exact', error: 0, tolerance: 0, passed: true, detail: `ρ̂ = ${rate}` });
      const tol = eigenRelTol(4, 1) * Math.max(1, 3 * toNumber(etaQ));
      expect(got[6 + 2 * i]).toEqual({ name: `${label}: float64 ρ`, kind: 'float64', error: Math.abs(rate - rho), tolerance: tol, passed: true, detail: `ρ̂ = ${rate}` });
    });
    expect(got[6].tolerance).toBe(2 * eigenRelTol(4, 1) * (3 * toNumber(math.fraction(1997, 3000))) / 2);
    expect(got[12].tolerance).toBe(eigenRelTol(4, 1));
    expect(got[13]).toEqual({ name: 'full Σ: η = 4/9 ∓ 1/10⁴ and 4/9 (2/λmax = 4/9): converges, not, not', kind: 'exact', error: 0, tolerance: 0, passed: true, detail: undefined });
    [
      ['η = 2/3 − 1/1000: ratio → 0.997', 2 / 3 - 1 / 1000, 0.997],
      ['η = 2/3 + 1/1000: ratio → 1.003 (diverges)', 2 / 3 + 1 / 1000, 1.003],
    ].forEach(([label, etaF, rho], i) => {
      const meas = measureAsymptoticRatio(
        [
          [2, 1],
          [1, 2],
        ],
        [
          [0.25, 0],
          [0, 1],
        ],
        etaF as number,
      );
      expect(meas.bound).toBeGreaterThan(1e-14);
      const tol = (rho as number) * (1 - Math.sqrt(1 - meas.bound)) + eigenRelTol(4, 1) * (1 + 3 * (etaF as number));
      expect(got[14 + i]).toEqual({
        name: `float64 GD at ${label as string}`,
        kind: 'float64',
        error: Math.abs(meas.ratio - (rho as number)),
        tolerance: tol,
        passed: true,
        detail: `ratio ${meas.ratio}, K = ${meas.steps}, B_K = ${meas.bound.toExponential(2)}`,
      });
    });
  });
});

describe('thm3Claim: the registered claim', () => {
  test('id, statement, assumptions, spec, proof, and the functions it registers', () => {
    expect(thm3Claim.id).toBe('THM-3');
    expect(thm3Claim.statement).toBe(
      'For L_T = ½wᵀAw − wᵀ(b + Bλ), A ≻ 0, the Δ-STN fixed point is w₀ = w*(λ₀), Θ = J* = A⁻¹B for every Σ ≻ 0; gradient descent on Θ converges iff 0 < η < 2/λ_max(Σ⊗A), at rate max_i |1 − ηλ_i(Σ⊗A)| (our wording, docs/math.md#s0-1 [R]).',
    );
    expect(thm3Claim.assumptions).toEqual([
      'A symmetric positive definite (m×m), B m×h, b ∈ ℝ^m',
      'ε ∼ N(0, Σ) with Σ ≻ 0 (full covariance allowed), E[ε] = 0',
      'exact minimisation in the general and response steps; η > 0 for the gradient-descent statement',
    ]);
    expect(thm3Claim.spec).toBe('docs/math.md#s0-1 THM-3, #s2-4 S1, #s3-2, #pt-5');
    expect(thm3Claim.proof).toBe('proofs/THM-3.md');
    expect(thm3Claim.check).toBe(checkThm3);
    expect(thm3Claim.referenceChecks).toBe(referenceChecksThm3);
    expect(typeof thm3Claim.arbitrary.generate).toBe('function');
    expect(EXACT_GD_STEPS).toBe(12);
  });
});
