/**
 * Killing tests for src/theory/thm3/math.ts (README, "Mutation testing"): THM-3 on the quadratic inner problem
 * L_T(λ, w) = ½wᵀAw − wᵀ(b + Bλ) (docs/math.md#s0-1 THM-3, #s2-4 S1; proofs/THM-3.md). test/theory/THM-3.test.ts checks
 * the claim end to end; these pin the pieces with exact oracles worked by hand:
 * - parsing: every typed error by class, argument and exact message, and every field of the parsed problem;
 * - w* and J* checked by their defining equations A w* = b + Bλ₀, A J* = B (not by a second solve);
 * - the Δ-STN steps: the response-step Hessian equals Σ ⊗ A and its gradient at Θ = 0 equals vec(−BΣ) (column-major),
 *   for a diagonal and a full Σ, with m ≠ h so that no index mix-up of the vec layout can pass;
 * - ∇_Θ R = (AΘ − B)Σ = A(Θ − J*)Σ for any general point (E ε = 0 removes it);
 * - the exact convergence decision (inertia of 2I − η Σ⊗A) at, below and above the boundary η = 2/λ_max, η ≤ 0;
 * - the certified intervals: diagonal matrices exactly, others by bracketing the known eigenvalues;
 * - the float64 gradient descent: E₀ = a bᵀ has a unit component on every eigenvector of Σ⊗A, so after K steps
 *   ‖E_K‖² = Σ_i μ_i^{2K} (μ_i = 1 − ηλ_i): the measured ratio and the bound B_K have closed forms in the μ_i.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { math, rational, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import {
  bestResponse,
  contractionInterval,
  covarianceFromScales,
  deltaStnQuadratic,
  eigenInterval,
  isParsed,
  isPositive,
  maxQ,
  measureAsymptoticRatio,
  minQ,
  parseCovariance,
  parseQuadraticInner,
  parseStepSize,
  quadraticTrainGrad,
  quadraticTrainLoss,
  responseGradient,
  responseRate,
  scaleToUnit,
  shape,
  type QuadraticInner,
} from '../../src/theory/thm3/math.js';
import { expectThrows, thrown } from './throws.js';

const q = (x: string | number): Rational => rational(x);
const Q = (rows: readonly (readonly (string | number)[])[]): RationalMatrix => rows.map((r) => r.map(q));
const str = (v: readonly Rational[]): string[] => v.map((x) => x.toFraction());
const strM = (M: RationalMatrix): string[][] => M.map(str);

function matmul(X: RationalMatrix, Y: RationalMatrix): RationalMatrix {
  return X.map((row) => Y[0].map((_, j) => row.reduce((s, x, l) => s.add(x.mul(Y[l][j])), math.fraction(0))));
}
function matvec(X: RationalMatrix, v: readonly Rational[]): Rational[] {
  return X.map((row) => row.reduce((s, x, l) => s.add(x.mul(v[l])), math.fraction(0)));
}
function sub(X: RationalMatrix, Y: RationalMatrix): RationalMatrix {
  return X.map((row, i) => row.map((x, j) => x.sub(Y[i][j])));
}
/** Σ ⊗ A written out entry by entry: (Σ⊗A)[i·m + k][j·m + l] = Σ_ij A_kl (column-major vec of an m×h Θ). */
function kron(S: RationalMatrix, A: RationalMatrix): RationalMatrix {
  const m = A.length;
  const n = S.length * m;
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => S[Math.floor(r / m)][Math.floor(c / m)].mul(A[r % m][c % m])));
}
/** vec in column-major order: entry i + j·m is M[i][j]. */
function vec(M: RationalMatrix): Rational[] {
  const out: Rational[] = [];
  for (let j = 0; j < M[0].length; j++) for (let i = 0; i < M.length; i++) out.push(M[i][j]);
  return out;
}

