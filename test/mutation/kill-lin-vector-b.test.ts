/**
 * Killing tests for src/theory/lin/vector.ts from `choleskyFactor` onwards (README, "Mutation testing"; the first half
 * of the file is pinned by kill-lin-vector.test.ts): the dense helpers (Cholesky factor, the L Lᵀ solve, −A⁻¹B), the
 * damped Newton minimiser `newtonMinimizeNd`, the best response w*(λ) with its two Jacobians J* and Θ_GN, the prepared
 * linearized objective F_lin(ψ), the linearized response Θ*_lin, the non-linearized response objective F(Θ) and the
 * Δ-STN response.
 *
 * Oracles: exact integer Cholesky factors (L with integer entries, so A = L Lᵀ and the solves are exact); Newton
 * iterations counted by hand on fgh callbacks whose Newton step is known in closed form (a quadratic: one step; the
 * quartic ¼(x − c)⁴: x − c shrinks by 2/3 a step; piecewise fgh tables that force each branch of the Armijo test,
 * the Levenberg shift and the two convergence rules); a Gaussian elimination written here for −A⁻¹B and for the
 * minimiser of the exact quadratic F_lin; brute-force quadrature sums over `forEachGaussianPoint` of `trainLossVec`
 * (for F) and `linearizedObjectiveVec` (for F_lin), both outside the mutated lines; stationarity of the responses
 * under those brute-force gradients. Every typed error is pinned by class, argument and exact message.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import { forEachGaussianPoint } from '../../src/linalg/gaussHermite.js';
import {
  bestResponseJacobianVec,
  bestResponseVec,
  choleskyFactor,
  deltaStnResponseVec,
  gaussNewtonIftJacobianVec,
  linearizedObjectiveVec,
  linearizedResponseVec,
  newtonMinimizeNd,
  preparedLinearizedObjectiveVec,
  responseObjectiveVec,
  tanhRegressionToy,
  trainLossVec,
  type ResidualJetVec,
  type SecondOrderVectorToy,
} from '../../src/theory/lin/vector.js';
import { expectThrows, thrown } from './throws.js';

type Fgh = [number, number[], number[][]];

/** Solves A x = b by Gaussian elimination with partial pivoting (the independent solver of these tests). */
function gaussSolve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const d = a.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < d; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= d; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = m[i][d];
    for (let k = i + 1; k < d; k++) s -= m[i][k] * x[k];
    x[i] = s / m[i][i];
  }
  return x;
}

/** −A⁻¹B column by column with {@link gaussSolve}. */
function negSolve(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  const h = b[0].length;
  const out = a.map(() => new Array<number>(h).fill(0));
  for (let k = 0; k < h; k++) {
    const x = gaussSolve(
      a,
      b.map((row) => row[k]),
    );
    x.forEach((v, i) => (out[i][k] = -v));
  }
  return out;
}

function expectMatrixClose(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[], tol: number): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((row, i) => {
    expect(actual[i]).toHaveLength(row.length);
    row.forEach((v, j) => {
      expect(Number.isFinite(actual[i][j])).toBe(true);
      expect(Math.abs(actual[i][j] - v)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(v)));
    });
  });
}

function expectVectorClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  expectMatrixClose([actual], [expected], tol);
}

/**
 * A second-order toy with residuals linear in w: r(λ, w) = A w + C λ − y (J = A, ∂_λr = C, ∂²r = 0), and optionally
 * R = ½Σ_j e^{λ_{j mod h}} w_j² (so ∇²_wR = diag e^{λ_{k(j)}} and ∇²_{wλ}R[j][k(j)] = e^{λ_{k(j)}}w_j).
 */
function linearToy(A: number[][], C: number[][], y: number[], decay: boolean): SecondOrderVectorToy {
  const n = A.length;
  const m = A[0].length;
  const h = C[0].length;
  const value = (lambda: readonly number[], w: readonly number[]): number[] => A.map((row, i) => row.reduce((s, v, j) => s + v * w[j], 0) + C[i].reduce((s, v, k) => s + v * lambda[k], 0) - y[i]);
  const e = (lambda: readonly number[]): number[] => Array.from({ length: m }, (_, j) => Math.exp(lambda[j % h]));
  return {
    weights: m,
    hypers: h,
    size: n,
    residuals: (lambda, w) => ({ value: value(lambda, w), jacobian: A.map((row) => [...row]) }),
    residualJet: (lambda, w): ResidualJetVec => ({
      value: value(lambda, w),
      jacobian: A.map((row) => [...row]),
      dl: C.map((row) => [...row]),
      dww: A.map(() => Array.from({ length: m }, () => new Array<number>(m).fill(0))),
      dwl: A.map(() => Array.from({ length: m }, () => new Array<number>(h).fill(0))),
    }),
    regularizer: decay
      ? (lambda, w) => {
          const d = e(lambda);
          return {
            value: 0.5 * w.reduce((s, v, j) => s + d[j] * v * v, 0),
            gradient: w.map((v, j) => d[j] * v),
            hessian: w.map((_, i) => w.map((__, j) => (i === j ? d[i] : 0))),
          };
        }
      : undefined,
    regularizerCross: decay ? (lambda, w) => w.map((v, j) => Array.from({ length: h }, (_, k) => (k === j % h ? e(lambda)[j] * v : 0))) : undefined,
  };
}

/** r_i = w_i² − 1 (n = m = 2, h = 2, R ≡ 0): a saddle at w = 0 (g = 0, ∇²_wL_T = −I), minima at w_i = ±1. */
function doubleWellToy(): SecondOrderVectorToy {
  const jet = (_lambda: readonly number[], w: readonly number[]): ResidualJetVec => ({
    value: [w[0] * w[0] - 1, w[1] * w[1] - 1],
    jacobian: [
      [2 * w[0], 0],
      [0, 2 * w[1]],
    ],
    dl: [
      [0, 0],
      [0, 0],
    ],
    dww: [
      [
        [2, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 2],
      ],
    ],
    dwl: [
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ],
  });
  return { weights: 2, hypers: 2, size: 2, residuals: (l, w) => jet(l, w), residualJet: jet };
}

