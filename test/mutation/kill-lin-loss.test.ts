/**
 * Killing tests for src/theory/lin/loss.ts (README, "Mutation testing"): the linear-model counterexample to LIN's
 * Prop. L.4 without "ℓ quadratic". test/theory/LIN.test.ts checks the end result (θ_lin against the 50-digit
 * reference); these pin the pieces: the logistic ℓ, ℓ', ℓ'' against their closed forms and central differences, the
 * training loss 𝓛_T against its closed form for the squared loss (and its w-derivatives against central differences
 * for the logistic one), w*(λ) against the squared loss's closed form, and every typed error's exact message,
 * including the two "Newton did not converge" errors (reached with e^λ = +∞, where 𝓛_T(λ, 0) = ½·∞·0² is NaN).
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import {
  linearModelBestResponse,
  linearModelLinearizedObjective,
  linearModelLinearizedResponse,
  linearModelProblem,
  linearModelTrainLoss,
  lossDerivatives,
  type LinearModelProblem,
  type ScalarLoss,
} from '../../src/theory/lin/loss.js';
import { closedFormRelTol, FINITE_DIFFERENCE_REL_TOL, finiteDifferenceStep, QUADRATURE_TOL } from '../../src/tolerance.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** `fn` throws an instance of `cls` naming `argument`, with exactly `message`. */
function expectThrows(fn: () => unknown, cls: typeof InvalidArgumentError | typeof NonFiniteError, argument: string, message: string): void {
  const e = caught(fn);
  expect(e).toBeInstanceOf(cls);
  expect((e as InvalidArgumentError).argument).toBe(argument);
  expect((e as InvalidArgumentError).message).toBe(message);
}

