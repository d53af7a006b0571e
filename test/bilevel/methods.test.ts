/**
 * Hypergradient methods of src/bilevel/methods.ts against independent oracles: central finite differences of
 * λ ↦ L_V(λ, w*(λ)) (IFT, long unrolling) and of λ ↦ L_V(λ, w_K(λ)) (short unrolling), the defining formula
 * ∂_λL_V + Θᵀ∇_wL_V at ŵ(λ) and the stationarity of each hypernetwork fit (STN family), quadrature against
 * seeded sampling within 4 standard errors, and typed errors for bad input.
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { perturbations, type ExpectationRule, type PerturbationSet } from '../../src/bilevel/expectation.js';
import { logisticProblem, quadraticProblem, ridgeProblem, scalarToyProblem, type RegressionData } from '../../src/bilevel/families.js';
import { fitHypernetwork, hypernetwork, ift, solveInner, unrolled, type HypergradientResult, type HypernetworkVariant } from '../../src/bilevel/methods.js';
import type { BilevelProblem } from '../../src/bilevel/problem.js';
import { DeltaStnError, InvalidArgumentError, NotPositiveDefiniteError, ShapeMismatchError } from '../../src/errors.js';
import { symmetricEigenvalues } from '../../src/linalg/dense.js';
import { symmetricPart } from '../../src/bilevel/newton.js';
import { gaussianExpectation } from '../../src/linalg/gaussHermite.js';
import { sinToy, tanhToy } from '../../src/theory/scalarToys.js';
import { EPS, FINITE_DIFFERENCE_REL_TOL, QUADRATURE_TOL, closedFormRelTol, finiteDifferenceStep, monteCarloTol, relativeErrorVec } from '../../src/tolerance.js';
import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix';
import { SPEC_RIDGE_DATA } from '../../src/experiments/ridge.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** A number in [lo, hi] on the dyadic grid of step 1/64 (see families.test.ts for why a grid). */
const num = (lo: number, hi: number): fc.Arbitrary<number> => fc.integer({ min: Math.ceil(lo * 64), max: Math.floor(hi * 64) }).map((k) => k / 64);
const vecArb = (n: number, lo = -2, hi = 2): fc.Arbitrary<number[]> => fc.array(num(lo, hi), { minLength: n, maxLength: n });
const matArb = (r: number, c: number, lo = -2, hi = 2): fc.Arbitrary<number[][]> => fc.array(vecArb(c, lo, hi), { minLength: r, maxLength: r });
const maxAbs = (v: readonly number[]): number => Math.max(0, ...v.map(Math.abs));

/**
 * The problem with a direct term added to L_V: L_V + w₀·Σ_k sin λ_k, so ∂_λL_V = cos λ_k·w₀ ≠ 0 and a
 * method that drops the direct term (docs/math.md#s1-2) is caught. L_T and its structure are untouched.
 */
function withDirectTerm(p: BilevelProblem): BilevelProblem {
  const s = (l: readonly number[]): number => l.reduce((a, x) => a + Math.sin(x), 0);
  return {
    ...p,
    name: `${p.name} + direct term`,
    valLoss: (l, w) => p.valLoss(l, w) + w[0] * s(l),
    valGrad: (l, w) => p.valGrad(l, w).map((g, i) => (i === 0 ? g + s(l) : g)),
    valGradHyper: (l, w) => p.valGradHyper(l, w).map((d, k) => d + Math.cos(l[k]) * w[0]),
  };
}

/**
 * w*(λ) polished by three plain Newton steps, so that it sits at the rounding floor whatever Newton's stopping
 * rule. (Symmetrised first: dense.ts's choleskySolve hands ml-matrix a Hessian that is symmetric only to rounding,
 * which ml-matrix rejects; see symmetricPart.)
 */
function preciseInner(problem: BilevelProblem, lambda: readonly number[]): number[] {
  let w = solveInner(problem, lambda);
  for (let it = 0; it < 3; it++) {
    const step = new CholeskyDecomposition(symmetricPart(problem.trainHessian(lambda, w), 'trainHessian')).solve(Matrix.columnVector(problem.trainGrad(lambda, w))).getColumn(0);
    w = w.map((x, i) => x - step[i]);
  }
  return w;
}