/** r_i = e^{−w_i λ} (n = m = 2, h = 1, R ≡ 0): L_T decreases for ever along w when λ > 0 (no minimiser). */
function runawayToy(): SecondOrderVectorToy {
  const jet = (lambda: readonly number[], w: readonly number[]): ResidualJetVec => {
    const l = lambda[0];
    const r = w.map((v) => Math.exp(-v * l));
    return {
      value: r,
      jacobian: r.map((ri, i) => w.map((_, j) => (i === j ? -l * ri : 0))),
      dl: r.map((ri, i) => [-w[i] * ri]),
      dww: r.map((ri, i) => w.map((_, p) => w.map((__, q) => (p === i && q === i ? l * l * ri : 0)))),
      dwl: r.map((ri, i) => w.map((_, p) => [p === i ? (-1 + l * w[i]) * ri : 0])),
    };
  };
  return { weights: 2, hypers: 1, size: 2, residuals: (l, w) => jet(l, w), residualJet: jet };
}

/**
 * J_ij = A_ij + λ_j B_ij with A = [[1, 0], [0, 0]], B = I (r = J w − y; m = h = n = 2, R ≡ 0): G_w = JᵀJ/2 is singular
 * at λ = 0, but F_lin's Hessian E[(εεᵀ) ⊗ J(ε)ᵀJ(ε)/2] is positive definite for σ > 0.
 */
