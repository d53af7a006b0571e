import { test, fc } from '@fast-check/vitest';
import { beforeAll, describe, expect } from 'vitest';
import { InvalidArgumentError, ShapeMismatchError } from '../../src/errors.js';
import { checkDerivatives } from '../../src/bilevel/derivatives.js';
import { hypernetwork, ift, solveInner } from '../../src/bilevel/methods.js';
import type { BilevelProblem } from '../../src/bilevel/problem.js';
import { darts, dartsHypergradient, exactMixedProduct, finiteDifferenceHypergradient, finiteDifferenceMixedProduct } from '../../src/nas/darts.js';
import { nasProblem, softmax, type NasData } from '../../src/nas/problem.js';
import { exactNasSolution, NAS_TOY_DATA, nasExperiment, type NasExperimentResult } from '../../src/experiments/nas.js';
import { FINITE_DIFFERENCE_REL_TOL, closedFormRelTol, relativeErrorVec } from '../../src/tolerance.js';

/** Three candidates on ℝ³ inputs of different widths (p = 1, 2, 1), so blocks and the softmax chain rule are exercised. */
const DATA3: NasData = {
  Xtrain: [
    [1, 0.5, -0.2],
    [0.2, 1, 0.7],
    [-1, 0.3, 0.4],
    [0.5, -0.8, 1.1],
    [0.3, 0.1, -0.9],
  ],
  ytrain: [1.2, 0.9, -0.6, 0.1, 0.4],
  Xval: [
    [0.8, 1, 0.2],
    [-0.5, 0.4, -0.3],
    [1, -1, 0.6],
  ],
  yval: [1.8, -0.1, -0.2],
  candidates: [
    [[1], [0], [0]],
    [
      [0, 1],
      [1, 0],
      [0.5, 0.5],
    ],
    [[0.3], [-0.2], [1]],
  ],
  rho: 0.05,
};
const LOGISTIC3: NasData = { ...DATA3, loss: 'logistic', ytrain: [1, 1, -1, 1, -1], yval: [1, -1, -1] };

const vec = (n: number): fc.Arbitrary<number[]> => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n });
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i], 0);

describe('nasProblem derivatives', () => {
  for (const [label, data] of [
    ['squared', DATA3],
    ['logistic', LOGISTIC3],
  ] as const) {
    test.prop([vec(3), vec(4)], { numRuns: 30 })(`every derivative matches central differences (${label})`, (alpha, w) => {
      for (const c of checkDerivatives(nasProblem(data), alpha, w)) expect(c.error, c.name).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
    });
  }

  test('the direct term is non-zero and every α-gradient sums to zero (softmax shift invariance)', () => {
    const p = nasProblem(DATA3);
    const alpha = [0.3, -0.1, 0.2];
    const w = [0.4, -0.7, 0.2, 0.9];
    const direct = p.valGradHyper(alpha, w);
    expect(Math.max(...direct.map(Math.abs))).toBeGreaterThan(1e-3);
    for (const g of [direct, p.trainGradHyper(alpha, w)]) expect(Math.abs(g.reduce((s, x) => s + x, 0))).toBeLessThanOrEqual(closedFormRelTol() * Math.max(...g.map(Math.abs)));
    expect(softmax([1000, 0])).toEqual([1, 0]);
  });

  test('bad input is a typed error naming the field', () => {
    expect(() => nasProblem({ ...DATA3, rho: 0 })).toThrow(InvalidArgumentError);
    expect(() => nasProblem({ ...DATA3, ytrain: [1] })).toThrow(ShapeMismatchError);
    expect(() => nasProblem({ ...DATA3, candidates: [[[1], [0]]] })).toThrow(ShapeMismatchError);
    expect(() => nasProblem({ ...DATA3, candidates: [] })).toThrow(ShapeMismatchError);
    expect(() => nasProblem({ ...DATA3, Xval: [[1, 2]] })).toThrow(ShapeMismatchError);
    expect(() => nasProblem({ ...LOGISTIC3, yval: [1, 0, -1] })).toThrow(InvalidArgumentError);
    expect(() => nasProblem(DATA3).trainLoss([0, 0], [0, 0, 0, 0])).toThrow(ShapeMismatchError);
    expect(() => darts({ order: 2, xi: -1 })).toThrow(InvalidArgumentError);
    expect(() => finiteDifferenceMixedProduct(nasProblem(DATA3), [0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], 0)).toThrow(InvalidArgumentError);
  });
});

/**
 * The finite-difference mixed product of DARTS and the field's two known bugs in it. On the squared family L_T is
 * quadratic in w, so the correct central difference equals the exact product up to rounding at every R: any
 * visible error is a bug. Each buggy variant is written inline and shown to fail the same assertion.
 */
