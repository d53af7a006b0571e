import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, ShapeMismatchError } from '../../src/errors.js';
import { conditionNumber, norm2, symmetricEigenvalues } from '../../src/linalg/dense.js';
import { Rng } from '../../src/rng.js';
import type { BigNumber } from 'mathjs';
import { math } from '../../src/linalg/exact.js';
import { FINITE_DIFFERENCE_REL_TOL, QUADRATURE_TOL, closedFormRelTol, highPrecisionRelTol, relativeError, relativeErrorVec } from '../../src/tolerance.js';
import {
  APPE_CHECKS,
  APP_E_B4_TAU,
  APP_E_CLAIM_MAX_SCALE,
  PT6_PROBLEM,
  appEClaim,
  appECaseArb,
  appENonlinearCaseArb,
  bestResponse,
  bestResponseJacobian,
  certifyPropositionBConstant,
  checkAppECase,
  checkAppENonlinearCase,
  deltaStnGeneralGradient,
  expm1MinusLinear,
  kEnclosure,
  nextDown,
  nextUp,
  quarticDecayInnerProblem,
  ratioEnclosure,
  seriesEnclosure,
  stnFixedPoint,
  weightDecayPropositionBRemainder,
  generalGradientVariance,
  propositionBBias,
  secondDirectionalByFiniteDifferences,
  sinInnerProblem,
  sinToyClosedForms,
  stnGeneralGradient,
  weightDecayBestResponse,
  weightDecayBestResponseJacobian,
  weightDecayDeltaStn,
  weightDecayDeltaStnResponseByQuadrature,
  weightDecayInnerProblem,
  weightDecayPropositionB,
  weightDecayStn,
  weightDecayStnBias,
  weightDecayStnByQuadrature,
  weightDecayStnGradientDescent,
  type SmoothInnerProblem,
  type WeightDecayProblem,
} from '../../src/theory/appE.js';
import { deltaStnResponseScalar, sinToy, stnJointScalar } from '../../src/theory/scalarToys.js';

const sub = (a: readonly number[], b: readonly number[]): number[] => a.map((v, i) => v - b[i]);
const shifted = (a: readonly (readonly number[])[], t: number): number[][] => a.map((row, i) => row.map((v, j) => (i === j ? v + t : v)));

/** The spec's 2m×2m STN system (unscaled), assembled literally from docs/math.md#s4-2. */
function specStnMatrix(p: WeightDecayProblem, lambda0: number, sigma: number): number[][] {
  const m = p.A.length;
  const s = sigma * sigma;
  const c = Math.exp(lambda0 + s / 2);
  const k = Array.from({ length: 2 * m }, () => new Array<number>(2 * m).fill(0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      k[i][j] = p.A[i][j] + (i === j ? c : 0);
      k[m + i][m + j] = s * p.A[i][j] + (i === j ? (s + s * s) * c : 0);
    }
    k[i][m + i] = k[m + i][i] = s * c;
  }
  return k;
}

describe('APP-E claim (property)', () => {
  test.prop([appEClaim.arbitrary], { numRuns: 100 })('every proof-step check passes on random weight-decay problems', (c) => {
    for (const check of appEClaim.check(c)) expect(check.passed, `${check.name}: ${check.error} > ${check.tolerance} (${check.detail ?? ''})`).toBe(true);
  });

  test('one check per proof step, with the registered names', () => {
    const c = fc.sample(appECaseArb, { numRuns: 1, seed: 3 })[0];
    expect(checkAppECase(c).map((k) => k.name)).toEqual(Object.values(APPE_CHECKS));
  });

  test('reference checks (PT-6, PT-7, PT-9, PT-12) all pass', () => {
    const refs = appEClaim.referenceChecks();
    expect(refs.length).toBeGreaterThan(20);
    for (const r of refs) expect(r.passed, `${r.name}: ${r.detail ?? ''}`).toBe(true);
  });
});