function bilinearToy(): SecondOrderVectorToy {
  const y = [0.5, -0.25];
  const jac = (lambda: readonly number[]): number[][] => [
    [1 + lambda[0], 0],
    [0, lambda[1]],
  ];
  const jet = (lambda: readonly number[], w: readonly number[]): ResidualJetVec => {
    const j = jac(lambda);
    return {
      value: [j[0][0] * w[0] - y[0], j[1][1] * w[1] - y[1]],
      jacobian: j,
      dl: [
        [w[0], 0],
        [0, w[1]],
      ],
      dww: [
        [
          [0, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ],
      dwl: [
        [
          [1, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 1],
        ],
      ],
    };
  };
  return { weights: 2, hypers: 2, size: 2, residuals: (l, w) => jet(l, w), residualJet: jet };
}

/** A toy with no weights (m = 0): every Jacobian is 0×h. */
function emptyToy(): SecondOrderVectorToy {
  const jet = (): ResidualJetVec => ({ value: [0.5], jacobian: [[]], dl: [[0]], dww: [[]], dwl: [[]] });
  return { weights: 0, hypers: 1, size: 1, residuals: () => ({ value: [0.5], jacobian: [[]] }), residualJet: jet };
}

/** The generic toy: tanh regression, m = 3, h = 2, n = 3, weight decay, λ inside tanh and a shift. */
function tanhToy(options: { weightDecay?: boolean } = {}): SecondOrderVectorToy {
  const X = [
    [0.7, -0.4, 0.3],
    [-0.2, 0.5, 0.9],
    [0.6, 0.8, -0.5],
  ];
  const y = [0.3, -0.6, 0.2];
  const shift = [
    [0.2, -0.1],
    [0.05, 0.3],
    [-0.25, 0.1],
  ];
  return tanhRegressionToy(X, y, 2, { scaleByHyper: true, shift, weightDecay: options.weightDecay ?? true });
}

const LAMBDA0 = [0.3, -0.4];
const W0 = [0.4, -0.3, 0.6];
const SIGMA = [0.35, 0.25];
const THETA = [
  [0.3, -0.2],
  [0.1, 0.4],
  [-0.5, 0.25],
];

const vec = (theta: readonly (readonly number[])[]): number[] => {
  const m = theta.length;
  const h = theta[0].length;
  const psi: number[] = [];
  for (let k = 0; k < h; k++) for (let a = 0; a < m; a++) psi.push(theta[a][k]);
  return psi;
};
const unvec = (psi: readonly number[], m: number, h: number): number[][] => Array.from({ length: m }, (_, a) => Array.from({ length: h }, (__, k) => psi[a + k * m]));

/** F(Θ) = E L_T(λ₀+ε, w₀+Θε), its ψ-gradient and Hessian, by a brute-force sum of `trainLossVec` over the rule. */
function refResponseObjective(toy: SecondOrderVectorToy, lambda0: number[], w0: number[], sigma: number[], theta: number[][], nodes: number): { value: number; gradient: number[]; hessian: number[][] } {
  const m = toy.weights;
  const h = toy.hypers;
  let value = 0;
  const gradient = new Array<number>(m * h).fill(0);
  const hessian = Array.from({ length: m * h }, () => new Array<number>(m * h).fill(0));
  forEachGaussianPoint(sigma, nodes, (eps, weight) => {
    const lam = lambda0.map((v, k) => v + eps[k]);
    const w = w0.map((v, a) => v + theta[a].reduce((s, t, k) => s + t * eps[k], 0));
    const t = trainLossVec(toy, lam, w);
    value += weight * t.value;
    for (let p = 0; p < m * h; p++) {
      const a = p % m;
      const k = Math.floor(p / m);
      gradient[p] += weight * eps[k] * t.gradient[a];
      for (let q = 0; q < m * h; q++) hessian[p][q] += weight * eps[k] * eps[Math.floor(q / m)] * t.hessian[a][q % m];
    }
  });
  return { value, gradient, hessian };
}

describe('choleskyFactor', () => {
  test('integer factors: A = L Lᵀ gives L back exactly (2×2 and 3×3), the upper triangle zero', () => {
    expect(
      choleskyFactor([
        [4, 2],
        [2, 2],
      ]),
    ).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(
      choleskyFactor([
        [4, 2, -2],
        [2, 2, 1],
        [-2, 1, 6],
      ]),
    ).toEqual([
      [2, 0, 0],
      [1, 1, 0],
      [-1, 2, 1],
    ]);
    expect(
      choleskyFactor([
        [9, 6, 3],
        [6, 20, 10],
        [3, 10, 30],
      ]),
    ).toEqual([
      [3, 0, 0],
      [2, 4, 0],
      [1, 2, 5],
    ]);
    expect(choleskyFactor([[2.25]])).toEqual([[1.5]]);
    expect(choleskyFactor([])).toEqual([]);
  });

  test('a non-symmetric input is read through its symmetric part ½(A + Aᵀ)', () => {
    expect(
      choleskyFactor([
        [4, 1],
        [3, 2],
      ]),
    ).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(
      choleskyFactor([
        [4, 3],
        [1, 2],
      ]),
    ).toEqual([
      [2, 0],
      [1, 1],
    ]);
  });

  test('not positive definite: null (negative, zero and NaN pivots, at the first or a later column)', () => {
    expect(choleskyFactor([[-1]])).toBeNull();
    expect(choleskyFactor([[0]])).toBeNull();
    expect(choleskyFactor([[NaN]])).toBeNull();
    // The second pivot is exactly 0 (2 − 1·1... = 2 − 2), then negative.
    expect(
      choleskyFactor([
        [4, 2],
        [2, 1],
      ]),
    ).toBeNull();
    expect(
      choleskyFactor([
        [4, 2],
        [2, 0.5],
      ]),
    ).toBeNull();
    expect(
      choleskyFactor([
        [4, 2, -2],
        [2, 2, 1],
        [-2, 1, 5],
      ]),
    ).toBeNull();
  });

  test('an infinite pivot: L has ∞ there and 0 below it (no 0·∞ = NaN from the not-yet-computed entries)', () => {
    expect(
      choleskyFactor([
        [Infinity, 0],
        [0, 4],
      ]),
    ).toEqual([
      [Infinity, 0],
      [0, 2],
    ]);
  });
});

describe('newtonMinimizeNd: exact steps', () => {
  /** ½xᵀAx − bᵀx with A = L Lᵀ, L = [[2,0,0],[1,1,0],[−1,2,1]], minimiser (1, −1, 2) reached exactly in one step. */
  const quad3 = (x: readonly number[]): Fgh => {
    const A = [
      [4, 2, -2],
      [2, 2, 1],
      [-2, 1, 6],
    ];
    const b = [-2, 2, 9];
    const ax = A.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
    return [0.5 * ax.reduce((s, v, i) => s + v * x[i], 0) - b.reduce((s, v, i) => s + v * x[i], 0), ax.map((v, i) => v - b[i]), A.map((row) => [...row])];
  };

  test('a quadratic: one exact Newton step, then ∇f = 0 ends it (iterations 1)', () => {
    expect(newtonMinimizeNd(quad3, [0, 0, 0])).toEqual({ x: [1, -1, 2], gradient: [0, 0, 0], iterations: 1, converged: true });
    expect(newtonMinimizeNd(quad3, [3, 1, -1])).toEqual({ x: [1, -1, 2], gradient: [0, 0, 0], iterations: 1, converged: true });
  });

  test('∇f = 0 at the start: x0 returned after 0 iterations; one zero component alone does not stop it', () => {
    expect(newtonMinimizeNd(quad3, [1, -1, 2])).toEqual({ x: [1, -1, 2], gradient: [0, 0, 0], iterations: 0, converged: true });
    // From x* + (1, −1, 0): ∇f = A(1, −1, 0) = (2, 0, −3), only the middle entry 0.
    const r = newtonMinimizeNd(quad3, [2, -2, 2]);
    expect(quad3([2, -2, 2])[1]).toEqual([2, 0, -3]);
    expect(r).toEqual({ x: [1, -1, 2], gradient: [0, 0, 0], iterations: 1, converged: true });
  });

  test('x0 is copied, not modified', () => {
    const x0 = [0, 0, 0];
    newtonMinimizeNd(quad3, x0);
    expect(x0).toEqual([0, 0, 0]);
  });

  test('an infinite curvature: the step is −0, x stays, converged by the step rule', () => {
    expect(newtonMinimizeNd(() => [0, [1], [[Infinity]]], [0.5])).toEqual({ x: [0.5], gradient: [1], iterations: 1, converged: true });
  });

  test('a zero step with a non-zero gradient: converged by stepTol (default 1e-15; stepTol 0 needs stepNorm ≤ 0)', () => {
    // g/H = 1e-300/1e300 underflows to 0: the step is exactly 0.
    const flat = (): Fgh => [0, [1e-300], [[1e300]]];
    expect(newtonMinimizeNd(flat, [2])).toEqual({ x: [2], gradient: [1e-300], iterations: 1, converged: true });
    expect(newtonMinimizeNd(flat, [2], { stepTol: 0 })).toEqual({ x: [2], gradient: [1e-300], iterations: 1, converged: true });
  });

  test('a step exactly at stepTol·max(1, ‖x‖) counts as converged', () => {
    // ½(x − 1)² from 0: one step of length 1 to x = 1 (‖x‖ = 1); with stepTol 1 that is the limit itself.
    const q = (x: readonly number[]): Fgh => [0.5 * (x[0] - 1) ** 2, [x[0] - 1], [[1]]];
    expect(newtonMinimizeNd(q, [0], { stepTol: 1 })).toEqual({ x: [1], gradient: [0], iterations: 1, converged: true });
  });

  test('maxIterations: stops there, not converged, with the gradient at the last point', () => {
    const r = newtonMinimizeNd(quartic(1000), [999], { maxIterations: 2 });
    expect(r.iterations).toBe(2);
    expect(r.converged).toBe(false);
    expect(r.x[0] - 1000).toBeCloseTo(-4 / 9, 12);
    expect(r.gradient[0]).toBeCloseTo((-4 / 9) ** 3, 12);
  });
});

/** ¼(x − c)⁴ in 1-D: Newton maps x − c to (2/3)(x − c), a step of |x − c|/3, and Armijo accepts t = 1. */
function quartic(c: number): (x: readonly number[]) => Fgh {
  return (x) => {
    const u = x[0] - c;
    return [0.25 * u ** 4, [u ** 3], [[3 * u * u]]];
  };
}

describe('newtonMinimizeNd: the convergence rules (counted by hand on ¼(x − c)⁴)', () => {
  test('c = 1000, x0 = 999: the first tiny step (≤ 1e-8·‖x‖ ≈ 1e-5) is step 26, (2/3)^26/3; it is ≥ ½ the one before: iterations 27', () => {
    // (2/3)^25/3 = 1.32e-5 > 1e-8·max(1, ‖x‖) ≈ 1.0e-5 ≥ (2/3)^26/3 = 8.8e-6: it = 26 is the first tiny step.
    const r = newtonMinimizeNd(quartic(1000), [999]);
    expect(r.iterations).toBe(27);
    expect(r.converged).toBe(true);
    expect((r.x[0] - 1000) / -((2 / 3) ** 27)).toBeCloseTo(1, 6);
    expect(r.gradient[0]).toBeCloseTo(-((2 / 3) ** 81), 20);
  });

  test('c = 0, x0 = 1: tiny means ≤ 1e-8 (max(1, ‖x‖) = 1): (2/3)^43/3 = 8.9e-9 is the first, iterations 44', () => {
    const r = newtonMinimizeNd(quartic(0), [1]);
    expect(r.iterations).toBe(44);
    expect(r.converged).toBe(true);
    expect(r.x[0] / (2 / 3) ** 44).toBeCloseTo(1, 9);
  });

  test('stepTol 0.1 with ‖x‖ ≈ 1000: the first step, 1/3 ≤ 0.1·1000, converges', () => {
    const r = newtonMinimizeNd(quartic(1000), [999], { stepTol: 0.1 });
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(true);
    expect(r.x[0] - 1000).toBeCloseTo(-2 / 3, 12);
  });

  test('stepTol 1e-3 with ‖x‖ ≈ 1000: converged at the first step ≤ 1: that is the first one, 1/3', () => {
    expect(newtonMinimizeNd(quartic(1000), [999], { stepTol: 1e-3 }).iterations).toBe(1);
    // With ‖x‖ < 1: (2/3)^14/3 = 1.14e-3 > 1e-3 ≥ (2/3)^15/3 = 7.6e-4: the step of it = 15 converges.
    const r = newtonMinimizeNd(quartic(0), [1], { stepTol: 1e-3 });
    expect(r.iterations).toBe(16);
    expect(r.converged).toBe(true);
  });

  test('the tiny rule needs the step to be at least ½ the one before (a step exactly ½ counts), and only on tiny steps', () => {
    // H = 1 and g = −(next step): steps 1, 1e-9, then ½e-9 for ever. At it = 1 the step 1e-9 is tiny but ≪ ½·1;
    // at it = 2 the step ½e-9 is exactly ½ of 1e-9: converged, iterations 3.
    const fgh = (x: readonly number[]): Fgh => [-x[0], [x[0] < 0.5 ? -1 : x[0] < 1 + 0.75e-9 ? -1e-9 : -1e-9 / 2], [[1]]];
    const r = newtonMinimizeNd(fgh, [0]);
    expect(r.iterations).toBe(3);
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBe(1 + 1e-9 + 1e-9 / 2);
    expect(r.gradient).toEqual([-1e-9 / 2]);
  });

  test('steps that halve every time are never tiny-converged: steps 1/2^k of a non-tiny size run to maxIterations', () => {
    // H = 1, g = −2^−k at x = 2 − 2^{1−k}: steps 1, ½, ¼, ... (ratio exactly ½ but not tiny): converged only by stepTol.
    const fgh = (x: readonly number[]): Fgh => [-x[0], [-(2 - x[0]) / 2 || -1], [[1]]];
    const r = newtonMinimizeNd(fgh, [0], { maxIterations: 5 });
    expect(r).toEqual({ x: [1.9375], gradient: [-0.03125], iterations: 5, converged: false });
  });
});

describe('newtonMinimizeNd: the Armijo line search', () => {
  /** H = 4, g = −8 everywhere (p = 2, slope = −16); f(0) = 0, f(2) = f(1) = −1e-3, else −x. */
  const table = (x: readonly number[]): Fgh => {
    const v = x[0];
    const f = v === 0 ? 0 : v === 2 || v === 1 ? -1e-3 : -v;
    return [f, [-8], [[4]]];
  };

  test('t = 1 fails (−1e-3 > 1e-4·(−16)), t = ½ passes (−1e-3 ≤ 1e-4·½·(−16)): x = 1', () => {
    expect(newtonMinimizeNd(table, [0], { maxIterations: 1 })).toEqual({ x: [1], gradient: [-8], iterations: 1, converged: false });
  });

  test('Armijo holds with equality at t = 1 (f(x + p) = 1e-4·1·slope exactly, f = 0): accepted, x = 2', () => {
    const exact = (x: readonly number[]): Fgh => [x[0] === 0 ? 0 : x[0] === 2 ? 1e-4 * 1 * -16 : x[0] === 1 ? -1e-3 : -x[0], [-8], [[4]]];
    expect(newtonMinimizeNd(exact, [0], { maxIterations: 1 })).toEqual({ x: [2], gradient: [-8], iterations: 1, converged: false });
  });

  test('never satisfied: t is halved down to 2^−67 (the first power of ½ ≤ 1e-20), then taken', () => {
    const step = (x: readonly number[]): Fgh => [x[0] === 0 ? 0 : 1, [-1], [[1]]];
    // The step taken, 2^−67, is below stepTol: converged.
    expect(newtonMinimizeNd(step, [0], { maxIterations: 1 })).toEqual({ x: [2 ** -67], gradient: [-1], iterations: 1, converged: true });
  });

  test('the rounding slack 4ε|f|: f = 4 and f(x + p) = 4 + 2ε·4 (one ulp up) passes; 4 + 1e-10 does not', () => {
    const up = 4 + 8 * Number.EPSILON;
    expect(up).toBeGreaterThan(4);
    const slack = (fAtOne: number) => (x: readonly number[]): Fgh => [x[0] === 0 ? 4 : x[0] === 1 ? fAtOne : 4, [-1e-12], [[1e-12]]];
    expect(newtonMinimizeNd(slack(up), [0], { maxIterations: 1 }).x).toEqual([1]);
    expect(newtonMinimizeNd(slack(4 + 1e-10), [0], { maxIterations: 1 }).x).toEqual([0.5]);
  });

  test('a tiny step with H ≻ 0 skips the line search (Newton at the rounding floor): taken whole even if f rises', () => {
    // p = 1e-8 exactly = 1e-8·max(1, 0): tiny at the boundary.
    const step = (x: readonly number[]): Fgh => [x[0] === 0 ? 0 : 1, [-1e-8], [[1]]];
    expect(newtonMinimizeNd(step, [0], { maxIterations: 1 })).toEqual({ x: [1e-8], gradient: [-1e-8], iterations: 1, converged: false });
  });

  test('a tiny step after a Levenberg shift is line-searched', () => {
    // H = −2: shifted by μ ≈ 10 (1e-8·2·10^k until H + μ > 0), p ≈ 1e-9/8 tiny; f rises, so t falls to 2^−67.
    const step = (x: readonly number[]): Fgh => [x[0] === 0 ? 0 : 1, [-1e-9], [[-2]]];
    const r = newtonMinimizeNd(step, [0], { maxIterations: 1 });
    expect(r.x[0]).toBeGreaterThan(0);
    expect(r.x[0]).toBeLessThan(1e-28);
  });
});

describe('newtonMinimizeNd: the Levenberg shift', () => {
  test('H = diag(−1, 1): μ = 2e-8·10^k grows to ≈ 2 (the first with H + μI ≻ 0), p = −(H + μI)⁻¹g', () => {
    // scale = |−1| + |1| = 2; μ = 2e-8, 2e-7, ..., 0.2, 2: H + μI = diag(≈1, ≈3).
    const fgh = (x: readonly number[]): Fgh => [-(x[0] + x[1]), [-1, -3], [
      [-1, 0],
      [0, 1],
    ]];
    const r = newtonMinimizeNd(fgh, [0, 0], { maxIterations: 1 });
    expectVectorClose(r.x, [1, 1], 1e-12);
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(false);
  });

  test('H = 0: scale 1e-300 keeps μ > 0 (μ = 1e-308), an enormous step', () => {
    const r = newtonMinimizeNd((x) => [x[0], [1], [[0]]], [0], { maxIterations: 1 });
    expect(r.x[0]).toBeLessThan(-1e307);
    expect(r.x[0]).toBeGreaterThan(-1.1e308);
  });
});

describe('bestResponseVec', () => {
  test('a linear-residual toy with weight decay: the closed form (AᵀA/n + D)w = −Aᵀ(Cλ − y)/n', () => {
    const A = [
      [1, 2],
      [0.5, -1],
      [2, 0.3],
    ];
    const C = [
      [0.4, 0],
      [0, -0.6],
      [0.1, 0.2],
    ];
    const y = [1, -0.5, 0.25];
    const toy = linearToy(A, C, y, true);
    const lambda = [0.2, -0.3];
    const H = [0, 1].map((a) => [0, 1].map((b) => A.reduce((s, row) => s + row[a] * row[b], 0) / 3 + (a === b ? Math.exp(lambda[a]) : 0)));
    const off = A.map((_, i) => C[i][0] * lambda[0] + C[i][1] * lambda[1] - y[i]);
    const rhs = [0, 1].map((a) => -A.reduce((s, row, i) => s + row[a] * off[i], 0) / 3);
    const expected = gaussSolve(H, rhs);
    expectVectorClose(bestResponseVec(toy, lambda), expected, 1e-13);
    expectVectorClose(bestResponseVec(toy, lambda, [5, -5]), expected, 1e-13);
  });

  test('tanh regression from the default start 0: ∇_w L_T = 0 there', () => {
    const toy = tanhToy();
    const w = bestResponseVec(toy, LAMBDA0);
    expect(w).toHaveLength(3);
    trainLossVec(toy, LAMBDA0, w).gradient.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-14));
  });

  test('the start decides which minimiser (w_i = ±1 of the double well)', () => {
    expectVectorClose(bestResponseVec(doubleWellToy(), [0, 0], [-0.5, 0.6]), [-1, 1], 1e-14);
    expectVectorClose(bestResponseVec(doubleWellToy(), [0, 0], [2, -3]), [1, -1], 1e-14);
  });

  test('a saddle (∇L_T = 0 at the start 0, ∇²L_T = −I): InvalidArgumentError naming toy, λ and w listed', () => {
    expectThrows(
      () => bestResponseVec(doubleWellToy(), [0.5, -1]),
      InvalidArgumentError,
      'toy',
      'toy: expected a point with ∇_w L_T = 0 and ∇²_w L_T ≻ 0 at λ = (0.5, -1) reachable by Newton, got "w = (0, 0)"',
    );
  });

  test('no minimiser (L_T = ½Σe^{−2w_iλ} decreases for ever): Newton runs out, ∇²L_T ≻ 0 there, still refused', () => {
    // Newton's step is exactly ½ (−g/H = e^{−2w}/2e^{−2w}): 100 of them from 0.
    expectThrows(
      () => bestResponseVec(runawayToy(), [1]),
      InvalidArgumentError,
      'toy',
      'toy: expected a point with ∇_w L_T = 0 and ∇²_w L_T ≻ 0 at λ = (1) reachable by Newton, got "w = (50, 50)"',
    );
  });

  test('a non-finite w with ∇L_T = 0 and ∇²L_T ≻ 0 reported by the toy: refused', () => {
    const jet = (): ResidualJetVec => ({
      value: [0, 0],
      jacobian: [
        [1, 0],
        [0, 1],
      ],
      dl: [[0], [0]],
      dww: [
        [
          [0, 0],
          [0, 0],
        ],
        [
          [0, 0],
          [0, 0],
        ],
      ],
      dwl: [
        [[0], [0]],
        [[0], [0]],
      ],
    });
    const toy: SecondOrderVectorToy = { weights: 2, hypers: 1, size: 2, residuals: () => jet(), residualJet: jet };
    expectVectorClose(bestResponseVec(toy, [0], [3, 4]), [3, 4], 0);
    expectThrows(
      () => bestResponseVec(toy, [0], [Infinity, 0]),
      InvalidArgumentError,
      'toy',
      'toy: expected a point with ∇_w L_T = 0 and ∇²_w L_T ≻ 0 at λ = (0) reachable by Newton, got "w = (Infinity, 0)"',
    );
  });

  test('a NaN/±∞ λ entry: NonFiniteError naming it', () => {
    expectThrows(() => bestResponseVec(tanhToy(), [0.1, NaN]), NonFiniteError, 'lambda[1]', 'lambda[1]: expected a finite number, got NaN');
    expectThrows(() => bestResponseVec(tanhToy(), [-Infinity, 0]), NonFiniteError, 'lambda[0]', 'lambda[0]: expected a finite number, got -Infinity');
  });
});

