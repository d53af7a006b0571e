/**
 * Probabilists' Gauss–Hermite rule (src/linalg/gaussHermite.ts).
 *
 * Criteria for "exact on polynomials of degree < 2n" (the n-point rule integrates such p exactly, so the
 * only error is rounding in the nodes, the weights and the sum):
 *
 * - monomials z^k:  |Σ_i w_i x_i^k − E[z^k]| ≤ highPrecisionRelTol() · Σ_i w_i |x_i|^k.
 *   Each term carries a relative error of about k·ε (x^k amplifies a node's relative error k-fold), so the
 *   natural scale is the absolute sum. For even k every term is ≥ 0 and this is a plain RELATIVE error of
 *   1e-12 against (k − 1)!!; for odd k (exact value 0) it is the error measured against the size of the
 *   terms that cancel — a relative error against 0 is undefined, and an absolute 1e-12 would be
 *   meaningless next to E[z^158] ≈ 1e137.
 * - orthogonality: with the orthonormal p_k = He_k/√(k!), the Gram matrix Σ_i w_i p_j(x_i) p_k(x_i) must
 *   equal δ_jk to 1e-12 ABSOLUTE (= highPrecisionRelTol()) for j + k < 2n. This is E[He_j He_k] = k!·δ_jk
 *   relative to √(j!·k!), the Cauchy–Schwarz scale of |E[He_j He_k]|. (Relative-to-the-absolute-sum fails
 *   here for a good reason: He_n vanishes at every node, so Σ w|He_n| is itself pure rounding.)
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { forEachGaussianPoint, gaussHermite, gaussianExpectation } from '../../src/linalg/gaussHermite.js';
import { highPrecisionRelTol, QUADRATURE_TOL, relativeError } from '../../src/tolerance.js';

/** (k − 1)!! for even k (E[z^k], z ∼ N(0, 1)), 0 for odd k, as a double (exact up to k ≈ 40, then rounded once per factor). */
function gaussianMoment(k: number): number {
  if (k % 2 === 1) return 0;
  let m = 1;
  for (let j = k - 1; j > 1; j -= 2) m *= j;
  return m;
}

/** p_0 … p_{kmax}(x), p_k = He_k/√(k!): p_{k+1} = (x p_k − √k p_{k−1})/√(k+1) (no overflow). */
function orthonormalHermiteTable(x: number, kmax: number): number[] {
  const p = [1, x];
  for (let k = 1; k < kmax; k++) p.push((x * p[k] - Math.sqrt(k) * p[k - 1]) / Math.sqrt(k + 1));
  return p.slice(0, kmax + 1);
}

/** |Q(p) − exact| ≤ tol · Σ w|p| over the given per-node values p(x_i). */
function expectQuadrature(weights: readonly number[], values: readonly number[], exact: number, what: string): void {
  let sum = 0;
  let mass = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i] * values[i];
    mass += weights[i] * Math.abs(values[i]);
  }
  const err = Math.abs(sum - exact);
  if (!(err <= highPrecisionRelTol() * mass)) throw new Error(`${what}: |Q − E| = ${err}, tolerance ${highPrecisionRelTol() * mass} (Q = ${sum}, E = ${exact})`);
}