/**
 * Central differences of a vector function F at λ, flattened row by row (output i, hyperparameter k), with the
 * differences' rounding error 64ε·max‖F(λ ± h)‖∞/h (F here is a loss or weights after an inner solve or K
 * gradient steps: a few dozen ulps). Compared like checkDerivatives does: agree to the policy's relative 1e-6
 * in the max-norm, or to within the rounding the difference can resolve.
 */
function jacobianFd(F: (l: number[]) => number[], lambda: readonly number[]): { value: number[]; roundoff: number } {
  let roundoff = 0;
  const cols = lambda.map((lk, k) => {
    const h = finiteDifferenceStep(lk);
    const plus = [...lambda];
    const minus = [...lambda];
    plus[k] += h;
    minus[k] -= h;
    const fp = F(plus);
    const fm = F(minus);
    roundoff = Math.max(roundoff, (64 * EPS * Math.max(maxAbs(fp), maxAbs(fm))) / h);
    return fp.map((v, i) => (v - fm[i]) / (2 * h));
  });
  return { value: cols[0].flatMap((_, i) => cols.map((c) => c[i])), roundoff };
}

/** The gradient of a scalar F by {@link jacobianFd}. */
const gradientFd = (F: (l: number[]) => number, lambda: readonly number[]): { value: number[]; roundoff: number } => jacobianFd((l) => [F(l)], lambda);

function expectFdMatch(analytic: readonly number[], fd: { value: number[]; roundoff: number }, label: string): void {
  const err = relativeErrorVec(analytic, fd.value, fd.roundoff / FINITE_DIFFERENCE_REL_TOL);
  expect(err, `${label}: analytic ${analytic} vs finite difference ${fd.value}`).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
}

/** The exact hypergradient oracle: central difference of λ ↦ L_V(λ, w*(λ)). */
const trueHypergradientFd = (p: BilevelProblem, lambda: readonly number[]) => gradientFd((l) => p.valLoss(l, preciseInner(p, l)), lambda);

/** w_K(λ): K plain gradient steps from `start`, written out here independently of `unrolled`. */
function gradientSteps(p: BilevelProblem, lambda: readonly number[], steps: number, alpha: number, start: readonly number[]): number[] {
  let w = [...start];
  for (let k = 0; k < steps; k++) {
    const g = p.trainGrad(lambda, w);
    w = w.map((x, i) => x - alpha * g[i]);
  }
  return w;
}

function expectTypedError(fn: () => unknown, ErrorClass: new (...args: never[]) => DeltaStnError, argument: string): void {
  expect(fn).toThrow(ErrorClass);
  try {
    fn();
  } catch (e) {
    expect((e as DeltaStnError).argument).toBe(argument);
    expect((e as Error).message).toContain(argument);
  }
}

/** Random ridge or logistic data (m ∈ [1, 3], n ∈ [m, m + 3]) with a direct term, and λ = log weight decay ∈ [−1, 1]. */
const smoothProblemArb: fc.Arbitrary<{ problem: BilevelProblem; lambda: number[] }> = fc
  .record({ m: fc.integer({ min: 1, max: 3 }), extra: fc.integer({ min: 0, max: 3 }), nv: fc.integer({ min: 1, max: 3 }), logistic: fc.boolean() })
  .chain(({ m, extra, nv, logistic }) => {
    const y = (n: number): fc.Arbitrary<number[]> => (logistic ? fc.array(fc.constantFrom(-1, 1), { minLength: n, maxLength: n }) : vecArb(n, -3, 3));
    return fc.record({
      data: fc.record({ Xtrain: matArb(m + extra, m), ytrain: y(m + extra), Xval: matArb(nv, m), yval: y(nv) }),
      lambda: num(-1, 1),
      logistic: fc.constant(logistic),
    });
  })
  .map(({ data, lambda, logistic }) => ({ problem: withDirectTerm((logistic ? logisticProblem : ridgeProblem)(data as RegressionData)), lambda: [lambda] }));

