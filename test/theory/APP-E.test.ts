import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, ShapeMismatchError } from '../../src/errors.js';
import { norm2 } from '../../src/linalg/dense.js';
import { Rng } from '../../src/rng.js';
import { FINITE_DIFFERENCE_REL_TOL, QUADRATURE_TOL, closedFormRelTol, relativeError, relativeErrorVec } from '../../src/tolerance.js';
import {
  APPE_CHECKS,
  PT6_PROBLEM,
  appEClaim,
  appECaseArb,
  checkAppECase,
  deltaStnGeneralGradient,
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

/** The spec's 2m×2m STN system (unscaled), assembled literally from §4.2. */
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
    expect(d.general).toEqual(weightDecayBestResponse(p, c.lambda0));
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