/** The hand-checked case of test/theory/THM-3.test.ts: w* = (7/3, −2/3), J* = (2/3, −1/3). */
const SMALL = { A: [[2, 1], [1, 2]], B: [[1], [0]], b: [1, 1], lambda0: [3] };
/** m = 3, h = 2, A with a zero entry (A₀₂ = 0) and B with zeros. */
const WIDE = { A: [[4, 1, 0], [1, 3, 1], [0, 1, 2]], B: [[1, 0], [2, -1], [0, '1/2']], b: [1, 0, -1], lambda0: [1, 2] };

describe('shape, isPositive, maxQ, minQ, isParsed', () => {
  test('shape is rows×columns', () => {
    expect(shape(Q([[1, 2, 3], [4, 5, 6]]))).toBe('2×3');
  });
  test('isPositive: positive, zero, negative', () => {
    expect(isPositive(q('1/3'))).toBe(true);
    expect(isPositive(q(0))).toBe(false);
    expect(isPositive(q('-1/3'))).toBe(false);
  });
  test('maxQ / minQ: the larger / smaller; on a tie the first argument itself', () => {
    expect(maxQ(q(1), q(2)).toFraction()).toBe('2');
    expect(maxQ(q(2), q(1)).toFraction()).toBe('2');
    expect(minQ(q(1), q(2)).toFraction()).toBe('1');
    expect(minQ(q(2), q(1)).toFraction()).toBe('1');
    const a = q('1/2');
    const b = q('1/2');
    expect(maxQ(a, b)).toBe(a);
    expect(minQ(a, b)).toBe(a);
  });
  test('isParsed needs both m and h to be numbers', () => {
    expect(isParsed({ ...SMALL } as never)).toBe(false);
    expect(isParsed({ ...SMALL, m: 2 } as never)).toBe(false);
    expect(isParsed({ ...SMALL, h: 1 } as never)).toBe(false);
    expect(isParsed({ ...SMALL, m: 2, h: 1 } as never)).toBe(true);
    expect(isParsed({ ...SMALL, m: '2', h: 1 } as never)).toBe(false);
  });
});

describe('parseQuadraticInner', () => {
  test('a valid problem: every field, exact', () => {
    const p = parseQuadraticInner(WIDE);
    expect(strM(p.A)).toEqual([['4', '1', '0'], ['1', '3', '1'], ['0', '1', '2']]);
    expect(strM(p.B)).toEqual([['1', '0'], ['2', '-1'], ['0', '1/2']]);
    expect(str(p.b)).toEqual(['1', '0', '-1']);
    expect(str(p.lambda0)).toEqual(['1', '2']);
    expect(p.m).toBe(3);
    expect(p.h).toBe(2);
  });
  test('bad entries are named after their field', () => {
    expect(thrown(() => parseQuadraticInner({ ...SMALL, A: [[2, 'x'], [1, 2]] }), ParseError).argument).toBe('A[0][1]');
    expect(thrown(() => parseQuadraticInner({ ...SMALL, B: [['x'], [0]] }), ParseError).argument).toBe('B[0][0]');
    expect(thrown(() => parseQuadraticInner({ ...SMALL, b: [1, 'x'] }), ParseError).argument).toBe('b[1]');
    expect(thrown(() => parseQuadraticInner({ ...SMALL, lambda0: ['x'] }), ParseError).argument).toBe('lambda0[0]');
  });
  test('A not square, not symmetric, not positive definite', () => {
    expectThrows(() => parseQuadraticInner({ ...SMALL, A: [[2, 1]] }), ShapeMismatchError, 'A', 'A: expected shape a square matrix, got 1×2');
    expectThrows(() => parseQuadraticInner({ ...SMALL, A: [[2, 1], [0, 2]] }), NotSymmetricError, 'A', 'A: expected a symmetric matrix (A must equal Aᵀ exactly)');
    expectThrows(() => parseQuadraticInner({ ...SMALL, A: [[1, 2], [2, 1]] }), NotPositiveDefiniteError, 'A', 'A: expected a symmetric positive definite matrix (inertia (+1, −1, 0×0))');
    expectThrows(() => parseQuadraticInner({ ...SMALL, A: [[1, 1], [1, 1]] }), NotPositiveDefiniteError, 'A', 'A: expected a symmetric positive definite matrix (inertia (+1, −0, 0×1))');
  });
  test('B, b, lambda0 of the wrong size', () => {
    expectThrows(() => parseQuadraticInner({ ...SMALL, B: [[1, 2]] }), ShapeMismatchError, 'B', 'B: expected shape 2×h (as many rows as A), got 1×2');
    expectThrows(() => parseQuadraticInner({ ...SMALL, b: [1, 1, 1] }), ShapeMismatchError, 'b', 'b: expected shape length 2, got length 3');
    expectThrows(() => parseQuadraticInner({ ...SMALL, lambda0: [3, 4] }), ShapeMismatchError, 'lambda0', 'lambda0: expected shape length 1 (the columns of B), got length 2');
  });
});