/** Extreme eigenvalues of ∇²_ww L_T at w. */
function hessianRange(p: BilevelProblem, lambda: readonly number[], w: readonly number[]): { min: number; max: number } {
  const ev = symmetricEigenvalues(p.trainHessian(lambda, w));
  return { min: ev[0], max: ev[ev.length - 1] };
}

const PT6: RegressionData = SPEC_RIDGE_DATA;
const ridge = ridgeProblem(PT6);
const sinProblem = scalarToyProblem(sinToy(), 0.2);
const tanhProblem = scalarToyProblem(tanhToy([0.5, 1, 1.5, -0.7], [0.3, 0.9, 0.8, -0.2]), 0.1);

// ---------------------------------------------------------------------------------------------------------

describe('IFT and long unrolling give dL_V(λ, w*(λ))/dλ (central differences of the bilevel objective)', () => {
  test.prop([smoothProblemArb], { numRuns: 25 })('IFT dense, CG and Neumann', ({ problem, lambda }) => {
    const truth = trueHypergradientFd(problem, lambda);
    const { min, max } = hessianRange(problem, lambda, preciseInner(problem, lambda));
    // Neumann with α = 1/λmax contracts by ρ = 1 − λmin/λmax per term: enough terms for ρ^K ≤ 1e-13.
    const terms = Math.ceil(Math.log(1e-13) / Math.log(Math.max(1e-3, 1 - min / max)));
    for (const method of [ift(), ift({ solver: 'cg' }), ift({ solver: 'neumann', terms })]) {
      const r = method.hypergradient(problem, lambda);
      expectFdMatch(r.hypergradient, truth, `${problem.name}, ${method.name}`);
      expect(r.weights).toEqual(solveInner(problem, lambda));
    }
  });

  test.prop([smoothProblemArb], { numRuns: 25 })('unrolled with K large (K with ρ^K ≤ 1e-13, ρ = 1 − αλmin)', ({ problem, lambda }) => {
    const truth = trueHypergradientFd(problem, lambda);
    // λmax of ∇²L_T over the path: at w = 0 for logistic (σ'(0) = 1/4 is the largest), everywhere for ridge.
    const alpha = 1 / hessianRange(problem, lambda, problem.initialWeights()).max;
    const rho = 1 - alpha * hessianRange(problem, lambda, preciseInner(problem, lambda)).min;
    const steps = Math.ceil(Math.log(1e-13) / Math.log(rho)) + 20;
    const r = unrolled({ steps, stepSize: alpha }).hypergradient(problem, lambda);
    expectFdMatch(r.hypergradient, truth, `${problem.name}, unrolled-${steps}`);
  });

  test('the IFT Jacobian of the PT-6 ridge problem is the spec value J* = (−1/3, −0.2564102564)', () => {
    const J = ift().hypergradient(ridge, [0]).responseJacobian ?? [];
    expect(J[0][0]).toBeCloseTo(-1 / 3, 10);
    expect(J[1][0]).toBeCloseTo(-0.2564102564, 10);
  });
});

