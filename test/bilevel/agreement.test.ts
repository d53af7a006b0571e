/**
 * Where theory says the methods agree, and the spec's reference values (docs/math.md#pt-5, PT-6, PT-8 … PT-12, PT-15)
 * computed through the engine: exactness of every hypernetwork variant on quadratics for any σ (S1), unrolling →
 * IFT at the geometric rate max|1 − αλ_i(A)|, the O(σ²) approach of each variant to its σ → 0 limit (J*, or the
 * Gauss–Newton IFT Jacobian when linearized), and the printed tables at their printed precision.
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { perturbations, type ExpectationRule, type PerturbationSet } from '../../src/bilevel/expectation.js';
import { checkDerivatives } from '../../src/bilevel/derivatives.js';
import { logisticProblem, quadraticProblem, ridgeProblem, scalarToyProblem, type QuadraticData, type RegressionData } from '../../src/bilevel/families.js';
import { fitHypernetwork, hypernetwork, ift, solveInner, unrolled, type HypernetworkVariant } from '../../src/bilevel/methods.js';
import type { BilevelProblem } from '../../src/bilevel/problem.js';
import { conditionNumber, symmetricEigen, symmetricEigenvalues } from '../../src/linalg/dense.js';
import { toNumberMatrix } from '../../src/linalg/exact.js';
import { gaussianExpectation } from '../../src/linalg/gaussHermite.js';
import { Rng } from '../../src/rng.js';
import { dimsArb, sigmaArb, spdArb } from '../../src/theory/generators.js';
import { cubicToy, sinToy, tanhToy } from '../../src/theory/scalarToys.js';
import { EPS, FINITE_DIFFERENCE_REL_TOL, QUADRATURE_TOL, closedFormRelTol, relativeError } from '../../src/tolerance.js';
import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix';
import { SPEC_RIDGE_DATA } from '../../src/experiments/ridge.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers

const num = (lo: number, hi: number): fc.Arbitrary<number> => fc.integer({ min: Math.ceil(lo * 64), max: Math.floor(hi * 64) }).map((k) => k / 64);
const vecArb = (n: number, lo = -2, hi = 2): fc.Arbitrary<number[]> => fc.array(num(lo, hi), { minLength: n, maxLength: n });
const matArb = (r: number, c: number, lo = -2, hi = 2): fc.Arbitrary<number[][]> => fc.array(vecArb(c, lo, hi), { minLength: r, maxLength: r });
const maxAbs = (v: readonly number[]): number => Math.max(0, ...v.map(Math.abs));
const norm2 = (v: readonly number[]): number => Math.hypot(...v);
const column = (J: readonly (readonly number[])[], k: number): number[] => J.map((row) => row[k]);
const ALL_VARIANTS: HypernetworkVariant[] = ['stn', 'centered-stn', 'delta-stn', 'delta-stn-linearized'];

/**
 * `actual` equals the printed table value `printed` at the printed precision: within half a unit of its last
 * digit (e.g. '0.6447300498' → 5e-11, '1.1300049758e-5' → 5e-16), or within `floor` where the quantity is a
 * difference that float64 (ours and the reference's) cannot resolve to that digit.
 */
function expectPrinted(actual: number, printed: string, label = '', floor = 0): void {
  const [mantissa, exponent = '0'] = printed.replace('−', '-').split('e');
  const decimals = (mantissa.split('.')[1] ?? '').length;
  const halfUnit = 0.5 * 10 ** (Number(exponent) - decimals);
  expect(Math.abs(actual - Number(printed.replace('−', '-'))), `${label}: ${actual} vs printed ${printed}`).toBeLessThanOrEqual(Math.max(halfUnit, floor));
}

/**
 * The S1 quadratic L_T = ½wᵀAw − wᵀ(b + Bλ) + c(λ) written in least-squares form so that it also has the
 * Gauss–Newton structure the linearized Δ-STN needs: with A = LLᵀ (Cholesky),
 * L_T = ½‖Lᵀw − L⁻¹(b + Bλ)‖², i.e. c(λ) = ½‖L⁻¹(b + Bλ)‖² (docs/math.md#s2-4 S1 allows any c(λ)). Outputs
 * f = Lᵀw − L⁻¹(b + Bλ), ℓ = ½‖f‖², R = 0.
 */