describe('weight decay: closed forms against independent routes', () => {
  test.prop([appECaseArb], { numRuns: 60 })('STN closed form solves the spec 2m×2m system literally', (c) => {
    const p = { A: c.A, b: c.b };
    const stn = weightDecayStn(p, c.lambda0, c.sigma);
    const k = specStnMatrix(p, c.lambda0, c.sigma);
    const x = [...stn.general, ...stn.response];
    const r = k.map((row, i) => row.reduce((s, v, j) => s + v * x[j], 0) - (i < p.A.length ? p.b[i] : 0));
    const scale = k.map((row) => row.reduce((s, v, j) => s + Math.abs(v * x[j]), 0));
    r.forEach((ri, i) => expect(Math.abs(ri)).toBeLessThanOrEqual(1e-12 * (scale[i] + Math.abs(i < p.A.length ? p.b[i] : 0)) + 1e-300));
  });

  test.prop([appECaseArb], { numRuns: 60 })('STN: closed form = Gauss–Hermite stationarity (quadrature tolerance)', (c) => {
    const p = { A: c.A, b: c.b };
    const a = weightDecayStn(p, c.lambda0, c.sigma);
    const q = weightDecayStnByQuadrature(p, c.lambda0, c.sigma);
    const scale = norm2(a.general);
    expect(relativeErrorVec(a.general, q.general, scale)).toBeLessThanOrEqual(QUADRATURE_TOL);
    expect(relativeErrorVec(a.response, q.response, scale)).toBeLessThanOrEqual(QUADRATURE_TOL);
  });

  test.prop([appECaseArb], { numRuns: 60 })('Δ-STN: w0 = w*(λ0) and θ = −(A+(1+σ²)cI)⁻¹c w0 = quadrature', (c) => {
    const p = { A: c.A, b: c.b };
    const d = weightDecayDeltaStn(p, c.lambda0, c.sigma);
    // w0 = w*(λ0): the residual (A + e^λ0 I)w0 − b, by a matrix–vector product rather than the solve.
    const shiftedA = p.A.map((row, i) => row.map((v, j) => v + (i === j ? Math.exp(c.lambda0) : 0)));
    const residual = shiftedA.map((row, i) => row.reduce((acc, v, j) => acc + v * d.general[j], 0) - p.b[i]);
    const size = norm2(shiftedA.map((row) => row.reduce((acc, v, j) => acc + Math.abs(v * d.general[j]), 0))) + norm2(p.b);
    expect(norm2(residual)).toBeLessThanOrEqual(closedFormRelTol(1) * size);
    const q = weightDecayDeltaStnResponseByQuadrature(p, c.lambda0, c.sigma, d.general);
    expect(relativeErrorVec(d.response, q, norm2(d.general))).toBeLessThanOrEqual(QUADRATURE_TOL);
  });

  test('the STN and Δ-STN responses differ, and the STN general part is not w*', () => {
    const stn = weightDecayStn(PT6_PROBLEM, 0, 0.5);
    const d = weightDecayDeltaStn(PT6_PROBLEM, 0, 0.5);
    expect(norm2(sub(stn.general, d.general))).toBeGreaterThan(1e-3);
    expect(norm2(sub(stn.response, d.response))).toBeGreaterThan(1e-3);
  });

  test('PT-6 ‖θ_Δ − J*‖ is O(σ²): the ratio error/σ² settles as σ → 0', () => {
    const j = weightDecayBestResponseJacobian(PT6_PROBLEM, 0);
    const q = [0.02, 0.01, 0.005].map((s) => norm2(sub(weightDecayDeltaStn(PT6_PROBLEM, 0, s).response, j)) / (s * s));
    expect(relativeError(q[1], q[2])).toBeLessThan(1e-3);
    expect(relativeError(q[0], q[1])).toBeLessThan(4e-3);
  });

  test('bias: cancellation-free δ equals the subtraction w0^STN − w*', () => {
    for (const sigma of [0.01, 0.1, 0.5, 1, 2]) {
      const delta = weightDecayStnBias(PT6_PROBLEM, 0, sigma);
      const direct = sub(weightDecayStn(PT6_PROBLEM, 0, sigma).general, weightDecayBestResponse(PT6_PROBLEM, 0));
      expect(norm2(sub(delta, direct))).toBeLessThanOrEqual(closedFormRelTol(10) * norm2(weightDecayBestResponse(PT6_PROBLEM, 0)));
    }
  });

  test('J* = central difference of w*(λ) on PT-6', () => {
    const h = 1e-6;
    const fd = sub(weightDecayBestResponse(PT6_PROBLEM, h), weightDecayBestResponse(PT6_PROBLEM, -h)).map((v) => v / (2 * h));
    expect(relativeErrorVec(fd, weightDecayBestResponseJacobian(PT6_PROBLEM, 0))).toBeLessThan(FINITE_DIFFERENCE_REL_TOL);
  });
});

