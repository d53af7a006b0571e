/**
 * Problem families of src/bilevel/families.ts: every analytic derivative against central finite differences
 * (src/bilevel/derivatives.ts) at random points, typed errors for bad data, and a family written here, in the
 * test, that plugs into every method unchanged.
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkDerivatives } from '../../src/bilevel/derivatives.js';
import { logisticProblem, quadraticProblem, ridgeProblem, scalarToyProblem, type RegressionData } from '../../src/bilevel/families.js';
import { hypernetwork, ift, solveInner, unrolled } from '../../src/bilevel/methods.js';
import type { BilevelProblem } from '../../src/bilevel/problem.js';
import { DeltaStnError, InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../src/errors.js';
import { choleskySolve, symmetricEigenvalues } from '../../src/linalg/dense.js';
import { toNumberMatrix } from '../../src/linalg/exact.js';
import { spdArb } from '../../src/theory/generators.js';
import { cubicToy, sinToy, tanhToy } from '../../src/theory/scalarToys.js';
import { FINITE_DIFFERENCE_REL_TOL, closedFormRelTol, finiteDifferenceStep, relativeErrorVec } from '../../src/tolerance.js';
import { SPEC_RIDGE_DATA } from '../../src/experiments/ridge.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers

/**
 * A number in [lo, hi] on the dyadic grid of step 1/64. The derivative checks are about the formulas: on a grid,
 * shrinking cannot walk to points such as w = λ(1 + 1e-10) where the loss itself is computed by catastrophic
 * cancellation (its own rounding, not a derivative bug, would then exceed the 1e-6 of the policy).
 */
const num = (lo: number, hi: number): fc.Arbitrary<number> => fc.integer({ min: Math.ceil(lo * 64), max: Math.floor(hi * 64) }).map((k) => k / 64);
const vecArb = (n: number, lo = -2, hi = 2): fc.Arbitrary<number[]> => fc.array(num(lo, hi), { minLength: n, maxLength: n });
const matArb = (r: number, c: number, lo = -2, hi = 2): fc.Arbitrary<number[][]> => fc.array(vecArb(c, lo, hi), { minLength: r, maxLength: r });

/** Asserts every derivative of `problem` at (λ, w) matches its central difference to the policy's 1e-6. */
function expectDerivativesMatch(problem: BilevelProblem, lambda: readonly number[], w: readonly number[], tol = FINITE_DIFFERENCE_REL_TOL): void {
  for (const c of checkDerivatives(problem, lambda, w)) expect(c.error, `${problem.name}: ${c.name} at λ=${lambda}, w=${w}`).toBeLessThanOrEqual(tol);
}

/**
 * Asserts that `fn` throws `ErrorClass` (via `toThrow`) and that the error names `argument`, both in its
 * `argument` field and in its message.
 */
function expectTypedError(fn: () => unknown, ErrorClass: new (...args: never[]) => DeltaStnError, argument: string): void {
  expect(fn).toThrow(ErrorClass);
  try {
    fn();
  } catch (e) {
    expect((e as DeltaStnError).argument).toBe(argument);
    expect((e as Error).message).toContain(argument);
  }
}

/** Random regression data: n ∈ [m, m + 3] training rows, 1–3 validation rows, m ∈ [1, 3]. */
function regressionArb(labels: 'real' | 'binary'): fc.Arbitrary<RegressionData> {
  const yArb = (n: number): fc.Arbitrary<number[]> => (labels === 'real' ? vecArb(n, -3, 3) : fc.array(fc.constantFrom(-1, 0, 1), { minLength: n, maxLength: n }));
  return fc
    .record({ m: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 0, max: 3 }), nv: fc.integer({ min: 1, max: 3 }) })
    .chain(({ m, extra, nv }) =>
      fc.record({ Xtrain: matArb(m + extra, m), ytrain: yArb(m + extra), Xval: matArb(nv, m), yval: yArb(nv) }),
    );
}

// ---------------------------------------------------------------------------------------------------------
// A user-defined family, written here against the BilevelProblem interface only.

