/**
 * Killing tests for src/theory/appE/general.ts (README, "Mutation testing"): APP-E for a general smooth inner problem
 * (docs/math.md#s4-2, Proposition B; proofs/APP-E.md, steps B3, N1–N2). test/theory/APP-E.test.ts checks the claim;
 * these pin the pieces, each against an oracle that does not share its code:
 * - `quarticDecayInnerProblem`'s gradient, Hessian, ∂g/∂λ and Q against the formulas of its TSDoc typed out here, and
 *   the Hessian and Q against central differences of that gradient; `quarticDecayBiasScale` against its formula with
 *   λ_min(H) of the 2×2 Hessian by the quadratic formula;
 * - `secondDirectionalByFiniteDifferences` on a test-local problem whose gradient is a cubic polynomial in t along the
 *   line (the five-point stencil is exact for degree ≤ 5), against Q worked by hand;
 * - `propositionBBias` against E[Q] = Σ_k σ_k² Q(e_k, Θe_k) (Q is a quadratic form in ε) and −½H⁻¹E[Q] by Cramer's
 *   rule; which Q it uses (analytic or finite differences) and how many quadrature points, by counting calls;
 * - the Newton solver (through `bestResponse`) on one-dimensional problems whose steps are exact in float64: the
 *   iteration count, the halvings (one, none, forty), the boundary of the step criterion, the equal-norm step;
 * - `bestResponseJacobian` against −H⁻¹∂g/∂λ by Cramer's rule, and its central differences by the λ's it evaluates;
 * - `stnFixedPoint` against the STN system solved here: for a gradient linear in w, K ψ = r assembled by the exact
 *   three-point Gauss–Hermite rule (nodes 0, ±√3; weights 2/3, 1/6) and solved by Gaussian elimination; for a cubic
 *   gradient, the stationarity residuals recomputed by that rule; the quadrature points by the λ's it evaluates;
 * - every typed error by class, argument and exact message.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../src/errors.js';
import { gaussHermite } from '../../src/linalg/gaussHermite.js';
import {
  bestResponse,
  bestResponseJacobian,
  propositionBBias,
  quarticDecayBiasScale,
  quarticDecayInnerProblem,
  secondDirectionalByFiniteDifferences,
  stnFixedPoint,
  type QuarticDecayProblem,
  type SmoothInnerProblem,
} from '../../src/theory/appE/general.js';
import { expectThrows, thrown } from './throws.js';

// ─────────────────────────────────────────────── helpers ───────────────────────────────────────────────

function expectClose(actual: number, expected: number, relTol: number, floor = 0): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relTol * Math.max(Math.abs(expected), floor));
}

/** Entry-wise |a − e| ≤ relTol·max|e| (the scale of the whole vector). */
function expectVecClose(actual: readonly number[], expected: readonly number[], relTol: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((v, i) => {
    expect(Number.isFinite(v)).toBe(true);
    expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(relTol * scale);
  });
}

/** Gaussian elimination with partial pivoting (not Cholesky: an independent route). */
function gaussSolve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/** 2×2 solve by Cramer's rule. */
function cramer2(h: readonly (readonly number[])[], r: readonly number[]): number[] {
  const det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
  return [(r[0] * h[1][1] - h[0][1] * r[1]) / det, (h[0][0] * r[1] - h[1][0] * r[0]) / det];
}

/** The exact three-point probabilists' Gauss–Hermite rule (degree ≤ 5), tensored over h coordinates. */
function gh3Points(h: number): { z: number[]; weight: number }[] {
  const nodes = [-Math.sqrt(3), 0, Math.sqrt(3)];
  const weights = [1 / 6, 2 / 3, 1 / 6];
  let pts: { z: number[]; weight: number }[] = [{ z: [], weight: 1 }];
  for (let k = 0; k < h; k++) pts = pts.flatMap((p) => nodes.map((x, q) => ({ z: [...p.z, x], weight: p.weight * weights[q] })));
  return pts;
}

// ──────────────────────────────── a polynomial test problem (m = 2, h = 2) ────────────────────────────────

/**
 * 𝓛 = ½wᵀAw − bᵀw + γ/4‖w‖⁴ + ½Σ_i d_i(λ)w_i², d_i = 1 + (Cλ)_i²: g is a polynomial (cubic in w, quadratic in
 * λ), so every Gauss–Hermite rule with ≥ 3 nodes integrates the STN conditions exactly. Q by hand:
 * Q_i = 2(Cdλ)_i²w_i + 4(Cλ)_i(Cdλ)_i dw_i + γ(2‖dw‖²w_i + 4(w·dw)dw_i).
 */
const PA = [[3, 0.5], [0.5, 2]];
const PB = [1, -0.5];
const PC = [[0.5, -0.25], [0.75, 0.4]];
const cmul = (v: readonly number[]): number[] => PC.map((row) => row[0] * v[0] + row[1] * v[1]);
const dot = (x: readonly number[], y: readonly number[]): number => x.reduce((s, v, i) => s + v * y[i], 0);

interface Counted extends SmoothInnerProblem {
  gradCalls: number[][];
  hessCalls: number;
  qCalls: number;
  crossCalls: number;
}

function polyProblem(gamma: number, opts: { q?: boolean; cross?: boolean } = {}): Counted {
  const p: Counted = {
    weights: 2,
    hypers: 2,
    gradCalls: [],
    hessCalls: 0,
    qCalls: 0,
    crossCalls: 0,
    gradW(lambda, w) {
      p.gradCalls.push([...lambda]);
      const cl = cmul(lambda);
      const ww = dot(w, w);
      return [0, 1].map((i) => PA[i][0] * w[0] + PA[i][1] * w[1] - PB[i] + gamma * ww * w[i] + (1 + cl[i] * cl[i]) * w[i]);
    },
    hessW(lambda, w) {
      p.hessCalls++;
      const cl = cmul(lambda);
      const ww = dot(w, w);
      return [0, 1].map((i) => [0, 1].map((j) => PA[i][j] + gamma * (2 * (w[i] * w[j]) + (i === j ? ww : 0)) + (i === j ? 1 + cl[i] * cl[i] : 0)));
    },
  };
  if (opts.q !== false) {
    p.secondDirectional = (lambda, w, dl, dw) => {
      p.qCalls++;
      return polyQ(gamma, lambda, w, dl, dw);
    };
  }
  if (opts.cross !== false) {
    p.gradLambdaW = (lambda, w) => {
      p.crossCalls++;
      return polyCross(lambda, w);
    };
  }
  return p;
}