describe('Proposition B', () => {
  test('PT-7: relative error ≤ 3σ² and shrinking like σ² (ratios ≈ 4 per halving)', () => {
    const errs = [0.2, 0.1, 0.05].map((s) => {
      const delta = weightDecayStnBias(PT6_PROBLEM, 0, s);
      return norm2(sub(delta, weightDecayPropositionB(PT6_PROBLEM, 0, s))) / norm2(delta);
    });
    [0.2, 0.1, 0.05].forEach((s, i) => expect(errs[i]).toBeLessThanOrEqual(3 * s * s));
    expect(errs[0] / errs[1]).toBeGreaterThan(3.5);
    expect(errs[1] / errs[2]).toBeGreaterThan(3.5);
  });

  test('the ½ matters: without it the approximation is off by ~100%', () => {
    const s = 0.05;
    const delta = weightDecayStnBias(PT6_PROBLEM, 0, s);
    const twice = weightDecayPropositionB(PT6_PROBLEM, 0, s).map((v) => 2 * v);
    expect(norm2(sub(delta, twice)) / norm2(delta)).toBeGreaterThan(0.9);
  });

  test('general routine with finite-difference Q matches the true STN bias to O(σ⁴): weight decay', () => {
    const inner = weightDecayInnerProblem(PT6_PROBLEM);
    const w = weightDecayBestResponse(PT6_PROBLEM, 0);
    const j = weightDecayBestResponseJacobian(PT6_PROBLEM, 0);
    const ratios: number[] = [];
    for (const s of [0.1, 0.05, 0.025]) {
      const approx = propositionBBias(inner, [0], w, j.map((v) => [v]), [s], { finiteDifferences: true }).bias;
      const err = norm2(sub(weightDecayStnBias(PT6_PROBLEM, 0, s), approx));
      ratios.push(err / s ** 4);
    }
    // err/σ⁴ is bounded (and settles): an O(σ²) discrepancy would make it grow 4× per halving.
    expect(ratios[2]).toBeLessThan(1.2 * ratios[0]);
    expect(ratios[2]).toBeGreaterThan(0.8 * ratios[0]);
  });

  test.prop([fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0.02, 0.05, 0.1, 0.2)], { numRuns: 60 })(
    'general routine (finite-difference Q) on the sin toy: |δ − approx| ≤ σ⁴|sin λ0|/8 (+ FD rounding)',
    (lambda0, s) => {
      const approx = propositionBBias(sinInnerProblem(), [lambda0], [Math.sin(lambda0)], [[Math.cos(lambda0)]], [s], { finiteDifferences: true }).bias[0];
      const stn = stnJointScalar(sinToy(), lambda0, s);
      const delta = stn.general - Math.sin(lambda0);
      expect(Math.abs(delta - approx)).toBeLessThanOrEqual((s ** 4 * Math.abs(Math.sin(lambda0))) / 8 + FINITE_DIFFERENCE_REL_TOL * s * s + QUADRATURE_TOL * s * s);
    },
  );

  test.prop([fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 })], { numRuns: 50 })(
    'finite-difference second directional derivative = analytic Q (weight decay)',
    (dir) => {
      const inner = weightDecayInnerProblem(PT6_PROBLEM);
      const w = [0.3, -0.7];
      const lam = [dir[0]];
      const dl = [dir[1]];
      const dw = [dir[2], dir[3]];
      const fd = secondDirectionalByFiniteDifferences(inner, lam, w, dl, dw);
      const an = inner.secondDirectional!(lam, w, dl, dw);
      const scale = norm2(w) * Math.exp(lam[0]) * (1 + norm2(dw)) * (1 + Math.abs(dl[0])) ** 2;
      expect(norm2(sub(fd, an))).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL * scale);
    },
  );

  test('h = 2: E[Q] by tensor quadrature = Σ_k σ_k² Q(e_k) (Q is a quadratic form in ε)', () => {
    // L_T = ½‖w − f(λ)‖², f(λ) = (sin λ1 · λ2, cos λ2): ∇_w L = w − f(λ), Q(ε) = −D²f[ε, ε] (Θ enters linearly).
    const f = (l: readonly number[]): number[] => [Math.sin(l[0]) * l[1], Math.cos(l[1])];
    const problem: SmoothInnerProblem = {
      weights: 2,
      hypers: 2,
      gradW: (l, w) => sub(w, f(l)),
      hessW: () => [
        [1, 0],
        [0, 1],
      ],
      // −D²f[dλ, dλ] with ∇²f1 = [[−sin λ1·λ2, cos λ1], [cos λ1, 0]], ∇²f2 = [[0, 0], [0, −cos λ2]].
      secondDirectional: (l, _w, d) => [
        -(-Math.sin(l[0]) * l[1] * d[0] * d[0] + 2 * Math.cos(l[0]) * d[0] * d[1]),
        Math.cos(l[1]) * d[1] * d[1],
      ],
    };
    const l0 = [0.4, -0.9];
    const w0 = f(l0);
    const theta = [
      [0.2, 0.1],
      [-0.3, 0.5],
    ];
    const sigma = [0.3, 0.7];
    const viaQuadrature = propositionBBias(problem, l0, w0, theta, sigma, { nodes: 6 }).expectedQ;
    const viaFiniteDifferences = propositionBBias(problem, l0, w0, theta, sigma, { nodes: 6, finiteDifferences: true }).expectedQ;
    const e = (k: number): number[] => [k === 0 ? 1 : 0, k === 1 ? 1 : 0];
    const viaMoments = [0, 1]
      .map((k) => problem.secondDirectional!(l0, w0, e(k), theta.map((row) => row[k])).map((v) => sigma[k] ** 2 * v))
      .reduce((a, b) => a.map((v, i) => v + b[i]));
    // −(σ1² ∂²f/∂λ1² + σ2² ∂²f/∂λ2²): the cross term has E[ε1ε2] = 0.
    const analytic = [sigma[0] ** 2 * Math.sin(l0[0]) * l0[1], sigma[1] ** 2 * Math.cos(l0[1])];
    expect(relativeErrorVec(viaQuadrature, viaMoments)).toBeLessThan(closedFormRelTol(1));
    expect(relativeErrorVec(viaQuadrature, analytic)).toBeLessThan(closedFormRelTol(1));
    expect(relativeErrorVec(viaFiniteDifferences, analytic)).toBeLessThan(FINITE_DIFFERENCE_REL_TOL);
  });
});

describe('sin toy (PT-9)', () => {
  test.prop([fc.double({ min: -4, max: 4, noNaN: true }), fc.constantFrom(1e-3, 0.1, 0.5, 1, 2)], { numRuns: 60 })(
    'STN and Δ-STN closed forms = Gauss–Hermite Newton solutions; θ is the Stein slope E[cos(λ0+ε)]',
    (lambda0, s) => {
      const cf = sinToyClosedForms(lambda0, s);
      const stn = stnJointScalar(sinToy(), lambda0, s);
      expect(Math.abs(stn.general - cf.stn.general)).toBeLessThanOrEqual(QUADRATURE_TOL);
      expect(Math.abs(stn.response - cf.stn.response)).toBeLessThanOrEqual(QUADRATURE_TOL);
      const theta = deltaStnResponseScalar(sinToy(), lambda0, Math.sin(lambda0), s);
      expect(Math.abs(theta - cf.deltaStn.response)).toBeLessThanOrEqual(QUADRATURE_TOL);
    },
  );
});