describe('covarianceFromScales, parseCovariance, parseStepSize', () => {
  test('Σ = diag(σ²), exact', () => {
    expect(strM(covarianceFromScales(['1/2', 3], 2))).toEqual([['1/4', '0'], ['0', '9']]);
  });
  test('wrong length; σ_k ≤ 0; a bad entry', () => {
    expectThrows(() => covarianceFromScales([1], 2), ShapeMismatchError, 'sigma', 'sigma: expected shape length 2 (one scale per hyperparameter), got length 1');
    expectThrows(() => covarianceFromScales([1, 0], 2), InvalidArgumentError, 'sigma[1]', 'sigma[1]: expected a scale σ_k > 0, got "0"');
    expectThrows(() => covarianceFromScales(['-1/2', 1], 2), InvalidArgumentError, 'sigma[0]', 'sigma[0]: expected a scale σ_k > 0, got "-1/2"');
    expect(thrown(() => covarianceFromScales([1, 'x'], 2), ParseError).argument).toBe('sigma[1]');
  });
  test('a valid full covariance is returned as given', () => {
    expect(strM(parseCovariance([[2, 1], [1, '3/2']], 2))).toEqual([['2', '1'], ['1', '3/2']]);
  });
  test('covariance: wrong rows, wrong columns, not symmetric, not positive definite, a bad entry', () => {
    expectThrows(() => parseCovariance([[1, 0], [0, 1], [0, 0]], 2), ShapeMismatchError, 'covariance', 'covariance: expected shape 2×2, got 3×2');
    expectThrows(() => parseCovariance([[1, 0, 0], [0, 1, 0]], 2), ShapeMismatchError, 'covariance', 'covariance: expected shape 2×2, got 2×3');
    expectThrows(() => parseCovariance([[1, 1], [0, 1]], 2), NotSymmetricError, 'covariance', 'covariance: expected a symmetric matrix (Σ must equal Σᵀ exactly)');
    expectThrows(() => parseCovariance([[1, 2], [2, 1]], 2), NotPositiveDefiniteError, 'covariance', 'covariance: expected a symmetric positive definite matrix (inertia (+1, −1, 0×0))');
    expect(thrown(() => parseCovariance([[1, 'x'], [0, 1]], 2), ParseError).argument).toBe('covariance[0][1]');
  });
  test('η: positive accepted exactly; 0 and negative rejected; a bad entry named eta', () => {
    expect(parseStepSize('1/3').toFraction()).toBe('1/3');
    expectThrows(() => parseStepSize(0), InvalidArgumentError, 'eta', 'eta: expected a step size η > 0, got "0"');
    expectThrows(() => parseStepSize('-2/3'), InvalidArgumentError, 'eta', 'eta: expected a step size η > 0, got "-2/3"');
    expect(thrown(() => parseStepSize('x'), ParseError).argument).toBe('eta');
  });
});

