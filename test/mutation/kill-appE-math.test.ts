/**
 * Killing tests for src/theory/appE/math.ts (README, "Mutation testing"): APP-E's weight-decay and sin-toy kernel
 * (docs/math.md#s4-2, PT-6, PT-7, PT-9, PT-12). test/theory/APP-E.test.ts checks the claim; these pin the pieces, each
 * against an oracle that does not share its code:
 * - `expm1MinusLinear` against the exactly rounded value of Σ_{k≥2} y^k/k! (BigInt fixed point, y dyadic) and, for
 *   |y| ≥ ½, bit for bit against `Math.expm1(y) − y` (the boundary ½ itself included);
 * - the weight-decay closed forms (w*, J*, STN, Δ-STN, the bias δ, Prop. B, its remainder) against the scalar (m = 1)
 *   algebra worked by hand, the unscaled 2m×2m STN stationarity system of the TSDoc (residuals), a central difference
 *   of w*(λ) and the subtraction δ − approx where it does not cancel;
 * - the Gauss–Hermite assemblies against the closed-form moments E[e^{σz}] = e^{σ²/2}, E[z e^{σz}] = σe^{σ²/2},
 *   E[z² e^{σz}] = (1 + σ²)e^{σ²/2}, and their b-terms against the rule's own first moment Σ w_q z_q (≈ 1.7e-17, not 0:
 *   it is what makes a sign flip there observable, with b large or general = 0);
 * - gradient descent against the same iteration run here on the closed-form system, and its contraction against the
 *   2×2 eigenvalues by the quadratic formula;
 * - PT-12's variances against the gradients and the two-pass trace variance recomputed here from the same seeded draws;
 * - every typed error by class, argument and exact message, including the 'A' of each solve reached by e^λ = +∞.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../src/errors.js';
import { gaussHermite } from '../../src/linalg/gaussHermite.js';
import { Rng } from '../../src/rng.js';
import {
  APP_E_B4_TAU,
  APP_E_CLAIM_MAX_SCALE,
  APP_E_MAX_SCALE,
  assertFiniteNumber,
  assertScale,
  axpy,
  deltaStnGeneralGradient,
  expm1MinusLinear,
  generalGradientVariance,
  matVec,
  shifted,
  sinInnerProblem,
  sinToyClosedForms,
  solve,
  stnGeneralGradient,
  stnScaledSystem,
  sub,
  traceVariance,
  validate,
  weightDecayBestResponse,
  weightDecayBestResponseJacobian,
  weightDecayDeltaStn,
  weightDecayDeltaStnResponseByQuadrature,
  weightDecayInnerProblem,
  weightDecayPropositionB,
  weightDecayPropositionBRemainder,
  weightDecayStn,
  weightDecayStnBias,
  weightDecayStnByQuadrature,
  weightDecayStnGradientDescent,
  weightDecayStnSystemByQuadrature,
  type WeightDecayProblem,
} from '../../src/theory/appE/math.js';
import { expectThrows, thrown } from './throws.js';

const SIGMA_RANGE = (max: number): string => `0 < σ ≤ ${max} (beyond it e^{λ0+σ²/2} overflows or the 80-node quadrature of e^{σz} loses accuracy)`;

/** A 2×2 problem with coupling (A ≻ 0, not diagonal). */
const p2 = (): WeightDecayProblem => ({ A: [[2, 0.5], [0.5, 3]], b: [1, -2] });
/** The scalar problem a = 1.5, b = 2. */
const A1 = 1.5;
const B1 = 2;
const p1 = (): WeightDecayProblem => ({ A: [[A1]], b: [B1] });

function expectClose(actual: number, expected: number, relTol: number): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relTol * Math.max(Math.abs(expected), Number.MIN_VALUE));
}

function expectVecClose(actual: readonly number[], expected: readonly number[], relTol: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((v, i) => {
    expect(Number.isFinite(v)).toBe(true);
    expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(relTol * scale);
  });
}

function mv(a: readonly (readonly number[])[], v: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) {
    let s = 0;
    for (let k = 0; k < v.length; k++) s += a[i][k] * v[k];
    out.push(s);
  }
  return out;
}

/** Scalar STN closed form (m = 1), from the 2×2 system by hand: θ = −c w₀/(a + (1+σ²)c), w₀ = b/(a + c − σ²c²/(a + (1+σ²)c)). */
function scalarStn(a: number, b: number, lambda0: number, sigma: number): { w0: number; theta: number } {
  const s = sigma * sigma;
  const c = Math.exp(lambda0 + s / 2);
  const m = a + (1 + s) * c;
  const w0 = b / (a + c - (s * c * c) / m);
  return { w0, theta: (-c * w0) / m };
}

/** y = p/2^q: Σ_{k≥2} y^k/k! in fixed point 2^-400 by BigInt, rounded once to float64 (correctly, via Number(bigint)). */
function exactExpm1MinusLinear(p: bigint, q: number): number {
  const F = 400n;
  const one = 1n << F;
  let term = one; // y^0/0!
  let sum = 0n;
  for (let k = 1n; k <= 80n; k++) {
    term = (term * p) / (k << BigInt(q)); // y^k/k!, truncated at 2^-400
    if (k >= 2n) sum += term;
  }
  const neg = sum < 0n;
  const mag = neg ? -sum : sum;
  // scale down by 2^400 in two exact steps (powers of two)
  const v = (Number(mag) / 2 ** 200) / 2 ** 200;
  return neg ? -v : v;
}

// ─────────────────────────────────────────── expm1MinusLinear ───────────────────────────────────────────