describe('gradient descent on the STN objective does not converge to w*', () => {
  test('from (w*, J*) it moves away, to the biased point, and stays there', () => {
    const gd = weightDecayStnGradientDescent(PT6_PROBLEM, 0, 0.5, 3000);
    const stn = weightDecayStn(PT6_PROBLEM, 0, 0.5);
    const bias = norm2(sub(stn.general, weightDecayBestResponse(PT6_PROBLEM, 0)));
    expect(gd.contraction).toBeLessThan(1);
    expect(gd.distanceToBestResponse[0]).toBeLessThan(bias);
    expect(relativeError(gd.distanceToBestResponse[2999], bias)).toBeLessThan(QUADRATURE_TOL);
    expect(relativeError(gd.distanceToBestResponse[1499], gd.distanceToBestResponse[2999])).toBeLessThan(QUADRATURE_TOL);
    expect(gd.distanceToStn[2999]).toBeLessThan(1e-10);
    for (let k = 1; k < 3000; k++) expect(gd.distanceToStn[k]).toBeLessThanOrEqual(gd.distanceToStn[k - 1] * (1 + 1e-12) + 1e-15);
  });

  test('the bias is O(σ²) and independent of the iteration count', () => {
    const b1 = norm2(weightDecayStnBias(PT6_PROBLEM, 0, 0.1));
    const b2 = norm2(weightDecayStnBias(PT6_PROBLEM, 0, 0.05));
    expect(b1 / b2).toBeGreaterThan(3.9);
    expect(b1 / b2).toBeLessThan(4.1);
  });
});

describe('PT-12: zero variance of the Δ-STN general gradient', () => {
  test('PT-6 data, 100 seeded draws: Δ-STN gradients bitwise equal, STN gradients vary', () => {
    const d = weightDecayDeltaStn(PT6_PROBLEM, 0, 0.5);
    const s = weightDecayStn(PT6_PROBLEM, 0, 0.5);
    const v = generalGradientVariance(PT6_PROBLEM, 0, 0.5, d, s, new Rng(7), 100);
    expect(v.deltaStnIdentical).toBe(true);
    expect(v.deltaStnVariance).toBe(0);
    expect(v.stnVariance).toBeGreaterThan(0);
  });

  test('the same with Δ-STN parameters fed to the STN gradient: still varies (the λ-dependence is nonlinear)', () => {
    const d = weightDecayDeltaStn(PT6_PROBLEM, 0, 0.5);
    const v = generalGradientVariance(PT6_PROBLEM, 0, 0.5, d, d, new Rng(8), 100);
    expect(v.stnVariance).toBeGreaterThan(0);
  });

  test('STN variance vanishes exactly when b = 0 (then w0 = θ = 0)', () => {
    const p = { A: PT6_PROBLEM.A, b: [0, 0] };
    const v = generalGradientVariance(p, 0, 0.5, weightDecayDeltaStn(p, 0, 0.5), weightDecayStn(p, 0, 0.5), new Rng(9), 100);
    expect(v.stnVariance).toBe(0);
  });

  test('at w0 = w*, the Δ-STN general gradient is zero and the STN one averages to a non-zero bias force', () => {
    const d = weightDecayDeltaStn(PT6_PROBLEM, 0, 0.5);
    expect(norm2(deltaStnGeneralGradient(PT6_PROBLEM, 0, d.general, d.response, 0.3))).toBeLessThan(1e-14);
    const rng = new Rng(10);
    const mean = [0, 0];
    for (let k = 0; k < 2000; k++) stnGeneralGradient(PT6_PROBLEM, 0, d.general, d.response, 0.5 * rng.normal()).forEach((v, i) => (mean[i] += v / 2000));
    expect(norm2(mean)).toBeGreaterThan(1e-3);
  });
});

describe('errors', () => {
  test('σ outside (0, 4] and non-finite inputs are rejected with typed errors', () => {
    expect(() => weightDecayStn(PT6_PROBLEM, 0, 100)).toThrow(InvalidArgumentError);
    expect(() => weightDecayStn(PT6_PROBLEM, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => weightDecayDeltaStn(PT6_PROBLEM, 0, -1)).toThrow(InvalidArgumentError);
    expect(() => weightDecayStn(PT6_PROBLEM, Number.NaN, 0.5)).toThrow(NonFiniteError);
    expect(() => weightDecayStn(PT6_PROBLEM, 0, Number.POSITIVE_INFINITY)).toThrow(NonFiniteError);
    expect(() => checkAppECase({ ...PT6_PROBLEM, lambda0: 0, sigma: 3 })).toThrow(InvalidArgumentError);
    expect(() => sinToyClosedForms(0, 0)).toThrow(InvalidArgumentError);
  });

  test('A not positive definite, or shapes that do not match', () => {
    expect(() => weightDecayBestResponse({ A: [[-1]], b: [1] }, 0)).toThrow(NotPositiveDefiniteError);
    expect(() => weightDecayBestResponse({ A: [[1, 0]], b: [1] }, 0)).toThrow(ShapeMismatchError);
    expect(() => weightDecayBestResponse({ A: [[1]], b: [1, 2] }, 0)).toThrow(ShapeMismatchError);
    expect(() => weightDecayBestResponse({ A: [[1]], b: [Number.NaN] }, 0)).toThrow(NonFiniteError);
    expect(() => weightDecayStnGradientDescent(PT6_PROBLEM, 0, 0.5, 0)).toThrow(InvalidArgumentError);
    const inner = weightDecayInnerProblem(PT6_PROBLEM);
    expect(() => propositionBBias(inner, [0], [1], [[1]], [0.1])).toThrow(ShapeMismatchError);
    expect(() => propositionBBias(inner, [0], [1, 1], [[1], [1]], [0])).toThrow(InvalidArgumentError);
    expect(() => propositionBBias(inner, [0], [1, 1], [[1], [1]], [0.1], { nodes: 1 })).toThrow(InvalidArgumentError);
  });

  test('a singular Hessian in the general Prop. B routine is reported, not returned as NaN', () => {
    const singular: SmoothInnerProblem = { weights: 1, hypers: 1, gradW: (_l, w) => [0 * w[0]], hessW: () => [[0]], secondDirectional: () => [1] };
    expect(() => propositionBBias(singular, [0], [0], [[0]], [0.1])).toThrow(NotPositiveDefiniteError);
  });
});


// ───────────────────────────── issue 12: small σ, hypotheses, h ≥ 2, checks that can fail ─────────────────────────────

type Big = BigNumber;
const big = (x: number | string): Big => math.bignumber(x);

/** Solves a·x = rhs in 64-digit decimal arithmetic (Gaussian elimination with partial pivoting). */
function bigSolve(a: Big[][], rhs: Big[]): Big[] {
  const n = a.length;
  const m = a.map((row, i) => [...row, rhs[i]]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (m[r][col].abs().gt(m[piv][col].abs())) piv = r;
    [m[col], m[piv]] = [m[piv], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col].div(m[col][col]);
      for (let k = col; k <= n; k++) m[r][k] = m[r][k].minus(f.times(m[col][k]));
    }
  }
  const x = new Array<Big>(n);
  for (let r = n - 1; r >= 0; r--) {
    let acc = m[r][n];
    for (let k = r + 1; k < n; k++) acc = acc.minus(m[r][k].times(x[k]));
    x[r] = acc.div(m[r][r]);
  }
  return x;
}

