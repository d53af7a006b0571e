/**
 * Killing tests for src/theory/lin/math.ts (README, "Mutation testing"): LIN's linearized response objective and its
 * minimiser on scalar toys, Prop. L.4's weight-decay closed form, the curvature scan, and the exact PT-10 family
 * (docs/math.md#s3-3, #s4-3; proofs/LIN.md). test/theory/LIN.test.ts checks the claim; these pin the pieces:
 * - F_lin, F_lin', F_lin'' on a toy with affine residuals r_i = α_i w + β_i λ + γ_i (n = 2) and the polynomial
 *   regularizer R = w² + λw, where every Gauss–Hermite expectation is a moment of ε (E ε = 0, E ε² = σ²), so
 *   F_lin(θ) = ⟨½c_i² + ½(β_i + α_iθ)²σ²⟩ + w₀² + θ²σ² + λ₀w₀ + θσ² in closed form, and its minimiser too;
 * - θ_lin(σ) = −(G + (1+σ²)c I)⁻¹ c w₀, c = e^{λ₀+σ²/2}, by hand (diagonal G) and by Cramer's rule (2×2 G);
 * - the curvature scan on r = w², where F''(θ) = 6σ²(w₀² + 3σ²θ²) (E ε⁴ = 3σ⁴), and its first-minimum tie rule;
 * - the PT-10 family exactly: θ_lin = 1/g'(w₀), J* = g'/(g'² + (g − λ₀)g'') worked by hand;
 * - every typed error by class, argument and exact message, at each boundary (σ = 0, 60 nodes, steps = 1, σ² = 0).
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, ShapeMismatchError } from '../../src/errors.js';
import { rational } from '../../src/linalg/exact.js';
import {
  assertFiniteNumber,
  assertNodes,
  assertScale,
  cubicBestResponseJacobianExact,
  cubicLinearizedResponseExact,
  linearizedResponse,
  linearizedResponseObjective,
  minResponseCurvature,
  weightDecayLinearizedResponse,
} from '../../src/theory/lin/math.js';
import { cubicToy, type ScalarJet, type ScalarToy } from '../../src/theory/scalarToys.js';
import { expectThrows } from './throws.js';

function expectRelClose(actual: number, expected: number, tol = 1e-12): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

const jet = (p: Partial<ScalarJet> & { value: number }): ScalarJet => ({ dw: 0, dl: 0, dww: 0, dwl: 0, dll: 0, dwww: 0, dwwl: 0, dwll: 0, ...p });

const ALPHA = [1, 2];
const BETA = [3, -1];
const GAMMA = [-1, 0.5];

/** r_i = α_i w + β_i λ + γ_i (n = 2), optionally with R = w² + λw; `calls` counts residual evaluations. */
function affineToy(withReg: boolean, calls: { n: number; nonFinite: number } = { n: 0, nonFinite: 0 }): ScalarToy {
  return {
    name: 'affine',
    size: 2,
    outputDependsOnLambda: true,
    residual: (i, lambda, w) => {
      calls.n++;
      if (!Number.isFinite(lambda) || !Number.isFinite(w)) calls.nonFinite++;
      return jet({ value: ALPHA[i] * w + BETA[i] * lambda + GAMMA[i], dw: ALPHA[i], dl: BETA[i] });
    },
    regularizer: withReg ? (lambda, w) => jet({ value: w * w + lambda * w, dw: 2 * w + lambda, dl: w, dww: 2, dwl: 1 }) : undefined,
  };
}