describe('bestResponseJacobianVec and gaussNewtonIftJacobianVec', () => {
  test('tanh toy: J* = −(∇²_wL_T)⁻¹∇²_{wλ}L_T and Θ_GN = −(G_w + ∇²_wR)⁻¹∇²_{wλ}L_T, by Gaussian elimination', () => {
    const toy = tanhToy();
    const t = trainLossVec(toy, LAMBDA0, W0);
    expectMatrixClose(bestResponseJacobianVec(toy, LAMBDA0, W0), negSolve(t.hessian, t.cross), 1e-13);
    const gn = t.gaussNewton.map((row, i) => row.map((v, j) => v + t.regularizerHessian[i][j]));
    const theta = gaussNewtonIftJacobianVec(toy, LAMBDA0, W0);
    expectMatrixClose(theta, negSolve(gn, t.cross), 1e-13);
    // They differ (S ≠ 0 away from the residual zeros).
    expect(Math.abs(theta[0][0] - bestResponseJacobianVec(toy, LAMBDA0, W0)[0][0])).toBeGreaterThan(1e-4);
  });

  test('a linear-residual toy: both equal −(AᵀA/n + D)⁻¹(AᵀC/n + ∇²_{wλ}R) (S = 0), 2×2 by hand', () => {
    // A = I₂, C = [[1, 0], [0, 2]], y = 0, n = 2, λ = 0 (D = I), w = (1, −1): H = I/2 + I = 1.5 I,
    // cross = AᵀC/2 + [[e⁰·1, 0], [0, e⁰·(−1)]] = [[1.5, 0], [0, 0]]: J* = −cross/1.5 = [[−1, 0], [0, 0]].
    const toy = linearToy(
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 2],
      ],
      [0, 0],
      true,
    );
    const expected = [
      [-1, 0],
      [0, 0],
    ];
    expectMatrixClose(bestResponseJacobianVec(toy, [0, 0], [1, -1]), expected, 1e-15);
    expectMatrixClose(gaussNewtonIftJacobianVec(toy, [0, 0], [1, -1]), expected, 1e-15);
  });

  test('not positive definite: InvalidArgumentError naming hessian / gaussNewton', () => {
    expectThrows(
      () => bestResponseJacobianVec(doubleWellToy(), [0, 0], [0, 0]),
      InvalidArgumentError,
      'hessian',
      'hessian: expected a symmetric positive definite matrix, got "a matrix whose Cholesky factorisation fails"',
    );
    expectThrows(
      () => gaussNewtonIftJacobianVec(bilinearToy(), [0, 0], [0.5, 1]),
      InvalidArgumentError,
      'gaussNewton',
      'gaussNewton: expected a symmetric positive definite matrix, got "a matrix whose Cholesky factorisation fails"',
    );
  });

  test('a toy without weights: the 0×h Jacobians are []', () => {
    expect(bestResponseJacobianVec(emptyToy(), [0.5], [])).toEqual([]);
    expect(gaussNewtonIftJacobianVec(emptyToy(), [0.5], [])).toEqual([]);
  });

  test('an infinite curvature entry (a toy whose ∇²_wL_T has ∞ on the diagonal): that row of J* is −0, no NaN', () => {
    const jet = (): ResidualJetVec => ({ value: [1], jacobian: [[1]], dl: [[1]], dww: [[[Infinity]]], dwl: [[[0]]] });
    const toy: SecondOrderVectorToy = { weights: 1, hypers: 1, size: 1, residuals: () => jet(), residualJet: jet };
    expect(bestResponseJacobianVec(toy, [0], [0])).toEqual([[-0]]);
  });
});