function leastSquaresQuadratic(data: QuadraticData): BilevelProblem {
  const base = quadraticProblem(data);
  const m = base.weightDim;
  const L = new CholeskyDecomposition(new Matrix(data.A)).lowerTriangularMatrix;
  const Linv = inverse(L);
  const Ainv = inverse(new Matrix(data.A));
  const rhs = (l: readonly number[]): number[] => data.b.map((bi, i) => bi + data.B[i].reduce((s, x, k) => s + x * l[k], 0));
  const s = (l: readonly number[]): number[] => Linv.mmul(Matrix.columnVector(rhs(l))).getColumn(0);
  const Lt = L.transpose().to2DArray();
  const outputs = (l: readonly number[], w: readonly number[]): number[] => {
    const sl = s(l);
    return Lt.map((row, i) => row.reduce((a, x, j) => a + x * w[j], 0) - sl[i]);
  };
  const c = (l: readonly number[]): number => 0.5 * s(l).reduce((a, x) => a + x * x, 0);
  return {
    ...base,
    name: 'quadratic (least-squares form)',
    trainLoss: (l, w) => base.trainLoss(l, w) + c(l),
    trainGradHyper: (l, w) => {
      const ar = Ainv.mmul(Matrix.columnVector(rhs(l))).getColumn(0);
      return base.trainGradHyper(l, w).map((g, k) => g + data.B.reduce((a, row, i) => a + row[k] * ar[i], 0));
    },
    outputStructure: {
      outputs,
      outputJacobian: () => Lt.map((row) => [...row]),
      loss: (f) => 0.5 * f.reduce((a, x) => a + x * x, 0),
      lossGrad: (f) => [...f],
      lossHessian: (f) => f.map((_, i) => f.map((__, j) => (i === j ? 1 : 0))),
      regularizer: () => 0,
      regularizerGrad: () => new Array<number>(m).fill(0),
      regularizerHessian: () => Array.from({ length: m }, () => new Array<number>(m).fill(0)),
    },
  };
}

/** κ of the symmetric positive definite `a` after Jacobi (diagonal) scaling: what governs Cholesky's accuracy. */
function scaledCondition(a: number[][]): number {
  const d = a.map((row, i) => 1 / Math.sqrt(row[i]));
  return conditionNumber(a.map((row, i) => row.map((x, j) => d[i] * x * d[j])));
}

/** Second moments M̂ = Σ_p w_p a_p a_pᵀ of a perturbation set, a_p = (1, λ̃_p) (joint fits) or ε_p (Δ-STN). */
function secondMoment(set: PerturbationSet, lambda: readonly number[], variant: HypernetworkVariant): number[][] {
  const a = (eps: number[]): number[] => (variant === 'stn' ? [1, ...lambda.map((l, k) => l + eps[k])] : variant === 'centered-stn' ? [1, ...eps] : eps);
  const d = a(set.points[0]).length;
  const M = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  set.points.forEach((eps, p) => {
    const v = a(eps);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M[i][j] += set.weights[p] * v[i] * v[j];
  });
  return M;
}

/** Gauss–Newton IFT Jacobian −(JᵀH_ℓJ + ∇²R)⁻¹ ∂²L_T/∂w∂λ at (λ, w*) (docs/math.md#s4-3 item 2), from the outputStructure. */
function gaussNewtonIft(p: BilevelProblem, lambda: readonly number[]): number[][] {
  const s = p.outputStructure;
  if (!s) throw new Error('no output structure');
  const w = solveInner(p, lambda);
  const J = new Matrix(s.outputJacobian(lambda, w));
  const G = J.transpose().mmul(new Matrix(s.lossHessian(s.outputs(lambda, w)))).mmul(J).add(new Matrix(s.regularizerHessian(lambda, w)));
  return inverse(G).mmul(new Matrix(p.trainMixed(lambda, w))).mul(-1).to2DArray();
}

const PT6: RegressionData = SPEC_RIDGE_DATA;
const ridge = ridgeProblem(PT6);
const PT11_X = [0.5, 1, 1.5, -0.7];
const PT11_Y = [0.3, 0.9, 0.8, -0.2];
const tanhPT11 = scalarToyProblem(tanhToy(PT11_X, PT11_Y));
const fit = (variant: HypernetworkVariant, p: BilevelProblem, lambda: number[], sigma: number, expectation?: ExpectationRule) =>
  hypernetwork(variant, { scale: lambda.map(() => sigma), expectation }).hypergradient(p, lambda);

// ---------------------------------------------------------------------------------------------------------

