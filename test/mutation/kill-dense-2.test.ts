/**
 * Killing tests for src/linalg/dense.ts, second round (the survivors of the linalg run of 2026-12-07 against
 * test/linalg/dense.test.ts and kill-dense.test.ts; README "Mutation testing"): a plain 2-D array as several
 * right-hand sides of choleskySolve, CG's messages without a warm start, and CG's stopping rule — it stops at the first
 * iterate with ‖r‖ ≤ relTol·‖b‖ (relative to ‖b‖, not absolute), and relTol = 0 asks for an exactly zero residual.
 */
import { describe, expect, test } from 'vitest';
import { NonFiniteError } from '../../src/errors.js';
import { choleskySolve, conjugateGradient, norm2 } from '../../src/linalg/dense.js';

/** v ↦ D v for D = diag(1, 2, …, 8): CG needs one step per distinct eigenvalue present in b. */
const diag8 = (v: readonly number[]): number[] => v.map((x, i) => (i + 1) * x);

describe('dense.ts: second-round killing tests', () => {
  test('choleskySolve: several right-hand sides as a plain 2-D array', () => {
    expect(choleskySolve([[4, 0], [0, 16]], [[4, 8], [16, 32]]).to2DArray()).toEqual([[1, 2], [1, 2]]);
  });

  test('conjugateGradient names b and matvec without a warm start', () => {
    expect(() => conjugateGradient(diag8, [1, Number.NaN])).toThrow(NonFiniteError);
    expect(() => conjugateGradient(diag8, [1, Number.NaN])).toThrow(/^b\[1\]: expected a finite number, got NaN$/);
    expect(() => conjugateGradient(() => [Number.NaN, 0], [1, 2])).toThrow(/^matvec\[0\]: expected a finite number, got NaN$/);
  });

  test('conjugateGradient stops at the first iterate with ‖r‖ ≤ relTol·‖b‖ (‖b‖ = √8 here, so relative ≠ absolute)', () => {
    const b = new Array<number>(8).fill(1);
    const relTol = 0.015; // relative target 0.042: iterate 6 (‖r‖ = 0.038) stops; an absolute 0.015 would go on to iterate 7
    const res = conjugateGradient(diag8, b, { relTol });
    expect(res.converged).toBe(true);
    expect(res.residualNorm).toBeLessThanOrEqual(relTol * norm2(b));
    expect(res.iterations).toBeGreaterThanOrEqual(2);
    // One step fewer has not met the tolerance yet: the stop is not later than needed …
    const before = conjugateGradient(diag8, b, { relTol, maxIterations: res.iterations - 1 });
    expect(before.converged).toBe(false);
    expect(before.residualNorm).toBeGreaterThan(relTol * norm2(b));
    // … and the absolute reading (‖r‖ ≤ relTol) would stop elsewhere for this b: the two criteria differ here.
    expect(before.residualNorm > relTol || res.residualNorm > relTol).toBe(true);
  });

  test('relTol = 0: only an exactly zero residual converges (identity: one step, then stop)', () => {
    const res = conjugateGradient((v) => [...v], [1, 0.5], { relTol: 0 });
    expect(res).toEqual({ x: [1, 0.5], iterations: 1, residualNorm: 0, converged: true });
  });
});