describe('responseObjectiveVec: F(Θ) against a brute-force sum of trainLossVec', () => {
  test('tanh toy (weight decay, λ in tanh, shift), m = 3, h = 2, nodes 3', () => {
    const toy = tanhToy();
    const o = responseObjectiveVec(toy, LAMBDA0, W0, SIGMA, THETA, 3);
    const ref = refResponseObjective(toy, LAMBDA0, W0, SIGMA, THETA, 3);
    expect(Object.keys(o).sort()).toEqual(['gradient', 'hessian', 'value']);
    expect(Math.abs(o.value - ref.value)).toBeLessThan(1e-14);
    expectVectorClose(o.gradient, ref.gradient, 1e-14);
    expectMatrixClose(o.hessian, ref.hessian, 1e-14);
  });

  test('without weight decay (R ≡ 0), nodes 2', () => {
    const toy = tanhToy({ weightDecay: false });
    const o = responseObjectiveVec(toy, LAMBDA0, W0, SIGMA, THETA, 2);
    const ref = refResponseObjective(toy, LAMBDA0, W0, SIGMA, THETA, 2);
    expect(Math.abs(o.value - ref.value)).toBeLessThan(1e-14);
    expectVectorClose(o.gradient, ref.gradient, 1e-14);
    expectMatrixClose(o.hessian, ref.hessian, 1e-14);
  });

  test('the linear toy without decay: F = ‖r₀‖²/2n + tr((C + AΘ)Σ(C + AΘ)ᵀ)/2n exactly (nodes 2 is exact)', () => {
    // A = [[1, 2]], C = [[1, 0]]... n = 1, m = 2, h = 2 would do; here A = I, C = [[1, 0], [0, 1]], y = (1, 2), λ₀ = 0,
    // w₀ = (0, 0): r₀ = (−1, −2), M = C + Θ, F = (5 + Σ_k σ_k² Σ_a M_ak²)/4.
    const toy = linearToy(
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
      [1, 2],
      false,
    );
    const theta = [
      [0.5, -1],
      [2, 0.25],
    ];
    const sigma = [0.5, 2];
    const M = [
      [1.5, -1],
      [2, 1.25],
    ];
    const expected = (5 + sigma.reduce((s, sk, k) => s + sk * sk * (M[0][k] ** 2 + M[1][k] ** 2), 0)) / 4;
    expect(responseObjectiveVec(toy, [0, 0], [0, 0], sigma, theta, 2).value).toBeCloseTo(expected, 13);
  });

  test('a wrong Θ or σ: ShapeMismatchError / NonFiniteError / InvalidArgumentError with exact messages', () => {
    const toy = tanhToy();
    expectThrows(() => responseObjectiveVec(toy, LAMBDA0, W0, SIGMA, THETA.slice(0, 2), 2), ShapeMismatchError, 'response', 'response: expected shape 3×2, got 2×2');
    expectThrows(() => responseObjectiveVec(toy, LAMBDA0, W0, SIGMA, [[1], [2], [3]], 2), ShapeMismatchError, 'response', 'response: expected shape 3×2, got 3×1');
    expectThrows(() => responseObjectiveVec(toy, LAMBDA0, W0, SIGMA, [[1, 2], [3], [4, 5]], 2), ShapeMismatchError, 'response', 'response: expected shape 3×2, got 3×2');
    expectThrows(() => responseObjectiveVec(toy, LAMBDA0, W0, SIGMA, [], 2), ShapeMismatchError, 'response', 'response: expected shape 3×2, got 0×0');
    expectThrows(() => responseObjectiveVec(toy, LAMBDA0, W0, [0.1], THETA, 2), ShapeMismatchError, 'sigma', 'sigma: expected shape length 2, got length 1');
    expectThrows(() => responseObjectiveVec(toy, LAMBDA0, W0, [0.1, NaN], THETA, 2), NonFiniteError, 'sigma[1]', 'sigma[1]: expected a finite number, got NaN');
    expectThrows(() => responseObjectiveVec(toy, LAMBDA0, W0, [0.1, 0], THETA, 2), InvalidArgumentError, 'sigma[1]', 'sigma[1]: expected σ > 0, got 0');
    expectThrows(() => responseObjectiveVec(toy, LAMBDA0, W0, [-0.5, 0.1], THETA, 2), InvalidArgumentError, 'sigma[0]', 'sigma[0]: expected σ > 0, got -0.5');
  });
});