describe('PT-5 / S1: on quadratics every hypernetwork variant is exact, for any σ and any expectation rule', () => {
  const caseArb = dimsArb
    .filter(({ m }) => m <= 3)
    .chain(({ h, m }) =>
      fc.record({
        A: spdArb(m, 1e3).map(toNumberMatrix),
        B: matArb(m, h),
        b: vecArb(m),
        C: spdArb(m, 1e2).map(toNumberMatrix),
        target: vecArb(m),
        lambda: vecArb(h, -10, 10),
        scale: sigmaArb(h).map((s) => s.map((x) => Number(x.valueOf()))),
        rule: fc.oneof(
          fc.constantFrom(2, 3, h <= 2 ? 20 : 4).map((nodes): ExpectationRule => ({ kind: 'quadrature', nodes })),
          fc.record({ samples: fc.integer({ min: h + 2, max: 30 }), seed: fc.integer({ min: 0, max: 1e6 }) }).map((r): ExpectationRule => ({ kind: 'sampling', ...r })),
        ),
      }),
    );

  test.prop([caseArb], { numRuns: 40 })('Θ = A⁻¹B = J*, ŵ(λ0) = w*(λ0) and the IFT hypergradient (tolerance closedFormRelTol(κ))', (c) => {
    const p = leastSquaresQuadratic({ A: c.A, B: c.B, b: c.b, C: c.C, target: c.target });
    const exact = ift().hypergradient(p, c.lambda);
    const Jstar = exact.responseJacobian ?? [];
    const set = perturbations(c.scale, c.rule);
    const kappaA = conditionNumber(c.A);
    for (const variant of ALL_VARIANTS) {
      const r = hypernetwork(variant, { scale: c.scale, expectation: c.rule }).hypergradient(p, c.lambda);
      // κ of the fit's Hessian M̂ ⊗ A after diagonal scaling (docs/math.md#s4-1: κ(M ⊗ G) = κ(M)κ(G)); for a sampled
      // rule M̂ is the sample's second moment, and may be far worse conditioned than the population one.
      const kappa = kappaA * scaledCondition(secondMoment(set, c.lambda, variant));
      const tol = closedFormRelTol(kappa);
      const theta = r.response ?? [];
      // A normwise bound: the fit solves for ψ = (w0, vec Θ) together (or Θ given w0 = w*), so each part's error
      // is relative to ‖ψ*‖, not to its own size (J* = 0 when B = 0, yet Θ carries w0's rounding).
      const intercept = variant === 'stn' ? exact.weights.map((x, i) => x - Jstar[i].reduce((a, t, k) => a + t * c.lambda[k], 0)) : exact.weights;
      const psiNorm = norm2([...intercept, ...Jstar.flat()]);
      const err = norm2(theta.flat().map((x, i) => x - Jstar.flat()[i]));
      expect(err, `${variant}: Θ`).toBeLessThanOrEqual(tol * psiNorm);
      expect(norm2(r.weights.map((x, i) => x - exact.weights[i])), `${variant}: ŵ(λ0)`).toBeLessThanOrEqual(tol * (psiNorm + norm2(Jstar.flat()) * norm2(c.lambda)));
      // Θᵀg(ŵ) − J*ᵀg(w*) = (Θ − J*)ᵀg + Θᵀ C (ŵ − w*): bounded by tol·(‖ψ‖-scale)·(‖g‖ + ‖C‖‖Θ‖).
      const g = p.valGrad(c.lambda, exact.weights);
      const scale = c.lambda.map((_, k) => Jstar.reduce((a, row, i) => a + Math.abs(row[k] * g[i]), 0) + (psiNorm + norm2(Jstar.flat()) * norm2(c.lambda)) * (norm2(g) + maxAbs(c.C.flat()) * psiNorm));
      r.hypergradient.forEach((x, k) => expect(Math.abs(x - exact.hypergradient[k]), `${variant}: hypergradient[${k}]`).toBeLessThanOrEqual(tol * scale[k]));
    }
  });

  test('the least-squares form of the quadratic is a consistent BilevelProblem (checkDerivatives)', () => {
    const p = leastSquaresQuadratic({ A: [[2, 0.5], [0.5, 1]], B: [[1, -1], [0.5, 2]], b: [1, 0] });
    for (const chk of checkDerivatives(p, [0.3, -0.2], [0.4, 1.1])) expect(chk.error, chk.name).toBeLessThanOrEqual(FINITE_DIFFERENCE_REL_TOL);
  });
});