describe('DARTS finite-difference Hessian-vector product', () => {
  const p = nasProblem(DATA3);
  const alpha = [0.3, -0.4, 0.1];
  // A w away from w*(α): there ∇_wL_T ≠ 0, so w' ≠ w and the evaluation point matters.
  const w = [0.8, -0.3, 0.5, -0.6];
  const xi = 0.5;
  const unrolledW = (): number[] => {
    const g = p.trainGrad(alpha, w);
    return w.map((x, i) => x - xi * g[i]);
  };
  /** The DARTS second-order hypergradient with the exact product: the oracle for the FD variants. */
  const oracle = (): number[] => dartsHypergradient(p, alpha, w, { order: 2, xi, product: { product: 'exact' } }).hypergradient;
  /** The assertion every variant faces: agreement with the exact second-order hypergradient to FD rounding. */
  const agrees = (g: number[]): boolean => relativeErrorVec(g, oracle()) <= FINITE_DIFFERENCE_REL_TOL;
  /** Assemble a DARTS-2 hypergradient from a given mixed-product routine (as a buggy re-implementation would). */
  const withProduct = (product: (v: number[]) => number[], v: number[] = p.valGrad(alpha, unrolledW())): number[] => {
    const mv = product(v);
    return p.valGradHyper(alpha, unrolledW()).map((d, k) => d - xi * mv[k]);
  };

  test('exact: the DARTS-2 hypergradient is the derivative of α ↦ L_V(α, w − ξ∇_wL_T(α, w))', () => {
    const step = 1e-5;
    const f = (a: number[]): number => {
      const g = p.trainGrad(a, w);
      return p.valLoss(a, w.map((x, i) => x - xi * g[i]));
    };
    const fd = alpha.map((_, k) => {
      const up = [...alpha];
      const dn = [...alpha];
      up[k] += step;
      dn[k] -= step;
      return (f(up) - f(dn)) / (2 * step);
    });
    expect(relativeErrorVec(oracle(), fd)).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
  });

  test.prop([vec(4), fc.constantFrom(1e-1, 1e-2, 1e-3)], { numRuns: 50 })('correct FD product = exact product on the quadratic family, any v and R', (v, R) => {
    fc.pre(Math.hypot(...v) > 1e-3);
    const exact = exactMixedProduct(p, alpha, w, v);
    expect(relativeErrorVec(finiteDifferenceMixedProduct(p, alpha, w, v, R), exact)).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
  });

  test('correct DARTS-2 with the FD product passes the assertion', () => {
    expect(agrees(dartsHypergradient(p, alpha, w, { order: 2, xi }).hypergradient)).toBe(true);
  });

  test('bug (a1): v = ∇_wL_V evaluated at w instead of w′ is caught', () => {
    const buggy = withProduct((v) => finiteDifferenceMixedProduct(p, alpha, w, v), p.valGrad(alpha, w));
    expect(agrees(buggy)).toBe(false);
  });

  test('bug (a2): the perturbation w± = w′ ± εv taken around w′ instead of w is caught', () => {
    const buggy = withProduct((v) => finiteDifferenceMixedProduct(p, alpha, unrolledW(), v));
    expect(agrees(buggy)).toBe(false);
  });

  test('bug (b): `x / 2*eps` (= (x/2)·ε) instead of x / (2ε) is caught', () => {
    const buggy = withProduct((v) => {
      const eps = 0.01 / Math.hypot(...v);
      const plus = p.trainGradHyper(alpha, w.map((x, i) => x + eps * v[i]));
      const minus = p.trainGradHyper(alpha, w.map((x, i) => x - eps * v[i]));
      return plus.map((x, k) => ((x - minus[k]) / 2) * eps);
    });
    expect(agrees(buggy)).toBe(false);
  });

  test('on the non-quadratic (logistic) family the FD product → exact product as R → 0, at rate R²', () => {
    const q = nasProblem(LOGISTIC3);
    const v = q.valGrad(alpha, w);
    const exact = exactMixedProduct(q, alpha, w, v);
    const errs = [1e-1, 1e-2, 1e-3].map((R) => relativeErrorVec(finiteDifferenceMixedProduct(q, alpha, w, v, R), exact));
    expect(errs[0]).toBeGreaterThan(1e-6); // the truncation is visible at R = 0.1: the test can see a wrong rate
    for (let i = 1; i < errs.length; i++) expect(errs[i]).toBeLessThan(errs[i - 1] / 50);
  });
});