describe('preparedLinearizedObjectiveVec: F_lin(ψ) against linearizedObjectiveVec', () => {
  const compare = (toy: SecondOrderVectorToy, nodes: number, theta: number[][]): void => {
    const fgh = preparedLinearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, nodes);
    const [value, gradient, hessian] = fgh(vec(theta));
    const ref = linearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, theta, nodes);
    expect(Math.abs(value - ref.value)).toBeLessThan(1e-14);
    expectVectorClose(gradient, ref.gradient, 1e-14);
    expectMatrixClose(hessian, ref.hessian, 1e-14);
  };

  test('tanh toy with weight decay, nodes 3, at Θ and at Θ = 0; twice from one preparation (no state kept)', () => {
    const toy = tanhToy();
    compare(toy, 3, THETA);
    compare(
      toy,
      3,
      THETA.map((row) => row.map(() => 0)),
    );
    const fgh = preparedLinearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, 3);
    const first = fgh(vec(THETA));
    fgh(vec(THETA.map((row) => row.map((v) => -2 * v))));
    expect(fgh(vec(THETA))).toEqual(first);
  });

  test('without weight decay (R ≡ 0), nodes 2 (the smallest allowed)', () => {
    compare(tanhToy({ weightDecay: false }), 2, THETA);
  });

  test('a linear-residual toy whose regularizer reads all of w (w has exactly m entries at every point)', () => {
    const toy = linearToy(
      [
        [1, 2, -1],
        [0.5, -1, 0.3],
      ],
      [
        [0.4, 0],
        [0, -0.6],
      ],
      [1, -0.5],
      true,
    );
    const seen: number[] = [];
    const spy: SecondOrderVectorToy = {
      ...toy,
      regularizer: (lambda, w) => {
        seen.push(w.length);
        return toy.regularizer!(lambda, w);
      },
    };
    compare(spy, 2, THETA);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set([3]));
  });

  test('the data term is the exact quadratic c₀ + bᵀψ + ½ψᵀH_dψ: at ψ and −ψ (no R)', () => {
    const toy = tanhToy({ weightDecay: false });
    const fgh = preparedLinearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, 3);
    const psi = vec(THETA);
    const [f0] = fgh(psi.map(() => 0));
    const [fp, gp, hp] = fgh(psi);
    const [fm] = fgh(psi.map((v) => -v));
    // f(ψ) + f(−ψ) − 2f(0) = ψᵀHψ.
    const quad = psi.reduce((s, v, p) => s + v * hp[p].reduce((t, x, q) => t + x * psi[q], 0), 0);
    expect(fp + fm - 2 * f0).toBeCloseTo(quad, 13);
    // ∇f(ψ) = b + Hψ, f(ψ) − f(−ψ) = 2bᵀψ.
    const b = gp.map((g, p) => g - hp[p].reduce((t, x, q) => t + x * psi[q], 0));
    expect(fp - fm).toBeCloseTo(2 * b.reduce((s, v, p) => s + v * psi[p], 0), 13);
  });

  test('wrong arguments: exact messages (λ₀, w₀, σ, nodes eagerly; ψ at the call)', () => {
    const toy = tanhToy();
    expectThrows(() => preparedLinearizedObjectiveVec(toy, [0.1], W0, SIGMA, 3), ShapeMismatchError, 'lambda0', 'lambda0: expected shape length 2, got length 1');
    expectThrows(() => preparedLinearizedObjectiveVec(toy, LAMBDA0, [1, 2], SIGMA, 3), ShapeMismatchError, 'general', 'general: expected shape length 3, got length 2');
    expectThrows(() => preparedLinearizedObjectiveVec(toy, LAMBDA0, W0, [0.1, 0.2, 0.3], 3), ShapeMismatchError, 'sigma', 'sigma: expected shape length 2, got length 3');
    expectThrows(() => preparedLinearizedObjectiveVec(toy, LAMBDA0, W0, [0, 0.1], 3), InvalidArgumentError, 'sigma[0]', 'sigma[0]: expected σ > 0, got 0');
    expectThrows(() => preparedLinearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, 1), InvalidArgumentError, 'nodes', 'nodes: expected an integer ≥ 2, got 1');
    expectThrows(() => preparedLinearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, 2.5), InvalidArgumentError, 'nodes', 'nodes: expected an integer ≥ 2, got 2.5');
    const fgh = preparedLinearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, 2);
    expectThrows(() => fgh([1, 2, 3]), ShapeMismatchError, 'psi', 'psi: expected shape length 6, got length 3');
  });
});