describe('IFT = unrolled as K → ∞ on quadratics, at the rate ρ = max|1 − αλ_i(A)|', () => {
  const caseArb = fc.integer({ min: 1, max: 3 }).chain((m) =>
    fc.record({
      A: spdArb(m, 50).map(toNumberMatrix),
      B: matArb(m, 1),
      b: vecArb(m),
      target: vecArb(m),
      lambda: num(-3, 3),
      factor: fc.constantFrom(0.5, 1, 1.5),
      steps: fc.integer({ min: 1, max: 300 }),
    }),
  );

  test.prop([caseArb], { numRuns: 40 })('‖J_K − J*‖₂ ≤ ρ^K‖J*‖₂ and |hg_K − hg*| ≤ ρ^K(‖CJ*‖‖w0 − w*‖ + ‖J*‖‖C(w* − t)‖) + ρ^{2K}‖J*‖‖C‖‖w0 − w*‖', (c) => {
    const p = quadraticProblem({ A: c.A, B: c.B, b: c.b, target: c.target });
    const ev = symmetricEigenvalues(c.A);
    const alpha = c.factor / ev[ev.length - 1];
    const rho = Math.max(...ev.map((e) => Math.abs(1 - alpha * e)));
    const exact = ift().hypergradient(p, [c.lambda]);
    const r = unrolled({ steps: c.steps, stepSize: alpha }).hypergradient(p, [c.lambda]);
    const J = column(exact.responseJacobian ?? [], 0);
    const JK = column(r.responseJacobian ?? [], 0);
    const round = closedFormRelTol(ev[ev.length - 1] / ev[0]);
    const nJ = norm2(J);
    expect(norm2(JK.map((x, i) => x - J[i]))).toBeLessThanOrEqual(rho ** c.steps * nJ + round * nJ);
    // C = I here, and w0 = 0.
    const dw = norm2(exact.weights);
    const gStar = norm2(exact.weights.map((x, i) => x - c.target[i]));
    const bound = rho ** c.steps * (nJ * dw + nJ * gStar) + rho ** (2 * c.steps) * nJ * dw;
    expect(Math.abs(r.hypergradient[0] - exact.hypergradient[0])).toBeLessThanOrEqual(bound + round * nJ * (gStar + dw));
  });

  test('the error ratio e(K+1)/e(K) tends to ρ exactly (A with eigenvalues 1, 3, 10, α = 1/10: ρ = 0.9, next 0.7)', () => {
    // A = Q diag(1, 3, 10) Qᵀ with Q a rotation; B, b, target generic so that every mode is excited.
    const Q = symmetricEigen([[2, 1, 0.5], [1, 3, -1], [0.5, -1, 1]], { vectors: true }).vectors as Matrix;
    const A = Q.mmul(Matrix.diag([1, 3, 10])).mmul(Q.transpose()).to2DArray();
    const Asym = A.map((row, i) => row.map((x, j) => 0.5 * (x + A[j][i])));
    const p = quadraticProblem({ A: Asym, B: [[1], [-0.5], [2]], b: [0.3, 1, -1], target: [1, 0.5, -0.25] });
    const exact = ift().hypergradient(p, [0.4]);
    const err = (K: number): number => Math.abs(unrolled({ steps: K, stepSize: 0.1 }).hypergradient(p, [0.4]).hypergradient[0] - exact.hypergradient[0]);
    const jerr = (K: number): number => norm2(column(unrolled({ steps: K, stepSize: 0.1 }).hypergradient(p, [0.4]).responseJacobian ?? [], 0).map((x, i) => x - (exact.responseJacobian ?? [])[i][0]));
    for (const K of [120, 160]) {
      // (0.7/0.9)^120 ≈ 1e-13: the next mode no longer shows; e(K) ≈ 3e-6·scale is far above rounding.
      expect(Math.abs(err(K + 1) / err(K) - 0.9)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(jerr(K + 1) / jerr(K) - 0.9)).toBeLessThanOrEqual(1e-6);
    }
    // Over 100 steps the error shrinks by ρ^100 = 0.9^100: exactly for J (J_K − J* = −(I − αA)^K J*, the 0.7 mode
    // is (0.7/0.9)^100 ≈ 1e-11 behind), and for the hypergradient up to its ρ^{2K} cross term, relative ρ^100 ≈ 3e-5.
    expect(relativeError(jerr(200) / jerr(100), 0.9 ** 100)).toBeLessThanOrEqual(1e-6);
    expect(relativeError(err(200) / err(100), 0.9 ** 100)).toBeLessThanOrEqual(4 * 0.9 ** 100);
  });
});