describe("Neumann series: the step size condition 0 < α < 2/λmax(H)", () => {
  const lmax = hessianRange(ridge, [0], solveInner(ridge, [0])).max;

  test('α ≥ 2/λmax and α ≤ 0 are InvalidArgumentError naming stepSize', () => {
    for (const stepSize of [2 / lmax, 2.5 / lmax, 0, -1 / lmax]) expectTypedError(() => ift({ solver: 'neumann', terms: 10, stepSize }).hypergradient(ridge, [0]), InvalidArgumentError, 'stepSize');
    expectTypedError(() => ift({ solver: 'neumann', terms: 0 }), InvalidArgumentError, 'terms');
  });

  test.prop([smoothProblemArb, fc.integer({ min: 1, max: 60 }), fc.constantFrom(undefined, 0.5, 1.9)], { numRuns: 40 })(
    'K terms: ‖J_K − J*‖₂ ≤ ρ^K‖J*‖₂ per column, ρ = max|1 − αλ_i(H)| (default α = 1/λmax)',
    ({ problem, lambda }, terms, factor) => {
      const w = preciseInner(problem, lambda);
      const ev = symmetricEigenvalues(problem.trainHessian(lambda, w));
      const lm = ev[ev.length - 1];
      const alpha = factor === undefined ? 1 / lm : factor / lm;
      const rho = Math.max(...ev.map((e) => Math.abs(1 - alpha * e)));
      const exact = ift().hypergradient(problem, lambda).responseJacobian ?? [];
      const approx = ift({ solver: 'neumann', terms, stepSize: factor === undefined ? undefined : alpha }).hypergradient(problem, lambda).responseJacobian ?? [];
      const col = (J: number[][]): number[] => J.map((row) => row[0]);
      const norm = (v: number[]): number => Math.hypot(...v);
      const err = norm(col(approx).map((x, i) => x - col(exact)[i]));
      expect(err).toBeLessThanOrEqual(rho ** terms * norm(col(exact)) * (1 + 1e-9) + closedFormRelTol(lm / ev[0]) * norm(col(exact)));
    },
  );

  test('with the default α the series converges to the dense solve', () => {
    const exact = ift().hypergradient(ridge, [0]).hypergradient;
    expect(relativeErrorVec(ift({ solver: 'neumann', terms: 200 }).hypergradient(ridge, [0]).hypergradient, exact)).toBeLessThanOrEqual(closedFormRelTol(10));
    // α near 2/λmax still converges (rate max|1 − αλ_i| = 0.9 here).
    expect(relativeErrorVec(ift({ solver: 'neumann', terms: 400, stepSize: 1.9 / lmax }).hypergradient(ridge, [0]).hypergradient, exact)).toBeLessThanOrEqual(closedFormRelTol(10));
  });
});

describe('unrolled differentiation is the exact derivative of the unrolled map, not of w*', () => {
  test.prop([smoothProblemArb, fc.integer({ min: 1, max: 6 }), num(0.25, 1.5), fc.boolean()], { numRuns: 40 })(
    'small K: reverse-mode hypergradient = FD of λ ↦ L_V(λ, w_K(λ)); forward J = FD of w_K',
    ({ problem, lambda }, steps, factor, fromStart) => {
      const alpha = factor / hessianRange(problem, lambda, problem.initialWeights()).max;
      const start = fromStart ? problem.initialWeights().map((_, i) => 0.5 - 0.25 * i) : problem.initialWeights();
      const r = unrolled({ steps, stepSize: alpha, start: fromStart ? start : undefined }).hypergradient(problem, lambda);
      const wK = (l: number[]): number[] => gradientSteps(problem, l, steps, alpha, start);
      expect(r.weights).toEqual(wK([...lambda]));
      expectFdMatch(r.hypergradient, gradientFd((l) => problem.valLoss(l, wK(l)), lambda), `${problem.name}, hypergradient of unrolled-${steps}`);
      expectFdMatch((r.responseJacobian ?? []).flat(), jacobianFd(wK, lambda), `${problem.name}, ∂w_K/∂λ of unrolled-${steps}`);
    },
  );

  test('on a nonlinear problem a short unroll differs from IFT (it differentiates w_K, not w*)', () => {
    const p = withDirectTerm(tanhProblem);
    const short = unrolled({ steps: 3, stepSize: 0.5 }).hypergradient(p, [-1]).hypergradient[0];
    const exact = ift().hypergradient(p, [-1]).hypergradient[0];
    expect(Math.abs(short - exact)).toBeGreaterThan(1e-3 * Math.abs(exact));
  });
});