/**
 * "Log-cosh" problem (m = 2, h = 2), ours, made to be unlike the library's families: non-quadratic in w,
 * nonlinear in λ₀, with a hyperparameter λ₁ that also enters L_V directly (a non-zero direct term):
 *   L_T(λ, w) = ½wᵀPw − bᵀw + e^{λ₀} Σ_i log cosh(w_i) − λ₁ vᵀw          (P ≻ 0: strictly convex in w)
 *   L_V(λ, w) = ½‖w − t‖² + ½(λ₁ − w₀)².
 */
function logCoshProblem(P: number[][], b: number[], v: number[], t: number[]): BilevelProblem {
  const logCosh = (x: number): number => Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x))) - Math.LN2;
  const mv = (w: readonly number[]): number[] => P.map((row) => row[0] * w[0] + row[1] * w[1]);
  return {
    name: 'log-cosh (user-defined)',
    weightDim: 2,
    hyperDim: 2,
    hypers: [
      { name: 'logStrength', kind: 'loss-continuous' },
      { name: 'tilt', kind: 'direct' },
    ],
    trainLoss: (l, w) => {
      const pw = mv(w);
      return 0.5 * (w[0] * pw[0] + w[1] * pw[1]) - b[0] * w[0] - b[1] * w[1] + Math.exp(l[0]) * (logCosh(w[0]) + logCosh(w[1])) - l[1] * (v[0] * w[0] + v[1] * w[1]);
    },
    trainGrad: (l, w) => mv(w).map((x, i) => x - b[i] + Math.exp(l[0]) * Math.tanh(w[i]) - l[1] * v[i]),
    trainHessian: (l, w) => P.map((row, i) => row.map((x, j) => x + (i === j ? Math.exp(l[0]) * (1 - Math.tanh(w[i]) ** 2) : 0))),
    trainMixed: (l, w) => w.map((wi, i) => [Math.exp(l[0]) * Math.tanh(wi), -v[i]]),
    trainGradHyper: (l, w) => [Math.exp(l[0]) * (logCosh(w[0]) + logCosh(w[1])), -(v[0] * w[0] + v[1] * w[1])],
    valLoss: (l, w) => 0.5 * ((w[0] - t[0]) ** 2 + (w[1] - t[1]) ** 2) + 0.5 * (l[1] - w[0]) ** 2,
    valGrad: (l, w) => [w[0] - t[0] - (l[1] - w[0]), w[1] - t[1]],
    valGradHyper: (l, w) => [0, l[1] - w[0]],
    initialWeights: () => [0, 0],
  };
}

const userProblem = logCoshProblem(
  [
    [2, 0.5],
    [0.5, 1],
  ],
  [1, -0.5],
  [0.3, 1],
  [0.4, -0.2],
);

/** d/dλ L_V(λ, w*(λ)) by central differences, w*(λ) polished to the rounding floor (see methods.test.ts). */
function hypergradientFd(problem: BilevelProblem, lambda: readonly number[]): number[] {
  const inner = (l: readonly number[]): number[] => {
    let w = solveInner(problem, l);
    for (let it = 0; it < 3; it++) {
      const step = choleskySolve(problem.trainHessian(l, w), problem.trainGrad(l, w), 'trainHessian').getColumn(0);
      w = w.map((x, i) => x - step[i]);
    }
    return w;
  };
  return lambda.map((lk, k) => {
    const h = finiteDifferenceStep(lk);
    const plus = [...lambda];
    const minus = [...lambda];
    plus[k] += h;
    minus[k] -= h;
    return (problem.valLoss(plus, inner(plus)) - problem.valLoss(minus, inner(minus))) / (2 * h);
  });
}

// ---------------------------------------------------------------------------------------------------------