describe('as σ → 0 each variant tends to its limit with O(σ²) error: e(σ)/e(σ/2) ∈ [3, 5]', () => {
  const cases: { name: string; problem: BilevelProblem; lambda: number[] }[] = [
    { name: 'ridge (PT-6 data)', problem: ridge, lambda: [0] },
    { name: 'sin toy', problem: scalarToyProblem(sinToy(), 0.2), lambda: [0.7] },
    { name: 'tanh toy (PT-11)', problem: tanhPT11, lambda: [-1] },
    { name: 'tanh toy, λ in output, with weight decay', problem: scalarToyProblem(tanhToy(PT11_X, PT11_Y, { lambdaInOutput: true })), lambda: [0.2] },
    { name: 'cubic toy (PT-10)', problem: scalarToyProblem(cubicToy(), 0.5), lambda: [2] },
    {
      name: 'logistic regression',
      problem: logisticProblem({ Xtrain: [[1, 0.5], [-0.3, 1], [0.8, -1.2], [0.1, 0.4]], ytrain: [1, -1, 1, 1], Xval: [[0.5, 0.5], [1, -1]], yval: [1, -1] }),
      lambda: [-0.5],
    },
  ];
  const sigma = 0.08;
  for (const c of cases) {
    const Jstar = ift().hypergradient(c.problem, c.lambda);
    const Jgn = gaussNewtonIft(c.problem, c.lambda);
    for (const variant of ALL_VARIANTS) {
      test(`${variant} on ${c.name} → ${variant === 'delta-stn-linearized' ? 'GN-IFT' : 'J*'}`, () => {
        const limit = variant === 'delta-stn-linearized' ? Jgn : (Jstar.responseJacobian ?? []);
        const e = (s: number): number => norm2((fit(variant, c.problem, c.lambda, s).response ?? []).flat().map((x, i) => x - limit.flat()[i]));
        const e1 = e(sigma);
        const e2 = e(sigma / 2);
        if (variant === 'delta-stn-linearized' && c.name.startsWith('cubic')) {
          // Prop. L.3: exact for every σ (quadratic ℓ, f0 affine in ε, J_w f free of ε, R ≡ 0).
          expect(Math.max(e1, e2)).toBeLessThanOrEqual(closedFormRelTol(10) * maxAbs(limit.flat()));
          return;
        }
        expect(e1, 'the O(σ²) term is not degenerate').toBeGreaterThan(1e-6 * maxAbs(limit.flat()));
        expect(e1 / e2).toBeGreaterThanOrEqual(3);
        expect(e1 / e2).toBeLessThanOrEqual(5);
        // The hypergradient inherits the O(σ²) rate (towards GN-IFT's hypergradient when linearized).
        const hgLimit = (r: { weights: number[] }, J: number[][]): number => {
          const g = c.problem.valGrad(c.lambda, r.weights);
          return J.reduce((a, row, i) => a + row[0] * g[i], 0) + c.problem.valGradHyper(c.lambda, r.weights)[0];
        };
        const target = hgLimit(Jstar, limit);
        const h1 = Math.abs(fit(variant, c.problem, c.lambda, sigma).hypergradient[0] - target);
        const h2 = Math.abs(fit(variant, c.problem, c.lambda, sigma / 2).hypergradient[0] - target);
        expect(h1 / h2).toBeGreaterThanOrEqual(3);
        expect(h1 / h2).toBeLessThanOrEqual(5);
      });
    }
  }
});

describe('PT-6: STN bias vs Δ-STN unbiasedness (ridge, λ0 = 0, σ = 0.5)', () => {
  test('A, b, w*(0), J*', () => {
    const w = solveInner(ridge, [0]);
    const H = ridge.trainHessian([0], w);
    ['0.6666666667', '0.3333333333', '0.3333333333', '1.6666666667'].forEach((v, i) => expectPrinted(H[i >> 1][i & 1] - (i === 0 || i === 3 ? 1 : 0), v, 'A'));
    const b = ridge.trainGrad([0], [0, 0]).map((x) => -x);
    expectPrinted(b[0], '1.3333333333', 'b');
    expectPrinted(b[1], '2.3333333333', 'b');
    expectPrinted(w[0], '0.6410256410', 'w*');
    expectPrinted(w[1], '0.7948717949', 'w*');
    const J = ift().hypergradient(ridge, [0]).responseJacobian ?? [];
    expectPrinted(J[0][0], '−0.3333333333', 'J*');
    expectPrinted(J[1][0], '−0.2564102564', 'J*');
  });

  test('STN joint (both parameterizations): ŵ(λ0) = (0.6447300498, 0.7823306705), θ = (−0.3100686351, −0.2540105771)', () => {
    for (const variant of ['stn', 'centered-stn'] as const) {
      const r = fit(variant, ridge, [0], 0.5);
      expectPrinted(r.weights[0], '0.6447300498', variant);
      expectPrinted(r.weights[1], '0.7823306705', variant);
      expectPrinted((r.response ?? [])[0][0], '−0.3100686351', variant);
      expectPrinted((r.response ?? [])[1][0], '−0.2540105771', variant);
    }
  });

  test('Δ-STN: w0 = w*(0) exactly, θ = (−0.3072675106, −0.2589227281); the linearized Δ-STN agrees (f is linear in w)', () => {
    const wstar = solveInner(ridge, [0]);
    for (const variant of ['delta-stn', 'delta-stn-linearized'] as const) {
      const r = fit(variant, ridge, [0], 0.5);
      expect(r.general).toEqual(wstar);
      expectPrinted((r.response ?? [])[0][0], '−0.3072675106', variant);
      expectPrinted((r.response ?? [])[1][0], '−0.2589227281', variant);
    }
  });

  test('‖θ_Δ − J*‖ against σ (O(σ²))', () => {
    const J = ift().hypergradient(ridge, [0]).responseJacobian ?? [];
    const table: [number, string][] = [
      [0.01, '1.1300049758e-5'],
      [0.1, '1.1264000129e-3'],
      [0.3, '9.8849118663e-3'],
      [1.0, '8.7987127607e-2'],
    ];
    for (const [s, v] of table) {
      const theta = fit('delta-stn', ridge, [0], s).response ?? [];
      // θ − J* is a difference of O(‖J*‖) numbers, each known to a few dozen ulps: 1.1300049758e-5 prints 16
      // digits below ‖J*‖ ≈ 0.4, so its last digit needs the floor 64ε‖J*‖ ≈ 6e-15.
      expectPrinted(norm2(theta.map((row, i) => row[0] - J[i][0])), v, `σ = ${s}`, 64 * EPS * norm2(column(J, 0)));
    }
  });
});