function polyQ(gamma: number, lambda: readonly number[], w: readonly number[], dl: readonly number[], dw: readonly number[]): number[] {
  const cl = cmul(lambda);
  const cd = cmul(dl);
  const vv = dot(dw, dw);
  const wv = dot(w, dw);
  return [0, 1].map((i) => 2 * cd[i] * cd[i] * w[i] + 4 * cl[i] * cd[i] * dw[i] + gamma * (2 * vv * w[i] + 4 * wv * dw[i]));
}

function polyCross(lambda: readonly number[], w: readonly number[]): number[][] {
  const cl = cmul(lambda);
  return [0, 1].map((i) => [0, 1].map((k) => 2 * cl[i] * PC[i][k] * w[i]));
}

function polyHess(gamma: number, lambda: readonly number[], w: readonly number[]): number[][] {
  return polyProblem(gamma).hessW(lambda, w);
}

// ─────────────────────────────── the quartic-decay problem (the module's own) ───────────────────────────────

const quartic = (): QuarticDecayProblem => ({ A: [[2, 0.5], [0.5, 1.5]], b: [1, -0.5], C: [[0.5, -0.25], [0.75, 0.4]], gamma: 0.3 });
const QL = [0.3, -0.7];
const QW = [0.6, -1.3];
const QDL = [0.8, -0.35];
const QDW = [0.45, 0.9];

function qDecay(p: QuarticDecayProblem, lambda: readonly number[]): number[] {
  return p.C.map((row) => Math.exp(row[0] * lambda[0] + row[1] * lambda[1]));
}
function qGrad(p: QuarticDecayProblem, lambda: readonly number[], w: readonly number[]): number[] {
  const e = qDecay(p, lambda);
  const ww = dot(w, w);
  return [0, 1].map((i) => p.A[i][0] * w[0] + p.A[i][1] * w[1] - p.b[i] + p.gamma * ww * w[i] + e[i] * w[i]);
}
function qHess(p: QuarticDecayProblem, lambda: readonly number[], w: readonly number[]): number[][] {
  const e = qDecay(p, lambda);
  const ww = dot(w, w);
  return [0, 1].map((i) => [0, 1].map((j) => p.A[i][j] + p.gamma * 2 * w[i] * w[j] + (i === j ? p.gamma * ww + e[i] : 0)));
}
function qQ(p: QuarticDecayProblem, lambda: readonly number[], w: readonly number[], dl: readonly number[], dw: readonly number[]): number[] {
  const e = qDecay(p, lambda);
  const cd = p.C.map((row) => row[0] * dl[0] + row[1] * dl[1]);
  const vv = dot(dw, dw);
  const wv = dot(w, dw);
  return [0, 1].map((i) => e[i] * (cd[i] * cd[i] * w[i] + 2 * cd[i] * dw[i]) + p.gamma * (2 * vv * w[i] + 4 * wv * dw[i]));
}