describe('expm1MinusLinear: e^y − 1 − y without cancellation', () => {
  test('the series branch (|y| < ½) is within 2 ulp of the exactly rounded value, for y of both signs and every size', () => {
    const cases: [bigint, number][] = [
      [1n, 10], // 2^-10
      [-1n, 10],
      [3n, 3], // 0.375
      [-3n, 3],
      [7n, 4], // 0.4375
      [-15n, 5], // -0.46875
      [1n, 40],
      [-1n, 30],
      [5n, 7],
      [511n, 10], // 0.4990234375
      [-511n, 10],
    ];
    for (const [p, q] of cases) {
      const y = Number(p) / 2 ** q;
      const exact = exactExpm1MinusLinear(p, q);
      const got = expm1MinusLinear(y);
      expect(Math.abs(got - exact)).toBeLessThanOrEqual(2.5e-16 * Math.abs(exact));
    }
  });

  test('y = 0 gives 0; a tiny y gives y²/2 (the next term is below the last digit)', () => {
    expect(expm1MinusLinear(0)).toBe(0);
    expect(expm1MinusLinear(2 ** -60)).toBe(2 ** -121);
    expect(expm1MinusLinear(-(2 ** -60))).toBe(2 ** -121);
  });

  test('y = −2^-52: the second term moves a power-of-two partial sum down by one ulp (the loop tests sum + term, not sum − term)', () => {
    // y²/2 = 2^-105 exactly; y³/6 = −⅔ of the spacing 2^-158 below it, so the correctly rounded value is 2^-105 − 2^-158
    expect(exactExpm1MinusLinear(-1n, 52)).toBe(2 ** -105 - 2 ** -158);
    expect(expm1MinusLinear(-(2 ** -52))).toBe(2 ** -105 - 2 ** -158);
  });

  test('|y| ≥ ½ (the boundary included): exactly Math.expm1(y) − y', () => {
    for (const y of [0.5, -0.5, 0.75, -0.75, 1, 3, -3, 10, -30, 50]) {
      expect(expm1MinusLinear(y)).toBe(Math.expm1(y) - y);
    }
    // an independent check of the same values: e^y − 1 − y for y = −30 is 29 + e^{-30}
    expectClose(expm1MinusLinear(-30), 29 + Math.exp(-30), 1e-15);
  });

  test('NaN / ±∞: NonFiniteError naming y', () => {
    expectThrows(() => expm1MinusLinear(NaN), NonFiniteError, 'y', 'y: expected a finite number, got NaN');
    expectThrows(() => expm1MinusLinear(-Infinity), NonFiniteError, 'y', 'y: expected a finite number, got -Infinity');
  });
});

// ─────────────────────────────────────────── input checks ───────────────────────────────────────────

describe('assertFiniteNumber, assertScale', () => {
  test('assertFiniteNumber: finite numbers pass; NaN, ±∞ and non-numbers throw NonFiniteError naming the argument', () => {
    for (const x of [0, -0, 1e308, -5e-324, 3.5]) expect(assertFiniteNumber(x, 'x')).toBeUndefined();
    expectThrows(() => assertFiniteNumber(NaN, 'alpha'), NonFiniteError, 'alpha', 'alpha: expected a finite number, got NaN');
    expectThrows(() => assertFiniteNumber(Infinity, 'beta'), NonFiniteError, 'beta', 'beta: expected a finite number, got Infinity');
    expectThrows(() => assertFiniteNumber('1' as unknown as number, 'gamma'), NonFiniteError, 'gamma', 'gamma: expected a finite number, got "1"');
  });

  test('assertScale: 0 < σ ≤ max (default 4), both boundaries', () => {
    expect(APP_E_MAX_SCALE).toBe(4);
    expect(APP_E_CLAIM_MAX_SCALE).toBe(2);
    expect(APP_E_B4_TAU).toBe(1e-3);
    for (const s of [5e-324, 1e-3, 1, 4]) expect(assertScale(s)).toBeUndefined();
    expect(assertScale(2, 2)).toBeUndefined();
    expectThrows(() => assertScale(0), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got 0`);
    expectThrows(() => assertScale(-1), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got -1`);
    expectThrows(() => assertScale(4.000000000000001), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got 4.000000000000001`);
    expectThrows(() => assertScale(2.5, 2), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(2)}, got 2.5`);
    expectThrows(() => assertScale(NaN), NonFiniteError, 'sigma', 'sigma: expected a finite number, got NaN');
  });
});