describe('PT-8: hypergradients on the ridge problem (Xval = [[2, 1], [1, −1]], yval = (2, 0.5))', () => {
  const table: [number, string, string][] = [
    [0.01, '−0.0103585000', '−0.0103567420'],
    [0.1, '−0.0106999689', '−0.0105244126'],
    [0.5, '−0.0177895038', '−0.0135065472'],
    [1.0, '−0.0289808533', '−0.0114888590'],
  ];

  test('the true hypergradient −0.0103550296 (IFT) equals J*ᵀ∇L_V', () => {
    const r = ift().hypergradient(ridge, [0]);
    expectPrinted(r.hypergradient[0], '−0.0103550296', 'IFT');
    for (const method of [ift({ solver: 'cg' }), ift({ solver: 'neumann', terms: 200 }), unrolled({ steps: 400, stepSize: 0.3 })]) expectPrinted(method.hypergradient(ridge, [0]).hypergradient[0], '−0.0103550296', method.name);
  });

  for (const [s, delta, stn] of table) {
    test(`σ = ${s}: Δ-STN ${delta}, STN ${stn}`, () => {
      expectPrinted(fit('delta-stn', ridge, [0], s).hypergradient[0], delta, 'delta-stn');
      expectPrinted(fit('delta-stn-linearized', ridge, [0], s).hypergradient[0], delta, 'delta-stn-linearized');
      expectPrinted(fit('stn', ridge, [0], s).hypergradient[0], stn, 'stn');
      expectPrinted(fit('centered-stn', ridge, [0], s).hypergradient[0], stn, 'centered-stn');
    });
  }

  test('both converge to the truth as σ → 0 (no ordering between them is asserted: docs/math.md#s4-3 caveat 5)', () => {
    const truth = ift().hypergradient(ridge, [0]).hypergradient[0];
    for (const variant of ['delta-stn', 'stn'] as const) {
      const errors = [0.5, 0.1, 0.01].map((s) => Math.abs(fit(variant, ridge, [0], s).hypergradient[0] - truth));
      expect(errors[1]).toBeLessThan(errors[0]);
      expect(errors[2]).toBeLessThan(errors[1]);
    }
  });
});

describe('PT-9: the sin toy (λ0 = 0.7, σ = 0.5)', () => {
  const p = scalarToyProblem(sinToy());
  test('STN ŵ(λ0) = 0.5685201136, Δ-STN w0 = 0.6442176872, θ (both) = 0.6749708612, J* = 0.7648421873', () => {
    for (const variant of ['stn', 'centered-stn'] as const) {
      const r = fit(variant, p, [0.7], 0.5);
      expectPrinted(r.weights[0], '0.5685201136', variant);
      expectPrinted((r.response ?? [])[0][0], '0.6749708612', variant);
    }
    const d = fit('delta-stn', p, [0.7], 0.5);
    expectPrinted((d.general ?? [])[0], '0.6442176872', 'delta-stn');
    expectPrinted((d.response ?? [])[0][0], '0.6749708612', 'delta-stn');
    expectPrinted((ift().hypergradient(p, [0.7]).responseJacobian ?? [])[0][0], '0.7648421873', 'IFT');
  });

  test('Stein closed forms (docs/math.md#s4-2): STN (sin λ0, cos λ0)·e^{−σ²/2}, Δ-STN θ = cos λ0·e^{−σ²/2}, to QUADRATURE_TOL', () => {
    for (const s of [0.05, 0.5, 1]) {
      const shrink = Math.exp((-s * s) / 2);
      const stn = fit('stn', p, [0.7], s);
      expect(Math.abs(stn.weights[0] - Math.sin(0.7) * shrink)).toBeLessThanOrEqual(QUADRATURE_TOL);
      expect(Math.abs((stn.response ?? [])[0][0] - Math.cos(0.7) * shrink)).toBeLessThanOrEqual(QUADRATURE_TOL);
      expect(Math.abs((fit('delta-stn', p, [0.7], s).response ?? [])[0][0] - Math.cos(0.7) * shrink)).toBeLessThanOrEqual(QUADRATURE_TOL);
    }
  });
});