describe('hypergradients against the exact one (central difference of α ↦ L_V(α, w*(α)))', () => {
  const cases: [string, BilevelProblem][] = [
    ['squared', nasProblem(DATA3)],
    ['logistic', nasProblem(LOGISTIC3)],
  ];
  const alpha = [0.3, -0.4, 0.1];

  for (const [label, p] of cases) {
    const truth = (): number[] => finiteDifferenceHypergradient(p, alpha);

    test(`IFT (direct + response) is exact (${label})`, () => {
      const g = ift().hypergradient(p, alpha).hypergradient;
      expect(relativeErrorVec(g, truth())).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
      // Without the direct term it would be wrong: the direct term is not negligible here.
      const w = solveInner(p, alpha);
      expect(relativeErrorVec(g.map((x, k) => x - p.valGradHyper(alpha, w)[k]), truth())).toBeGreaterThan(1e-2);
    });

    test(`Δ-STN → IFT as σ → 0, with the direct term (${label})`, () => {
      const exact = ift().hypergradient(p, alpha).hypergradient;
      const errs = [0.2, 0.05, 0.0125].map((s) => relativeErrorVec(hypernetwork('delta-stn', { scale: [s, s, s], expectation: { kind: 'quadrature', nodes: 5 } }).hypergradient(p, alpha).hypergradient, exact));
      if (process.env.NAS_REPORT) console.log(label, 'delta-stn errors', errs);
      for (let i = 1; i < errs.length; i++) expect(errs[i]).toBeLessThan(errs[i - 1] / 8); // O(σ²): ratio 16 per halving twice
      expect(errs[2]).toBeLessThan(1e-3);
    });

    test(`DARTS first order = direct term = DARTS-2 at ξ = 0, and differs from the exact hypergradient (${label})`, () => {
      const w = solveInner(p, alpha);
      const g1 = darts({ order: 1 }).hypergradient(p, alpha).hypergradient;
      expect(g1).toEqual(p.valGradHyper(alpha, w));
      expect(relativeErrorVec(darts({ order: 2, xi: 0, product: { product: 'exact' } }).hypergradient(p, alpha).hypergradient, g1)).toBeLessThanOrEqual(closedFormRelTol());
      expect(relativeErrorVec(g1, truth())).toBeGreaterThan(1e-2);
    });

    test(`DARTS second order at w*: FD product → exact product as R → 0; = ∂_αL_V − ξMᵀ∇_wL_V (${label})`, () => {
      const w = solveInner(p, alpha);
      const xi = 0.7;
      const exact2 = darts({ order: 2, xi, product: { product: 'exact' } }).hypergradient(p, alpha).hypergradient;
      const formula = p.valGradHyper(alpha, w).map((d, k) => d - xi * dot(p.trainMixed(alpha, w).map((row) => row[k]), p.valGrad(alpha, w)));
      expect(relativeErrorVec(exact2, formula)).toBeLessThanOrEqual(1e-9);
      const errs = [1e-1, 1e-2, 1e-3].map((R) => relativeErrorVec(darts({ order: 2, xi, product: { product: 'finite-difference', scale: R } }).hypergradient(p, alpha).hypergradient, exact2));
      expect(errs[2]).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
      if (label === 'logistic') expect(errs[1]).toBeLessThan(errs[0]);
    });
  }
});

describe('NAS toy (K = 2)', () => {
  // Computed in beforeAll so that a broken module fails these tests rather than the file's collection.
  let result: NasExperimentResult;
  beforeAll(() => {
    result = nasExperiment();
  });
  const run = (prefix: string) => {
    const r = result.runs.find((x) => x.method.startsWith(prefix));
    if (!r) throw new Error(`no run ${prefix}`);
    return r;
  };

  test('the exact solution is an interior stationary point and a minimum of the grid', () => {
    expect(Math.abs(result.exact.delta)).toBeLessThan(7);
    expect(Math.max(...result.exact.hypergradient.map(Math.abs))).toBeLessThan(1e-12);
    for (const [, v] of result.curve) expect(v).toBeGreaterThanOrEqual(result.exact.valLoss - 1e-15);
  });

  test('first- and second-order DARTS converge to different points, neither the exact one', () => {
    const d1 = run('darts1');
    const d2 = run('darts2');
    expect(d1.converged && d2.converged).toBe(true);
    expect(Math.abs(d1.finalDelta - d2.finalDelta)).toBeGreaterThan(0.05);
    expect(d1.distanceToExact).toBeGreaterThan(0.05);
    expect(d2.distanceToExact).toBeGreaterThan(0.05);
    expect(d1.finalValLoss).toBeGreaterThan(result.exact.valLoss);
  });

  test('IFT descent reaches the exact solution; Δ-STN lands near it', () => {
    const i = run('ift');
    expect(i.converged).toBe(true);
    expect(i.distanceToExact).toBeLessThan(1e-9);
    expect(run('delta-stn').distanceToExact).toBeLessThan(1e-2);
  });

  test('the exact solution does not depend on the grid', () => {
    const p = nasProblem(NAS_TOY_DATA);
    expect(Math.abs(exactNasSolution(p, -5, 5, 101).delta - result.exact.delta)).toBeLessThan(1e-9);
  });
});
