/** The tolerance policy (src/tolerance.ts): basic behaviour of each function. */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  closedFormRelTol,
  eigenRelTol,
  EPS,
  FINITE_DIFFERENCE_REL_TOL,
  finiteDifferenceStep,
  highPrecisionRelTol,
  monteCarloTol,
  QUADRATURE_TOL,
  relativeError,
  relativeErrorVec,
} from '../src/tolerance.js';

describe('relativeError', () => {
  test('|a − b| / max(|a|, |b|, floor)', () => {
    expect(relativeError(1, 1)).toBe(0);
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(2, 1)).toBe(0.5);
    expect(relativeError(-1, 1)).toBe(2);
    expect(relativeError(1e-20, 0)).toBe(1); // relative against 0 is 1, whatever the size
    expect(relativeError(1e-20, 0, 1)).toBe(1e-20); // …unless a floor makes it absolute near 0
    // non-finite values give NaN, which never passes a `≤ tol` check — even two equal infinities
    expect(Number.isNaN(relativeError(Infinity, Infinity))).toBe(true);
    expect(Number.isNaN(relativeError(Number.NaN, 1))).toBe(true);
  });

  // |a − b| overflows to ∞ for opposite-signed a, b near 1.8e308 (conservative: the check fails), so the
  // domain stops at ±1e300.
  test.prop([fc.double({ min: -1e300, max: 1e300, noNaN: true }), fc.double({ min: -1e300, max: 1e300, noNaN: true })])('symmetric, in [0, 2], 0 iff equal', (a, b) => {
    const e = relativeError(a, b);
    expect(e).toBe(relativeError(b, a));
    expect(e).toBeGreaterThanOrEqual(0);
    expect(e).toBeLessThanOrEqual(2);
    expect(e === 0).toBe(a === b);
  });

  test.prop([fc.double({ min: 1e-300, max: 1e300, noNaN: true }), fc.double({ min: -1e-6, max: 1e-6, noNaN: true })])('scale invariant: relativeError(a, a(1 + δ)) ≈ |δ|', (a, delta) => {
    expect(Math.abs(relativeError(a, a * (1 + delta)) - Math.abs(delta) / Math.max(1, 1 + delta))).toBeLessThanOrEqual(4 * EPS);
  });
});

describe('relativeErrorVec', () => {
  test('max-norm difference over the max-norm of both', () => {
    expect(relativeErrorVec([1, 2], [1, 2])).toBe(0);
    expect(relativeErrorVec([1, 2], [1, 3])).toBeCloseTo(1 / 3, 15);
    expect(relativeErrorVec([1e-20, 100], [0, 100])).toBeCloseTo(1e-22, 35); // a tiny entry is judged against the vector's scale
    expect(relativeErrorVec([], [])).toBe(0);
    expect(relativeErrorVec(new Float64Array([0, 4]), [0, 2])).toBe(0.5);
    expect(() => relativeErrorVec([1], [1, 2])).toThrow(RangeError);
  });
});

describe('the policy constants', () => {
  test('closed forms, high precision, eigen tolerance scale with κ (floored at κ = 1)', () => {
    expect(closedFormRelTol()).toBe(1e-10);
    expect(closedFormRelTol(0.5)).toBe(1e-10);
    expect(closedFormRelTol(1e4)).toBeCloseTo(1e-6, 20);
    expect(highPrecisionRelTol()).toBe(1e-12);
    expect(highPrecisionRelTol(100)).toBeCloseTo(1e-10, 22);
    expect(eigenRelTol(4, 1e12)).toBeCloseTo(16 * 4 * EPS * 1e12, 15);
    expect(eigenRelTol(0, 0)).toBe(16 * EPS);
    expect(eigenRelTol(8, 10)).toBeGreaterThan(eigenRelTol(4, 10));
    expect(QUADRATURE_TOL).toBe(1e-8);
    expect(FINITE_DIFFERENCE_REL_TOL).toBe(1e-6);
    expect(monteCarloTol(0.25)).toBe(1);
  });

  test('finite-difference step √ε·max(1, |scale|)', () => {
    expect(finiteDifferenceStep()).toBe(Math.sqrt(EPS));
    expect(finiteDifferenceStep(0.01)).toBe(Math.sqrt(EPS));
    expect(finiteDifferenceStep(-100)).toBe(100 * Math.sqrt(EPS));
  });
});