/**
 * δ − Prop. B for weight decay in 64-digit arithmetic, straight from the definitions (the STN 2m×2m system of
 * the spec, w*, J*, −½H⁻¹σ²d(w* + 2J*)), subtraction included: with 64 digits the cancellation costs nothing.
 */
function bigRemainder(p: WeightDecayProblem, lambda0: number, sigma: number): number[] {
  const m = p.A.length;
  const A = p.A.map((row) => row.map((v) => big(v)));
  const b = p.b.map((v) => big(v));
  const s = big(sigma).times(big(sigma));
  const d = big(lambda0).exp();
  const c = big(lambda0).plus(s.div(2)).exp();
  const shiftedBig = (t: Big): Big[][] => A.map((row, i) => row.map((v, j) => (i === j ? v.plus(t) : v)));
  const k: Big[][] = Array.from({ length: 2 * m }, () => new Array<Big>(2 * m).fill(big(0)));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      k[i][j] = A[i][j].plus(i === j ? c : big(0));
      k[m + i][m + j] = s.times(A[i][j]).plus(i === j ? s.plus(s.times(s)).times(c) : big(0));
    }
    k[i][m + i] = k[m + i][i] = s.times(c);
  }
  const x = bigSolve(k, [...b, ...new Array<Big>(m).fill(big(0))]);
  const w = bigSolve(shiftedBig(d), b);
  const hw = bigSolve(shiftedBig(d), w);
  const approx = bigSolve(
    shiftedBig(d),
    w.map((v, i) => s.times(d).times(v.minus(big(2).times(d).times(hw[i])))),
  ).map((v) => v.div(-2));
  return x.slice(0, m).map((v, i) => v.minus(w[i]).minus(approx[i]).toNumber());
}

describe('S3 and B4 at small σ: remainders without cancellation', () => {
  // The 64-digit reference itself cancels below |y| ≈ 1e-20 (y²/2 against 64 digits of e^y), hence the range.
  const yArb = fc.tuple(fc.double({ min: -20, max: Math.log10(30), noNaN: true }), fc.boolean()).map(([e, neg]) => (neg ? -1 : 1) * 10 ** e);
  test.prop([yArb], { numRuns: 200 })('expm1MinusLinear(y) = e^y − 1 − y for 1e-20 ≤ |y| ≤ 30 (64-digit reference, relative 1e-12)', (y) => {
    const ref = big(y).exp().minus(1).minus(big(y)).toNumber();
    expect(relativeError(expm1MinusLinear(y), ref)).toBeLessThanOrEqual(highPrecisionRelTol(1));
  });

  test('expm1MinusLinear at tiny arguments, where the subtraction expm1(y) − y keeps no digit', () => {
    for (const y of [1e-3, -5e-9, 5e-11, -1e-20]) {
      const ref = big(y).exp().minus(1).minus(big(y)).toNumber();
      expect(relativeError(expm1MinusLinear(y), ref)).toBeLessThanOrEqual(highPrecisionRelTol(1));
    }
    expect(expm1MinusLinear(0)).toBe(0);
    expect(() => expm1MinusLinear(Number.NaN)).toThrow(NonFiniteError);
  });

  test("the referee's failing cases now pass: σ = 1e-4, λ0 = 0.25 and σ = 1e-5, λ0 = 0.7; the S3 ratio is 1 − σ²/6", () => {
    for (const [sigma, lambda0] of [
      [1e-4, 0.25],
      [1e-5, 0.7],
      [1e-3, -1],
    ]) {
      const checks = checkAppECase({ ...PT6_PROBLEM, lambda0, sigma });
      for (const k of checks) expect(k.passed, `${k.name}: ${k.error} > ${k.tolerance}`).toBe(true);
      const s3 = checks.find((k) => k.name === APPE_CHECKS.sinPropB)!;
      // 2(e^{−x} − 1 + x)/x² = 1 − x/3 + x²/12 − …, x = σ²/2: the bound is tight, not a rounding artefact.
      expect(Math.abs(s3.error - (1 - sigma ** 2 / 6 + sigma ** 4 / 48))).toBeLessThanOrEqual(1e-14);
    }
  });

  test.prop([fc.constantFrom(1e-5, 1e-4, 1e-3, 0.05, 0.5, 1, 2), fc.constantFrom(-2, 0, 1.5), fc.constantFrom(0, 1, 2)], { numRuns: 40 })(
    'weight decay: the remainder r = δ − Prop. B equals a 64-digit computation from the definitions',
    (sigma, lambda0, which) => {
      const problems: WeightDecayProblem[] = [
        PT6_PROBLEM,
        { A: [[1]], b: [1] }, // λ0 = 0 gives u = ½: the σ² term vanishes and r is all of δ
        {
          A: [
            [3, 1, 0],
            [1, 2, 0.5],
            [0, 0.5, 0.25],
          ],
          b: [1, -2, 0.5],
        },
      ];
      const p = problems[which];
      const got = weightDecayPropositionBRemainder(p, lambda0, sigma);
      const ref = bigRemainder(p, lambda0, sigma);
      // 1e-12·κ (high-precision reference vs float64) with κ = κ(A + dI)·κ(M), relative to the B4 scale
      // ½σ⁴ρ(1+2ρ)‖w*‖ (the size of r's O(σ⁴) terms; r itself can be smaller: at u = ½ it is O(σ⁶)).
      const d = Math.exp(lambda0);
      const s = sigma * sigma;
      const kappa = conditionNumber(shifted(p.A, d)) * conditionNumber(shifted(p.A, (1 + s) * Math.exp(lambda0 + s / 2)));
      const rho = d / (symmetricEigenvalues(p.A)[0] + d);
      const scale = 0.5 * s * s * rho * (1 + 2 * rho) * norm2(weightDecayBestResponse(p, lambda0));
      expect(relativeErrorVec(got, ref, scale)).toBeLessThanOrEqual(highPrecisionRelTol(kappa));
    },
  );

  test('the plain subtraction δ − approx is what loses the digits (the remainder formula is needed)', () => {
    const sigma = 1e-5;
    const ref = bigRemainder(PT6_PROBLEM, 0, sigma);
    const naive = sub(weightDecayStnBias(PT6_PROBLEM, 0, sigma), weightDecayPropositionB(PT6_PROBLEM, 0, sigma));
    // δ is O(σ²) = 1e-10 and r is O(σ⁴): the subtraction keeps about 16 − 10 digits.
    expect(relativeErrorVec(naive, ref)).toBeGreaterThan(1e-7);
    expect(relativeErrorVec(weightDecayPropositionBRemainder(PT6_PROBLEM, 0, sigma), ref)).toBeLessThan(1e-12);
  });
});