describe('analytic derivatives match central finite differences (checkDerivatives)', () => {
  const quadraticArb = fc
    .record({ m: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 3 }), withC: fc.boolean() })
    .chain(({ m, h, withC }) =>
      fc.record({
        A: spdArb(m, 1e3).map(toNumberMatrix),
        B: matArb(m, h),
        b: vecArb(m),
        C: withC ? spdArb(m, 1e3).map(toNumberMatrix) : fc.constant(undefined),
        target: withC ? vecArb(m) : fc.constant(undefined),
        lambda: vecArb(h),
        w: vecArb(m, -3, 3),
      }),
    );

  test.prop([quadraticArb], { numRuns: 60 })('quadraticProblem (docs/math.md#s2-4 S1), with and without C, target', ({ A, B, b, C, target, lambda, w }) => {
    const p = quadraticProblem({ A, B, b, C, target });
    expect([p.weightDim, p.hyperDim, p.hypers.length]).toEqual([A.length, B[0].length, B[0].length]);
    expectDerivativesMatch(p, lambda, w);
  });

  test.prop([regressionArb('real'), num(-3, 2), vecArb(3, -3, 3)], { numRuns: 60 })('ridgeProblem, with its Gauss–Newton structure', (data, lambda, w3) => {
    const p = ridgeProblem(data);
    const w = w3.slice(0, p.weightDim);
    expectDerivativesMatch(p, [lambda], w);
  });

  test.prop([regressionArb('binary'), num(-3, 2), vecArb(3, -3, 3)], { numRuns: 60 })('logisticProblem (labels in {−1, 0, 1}), with its Gauss–Newton structure', (data, lambda, w3) => {
    const p = logisticProblem(data);
    const w = w3.slice(0, p.weightDim);
    expectDerivativesMatch(p, [lambda], w);
  });

  test.prop([num(-3, 3), num(-2, 2), num(-1, 1)], { numRuns: 40 })('scalarToyProblem(sinToy()), any target', (lambda, w, target) => {
    expectDerivativesMatch(scalarToyProblem(sinToy(), target), [lambda], [w]);
  });

  test.prop([num(0.1, 3), num(-3, 3), num(-1.5, 1.5)], { numRuns: 40 })('scalarToyProblem(cubicToy(a))', (a, lambda, w) => {
    expectDerivativesMatch(scalarToyProblem(cubicToy(a)), [lambda], [w]);
  });

  const tanhArb = fc.integer({ min: 1, max: 4 }).chain((n) => fc.record({ x: vecArb(n, -1.5, 1.5), y: vecArb(n, -1, 1) }));
  test.prop([tanhArb, fc.boolean(), fc.boolean(), num(-2, 1), num(-2, 2)], { numRuns: 80 })(
    'scalarToyProblem(tanhToy) with and without weightDecay / lambdaInOutput',
    ({ x, y }, weightDecay, lambdaInOutput, lambda, w) => {
      expectDerivativesMatch(scalarToyProblem(tanhToy(x, y, { weightDecay, lambdaInOutput })), [lambda], [w]);
    },
  );

  test('the PT-11 tanh toy at its reference point, both output forms', () => {
    const x = [0.5, 1, 1.5, -0.7];
    const y = [0.3, 0.9, 0.8, -0.2];
    for (const lambdaInOutput of [false, true]) expectDerivativesMatch(scalarToyProblem(tanhToy(x, y, { lambdaInOutput })), [-1], [0.4297962827]);
  });

  test.prop([num(-2, 2), num(-2, 2), num(-2, 2), num(-2, 2)], { numRuns: 40 })('the user-defined log-cosh family of this file', (l0, l1, w0, w1) => {
    expectDerivativesMatch(userProblem, [l0, l1], [w0, w1]);
  });

  test('checkDerivatives can fail: a wrong mixed derivative is reported', () => {
    const wrong: BilevelProblem = { ...userProblem, trainMixed: (l, w) => userProblem.trainMixed(l, w).map((row) => [row[0], 1.01 * row[1]]) };
    const errors = Object.fromEntries(checkDerivatives(wrong, [0.2, -0.3], [0.5, 1]).map((c) => [c.name, c.error]));
    expect(errors.trainMixed).toBeGreaterThan(1e-3);
    expect(errors.trainGrad).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
  });
});