/** F_lin, F_lin', F_lin'' of {@link affineToy} in closed form. */
function affineClosedForm(withReg: boolean, lambda0: number, w0: number, sigma: number, theta: number): [number, number, number] {
  const s2 = sigma * sigma;
  let v = 0;
  let g = 0;
  let h = 0;
  for (let i = 0; i < 2; i++) {
    const c = ALPHA[i] * w0 + BETA[i] * lambda0 + GAMMA[i];
    const d = BETA[i] + ALPHA[i] * theta;
    v += (0.5 * (c * c + d * d * s2)) / 2;
    g += (ALPHA[i] * d * s2) / 2;
    h += (ALPHA[i] * ALPHA[i] * s2) / 2;
  }
  if (withReg) {
    v += w0 * w0 + theta * theta * s2 + lambda0 * w0 + theta * s2;
    g += s2 * (2 * theta + 1);
    h += 2 * s2;
  }
  return [v, g, h];
}

describe('assertFiniteNumber, assertScale, assertNodes', () => {
  test('finite numbers pass; NaN, ±∞ and non-numbers are NonFiniteError naming the argument', () => {
    expect(() => assertFiniteNumber(-2.5, 'x')).not.toThrow();
    expectThrows(() => assertFiniteNumber(NaN, 'x'), NonFiniteError, 'x', 'x: expected a finite number, got NaN');
    expectThrows(() => assertFiniteNumber(-Infinity, 'y'), NonFiniteError, 'y', 'y: expected a finite number, got -Infinity');
    expectThrows(() => assertFiniteNumber('1' as unknown as number, 'z'), NonFiniteError, 'z', 'z: expected a finite number, got "1"');
  });
  test('σ > 0: σ = 0 and σ < 0 rejected, σ NaN non-finite', () => {
    expect(() => assertScale(1e-300)).not.toThrow();
    expectThrows(() => assertScale(0), InvalidArgumentError, 'sigma', 'sigma: expected σ > 0, got 0');
    expectThrows(() => assertScale(-0.5), InvalidArgumentError, 'sigma', 'sigma: expected σ > 0, got -0.5');
    expectThrows(() => assertScale(NaN), NonFiniteError, 'sigma', 'sigma: expected a finite number, got NaN');
  });
  test('nodes: an integer ≥ 60 (60 accepted, 59 and 60.5 rejected)', () => {
    expect(() => assertNodes(60)).not.toThrow();
    const msg = (x: string): string => `nodes: expected an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes), got ${x}`;
    expectThrows(() => assertNodes(59), InvalidArgumentError, 'nodes', msg('59'));
    expectThrows(() => assertNodes(60.5), InvalidArgumentError, 'nodes', msg('60.5'));
  });
});

describe('linearizedResponseObjective', () => {
  for (const withReg of [false, true]) {
    test(`affine residuals${withReg ? ' + R = w² + λw' : ''}: value, gradient, curvature against the closed form`, () => {
      const lambda0 = 0.5;
      const w0 = 0.25;
      const sigma = 0.5;
      const f = linearizedResponseObjective(affineToy(withReg), lambda0, w0, sigma);
      for (const theta of [0.75, -1.5]) {
        const o = f(theta);
        const [v, g, h] = affineClosedForm(withReg, lambda0, w0, sigma, theta);
        expectRelClose(o.value, v);
        expectRelClose(o.gradient, g);
        expectRelClose(o.curvature, h);
        expect(Object.keys(o).sort()).toEqual(['curvature', 'gradient', 'value']);
      }
    });
  }
  test('the residuals are evaluated once per example and node, at finite points only (nodes: 60 and the default 80)', () => {
    const calls = { n: 0, nonFinite: 0 };
    linearizedResponseObjective(affineToy(false, calls), 0.5, 0.25, 0.5, { nodes: 60 });
    expect(calls).toEqual({ n: 120, nonFinite: 0 });
    const dflt = { n: 0, nonFinite: 0 };
    const f = linearizedResponseObjective(affineToy(true, dflt), 0.5, 0.25, 0.5);
    expect(dflt).toEqual({ n: 160, nonFinite: 0 });
    f(1);
    expect(dflt.n).toBe(160);
  });
  test('bad lambda0, general, sigma, nodes', () => {
    const toy = affineToy(false);
    expectThrows(() => linearizedResponseObjective(toy, NaN, 0, 1), NonFiniteError, 'lambda0', 'lambda0: expected a finite number, got NaN');
    expectThrows(() => linearizedResponseObjective(toy, 0, Infinity, 1), NonFiniteError, 'general', 'general: expected a finite number, got Infinity');
    expectThrows(() => linearizedResponseObjective(toy, 0, 0, 0), InvalidArgumentError, 'sigma', 'sigma: expected σ > 0, got 0');
    expectThrows(() => linearizedResponseObjective(toy, 0, 0, 1, { nodes: 59 }), InvalidArgumentError, 'nodes', 'nodes: expected an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes), got 59');
  });
});