describe('PT-10: the cubic toy (g(w) = w³ + w, λ0 = 2, w* = 1, J* = 0.25)', () => {
  const p = scalarToyProblem(cubicToy());
  const table: [number, string, string, string][] = [
    [0.1, '0.249361', '0.999533', '0.249708'],
    [0.3, '0.244612', '0.995940', '0.247425'],
    [0.5, '0.236627', '0.989432', '0.243131'],
    [1.0, '0.212808', '0.967400', '0.226814'],
  ];
  for (const [s, nonlin, w0, theta] of table) {
    test(`σ = ${s}: linearized 0.25 exactly, non-linearized ${nonlin}, STN (${w0}, ${theta})`, () => {
      expect(relativeError((fit('delta-stn-linearized', p, [2], s).response ?? [])[0][0], 0.25)).toBeLessThanOrEqual(closedFormRelTol(10));
      expectPrinted((fit('delta-stn', p, [2], s).response ?? [])[0][0], nonlin, 'delta-stn');
      for (const variant of ['stn', 'centered-stn'] as const) {
        const r = fit(variant, p, [2], s);
        expectPrinted(r.weights[0], w0, variant);
        expectPrinted((r.response ?? [])[0][0], theta, variant);
      }
    });
  }
});

describe('PT-11: the tanh toy, linearized limit = GN-IFT (x = (0.5, 1, 1.5, −0.7), y = (0.3, 0.9, 0.8, −0.2), λ0 = −1)', () => {
  test('w* = 0.4297962827, J* = −0.1386407161, GN-IFT = −0.1646880947', () => {
    const r = ift().hypergradient(tanhPT11, [-1]);
    expectPrinted(r.weights[0], '0.4297962827', 'w*');
    expectPrinted((r.responseJacobian ?? [])[0][0], '−0.1386407161', 'J*');
    expectPrinted(gaussNewtonIft(tanhPT11, [-1])[0][0], '−0.1646880947', 'GN-IFT');
  });

  const table: [number, string, string][] = [
    [0.01, '−0.16468686', '−0.13864094'],
    [0.1, '−0.16456379', '−0.13866231'],
    [0.5, '−0.16093577', '−0.13855477'],
  ];
  for (const [s, lin, nonlin] of table) {
    test(`σ = ${s}: linearized ${lin} (= closed form L.4 to QUADRATURE_TOL), non-linearized ${nonlin}`, () => {
      const theta = (fit('delta-stn-linearized', tanhPT11, [-1], s).response ?? [])[0][0];
      expectPrinted(theta, lin, 'linearized');
      expectPrinted((fit('delta-stn', tanhPT11, [-1], s).response ?? [])[0][0], nonlin, 'non-linearized');
      // Prop. L.4: θ_lin(σ) = −c·w0 / (G_w + (1 + σ²)c), c = e^{λ0 + σ²/2}, G_w = mean (x_i sech²(w0 x_i))².
      const w0 = solveInner(tanhPT11, [-1])[0];
      const G = PT11_X.reduce((a, x) => a + (x * (1 - Math.tanh(w0 * x) ** 2)) ** 2, 0) / PT11_X.length;
      const c = gaussianExpectation((e) => Math.exp(-1 + e), 0, s);
      expect(Math.abs(theta - (-c * w0) / (G + (1 + s * s) * c))).toBeLessThanOrEqual(QUADRATURE_TOL);
    });
  }

  test('docs/math.md#s4-3 item 3 counterexample (f = tanh(wx) − λx, R ≡ 0, λ0 = 0.2): linearized θ = 2.33576351 for every σ, J* = 1.75565838', () => {
    const p = scalarToyProblem(tanhToy(PT11_X, PT11_Y, { lambdaInOutput: true, weightDecay: false }));
    expectPrinted((ift().hypergradient(p, [0.2]).responseJacobian ?? [])[0][0], '1.75565838', 'J*');
    for (const s of [0.01, 0.5, 1]) expectPrinted((fit('delta-stn-linearized', p, [0.2], s).response ?? [])[0][0], '2.33576351', `σ = ${s}`);
  });
});