describe('closed forms the families promise', () => {
  test.prop([regressionArb('real'), num(-3, 2)], { numRuns: 30 })('ridge: w*(λ) = (XᵀX/n + e^λ I)⁻¹ Xᵀy/n', (data, lambda) => {
    const p = ridgeProblem(data);
    const n = data.Xtrain.length;
    const m = p.weightDim;
    const A = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (__, j) => data.Xtrain.reduce((s, r) => s + r[i] * r[j], 0) / n + (i === j ? Math.exp(lambda) : 0)));
    const rhs = Array.from({ length: m }, (_, i) => data.Xtrain.reduce((s, r, k) => s + r[i] * data.ytrain[k], 0) / n);
    const exact = choleskySolve(A, rhs).getColumn(0);
    const ev = symmetricEigenvalues(A);
    const w = solveInner(p, [lambda]);
    // Newton stops at ‖∇L_T‖∞ ≤ 1e-13·max(1, |L_T|) (src/bilevel/newton.ts), so w is within √m·that/λmin(A) of
    // w* in absolute terms: the floor for solutions near 0 (tiny data), added to the closed-form tolerance.
    const stopping = (Math.sqrt(m) * 1e-13 * Math.max(1, Math.abs(p.trainLoss([lambda], w)))) / ev[0];
    const err = Math.max(...w.map((x, i) => Math.abs(x - exact[i])));
    expect(err).toBeLessThanOrEqual(closedFormRelTol(ev[ev.length - 1] / ev[0]) * Math.max(...exact.map(Math.abs)) + stopping);
  });
});

describe('typed errors for bad data', () => {
  const good: RegressionData = SPEC_RIDGE_DATA;

  test('ridge / logistic: shapes', () => {
    for (const make of [ridgeProblem, logisticProblem]) {
      const labels = make === logisticProblem ? { ytrain: [1, -1, 1], yval: [1, 0] } : {};
      const base = { ...good, ...labels };
      expectTypedError(() => make({ ...base, Xval: [[1, 2, 3]] }), ShapeMismatchError, 'Xval');
      expectTypedError(() => make({ ...base, ytrain: [1, 1] }), ShapeMismatchError, 'ytrain');
      expectTypedError(() => make({ ...base, yval: [1] }), ShapeMismatchError, 'yval');
      expectTypedError(() => make({ ...base, Xtrain: [[1, 0], [0]] }), ShapeMismatchError, 'Xtrain');
      expectTypedError(() => make({ ...base, Xtrain: [] }), ShapeMismatchError, 'Xtrain');
    }
  });

  test('ridge / logistic: non-finite entries are named by index', () => {
    expectTypedError(() => ridgeProblem({ ...good, Xtrain: [[1, NaN], [0, 2], [1, 1]] }), NonFiniteError, 'Xtrain[0][1]');
    expectTypedError(() => ridgeProblem({ ...good, Xval: [[2, 1], [Infinity, -1]] }), NonFiniteError, 'Xval[1][0]');
    expectTypedError(() => ridgeProblem({ ...good, ytrain: [1, -Infinity, 3] }), NonFiniteError, 'ytrain[1]');
    expectTypedError(() => ridgeProblem({ ...good, yval: [2, NaN] }), NonFiniteError, 'yval[1]');
    expectTypedError(() => logisticProblem({ ...good, ytrain: [1, NaN, 0], yval: [1, 1] }), NonFiniteError, 'ytrain[1]');
  });

  test('logistic: labels outside {−1, 0, 1}', () => {
    expectTypedError(() => logisticProblem({ ...good, ytrain: [1, 0.5, -1], yval: [1, 0] }), InvalidArgumentError, 'ytrain[1]');
    expectTypedError(() => logisticProblem({ ...good, ytrain: [1, 0, -1], yval: [2, 0] }), InvalidArgumentError, 'yval[0]');
    // The ridge data's real-valued targets are bad labels.
    expectTypedError(() => logisticProblem(good), InvalidArgumentError, 'ytrain[1]');
  });

  test('quadratic: A must be square and positive definite; B, b, C, target must fit', () => {
    const ok = { A: [[2, 1], [1, 3]], B: [[1], [0]], b: [1, 1] };
    expectTypedError(() => quadraticProblem({ ...ok, A: [[1, 2], [2, 1]] }), NotPositiveDefiniteError, 'A');
    expectTypedError(() => quadraticProblem({ ...ok, A: [[0, 0], [0, 1]] }), NotPositiveDefiniteError, 'A');
    expectTypedError(() => quadraticProblem({ ...ok, A: [[1, 2], [0, 1]] }), NotPositiveDefiniteError, 'A');
    expectTypedError(() => quadraticProblem({ ...ok, A: [[1, 0, 0], [0, 1, 0]] }), ShapeMismatchError, 'A');
    expectTypedError(() => quadraticProblem({ ...ok, A: [[1, NaN], [NaN, 1]] }), NonFiniteError, 'A[0][1]');
    expectTypedError(() => quadraticProblem({ ...ok, B: [[1]] }), ShapeMismatchError, 'B');
    expectTypedError(() => quadraticProblem({ ...ok, b: [1] }), ShapeMismatchError, 'b');
    expectTypedError(() => quadraticProblem({ ...ok, b: [1, Infinity] }), NonFiniteError, 'b[1]');
    expectTypedError(() => quadraticProblem({ ...ok, C: [[1]] }), ShapeMismatchError, 'C');
    expectTypedError(() => quadraticProblem({ ...ok, C: [[1, 0.5], [0, 1]] }), NotSymmetricError, 'C');
    expectTypedError(() => quadraticProblem({ ...ok, target: [0, NaN] }), NonFiniteError, 'target[1]');
  });

  test('scalar toys: bad target and bad toy parameters', () => {
    expectTypedError(() => scalarToyProblem(sinToy(), NaN), InvalidArgumentError, 'target');
    expectTypedError(() => scalarToyProblem(cubicToy(-1)), InvalidArgumentError, 'a');
    expectTypedError(() => scalarToyProblem(tanhToy([1, 2], [1])), InvalidArgumentError, 'y');
    expectTypedError(() => scalarToyProblem(tanhToy([1, NaN], [1, 1])), NonFiniteError, 'x[1]');
  });
});