describe('linearizedResponseVec', () => {
  test('tanh toy: the returned Θ is stationary for linearizedObjectiveVec, whose Hessian is positive definite there', () => {
    const toy = tanhToy();
    const theta = linearizedResponseVec(toy, LAMBDA0, W0, SIGMA, 3);
    expect(theta).toHaveLength(3);
    theta.forEach((row) => expect(row).toHaveLength(2));
    const ref = linearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, theta, 3);
    ref.gradient.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-13));
    expect(choleskyFactor(ref.hessian)).not.toBeNull();
    // F_lin is convex with an exact quadratic data term: its Newton minimiser from 0 solves the same problem.
    const flat = linearizedObjectiveVec(toy, LAMBDA0, W0, SIGMA, THETA.map((row) => row.map(() => 0)), 3);
    expect(flat.gradient.some((g) => Math.abs(g) > 1e-3)).toBe(true);
  });

  test('G_w singular at λ₀ (Θ_GN fails, start 0) but F_lin strictly convex: Θ*_lin = −H⁻¹b by elimination', () => {
    const toy = bilinearToy();
    const sigma = [0.5, 0.4];
    const w0 = [0.5, 1];
    const zero = [
      [0, 0],
      [0, 0],
    ];
    const at0 = linearizedObjectiveVec(toy, [0, 0], w0, sigma, zero, 3);
    const expected = unvec(
      gaussSolve(at0.hessian, at0.gradient).map((v) => -v),
      2,
      2,
    );
    expectMatrixClose(linearizedResponseVec(toy, [0, 0], w0, sigma, 3), expected, 1e-12);
  });

  test('a weight the residuals never see (R ≡ 0): F_lin has no strict minimiser, InvalidArgumentError naming toy', () => {
    const toy = tanhRegressionToy(
      [
        [1, 0],
        [0.5, 0],
        [-0.3, 0],
      ],
      [0.2, -0.1, 0.4],
      2,
      { weightDecay: false },
    );
    const e = thrown(() => linearizedResponseVec(toy, [0, 0], [0.5, 0], [0.3, 0.2], 2), InvalidArgumentError);
    expect(e.argument).toBe('toy');
    expect(e.message).toMatch(/^toy: expected a linearized response objective with a positive definite Hessian at its minimiser, got "ψ = \((-?[\d.e+-]+, ){3}-?[\d.e+-]+\)"$/);
  });
});