describe('linearizedResponse', () => {
  test('affine toy with R: θ_lin = −(⟨αβ⟩ + 1)/(⟨α²⟩ + 2) = −(1/2 + 1)/(5/2 + 2) = −1/3, for every σ', () => {
    for (const sigma of [0.1, 1.5]) expectRelClose(linearizedResponse(affineToy(true), 0.5, 0.25, sigma), -1 / 3);
  });
  test('affine toy without R: θ_lin = −⟨αβ⟩/⟨α²⟩ = −1/5', () => {
    expectRelClose(linearizedResponse(affineToy(false), 0.5, 0.25, 0.5, { nodes: 60 }), -1 / 5);
  });
  test('PT-10 cubic (Prop. L.3): θ_lin = 1/g′(w₀) = 4/7 at w₀ = 1/2, a = 1', () => {
    expectRelClose(linearizedResponse(cubicToy(1), 2, 0.5, 0.3), 4 / 7, 1e-10);
  });
  test('every ∂_w r_i = 0 and R ≡ 0: F_lin″ = 0, InvalidArgumentError naming toy', () => {
    const flat: ScalarToy = { name: 'flat', size: 1, outputDependsOnLambda: true, residual: (_i, lambda) => jet({ value: lambda, dl: 1 }) };
    expectThrows(() => linearizedResponse(flat, 0.5, 0.25, 0.5), InvalidArgumentError, 'toy', 'toy: expected a linearized response objective with positive curvature, got "θ = 0"');
  });
});