describe('B4: the constant K(s), certified', () => {
  test('sup_u R(u, s) ≤ K(s) + τ for every s = σ² ∈ [0, 4], by interval branch and bound', () => {
    const cert = certifyPropositionBConstant(APP_E_CLAIM_MAX_SCALE ** 2, APP_E_B4_TAU);
    expect(cert.certified).toBe(true);
    expect(cert.worstExcess).toBeLessThanOrEqual(APP_E_B4_TAU);
  });

  test('the sup is attained as u → 0: R(0, s) = K(s), so no smaller constant holds', () => {
    for (const s of [0, 1e-4, 1, 4]) {
      const r = ratioEnclosure([0, 0], [s, s])!;
      const k = kEnclosure([s, s]);
      expect(r[0]).toBeLessThanOrEqual(k[1]);
      expect(r[1]).toBeGreaterThanOrEqual(k[0]);
    }
  });

  test('enclosures contain values computed with 50-digit mpmath (our computation, listed in proofs/APP-E.md)', () => {
    // K(s) = 2(e^{s/2} − 1 − s/2)/s²: ¼ at s → 0; 0.29744254 at σ = 1; 0.54863201 at σ = 2; 2.0868427 at σ = 3.
    const contains = (iv: readonly [number, number], v: number): boolean => iv[0] <= v && v <= iv[1];
    expect(contains(kEnclosure([0, 0]), 0.25)).toBe(true);
    expect(contains(kEnclosure([1, 1]), 2 * (Math.exp(0.5) - 1.5))).toBe(true);
    const k4 = kEnclosure([4, 4]);
    expect(k4[0]).toBeGreaterThan(0.548632);
    expect(k4[1]).toBeLessThan(0.548633);
    const k9 = kEnclosure([9, 9]);
    expect(k9[0]).toBeGreaterThan(2.08684);
    expect(k9[1]).toBeLessThan(2.08685);
    // R(0.3, 0.7) = 0.0568165162273022228744883…, R(0.9, 4) = 0.0867276050480045126340550…
    const r1 = ratioEnclosure([0.3, 0.3], [0.7, 0.7])!;
    expect(r1[0]).toBeLessThanOrEqual(0.0568165162273023);
    expect(r1[1]).toBeGreaterThanOrEqual(0.0568165162273022);
    expect(r1[1] - r1[0]).toBeLessThan(1e-12);
    const r2 = ratioEnclosure([0.9, 0.9], [4, 4])!;
    expect(r2[0]).toBeLessThanOrEqual(0.0867276050480046);
    expect(r2[1]).toBeGreaterThanOrEqual(0.0867276050480045);
  });

  test('K(9) > 2 at σ = 3 (constant 1 fails beyond σ ≈ 2.54), while K(4) + τ < 0.56 at the claim’s σ = 2', () => {
    expect(kEnclosure([9, 9])[0]).toBeGreaterThan(2);
    expect(kEnclosure([4, 4])[1] + APP_E_B4_TAU).toBeLessThan(0.56);
  });

  test('series enclosures contain e^x, (e^x − 1)/x, (e^x − 1 − x)/x² even when truncated early (the tail bound counts)', () => {
    for (const x of [0, 1e-9, 0.3, 1, 2, 4]) {
      const ref = [big(x).exp(), x === 0 ? big(1) : big(x).exp().minus(1).div(big(x)), x === 0 ? big(0.5) : big(x).exp().minus(1).minus(big(x)).div(big(x).times(big(x)))];
      for (const terms of [3, 6, 40]) {
        for (const j of [0, 1, 2] as const) {
          if (terms + j + 1 <= x) {
            expect(() => seriesEnclosure(x, j, terms)).toThrow(InvalidArgumentError);
            continue;
          }
          const iv = seriesEnclosure(x, j, terms);
          expect(big(iv[0]).lte(ref[j]), `S_${j}(${x}) lower, ${terms} terms`).toBe(true);
          expect(big(iv[1]).gte(ref[j]), `S_${j}(${x}) upper, ${terms} terms`).toBe(true);
        }
      }
    }
  });

  test('outward rounding: nextUp(x) > x > nextDown(x), including 0, subnormals and huge values', () => {
    for (const x of [0, Number.MIN_VALUE, -Number.MIN_VALUE, 1e-310, 1, -1, 0.1, 1 / 3, 2 ** 52, 1e300, -1e300]) {
      expect(nextUp(x)).toBeGreaterThan(x);
      expect(nextDown(x)).toBeLessThan(x);
    }
  });

  test('a certificate with too few boxes says so, rather than passing', () => {
    const cert = certifyPropositionBConstant(4, APP_E_B4_TAU, 10);
    expect(cert.certified).toBe(false);
    expect(cert.failedBox).toBeDefined();
    expect(() => certifyPropositionBConstant(0)).toThrow(InvalidArgumentError);
    expect(() => certifyPropositionBConstant(4, 0)).toThrow(InvalidArgumentError);
  });
});