describe('hypernetwork methods: hypergradient = ∂_λL_V + Θᵀ∇_wL_V at ŵ(λ), at a stationary point of their fit', () => {
  const variants: HypernetworkVariant[] = ['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'];

  /** ∇ of each variant's fit objective over the perturbation set, in vec[w0, Θ] (or vec Θ) order, recomputed here. */
  function fitGradient(p: BilevelProblem, lambda: readonly number[], variant: HypernetworkVariant, set: PerturbationSet, general: number[], response: number[][]): number[] {
    const m = p.weightDim;
    const h = p.hyperDim;
    const joint = variant === 'stn' || variant === 'centered-stn';
    const g = new Array<number>(m * (joint ? 1 + h : h)).fill(0);
    set.points.forEach((eps, s) => {
      const lp = lambda.map((l, k) => l + eps[k]);
      const input = variant === 'stn' ? lp : eps;
      const w = general.map((x, i) => x + response[i].reduce((a, t, k) => a + t * input[k], 0));
      let gw: number[];
      const os = p.outputStructure;
      if (variant === 'delta-stn-linearized' && os) {
        const J = os.outputJacobian(lp, general);
        const f = os.outputs(lp, general).map((v, a) => v + J[a].reduce((acc, x, j) => acc + x * (w[j] - general[j]), 0));
        const gl = os.lossGrad(f);
        const gr = os.regularizerGrad(lp, w);
        gw = gr.map((x, i) => x + J.reduce((acc, row, a) => acc + row[i] * gl[a], 0));
      } else gw = p.trainGrad(lp, w);
      const a = joint ? [1, ...input] : input;
      a.forEach((ac, c) => gw.forEach((x, i) => (g[i + c * m] += set.weights[s] * ac * x)));
    });
    return g;
  }

  const cases: { name: string; problem: BilevelProblem; lambda: number[]; scale: number[] }[] = [
    { name: 'ridge (PT-6 data) + direct term', problem: withDirectTerm(ridge), lambda: [0.3], scale: [0.5] },
    { name: 'sin toy + direct term', problem: withDirectTerm(sinProblem), lambda: [0.7], scale: [0.5] },
    { name: 'tanh toy (PT-11) + direct term', problem: withDirectTerm(tanhProblem), lambda: [-1], scale: [0.3] },
    {
      name: 'quadratic, h = 2 + direct term',
      problem: withDirectTerm(quadraticProblem({ A: [[2, 0.5], [0.5, 1]], B: [[1, -1], [0.5, 2]], b: [1, 0], C: [[1, 0.2], [0.2, 2]], target: [0.3, -0.1] })),
      lambda: [0.4, -0.8],
      scale: [0.3, 1.5],
    },
  ];

  for (const c of cases) {
    for (const variant of variants) {
      if (variant === 'delta-stn-linearized' && !c.problem.outputStructure) continue;
      test(`${variant} on ${c.name}`, () => {
        const r = hypernetwork(variant, { scale: c.scale }).hypergradient(c.problem, c.lambda);
        const general = r.general ?? [];
        const theta = r.response ?? [];
        const what = variant === 'stn' ? general.map((x, i) => x + theta[i].reduce((a, t, k) => a + t * c.lambda[k], 0)) : general;
        expect(r.weights).toEqual(what);
        expect(r.responseJacobian).toEqual(theta);
        expect(r.valLoss).toBe(c.problem.valLoss(c.lambda, what));
        const gv = c.problem.valGrad(c.lambda, what);
        const direct = c.problem.valGradHyper(c.lambda, what);
        const expected = direct.map((d, k) => d + theta.reduce((a, row, i) => a + row[k] * gv[i], 0));
        expect(relativeErrorVec(r.hypergradient, expected)).toBeLessThanOrEqual(closedFormRelTol());
        // The fit is a stationary point of its own objective (the default 20-node rule), recomputed here.
        const set = perturbations(c.scale);
        const g = fitGradient(c.problem, c.lambda, variant, set, general, theta);
        const scale = maxAbs(fitGradient(c.problem, c.lambda, variant, set, general.map(() => 0), theta.map((row) => row.map(() => 0)))) + 1;
        expect(maxAbs(g) / scale, 'fit gradient').toBeLessThanOrEqual(1e-10);
        // Δ-STN's general part is w*(λ), whatever the rule (docs/math.md#s3-2).
        if (variant.startsWith('delta')) expect(general).toEqual(solveInner(c.problem, c.lambda));
      });
    }
  }
});