describe('weightDecayLinearizedResponse', () => {
  test('diagonal G: θ_i = −c w_i/(G_ii + (1+σ²)c), c = e^{λ₀+σ²/2}', () => {
    const lambda0 = 0.3;
    const sigma = 0.5;
    const c = Math.exp(lambda0 + 0.125);
    const th = weightDecayLinearizedResponse([[2, 0], [0, 0.5]], [1, -3], lambda0, sigma);
    expect(th).toHaveLength(2);
    expectRelClose(th[0], (-c * 1) / (2 + 1.25 * c));
    expectRelClose(th[1], (-c * -3) / (0.5 + 1.25 * c));
  });
  test('full 2×2 G, by Cramer’s rule', () => {
    const lambda0 = -0.2;
    const sigma = 2;
    const c = Math.exp(lambda0 + 2);
    const G = [[3, 1], [1, 2]];
    const w = [2, 0.5];
    const a = G[0][0] + 5 * c;
    const d = G[1][1] + 5 * c;
    const det = a * d - 1;
    const th = weightDecayLinearizedResponse(G, w, lambda0, sigma);
    expectRelClose(th[0], (-c * (d * w[0] - w[1])) / det);
    expectRelClose(th[1], (-c * (a * w[1] - w[0])) / det);
  });
  test('errors: lambda0, sigma, the length of general, a shifted G that is not SPD', () => {
    expectThrows(() => weightDecayLinearizedResponse([[1]], [1], NaN, 1), NonFiniteError, 'lambda0', 'lambda0: expected a finite number, got NaN');
    expectThrows(() => weightDecayLinearizedResponse([[1]], [1], 0, -1), InvalidArgumentError, 'sigma', 'sigma: expected σ > 0, got -1');
    expectThrows(() => weightDecayLinearizedResponse([[1, 0], [0, 1]], [1], 0, 1), ShapeMismatchError, 'general', 'general: expected shape length 2, got length 1');
    expectThrows(() => weightDecayLinearizedResponse([[-100]], [1], 0, 1), NotPositiveDefiniteError, 'gaussNewton', 'gaussNewton: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });
});

/** r = w² (n = 1, R ≡ 0): 𝓛_ww = 6w², F″(θ) = 6σ²(w₀² + 3σ²θ²). */
function squareToy(): ScalarToy {
  return { name: 'square', size: 1, outputDependsOnLambda: false, residual: (_i, _l, w) => jet({ value: w * w, dw: 2 * w, dww: 2 }) };
}

describe('minResponseCurvature', () => {
  const w0 = 0.5;
  const sigma = 0.5;
  const curv = (theta: number): number => 6 * sigma * sigma * (w0 * w0 + 3 * sigma * sigma * theta * theta);
  test('θ on −2, −1, 0: the minimum at the last point θ = 0', () => {
    const r = minResponseCurvature(squareToy(), 0, w0, sigma, -2, 0, 2);
    expect(r.response).toBe(0);
    expectRelClose(r.curvature, curv(0));
  });
  test('θ on −1, −1/2, …, 2: the minimum inside, θ = 0', () => {
    const r = minResponseCurvature(squareToy(), 0, w0, sigma, -1, 2, 6);
    expect(r.response).toBe(0);
    expectRelClose(r.curvature, curv(0));
  });
  test('one step on [1, 3]: the smaller end; a tie (constant F″) keeps the first θ', () => {
    const r = minResponseCurvature(squareToy(), 0, w0, sigma, 1, 3, 1);
    expect(r.response).toBe(1);
    expectRelClose(r.curvature, curv(1));
    const tie = minResponseCurvature(affineToy(false), 0, w0, sigma, 1, 3, 2);
    expect(tie.response).toBe(1);
    expectRelClose(tie.curvature, sigma * sigma * 2.5);
  });
  test('steps must be an integer ≥ 1', () => {
    expectThrows(() => minResponseCurvature(squareToy(), 0, w0, sigma, 0, 1, 0), InvalidArgumentError, 'steps', 'steps: expected an integer ≥ 1, got 0');
    expectThrows(() => minResponseCurvature(squareToy(), 0, w0, sigma, 0, 1, 1.5), InvalidArgumentError, 'steps', 'steps: expected an integer ≥ 1, got 1.5');
  });
});

describe('PT-10 family, exact', () => {
  test('θ_lin = 1/g′(w₀) = 4/7 at a = 1, w₀ = 1/2, for σ² = 1/9 and 4', () => {
    for (const v of ['1/9', '4']) expect(cubicLinearizedResponseExact(rational(1), rational('1/2'), rational(2), rational(v)).toFraction()).toBe('4/7');
  });
  test('σ² ≤ 0 and g′(w₀) = 0 rejected', () => {
    const [a, w, l] = [rational(1), rational('1/2'), rational(2)];
    expectThrows(() => cubicLinearizedResponseExact(a, w, l, rational(0)), InvalidArgumentError, 'variance', 'variance: expected σ² > 0, got "0"');
    expectThrows(() => cubicLinearizedResponseExact(a, w, l, rational('-1/4')), InvalidArgumentError, 'variance', 'variance: expected σ² > 0, got "-1/4"');
    expectThrows(() => cubicLinearizedResponseExact(rational('-3/4'), w, l, rational(1)), InvalidArgumentError, 'a', 'a: expected g\'(w0) ≠ 0, got "-3/4"');
  });
  test('J* = g′/(g′² + (g − λ₀)g″) = (7/4)/(49/16 − 33/8) = −28/17', () => {
    expect(cubicBestResponseJacobianExact(rational(1), rational('1/2'), rational(2)).toFraction()).toBe('-28/17');
  });
});