describe('deltaStnResponseVec', () => {
  test('tanh toy: the returned Θ is stationary for the brute-force F, whose Hessian is positive definite there', () => {
    const toy = tanhToy();
    const theta = deltaStnResponseVec(toy, LAMBDA0, W0, SIGMA, 3);
    expect(theta).toHaveLength(3);
    theta.forEach((row) => expect(row).toHaveLength(2));
    const ref = refResponseObjective(toy, LAMBDA0, W0, SIGMA, theta, 3);
    ref.gradient.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-13));
    expect(choleskyFactor(ref.hessian)).not.toBeNull();
    // Not J* itself (the start): σ is not small.
    expect(Math.abs(theta[0][0] - bestResponseJacobianVec(toy, LAMBDA0, W0)[0][0])).toBeGreaterThan(1e-6);
  });

  test('the linear toy with decay: the returned Θ is stationary for the brute-force F; a toy without weights gives []', () => {
    const toy = linearToy(
      [
        [1, 2],
        [0.5, -1],
      ],
      [
        [0.4, 0],
        [0, -0.6],
      ],
      [1, -0.5],
      true,
    );
    const theta = deltaStnResponseVec(toy, [0.1, -0.2], [0.3, 0.1], [0.3, 0.2], 3);
    refResponseObjective(toy, [0.1, -0.2], [0.3, 0.1], [0.3, 0.2], theta, 3).gradient.forEach((g) => expect(Math.abs(g)).toBeLessThan(1e-13));
    expect(deltaStnResponseVec(emptyToy(), [0.5], [], [0.2], 2)).toEqual([]);
  });

  test('F without a minimiser (L_T = ½Σe^{−2w_iλ}, σ = 1.5 with 2 nodes: every ε(1 + ε) > 0): InvalidArgumentError naming toy', () => {
    const e = thrown(() => deltaStnResponseVec(runawayToy(), [1], [0, 0], [1.5], 2), InvalidArgumentError);
    expect(e.argument).toBe('toy');
    expect(e.message).toMatch(/^toy: expected a response objective whose Newton iteration converges, got "ψ = \(\d+\.\d+, \d+\.\d+\)"$/);
  });
});