describe('bestResponse, quadraticTrainLoss, quadraticTrainGrad', () => {
  test('the hand-checked case, from the raw input and from the parsed problem', () => {
    for (const input of [SMALL, parseQuadraticInner(SMALL)]) {
      const r = bestResponse(input);
      expect(str(r.w)).toEqual(['7/3', '-2/3']);
      expect(strM(r.J)).toEqual([['2/3'], ['-1/3']]);
    }
  });
  test('m = 3, h = 2: A w* = b + Bλ₀ and A J* = B exactly', () => {
    const p = parseQuadraticInner(WIDE);
    const r = bestResponse(WIDE);
    expect(str(matvec(p.A, r.w))).toEqual(str(matvec([p.b.map((x, i) => [x, ...p.B[i]])].flat(), [q(1), ...p.lambda0])));
    expect(strM(matmul(p.A, r.J))).toEqual(strM(p.B));
  });
  test('a hand-made (unvalidated) problem with singular A: SingularMatrixError naming A', () => {
    const bad: QuadraticInner = { A: Q([[1, 1], [1, 1]]), B: Q([[1], [0]]), b: [q(1), q(1)], lambda0: [q(0)], m: 2, h: 1 };
    expectThrows(() => bestResponse(bad), ShapeMismatchError, 'A', 'A: expected shape a non-singular matrix, got det = 0 exactly');
    expectThrows(() => deltaStnQuadratic(bad, Q([[1]])), ShapeMismatchError, 'A', 'A: expected shape a non-singular matrix, got det = 0 exactly');
  });
  test('L_T and ∇_w L_T at a hand-worked point: w = (1, 2), λ = 3 gives L = 7 − 6 = 1, ∇ = (4, 5) − (4, 1)', () => {
    const p = parseQuadraticInner(SMALL);
    expect(quadraticTrainLoss(p, [q(3)], [q(1), q(2)]).toFraction()).toBe('1');
    expect(str(quadraticTrainGrad(p, [q(3)], [q(1), q(2)]))).toEqual(['0', '4']);
    // w = (1/2, −1), λ = −1: Aw = (0, −3/2), wᵀAw = 3/2; b + Bλ = (0, 1), wᵀ(b + Bλ) = −1: L = 3/4 + 1.
    expect(quadraticTrainLoss(p, [q(-1)], [q('1/2'), q(-1)]).toFraction()).toBe('7/4');
    expect(str(quadraticTrainGrad(p, [q(-1)], [q('1/2'), q(-1)]))).toEqual(['0', '-5/2']);
  });
});

describe('deltaStnQuadratic', () => {
  for (const [label, S] of [
    ['diagonal Σ', [['1/4', 0], [0, 4]]],
    ['full Σ', [[2, 1], [1, 3]]],
  ] as const) {
    test(`m = 3, h = 2, ${label}: w₀ = w*, Θ = J*, Hessian Σ⊗A, gradient vec(−BΣ), off-centre response J*`, () => {
      const p = parseQuadraticInner(WIDE);
      const Sigma = Q(S);
      const best = bestResponse(p);
      const off = [q(5), q(-1), q('2/7')];
      const d = deltaStnQuadratic(p, Sigma, off);
      expect(str(d.general)).toEqual(str(best.w));
      expect(strM(d.response)).toEqual(strM(best.J));
      expect(strM(d.responseOffCentre)).toEqual(strM(best.J));
      expect(strM(d.hessian)).toEqual(strM(kron(Sigma, p.A)));
      const minusBS = matmul(p.B, Sigma).map((r) => r.map((x) => x.neg()));
      expect(str(d.gradientAtZero)).toEqual(str(vec(minusBS)));
      expect(str(d.offCentreGeneral)).toEqual(['5', '-1', '2/7']);
      const dflt = deltaStnQuadratic(p, Sigma);
      expect(str(dflt.offCentreGeneral)).toEqual(['0', '0', '0']);
      expect(strM(dflt.responseOffCentre)).toEqual(strM(best.J));
      expect(strM(dflt.hessian)).toEqual(strM(kron(Sigma, p.A)));
    });
  }
  test('m = 2, h = 1 (the hand-checked case), Σ = (1/9)', () => {
    const p = parseQuadraticInner(SMALL);
    const d = deltaStnQuadratic(p, Q([['1/9']]));
    expect(str(d.general)).toEqual(['7/3', '-2/3']);
    expect(strM(d.response)).toEqual([['2/3'], ['-1/3']]);
    expect(strM(d.hessian)).toEqual([['2/9', '1/9'], ['1/9', '2/9']]);
    expect(str(d.gradientAtZero)).toEqual(['-1/9', '0']);
  });
});

