/**
 * Killing tests for src/theory/lin/vector.ts, first part (README, "Mutation testing"): the vector toys of LIN in
 * matrix form and the two functions built on them directly. test/theory/LIN.test.ts checks the end results (Prop.
 * L.1's PSD Hessian, Prop. L.2's limits); these pin the pieces, each against an oracle worked independently here:
 * - `vectorTanhToy` and `tanhRegressionToy`: residuals, Jacobian and the second-order jet
 *   (r_i = tanh(Σ_j X_ij s_j w_j) − (Sλ)_i − y_i, s_j = e^{λ_{j mod h}} when scaled) against the formulas written out
 *   by hand (and the jet against central differences), the weight-decay regularizer R = ½Σ_j e^{λ_{j mod h}} w_j²
 *   with its gradient, Hessian and mixed derivative, the defaults of every option, and the copies of the data;
 * - `linearizedObjectiveVec`: F_lin(Θ) = E[½/n‖r(λ₀+ε) + JΘε‖² + R(λ₀+ε, w₀+Θε)] is quadratic in Θ, and for these toys
 *   its value, gradient and Hessian have closed forms through the Gaussian moments E[ε_k ε_l e^{ε_c}]
 *   (e^{σ²/2}, σ²e^{σ²/2}, (σ²+σ⁴)e^{σ²/2}); the gradient and Hessian are also checked against central differences;
 * - `trainLossVec`: value, gradient and every curvature piece against a second computation from the hand-written jet,
 *   and the gradient, Hessian and cross term against central differences of the value and gradient;
 * - every typed error (`checkRegressionData`, `shift`, the jet's `lambda`/`w`, `lambda0`, `general`, `nodes`) by
 *   class, argument and exact message, each boundary (hypers = 1, nodes = 2) tested at the boundary.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../src/errors.js';
import {
  linearizedObjectiveVec,
  tanhRegressionToy,
  trainLossVec,
  vectorTanhToy,
  type SecondOrderVectorToy,
  type VectorToy,
} from '../../src/theory/lin/vector.js';
import { expectThrows } from './throws.js';

type Nested = number | Nested[];

/** `actual` has exactly the shape of `expected` (array lengths at every level) and each entry within tol·max(1, |e|). */
function expectClose(actual: unknown, expected: Nested, tol: number, path = ''): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    const a = actual as number;
    expect(Number.isFinite(a), `${path} = ${a}`).toBe(true);
    expect(Math.abs(a - expected), `${path}: ${a} vs ${expected}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
    return;
  }
  expect(Array.isArray(actual), path).toBe(true);
  const arr = actual as unknown[];
  expect(arr.length, `${path}.length`).toBe(expected.length);
  expected.forEach((e, i) => expectClose(arr[i], e, tol, `${path}[${i}]`));
}

const TIGHT = 1e-12;

// n = 3 examples, m = 3 weights (m = 2 uses the first two columns).
const X3 = [
  [0.5, -1, 0.3],
  [1.5, 0.25, -0.6],
  [-0.75, 2, 0.1],
];
const X2 = [
  [0.5, -1],
  [1.5, 0.25],
  [-0.75, 2],
];
const Y = [0.2, -0.4, 0.6];
/** n×h shift S with h = 2 */
const S2 = [
  [0.3, -0.2],
  [-0.5, 0.4],
  [0.25, 0.7],
];

/** The hand-written jet of r_i = tanh(Σ_j X_ij s_j w_j) − (Sλ)_i − y_i, s_j = e^{λ_{j mod h}} when scaled (else 1). */
function refJet(X: number[][], y: number[], S: number[][] | null, scaled: boolean, lambda: number[], w: number[]) {
  const n = X.length;
  const h = lambda.length;
  const s = w.map((_, j) => (scaled ? Math.exp(lambda[j % h]) : 1));
  const value: number[] = [];
  const jacobian: number[][] = [];
  const dl: number[][] = [];
  const dww: number[][][] = [];
  const dwl: number[][][] = [];
  for (let i = 0; i < n; i++) {
    const a = X[i].map((x, j) => x * s[j]);
    const z = a.reduce((acc, aj, j) => acc + aj * w[j], 0);
    const u = Math.tanh(z);
    const u1 = 1 - u * u;
    const u2 = -2 * u * u1;
    const off = S ? S[i].reduce((acc, sk, k) => acc + sk * lambda[k], 0) : 0;
    value.push(u - y[i] - off);
    jacobian.push(a.map((aj) => u1 * aj));
    // ∂z/∂λ_k = Σ_{j ≡ k} a_j w_j when scaled
    const zl = lambda.map((_, k) => (scaled ? a.reduce((acc, aj, j) => acc + (j % h === k ? aj * w[j] : 0), 0) : 0));
    dl.push(zl.map((zk, k) => u1 * zk - (S ? S[i][k] : 0)));
    dww.push(a.map((ap) => a.map((aq) => u2 * ap * aq)));
    dwl.push(a.map((ap, p) => zl.map((zk, k) => u2 * zk * ap + (scaled && p % h === k ? u1 * ap : 0))));
  }
  return { value, jacobian, dl, dww, dwl };
}

/** R = ½Σ_j e^{λ_{j mod h}} w_j², its gradient, Hessian (diagonal) and mixed derivative ∂²R/∂w_j∂λ_k. */
function refReg(lambda: number[], w: number[]) {
  const h = lambda.length;
  const e = w.map((_, j) => Math.exp(lambda[j % h]));
  return {
    value: w.reduce((acc, v, j) => acc + 0.5 * e[j] * v * v, 0),
    gradient: w.map((v, j) => e[j] * v),
    hessian: w.map((_, i) => w.map((__, j) => (i === j ? e[i] : 0))),
    cross: w.map((v, j) => lambda.map((_, k) => (j % h === k ? e[j] * v : 0))),
  };
}

describe('checkRegressionData (through both factories): every typed error, exact message', () => {
  const factories = [
    (X: number[][], y: number[], h: number) => vectorTanhToy(X, y, h),
    (X: number[][], y: number[], h: number) => tanhRegressionToy(X, y, h),
  ];
  test('X empty or with empty rows; ragged X', () => {
    for (const f of factories) {
      expectThrows(() => f([], [], 1), ShapeMismatchError, 'X', 'X: expected shape a non-empty n×m matrix, got empty');
      expectThrows(() => f([[]], [1], 1), ShapeMismatchError, 'X', 'X: expected shape a non-empty n×m matrix, got empty');
      expectThrows(() => f([[1, 2], [3]], [1, 2], 1), ShapeMismatchError, 'X', 'X: expected shape rows of length 2, got row 1 of length 1');
      expectThrows(() => f([[1], [3, 4]], [1, 2], 1), ShapeMismatchError, 'X', 'X: expected shape rows of length 1, got row 1 of length 2');
    }
  });
  test('non-finite entries of X and y name the entry', () => {
    for (const f of factories) {
      expectThrows(() => f([[1, NaN]], [1], 1), NonFiniteError, 'X[0][1]', 'X[0][1]: expected a finite number, got NaN');
      expectThrows(() => f([[1, 2], [Infinity, 0]], [1, 2], 1), NonFiniteError, 'X[1][0]', 'X[1][0]: expected a finite number, got Infinity');
      expectThrows(() => f([['1' as unknown as number]], [1], 1), NonFiniteError, 'X[0][0]', 'X[0][0]: expected a finite number, got "1"');
      expectThrows(() => f(X2, [0, -Infinity, 0], 1), NonFiniteError, 'y[1]', 'y[1]: expected a finite number, got -Infinity');
      expectThrows(() => f(X2, [0, 1, NaN], 1), NonFiniteError, 'y[2]', 'y[2]: expected a finite number, got NaN');
    }
  });
  test('y of the wrong length', () => {
    for (const f of factories) {
      expectThrows(() => f(X2, [1, 2], 1), ShapeMismatchError, 'y', 'y: expected shape length 3, got length 2');
      expectThrows(() => f(X2, [1, 2, 3, 4], 1), ShapeMismatchError, 'y', 'y: expected shape length 3, got length 4');
    }
  });
  test('hypers: 0, −1, 1.5 and NaN rejected, 1 (the boundary) and 2 accepted', () => {
    for (const f of factories) {
      for (const h of [0, -1, 1.5, NaN]) {
        expectThrows(() => f(X2, Y, h), InvalidArgumentError, 'hypers', `hypers: expected an integer ≥ 1, got ${String(h)}`);
      }
      expect(f(X2, Y, 1).hypers).toBe(1);
      expect(f(X2, Y, 2).hypers).toBe(2);
      expect(f(X2, Y, 3)).toMatchObject({ weights: 2, hypers: 3, size: 3 });
      expect(f([[-2.5]], [0.125], 1)).toMatchObject({ weights: 1, hypers: 1, size: 1 });
    }
  });
});

describe('vectorTanhToy', () => {
  test('sizes, residuals r_i = tanh(x_iᵀw) − y_i and Jacobian (1 − u²)x_i; λ enters nowhere', () => {
    const toy = vectorTanhToy(X3, Y, 2);
    expect(toy.weights).toBe(3);
    expect(toy.hypers).toBe(2);
    expect(toy.size).toBe(3);
    const w = [0.3, -0.7, 1.9];
    const ref = refJet(X3, Y, null, false, [0, 0], w);
    const out = toy.residuals([5, -3], w);
    expect(Object.keys(out).sort()).toEqual(['jacobian', 'value']);
    expectClose(out.value, ref.value, TIGHT);
    expectClose(out.jacobian, ref.jacobian, TIGHT);
    expect(toy.residuals([-1, 2], w)).toEqual(out);
    // w = 0: u = 0, r = −y exactly and J = X exactly
    const zero = vectorTanhToy(X2, Y, 1).residuals([0.4], [0, 0]);
    expectClose(zero.value, Y.map((v) => -v), 0);
    expectClose(zero.jacobian, X2, 0);
  });

  test('holds copies of X and y', () => {
    const X = X2.map((r) => [...r]);
    const y = [...Y];
    const toy = vectorTanhToy(X, y, 1);
    const before = toy.residuals([0], [0.3, -0.7]);
    X[0][0] = 99;
    X[2] = [7, 7];
    y[1] = 42;
    expect(toy.residuals([0], [0.3, -0.7])).toEqual(before);
  });

  test('weight decay by default: R = ½Σ e^{λ_{j mod h}} w_j², its gradient and diagonal Hessian (h = 1 and h = 2)', () => {
    const w = [0.3, -0.7, 1.9];
    for (const lambda of [[0.2], [0.2, -0.5]]) {
      const toy = vectorTanhToy(X3, Y, lambda.length);
      expect(toy.regularizer).toBeTypeOf('function');
      const reg = toy.regularizer!(lambda, w);
      const ref = refReg(lambda, w);
      expect(Object.keys(reg).sort()).toEqual(['gradient', 'hessian', 'value']);
      expectClose(reg.value, ref.value, TIGHT);
      expectClose(reg.gradient, ref.gradient, TIGHT);
      expectClose(reg.hessian, ref.hessian, TIGHT);
    }
    // λ = 0, w = (1, 2): R = ½(1 + 4) = 5/2 exactly
    expect(vectorTanhToy(X2, Y, 1, true).regularizer!([0], [1, 2])).toEqual({ value: 2.5, gradient: [1, 2], hessian: [[1, 0], [0, 1]] });
  });

  test('weightDecay false: no regularizer', () => {
    expect(vectorTanhToy(X2, Y, 1, false).regularizer).toBeUndefined();
    expect(vectorTanhToy(X2, Y, 2, false).regularizer).toBeUndefined();
  });
});

describe('tanhRegressionToy: shift validation and the jet lengths check', () => {
  test('shift of the wrong shape: exact messages (rows, a ragged row, all rows short, empty)', () => {
    expectThrows(() => tanhRegressionToy(X2, Y, 2, { shift: S2.slice(0, 2) }), ShapeMismatchError, 'shift', 'shift: expected shape 3×2, got 2×2');
    expectThrows(() => tanhRegressionToy(X2, Y, 2, { shift: [[1, 2], [1], [1, 2]] }), ShapeMismatchError, 'shift', 'shift: expected shape 3×2, got 3×2');
    expectThrows(() => tanhRegressionToy(X2, Y, 2, { shift: [[1, 2], [1, 2], [1, 2, 3]] }), ShapeMismatchError, 'shift', 'shift: expected shape 3×2, got 3×2');
    expectThrows(() => tanhRegressionToy(X2, Y, 2, { shift: [[1], [1], [1]] }), ShapeMismatchError, 'shift', 'shift: expected shape 3×2, got 3×1');
    expectThrows(() => tanhRegressionToy(X2, Y, 1, { shift: [] }), ShapeMismatchError, 'shift', 'shift: expected shape 3×1, got 0×0');
  });

  test('non-finite shift entries name the entry; a valid shift is accepted', () => {
    expectThrows(() => tanhRegressionToy(X2, Y, 2, { shift: [[0, 0], [NaN, 0], [0, 0]] }), NonFiniteError, 'shift[1][0]', 'shift[1][0]: expected a finite number, got NaN');
    expectThrows(() => tanhRegressionToy(X2, Y, 2, { shift: [[0, 0], [0, 0], [0, -Infinity]] }), NonFiniteError, 'shift[2][1]', 'shift[2][1]: expected a finite number, got -Infinity');
    expect(tanhRegressionToy(X2, Y, 2, { shift: S2 })).toMatchObject({ weights: 2, hypers: 2, size: 3 });
  });

  test('residuals and residualJet check the lengths of λ and w', () => {
    const toy = tanhRegressionToy(X3, Y, 2);
    for (const f of [toy.residuals, toy.residualJet] as ((l: number[], w: number[]) => unknown)[]) {
      expectThrows(() => f([0], [0, 0, 0]), ShapeMismatchError, 'lambda', 'lambda: expected shape length 2, got length 1');
      expectThrows(() => f([0, 0, 0], [0, 0, 0]), ShapeMismatchError, 'lambda', 'lambda: expected shape length 2, got length 3');
      expectThrows(() => f([0, 0], [0, 0]), ShapeMismatchError, 'w', 'w: expected shape length 3, got length 2');
      expectThrows(() => f([0, 0], [0, 0, 0, 0]), ShapeMismatchError, 'w', 'w: expected shape length 3, got length 4');
    }
  });
});

describe('tanhRegressionToy: residuals and jet against the hand-written formulas', () => {
  const lambda = [0.35, -0.6];
  const w = [0.4, -0.3, 0.8];
  const cases: { name: string; scaled: boolean; S: number[][] | null; options: Parameters<typeof tanhRegressionToy>[3] }[] = [
    { name: 'defaults (unscaled, no shift)', scaled: false, S: null, options: undefined },
    { name: 'scaleByHyper', scaled: true, S: null, options: { scaleByHyper: true } },
    { name: 'shift', scaled: false, S: S2, options: { shift: S2, scaleByHyper: false } },
    { name: 'scaleByHyper and shift', scaled: true, S: S2, options: { shift: S2, scaleByHyper: true } },
  ];
  for (const c of cases) {
    test(`${c.name}: residuals and every field of residualJet`, () => {
      const toy = tanhRegressionToy(X3, Y, 2, c.options);
      expect(toy).toMatchObject({ weights: 3, hypers: 2, size: 3 });
      const ref = refJet(X3, Y, c.S, c.scaled, lambda, w);
      const r = toy.residuals(lambda, w);
      expect(Object.keys(r).sort()).toEqual(['jacobian', 'value']);
      expectClose(r.value, ref.value, TIGHT);
      expectClose(r.jacobian, ref.jacobian, TIGHT);
      const jet = toy.residualJet(lambda, w);
      expect(Object.keys(jet).sort()).toEqual(['dl', 'dwl', 'dww', 'jacobian', 'value']);
      expectClose(jet.value, ref.value, TIGHT);
      expectClose(jet.jacobian, ref.jacobian, TIGHT);
      expectClose(jet.dl, ref.dl, TIGHT);
      expectClose(jet.dww, ref.dww, TIGHT);
      expectClose(jet.dwl, ref.dwl, TIGHT);
    });
  }

  test('h = 1 with m = 3 (every weight in group 0) and h = 3 with m = 2 (a group with no weight)', () => {
    for (const [X, lam, ww] of [
      [X3, [0.45], w],
      [X2, [0.2, -0.3, 0.7], [0.6, -0.9]],
    ] as [number[][], number[], number[]][]) {
      const toy = tanhRegressionToy(X, Y, lam.length, { scaleByHyper: true, shift: S2.map((row) => lam.map((_, k) => row[k % 2] + k)) });
      const ref = refJet(X, Y, S2.map((row) => lam.map((_, k) => row[k % 2] + k)), true, lam, ww);
      expectClose(toy.residualJet(lam, ww).value, ref.value, TIGHT);
      expectClose(toy.residualJet(lam, ww).jacobian, ref.jacobian, TIGHT);
      expectClose(toy.residualJet(lam, ww).dl, ref.dl, TIGHT);
      expectClose(toy.residualJet(lam, ww).dww, ref.dww, TIGHT);
      expectClose(toy.residualJet(lam, ww).dwl, ref.dwl, TIGHT);
      expectClose(toy.residuals(lam, ww).value, ref.value, TIGHT);
      expectClose(toy.residuals(lam, ww).jacobian, ref.jacobian, TIGHT);
      const reg = refReg(lam, ww);
      expectClose(toy.regularizer!(lam, ww).value, reg.value, TIGHT);
      expectClose(toy.regularizer!(lam, ww).hessian, reg.hessian, TIGHT);
      expectClose(toy.regularizerCross!(lam, ww), reg.cross, TIGHT);
    }
  });

  test('the jet is the derivative of the residuals: central differences in w and λ (scaled, shifted)', () => {
    const toy = tanhRegressionToy(X3, Y, 2, { scaleByHyper: true, shift: S2 });
    const jet = toy.residualJet(lambda, w);
    const d = 1e-5;
    const tol = 1e-7;
    for (let p = 0; p < 3; p++) {
      const wp = w.map((v, j) => (j === p ? v + d : v));
      const wm = w.map((v, j) => (j === p ? v - d : v));
      const rp = toy.residualJet(lambda, wp);
      const rm = toy.residualJet(lambda, wm);
      for (let i = 0; i < 3; i++) {
        expect(Math.abs((rp.value[i] - rm.value[i]) / (2 * d) - jet.jacobian[i][p])).toBeLessThan(tol);
        for (let q = 0; q < 3; q++) expect(Math.abs((rp.jacobian[i][q] - rm.jacobian[i][q]) / (2 * d) - jet.dww[i][q][p])).toBeLessThan(tol);
      }
    }
    for (let k = 0; k < 2; k++) {
      const lp = lambda.map((v, j) => (j === k ? v + d : v));
      const lm = lambda.map((v, j) => (j === k ? v - d : v));
      const rp = toy.residualJet(lp, w);
      const rm = toy.residualJet(lm, w);
      for (let i = 0; i < 3; i++) {
        expect(Math.abs((rp.value[i] - rm.value[i]) / (2 * d) - jet.dl[i][k])).toBeLessThan(tol);
        for (let q = 0; q < 3; q++) expect(Math.abs((rp.jacobian[i][q] - rm.jacobian[i][q]) / (2 * d) - jet.dwl[i][q][k])).toBeLessThan(tol);
      }
    }
  });

  test('holds copies of X, y and shift', () => {
    const X = X3.map((r) => [...r]);
    const y = [...Y];
    const S = S2.map((r) => [...r]);
    const toy = tanhRegressionToy(X, y, 2, { shift: S, scaleByHyper: true });
    const before = toy.residualJet(lambda, w);
    X[0][1] = 50;
    y[2] = -50;
    S[1][1] = 50;
    expect(toy.residualJet(lambda, w)).toEqual(before);
    expect(toy.residuals(lambda, w)).toEqual({ value: before.value, jacobian: before.jacobian });
  });
});

describe('tanhRegressionToy: weight decay, its mixed derivative, and the option defaults', () => {
  const lambda = [0.35, -0.6];
  const w = [0.4, -0.3, 0.8];
  test('default (weightDecay true): R, ∇R, ∇²R and ∂²R/∂w∂λ (m = 3, h = 2)', () => {
    for (const options of [undefined, {}, { weightDecay: true }]) {
      const toy = tanhRegressionToy(X3, Y, 2, options);
      const ref = refReg(lambda, w);
      const reg = toy.regularizer!(lambda, w);
      expect(Object.keys(reg).sort()).toEqual(['gradient', 'hessian', 'value']);
      expectClose(reg.value, ref.value, TIGHT);
      expectClose(reg.gradient, ref.gradient, TIGHT);
      expectClose(reg.hessian, ref.hessian, TIGHT);
      expectClose(toy.regularizerCross!(lambda, w), ref.cross, TIGHT);
    }
    // λ = 0, w = (1, 2, 3): R = ½(1 + 4 + 9) = 7 exactly
    const toy = tanhRegressionToy(X3, Y, 2);
    expect(toy.regularizer!([0, 0], [1, 2, 3])).toEqual({ value: 7, gradient: [1, 2, 3], hessian: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] });
    expect(toy.regularizerCross!([0, 0], [1, 2, 3])).toEqual([[1, 0], [0, 2], [3, 0]]);
  });

  test('weightDecay false: neither regularizer nor its cross term', () => {
    const toy = tanhRegressionToy(X3, Y, 2, { weightDecay: false, scaleByHyper: true });
    expect(toy.regularizer).toBeUndefined();
    expect(toy.regularizerCross).toBeUndefined();
  });

  test('scaleByHyper defaults to false: the default toy equals the explicitly unscaled one, and differs from the scaled one', () => {
    const dflt = tanhRegressionToy(X3, Y, 2).residualJet(lambda, w);
    expect(tanhRegressionToy(X3, Y, 2, { scaleByHyper: false }).residualJet(lambda, w)).toEqual(dflt);
    expect(dflt.jacobian[0][1]).not.toBeCloseTo(tanhRegressionToy(X3, Y, 2, { scaleByHyper: true }).residualJet(lambda, w).jacobian[0][1], 6);
  });
});

// ──────────────────────────── linearizedObjectiveVec: closed forms through Gaussian moments ────────────────────────────

/**
 * F_lin for a toy whose Jacobian J (n×m) does not depend on λ and whose residual is r₀ − Sε at λ₀ + ε (S = 0 when
 * null), with the optional decay R = ½Σ_a e^{λ_{c(a)}+ε_{c(a)}}(w_a + (Θε)_a)², c(a) = a mod h. Writing
 * D = JΘ − S and M2(k, l; c) = E[ε_kε_l e^{ε_c}]:
 * F = ½/n(‖r₀‖² + Σ_k σ_k²‖D_{:,k}‖²) + ½Σ_a e^{λ_c}[w_a²M0 + 2w_aΣ_kΘ_{ak}M1(k) + Σ_{kl}Θ_{ak}Θ_{al}M2(k,l)],
 * ∂F/∂Θ_{ak} = σ_k²(JᵀD)_{ak}/n + e^{λ_c}[w_aM1(k) + Σ_lΘ_{al}M2(k,l)], ∂²F/∂Θ_{ak}∂Θ_{bl} = δ_{kl}σ_k²(JᵀJ)_{ab}/n + δ_{ab}e^{λ_c}M2(k,l).
 */
function linOracle(J: number[][], r0: number[], S: number[][] | null, lambda0: number[], w0: number[], sigma: number[], theta: number[][], decay: boolean) {
  const n = J.length;
  const m = J[0].length;
  const h = sigma.length;
  const D = J.map((row, i) => sigma.map((_, k) => row.reduce((acc, x, b) => acc + x * theta[b][k], 0) - (S ? S[i][k] : 0)));
  let value = 0.5 * r0.reduce((acc, v) => acc + v * v, 0) / n;
  for (let k = 0; k < h; k++) value += (0.5 * sigma[k] ** 2 * D.reduce((acc, row) => acc + row[k] ** 2, 0)) / n;
  const gradient = new Array<number>(m * h).fill(0);
  const hessian = Array.from({ length: m * h }, () => new Array<number>(m * h).fill(0));
  for (let a = 0; a < m; a++) {
    for (let k = 0; k < h; k++) {
      gradient[a + k * m] += (sigma[k] ** 2 * J.reduce((acc, row, i) => acc + row[a] * D[i][k], 0)) / n;
      for (let b = 0; b < m; b++) hessian[a + k * m][b + k * m] += (sigma[k] ** 2 * J.reduce((acc, row) => acc + row[a] * row[b], 0)) / n;
    }
  }
  if (decay) {
    for (let a = 0; a < m; a++) {
      const c = a % h;
      const s2 = sigma[c] ** 2;
      const E = Math.exp(lambda0[c]);
      const M0 = Math.exp(s2 / 2);
      const M1 = (k: number) => (k === c ? s2 * M0 : 0);
      const M2 = (k: number, l: number) => (k !== l ? 0 : k === c ? (s2 + s2 * s2) * M0 : sigma[k] ** 2 * M0);
      let v = w0[a] ** 2 * M0;
      for (let k = 0; k < h; k++) {
        v += 2 * w0[a] * theta[a][k] * M1(k);
        for (let l = 0; l < h; l++) v += theta[a][k] * theta[a][l] * M2(k, l);
        let g = w0[a] * M1(k);
        for (let l = 0; l < h; l++) {
          g += theta[a][l] * M2(k, l);
          hessian[a + k * m][a + l * m] += E * M2(k, l);
        }
        gradient[a + k * m] += E * g;
      }
      value += 0.5 * E * v;
    }
  }
  return { value, gradient, hessian };
}

/** r₀ and J of tanh regression (unscaled) at w₀ and λ₀. */
function tanhAt(X: number[][], y: number[], S: number[][] | null, lambda0: number[], w0: number[]) {
  const ref = refJet(X, y, S, false, lambda0, w0);
  return { r0: ref.value, J: ref.jacobian };
}

describe('linearizedObjectiveVec: validation', () => {
  const toy = (): VectorToy => vectorTanhToy(X2, Y, 1);
  const theta = [[0.1], [0.2]];
  test('lambda0 and general of the wrong length; nodes below 2 or not an integer', () => {
    expectThrows(() => linearizedObjectiveVec(toy(), [0, 0], [0, 0], [0.5], theta), ShapeMismatchError, 'lambda0', 'lambda0: expected shape length 1, got length 2');
    expectThrows(() => linearizedObjectiveVec(toy(), [], [0], [0.5], theta), ShapeMismatchError, 'lambda0', 'lambda0: expected shape length 1, got length 0');
    expectThrows(() => linearizedObjectiveVec(toy(), [0], [0], [0.5], theta), ShapeMismatchError, 'general', 'general: expected shape length 2, got length 1');
    expectThrows(() => linearizedObjectiveVec(toy(), [0], [0, 0, 0], [0.5], theta), ShapeMismatchError, 'general', 'general: expected shape length 2, got length 3');
    for (const nodes of [1, 0, -3, 2.5, NaN]) {
      expectThrows(() => linearizedObjectiveVec(toy(), [0], [0, 0], [0.5], theta, nodes), InvalidArgumentError, 'nodes', `nodes: expected an integer ≥ 2, got ${String(nodes)}`);
    }
  });

  test('nodes = 2 (the boundary) is accepted and exact for a quadratic data term (no decay); nodes = 3 too', () => {
    const t = vectorTanhToy(X2, Y, 2, false);
    const w0 = [0.3, -0.7];
    const th = [
      [0.4, -0.2],
      [0.1, 0.6],
    ];
    const sigma = [0.5, 0.8];
    const { r0, J } = tanhAt(X2, Y, null, [0, 0], w0);
    const ref = linOracle(J, r0, null, [0.1, 0.2], w0, sigma, th, false);
    for (const nodes of [2, 3]) {
      const out = linearizedObjectiveVec(t, [0.1, 0.2], w0, sigma, th, nodes);
      expect(Object.keys(out).sort()).toEqual(['gradient', 'hessian', 'value']);
      expectClose(out.value, ref.value, TIGHT);
      expectClose(out.gradient, ref.gradient, TIGHT);
      expectClose(out.hessian, ref.hessian, TIGHT);
    }
  });
});

describe('linearizedObjectiveVec: value, gradient and Hessian against the closed forms', () => {
  test('vectorTanhToy, h = 1, m = 2, weight decay, default nodes (= 80, the same as passing 80)', () => {
    const t = vectorTanhToy(X2, Y, 1);
    const lambda0 = [0.3];
    const w0 = [0.4, -0.9];
    const sigma = [0.6];
    const th = [[0.7], [-0.45]];
    const { r0, J } = tanhAt(X2, Y, null, lambda0, w0);
    const ref = linOracle(J, r0, null, lambda0, w0, sigma, th, true);
    const out = linearizedObjectiveVec(t, lambda0, w0, sigma, th);
    expectClose(out.value, ref.value, TIGHT);
    expectClose(out.gradient, ref.gradient, TIGHT);
    expectClose(out.hessian, ref.hessian, TIGHT);
    expect(linearizedObjectiveVec(t, lambda0, w0, sigma, th, 80)).toEqual(out);
  });

  test('vectorTanhToy, h = 2, m = 3, weight decay (groups 0, 1, 0), 20 nodes', () => {
    const t = vectorTanhToy(X3, Y, 2);
    const lambda0 = [0.3, -0.4];
    const w0 = [0.4, -0.9, 0.25];
    const sigma = [0.6, 0.35];
    const th = [
      [0.7, -0.2],
      [-0.45, 0.5],
      [0.3, 0.9],
    ];
    const { r0, J } = tanhAt(X3, Y, null, lambda0, w0);
    const ref = linOracle(J, r0, null, lambda0, w0, sigma, th, true);
    const out = linearizedObjectiveVec(t, lambda0, w0, sigma, th, 20);
    expectClose(out.value, ref.value, TIGHT);
    expectClose(out.gradient, ref.gradient, TIGHT);
    expectClose(out.hessian, ref.hessian, TIGHT);
  });

  test('tanhRegressionToy with a shift (r depends on λ: r₀ − Sε), h = 2, m = 2, with and without decay, 12 nodes', () => {
    const lambda0 = [-0.2, 0.5];
    const w0 = [0.8, -0.35];
    const sigma = [0.45, 0.7];
    const th = [
      [-0.3, 0.65],
      [0.55, 0.15],
    ];
    const { r0, J } = tanhAt(X2, Y, S2, lambda0, w0);
    for (const decay of [true, false]) {
      const t = tanhRegressionToy(X2, Y, 2, { shift: S2, weightDecay: decay });
      const ref = linOracle(J, r0, S2, lambda0, w0, sigma, th, decay);
      const out = linearizedObjectiveVec(t, lambda0, w0, sigma, th, 12);
      expectClose(out.value, ref.value, TIGHT);
      expectClose(out.gradient, ref.gradient, TIGHT);
      expectClose(out.hessian, ref.hessian, TIGHT);
    }
  });

  test('a scaled toy: the gradient and Hessian are the central differences of the value (F is quadratic in ψ = vec Θ)', () => {
    const t = tanhRegressionToy(X2, Y, 2, { scaleByHyper: true, shift: S2 });
    const lambda0 = [0.1, -0.3];
    const w0 = [0.5, -0.6];
    const sigma = [0.4, 0.3];
    const psi = [0.2, -0.4, 0.5, 0.3];
    const theta = (p: number[]) => [
      [p[0], p[2]],
      [p[1], p[3]],
    ];
    const F = (p: number[]) => linearizedObjectiveVec(t, lambda0, w0, sigma, theta(p), 10);
    const base = F(psi);
    expect(base.gradient).toHaveLength(4);
    expect(base.hessian).toHaveLength(4);
    const d = 1e-3;
    for (let q = 0; q < 4; q++) {
      const up = F(psi.map((v, j) => (j === q ? v + d : v)));
      const dn = F(psi.map((v, j) => (j === q ? v - d : v)));
      expect(Math.abs((up.value - dn.value) / (2 * d) - base.gradient[q])).toBeLessThan(1e-9);
      for (let r = 0; r < 4; r++) {
        expect(base.hessian[q]).toHaveLength(4);
        expect(Math.abs((up.gradient[r] - dn.gradient[r]) / (2 * d) - base.hessian[r][q])).toBeLessThan(1e-9);
        expect(base.hessian[q][r]).toBeCloseTo(base.hessian[r][q], 14);
      }
    }
  });
});

// ─────────────────────────────────────────────── trainLossVec ───────────────────────────────────────────────

function refTrainLoss(X: number[][], y: number[], S: number[][] | null, scaled: boolean, decay: boolean, lambda: number[], w: number[]) {
  const jet = refJet(X, y, S, scaled, lambda, w);
  const n = X.length;
  const m = w.length;
  const h = lambda.length;
  const mat = (rows: number, cols: number, f: (a: number, b: number) => number) => Array.from({ length: rows }, (_, a) => Array.from({ length: cols }, (__, b) => f(a, b)));
  const sum = (f: (i: number) => number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += f(i);
    return s / n;
  };
  const reg = refReg(lambda, w);
  const gaussNewton = mat(m, m, (a, b) => sum((i) => jet.jacobian[i][a] * jet.jacobian[i][b]));
  const residualCross = mat(m, h, (a, k) => sum((i) => jet.value[i] * jet.dwl[i][a][k]));
  const regularizerHessian = decay ? reg.hessian : mat(m, m, () => 0);
  return {
    value: sum((i) => 0.5 * jet.value[i] ** 2) + (decay ? reg.value : 0),
    gradient: w.map((_, a) => sum((i) => jet.value[i] * jet.jacobian[i][a]) + (decay ? reg.gradient[a] : 0)),
    hessian: mat(m, m, (a, b) => gaussNewton[a][b] + sum((i) => jet.value[i] * jet.dww[i][a][b]) + regularizerHessian[a][b]),
    gaussNewton,
    regularizerHessian,
    cross: mat(m, h, (a, k) => sum((i) => jet.jacobian[i][a] * jet.dl[i][k]) + residualCross[a][k] + (decay ? reg.cross[a][k] : 0)),
    residualCross,
  };
}

describe('trainLossVec', () => {
  const lambda = [0.35, -0.6];
  const w = [0.4, -0.3, 0.8];
  for (const decay of [true, false]) {
    for (const scaled of [true, false]) {
      test(`every field against the second computation (decay ${decay}, scaled ${scaled}, shifted)`, () => {
        const toy = tanhRegressionToy(X3, Y, 2, { scaleByHyper: scaled, weightDecay: decay, shift: S2 });
        const out = trainLossVec(toy, lambda, w);
        const ref = refTrainLoss(X3, Y, S2, scaled, decay, lambda, w);
        expect(Object.keys(out).sort()).toEqual(['cross', 'gaussNewton', 'gradient', 'hessian', 'regularizerHessian', 'residualCross', 'value']);
        for (const key of Object.keys(ref) as (keyof typeof ref)[]) expectClose(out[key], ref[key], TIGHT, key);
      });
    }
  }

  test('no regularizer: regularizerHessian is exactly the m×m zero matrix', () => {
    const out = trainLossVec(tanhRegressionToy(X3, Y, 2, { weightDecay: false }), lambda, w);
    expect(out.regularizerHessian).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  test('a toy with a regularizer but no regularizerCross: the cross term is the data part only', () => {
    const full = tanhRegressionToy(X3, Y, 2, { scaleByHyper: true });
    const toy: SecondOrderVectorToy = { weights: 3, hypers: 2, size: 3, residuals: full.residuals, residualJet: full.residualJet, regularizer: full.regularizer };
    const out = trainLossVec(toy, lambda, w);
    const ref = refTrainLoss(X3, Y, null, true, true, lambda, w);
    const refNoCross = refTrainLoss(X3, Y, null, true, false, lambda, w);
    expectClose(out.value, ref.value, TIGHT);
    expectClose(out.hessian, ref.hessian, TIGHT);
    expectClose(out.cross, refNoCross.cross, TIGHT);
  });

  test('central differences: gradient of the value, Hessian and cross term of the gradient (scaled, shifted, decay)', () => {
    const toy = tanhRegressionToy(X3, Y, 2, { scaleByHyper: true, shift: S2 });
    const base = trainLossVec(toy, lambda, w);
    const d = 1e-5;
    for (let b = 0; b < 3; b++) {
      const up = trainLossVec(toy, lambda, w.map((v, j) => (j === b ? v + d : v)));
      const dn = trainLossVec(toy, lambda, w.map((v, j) => (j === b ? v - d : v)));
      expect(Math.abs((up.value - dn.value) / (2 * d) - base.gradient[b])).toBeLessThan(1e-8);
      for (let a = 0; a < 3; a++) expect(Math.abs((up.gradient[a] - dn.gradient[a]) / (2 * d) - base.hessian[a][b])).toBeLessThan(1e-8);
    }
    for (let k = 0; k < 2; k++) {
      const up = trainLossVec(toy, lambda.map((v, j) => (j === k ? v + d : v)), w);
      const dn = trainLossVec(toy, lambda.map((v, j) => (j === k ? v - d : v)), w);
      for (let a = 0; a < 3; a++) expect(Math.abs((up.gradient[a] - dn.gradient[a]) / (2 * d) - base.cross[a][k])).toBeLessThan(1e-8);
    }
  });
});