describe('validate: A square, symmetric positive definite, finite; b of length m, finite', () => {
  test('valid problems return m', () => {
    expect(validate(p2())).toBe(2);
    expect(validate(p1())).toBe(1);
    expect(validate({ A: [[4, 1, 0], [1, 4, 1], [0, 1, 4]], b: [0, 0, 0] })).toBe(3);
  });

  test('A not an array / empty: ShapeMismatchError naming A', () => {
    expectThrows(() => validate({ A: 5 as unknown as number[][], b: [] }), ShapeMismatchError, 'A', 'A: expected shape a non-empty square matrix, got number');
    expectThrows(() => validate({ A: [], b: [] }), ShapeMismatchError, 'A', 'A: expected shape a non-empty square matrix, got 0×0');
  });

  test('a row not an array, too short or too long: ShapeMismatchError naming A, with the row', () => {
    expectThrows(() => validate({ A: [[1, 0], 7 as unknown as number[]], b: [1, 1] }), ShapeMismatchError, 'A', 'A: expected shape 2×2, got row 1 of length ?');
    expectThrows(() => validate({ A: [[1, 0], [1]], b: [1, 1] }), ShapeMismatchError, 'A', 'A: expected shape 2×2, got row 1 of length 1');
    expectThrows(() => validate({ A: [[1, 0, 0], [0, 1], [0, 0, 1]], b: [1, 1, 1] }), ShapeMismatchError, 'A', 'A: expected shape 3×3, got row 1 of length 2');
    expectThrows(() => validate({ A: [[1, 0, 5], [0, 1]], b: [1, 1] }), ShapeMismatchError, 'A', 'A: expected shape 2×2, got row 0 of length 3');
  });

  test('a non-finite or non-number entry of A: NonFiniteError naming it (before any factorisation)', () => {
    expectThrows(() => validate({ A: [[1, NaN], [NaN, 1]], b: [1, 1] }), NonFiniteError, 'A[0][1]', 'A[0][1]: expected a finite number, got NaN');
    expectThrows(() => validate({ A: [[1, 0], [0, Infinity]], b: [1, 1] }), NonFiniteError, 'A[1][1]', 'A[1][1]: expected a finite number, got Infinity');
    expectThrows(() => validate({ A: [[1, 0], ['0' as unknown as number, 1]], b: [1, 1] }), NonFiniteError, 'A[1][0]', 'A[1][0]: expected a finite number, got "0"');
  });

  test('order: row by row, each row\'s shape then its entries, all of A before b', () => {
    // row 0's NaN is reported before row 1's bad length, and A's NaN before b's bad length
    expectThrows(() => validate({ A: [[1, NaN], [0]], b: [1, 1] }), NonFiniteError, 'A[0][1]', 'A[0][1]: expected a finite number, got NaN');
    expectThrows(() => validate({ A: [[NaN]], b: [1, 2] }), NonFiniteError, 'A[0][0]', 'A[0][0]: expected a finite number, got NaN');
    expectThrows(() => validate({ A: [[1, 0], [0, 1]], b: [NaN] }), ShapeMismatchError, 'b', 'b: expected shape a vector of length 2, got length 1');
  });

  test('b not an array or of the wrong length: ShapeMismatchError naming b', () => {
    expectThrows(() => validate({ A: [[1, 0], [0, 1]], b: 'xy' as unknown as number[] }), ShapeMismatchError, 'b', 'b: expected shape a vector of length 2, got string');
    expectThrows(() => validate({ A: [[1, 0], [0, 1]], b: [1] }), ShapeMismatchError, 'b', 'b: expected shape a vector of length 2, got length 1');
    expectThrows(() => validate({ A: [[1, 0], [0, 1]], b: [1, 2, 3] }), ShapeMismatchError, 'b', 'b: expected shape a vector of length 2, got length 3');
  });

  test('a non-finite entry of b: NonFiniteError naming it', () => {
    expectThrows(() => validate({ A: [[1, 0], [0, 1]], b: [1, NaN] }), NonFiniteError, 'b[1]', 'b[1]: expected a finite number, got NaN');
    expectThrows(() => validate({ A: [[1]], b: [-Infinity] }), NonFiniteError, 'b[0]', 'b[0]: expected a finite number, got -Infinity');
  });

  test('A symmetric to rounding (1 ulp) is accepted, not an untyped ml-matrix error (src/linalg/dense.ts fix of 2026-12-07)', () => {
    expect(validate({ A: [[2, 0.5000000000000001], [0.5, 3]], b: [1, -2] })).toBe(2);
    expectVecClose(weightDecayBestResponse({ A: [[2, 0.5000000000000001], [0.5, 3]], b: [1, -2] }, 0.3), weightDecayBestResponse(p2(), 0.3), 1e-15);
  });

  test('A not symmetric / not positive definite: the factorisation errors, naming A', () => {
    const e = thrown(() => validate({ A: [[1, 2], [0, 1]], b: [0, 0] }), NotSymmetricError);
    expect(e.argument).toBe('A');
    expectThrows(() => validate({ A: [[1, 2], [2, 1]], b: [0, 0] }), NotPositiveDefiniteError, 'A', 'A: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
    expectThrows(() => validate({ A: [[-1]], b: [0] }), NotPositiveDefiniteError, 'A', 'A: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });
});

describe('small vector helpers', () => {
  test('shifted adds the shift to the diagonal only, leaving A alone', () => {
    const a = [[1, 2], [3, 4]];
    expect(shifted(a, 10)).toEqual([[11, 2], [3, 14]]);
    expect(a).toEqual([[1, 2], [3, 4]]);
  });

  test('solve returns the plain array of (a)x = rhs, naming a in its errors', () => {
    const x = solve([[2, 0], [0, 4]], [1, 2], 'M');
    expect(Array.isArray(x)).toBe(true);
    expectVecClose(x, [0.5, 0.5], 1e-15);
    expectThrows(() => solve([[-1]], [1], 'M'), NotPositiveDefiniteError, 'M', 'M: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });

  test('matVec, axpy, sub', () => {
    expect(matVec([[1, 2], [3, 4]], [5, 6])).toEqual([17, 39]);
    expect(matVec([[2, 3]], [-1, 4])).toEqual([10]);
    expect(axpy(2, [1, 2], [10, 20])).toEqual([12, 24]);
    expect(axpy(-3, [1, -2], [0.5, 0])).toEqual([-2.5, 6]);
    expect(sub([5, 7], [1, 9])).toEqual([4, -2]);
  });
});

// ─────────────────────────────────────────── closed forms ───────────────────────────────────────────

describe('weightDecayBestResponse and its Jacobian', () => {
  test('diagonal A at λ = 0: w* = b/(a + 1), J* = −w*/(a + 1) exactly', () => {
    const p = { A: [[1, 0], [0, 3]], b: [2, 4] };
    expectVecClose(weightDecayBestResponse(p, 0), [1, 1], 1e-15);
    expectVecClose(weightDecayBestResponseJacobian(p, 0), [-0.5, -0.25], 1e-15);
  });

  test('coupled A: (A + e^λ I) w* = b, and J* is the central difference of w*(λ)', () => {
    const p = p2();
    for (const lambda of [-0.7, 0.4, 1.3]) {
      const w = weightDecayBestResponse(p, lambda);
      const d = Math.exp(lambda);
      expectVecClose(axpy(d, w, mv(p.A, w)), p.b, 1e-14);
      const h = 1e-5;
      const fd = sub(weightDecayBestResponse(p, lambda + h), weightDecayBestResponse(p, lambda - h)).map((v) => v / (2 * h));
      const j = weightDecayBestResponseJacobian(p, lambda);
      expectVecClose(j, fd, 1e-8);
      // and its defining equation (A + dI) J* = −d w*
      expectVecClose(axpy(d, j, mv(p.A, j)), w.map((v) => -d * v), 1e-14);
    }
  });

  test('errors: invalid problem, NaN λ, and e^λ = +∞ (the shifted matrix named A)', () => {
    expectThrows(() => weightDecayBestResponse({ A: [[1]], b: [1, 2] }, 0), ShapeMismatchError, 'b', 'b: expected shape a vector of length 1, got length 2');
    expectThrows(() => weightDecayBestResponse(p2(), NaN), NonFiniteError, 'lambda', 'lambda: expected a finite number, got NaN');
    expectThrows(() => weightDecayBestResponse(p2(), 800), NonFiniteError, 'A[0][0]', 'A[0][0]: expected a finite number, got Infinity');
    expectThrows(() => weightDecayBestResponseJacobian(p2(), 800), NonFiniteError, 'A[0][0]', 'A[0][0]: expected a finite number, got Infinity');
  });
});

describe('weightDecayStn and stnScaledSystem', () => {
  test('stnScaledSystem is [[A + cI, σcI], [σcI, A + (1+σ²)cI]] entry by entry', () => {
    expect(stnScaledSystem([[2, 1], [1, 3]], 5, 0.5)).toEqual([
      [7, 1, 2.5, 0],
      [1, 8, 0, 2.5],
      [2.5, 0, 8.25, 1],
      [0, 2.5, 1, 9.25],
    ]);
    expect(stnScaledSystem([[2]], 3, 2)).toEqual([
      [5, 6],
      [6, 17],
    ]);
  });

  test('m = 1: the scalar closed form worked by hand', () => {
    for (const [lambda0, sigma] of [[0.3, 0.7], [-1.2, 1.6], [0.8, 0.05], [0, 3.5]]) {
      const got = weightDecayStn(p1(), lambda0, sigma);
      const { w0, theta } = scalarStn(A1, B1, lambda0, sigma);
      expect(got.general.length).toBe(1);
      expect(got.response.length).toBe(1);
      expectClose(got.general[0], w0, 1e-13);
      expectClose(got.response[0], theta, 1e-12);
    }
  });

  test('m = 2: (w₀, θ) solves the unscaled 2m×2m STN system of the TSDoc', () => {
    const p = p2();
    for (const [lambda0, sigma] of [[0.3, 0.7], [-0.5, 1.9]]) {
      const { general: w0, response: th } = weightDecayStn(p, lambda0, sigma);
      const s = sigma * sigma;
      const c = Math.exp(lambda0 + s / 2);
      expect(w0.length).toBe(2);
      expect(th.length).toBe(2);
      // (A + cI)w₀ + σ²c θ = b
      expectVecClose(axpy(s * c, th, axpy(c, w0, mv(p.A, w0))), p.b, 1e-13);
      // σ²c w₀ + (σ²A + (σ² + σ⁴)c)θ = 0, divided by σ²: c w₀ + (A + (1 + σ²)c)θ = 0
      const r2 = axpy(c, w0, axpy((1 + s) * c, th, mv(p.A, th)));
      r2.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1e-13 * Math.max(...w0.map(Math.abs))));
    }
  });

  test('errors: lambda0, sigma, and c = +∞ (the system named A)', () => {
    expectThrows(() => weightDecayStn(p2(), NaN, 1), NonFiniteError, 'lambda0', 'lambda0: expected a finite number, got NaN');
    expectThrows(() => weightDecayStn(p2(), 0, 0), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got 0`);
    expectThrows(() => weightDecayStn(p2(), 0, 4.5), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got 4.5`);
    expectThrows(() => weightDecayStn(p2(), 800, 1), NonFiniteError, 'A[0][0]', 'A[0][0]: expected a finite number, got Infinity');
    expectThrows(() => weightDecayStn({ A: [[1, 2], [2, 1]], b: [0, 0] }, 0, 1), NotPositiveDefiniteError, 'A', 'A: expected a symmetric positive definite matrix (Cholesky factorisation failed)');
  });
});

describe('weightDecayStnSystemByQuadrature / weightDecayStnByQuadrature', () => {
  test('K matches the closed-form moments (= stnScaledSystem(A, c, σ)); r = (b, E_rule[z] b) bit for bit', () => {
    const p = p2();
    const lambda0 = 0.3;
    for (const sigma of [0.7, 1.4]) {
      const c = Math.exp(lambda0 + (sigma * sigma) / 2);
      const { matrix, rhs } = weightDecayStnSystemByQuadrature(p, lambda0, sigma);
      const want = stnScaledSystem(p.A, c, sigma);
      expect(matrix.length).toBe(4);
      matrix.forEach((row, i) => {
        expect(row.length).toBe(4);
        row.forEach((v, j) => expect(Math.abs(v - want[i][j])).toBeLessThanOrEqual(1e-13 * 10));
      });
      // r: the rule's moments of (1, z) times b, accumulated node by node
      const rule = gaussHermite(80);
      const r = [0, 0, 0, 0];
      for (let q = 0; q < 80; q++) {
        for (let i = 0; i < 2; i++) {
          r[i] += rule.weights[q] * p.b[i];
          r[2 + i] += rule.weights[q] * rule.nodes[q] * p.b[i];
        }
      }
      expect(r[2]).not.toBe(0);
      expect(rhs).toEqual(r);
    }
  });

  test('a tiny b: E_rule[z] b stays tiny (b enters multiplied, not divided); a zero b gives r = 0', () => {
    const { rhs } = weightDecayStnSystemByQuadrature({ A: [[2, 0.5], [0.5, 3]], b: [1e-200, 0] }, 0.1, 0.9);
    expectClose(rhs[0], 1e-200, 1e-14);
    expect(rhs[1]).toBe(0);
    expect(Math.abs(rhs[2])).toBeLessThanOrEqual(1e-215);
    expect(rhs[3]).toBe(0);
  });

  test('A symmetric only to 1 ulp: the lower-right block keeps A entry by entry, so K(Aᵀ) has it transposed, bit for bit', () => {
    const a = [[2, 0.5], [0.5000000000000001, 3]];
    const at = [[2, 0.5000000000000001], [0.5, 3]];
    const k = weightDecayStnSystemByQuadrature({ A: a, b: [1, 1] }, 0.2, 1.1).matrix;
    const kt = weightDecayStnSystemByQuadrature({ A: at, b: [1, 1] }, 0.2, 1.1).matrix;
    expect(k[3][2]).not.toBe(k[2][3]);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        expect(kt[2 + i][2 + j]).toBe(k[2 + j][2 + i]);
        expect(kt[i][j]).toBe(k[j][i]);
      }
    }
  });

  test('the lower-left block is the transpose of the upper-right one, bit for bit', () => {
    const k = weightDecayStnSystemByQuadrature({ A: [[2, 0.5], [0.5, 3]], b: [1, 1] }, 0.2, 1.1).matrix;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(k[2 + j][i]).toBe(k[i][2 + j]);
  });

  test('the solved point agrees with the closed form (m = 1 and 2), also with fewer nodes', () => {
    for (const [lambda0, sigma] of [[0.3, 0.7], [-1, 1.7]]) {
      const q = weightDecayStnByQuadrature(p2(), lambda0, sigma);
      const cf = weightDecayStn(p2(), lambda0, sigma);
      expectVecClose(q.general, cf.general, 1e-12);
      expectVecClose(q.response, cf.response, 1e-12);
    }
    const q1 = weightDecayStnByQuadrature(p1(), 0.5, 0.6, 40);
    const { w0, theta } = scalarStn(A1, B1, 0.5, 0.6);
    expect(q1.general.length).toBe(1);
    expect(q1.response.length).toBe(1);
    expectClose(q1.general[0], w0, 1e-12);
    expectClose(q1.response[0], theta, 1e-12);
  });

  test('errors: lambda0, sigma, and e^{λ₀} = +∞ (the solve names A)', () => {
    expectThrows(() => weightDecayStnSystemByQuadrature(p2(), Infinity, 1), NonFiniteError, 'lambda0', 'lambda0: expected a finite number, got Infinity');
    expectThrows(() => weightDecayStnSystemByQuadrature(p2(), 0, -2), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got -2`);
    expectThrows(() => weightDecayStnByQuadrature(p2(), 800, 1), NonFiniteError, 'A[0][0]', 'A[0][0]: expected a finite number, got Infinity');
  });
});

describe('weightDecayDeltaStn and its response by quadrature', () => {
  test('m = 1: w₀ = b/(a + e^{λ₀}) (= w*), θ = −c w₀/(a + (1+σ²)c)', () => {
    for (const [lambda0, sigma] of [[0.3, 0.7], [-1.2, 1.6]]) {
      const got = weightDecayDeltaStn(p1(), lambda0, sigma);
      const w0 = B1 / (A1 + Math.exp(lambda0));
      const c = Math.exp(lambda0 + (sigma * sigma) / 2);
      expectClose(got.general[0], w0, 1e-15);
      expectClose(got.response[0], (-c * w0) / (A1 + (1 + sigma * sigma) * c), 1e-14);
      expect(Object.keys(got).sort()).toEqual(['general', 'response']);
    }
  });

  test('m = 2: general is w*(λ₀) exactly; (A + (1+σ²)cI)θ = −c w₀; the quadrature response agrees', () => {
    const p = p2();
    const lambda0 = 0.4;
    const sigma = 1.3;
    const got = weightDecayDeltaStn(p, lambda0, sigma);
    expect(got.general).toEqual(weightDecayBestResponse(p, lambda0));
    const c = Math.exp(lambda0 + (sigma * sigma) / 2);
    expectVecClose(axpy((1 + sigma * sigma) * c, got.response, mv(p.A, got.response)), got.general.map((v) => -c * v), 1e-14);
    expectVecClose(weightDecayDeltaStnResponseByQuadrature(p, lambda0, sigma, got.general), got.response, 1e-12);
  });

  test('response by quadrature at a general part that is not w*: θ = −(A + (1+σ²)cI)⁻¹ c w₀ + the E_rule[z] b term', () => {
    const p = { A: [[2, 0.5], [0.5, 3]], b: [1, 0] };
    const lambda0 = -0.3;
    const sigma = 0.8;
    const w0 = [0.7, -1.1];
    const c = Math.exp(lambda0 + (sigma * sigma) / 2);
    const m = shifted(p.A, (1 + sigma * sigma) * c);
    const want = solve(m, w0.map((v) => -c * v), 'M');
    expectVecClose(weightDecayDeltaStnResponseByQuadrature(p, lambda0, sigma, w0), want, 1e-12);
    // with 40 nodes too
    expectVecClose(weightDecayDeltaStnResponseByQuadrature(p, lambda0, sigma, w0, 40), want, 1e-12);
  });

  test('general = 0: θ = (A + (1+σ²)cI)⁻¹ E_rule[z] b / σ, the rule\'s first moment (≈ 1.7e-17) made visible by a large b', () => {
    const rule = gaussHermite(80);
    let ez = 0;
    for (let q = 0; q < 80; q++) ez += rule.weights[q] * rule.nodes[q];
    expect(ez).not.toBe(0);
    const p = { A: [[2, 0.5], [0.5, 3]], b: [1e17, 0] };
    const lambda0 = 0.2;
    const sigma = 0.9;
    const c = Math.exp(lambda0 + (sigma * sigma) / 2);
    const want = solve(shifted(p.A, (1 + sigma * sigma) * c), [ez * 1e17, 0], 'M').map((v) => v / sigma);
    expectVecClose(weightDecayDeltaStnResponseByQuadrature(p, lambda0, sigma, [0, 0]), want, 1e-9);
  });

  test('errors: general of the wrong length, sigma, c = +∞ (each solve names A)', () => {
    expectThrows(() => weightDecayDeltaStnResponseByQuadrature(p2(), 0, 1, [1, 2, 3]), ShapeMismatchError, 'general', 'general: expected shape length 2, got length 3');
    expectThrows(() => weightDecayDeltaStnResponseByQuadrature(p2(), 0, 1, [1]), ShapeMismatchError, 'general', 'general: expected shape length 2, got length 1');
    expectThrows(() => weightDecayDeltaStnResponseByQuadrature(p2(), 0, 0, [1, 2]), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got 0`);
    expectThrows(() => weightDecayDeltaStnResponseByQuadrature(p2(), 800, 1, [1, 2]), NonFiniteError, 'A[0][0]', 'A[0][0]: expected a finite number, got Infinity');
    expectThrows(() => weightDecayDeltaStn(p2(), NaN, 1), NonFiniteError, 'lambda0', 'lambda0: expected a finite number, got NaN');
    expectThrows(() => weightDecayDeltaStn(p2(), 0, 5), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got 5`);
    // e^{λ₀} finite, c = e^{λ₀+8} = +∞: the response's solve
    expectThrows(() => weightDecayDeltaStn(p2(), 705, 4), NonFiniteError, 'A[0][0]', 'A[0][0]: expected a finite number, got Infinity');
  });
});

describe('weightDecayStnBias, weightDecayPropositionB, weightDecayPropositionBRemainder', () => {
  /** m = 1 by hand: δ = b(σ²c²/M − d·expm1(σ²/2)) / ((a + d)(a + c − σ²c²/M)), M = a + (1+σ²)c. */
  function scalarBias(lambda0: number, sigma: number): number {
    const s = sigma * sigma;
    const d = Math.exp(lambda0);
    const c = Math.exp(lambda0 + s / 2);
    const m = A1 + (1 + s) * c;
    return (B1 * ((s * c * c) / m - d * Math.expm1(s / 2))) / ((A1 + d) * (A1 + c - (s * c * c) / m));
  }
  /** m = 1 by hand: approx = −½ σ² d (w + 2J)/(a + d), w = b/(a + d), J = −d w/(a + d). */
  function scalarPropB(lambda0: number, sigma: number): number {
    const d = Math.exp(lambda0);
    const w = B1 / (A1 + d);
    const j = (-d * w) / (A1 + d);
    return (-0.5 * sigma * sigma * d * (w + 2 * j)) / (A1 + d);
  }

  test('m = 1: δ and Prop. B match the scalar algebra, for small and large σ', () => {
    for (const [lambda0, sigma] of [[0.3, 0.7], [-0.6, 1.8], [0.2, 0.01], [1.1, 3.9]]) {
      const delta = weightDecayStnBias(p1(), lambda0, sigma);
      expect(delta.length).toBe(1);
      expectClose(delta[0], scalarBias(lambda0, sigma), 1e-12);
      expectClose(weightDecayPropositionB(p1(), lambda0, sigma)[0], scalarPropB(lambda0, sigma), 1e-14);
    }
  });

  test('m = 2: δ = w₀^STN − w* (no cancellation at σ ~ 1)', () => {
    const p = p2();
    for (const [lambda0, sigma] of [[0.3, 0.7], [-0.5, 1.6]]) {
      const want = sub(weightDecayStn(p, lambda0, sigma).general, weightDecayBestResponse(p, lambda0));
      expectVecClose(weightDecayStnBias(p, lambda0, sigma), want, 1e-12);
    }
  });

  test('m = 2: Prop. B is −½ H⁻¹ σ² d (w* + 2J*)', () => {
    const p = p2();
    const lambda0 = 0.35;
    const sigma = 1.3;
    const d = Math.exp(lambda0);
    const w = weightDecayBestResponse(p, lambda0);
    const j = weightDecayBestResponseJacobian(p, lambda0);
    const q = w.map((v, i) => sigma * sigma * d * (v + 2 * j[i]));
    const approx = weightDecayPropositionB(p, lambda0, sigma);
    // H approx = −½ q
    expectVecClose(axpy(d, approx, mv(p.A, approx)), q.map((v) => -0.5 * v), 1e-14);
    expectThrows(() => weightDecayPropositionB(p, lambda0, 0), InvalidArgumentError, 'sigma', `sigma: expected ${SIGMA_RANGE(4)}, got 0`);
  });

  test('the remainder is δ − approx (m = 1 and 2; where the subtraction does not cancel), and O(σ⁴)', () => {
    for (const [lambda0, sigma] of [[0.3, 0.7], [-0.4, 1.5], [0.9, 0.35], [0.1, 2.7]]) {
      const r1 = weightDecayPropositionBRemainder(p1(), lambda0, sigma);
      expect(r1.length).toBe(1);
      expectClose(r1[0], scalarBias(lambda0, sigma) - scalarPropB(lambda0, sigma), 1e-9);
      const p = p2();
      const want = sub(weightDecayStnBias(p, lambda0, sigma), weightDecayPropositionB(p, lambda0, sigma));
      expectVecClose(weightDecayPropositionBRemainder(p, lambda0, sigma), want, 1e-9);
    }
    // small σ: r/σ⁴ settles (the σ² parts cancel exactly in the closed form)
    const a = weightDecayPropositionBRemainder(p2(), 0.2, 0.02).map((v) => v / 0.02 ** 4);
    const b = weightDecayPropositionBRemainder(p2(), 0.2, 0.01).map((v) => v / 0.01 ** 4);
    expectVecClose(a, b, 2e-3);
    const c = weightDecayPropositionBRemainder(p1(), 0.2, 0.01)[0];
    expectClose(c, scalarBias(0.2, 0.01) - scalarPropB(0.2, 0.01), 1e-5);
  });
});

// ─────────────────────────────────────────── inner problems ───────────────────────────────────────────

describe('weightDecayInnerProblem, sinInnerProblem', () => {
  test('weight decay: sizes, gradient, Hessian, and the second directional derivative (closed form and central difference)', () => {
    const p = p2();
    const ip = weightDecayInnerProblem(p);
    expect(ip.weights).toBe(2);
    expect(ip.hypers).toBe(1);
    const lambda = [0.3];
    const w = [0.7, -1.2];
    const e = Math.exp(0.3);
    expectVecClose(ip.gradW(lambda, w), [2 * 0.7 + 0.5 * -1.2 + e * 0.7 - 1, 0.5 * 0.7 + 3 * -1.2 + e * -1.2 + 2], 1e-15);
    expect(ip.hessW(lambda, w)).toEqual(shifted(p.A, e));
    const dl = [0.6];
    const dw = [0.4, -0.9];
    expect(typeof ip.secondDirectional).toBe('function');
    const second = ip.secondDirectional as NonNullable<typeof ip.secondDirectional>;
    const sd = second(lambda, w, dl, dw);
    expectVecClose(sd, [e * (0.36 * 0.7 + 1.2 * 0.4), e * (0.36 * -1.2 + 1.2 * -0.9)], 1e-15);
    const h = 1e-3;
    const g = (t: number): number[] => ip.gradW([lambda[0] + t * dl[0]], [w[0] + t * dw[0], w[1] + t * dw[1]]);
    const fd = g(h).map((v, i) => (v - 2 * g(0)[i] + g(-h)[i]) / (h * h));
    expectVecClose(sd, fd, 1e-5);
    expectThrows(() => weightDecayInnerProblem({ A: [], b: [] }), ShapeMismatchError, 'A', 'A: expected shape a non-empty square matrix, got 0×0');
  });

  test('sin toy: gradient w − sin λ, Hessian [[1]], second directional sin λ · dλ²', () => {
    const ip = sinInnerProblem();
    expect(ip.weights).toBe(1);
    expect(ip.hypers).toBe(1);
    expect(ip.gradW([0.8], [0.3])).toEqual([0.3 - Math.sin(0.8)]);
    expect(ip.hessW([0.8], [0.3])).toEqual([[1]]);
    expect(typeof ip.secondDirectional).toBe('function');
    const second = ip.secondDirectional as NonNullable<typeof ip.secondDirectional>;
    const sd = second([0.8], [0.3], [0.6], [5]);
    expect(sd.length).toBe(1);
    expectClose(sd[0], Math.sin(0.8) * 0.36, 1e-15);
  });
});

describe('sinToyClosedForms', () => {
  test('STN damps both parts by e^{−σ²/2}; Δ-STN keeps w₀ = sin λ₀; J* = cos λ₀', () => {
    for (const [lambda0, sigma] of [[0.8, 0.7], [-2, 1.9], [1, 6]]) {
      const damp = Math.exp(-(sigma * sigma) / 2);
      const got = sinToyClosedForms(lambda0, sigma);
      expect(Object.keys(got).sort()).toEqual(['bestResponseJacobian', 'deltaStn', 'stn']);
      expectClose(got.stn.general, Math.sin(lambda0) * damp, 1e-15);
      expectClose(got.stn.response, Math.cos(lambda0) * damp, 1e-15);
      expect(got.deltaStn.general).toBe(Math.sin(lambda0));
      expectClose(got.deltaStn.response, Math.cos(lambda0) * damp, 1e-15);
      expect(got.bestResponseJacobian).toBe(Math.cos(lambda0));
    }
  });

  test('errors: lambda0, sigma non-finite, σ ≤ 0', () => {
    expectThrows(() => sinToyClosedForms(NaN, 1), NonFiniteError, 'lambda0', 'lambda0: expected a finite number, got NaN');
    expectThrows(() => sinToyClosedForms(0, Infinity), NonFiniteError, 'sigma', 'sigma: expected a finite number, got Infinity');
    expectThrows(() => sinToyClosedForms(0, 0), InvalidArgumentError, 'sigma', 'sigma: expected σ > 0, got 0');
    expectThrows(() => sinToyClosedForms(0, -0.5), InvalidArgumentError, 'sigma', 'sigma: expected σ > 0, got -0.5');
    expect(sinToyClosedForms(0, 5e-324).stn.general).toBe(0);
  });
});

// ─────────────────────────────────────────── gradient descent ───────────────────────────────────────────

describe('weightDecayStnGradientDescent', () => {
  /** The same iteration on the closed-form system: ψ ← ψ − η(Kψ − r), η = 1/λ_max. */
  function reference(p: WeightDecayProblem, lambda0: number, sigma: number, iterations: number, start: { general: number[]; response: number[] }, lmax: number) {
    const m = p.b.length;
    const c = Math.exp(lambda0 + (sigma * sigma) / 2);
    const k = stnScaledSystem(p.A, c, sigma);
    const r = [...p.b, ...p.b.map(() => 0)];
    let psi = [...start.general, ...start.response.map((v) => sigma * v)];
    const stn = weightDecayStn(p, lambda0, sigma);
    const psiStn = [...stn.general, ...stn.response.map((v) => sigma * v)];
    const wStar = weightDecayBestResponse(p, lambda0);
    const toW: number[] = [];
    const toStn: number[] = [];
    for (let it = 0; it < iterations; it++) {
      const g = sub(mv(k, psi), r);
      psi = psi.map((v, i) => v - g[i] / lmax);
      toW.push(Math.hypot(...psi.slice(0, m).map((v, i) => v - wStar[i])));
      toStn.push(Math.hypot(...psi.map((v, i) => v - psiStn[i])));
    }
    return { psi, toW, toStn };
  }

  test('m = 1: contraction 1 − λ_min/λ_max of [[a + c, σc], [σc, a + (1+σ²)c]] by the quadratic formula; the default start is (w*, J*)', () => {
    const lambda0 = 0.3;
    const sigma = 0.7;
    const c = Math.exp(lambda0 + (sigma * sigma) / 2);
    const p = A1 + c;
    const r = A1 + (1 + sigma * sigma) * c;
    const q = sigma * c;
    const mid = (p + r) / 2;
    const rad = Math.sqrt(((p - r) / 2) ** 2 + q * q);
    const lmin = mid - rad;
    const lmax = mid + rad;
    const res = weightDecayStnGradientDescent(p1(), lambda0, sigma, 3);
    expect(Object.keys(res).sort()).toEqual(['contraction', 'distanceToBestResponse', 'distanceToStn', 'final']);
    expectClose(res.contraction, 1 - lmin / lmax, 1e-12);
    const start = { general: weightDecayBestResponse(p1(), lambda0), response: weightDecayBestResponseJacobian(p1(), lambda0) };
    const ref = reference(p1(), lambda0, sigma, 3, start, lmax);
    expect(res.distanceToBestResponse.length).toBe(3);
    expect(res.distanceToStn.length).toBe(3);
    res.distanceToBestResponse.forEach((v, i) => expectClose(v, ref.toW[i], 1e-10));
    res.distanceToStn.forEach((v, i) => expectClose(v, ref.toStn[i], 1e-10));
    expect(res.final.general.length).toBe(1);
    expect(res.final.response.length).toBe(1);
    expectClose(res.final.general[0], ref.psi[0], 1e-12);
    expectClose(res.final.response[0], ref.psi[1] / sigma, 1e-12);
    // an explicit start equal to the default gives the same run
    expect(weightDecayStnGradientDescent(p1(), lambda0, sigma, 3, start)).toEqual(res);
  });

  test('m = 2, an explicit start: one step and five steps match the reference iteration; long runs reach the STN point, not w*', () => {
    const p = p2();
    const lambda0 = -0.2;
    const sigma = 1.3;
    const start = { general: [0.1, -0.4], response: [0.3, 0.2] };
    const c = Math.exp(lambda0 + (sigma * sigma) / 2);
    const one = weightDecayStnGradientDescent(p, lambda0, sigma, 1, start);
    // λ_max of the closed-form K by power iteration (not from the run's own eigenvalues)
    const k = stnScaledSystem(p.A, c, sigma);
    let v = [1, 0.3, -0.2, 0.5];
    for (let it = 0; it < 300; it++) {
      const u = mv(k, v);
      const n = Math.hypot(...u);
      v = u.map((x) => x / n);
    }
    const lam = mv(k, v).reduce((s, x, i) => s + x * v[i], 0);
    for (const n of [1, 5]) {
      const res = n === 1 ? one : weightDecayStnGradientDescent(p, lambda0, sigma, n, start);
      const ref = reference(p, lambda0, sigma, n, start, lam);
      expect(res.distanceToBestResponse.length).toBe(n);
      res.distanceToBestResponse.forEach((x, i) => expectClose(x, ref.toW[i], 1e-9));
      res.distanceToStn.forEach((x, i) => expectClose(x, ref.toStn[i], 1e-9));
      expectVecClose(res.final.general, ref.psi.slice(0, 2), 1e-10);
      expectVecClose(res.final.response, ref.psi.slice(2).map((x) => x / sigma), 1e-10);
    }
    const long = weightDecayStnGradientDescent(p, lambda0, sigma, 400, start);
    const stn = weightDecayStn(p, lambda0, sigma);
    expectVecClose(long.final.general, stn.general, 1e-8);
    expectVecClose(long.final.response, stn.response, 1e-8);
    const bias = Math.hypot(...weightDecayStnBias(p, lambda0, sigma));
    expectClose(long.distanceToBestResponse[399], bias, 1e-7);
    expect(long.distanceToStn[399]).toBeLessThan(1e-9);
    expect(long.contraction).toBeGreaterThan(0);
    expect(long.contraction).toBeLessThan(1);
  });

  test('iterations must be an integer ≥ 1 (1 is allowed)', () => {
    for (const n of [0, -1, 1.5, NaN]) {
      expectThrows(() => weightDecayStnGradientDescent(p1(), 0, 1, n), InvalidArgumentError, 'iterations', `iterations: expected an integer ≥ 1, got ${String(n)}`);
    }
    expect(weightDecayStnGradientDescent(p1(), 0, 0.5, 1).distanceToStn.length).toBe(1);
  });
});

// ─────────────────────────────────────────── PT-12: zero variance ───────────────────────────────────────────

describe('general gradients and their variance (PT-12)', () => {
  test('deltaStnGeneralGradient = (A + e^{λ₀}I)w₀ − b, whatever θ and ε', () => {
    const p = p2();
    const w0 = [0.7, -1.2];
    const e = Math.exp(0.3);
    const want = [2 * 0.7 + 0.5 * -1.2 + e * 0.7 - 1, 0.5 * 0.7 + 3 * -1.2 + e * -1.2 + 2];
    expectVecClose(deltaStnGeneralGradient(p, 0.3, w0, [5, 5], 0.9), want, 1e-15);
    expect(deltaStnGeneralGradient(p, 0.3, w0, [-1, 2], -2)).toEqual(deltaStnGeneralGradient(p, 0.3, w0, [5, 5], 0.9));
  });

  test('stnGeneralGradient = (A + e^{λ₀+ε}I)(w₀ + θε) − b', () => {
    const p = p2();
    const w0 = [0.7, -1.2];
    const th = [0.25, 0.5];
    const eps = 0.4;
    const w = [0.7 + 0.25 * eps, -1.2 + 0.5 * eps];
    const e = Math.exp(0.3 + eps);
    const want = [2 * w[0] + 0.5 * w[1] + e * w[0] - 1, 0.5 * w[0] + 3 * w[1] + e * w[1] + 2];
    expectVecClose(stnGeneralGradient(p, 0.3, w0, th, eps), want, 1e-15);
  });

  test('traceVariance: the trace of the sample covariance (n − 1 in the denominator)', () => {
    expect(traceVariance([[1, 2], [3, 6], [5, 10]])).toBe(20);
    expect(traceVariance([[4], [4]])).toBe(0);
    expect(traceVariance([[1, 0, 0], [0, 1, 0]])).toBe(1);
  });

  test('generalGradientVariance: Δ-STN identical with zero variance; STN variance recomputed from the same seeded draws', () => {
    const p = p2();
    const lambda0 = 0.2;
    const sigma = 0.6;
    const dstn = weightDecayDeltaStn(p, lambda0, sigma);
    const stn = weightDecayStn(p, lambda0, sigma);
    for (const draws of [2, 7]) {
      const res = generalGradientVariance(p, lambda0, sigma, dstn, stn, new Rng(11), draws);
      expect(Object.keys(res).sort()).toEqual(['deltaStnIdentical', 'deltaStnVariance', 'stnVariance']);
      expect(res.deltaStnIdentical).toBe(true);
      expect(res.deltaStnVariance).toBe(0);
      const rng = new Rng(11);
      const gs: number[][] = [];
      for (let k = 0; k < draws; k++) {
        const eps = sigma * rng.normal();
        const w = stn.general.map((v, i) => v + stn.response[i] * eps);
        const e = Math.exp(lambda0 + eps);
        gs.push(mv(p.A, w).map((v, i) => v + e * w[i] - p.b[i]));
      }
      let t = 0;
      for (let i = 0; i < 2; i++) {
        const mean = gs.reduce((s, g) => s + g[i], 0) / draws;
        t += gs.reduce((s, g) => s + (g[i] - mean) ** 2, 0);
      }
      expect(res.stnVariance).toBeGreaterThan(0);
      expectClose(res.stnVariance, t / (draws - 1), 1e-10);
    }
    // the default is 100 draws
    const d100 = generalGradientVariance(p, lambda0, sigma, dstn, stn, new Rng(3));
    expect(d100).toEqual(generalGradientVariance(p, lambda0, sigma, dstn, stn, new Rng(3), 100));
    expect(d100).not.toEqual(generalGradientVariance(p, lambda0, sigma, dstn, stn, new Rng(3), 99));
  });

  test('deltaStnIdentical compares every entry of every draw to the first (a problem whose b changes after the first read)', () => {
    let reads = 0;
    const p = {
      A: [[2, 0.5], [0.5, 3]],
      get b(): number[] {
        reads += 1;
        return reads === 1 ? [1, 0] : [2, 0];
      },
    };
    const g = { general: [0.5, 0.5], response: [0, 0] };
    const res = generalGradientVariance(p, 0, 0.5, g, g, new Rng(5), 3);
    expect(res.deltaStnIdentical).toBe(false);
    expect(res.deltaStnVariance).toBeGreaterThan(0);
  });
});