describe('responseGradient', () => {
  for (const [label, S] of [
    ['diagonal Σ', [['1/4', 0], [0, 4]]],
    ['full Σ', [[2, 1], [1, 3]]],
  ] as const) {
    test(`${label}: ∇_Θ R = (AΘ − B)Σ at any general point, zero at Θ = J*`, () => {
      const p = parseQuadraticInner(WIDE);
      const Sigma = Q(S);
      const theta = Q([[1, 0], ['1/2', -2], [3, 1]]);
      const expected = matmul(sub(matmul(p.A, theta), p.B), Sigma);
      for (const general of [[q(0), q(0), q(0)], [q(2), q(-3), q('1/5')]]) {
        expect(strM(responseGradient(p, Sigma, general, theta))).toEqual(strM(expected));
      }
      const J = bestResponse(p).J;
      expect(strM(responseGradient(p, Sigma, bestResponse(p).w, J))).toEqual([['0', '0'], ['0', '0'], ['0', '0']]);
    });
  }
});

describe('responseRate', () => {
  // A = [[2,1],[1,2]] has eigenvalues {1, 3}; Σ = (2): λ(Σ⊗A) = {2, 6}, 2/λ_max = 1/3.
  const A = (): RationalMatrix => Q([[2, 1], [1, 2]]);
  const S = (): RationalMatrix => Q([[2]]);
  test('η = 1/4: converges, inertia (2, 0, 0), ρ = max(|1 − 1/2|, |1 − 3/2|) = 1/2, certified brackets', () => {
    const r = responseRate(A(), S(), q('1/4'));
    expect(r.converges).toBe(true);
    expect(r.inertia).toEqual({ positive: 2, negative: 0, zero: 0 });
    expect(r.rate).toBeCloseTo(0.5, 14);
    const inside = (I: { lo: Rational; hi: Rational }, x: number): void => {
      expect(I.lo.compare(x) <= 0 && I.hi.compare(x) >= 0).toBe(true);
      expect(I.hi.sub(I.lo).valueOf()).toBeLessThan(1e-6);
    };
    inside(r.lambdaMax, 6);
    inside(r.lambdaMin, 2);
    inside(r.rateInterval, 0.5);
  });
  test('η = 1/3 (the boundary): 2I − ηΣ⊗A singular, does not converge, ρ = 1', () => {
    const r = responseRate(A(), S(), q('1/3'));
    expect(r.converges).toBe(false);
    expect(r.inertia).toEqual({ positive: 1, negative: 0, zero: 1 });
    expect(r.rate).toBeCloseTo(1, 14);
  });
  test('η = 1/2: one eigenvalue above 2/η', () => {
    const r = responseRate(A(), S(), q('1/2'));
    expect(r.converges).toBe(false);
    expect(r.inertia).toEqual({ positive: 1, negative: 1, zero: 0 });
    expect(r.rate).toBeCloseTo(2, 14);
  });
  test('η ≤ 0 never converges although 2I − ηΣ⊗A ≻ 0', () => {
    for (const eta of [q(0), q('-1/4')]) {
      const r = responseRate(A(), S(), eta);
      expect(r.converges).toBe(false);
      expect(r.inertia).toEqual({ positive: 2, negative: 0, zero: 0 });
    }
    expect(responseRate(A(), S(), q('-1/4')).rate).toBeCloseTo(2.5, 14);
    expect(responseRate(A(), S(), q(0)).rate).toBe(1);
  });
  test('diagonal A and Σ: exact intervals; rate from the products σ_i a_j', () => {
    // λ(Σ⊗A) = {1/2·1, 1/2·4, 3·1, 3·4} = {1/2, 2, 3, 12}; η = 1/8: μ = {15/16, 3/4, 5/8, −1/2}.
    const r = responseRate(Q([[4, 0], [0, 1]]), Q([['1/2', 0], [0, 3]]), q('1/8'));
    expect(r.converges).toBe(true);
    expect(r.inertia).toEqual({ positive: 4, negative: 0, zero: 0 });
    expect(r.rate).toBe(15 / 16);
    expect([r.lambdaMax.lo, r.lambdaMax.hi].map((x) => x.toFraction())).toEqual(['12', '12']);
    expect([r.lambdaMin.lo, r.lambdaMin.hi].map((x) => x.toFraction())).toEqual(['1/2', '1/2']);
    expect([r.rateInterval.lo, r.rateInterval.hi].map((x) => x.toFraction())).toEqual(['15/16', '15/16']);
  });
  test('a non-symmetric (unvalidated) A: the iteration matrix is named', () => {
    expectThrows(() => responseRate(Q([[1, 2], [0, 1]]), Q([[1]]), q('1/2')), NotSymmetricError, 'responseIteration', 'responseIteration: expected a symmetric matrix (exact symmetry required for an inertia count)');
  });
});