describe('expectations: quadrature and seeded sampling agree within 4 standard errors', () => {
  test.prop([fc.array(num(0.125, 2), { minLength: 1, maxLength: 2 }), fc.integer({ min: 0, max: 2 ** 31 - 1 })], { numRuns: 10 })(
    'E g(ε) for g = exp(Σε), Σε², ε₀·cos ε', (scale, seed) => {
      const fns: ((e: number[]) => number)[] = [(e) => Math.exp(e.reduce((a, x) => a + x, 0)), (e) => e.reduce((a, x) => a + x * x, 0), (e) => e[0] * Math.cos(e[e.length - 1])];
      const quad = perturbations(scale, { kind: 'quadrature', nodes: 20 });
      const samp = perturbations(scale, { kind: 'sampling', samples: 4000, seed });
      expect(quad.weights.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 12);
      for (const f of fns) {
        const exact = quad.points.reduce((a, e, s) => a + quad.weights[s] * f(e), 0);
        const values = samp.points.map(f);
        const mean = values.reduce((a, x) => a + x, 0) / values.length;
        const sd = Math.sqrt(values.reduce((a, x) => a + (x - mean) ** 2, 0) / (values.length - 1));
        expect(Math.abs(mean - exact)).toBeLessThanOrEqual(monteCarloTol(sd / Math.sqrt(values.length)));
      }
    },
  );

  test('the quadrature rule is exact to QUADRATURE_TOL against an independent 1-D rule', () => {
    const quad = perturbations([0.7], { kind: 'quadrature', nodes: 20 });
    const viaSet = quad.points.reduce((a, e, s) => a + quad.weights[s] * Math.exp(Math.sin(e[0])), 0);
    expect(Math.abs(viaSet - gaussianExpectation((x) => Math.exp(Math.sin(x)), 0, 0.7, 80))).toBeLessThanOrEqual(QUADRATURE_TOL);
  });

  /**
   * Sandwich (M-estimator) covariance of a sampled fit φ̂ = vec[w0, Θ] (or vec Θ) from the same run:
   * φ̂ solves (1/N)Σ_s a_s ⊗ ∇_wL_T(λ+ε_s, ŵ_s) = 0 with a_s = (1, λ̃_s) (STN) or ε_s (Δ-STN), so
   * Cov φ̂ ≈ D⁻¹ S D⁻¹/N, D = mean a_s a_sᵀ ⊗ ∇²_wL_T, S = sample covariance of a_s ⊗ ∇_wL_T at φ̂.
   */
  function sandwichCovariance(p: BilevelProblem, lambda: number[], variant: HypernetworkVariant, set: PerturbationSet, general: number[], theta: number[][]): Matrix {
    const m = p.weightDim;
    const joint = variant !== 'delta-stn';
    const N = set.points.length;
    const d = m * (joint ? 1 + p.hyperDim : p.hyperDim);
    const D = Matrix.zeros(d, d);
    const us: number[][] = [];
    set.points.forEach((eps) => {
      const lp = lambda.map((l, k) => l + eps[k]);
      const input = variant === 'stn' ? lp : eps;
      const w = general.map((x, i) => x + theta[i].reduce((a, t, k) => a + t * input[k], 0));
      const a = joint ? [1, ...input] : input;
      const g = p.trainGrad(lp, w);
      const H = p.trainHessian(lp, w);
      const u = new Array<number>(d).fill(0);
      a.forEach((ac, c) => g.forEach((x, i) => (u[i + c * m] = ac * x)));
      us.push(u);
      a.forEach((ac, c) => a.forEach((ae, e) => H.forEach((row, i) => row.forEach((x, j) => D.set(i + c * m, j + e * m, D.get(i + c * m, j + e * m) + (ac * ae * x) / N)))));
    });
    const mean = us[0].map((_, i) => us.reduce((a, u) => a + u[i], 0) / N);
    const S = Matrix.zeros(d, d);
    us.forEach((u) => u.forEach((x, i) => u.forEach((y, j) => S.set(i, j, S.get(i, j) + ((x - mean[i]) * (y - mean[j])) / (N - 1)))));
    const Di = inverse(D);
    return Di.mmul(S).mmul(Di).div(N);
  }

  const sampled: { name: string; problem: BilevelProblem; lambda: number[]; scale: number[] }[] = [
    { name: 'sin toy (PT-9 point)', problem: sinProblem, lambda: [0.7], scale: [0.5] },
    { name: 'ridge (PT-6 data)', problem: ridge, lambda: [0], scale: [0.5] },
    { name: 'tanh toy (PT-11 data)', problem: tanhProblem, lambda: [-1], scale: [0.5] },
  ];
  for (const c of sampled) {
    for (const variant of ['stn', 'centered-stn', 'delta-stn'] as const) {
      test(`${variant} on ${c.name}: sampled (N = 3000) vs quadrature fit, |Δ| ≤ 4 SE per parameter (and for the hypergradient)`, () => {
        const rule: ExpectationRule = { kind: 'sampling', samples: 3000, seed: 12345 };
        const quad = hypernetwork(variant, { scale: c.scale }).hypergradient(c.problem, c.lambda);
        const samp = hypernetwork(variant, { scale: c.scale, expectation: rule }).hypergradient(c.problem, c.lambda);
        const cov = sandwichCovariance(c.problem, c.lambda, variant, perturbations(c.scale, rule), samp.general ?? [], samp.response ?? []);
        const flat = (r: HypergradientResult): number[] => (variant === 'delta-stn' ? [] : (r.general ?? [])).concat((r.response ?? [])[0].map((_, k) => (r.response ?? []).map((row) => row[k])).flat());
        const q = flat(quad);
        const s = flat(samp);
        s.forEach((x, i) => expect(Math.abs(x - q[i]), `parameter ${i}`).toBeLessThanOrEqual(monteCarloTol(Math.sqrt(cov.get(i, i)))));
        if (variant === 'delta-stn') {
          // hypergradient Θᵀ∇L_V(w0) is linear in Θ (w0 = w* fixed): its SE is √(gᵀ Cov g).
          const g = c.problem.valGrad(c.lambda, samp.general ?? []);
          const se = Math.sqrt(g.reduce((a, gi, i) => a + gi * g.reduce((b, gj, j) => b + cov.get(i, j) * gj, 0), 0));
          expect(Math.abs(samp.hypergradient[0] - quad.hypergradient[0])).toBeLessThanOrEqual(monteCarloTol(se));
        }
        // The SE is not vacuous: it is well below the size of the parameters.
        expect(Math.sqrt(Math.max(...s.map((_, i) => cov.get(i, i))))).toBeLessThan(0.05 * maxAbs(q));
      });
    }
  }

  test('sampling is deterministic per seed, and different seeds differ', () => {
    const run = (seed: number) => hypernetwork('stn', { scale: [0.5], expectation: { kind: 'sampling', samples: 200, seed } }).hypergradient(sinProblem, [0.7]);
    expect(run(7)).toEqual(run(7));
    expect(perturbations([0.5, 2], { kind: 'sampling', samples: 50, seed: 3 })).toEqual(perturbations([0.5, 2], { kind: 'sampling', samples: 50, seed: 3 }));
    expect(run(8).hypergradient[0]).not.toBe(run(7).hypergradient[0]);
  });
});

