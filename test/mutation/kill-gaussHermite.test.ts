/**
 * Killing tests for src/linalg/gaussHermite.ts: the 22 Stryker survivors of 2026-12-07 09:13 UTC (README,
 * "Mutation testing"). Those no input can tell apart are in test/mutation/equivalent.json with the reason; the rest
 * are killed here:
 *
 * - the typed errors' exact messages (the argument, what was expected, what came) and σ_k = 0 being accepted
 *   (design: bad input gets a typed error naming the argument; docs/math.md#s0-1: σ ≥ 0);
 * - the Newton polish, against a 64-digit reference at n = 200 (the unpolished Golub–Welsch nodes give the outer
 *   weights a relative error of 3.8e-12, over {@link highPrecisionRelTol}; the polished ones 1.4e-13);
 * - the exact doubles of the n = 6 and n = 12 rules (a reproducibility pin: see that test's comment);
 * - the rule's arrays holding exactly n entries, and f being evaluated at μ + σ·x_i in the rule's order.
 */
import type { BigNumber } from 'mathjs';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { math } from '../../src/linalg/exact.js';
import { forEachGaussianPoint, gaussHermite, gaussianExpectation } from '../../src/linalg/gaussHermite.js';
import { highPrecisionRelTol } from '../../src/tolerance.js';

/** The error `f` throws (fails the test if it returns). */
function thrown(f: () => unknown): InvalidArgumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected a throw');
}

/** [He_n(x), He_{n−1}(x)] in 64-digit BigNumber arithmetic, by He_{k+1} = x·He_k − k·He_{k−1} (no square roots). */
function hermiteBig(n: number, x: BigNumber): [BigNumber, BigNumber] {
  let prev: BigNumber = math.bignumber(0);
  let cur: BigNumber = math.bignumber(1);
  for (let k = 0; k < n; k++) {
    const next = x.mul(cur).sub(prev.mul(k));
    prev = cur;
    cur = next;
  }
  return [cur, prev];
}

describe('gaussHermite and its users: exact error messages', () => {
  test('n out of [1, 200]: InvalidArgumentError naming `n`, with the range and the value', () => {
    const e = thrown(() => gaussHermite(0));
    expect(e.argument).toBe('n');
    expect(e.message).toBe('n: expected an integer in [1, 200], got 0');
  });

  test('σ < 0: gaussianExpectation names `sigma`, forEachGaussianPoint names `sigma[k]`, both with the expected range', () => {
    expect(thrown(() => gaussianExpectation((x) => x, 0, -1)).message).toBe('sigma: expected a finite σ ≥ 0, got -1');
    const e = thrown(() => forEachGaussianPoint([1, -0.5], 3, () => undefined));
    expect(e.argument).toBe('sigma[1]');
    expect(e.message).toBe('sigma[1]: expected a finite σ ≥ 0, got -0.5');
  });

  test('forEachGaussianPoint accepts σ_k = 0 (a point mass in that coordinate): n^h points, ε_k = 0, weights summing to 1', () => {
    let count = 0;
    let total = 0;
    forEachGaussianPoint([0, 2], 3, (eps, w) => {
      count++;
      total += w;
      expect(Math.abs(eps[0])).toBe(0); // 0·x_i: +0 or −0
    });
    expect(count).toBe(9);
    expect(Math.abs(total - 1)).toBeLessThanOrEqual(highPrecisionRelTol());
  });
});