describe('PT-12: the Δ-STN general part has no ε in it', () => {
  const problems = [ridge, scalarToyProblem(sinToy()), tanhPT11, scalarToyProblem(cubicToy())];
  const ruleArb: fc.Arbitrary<ExpectationRule> = fc.oneof(
    fc.integer({ min: 1, max: 40 }).map((nodes): ExpectationRule => ({ kind: 'quadrature', nodes })),
    fc.record({ samples: fc.integer({ min: 1, max: 60 }), seed: fc.integer() }).map((r): ExpectationRule => ({ kind: 'sampling', ...r })),
  );
  test.prop([fc.integer({ min: 0, max: problems.length - 1 }), num(-1.5, 1.5), num(0.125, 2), ruleArb], { numRuns: 60 })(
    'delta-stn and delta-stn-linearized fits have w0 = solveInner(λ) bitwise, for any rule and seed',
    (i, lambda, sigma, rule) => {
      const p = problems[i];
      const l = [i === 3 ? lambda + 2 : lambda];
      const wstar = solveInner(p, l);
      for (const variant of ['delta-stn', 'delta-stn-linearized'] as const) {
        const general = fitHypernetwork(p, l, variant, perturbations([sigma], rule)).general;
        general.forEach((x, k) => expect(Object.is(x, wstar[k])).toBe(true));
      }
    },
  );

  test('by contrast the STN general gradient E-sample ∇_wL_T(λ+ε, w0 + θε) varies over 100 draws (sin toy)', () => {
    const p = scalarToyProblem(sinToy());
    const { general, response } = fitHypernetwork(p, [0.7], 'centered-stn', perturbations([0.5]));
    const rng = new Rng(2020);
    const draws = Array.from({ length: 100 }, () => {
      const eps = 0.5 * rng.normal();
      return p.trainGrad([0.7 + eps], [general[0] + response[0][0] * eps])[0];
    });
    const mean = draws.reduce((a, x) => a + x, 0) / draws.length;
    const variance = draws.reduce((a, x) => a + (x - mean) ** 2, 0) / (draws.length - 1);
    expect(variance).toBeGreaterThan(1e-6);
    // The Δ-STN general gradient ∇_wL_T(λ0, w0) takes no ε: the same number every draw, and 0 at w0 = w*.
    const d = fitHypernetwork(p, [0.7], 'delta-stn', perturbations([0.5], { kind: 'sampling', samples: 100, seed: 5 }));
    expect(Math.abs(p.trainGrad([0.7], d.general)[0])).toBeLessThanOrEqual(1e-13);
  });
});

describe('PT-15: fixed points of λ ← λ − 0.5·hypergradient(λ) on the ridge problem, exact expectations, from λ = 0', () => {
  /** Iterates to |Δλ| ≤ 1e-14 (the map contracts by ≈ 1 − 0.5·d²L_V/dλ², so a few hundred steps). */
  function fixedPoint(hypergradient: (l: number) => number): number {
    let lambda = 0;
    for (let it = 0; it < 5000; it++) {
      const next = lambda - 0.5 * hypergradient(lambda);
      if (Math.abs(next - lambda) <= 1e-14) return next;
      lambda = next;
    }
    throw new Error('no convergence');
  }
  const lambdaStar = fixedPoint((l) => ift().hypergradient(ridge, [l]).hypergradient[0]);

  test('λ* = 0.0272721579 (root of the IFT hypergradient), L_V(λ*) = 0.1082167376', () => {
    expectPrinted(lambdaStar, '0.0272721579', 'λ*');
    expectPrinted(ift().hypergradient(ridge, [lambdaStar]).valLoss, '0.1082167376', 'L_V');
  });

  const table: [number, string, string][] = [
    [0.05, '0.0275157108', '0.0274110537'],
    [0.5, '0.0494346134', '0.0390793406'],
    [1, '0.0936022329', '0.0428095176'],
  ];
  for (const [s, delta, stn] of table) {
    test(`σ = ${s}: Δ-STN ${delta}, STN ${stn}`, () => {
      const d = fixedPoint((l) => fit('delta-stn', ridge, [l], s).hypergradient[0]);
      expectPrinted(d, delta, 'delta-stn');
      if (s === 0.05) expect(Math.abs(d - lambdaStar)).toBeLessThanOrEqual(1e-3);
      // STN's w0 is the centred intercept ŵ(λ): both parameterizations fit the same affine function.
      for (const variant of ['stn', 'centered-stn'] as const) expectPrinted(fixedPoint((l) => fit(variant, ridge, [l], s).hypergradient[0]), stn, variant);
    });
  }
});