describe('typed errors for bad input', () => {
  const methods = [ift(), ift({ solver: 'cg' }), ift({ solver: 'neumann', terms: 5 }), unrolled({ steps: 3, stepSize: 0.1 }), ...(['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'] as const).map((v) => hypernetwork(v, { scale: [0.5] }))];

  test('λ of the wrong length, or not finite', () => {
    for (const method of methods) {
      expectTypedError(() => method.hypergradient(ridge, [0, 1]), ShapeMismatchError, 'lambda');
      expectTypedError(() => method.hypergradient(ridge, []), ShapeMismatchError, 'lambda');
      expectTypedError(() => method.hypergradient(ridge, [NaN]), InvalidArgumentError, 'lambda[0]');
      expectTypedError(() => method.hypergradient(ridge, [Infinity]), InvalidArgumentError, 'lambda[0]');
    }
    expectTypedError(() => solveInner(ridge, [1, 2]), ShapeMismatchError, 'lambda');
  });

  test('σ ≤ 0 or non-finite, and σ of the wrong length', () => {
    for (const variant of ['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'] as const) {
      for (const bad of [0, -0.5, NaN, Infinity]) expectTypedError(() => hypernetwork(variant, { scale: [bad] }), InvalidArgumentError, 'scale[0]');
      expectTypedError(() => hypernetwork(variant, { scale: [0.5, -1] }), InvalidArgumentError, 'scale[1]');
      expectTypedError(() => hypernetwork(variant, { scale: [0.5, 0.5] }).hypergradient(ridge, [0]), ShapeMismatchError, 'scale');
    }
  });

  test('the linearized Δ-STN on a problem without outputStructure', () => {
    const q = quadraticProblem({ A: [[2]], B: [[1]], b: [0] });
    expect(q.outputStructure).toBeUndefined();
    expectTypedError(() => hypernetwork('delta-stn-linearized', { scale: [0.5] }).hypergradient(q, [0]), InvalidArgumentError, 'problem');
  });

  test('expectation rules, unrolling and Neumann options', () => {
    expectTypedError(() => hypernetwork('stn', { scale: [0.5], expectation: { kind: 'sampling', samples: 0, seed: 1 } }), InvalidArgumentError, 'expectation.samples');
    expectTypedError(() => hypernetwork('stn', { scale: [0.5], expectation: { kind: 'sampling', samples: 2.5, seed: 1 } }), InvalidArgumentError, 'expectation.samples');
    expectTypedError(() => perturbations([1, 1, 1, 1], { kind: 'quadrature', nodes: 20 }), InvalidArgumentError, 'expectation.nodes');
    for (const nodes of [0, 2.5, NaN, 500]) expectTypedError(() => hypernetwork('delta-stn', { scale: [0.5], expectation: { kind: 'quadrature', nodes } }), InvalidArgumentError, 'expectation.nodes');
    for (const seed of [NaN, 0.5, 2 ** 60]) expectTypedError(() => perturbations([0.5], { kind: 'sampling', samples: 10, seed }), InvalidArgumentError, 'expectation.seed');
    for (const steps of [0, -1, 2.5]) expectTypedError(() => unrolled({ steps, stepSize: 0.1 }), InvalidArgumentError, 'steps');
    for (const stepSize of [0, -0.1, NaN, Infinity]) expectTypedError(() => unrolled({ steps: 3, stepSize }), InvalidArgumentError, 'stepSize');
    // A step far beyond 2/λmax makes gradient descent overflow: reported, not returned as NaN.
    expectTypedError(() => unrolled({ steps: 2000, stepSize: 100 }).hypergradient(ridge, [0]), InvalidArgumentError, 'stepSize');
  });

  test('an inner problem without a minimiser is a NotPositiveDefiniteError naming trainHessian', () => {
    const concave: BilevelProblem = {
      ...quadraticProblem({ A: [[1]], B: [[1]], b: [0] }),
      trainLoss: (l, w) => -0.5 * w[0] * w[0] - l[0] * w[0],
      trainGrad: (l, w) => [-w[0] - l[0]],
      trainHessian: () => [[-1]],
    };
    expectTypedError(() => solveInner(concave, [1]), NotPositiveDefiniteError, 'trainHessian');
    expectTypedError(() => ift().hypergradient(concave, [1]), NotPositiveDefiniteError, 'trainHessian');
  });
});

describe('fitHypernetwork', () => {
  test('warm start from a previous fit returns the same fixed point', () => {
    const set = perturbations([0.5]);
    for (const variant of ['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'] as const) {
      const cold = fitHypernetwork(tanhProblem, [-1], variant, set);
      const warm = fitHypernetwork(tanhProblem, [-0.99], variant, set);
      const again = fitHypernetwork(tanhProblem, [-1], variant, set, warm);
      expect(relativeErrorVec(again.response.flat(), cold.response.flat())).toBeLessThanOrEqual(1e-10);
      expect(relativeErrorVec(again.general, cold.general)).toBeLessThanOrEqual(1e-10);
    }
  });
});