/** L_T = ½wᵀAw − wᵀ(b + Bλ): ∇_wL_T is affine, so the STN fixed point is (w*, J*) exactly for every σ (S1). */
function affineProblem(A: number[][], b: number[], B: number[][]): SmoothInnerProblem {
  return {
    weights: A.length,
    hypers: B[0].length,
    gradW: (l, w) => A.map((row, i) => row.reduce((acc, v, j) => acc + v * w[j], 0) - b[i] - B[i].reduce((acc, v, k) => acc + v * l[k], 0)),
    hessW: () => A,
    secondDirectional: () => A.map(() => 0),
  };
}

describe('the general STN fixed point and Prop. B for h ≥ 2 with w–w terms (N1–N2)', () => {
  test('stnFixedPoint = the weight-decay closed form (h = 1) and = (w*, J*) for an affine gradient (h = 2, 3)', () => {
    for (const sigma of [0.05, 0.5, 1.5]) {
      const closed = weightDecayStn(PT6_PROBLEM, 0.3, sigma);
      const inner = weightDecayInnerProblem(PT6_PROBLEM);
      const w = weightDecayBestResponse(PT6_PROBLEM, 0.3);
      const j = weightDecayBestResponseJacobian(PT6_PROBLEM, 0.3);
      const fp = stnFixedPoint(inner, [0.3], [sigma], { general: w, response: j.map((v) => [v]) }, { nodes: 60 });
      expect(fp.converged).toBe(true);
      expect(relativeErrorVec(fp.general, closed.general)).toBeLessThanOrEqual(QUADRATURE_TOL);
      expect(relativeErrorVec(fp.response.map((r) => r[0]), closed.response, norm2(closed.general))).toBeLessThanOrEqual(QUADRATURE_TOL);
    }
    const A = [
      [2, 0.5, 0],
      [0.5, 1, 0.2],
      [0, 0.2, 1.5],
    ];
    for (const B of [
      [
        [1, -0.5],
        [0.3, 1],
        [-1, 0.5],
      ],
      [
        [1, -0.5, 0.2],
        [0.3, 1, 0],
        [-1, 0.5, 0.7],
      ],
    ]) {
      const p = affineProblem(A, [1, -0.7, 0.4], B);
      const l0 = B[0].map((_, k) => 0.1 * (k + 1));
      const w = bestResponse(p, l0, [0, 0, 0]).x;
      const j = bestResponseJacobian(p, l0, w);
      const fp = stnFixedPoint(p, l0, l0.map((_, k) => 0.3 + 0.2 * k), { general: [0, 0, 0], response: j.map((r) => r.map(() => 0)) });
      expect(fp.converged).toBe(true);
      expect(relativeErrorVec(fp.general, w)).toBeLessThanOrEqual(closedFormRelTol(10));
      expect(relativeErrorVec(fp.response.flat(), j.flat(), norm2(w))).toBeLessThanOrEqual(closedFormRelTol(10));
    }
  });

  const quartic = {
    A: [
      [2, 0.5, 0],
      [0.5, 1, 0.2],
      [0, 0.2, 1.5],
    ],
    b: [1, -0.7, 0.4],
    gamma: 0.8,
  };
  const cases = [
    {
      label: 'h = 2',
      C: [
        [1, -0.5],
        [0.3, 1],
        [-1, 0.5],
      ],
      lambda0: [0.2, -0.4],
      dir: [1, 0.7],
    },
    {
      label: 'h = 3',
      C: [
        [1, -0.5, 0.25],
        [0.3, 1, -0.75],
        [-1, 0.5, 0.5],
      ],
      lambda0: [0.2, -0.4, 0.6],
      dir: [1, 0.7, 0.5],
    },
  ];
  for (const { label, C, lambda0, dir } of cases) {
    test(`${label}, γ > 0: ‖δ − Prop. B‖/σ⁴ settles as σ → 0 (the true STN point, Newton on quadrature)`, () => {
      const inner = quarticDecayInnerProblem({ ...quartic, C });
      const w = bestResponse(inner, lambda0, [0, 0, 0]).x;
      const j = bestResponseJacobian(inner, lambda0, w);
      const ratios = [0.2, 0.1, 0.05].map((t) => {
        const sigma = dir.map((v) => t * v);
        const fp = stnFixedPoint(inner, lambda0, sigma, { general: w, response: j });
        expect(fp.converged).toBe(true);
        const approx = propositionBBias(inner, lambda0, w, j, sigma, { nodes: 3 }).bias;
        return norm2(sub(sub(fp.general, w), approx)) / t ** 4;
      });
      // An O(σ²) error would grow the ratio 4× per halving; O(σ⁴) keeps it steady (to O(σ²)).
      expect(ratios[0]).toBeGreaterThan(0);
      expect(ratios[2] / ratios[1]).toBeGreaterThan(0.9);
      expect(ratios[2] / ratios[1]).toBeLessThan(1.1);
      expect(ratios[1] / ratios[0]).toBeLessThan(1.2);
    });

    test(`${label}: without the w–w block of Q (γ-terms dropped) the N2 comparison fails`, () => {
      const p = { ...quartic, C };
      const full = quarticDecayInnerProblem(p);
      const noWw: SmoothInnerProblem = {
        ...full,
        secondDirectional: (l, w, dl, dw) => quarticDecayInnerProblem({ ...p, gamma: 0 }).secondDirectional!(l, w, dl, dw),
      };
      const w = bestResponse(full, lambda0, [0, 0, 0]).x;
      const j = bestResponseJacobian(full, lambda0, w);
      const sigma = dir.map((v) => 0.1 * v);
      const d1 = sub(stnFixedPoint(full, lambda0, sigma, { general: w, response: j }).general, w);
      const d2 = sub(stnFixedPoint(full, lambda0, sigma.map((v) => v / 2), { general: w, response: j }).general, w);
      const alphaR = d2.map((v, i) => (16 * v - d1[i]) / 3);
      const good = propositionBBias(full, lambda0, w, j, sigma, { nodes: 3 }).bias;
      const bad = propositionBBias(noWw, lambda0, w, j, sigma, { nodes: 3 }).bias;
      expect(norm2(sub(alphaR, good))).toBeLessThan(1e-3 * norm2(good));
      expect(norm2(sub(alphaR, bad))).toBeGreaterThan(0.05 * norm2(good));
      const checks = checkAppENonlinearCase({ ...p, lambda0, sigma });
      for (const k of checks) expect(k.passed, `${k.name}: ${k.detail ?? ''}`).toBe(true);
    });
  }

  test.prop([appENonlinearCaseArb], { numRuns: 60 })('random nonlinear problems (h, m ∈ [1, 3]): N1 and N2 hold', (c) => {
    for (const k of checkAppENonlinearCase(c)) expect(k.passed, `${k.name}: ${k.error} > ${k.tolerance} (${k.detail ?? ''})`).toBe(true);
  });

  test('the claim generator reaches h ≥ 2, γ > 0 and σ ≤ 1e-4 (so `deltastn verify` does)', () => {
    const sample = fc.sample(appECaseArb, { numRuns: 300, seed: 11 });
    expect(sample.some((c) => (c.nonlinear?.C[0].length ?? 0) >= 2)).toBe(true);
    expect(sample.some((c) => (c.nonlinear?.C[0].length ?? 0) === 3)).toBe(true);
    expect(sample.every((c) => (c.nonlinear?.gamma ?? 0) > 0)).toBe(true);
    expect(sample.some((c) => c.sigma === 1e-5)).toBe(true);
    expect(sample.some((c) => c.sigma === 1e-4)).toBe(true);
  });
});

