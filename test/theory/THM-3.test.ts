import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { equalQ, math, rationalMatrix, toRationalString } from '../../src/linalg/exact.js';
import {
  EXACT_GD_STEPS,
  bestResponse,
  bestResponseJson,
  checkThm3,
  covarianceFromScales,
  deltaStnQuadratic,
  exactGradientDescentBound,
  measureAsymptoticRatio,
  parseQuadraticInner,
  responseRate,
  thm3Claim,
  thm3Report,
  type Thm3Case,
} from '../../src/theory/thm3.js';
import { sigmaArb, spdArb } from '../../src/theory/generators.js';

const RUNS = 100;

/** The named check of one proof step, on one case. */
function step(c: Thm3Case, prefix: string) {
  const found = checkThm3(c).find((x) => x.name.startsWith(prefix));
  expect(found, `no check named "${prefix}…"`).toBeDefined();
  return found!;
}

function expectStep(prefix: string) {
  return (c: Thm3Case): void => {
    const ch = step(c, prefix);
    expect(ch.passed, `${ch.name}: error ${ch.error} > ${ch.tolerance}; ${ch.detail ?? ''}`).toBe(true);
  };
}

// A problem whose numbers can be checked by hand: A = [[2,1],[1,2]] (eigenvalues 1, 3), B = [[1],[0]].
const small = { A: [[2, 1], [1, 2]], B: [[1], [0]], b: [1, 1], lambda0: [3] };

