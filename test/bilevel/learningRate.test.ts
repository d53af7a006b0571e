/**
 * Hypergradient descent on the learning rate (src/bilevel/learningRate.ts): the one-step-ahead hypergradient
 * against central differences of α ↦ L_T(w − αu) (the unrolled K = 1 derivative), HD's update against that
 * quantity, and on a 1-D quadratic ½a(w − c)² the exact recurrence of the gap to the optimal constant step 1/a:
 * (1/a − α_{t+1}) = (1/a − α_t)(1 − βa³e_t²), so α moves to 1/a monotonically and never past it.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { quadraticProblem, ridgeProblem } from '../../src/bilevel/families.js';
import { hypergradientDescentRun, oneStepLearningRateGradient } from '../../src/bilevel/learningRate.js';
import { FINITE_DIFFERENCE_REL_TOL, finiteDifferenceStep, relativeError } from '../../src/tolerance.js';

const ridge = ridgeProblem({ Xtrain: [[1, 2], [0.5, -1], [2, 0.3], [-1, 1]], ytrain: [1, 0, 2, -1], Xval: [[1, 1]], yval: [1] });

describe('one-step-ahead hypergradient of the learning rate', () => {
  test('equals the central difference of α ↦ L_T(λ, w − αu) (ridge, random w, u, α)', () => {
    const small = fc.double({ min: -2, max: 2, noNaN: true });
    fc.assert(
      fc.property(fc.tuple(small, small), fc.tuple(small, small), fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (w, u, alpha, lam) => {
        const f = (a: number): number => ridge.trainLoss([lam], w.map((wi, i) => wi - a * u[i]));
        const h = finiteDifferenceStep(alpha);
        const fd = (f(alpha + h) - f(alpha - h)) / (2 * h);
        const exact = oneStepLearningRateGradient(ridge, [lam], w, u, alpha);
        // Central differences of a quadratic in α are exact up to rounding, ε·|f|/h ≈ 1e-7 here: absolute below 1.
        expect(relativeError(exact, fd, 1)).toBeLessThan(FINITE_DIFFERENCE_REL_TOL);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  test('HD moves α by −β times that derivative at every step, with and without momentum', () => {
    for (const momentum of [0, 0.9]) {
      const beta = 0.01;
      const run = hypergradientDescentRun(ridge, [0.3], [0.5, -0.5], { alpha: 0.05, beta, momentum, steps: 6 });
      expect(run.alphas[1]).toBe(run.alphas[0]); // no update direction before the first step
      // Replay the iterates to recover u_t and compare α_{t+1} − α_t with −β ∂L_T(w_{t+1})/∂α_t.
      let w = [0.5, -0.5];
      let u: number[] | null = null;
      for (let t = 0; t < 5; t++) {
        const g = ridge.trainGrad([0.3], w);
        const prev: number[] | null = u;
        u = prev ? g.map((gi, i) => momentum * prev[i] + gi) : g;
        const dir = u;
        const want = -beta * oneStepLearningRateGradient(ridge, [0.3], w, dir, run.alphas[t + 1]);
        expect(run.alphas[t + 2] - run.alphas[t + 1]).toBeCloseTo(want, 14);
        w = w.map((wi, i) => wi - run.alphas[t + 1] * dir[i]);
      }
    }
  });
});

describe('on a 1-D quadratic, where the optimal constant step is 1/a', () => {
  test('the gap to 1/a follows (1/a − α_{t+1}) = (1/a − α_t)(1 − βa³e_t²) and shrinks monotonically, never past 1/a', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 4, noNaN: true }), fc.double({ min: 0.05, max: 0.9, noNaN: true }), (a, frac) => {
        const c = 1;
        // L_T = ½ a w² − w·(a c): minimum at w = c; e_t = w_t − c.
        const problem = quadraticProblem({ A: [[a]], B: [[0]], b: [a * c] });
        const beta = 0.2 / a ** 3; // βa³e₀² = 0.2 < 1 from w₀ = 0
        const alpha0 = frac / a;
        const run = hypergradientDescentRun(problem, [0], [0], { alpha: alpha0, beta, steps: 30 });
        // Step t uses α_t = alphas[t + 1]; e_t = w_t − c is the error before it.
        let w = 0;
        for (let t = 0; t < 29; t++) {
          const e = w - c;
          const before = 1 / a - run.alphas[t + 1];
          const after = 1 / a - run.alphas[t + 2];
          expect(after).toBeGreaterThanOrEqual(0);
          expect(after).toBeLessThanOrEqual(before);
          expect(Math.abs(after - before * (1 - beta * a ** 3 * e ** 2))).toBeLessThan(1e-12 / a);
          w -= run.alphas[t + 1] * a * e;
        }
        // HD reaches a lower loss than the fixed step it started from.
        const fixed = hypergradientDescentRun(problem, [0], [0], { alpha: alpha0, beta: 0, steps: 30 });
        expect(run.losses[30]).toBeLessThanOrEqual(fixed.losses[30] + 1e-14 * Math.abs(fixed.losses[30]));
        expect(run.alphas[30]).toBeGreaterThan(alpha0);
      }),
      { seed: 5, numRuns: 100 },
    );
  });

  test('bad settings are typed errors naming the argument; a diverging step says so', () => {
    expect(() => hypergradientDescentRun(ridge, [0], [0, 0], { alpha: 0, beta: 0.1, steps: 3 })).toThrow(InvalidArgumentError);
    expect(() => hypergradientDescentRun(ridge, [0], [0, 0], { alpha: 0.1, beta: -1, steps: 3 })).toThrow(/beta/);
    expect(() => hypergradientDescentRun(ridge, [0], [0, 0], { alpha: 0.1, beta: 0, momentum: 1, steps: 3 })).toThrow(/momentum/);
    expect(() => hypergradientDescentRun(ridge, [0], [0], { alpha: 0.1, beta: 0, steps: 3 })).toThrow(/w0/);
    expect(() => hypergradientDescentRun(ridge, [0], [1, 1], { alpha: 1e200, beta: 0, steps: 50 })).toThrow(/finite/);
  });
});