describe('a user-defined family plugs into every method unchanged', () => {
  const lambda = [0.3, -0.4];
  const truth = hypergradientFd(userProblem, lambda);
  const direct = userProblem.valGradHyper(lambda, solveInner(userProblem, lambda));

  test('the family has a non-zero direct term, so the check below sees ∂_λL_V', () => {
    expect(Math.abs(direct[1])).toBeGreaterThan(0.1);
  });

  test('IFT (dense, CG, Neumann) and long unrolling give d L_V(λ, w*(λ))/dλ', () => {
    const H = userProblem.trainHessian(lambda, solveInner(userProblem, lambda));
    const lmax = symmetricEigenvalues(H)[1];
    const methods = [ift(), ift({ solver: 'cg' }), ift({ solver: 'neumann', terms: 400 }), unrolled({ steps: 400, stepSize: 1 / lmax })];
    for (const method of methods) {
      const r = method.hypergradient(userProblem, lambda);
      expect(relativeErrorVec(r.hypergradient, truth), method.name).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
    }
  });

  test('hypernetwork methods run on it and approach IFT as σ → 0', () => {
    const exact = ift().hypergradient(userProblem, lambda).hypergradient;
    for (const variant of ['stn', 'centered-stn', 'delta-stn'] as const) {
      const r = hypernetwork(variant, { scale: [0.01, 0.01] }).hypergradient(userProblem, lambda);
      // O(σ²) = 1e-4 relative bias (docs/math.md#s4-3 item 5), not a tolerance of the policy: a loose bound of 1e-3.
      expect(relativeErrorVec(r.hypergradient, exact), variant).toBeLessThan(1e-3);
    }
  });

  test('the linearized Δ-STN asks for an outputStructure this family does not have', () => {
    expectTypedError(() => hypernetwork('delta-stn-linearized', { scale: [0.1, 0.1] }).hypergradient(userProblem, lambda), InvalidArgumentError, 'problem');
  });
});