function expectRelClose(actual: number, expected: number, tol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

const X = [0.5, 1, 1.5, -0.7];
const Y = [1, 1, -1, -1];

describe('linearModelProblem: validation and the returned copy', () => {
  test('valid data: the problem holds copies of x and y and the loss', () => {
    for (const loss of ['squared', 'logistic'] as const) {
      const x = [0.5, -2, 3];
      const y = [1, -1, 0.25];
      const p = linearModelProblem(x, y, loss);
      expect(p).toEqual({ x: [0.5, -2, 3], y: [1, -1, 0.25], loss });
      x[0] = 99;
      y[0] = 99;
      expect(p.x[0]).toBe(0.5);
      expect(p.y[0]).toBe(1);
    }
  });

  test('an empty x: InvalidArgumentError naming x', () => {
    expectThrows(() => linearModelProblem([], [], 'squared'), InvalidArgumentError, 'x', 'x: expected at least one example, got "an empty array"');
  });

  test('lengths differ: InvalidArgumentError naming y, with both lengths', () => {
    expectThrows(() => linearModelProblem([1, 2], [1], 'squared'), InvalidArgumentError, 'y', 'y: expected length 2 (as x), got "length 1"');
    expectThrows(() => linearModelProblem([1], [1, 2, 3], 'logistic'), InvalidArgumentError, 'y', 'y: expected length 1 (as x), got "length 3"');
  });

  test('NaN/±∞ data: NonFiniteError naming the entry', () => {
    expectThrows(() => linearModelProblem([1, NaN], [1, 1], 'squared'), NonFiniteError, 'x[1]', 'x[1]: expected a finite number, got NaN');
    expectThrows(() => linearModelProblem([1, 2, 3], [1, 2, Infinity], 'logistic'), NonFiniteError, 'y[2]', 'y[2]: expected a finite number, got Infinity');
  });

  test('an unknown loss: InvalidArgumentError naming loss', () => {
    expectThrows(() => linearModelProblem([1], [1], 'hinge' as ScalarLoss), InvalidArgumentError, 'loss', `loss: expected 'squared' or 'logistic', got "hinge"`);
  });
});

describe('lossDerivatives, logistic: ℓ = log(1 + e^{−yf}), ℓ\' = −y·s(−yf), ℓ\'\' = y²·s(yf)s(−yf)', () => {
  const cases: [number, number][] = [
    [0.7, 1],
    [-1.3, 1],
    [0.4, -1],
    [2, -1],
    [-0.9, -1],
    [1.7, 0.5],
    [-0.6, 2],
  ];

  test('closed forms written independently (e^{yf} with no stabilisation; |yf| ≤ 3.4 here)', () => {
    for (const [f, y] of cases) {
      const e = Math.exp(y * f);
      const [l0, l1, l2] = lossDerivatives('logistic', f, y);
      expectRelClose(l0, Math.log(1 + 1 / e), closedFormRelTol());
      expectRelClose(l1, -y / (1 + e), closedFormRelTol());
      expectRelClose(l2, (y * y * e) / ((1 + e) * (1 + e)), closedFormRelTol());
    }
  });

  test('ℓ\' and ℓ\'\' are the central differences of ℓ and ℓ\'', () => {
    const h = finiteDifferenceStep();
    for (const [f, y] of cases) {
      const [, l1, l2] = lossDerivatives('logistic', f, y);
      const [p0, p1] = lossDerivatives('logistic', f + h, y);
      const [m0, m1] = lossDerivatives('logistic', f - h, y);
      expectRelClose(l1, (p0 - m0) / (2 * h), FINITE_DIFFERENCE_REL_TOL);
      expectRelClose(l2, (p1 - m1) / (2 * h), FINITE_DIFFERENCE_REL_TOL);
    }
  });

  test('hand values at f = 0: [ln 2, −y/2, y²/4]', () => {
    expectRelClose(lossDerivatives('logistic', 0, 1)[0], Math.LN2, closedFormRelTol());
    expect(lossDerivatives('logistic', 0, 1).slice(1)).toEqual([-0.5, 0.25]);
    expect(lossDerivatives('logistic', 0, -2).slice(1)).toEqual([1, 1]);
  });
});

describe('linearModelTrainLoss: 𝓛_T = (1/n)Σℓ(wx_i, y_i) + ½e^λw² and its w-derivatives', () => {
  test('squared loss: the closed form (1/n)Σ½(wx_i − y_i)² + ½e^λw², (1/n)Σx_i(wx_i − y_i) + e^λw, (1/n)Σx_i² + e^λ', () => {
    const x = [0.5, -2, 3];
    const y = [1, -1, 0.25];
    const p = linearModelProblem(x, y, 'squared');
    for (const [lambda, w] of [
      [0.3, 0.7],
      [-1.2, -1.5],
      [2, 0.05],
    ]) {
      const e = Math.exp(lambda);
      let v = 0.5 * e * w * w;
      let g = e * w;
      let hh = e;
      for (let i = 0; i < 3; i++) {
        v += (0.5 * (w * x[i] - y[i]) ** 2) / 3;
        g += (x[i] * (w * x[i] - y[i])) / 3;
        hh += (x[i] * x[i]) / 3;
      }
      const [av, ag, ah] = linearModelTrainLoss(p, lambda, w);
      expectRelClose(av, v, closedFormRelTol());
      expectRelClose(ag, g, closedFormRelTol());
      expectRelClose(ah, hh, closedFormRelTol());
    }
  });

  test('logistic loss: the value by hand, the derivatives against central differences', () => {
    const p = linearModelProblem(X, Y, 'logistic');
    const h = finiteDifferenceStep();
    for (const [lambda, w] of [
      [-2, 0.3],
      [0.5, -1.1],
    ]) {
      let v = 0.5 * Math.exp(lambda) * w * w;
      for (let i = 0; i < 4; i++) v += Math.log(1 + Math.exp(-Y[i] * w * X[i])) / 4;
      const [av, ag, ah] = linearModelTrainLoss(p, lambda, w);
      expectRelClose(av, v, closedFormRelTol());
      const plus = linearModelTrainLoss(p, lambda, w + h);
      const minus = linearModelTrainLoss(p, lambda, w - h);
      expectRelClose(ag, (plus[0] - minus[0]) / (2 * h), FINITE_DIFFERENCE_REL_TOL);
      expectRelClose(ah, (plus[1] - minus[1]) / (2 * h), FINITE_DIFFERENCE_REL_TOL);
    }
  });
});

describe('linearModelBestResponse: w*(λ) = argmin_w 𝓛_T(λ, w)', () => {
  test('squared loss: w* = ⟨xy⟩ / (⟨x²⟩ + e^λ)', () => {
    const x = [0.5, -2, 3];
    const y = [1, -1, 0.25];
    const p = linearModelProblem(x, y, 'squared');
    const mxy = (0.5 * 1 + -2 * -1 + 3 * 0.25) / 3;
    const mxx = (0.25 + 4 + 9) / 3;
    for (const lambda of [-3, 0, 1.5]) expectRelClose(linearModelBestResponse(p, lambda), mxy / (mxx + Math.exp(lambda)), closedFormRelTol());
  });

  test('logistic loss: ∂𝓛_T/∂w vanishes at w* (to rounding) and w* ≠ 0', () => {
    const p = linearModelProblem(X, Y, 'logistic');
    const w = linearModelBestResponse(p, -2);
    expect(Math.abs(w)).toBeGreaterThan(0.1);
    expect(Math.abs(linearModelTrainLoss(p, -2, w)[1])).toBeLessThanOrEqual(1e-12);
  });

  test('a NaN λ: NonFiniteError naming lambda', () => {
    expectThrows(() => linearModelBestResponse(linearModelProblem(X, Y, 'logistic'), NaN), NonFiniteError, 'lambda', 'lambda: expected a finite number, got NaN');
  });

  test('e^λ = +∞ (λ = 710): 𝓛_T(λ, 0) is NaN, Newton does not converge, InvalidArgumentError naming p', () => {
    for (const loss of ['squared', 'logistic'] as const) {
      expectThrows(
        () => linearModelBestResponse(linearModelProblem(X, Y, loss), 710),
        InvalidArgumentError,
        'p',
        'p: expected a training loss whose Newton iteration converges, got "w = NaN"',
      );
    }
  });
});

describe('linearModelLinearizedObjective / linearModelLinearizedResponse: argument checks', () => {
  const p: LinearModelProblem = linearModelProblem(X, Y, 'logistic');

  test('NaN/±∞ λ₀, w₀, σ: NonFiniteError naming the argument', () => {
    expectThrows(() => linearModelLinearizedObjective(p, NaN, 0.2, 0.5), NonFiniteError, 'lambda0', 'lambda0: expected a finite number, got NaN');
    expectThrows(() => linearModelLinearizedObjective(p, -2, Infinity, 0.5), NonFiniteError, 'general', 'general: expected a finite number, got Infinity');
    expectThrows(() => linearModelLinearizedObjective(p, -2, 0.2, -Infinity), NonFiniteError, 'sigma', 'sigma: expected a finite number, got -Infinity');
  });

  test('σ ≤ 0, the boundary σ = 0 included: InvalidArgumentError naming sigma', () => {
    expectThrows(() => linearModelLinearizedObjective(p, -2, 0.2, 0), InvalidArgumentError, 'sigma', 'sigma: expected σ > 0, got 0');
    expectThrows(() => linearModelLinearizedObjective(p, -2, 0.2, -0.5), InvalidArgumentError, 'sigma', 'sigma: expected σ > 0, got -0.5');
  });

  test('nodes = 60 is accepted (and agrees with 80 nodes to the quadrature tolerance); 59 and 60.5 are not', () => {
    const f60 = linearModelLinearizedObjective(p, -2, 0.2, 0.5, 60)(-0.08);
    const f80 = linearModelLinearizedObjective(p, -2, 0.2, 0.5, 80)(-0.08);
    expect(Math.abs(f60.value - f80.value)).toBeLessThanOrEqual(QUADRATURE_TOL);
    expect(Math.abs(f60.gradient - f80.gradient)).toBeLessThanOrEqual(QUADRATURE_TOL);
    const msg = (n: number): string => `nodes: expected an integer ≥ 60 (the quadrature tolerance needs ≥ 60 nodes), got ${n}`;
    expectThrows(() => linearModelLinearizedObjective(p, -2, 0.2, 0.5, 59), InvalidArgumentError, 'nodes', msg(59));
    expectThrows(() => linearModelLinearizedObjective(p, -2, 0.2, 0.5, 60.5), InvalidArgumentError, 'nodes', msg(60.5));
  });

  test('e^{λ₀+ε} = +∞ at the upper nodes (λ₀ = 710): F_lin\' is ∞ − ∞ = NaN, Newton does not converge, InvalidArgumentError naming p', () => {
    expectThrows(
      () => linearModelLinearizedResponse(p, 710, 0.2, 0.5),
      InvalidArgumentError,
      'p',
      'p: expected a linearized objective whose Newton iteration converges, got "θ = NaN"',
    );
  });
});