describe('gaussHermite(n), n ≥ 60', () => {
  for (const n of [60, 61, 80, 100, 200]) {
    // For n = 200 the moments beyond k ≈ 300 exceed 1.8e308; those k are skipped (all k < 2n are
    // checked for n ≤ 150). The terms w_i x_i^k are built incrementally so they never overflow.
    test(`n = ${n}: E[z^k] = (k−1)!! (even k), 0 (odd k) for every k < 2n whose moment fits in float64`, () => {
      const { nodes, weights } = gaussHermite(n);
      expect(nodes).toHaveLength(n);
      const terms = [...weights];
      let checked = 0;
      for (let k = 0; k < 2 * n; k++) {
        if (k > 0) for (let i = 0; i < n; i++) terms[i] *= nodes[i];
        if (!Number.isFinite(gaussianMoment(k + (k % 2)))) break;
        expectQuadrature(new Array<number>(n).fill(1), terms, gaussianMoment(k), `n=${n}, k=${k}`);
        checked++;
      }
      if (n <= 150) expect(checked).toBe(2 * n);
      else expect(checked).toBeGreaterThanOrEqual(300);
    });
  }

  for (const n of [60, 80]) {
    test(`n = ${n}: E[He_j He_k] = k!·δ_jk for all j + k < 2n (orthonormal Gram matrix = I to 1e-12)`, () => {
      const { nodes, weights } = gaussHermite(n);
      const table = nodes.map((x) => orthonormalHermiteTable(x, 2 * n));
      for (let j = 0; j < 2 * n; j++) {
        for (let k = j; j + k < 2 * n; k++) {
          let g = 0;
          for (let i = 0; i < n; i++) g += weights[i] * table[i][j] * table[i][k];
          const err = Math.abs(g - (j === k ? 1 : 0));
          if (!(err <= highPrecisionRelTol())) throw new Error(`n=${n}, j=${j}, k=${k}: Gram entry ${g}`);
        }
      }
    });
  }

  test('the criteria can fail: at j = k = n (degree 2n) the Gram entry is 0, not 1', () => {
    const n = 60;
    const { nodes, weights } = gaussHermite(n);
    let g = 0;
    for (let i = 0; i < n; i++) g += weights[i] * orthonormalHermiteTable(nodes[i], n)[n] ** 2;
    expect(Math.abs(g - 1)).toBeGreaterThan(0.5);
    // and a wrong moment value is caught by the monomial criterion
    expect(() => expectQuadrature(weights, nodes.map((x) => x ** 4), 3 * (1 + 1e-10), 'E[z^4] perturbed')).toThrow();
  });

  test.prop([fc.integer({ min: 1, max: 200 })], { numRuns: 30 })('nodes ascending and exactly symmetric (x_i = −x_{n−1−i}, equal weights), weights > 0 summing to 1', (n) => {
    const { nodes, weights } = gaussHermite(n);
    expect(nodes).toHaveLength(n);
    expect(weights).toHaveLength(n);
    for (let i = 0; i < n; i++) {
      expect(nodes[i]).toBe(-nodes[n - 1 - i] + 0); // exact, +0 so that the middle node compares as 0
      expect(weights[i]).toBe(weights[n - 1 - i]);
      expect(weights[i]).toBeGreaterThan(0);
      if (i > 0) expect(nodes[i]).toBeGreaterThan(nodes[i - 1]);
    }
    if (n % 2 === 1) expect(Object.is(nodes[(n - 1) / 2], 0)).toBe(true);
    expect(relativeError(weights.reduce((s, w) => s + w, 0), 1)).toBeLessThanOrEqual(highPrecisionRelTol());
  });

  test('small rules against closed forms: n = 1 (0; 1), n = 2 (±1; ½), n = 3 (0, ±√3; ⅔, ⅙)', () => {
    expect(gaussHermite(1)).toEqual({ nodes: [0], weights: [1] });
    const two = gaussHermite(2);
    expect(relativeError(two.nodes[1], 1)).toBeLessThanOrEqual(highPrecisionRelTol());
    expect(relativeError(two.weights[0], 0.5)).toBeLessThanOrEqual(highPrecisionRelTol());
    const three = gaussHermite(3);
    expect(relativeError(three.nodes[2], Math.sqrt(3))).toBeLessThanOrEqual(highPrecisionRelTol());
    expect(relativeError(three.weights[1], 2 / 3)).toBeLessThanOrEqual(highPrecisionRelTol());
    expect(relativeError(three.weights[0], 1 / 6)).toBeLessThanOrEqual(highPrecisionRelTol());
  });

  test('typed errors for n = 0, negative, non-integer, NaN, too large', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 201]) {
      expect(() => gaussHermite(bad)).toThrow(InvalidArgumentError);
      expect(() => gaussHermite(bad)).toThrow(/^n: /);
    }
  });
});

describe('gaussianExpectation / forEachGaussianPoint', () => {
  test.prop([fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true })])(
    'E[cos(μ + σz)] = cos(μ)·e^(−σ²/2) to QUADRATURE_TOL (a non-polynomial, default 80 nodes)',
    (mu, sigma) => {
      const q = gaussianExpectation(Math.cos, mu, sigma);
      expect(Math.abs(q - Math.cos(mu) * Math.exp((-sigma * sigma) / 2))).toBeLessThanOrEqual(QUADRATURE_TOL);
    },
  );

  test('E[ε²] = σ² and σ = 0 gives f(μ); bad σ is a typed error', () => {
    expect(relativeError(gaussianExpectation((x) => x * x, 0, 3), 9)).toBeLessThanOrEqual(highPrecisionRelTol());
    expect(relativeError(gaussianExpectation((x) => x * x + 1, 2, 0), 5)).toBeLessThanOrEqual(highPrecisionRelTol());
    expect(() => gaussianExpectation((x) => x, 0, -1)).toThrow(InvalidArgumentError);
    expect(() => gaussianExpectation((x) => x, 0, Number.NaN)).toThrow(/^sigma: /);
  });

  test('tensor rule in h = 2: n^h points, weights sum to 1, E[ε₁²ε₂²] = σ₁²σ₂², E[ε₁ε₂] = 0', () => {
    const sigma = [0.5, 3];
    let count = 0;
    let mass = 0;
    let m22 = 0;
    let m11 = 0;
    forEachGaussianPoint(sigma, 7, (eps, w) => {
      count++;
      mass += w;
      m22 += w * eps[0] ** 2 * eps[1] ** 2;
      m11 += w * eps[0] * eps[1];
    });
    expect(count).toBe(49);
    expect(relativeError(mass, 1)).toBeLessThanOrEqual(highPrecisionRelTol());
    expect(relativeError(m22, 0.25 * 9)).toBeLessThanOrEqual(highPrecisionRelTol());
    expect(Math.abs(m11)).toBeLessThanOrEqual(highPrecisionRelTol());
  });

  test('forEachGaussianPoint rejects a negative or non-finite σ_k, naming it', () => {
    expect(() => forEachGaussianPoint([1, -1], 3, () => undefined)).toThrow(InvalidArgumentError);
    expect(() => forEachGaussianPoint([1, Number.NaN], 3, () => undefined)).toThrow(/^sigma\[1\]: /);
  });
});
