import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { NotPositiveDefiniteError, NotSymmetricError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { math, toRationalString, type Rational } from '../../src/linalg/exact.js';
import {
  MISLEAD_SAMPLES,
  actualSmallStepVerdict,
  checkObs2,
  fitQuadratic,
  lossChanges,
  logisticInstance,
  logisticObs2,
  logisticTrainGrad,
  logisticTrainLoss,
  logisticValGrad,
  logisticValLoss,
  logisticLambdaGrad,
  obs2Claim,
  obs2Prediction,
  outerStep,
  parseObs2Quadratic,
  rawAlignmentMisleadRate,
  signRule,
  type Obs2Case,
  type Obs2QuadraticInput,
} from '../../src/theory/obs2.js';
import { FINITE_DIFFERENCE_REL_TOL, finiteDifferenceStep, relativeErrorVec } from '../../src/tolerance.js';

const RUNS = 100;

function expectStep(prefix: string) {
  return (c: Obs2Case): void => {
    const ch = checkObs2(c).find((x) => x.name.startsWith(prefix));
    expect(ch, `no check named "${prefix}…"`).toBeDefined();
    expect(ch!.passed, `${ch!.name}: error ${ch!.error} > ${ch!.tolerance}; ${ch!.detail ?? ''}`).toBe(true);
  };
}

const f = (p: number, q = 1): Rational => math.fraction(p, q);

// The worked example of proofs/OBS-2.md: L_T = ½‖w‖² − wᵀ(b + Bλ), L_V = ½‖w − v‖², Θ = (1, 1)ᵀ, λ = 0.
const example: Omit<Obs2QuadraticInput, 'v'> = { A: [[1, 0], [0, 1]], B: [[0], [1]], b: [2, 0], C: [[1, 0], [0, 1]], general: [0, 1], response: [[1], [1]], lambda: [0] };

describe('OBS-2: inner/outer interaction, uncentered vs centered (proofs/OBS-2.md)', () => {
  describe('property tests, one per proof step (exact, quadratic)', () => {
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 1: both parameterizations have hypergradient Θᵀ∇L_V', expectStep('hypergradient'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 1: uncentered weights at λ move by ΘΔλ', expectStep('uncentered: weights'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 2: held change is a polynomial of degree ≤ 2 in α', expectStep('held at pre-step λ: ΔL_T(α) has degree'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 2: held slope is −∇L_TᵀΘΘᵀ∇L_V', expectStep('held at pre-step λ: d/dα'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 2: held α² coefficient is ½dᵀAd', expectStep('held at pre-step λ: α²'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 3: at the new λ both gain −∂_λL_TᵀΘᵀ∇L_V', expectStep('at new λ: centered slope'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 3: at the new λ uncentered − centered keeps −∇L_TᵀΘΘᵀ∇L_V', expectStep('at new λ: uncentered − centered'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 4: centered weights at the new centre are w₀ exactly', expectStep('centered: weights'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 5: sign rule decides the direction of a small step', expectStep('sign rule'));
  });

  describe('property tests (float64 logistic regression, central differences)', () => {
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('held change: FD = −∇L_TᵀΘΘᵀ∇L_V', expectStep('logistic: central difference of held'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('new λ: FD of uncentered − centered = −∇L_TᵀΘΘᵀ∇L_V', expectStep('logistic: central difference of (uncentered'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('new λ: FD of centered change = −∂_λL_TᵀΘᵀ∇L_V', expectStep('logistic: central difference of centered'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('sign rule in float64, and centered weights unchanged', expectStep('logistic: sign'));
    test.prop([fc.integer(), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })], { numRuns: 30 })('the logistic gradients match central differences', (seed, m, h) => {
      const inst = logisticInstance(seed, m, h);
      const { problem: p, general: w, lambda } = inst;
      const fd = (fn: (x: number[]) => number, x: number[]): number[] =>
        x.map((_, j) => {
          const t = finiteDifferenceStep(Math.max(1, Math.abs(x[j])));
          const up = x.map((v, i) => (i === j ? v + t : v));
          const dn = x.map((v, i) => (i === j ? v - t : v));
          return (fn(up) - fn(dn)) / (2 * t);
        });
      // floors: |L|/scale, the natural size of a derivative (tolerance policy, central differences)
      const floorT = Math.abs(logisticTrainLoss(p, lambda, w));
      expect(relativeErrorVec(fd((x) => logisticTrainLoss(p, lambda, x), w), logisticTrainGrad(p, lambda, w), floorT)).toBeLessThan(FINITE_DIFFERENCE_REL_TOL);
      expect(relativeErrorVec(fd((x) => logisticValLoss(p, x), w), logisticValGrad(p, w), logisticValLoss(p, w))).toBeLessThan(FINITE_DIFFERENCE_REL_TOL);
      expect(relativeErrorVec(fd((l) => logisticTrainLoss(p, l, w), lambda), logisticLambdaGrad(p, lambda, w), floorT)).toBeLessThan(FINITE_DIFFERENCE_REL_TOL);
    });
  });

  test.prop([obs2Claim.arbitrary], { numRuns: 50 })('every check passes, 13 checks per case', (c) => {
    const checks = checkObs2(c);
    expect(checks.length).toBe(13);
    for (const ch of checks) expect(ch.passed, `${ch.name}: ${ch.detail ?? ''}`).toBe(true);
  });

  test('reference checks pass (worked examples, fixed logistic case, measured mislead rate)', () => {
    const ref = obs2Claim.referenceChecks();
    for (const ch of ref) expect(ch.passed, `${ch.name}: ${ch.detail ?? ''}`).toBe(true);
    const rate = ref.find((x) => x.name.startsWith('raw alignment misleads'))!;
    expect(rate.detail).toMatch(/raw alignment wrong in \d+\/\d+/);
  });

  describe('worked examples (proofs/OBS-2.md), by hand', () => {
    test('example 1: raw alignment 7 > 0, yet the outer step raises L_T: held α + α², centered α, uncentered 2α', () => {
      const p = parseObs2Quadratic({ ...example, v: [2, -2] });
      const pred = obs2Prediction(p);
      expect(pred.weights.map(toRationalString)).toEqual(['0', '1']);
      expect(pred.trainGrad.map(toRationalString)).toEqual(['-2', '1']);
      expect(pred.valGrad.map(toRationalString)).toEqual(['-2', '3']);
      expect(toRationalString(pred.rawAlignment)).toBe('7');
      expect(toRationalString(pred.projectedAlignment)).toBe('-1');
      expect(signRule(pred.projectedAlignment)).toBe('harmful');
      // Δλ = −αΘᵀ∇L_V = −α
      expect(outerStep(p.response, pred.valGrad, f(1)).map(toRationalString)).toEqual(['-1']);
      const at = (a: number) => lossChanges(p, f(a));
      expect(toRationalString(at(1).held)).toBe('2'); // α + α² at α = 1
      expect(toRationalString(at(3).held)).toBe('12');
      expect(toRationalString(at(3).centered)).toBe('3');
      expect(toRationalString(at(3).uncentered)).toBe('6');
      expect(at(3).centeredWeights.map(toRationalString)).toEqual(['0', '1']);
      expect(at(3).uncenteredWeights.map(toRationalString)).toEqual(['-3', '-2']);
    });

    test('example 2: raw alignment −5 < 0, yet the step lowers L_T: held −2α + 4α²', () => {
      const p = parseObs2Quadratic({ ...example, v: [-1, 4] });
      const pred = obs2Prediction(p);
      expect(toRationalString(pred.rawAlignment)).toBe('-5');
      expect(toRationalString(pred.projectedAlignment)).toBe('2');
      const fit = fitQuadratic((a) => lossChanges(p, a).held);
      expect([fit.c0, fit.c1, fit.c2].map(toRationalString)).toEqual(['0', '-2', '4']);
      const v = actualSmallStepVerdict(p);
      expect(v.verdict).toBe('helpful');
      expect(toRationalString(v.alpha)).toBe('1/4'); // |c₁|/(2|c₂|)
    });
  });

  describe('the checks can fail', () => {
    test('fitQuadratic flags a cubic and a quartic', () => {
      expect(fitQuadratic((a) => a.mul(a).mul(a)).residualAt4.n).not.toBe(0n);
      const quartic = fitQuadratic((a) => a.sub(1).mul(a.sub(2)).mul(a.sub(3)).mul(a.sub(4)));
      expect(quartic.residualAt0.n).not.toBe(0n); // vanishes at 1…4, not at 0
      const quad = fitQuadratic((a) => a.mul(a).mul(3).sub(a).add(f(0)));
      expect([quad.c1, quad.c2].map(toRationalString)).toEqual(['-1', '3']);
      expect(quad.residualAt4.n).toBe(0n);
    });

    test('the raw-alignment rule is wrong on the claim generator sometimes, the projected rule never', () => {
      const r = rawAlignmentMisleadRate(MISLEAD_SAMPLES, 99);
      expect(r.rawWrong).toBeGreaterThan(0);
      expect(r.projectedWrong).toBe(0);
    });

    test('logistic central differences agree with the formulas on a fixed instance', () => {
      const L = logisticObs2(logisticInstance(3, 3, 2));
      expect(Math.abs(L.heldDifference - L.heldFormula)).toBeLessThan(FINITE_DIFFERENCE_REL_TOL * Math.max(Math.abs(L.heldFormula), L.heldScale));
      expect(Math.abs(L.heldDifference + L.heldFormula)).toBeGreaterThan(FINITE_DIFFERENCE_REL_TOL * Math.max(Math.abs(L.heldFormula), L.heldScale));
    });
  });

  test('typed errors name the argument', () => {
    const ok: Obs2QuadraticInput = { ...example, v: [0, 0] };
    const expectArg = (fn: () => unknown, cls: new (...a: never[]) => Error, arg: string): void => {
      expect(fn).toThrow(cls);
      try {
        fn();
      } catch (e) {
        expect((e as { argument?: string }).argument).toBe(arg);
      }
    };
    expectArg(() => parseObs2Quadratic({ ...ok, C: [[1]] }), ShapeMismatchError, 'C');
    expectArg(() => parseObs2Quadratic({ ...ok, C: [[1, 1], [0, 1]] }), NotSymmetricError, 'C');
    expectArg(() => parseObs2Quadratic({ ...ok, C: [[1, 0], [0, 0]] }), NotPositiveDefiniteError, 'C');
    expectArg(() => parseObs2Quadratic({ ...ok, v: [1] }), ShapeMismatchError, 'v');
    expectArg(() => parseObs2Quadratic({ ...ok, general: [1, 2, 3] }), ShapeMismatchError, 'general');
    expectArg(() => parseObs2Quadratic({ ...ok, response: [[1, 2], [3, 4]] }), ShapeMismatchError, 'response');
    expectArg(() => parseObs2Quadratic({ ...ok, A: [[1, 2], [2, 1]] }), NotPositiveDefiniteError, 'A');
    expectArg(() => parseObs2Quadratic({ ...ok, lambda: [1, 2] }), ShapeMismatchError, 'lambda');
    expectArg(() => parseObs2Quadratic({ ...ok, lambda: ['1/0'] }), ParseError, 'lambda[0]');
  });
});