describe('eigenInterval', () => {
  test('diagonal: the smallest and largest diagonal entries, exact, the entries themselves on ties', () => {
    const S = Q([[3, 0, 0], [0, '1/2', 0], [0, 0, 2]]);
    const e = eigenInterval(S);
    expect([e.min.lo, e.min.hi, e.max.lo, e.max.hi].map((x) => x.toFraction())).toEqual(['1/2', '1/2', '3', '3']);
    const T = Q([[2, 0], [0, 2]]);
    const t = eigenInterval(T);
    expect(t.min.lo).toBe(T[0][0]);
    expect(t.max.hi).toBe(T[0][0]);
  });
  test('non-diagonal (even with a decoupled row): brackets of the true extreme eigenvalues', () => {
    // [[1,0,0],[0,2,1],[0,1,2]] has eigenvalues {1, 1, 3}; [[2,1],[1,2]] has {1, 3}.
    for (const S of [Q([[1, 0, 0], [0, 2, 1], [0, 1, 2]]), Q([[2, 1], [1, 2]])]) {
      const e = eigenInterval(S);
      expect(e.min.lo.compare(1) <= 0 && e.min.hi.compare(1) >= 0).toBe(true);
      expect(e.max.lo.compare(3) <= 0 && e.max.hi.compare(3) >= 0).toBe(true);
      expect(e.max.lo.compare(2) > 0).toBe(true);
      expect(e.min.hi.compare(2) < 0).toBe(true);
      expect(e.min.lo.compare(0) >= 0).toBe(true);
    }
  });
});