describe('gaussHermite: the Newton polish, against a 64-digit reference', () => {
  test('n = 200: every node and weight within highPrecisionRelTol() (relative) of the roots of He_200 and their Christoffel weights (n−1)!/(n·He_{n−1}(x)²)', () => {
    const n = 200;
    const { nodes, weights } = gaussHermite(n);
    let factorial = math.bignumber(1); // (n − 1)!
    for (let k = 2; k < n; k++) factorial = factorial.mul(k);
    let worstNode = 0;
    let worstWeight = 0;
    for (let i = 0; i < n; i++) {
      // Newton on He_n from the float64 node (He_n' = n·He_{n−1}); quadratic convergence from ~1e-14 relative.
      let x = math.bignumber(nodes[i]);
      let converged = false;
      for (let it = 0; it < 8 && !converged; it++) {
        const [hn, hn1] = hermiteBig(n, x);
        const step = hn.div(hn1.mul(n));
        x = x.sub(step);
        converged = step.abs().lte(math.bignumber('1e-50').mul(x.abs().plus(1)));
      }
      expect(converged).toBe(true);
      const [, hn1] = hermiteBig(n, x);
      const w = factorial.div(hn1.mul(hn1).mul(n));
      const nodeErr = x.isZero() ? Math.abs(nodes[i]) : math.bignumber(nodes[i]).sub(x).div(x).abs().toNumber();
      worstNode = Math.max(worstNode, nodeErr);
      worstWeight = Math.max(worstWeight, math.bignumber(weights[i]).sub(w).div(w).abs().toNumber());
    }
    // Measured 2026-12-07: nodes ≤ 1.74 ulp, weights 1.4e-13; without the polish, weights 3.8e-12.
    expect(worstNode).toBeLessThanOrEqual(highPrecisionRelTol());
    expect(worstWeight).toBeLessThanOrEqual(highPrecisionRelTol());
  });
});

describe('gaussHermite: the rule, bit for bit', () => {
  // A reproducibility pin, not an accuracy claim: every reference number in README and docs/math.md was computed with
  // these doubles. Variants of the Newton stopping rule (one step only, always 8, 9 at most, a different threshold)
  // move some nodes by an ulp and the outer weights by up to 2e-13, and are as accurate as these (≤ 1.5 ulp against the
  // 64-digit roots for n ≤ 100, measured): a change here must be deliberate, and updates this pin.
  const pins: Record<number, { nodes: number[]; weights: number[] }> = {
    6: {
      nodes: [0.6167065901925941, 1.8891758777537107, 3.3242574335521193],
      weights: [0.40882846955602936, 0.08861574604191458, 0.002555784402056239],
    },
    12: {
      nodes: [0.44440300194413895, 1.3403751971516167, 2.259464451000799, 3.2237098287700974, 4.2718258479322815, 5.500901704467748],
      weights: [0.32166436151283, 0.14696704804532998, 0.02911668791236418, 0.0022033806875331992, 0.00004837184922590646, 1.4999271676371666e-7],
    },
  };
  for (const n of [6, 12]) {
    test(`n = ${n}: the nonnegative half equals the pinned doubles, the other half is its exact mirror, and the arrays hold exactly n entries`, () => {
      const { nodes, weights } = gaussHermite(n);
      expect(Object.keys(nodes)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
      expect(Object.keys(weights)).toEqual(Array.from({ length: n }, (_, i) => String(i)));
      expect(nodes.slice(n / 2)).toEqual(pins[n].nodes);
      expect(weights.slice(n / 2)).toEqual(pins[n].weights);
      for (let i = 0; i < n / 2; i++) {
        expect(nodes[i]).toBe(-nodes[n - 1 - i]);
        expect(weights[i]).toBe(weights[n - 1 - i]);
      }
    });
  }
});

describe('gaussianExpectation: Σ_i w_i f(μ + σ·x_i), in the rule’s order', () => {
  test('f is called once per node, at μ + σ·x_i for i = 0 … n−1 (ascending for σ > 0): the sum’s rounding, and any side effect of f, follow that order', () => {
    const calls: number[] = [];
    const q = gaussianExpectation(
      (x) => {
        calls.push(x);
        return x * x;
      },
      1,
      2,
      5,
    );
    const { nodes, weights } = gaussHermite(5);
    expect(calls).toEqual(nodes.map((x) => 1 + 2 * x));
    let s = 0;
    for (let i = 0; i < 5; i++) s += weights[i] * calls[i] * calls[i];
    expect(q).toBe(s);
    expect(Math.abs(q - 5)).toBeLessThanOrEqual(highPrecisionRelTol() * 5); // E[(1 + 2z)²] = 5
  });
});