describe('THM-3: Δ-STN on quadratics (proofs/THM-3.md)', () => {
  describe('property tests, one per proof step', () => {
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 1: general step w₀ = w*(λ₀)', expectStep('general step'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 2: response Hessian in vec Θ is Σ ⊗ A', expectStep('response Hessian'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 3: response minimiser Θ = J* for every Σ', expectStep('response stationarity'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 3: response minimiser does not depend on w₀ (E[ε] = 0)', expectStep('response minimiser decoupled'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 4: ∇_Θ R = A(Θ − J*)Σ', expectStep('∇_Θ R(Θ)'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 5: convergence ⇔ η < 2/λmax (inertia vs certified λmax)', expectStep('GD converges'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 5: ρ < 1 ⇔ I − T² ≻ 0 agrees', expectStep('ρ(T) < 1'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 6: float64 ρ inside the certified interval', expectStep('float64 ρ'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 7: float64 GD asymptotic ratio → ρ within B_K', expectStep('float64 GD: '));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })('step 7: float64 GD contracts iff it converges', expectStep('float64 GD contracts'));
    test.prop([thm3Claim.arbitrary], { numRuns: RUNS })(`step 8: exact GD ‖e_k‖² ≤ ρ_hi^{2k}‖e₀‖² (k ≤ ${EXACT_GD_STEPS})`, expectStep('exact GD'));

    test.prop([thm3Claim.arbitrary], { numRuns: 50 })('every check passes, and there is one per proof step', (c) => {
      const checks = checkThm3(c);
      expect(checks.length).toBe(11);
      for (const ch of checks) expect(ch.passed, `${ch.name}: ${ch.detail ?? ''}`).toBe(true);
    });
  });

  test('reference checks (PT-5, PT-6 data, the edge of the step-size bound) pass', () => {
    const ref = thm3Claim.referenceChecks();
    expect(ref.length).toBeGreaterThanOrEqual(10);
    for (const ch of ref) expect(ch.passed, `${ch.name}: error ${ch.error} > ${ch.tolerance}; ${ch.detail ?? ''}`).toBe(true);
  });

  describe('best response', () => {
    test('hand-checked: A⁻¹ = ⅓[[2,−1],[−1,2]], w* = A⁻¹(b + Bλ₀) = ⅓(8 − 1, −4 + 2) = (7/3, −2/3), J* = (2/3, −1/3)', () => {
      const r = bestResponseJson(small);
      expect(r).toEqual({ w: ['7/3', '-2/3'], J: [['2/3'], ['-1/3']] });
    });

    test('accepts rational strings and returns exact values', () => {
      const r = bestResponse({ A: [['1/2']], B: [['1/3', '-1/5']], b: ['1/7'], lambda0: ['3', '5/2'] });
      // w = 2(1/7 + 1 − 1/2) = 9/7, J = (2/3, −2/5)
      expect(toRationalString(r.w[0])).toBe('9/7');
      expect(r.J[0].map(toRationalString)).toEqual(['2/3', '-2/5']);
    });

    test.prop([spdArb(3), fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 6, maxLength: 6 })], { numRuns: 30 })('A w* = b + Bλ₀ and A J* = B exactly', (A, ints) => {
      const B = [[ints[0], ints[1]], [ints[2], ints[3]], [ints[4], ints[5]]];
      const q = parseQuadraticInner({ A, B, b: [1, '1/2', -2], lambda0: ['1/3', -1] });
      const r = bestResponse(q);
      const Aw = q.A.map((row) => row.reduce((s, x, j) => s.add(x.mul(r.w[j])), math.fraction(0)));
      const rhs = q.b.map((x, i) => x.add(q.B[i][0].mul(q.lambda0[0])).add(q.B[i][1].mul(q.lambda0[1])));
      expect(Aw.every((x, i) => x.equals(rhs[i]))).toBe(true);
      const AJ = q.A.map((row) => [0, 1].map((k) => row.reduce((s, x, j) => s.add(x.mul(r.J[j][k])), math.fraction(0))));
      expect(equalQ(AJ, q.B)).toBe(true);
    });
  });

  describe('the fixed point is the same for every Σ ≻ 0', () => {
    const q = parseQuadraticInner({ A: [[4, 1, 0], [1, 3, '1/2'], [0, '1/2', 2]], B: [[1, 0], [-1, 2], ['1/3', 1]], b: [1, -2, '1/2'], lambda0: ['-3/2', 2] });
    const J = bestResponse(q).J;
    test.prop([fc.oneof(sigmaArb(2).map((s) => covarianceFromScales(s, 2)), spdArb(2, 1e6))], { numRuns: 40 })('diagonal and full covariances, tiny and huge scales', (S) => {
      expect(equalQ(deltaStnQuadratic(q, S).response, J)).toBe(true);
    });
  });

  describe('thm3Report (CLI routine `deltastn theory thm3`)', () => {
    test('hand-checked: σ = (1/2) ⇒ Σ⊗A has eigenvalues 1/4, 3/4; η = 1 ⇒ ρ = 3/4, converges', () => {
      const r = thm3Report({ ...small, sigma: ['1/2'], eta: 1 });
      expect(r.w0).toEqual(['7/3', '-2/3']);
      expect(r.Theta).toEqual([['2/3'], ['-1/3']]);
      expect(r.converges).toBe(true);
      expect(r.rate).toBeCloseTo(0.75, 14);
      expect(math.fraction(r.rateInterval.lo).compare(math.fraction(3, 4))).toBeLessThanOrEqual(0);
      expect(math.fraction(r.rateInterval.hi).compare(math.fraction(3, 4))).toBeGreaterThanOrEqual(0);
      // 2/λmax = 2/(3/4) = 8/3 inside the certified step bound
      expect(math.fraction(r.stepBound.lo).compare(math.fraction(8, 3))).toBeLessThanOrEqual(0);
      expect(math.fraction(r.stepBound.hi).compare(math.fraction(8, 3))).toBeGreaterThanOrEqual(0);
    });

    test('edge η = 2/λmax exactly: does not converge, ρ = 1; just inside converges', () => {
      const at = thm3Report({ ...small, sigma: ['1/2'], eta: '8/3' });
      expect(at.converges).toBe(false);
      expect(at.rate).toBeCloseTo(1, 14);
      const inside = thm3Report({ ...small, sigma: ['1/2'], eta: '2665/1000' });
      expect(inside.converges).toBe(true);
    });

    test('full covariance field', () => {
      const r = thm3Report({ A: [[2, 1], [1, 2]], B: [[1, 0], [0, 1]], b: [0, 0], lambda0: [1, 1], covariance: [[1, '1/2'], ['1/2', 1]], eta: '4/9' });
      expect(r.converges).toBe(false); // λmax(Σ⊗A) = 3/2 · 3 = 9/2, 2/λmax = 4/9
      expect(r.Theta).toEqual([['2/3', '-1/3'], ['-1/3', '2/3']]);
    });

    test('typed errors name the field', () => {
      const expectArg = (f: () => unknown, cls: new (...a: never[]) => Error, arg: string): void => {
        expect(f).toThrow(cls);
        try {
          f();
        } catch (e) {
          expect((e as { argument?: string }).argument).toBe(arg);
        }
      };
      const ok = { ...small, sigma: [1], eta: 1 };
      expectArg(() => thm3Report({ ...ok, A: [[1, 0, 0], [0, 1, 0]] }), ShapeMismatchError, 'A');
      expectArg(() => thm3Report({ ...ok, A: [[2, 1], [0, 2]] }), NotSymmetricError, 'A');
      expectArg(() => thm3Report({ ...ok, A: [[1, 2], [2, 1]] }), NotPositiveDefiniteError, 'A');
      expectArg(() => thm3Report({ ...ok, A: [[1, 1], [1, 1]] }), NotPositiveDefiniteError, 'A');
      expectArg(() => thm3Report({ ...ok, B: [[1], [0], [2]] }), ShapeMismatchError, 'B');
      expectArg(() => thm3Report({ ...ok, b: [1] }), ShapeMismatchError, 'b');
      expectArg(() => thm3Report({ ...ok, lambda0: [1, 2] }), ShapeMismatchError, 'lambda0');
      expectArg(() => thm3Report({ ...ok, sigma: [0] }), InvalidArgumentError, 'sigma[0]');
      expectArg(() => thm3Report({ ...small, B: [[1, 0], [0, 1]], lambda0: [0, 0], sigma: [1, '-1/2'], eta: 1 }), InvalidArgumentError, 'sigma[1]');
      expectArg(() => thm3Report({ ...ok, sigma: [1, 1] }), ShapeMismatchError, 'sigma');
      expectArg(() => thm3Report({ ...ok, eta: 0 }), InvalidArgumentError, 'eta');
      expectArg(() => thm3Report({ ...ok, eta: '-1/2' }), InvalidArgumentError, 'eta');
      expectArg(() => thm3Report({ ...small, eta: 1 }), InvalidArgumentError, 'sigma');
      expectArg(() => thm3Report({ ...ok, covariance: [[1]] }), InvalidArgumentError, 'covariance');
      expectArg(() => thm3Report({ ...small, covariance: [[1, 0], [0, 1]], eta: 1 }), ShapeMismatchError, 'covariance');
      expectArg(() => thm3Report({ ...small, covariance: [[-1]], eta: 1 }), NotPositiveDefiniteError, 'covariance');
      expectArg(() => thm3Report({ ...ok, b: [1, 'x/2'] }), ParseError, 'b[1]');
      expect(() => bestResponse({ ...small, A: [[1, 2], [2, 1]] })).toThrow(NotPositiveDefiniteError);
    });
  });

  describe('the checks can fail', () => {
    test('a wrong Kronecker order (A ⊗ Σ) is not the Hessian when m, h ≥ 2', () => {
      const q = parseQuadraticInner({ A: [[2, 1], [1, 2]], B: [[1, 0], [0, 1]], b: [0, 0], lambda0: [0, 0] });
      const S = covarianceFromScales(['1/2', 1], 2);
      const H = deltaStnQuadratic(q, S).hessian;
      const wrong = rationalMatrix([[2, 1], [1, 2]]).flatMap((row) => [0, 1].map((k) => row.flatMap((a) => S[k].map((s) => a.mul(s)))));
      expect(equalQ(H, wrong)).toBe(false);
    });

    test('the exact GD bound fails for a ρ_hi that is too small', () => {
      const A = rationalMatrix([[2, 1], [1, 2]]);
      const S = covarianceFromScales(['1/2'], 1);
      const E0 = rationalMatrix([[1], [1]]); // eigenvector of A for 3: contracts by exactly |1 − η·3/4|
      const eta = math.fraction(1);
      expect(exactGradientDescentBound(A, S, eta, E0, math.fraction(1, 4), 3).failedAt).toBeNull();
      expect(exactGradientDescentBound(A, S, eta, E0, math.fraction(1, 5), 3).failedAt).toBe(1);
    });

    test('float64 GD ratio reaches ρ from the eigenvector-sum start', () => {
      const meas = measureAsymptoticRatio([[2, 1], [1, 2]], [[0.25]], 1);
      expect(meas.ratio).toBeCloseTo(0.75, 9);
    });

    test('responseRate at η ≤ 0 never converges', () => {
      const A = rationalMatrix([[1]]);
      const S = rationalMatrix([[1]]);
      expect(responseRate(A, S, math.fraction(0)).converges).toBe(false);
      expect(responseRate(A, S, math.fraction(-1)).converges).toBe(false);
    });
  });
});