describe('contractionInterval', () => {
  const I = (lo: string | number, hi: string | number): { lo: Rational; hi: Rational } => ({ lo: q(lo), hi: q(hi) });
  const s = (r: { lo: Rational; hi: Rational }): string[] => [r.lo.toFraction(), r.hi.toFraction()];
  test('point intervals: ρ = max(|1 − ηλ_min|, |1 − ηλ_max|)', () => {
    expect(s(contractionInterval(q('1/2'), I(1, 1), I(3, 3)))).toEqual(['1/2', '1/2']);
    expect(s(contractionInterval(q('1/8'), I(1, 1), I(4, 4)))).toEqual(['7/8', '7/8']);
  });
  test('the root 1/η inside an interval makes its minimum 0', () => {
    // η = 1/2, root 2 ∈ [1, 3]: min 0, max 1/2; [5, 6]: min 3/2, max 2.
    expect(s(contractionInterval(q('1/2'), I(1, 3), I(5, 6)))).toEqual(['3/2', '2']);
    expect(s(contractionInterval(q('1/2'), I(1, 3), I(1, 3)))).toEqual(['0', '1/2']);
  });
  test('the root below or above the interval: the minimum is at an end', () => {
    // root 2 < [3, 5]: min |1 − 3/2| = 1/2; root 2 > [1, 3/2]: min |1 − 3/4| = 1/4.
    expect(s(contractionInterval(q('1/2'), I(3, 5), I(3, 5)))).toEqual(['1/2', '3/2']);
    expect(s(contractionInterval(q('1/2'), I(1, '3/2'), I(1, '3/2')))).toEqual(['1/4', '1/2']);
  });
  test('the root at an end of the interval: the minimum is the exact ZERO', () => {
    const lo = contractionInterval(q('1/2'), I(2, 3), I(2, 3));
    expect(s(lo)).toEqual(['0', '1/2']);
    const hi = contractionInterval(q('1/2'), I(1, 2), I(1, 2));
    expect(s(hi)).toEqual(['0', '1/2']);
    const z = contractionInterval(q('1/2'), I(1, 3), I(1, 3)).lo;
    expect(lo.lo).toBe(z);
    expect(hi.lo).toBe(z);
  });
  test('η ≤ 0: no root; the minimum is at the lower end', () => {
    expect(s(contractionInterval(q(0), I(1, 3), I(1, 3)))).toEqual(['1', '1']);
    expect(s(contractionInterval(q(-1), I(1, 3), I(1, 3)))).toEqual(['2', '4']);
  });
});

/** ‖E_K‖/‖E_{K−1}‖ and B_{K−1} in closed form from the eigenvalues λ_i of Σ⊗A. */
function closedForm(lams: number[], eta: number, K: number): { ratio: number; bound: number } {
  const mu = lams.map((l) => 1 - eta * l);
  const rho = Math.max(...mu.map(Math.abs));
  const norm2 = (k: number): number => mu.reduce((acc, u) => acc + u ** (2 * k), 0);
  const xs = mu.map((u) => (u * u) / (rho * rho));
  const bound = xs.reduce((acc, x) => acc + (x >= 1 ? 0 : x ** (K - 1) * (1 - x)), 0);
  return { ratio: Math.sqrt(norm2(K) / norm2(K - 1)), bound };
}