describe('V1–V2: what can fail about the general gradients', () => {
  test('V1: the Δ-STN general gradient equals a central difference of L_T(λ0, ·) (a mutated gradient would not)', () => {
    const c = checkAppECase({ ...PT6_PROBLEM, lambda0: 0.4, sigma: 0.5 }).find((k) => k.name === APPE_CHECKS.generalGradient)!;
    expect(c.passed).toBe(true);
    expect(c.error).toBeLessThan(FINITE_DIFFERENCE_REL_TOL);
  });

  test('V2: the STN gradient is constant in ε iff w0 = θ = 0, whatever b is (then it is −b)', () => {
    const draws = (w0: number[], theta: number[], b: number[]): number[][] => {
      const rng = new Rng(31);
      const p = { A: PT6_PROBLEM.A, b };
      return Array.from({ length: 50 }, () => stnGeneralGradient(p, 0.2, w0, theta, 0.5 * rng.normal()));
    };
    const constant = draws([0, 0], [0, 0], [1, -2]);
    for (const g of constant) expect(g).toEqual([-1, 2]);
    for (const [w0, theta] of [
      [[0.1, 0], [0, 0]],
      [[0, 0], [0, 0.1]],
    ]) {
      const g = draws(w0, theta, [1, -2]);
      expect(g.some((v) => v[0] !== g[0][0] || v[1] !== g[0][1])).toBe(true);
    }
    // At the STN point itself w0 = θ = 0 iff b = 0 (its system is positive definite), hence V2's b ≠ 0.
    const p0 = { A: PT6_PROBLEM.A, b: [0, 0] };
    expect(weightDecayStn(p0, 0.2, 0.5).general).toEqual([0, 0]);
  });
});