describe('quarticDecayInnerProblem: the analytic derivatives', () => {
  test('weights, hypers, gradW and hessW against the formulas (and hessW against a central difference of gradW)', () => {
    const p = quartic();
    const prob = quarticDecayInnerProblem(p);
    expect(prob.weights).toBe(2);
    expect(prob.hypers).toBe(2);
    expectVecClose(prob.gradW(QL, QW), qGrad(p, QL, QW), 1e-15);
    const H = prob.hessW(QL, QW);
    const ref = qHess(p, QL, QW);
    H.forEach((row, i) => expectVecClose(row, ref[i], 1e-15));
    const h = 1e-6;
    for (let j = 0; j < 2; j++) {
      const gp = qGrad(p, QL, QW.map((v, k) => (k === j ? v + h : v)));
      const gm = qGrad(p, QL, QW.map((v, k) => (k === j ? v - h : v)));
      for (let i = 0; i < 2; i++) expectClose(H[i][j], (gp[i] - gm[i]) / (2 * h), 1e-8, 1);
    }
  });

  test('gradLambdaW = e^{(Cλ)_i}C_ik w_i, and against a central difference of gradW in λ', () => {
    const p = quartic();
    const prob = quarticDecayInnerProblem(p);
    const e = qDecay(p, QL);
    const G = prob.gradLambdaW!(QL, QW);
    expect(G.length).toBe(2);
    for (let i = 0; i < 2; i++) expectVecClose(G[i], [0, 1].map((k) => e[i] * p.C[i][k] * QW[i]), 1e-15);
    const h = 1e-6;
    for (let k = 0; k < 2; k++) {
      const gp = qGrad(p, QL.map((v, j) => (j === k ? v + h : v)), QW);
      const gm = qGrad(p, QL.map((v, j) => (j === k ? v - h : v)), QW);
      for (let i = 0; i < 2; i++) expectClose(G[i][k], (gp[i] - gm[i]) / (2 * h), 1e-8, 1);
    }
  });

  test('secondDirectional = Q of the TSDoc, and the second difference of gradW along (dλ, dw)', () => {
    const p = quartic();
    const prob = quarticDecayInnerProblem(p);
    const q = prob.secondDirectional!(QL, QW, QDL, QDW);
    expectVecClose(q, qQ(p, QL, QW, QDL, QDW), 1e-15);
    const t = 1e-4;
    const at = (s: number): number[] => qGrad(p, QL.map((v, k) => v + s * QDL[k]), QW.map((v, i) => v + s * QDW[i]));
    const [gp, g0, gm] = [at(t), at(0), at(-t)];
    for (let i = 0; i < 2; i++) expectClose(q[i], (gp[i] - 2 * g0[i] + gm[i]) / (t * t), 1e-6, 1);
  });

  test('γ = 0 is allowed (the boundary of γ ≥ 0): then g is affine in w up to the decay', () => {
    const p = { ...quartic(), gamma: 0 };
    const prob = quarticDecayInnerProblem(p);
    expectVecClose(prob.gradW(QL, QW), qGrad(p, QL, QW), 1e-15);
  });

  test('typed errors on A, b, C, gamma, each with its exact message', () => {
    const base = quartic();
    const make = (patch: Partial<Record<keyof QuarticDecayProblem, unknown>>) => () => quarticDecayInnerProblem({ ...base, ...patch } as QuarticDecayProblem);
    expectThrows(make({ A: [] }), ShapeMismatchError, 'A', 'A: expected shape a non-empty square matrix, got 0×0');
    expectThrows(make({ A: 'x' }), ShapeMismatchError, 'A', 'A: expected shape a non-empty square matrix, got string');
    expectThrows(make({ A: [[1, 0], [0]] }), ShapeMismatchError, 'A', 'A: expected shape 2×2, got row 1 of length 1');
    expectThrows(make({ A: [[1, 0], null] }), ShapeMismatchError, 'A', 'A: expected shape 2×2, got row 1 of length ?');
    expectThrows(make({ A: [[1, NaN], [0, 1]] }), NonFiniteError, 'A[0][1]', 'A[0][1]: expected a finite number, got NaN');
    expectThrows(make({ A: [[1, 0], [0, Infinity]] }), NonFiniteError, 'A[1][1]', 'A[1][1]: expected a finite number, got Infinity');
    // A's entries are checked before b (the Cholesky of A, which would name the same entry, comes last)
    expectThrows(make({ A: [[1, NaN], [0, 1]], b: [1] }), NonFiniteError, 'A[0][1]', 'A[0][1]: expected a finite number, got NaN');
    expectThrows(make({ b: 'x' }), ShapeMismatchError, 'b', 'b: expected shape a vector of length 2, got string');
    expectThrows(make({ b: [1] }), ShapeMismatchError, 'b', 'b: expected shape a vector of length 2, got length 1');
    expectThrows(make({ b: [1, NaN] }), NonFiniteError, 'b[1]', 'b[1]: expected a finite number, got NaN');
    expectThrows(make({ C: 'x' }), ShapeMismatchError, 'C', 'C: expected shape 2×h with h ≥ 1, got string');
    expectThrows(make({ C: [[1]] }), ShapeMismatchError, 'C', 'C: expected shape 2×h with h ≥ 1, got 1 rows');
    expectThrows(make({ C: [[1], [2], [3]] }), ShapeMismatchError, 'C', 'C: expected shape 2×h with h ≥ 1, got 3 rows');
    expectThrows(make({ C: [5, [1]] }), ShapeMismatchError, 'C', 'C: expected shape 2×h with h ≥ 1, got 2 rows');
    expectThrows(make({ C: [[], []] }), ShapeMismatchError, 'C', 'C: expected shape 2×h with h ≥ 1, got 2 rows');
    expectThrows(make({ C: [[1, 2], [1]] }), ShapeMismatchError, 'C', 'C: expected shape 2×2, got row 1 of length 1');
    expectThrows(make({ C: [[1, 2], null] }), ShapeMismatchError, 'C', 'C: expected shape 2×2, got row 1 of length ?');
    expectThrows(make({ C: [[1, 2], [3, -Infinity]] }), NonFiniteError, 'C[1][1]', 'C[1][1]: expected a finite number, got -Infinity');
    expectThrows(make({ gamma: NaN }), NonFiniteError, 'gamma', 'gamma: expected a finite number, got NaN');
    expectThrows(make({ gamma: '1' }), NonFiniteError, 'gamma', 'gamma: expected a finite number, got "1"');
    expectThrows(make({ gamma: -0.5 }), InvalidArgumentError, 'gamma', 'gamma: expected γ ≥ 0 (so that 𝓛_T is convex in w), got -0.5');
    expectThrows(make({ A: [[1, 2], [2, 1]] }), NotPositiveDefiniteError, 'A', 'A: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
    expect(thrown(make({ A: [[1, 0.5], [0, 1]] }), NotSymmetricError).argument).toBe('A');
  });
});

describe('quarticDecayBiasScale', () => {
  test('½‖Σ_k σ_k² Q̄(e_k)‖ / λ_min(H) by hand (λ_min of the 2×2 Hessian by the quadratic formula)', () => {
    const p = quartic();
    const theta = [[-0.7, 0.35], [0.25, -1.2]];
    const sigma = [0.3, 0.5];
    const e = qDecay(p, QL);
    const total = [0, 0];
    for (let k = 0; k < 2; k++) {
      const v = [theta[0][k], theta[1][k]];
      const vv = dot(v, v);
      const wAbsV = Math.sqrt(dot(QW, QW) * vv);
      for (let i = 0; i < 2; i++) {
        const c = Math.abs(p.C[i][k]);
        total[i] += sigma[k] ** 2 * (e[i] * (c * c * Math.abs(QW[i]) + 2 * c * Math.abs(v[i])) + p.gamma * (2 * vv * Math.abs(QW[i]) + 4 * wAbsV * Math.abs(v[i])));
      }
    }
    const H = qHess(p, QL, QW);
    const lmin = (H[0][0] + H[1][1]) / 2 - Math.hypot((H[0][0] - H[1][1]) / 2, H[0][1]);
    expectClose(quarticDecayBiasScale(p, QL, QW, theta, sigma), (0.5 * Math.hypot(total[0], total[1])) / lmin, 1e-13);
  });

  test('typed errors: wStar, lambda0, response, sigma', () => {
    const p = quartic();
    const th = [[1, 0], [0, 1]];
    expectThrows(() => quarticDecayBiasScale(p, QL, [1], th, [1, 1]), ShapeMismatchError, 'wStar', 'wStar: expected shape length 2, got length 1');
    expectThrows(() => quarticDecayBiasScale(p, QL, [1, NaN], th, [1, 1]), NonFiniteError, 'wStar[1]', 'wStar[1]: expected a finite number, got NaN');
    expectThrows(() => quarticDecayBiasScale(p, [1], QW, th, [1, 1]), ShapeMismatchError, 'lambda0', 'lambda0: expected shape length 2, got length 1');
    expectThrows(() => quarticDecayBiasScale(p, [0, NaN], QW, th, [1, 1]), NonFiniteError, 'lambda0[1]', 'lambda0[1]: expected a finite number, got NaN');
    expectThrows(() => quarticDecayBiasScale(p, QL, QW, [[1, 0]], [1, 1]), ShapeMismatchError, 'response', 'response: expected shape 2×2, got 1×2');
    expectThrows(() => quarticDecayBiasScale(p, QL, QW, th, [1]), ShapeMismatchError, 'sigma', 'sigma: expected shape length 2, got length 1');
  });
});

// ─────────────────────────────────── secondDirectionalByFiniteDifferences ───────────────────────────────────

describe('secondDirectionalByFiniteDifferences', () => {
  test('equals Q by hand on the polynomial problem (the five-point stencil is exact for a cubic in t), γ > 0', () => {
    const prob = polyProblem(0.4);
    const lambda = [0.7, -1.1];
    const w = [0.6, -1.3];
    const dl = [0.8, -0.35];
    const dw = [0.45, 0.9];
    const q = secondDirectionalByFiniteDifferences(prob, lambda, w, dl, dw);
    expectVecClose(q, polyQ(0.4, lambda, w, dl, dw), 1e-8);
    expect(prob.gradCalls.length).toBe(5);
  });

  test('on the quartic-decay problem (exponential in λ) it matches the analytic Q to 1e-8', () => {
    const p = quartic();
    const q = secondDirectionalByFiniteDifferences(quarticDecayInnerProblem(p), QL, QW, QDL, QDW);
    expectVecClose(q, qQ(p, QL, QW, QDL, QDW), 1e-8);
  });
});

// ─────────────────────────────────────────── propositionBBias ───────────────────────────────────────────

describe('propositionBBias', () => {
  const L0 = [0.7, -1.1];
  const W0 = [0.6, -1.3];
  const TH = [[-0.4, 0.3], [0.2, -0.5]];
  const SG = [0.3, 0.6];
  function oracle(gamma: number): { bias: number[]; expectedQ: number[] } {
    const eq = [0, 0];
    for (let k = 0; k < 2; k++) {
      const q = polyQ(gamma, L0, W0, k === 0 ? [1, 0] : [0, 1], [TH[0][k], TH[1][k]]);
      for (let i = 0; i < 2; i++) eq[i] += SG[k] * SG[k] * q[i];
    }
    const x = cramer2(polyHess(gamma, L0, W0), eq);
    return { bias: x.map((v) => -0.5 * v), expectedQ: eq };
  }

  test('analytic Q, nodes 3 (the centre point ε = 0 skipped): E[Q] = Σσ_k²Q(e_k), bias = −½H⁻¹E[Q]; 8 calls of Q, none of gradW', () => {
    const prob = polyProblem(0.4);
    const r = propositionBBias(prob, L0, W0, TH, SG, { nodes: 3 });
    const o = oracle(0.4);
    expect(Object.keys(r).sort()).toEqual(['bias', 'expectedQ']);
    expectVecClose(r.expectedQ, o.expectedQ, 1e-13);
    expectVecClose(r.bias, o.bias, 1e-13);
    expect(prob.qCalls).toBe(8);
    expect(prob.gradCalls.length).toBe(0);
    expect(prob.hessCalls).toBe(1);
  });

  test('nodes 2 is allowed (the boundary): 4 points, the same E[Q]', () => {
    const prob = polyProblem(0.4);
    const r = propositionBBias(prob, L0, W0, TH, SG, { nodes: 2 });
    expectVecClose(r.expectedQ, oracle(0.4).expectedQ, 1e-13);
    expect(prob.qCalls).toBe(4);
  });

  test('finiteDifferences: true uses the stencil (5 gradW calls per point), not the analytic Q', () => {
    const prob = polyProblem(0.4);
    const r = propositionBBias(prob, L0, W0, TH, SG, { nodes: 2, finiteDifferences: true });
    const o = oracle(0.4);
    expectVecClose(r.expectedQ, o.expectedQ, 1e-8);
    expectVecClose(r.bias, o.bias, 1e-8);
    expect(prob.qCalls).toBe(0);
    expect(prob.gradCalls.length).toBe(20);
  });

  test('finiteDifferences: false and a problem without secondDirectional: the stencil', () => {
    const with_ = polyProblem(0.4);
    propositionBBias(with_, L0, W0, TH, SG, { nodes: 2, finiteDifferences: false });
    expect(with_.qCalls).toBe(4);
    expect(with_.gradCalls.length).toBe(0);
    const without = polyProblem(0.4, { q: false });
    const r = propositionBBias(without, L0, W0, TH, SG, { nodes: 2 });
    expectVecClose(r.expectedQ, oracle(0.4).expectedQ, 1e-8);
    expect(without.gradCalls.length).toBe(20);
  });

  test('default: 80 nodes per hyperparameter (h = 1: 80 calls of Q), on the quartic problem against Q(1, θ)σ²', () => {
    const p: QuarticDecayProblem = { A: [[2]], b: [1], C: [[0.6]], gamma: 0.3 };
    const base = quarticDecayInnerProblem(p);
    let calls = 0;
    const prob: SmoothInnerProblem = { ...base, secondDirectional: (l, w, dl, dw) => (calls++, base.secondDirectional!(l, w, dl, dw)) };
    const r = propositionBBias(prob, [0.4], [0.7], [[-0.3]], [0.5]);
    expect(calls).toBe(80);
    const e = Math.exp(0.6 * 0.4);
    const q = e * (0.36 * 0.7 + 2 * 0.6 * -0.3) + 0.3 * (2 * 0.09 * 0.7 + 4 * (0.7 * -0.3) * -0.3);
    expectClose(r.expectedQ[0], 0.25 * q, 1e-13);
    const hess = 2 + 0.3 * 3 * 0.49 + e;
    expectClose(r.bias[0], (-0.5 * 0.25 * q) / hess, 1e-13);
  });

  test('typed errors: shapes, sigma, nodes, and a Hessian that is not positive definite', () => {
    const prob = polyProblem(0.4);
    expectThrows(() => propositionBBias(prob, [1], W0, TH, SG), ShapeMismatchError, 'lambda0', 'lambda0: expected shape length 2, got length 1');
    expectThrows(() => propositionBBias(prob, L0, [1, 2, 3], TH, SG), ShapeMismatchError, 'wStar', 'wStar: expected shape length 2, got length 3');
    expectThrows(() => propositionBBias(prob, L0, W0, [], SG), ShapeMismatchError, 'response', 'response: expected shape 2×2, got 0×0');
    expectThrows(() => propositionBBias(prob, L0, W0, [[1, 2], [3, 4], [5, 6]], SG), ShapeMismatchError, 'response', 'response: expected shape 2×2, got 3×2');
    expectThrows(() => propositionBBias(prob, L0, W0, [[1, 2], [3]], SG), ShapeMismatchError, 'response', 'response: expected shape 2×2, got 2×2');
    expectThrows(() => propositionBBias(prob, L0, W0, [[1], [3, 4]], SG), ShapeMismatchError, 'response', 'response: expected shape 2×2, got 2×1');
    expectThrows(() => propositionBBias(prob, L0, W0, TH, [1, 2, 3]), ShapeMismatchError, 'sigma', 'sigma: expected shape length 2, got length 3');
    expectThrows(() => propositionBBias(prob, L0, W0, TH, [1, Infinity]), NonFiniteError, 'sigma[1]', 'sigma[1]: expected a finite number, got Infinity');
    expectThrows(() => propositionBBias(prob, L0, W0, TH, [1, 0]), InvalidArgumentError, 'sigma[1]', 'sigma[1]: expected σ > 0, got 0');
    expectThrows(() => propositionBBias(prob, L0, W0, TH, [-1, 1]), InvalidArgumentError, 'sigma[0]', 'sigma[0]: expected σ > 0, got -1');
    expectThrows(() => propositionBBias(prob, L0, W0, TH, SG, { nodes: 1 }), InvalidArgumentError, 'nodes', 'nodes: expected an integer ≥ 2, got 1');
    expectThrows(() => propositionBBias(prob, L0, W0, TH, SG, { nodes: 2.5 }), InvalidArgumentError, 'nodes', 'nodes: expected an integer ≥ 2, got 2.5');
    const bad: SmoothInnerProblem = { ...polyProblem(0.4), hessW: () => [[1, 0], [0, -1]] };
    expectThrows(() => propositionBBias(bad, L0, W0, TH, SG, { nodes: 2 }), NotPositiveDefiniteError, 'hessW', 'hessW: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });
});

// ─────────────────────────────────────── bestResponse (the Newton solver) ───────────────────────────────────────

/** A one-weight, one-hyper problem with g(w) = `g(w)` and a constant "Hessian" `hess` (consistent or not). */
function scalarProblem(g: (w: number) => number, hess: number): SmoothInnerProblem {
  return { weights: 1, hypers: 1, gradW: (_l, w) => [g(w[0])], hessW: () => [[hess]] };
}

describe('bestResponse: Newton with step halving', () => {
  test('a linear problem lands exactly in one step (diag(1, 4)w = (3, 8)): then ‖g‖ = 0 ends it, iterations 1', () => {
    const prob: SmoothInnerProblem = { weights: 2, hypers: 1, gradW: (_l, w) => [w[0] - 3, 4 * w[1] - 8], hessW: () => [[1, 0], [0, 4]] };
    expect(bestResponse(prob, [0.5], [0, 0])).toEqual({ x: [3, 2], iterations: 1, converged: true });
    expect(bestResponse(prob, [0.5], [0, 0], { maxIterations: 1 })).toEqual({ x: [3, 2], iterations: 1, converged: false });
    // starting at the solution: ‖g‖ = 0 before any step
    expect(bestResponse(prob, [0.5], [3, 2])).toEqual({ x: [3, 2], iterations: 0, converged: true });
  });

  test('the step criterion at its boundary: ‖step‖ = stepTol·(1 + ‖x‖) converges (g = w − 1, stepTol ½, x = 1)', () => {
    const prob = scalarProblem((w) => w - 1, 1);
    expect(bestResponse(prob, [0], [0], { maxIterations: 1, stepTol: 0.5 })).toEqual({ x: [1], iterations: 1, converged: true });
    expect(bestResponse(prob, [0], [0], { maxIterations: 1, stepTol: 0.49 })).toEqual({ x: [1], iterations: 1, converged: false });
  });

  test('one halving: g = w, "Hessian" ¼, from 2: the full step to −6 grows ‖g‖, the half step to −2 keeps it equal (accepted)', () => {
    const prob = scalarProblem((w) => w, 0.25);
    expect(bestResponse(prob, [0], [2], { maxIterations: 1 })).toEqual({ x: [-2], iterations: 1, converged: false });
    // and it oscillates between ±2 for ever
    expect(bestResponse(prob, [0], [2], { maxIterations: 3 })).toEqual({ x: [-2], iterations: 3, converged: false });
  });

  test('forty halvings and no more: g = 1 − w with "Hessian" 1 never decreases, the step taken is 2^-40', () => {
    const prob = scalarProblem((w) => 1 - w, 1);
    expect(bestResponse(prob, [0], [0], { maxIterations: 1 })).toEqual({ x: [-(2 ** -40)], iterations: 1, converged: false });
    const r = bestResponse(prob, [0], [0]);
    expect(r.iterations).toBe(50);
    expect(r.converged).toBe(false);
    expect(r.x[0]).toBeLessThan(-49 * 2 ** -40);
    expect(r.x[0]).toBeGreaterThan(-51 * 2 ** -40);
  });

  test('halvings that succeed: g = atan(w), Hessian 1/10 from 3: two halvings, x₁ = 3 − 10·atan(3)/4', () => {
    const prob = scalarProblem(Math.atan, 0.1);
    const r = bestResponse(prob, [0], [3], { maxIterations: 1 });
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(false);
    expectClose(r.x[0], 3 - (10 * Math.atan(3)) / 4, 1e-14);
  });

  test('a nonlinear problem (the quartic one) converges to g = 0 in 5 steps (1 with stepTol ½)', () => {
    const p = quartic();
    const r = bestResponse(quarticDecayInnerProblem(p), QL, [0, 0]);
    expect(r.converged).toBe(true);
    expect(r.iterations).toBe(5);
    const g = qGrad(p, QL, r.x);
    expect(Math.hypot(g[0], g[1])).toBeLessThan(1e-14);
    // a large stepTol stops after the first step whose size is below it
    const loose = bestResponse(quarticDecayInnerProblem(p), QL, [0, 0], { stepTol: 0.5 });
    expect(loose.converged).toBe(true);
    expect(loose.iterations).toBe(1);
    expectClose(loose.x[0], r.x[0], 0.05);
  });

  test('typed errors: options, start, lambda, a Hessian that is not positive definite', () => {
    const prob = scalarProblem((w) => w - 1, 1);
    expectThrows(() => bestResponse(prob, [0], [0], { maxIterations: 0 }), InvalidArgumentError, 'options.maxIterations', 'options.maxIterations: expected an integer ≥ 1, got 0');
    expectThrows(() => bestResponse(prob, [0], [0], { maxIterations: 1.5 }), InvalidArgumentError, 'options.maxIterations', 'options.maxIterations: expected an integer ≥ 1, got 1.5');
    expectThrows(() => bestResponse(prob, [0], [0], { stepTol: 0 }), InvalidArgumentError, 'options.stepTol', 'options.stepTol: expected a number > 0, got 0');
    expectThrows(() => bestResponse(prob, [0], [0], { stepTol: NaN }), InvalidArgumentError, 'options.stepTol', 'options.stepTol: expected a number > 0, got NaN');
    expectThrows(() => bestResponse(prob, [0], [0], { stepTol: -1 }), InvalidArgumentError, 'options.stepTol', 'options.stepTol: expected a number > 0, got -1');
    expectThrows(() => bestResponse(prob, [0], [0, 1]), ShapeMismatchError, 'start', 'start: expected shape length 1, got length 2');
    expectThrows(() => bestResponse(prob, [0], [NaN]), NonFiniteError, 'start[0]', 'start[0]: expected a finite number, got NaN');
    expectThrows(() => bestResponse(prob, [], [0]), ShapeMismatchError, 'lambda0', 'lambda0: expected shape length 1, got length 0');
    expectThrows(() => bestResponse(prob, [Infinity], [0]), NonFiniteError, 'lambda0[0]', 'lambda0[0]: expected a finite number, got Infinity');
    expectThrows(() => bestResponse(scalarProblem((w) => w, -1), [0], [1]), NotPositiveDefiniteError, 'hessW', 'hessW: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });
});

// ─────────────────────────────────────────── bestResponseJacobian ───────────────────────────────────────────

describe('bestResponseJacobian', () => {
  const L0 = [0.7, -2.5];
  const W0 = [0.6, -1.3];
  function oracle(): number[][] {
    const H = polyHess(0.4, L0, W0);
    const G = polyCross(L0, W0);
    const cols = [0, 1].map((k) => cramer2(H, [G[0][k], G[1][k]]));
    return [0, 1].map((i) => [0, 1].map((k) => -cols[k][i]));
  }

  test('with gradLambdaW: J* = −H⁻¹∂g/∂λ (Cramer), gradLambdaW called once, gradW never', () => {
    const prob = polyProblem(0.4);
    const J = bestResponseJacobian(prob, L0, W0);
    const o = oracle();
    expect(J.length).toBe(2);
    J.forEach((row, i) => expectVecClose(row, o[i], 1e-14));
    expect(prob.crossCalls).toBe(1);
    expect(prob.gradCalls.length).toBe(0);
  });

  test('without it: central differences at λ₀ ± h e_k, h = √ε·max(1, |λ₀,k|), 2h evaluations', () => {
    const prob = polyProblem(0.4, { cross: false });
    const J = bestResponseJacobian(prob, L0, W0);
    const o = oracle();
    J.forEach((row, i) => expectVecClose(row, o[i], 1e-7));
    const s0 = Math.sqrt(Number.EPSILON);
    const s1 = Math.sqrt(Number.EPSILON) * 2.5;
    expect(prob.gradCalls).toEqual([
      [0.7 + s0, -2.5],
      [0.7 - s0, -2.5],
      [0.7, -2.5 + s1],
      [0.7, -2.5 - s1],
    ]);
  });

  test('typed errors: wStar, and a Hessian that is not positive definite', () => {
    const prob = polyProblem(0.4);
    expectThrows(() => bestResponseJacobian(prob, L0, [1]), ShapeMismatchError, 'wStar', 'wStar: expected shape length 2, got length 1');
    expectThrows(() => bestResponseJacobian(prob, L0, [1, NaN]), NonFiniteError, 'wStar[1]', 'wStar[1]: expected a finite number, got NaN');
    const bad: SmoothInnerProblem = { ...prob, hessW: () => [[-1, 0], [0, 1]] };
    expectThrows(() => bestResponseJacobian(bad, L0, W0), NotPositiveDefiniteError, 'hessW', 'hessW: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });
});

// ─────────────────────────────────────────────── stnFixedPoint ───────────────────────────────────────────────

const SL0 = [0.7, -0.9];
const SSG = [0.6, 0.8];

/** For γ = 0 (g linear in w): K ψ = r with K_ab = E[φ_aφ_b(A + D(λ))], r_a = E[φ_a] b, by the exact 3-point rule; ψ = (w₀, Φ̃ columns). */
function linearStnOracle(): { general: number[]; response: number[][] } {
  const n = 6;
  const K = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const r = new Array<number>(n).fill(0);
  for (const { z, weight } of gh3Points(2)) {
    const lambda = SL0.map((v, k) => v + SSG[k] * z[k]);
    const H = polyHess(0, lambda, [0, 0]);
    const phi = [1, z[0], z[1]];
    for (let a = 0; a < 3; a++) {
      for (let i = 0; i < 2; i++) {
        r[2 * a + i] += weight * phi[a] * PB[i];
        for (let b = 0; b < 3; b++) for (let j = 0; j < 2; j++) K[2 * a + i][2 * b + j] += weight * phi[a] * phi[b] * H[i][j];
      }
    }
  }
  const psi = gaussSolve(K, r);
  return { general: psi.slice(0, 2), response: [0, 1].map((i) => [0, 1].map((k) => psi[2 * (k + 1) + i] / SSG[k])) };
}

/** The STN residuals E[φ_a g(λ₀ + σ⊙z, w₀ + Θ(σ⊙z))] by the exact 3-point rule. */
function stnResidual(prob: SmoothInnerProblem, general: readonly number[], response: readonly (readonly number[])[]): number[] {
  const f = new Array<number>(6).fill(0);
  for (const { z, weight } of gh3Points(2)) {
    const eps = SSG.map((s, k) => s * z[k]);
    const w = general.map((v, i) => v + response[i][0] * eps[0] + response[i][1] * eps[1]);
    const g = prob.gradW(SL0.map((v, k) => v + eps[k]), w);
    const phi = [1, z[0], z[1]];
    for (let a = 0; a < 3; a++) for (let i = 0; i < 2; i++) f[2 * a + i] += weight * phi[a] * g[i];
  }
  return f;
}

describe('stnFixedPoint', () => {
  test('g linear in w (γ = 0): the solution of the STN system solved here, in 2 Newton iterations; the default is 8 nodes', () => {
    const prob = polyProblem(0);
    const start = { general: [0.1, 0.2], response: [[0.3, -0.1], [0.05, 0.4]] };
    const r = stnFixedPoint(prob, SL0, SSG, start);
    const o = linearStnOracle();
    expect(Object.keys(r).sort()).toEqual(['converged', 'general', 'iterations', 'response']);
    expectVecClose(r.general, o.general, 1e-13);
    expect(r.response.length).toBe(2);
    r.response.forEach((row, i) => expectVecClose(row, o.response[i], 1e-13));
    expect(r.iterations).toBe(2);
    expect(r.converged).toBe(true);
    // 64 quadrature points: 8 distinct λ₁ values and 8 distinct λ₂ values, λ₀ + σ·(the 8-node rule)
    const rule = gaussHermite(8).nodes;
    const l1 = [...new Set(prob.gradCalls.map((l) => l[0]))].sort((a, b) => a - b);
    const l2 = [...new Set(prob.gradCalls.map((l) => l[1]))].sort((a, b) => a - b);
    expect(l1).toEqual([...rule].map((x) => SL0[0] + SSG[0] * x).sort((a, b) => a - b));
    expect(l2).toEqual([...rule].map((x) => SL0[1] + SSG[1] * x).sort((a, b) => a - b));
    expect(prob.gradCalls.length % 64).toBe(0);
  });

  test('nodes 3: the 9 points λ₀ + σ⊙z, z ∈ {0, ±√3}², and the same solution; one Newton step from a far start lands on it', () => {
    const prob = polyProblem(0);
    const start = { general: [0, 0], response: [[0, 0], [0, 0]] };
    const r = stnFixedPoint(prob, SL0, SSG, start, { nodes: 3, maxIterations: 1 });
    const o = linearStnOracle();
    expectVecClose(r.general, o.general, 1e-13);
    r.response.forEach((row, i) => expectVecClose(row, o.response[i], 1e-13));
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(false);
    const rule = gaussHermite(3).nodes;
    const pts = new Set(prob.gradCalls.map((l) => l.join(',')));
    expect(pts.size).toBe(9);
    for (const a of rule) for (const b of rule) expect(pts.has([SL0[0] + SSG[0] * a, SL0[1] + SSG[1] * b].join(','))).toBe(true);
  });

  test('started at the solution: converged after one (tiny) step', () => {
    const o = linearStnOracle();
    const r = stnFixedPoint(polyProblem(0), SL0, SSG, o, { nodes: 3 });
    expect(r.iterations).toBe(1);
    expect(r.converged).toBe(true);
    expectVecClose(r.general, o.general, 1e-13);
  });

  test('g cubic in w (γ = 0.4): the STN residuals recomputed by the exact 3-point rule vanish at the result', () => {
    const prob = polyProblem(0.4);
    const start = { general: [0.2, -0.1], response: [[0.1, 0], [0, 0.1]] };
    const r = stnFixedPoint(prob, SL0, SSG, start, { nodes: 4 });
    expect(r.converged).toBe(true);
    expect(r.iterations).toBe(5);
    const f = stnResidual(polyProblem(0.4), r.general, r.response);
    f.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-14));
    // not the trivial answer
    expect(Math.abs(r.response[0][0])).toBeGreaterThan(0.01);
    expect(Math.abs(r.response[1][0])).toBeGreaterThan(0.01);
  });

  test('m = 1, h = 1 at nodes = 200 (the upper bound is allowed): one step on g = (2 + λ²)w − 1', () => {
    const prob: SmoothInnerProblem = { weights: 1, hypers: 1, gradW: (l, w) => [(2 + l[0] * l[0]) * w[0] - 1], hessW: (l) => [[2 + l[0] * l[0]]] };
    const r = stnFixedPoint(prob, [0.5], [0.4], { general: [0], response: [[0]] }, { nodes: 200, maxIterations: 1 });
    // closed form (E[ε²] = s, E[ε⁴] = 3s²): θ = −2λ₀w₀/(2 + λ₀² + 3s), (2 + λ₀² + s)w₀ + 2λ₀sθ = 1
    const s = 0.16;
    const a = 2 + 0.25;
    const w0 = 1 / (a + s - (4 * 0.25 * s) / (a + 3 * s));
    expectClose(r.general[0], w0, 1e-12);
    expectClose(r.response[0][0], (-2 * 0.5 * w0) / (a + 3 * s), 1e-12);
  });

  test('typed errors: start.general, start.response, sigma, nodes, options, and a Hessian that is not positive definite', () => {
    const prob = polyProblem(0);
    const st = { general: [0, 0], response: [[0, 0], [0, 0]] };
    expectThrows(() => stnFixedPoint(prob, SL0, SSG, { ...st, general: [0] }), ShapeMismatchError, 'start.general', 'start.general: expected shape length 2, got length 1');
    expectThrows(() => stnFixedPoint(prob, SL0, SSG, { ...st, general: [0, NaN] }), NonFiniteError, 'start.general[1]', 'start.general[1]: expected a finite number, got NaN');
    expectThrows(() => stnFixedPoint(prob, SL0, SSG, { ...st, response: [[0, 0]] }), ShapeMismatchError, 'response', 'response: expected shape 2×2, got 1×2');
    expectThrows(() => stnFixedPoint(prob, SL0, [0.5, 0], st), InvalidArgumentError, 'sigma[1]', 'sigma[1]: expected σ > 0, got 0');
    expectThrows(() => stnFixedPoint(prob, SL0, SSG, st, { nodes: 1 }), InvalidArgumentError, 'options.nodes', 'options.nodes: expected an integer in [2, 200], got 1');
    expectThrows(() => stnFixedPoint(prob, SL0, SSG, st, { nodes: 201 }), InvalidArgumentError, 'options.nodes', 'options.nodes: expected an integer in [2, 200], got 201');
    expectThrows(() => stnFixedPoint(prob, SL0, SSG, st, { nodes: 2.5 }), InvalidArgumentError, 'options.nodes', 'options.nodes: expected an integer in [2, 200], got 2.5');
    expectThrows(() => stnFixedPoint(prob, SL0, SSG, st, { nodes: 2, maxIterations: 0 }), InvalidArgumentError, 'options.maxIterations', 'options.maxIterations: expected an integer ≥ 1, got 0');
    const bad: SmoothInnerProblem = { ...prob, hessW: () => [[-1, 0], [0, -1]] };
    expectThrows(() => stnFixedPoint(bad, SL0, SSG, st, { nodes: 2 }), NotPositiveDefiniteError, 'hessW', 'hessW: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });

  test('the Jacobian is symmetrised as documented: diagonal blocks averaged with their transpose, off-diagonal blocks mirrored (H off by 8e-13)', () => {
    // g = S(λ)w − b with S symmetric; hessW returns S with S₀₁ raised by δ (within assertSymmetric's 1e-12), so the
    // one Newton step from ψ = 0, ψ₁ = M⁻¹(b; 0), shows which triangle (or average) the solve uses.
    const delta = 8e-13;
    const S = (l: number): number[][] => [[2 + l * l, 0.5], [0.5, 1.5 + 0.3 * l]];
    const bb = [1, -0.5];
    const prob: SmoothInnerProblem = {
      weights: 2,
      hypers: 1,
      gradW: (l, w) => S(l[0]).map((row, i) => row[0] * w[0] + row[1] * w[1] - bb[i]),
      hessW: (l) => {
        const h = S(l[0]);
        h[0][1] += delta;
        return h;
      },
    };
    const l0 = 0.4;
    const sg = 0.7;
    const blocks = [[[[0, 0], [0, 0]], [[0, 0], [0, 0]]], [[[0, 0], [0, 0]], [[0, 0], [0, 0]]]];
    for (const { z, weight } of gh3Points(1)) {
      const h = S(l0 + sg * z[0]);
      h[0][1] += delta;
      const phi = [1, z[0]];
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) blocks[a][b][i][j] += weight * phi[a] * phi[b] * h[i][j];
    }
    const M = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        for (let i = 0; i < 2; i++) {
          for (let j = 0; j < 2; j++) {
            const v = a === b ? 0.5 * (blocks[a][a][i][j] + blocks[a][a][j][i]) : a < b ? blocks[a][b][i][j] : blocks[b][a][j][i];
            M[2 * a + i][2 * b + j] = v;
          }
        }
      }
    }
    const psi = gaussSolve(M, [...bb, 0, 0]);
    const r = stnFixedPoint(prob, [l0], [sg], { general: [0, 0], response: [[0], [0]] }, { nodes: 3, maxIterations: 1 });
    expectVecClose(r.general, psi.slice(0, 2), 2e-14);
    expectVecClose(r.response.map((row) => row[0] * sg), psi.slice(2), 2e-14);
  });

  test('nodes 2 (the lower bound) is allowed: 4 points', () => {
    const prob = polyProblem(0);
    const r = stnFixedPoint(prob, SL0, SSG, { general: [0, 0], response: [[0, 0], [0, 0]] }, { nodes: 2, maxIterations: 1 });
    expect(r.iterations).toBe(1);
    expect(new Set(prob.gradCalls.map((l) => l.join(','))).size).toBe(4);
  });
});