describe('measureAsymptoticRatio and scaleToUnit', () => {
  // A = [[5,2],[2,2]]: {1, 6}, eigenvectors (1, −2)/√5, (2, 1)/√5, so no entry of a = V_A 1 is 0;
  // Σ = [[2,1,0],[1,3,1],[0,1,2]]: {1, 2, 4}, no entry of b = V_Σ 1 is 0; λ(Σ⊗A) = {1, 2, 4, 6, 12, 24}.
  const A = [[5, 2], [2, 2]];
  const S = [[2, 1, 0], [1, 3, 1], [0, 1, 2]];
  const LAMS = [1, 2, 4, 6, 12, 24];
  test('K = 1, 2, 3 steps (m = 2 ≠ h = 3): ratio and bound against the closed form', () => {
    for (const K of [1, 2, 3]) {
      const r = measureAsymptoticRatio(A, S, 0.05, K);
      const c = closedForm(LAMS, 0.05, K);
      expect(r.steps).toBe(K - 1);
      expect(r.ratio).toBeCloseTo(c.ratio, 12);
      expect(r.bound).toBeCloseTo(c.bound, 12);
      expect(r.bound).toBeGreaterThan(0.01);
    }
  });
  test('a step size with μ of both signs: μ = {0.925, 0.85, 0.7, 0.55, 0.1, −0.8}', () => {
    const r = measureAsymptoticRatio(A, S, 0.075, 4);
    const c = closedForm(LAMS, 0.075, 4);
    expect(r.steps).toBe(3);
    expect(r.ratio).toBeCloseTo(c.ratio, 12);
    expect(r.bound).toBeCloseTo(c.bound, 12);
  });
  test('the stop rule: checked every 25 steps against B_{k−1} ≤ targetBound', () => {
    const c24 = closedForm(LAMS, 0.05, 25).bound;
    const c26 = closedForm(LAMS, 0.05, 27).bound;
    const target = Math.sqrt(c24 * c26);
    const r = measureAsymptoticRatio(A, S, 0.05, 60, target);
    expect(r.steps).toBe(49);
    expect(r.bound).toBeCloseTo(closedForm(LAMS, 0.05, 50).bound, 12);
    expect(r.ratio).toBeCloseTo(closedForm(LAMS, 0.05, 50).ratio, 12);
    // a target just above B_24: stops at k = 25
    expect(measureAsymptoticRatio(A, S, 0.05, 60, c24 * 1.0001).steps).toBe(24);
  });
  test('defaults: maxSteps 2000, targetBound 1e-10', () => {
    // diag(1, 3), Σ = (1), η = 1/3: μ = {2/3, 0}, x = {1, 0}: B_k = 0 for k ≥ 1, so the run stops at k = 25.
    const r = measureAsymptoticRatio([[1, 0], [0, 3]], [[1]], 1 / 3);
    expect(r.steps).toBe(24);
    expect(r.bound).toBe(0);
    expect(r.ratio).toBeCloseTo(2 / 3, 14);
    // B_k = 0 exactly with target 0: still stops at k = 25 (≤, not <)
    expect(measureAsymptoticRatio([[1, 0], [0, 3]], [[1]], 1 / 3, 100, 0).steps).toBe(24);
    // η = 1/100: μ = {0.99, 0.97}, B_k = x^k(1 − x) with x = (0.97/0.99)²: stops at the first k ≡ 0 (mod 25) past 1e-10
    const slow = measureAsymptoticRatio([[1, 0], [0, 3]], [[1]], 0.01);
    expect(slow.steps % 25).toBe(24);
    expect(slow.bound).toBeLessThanOrEqual(1e-10);
    expect(slow.steps).toBeGreaterThan(24);
  });
  test('ρ = 0 exactly: E₁ = 0, ratio 0, stop after one step, bound 0', () => {
    const r = measureAsymptoticRatio([[2]], [[1]], 0.5, 100);
    expect(r).toEqual({ ratio: 0, steps: 0, bound: 0 });
  });
  test('ρ = 0 with E₁ a rounding residue: stops at k = 25 with bound 0', () => {
    // A = 7I, η = 1/7: μ = 1 − (1/7)·7 = 0 exactly, but 1/√2 − (1/7)(7/√2) ≠ 0 in float64.
    const r = measureAsymptoticRatio([[7, 0], [0, 7]], [[1]], 1 / 7, 60);
    expect(r.steps).toBe(24);
    expect(r.bound).toBe(0);
  });
  test('scaleToUnit: unit norm, the old norm returned; the zero vector untouched', () => {
    const x = Float64Array.from([3, 0, -4]);
    expect(scaleToUnit(x)).toBe(5);
    expect(Array.from(x)).toEqual([0.6, 0, -0.8]);
    const z = Float64Array.from([0, 0]);
    expect(scaleToUnit(z)).toBe(0);
    expect(Array.from(z)).toEqual([0, 0]);
  });
});
