import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { NotPositiveDefiniteError, NotSymmetricError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { math, rationalMatrix, toRationalString, type Rational } from '../../src/linalg/exact.js';
import {
  MISLEAD_SAMPLES,
  actualSmallStepVerdict,
  bestResponseJacobian,
  checkObs2,
  fitQuadratic,
  isotropicResponse,
  lateTrainingCase,
  lossChangeTable,
  lossChanges,
  logisticInstance,
  logisticObs2,
  logisticTrainGrad,
  logisticTrainLoss,
  logisticValGrad,
  logisticValLoss,
  logisticLambdaGrad,
  misleadingGradients,
  obs2Claim,
  obs2GenericArbitrary,
  obs2Prediction,
  outerStep,
  parseObs2Quadratic,
  rawAlignmentMisleadRate,
  signRule,
  withGradients,
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
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 3: at the new λ the α² coefficient of uncentered − centered is ½dᵀAd − dᵀBΘᵀ∇L_V', expectStep('at new λ: α² coefficient'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 5: sign rule decides the direction of a small step', expectStep('sign rule'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 5: raw alignment decides the sign iff ΘΘᵀ = cI, c > 0 (else an exact counterexample)', expectStep('raw alignment decides'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('step 6: late training, +½α²dᵀAd at the pre-step λ and −½α²dᵀAd at the new λ', expectStep('late training'));
  });

  describe('property tests (float64 logistic regression, central differences)', () => {
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('held change: FD = −∇L_TᵀΘΘᵀ∇L_V', expectStep('logistic: central difference of held'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('new λ: FD of uncentered − centered = −∇L_TᵀΘΘᵀ∇L_V', expectStep('logistic: central difference of (uncentered'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('new λ: FD of centered change = −∂_λL_TᵀΘᵀ∇L_V', expectStep('logistic: central difference of centered'));
    test.prop([obs2Claim.arbitrary], { numRuns: RUNS })('sign rule in float64 (L_T at the pre-step λ)', expectStep('logistic: sign'));
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

  test.prop([obs2Claim.arbitrary], { numRuns: 50 })('every check passes, 15 checks per case', (c) => {
    const checks = checkObs2(c);
    expect(checks.length).toBe(15);
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

  describe('step 5: when raw alignment decides the sign', () => {
    const qm = (a: (string | number)[][]) => rationalMatrix(a);
    const verdictOfRaw = (x: Rational): string => (x.n === 0n ? 'neutral' : x.s > 0n ? 'helpful' : 'harmful');

    test('ΘΘᵀ = 9I (m = 2, h = 3): projected = 9·raw for every gradient pair, so the raw sign decides', () => {
      const theta = qm([[1, 2, 2], [2, 1, -2]]);
      expect(isotropicResponse(theta)).toEqual({ isotropic: true, c: f(9) });
      expect(misleadingGradients(theta)).toBeNull();
      const base = { A: [[2, '1/2'], ['1/2', 1]], B: [[1, 0, 2], [0, -1, 1]], C: [[1, 0], [0, 3]], general: [1, -1], lambda: [0, '1/2', 1], response: theta.map((r) => r.map(toRationalString)) };
      let decided = 0;
      for (const b0 of [-3, -1, 0, 2, 5]) {
        for (const v0 of [-4, -1, 1, 3]) {
          const p = parseObs2Quadratic({ ...base, b: [b0, 1 - b0], v: [v0, 2 * v0 - 1] });
          const pred = obs2Prediction(p);
          expect(pred.projectedAlignment.equals(pred.rawAlignment.mul(9))).toBe(true);
          const actual = actualSmallStepVerdict(p).verdict;
          if (actual !== 'neutral') decided++;
          expect(actual).toBe(verdictOfRaw(pred.rawAlignment));
        }
      }
      expect(decided).toBeGreaterThan(15);
    });

    test('ΘΘᵀ = 2I with m = h = 2, and m = 1 with Θ ≠ 0, are isotropic; ΘΘᵀ ≠ cI is not', () => {
      expect(isotropicResponse(qm([[1, 1], [1, -1]]))).toEqual({ isotropic: true, c: f(2) });
      expect(isotropicResponse(qm([['-1/3', 2]]))).toEqual({ isotropic: true, c: f(37, 9) });
      expect(isotropicResponse(qm([[1, 1], [1, 2]])).isotropic).toBe(false);
      expect(isotropicResponse(qm([[1, 0], [0, 1], [0, 0]])).isotropic).toBe(false); // m = 3 > h = 2: rank < m
      // Equal row norms are not enough: the rows must also be orthogonal (ΘΘᵀ = [[1, 1], [1, 1]] here, and [[5, 3], [3, 5]]).
      expect(isotropicResponse(qm([[1], [1]])).isotropic).toBe(false);
      expect(isotropicResponse(qm([[1, 2], [2, 1]])).isotropic).toBe(false);
      // On example 1 (Θ = (1, 1)ᵀ) the claim's check builds and verifies a counterexample.
      const [c] = fc.sample(obs2Claim.arbitrary, { numRuns: 1, seed: 1 });
      const ex1: Obs2Case = { ...c, quadratic: parseObs2Quadratic({ ...example, v: [2, -2] }) };
      const ch = checkObs2(ex1).find((x) => x.name.startsWith('raw alignment decides'))!;
      expect(ch.passed, ch.detail).toBe(true);
      expect(ch.detail).toMatch(/exact change helpful/);
    });

    test('m = 1 and Θ = 0: the raw alignment is −2, yet the loss does not move for any α (the sign rule says neutral)', () => {
      const p = parseObs2Quadratic({ A: [[2]], B: [[1]], b: [0], C: [[1]], v: [3], general: [1], response: [[0]], lambda: [1] });
      const pred = obs2Prediction(p);
      expect(toRationalString(pred.rawAlignment)).toBe('-2'); // ∇L_T = 2·1 − 0 − 1 = 1, ∇L_V = 1 − 3 = −2
      expect(toRationalString(pred.projectedAlignment)).toBe('0');
      for (const a of [1, 2, 3, 4]) expect(toRationalString(lossChanges(p, f(a)).held)).toBe('0');
      expect(actualSmallStepVerdict(p).verdict).toBe('neutral');
      expect(signRule(pred.projectedAlignment)).toBe('neutral');
      expect(verdictOfRaw(pred.rawAlignment)).toBe('harmful'); // what raw alignment would wrongly say
      expect(isotropicResponse(p.response).isotropic).toBe(false);
      expect(misleadingGradients(p.response)).not.toBeNull();
    });

    test('the counterexamples by hand: off-diagonal P = ΘΘᵀ and diagonal P ≠ cI', () => {
      // Θ = (1, 1)ᵀ: P = [[1, 1], [1, 1]], P₁₂ = 1, δ = 1/2: g_T = e₁, g_V = e₂ − ½e₁; raw −½, projected ½.
      const off = misleadingGradients(qm([[1], [1]]))!;
      expect([off.trainGrad, off.valGrad].map((v) => v.map(toRationalString))).toEqual([['1', '0'], ['-1/2', '1']]);
      // Θ = diag(2, 1): P = diag(4, 1), a = 5/8: g_T = (1, 1), g_V = (−5/8, 1); raw 3/8, projected −3/2.
      const diag = misleadingGradients(qm([[2, 0], [0, 1]]))!;
      expect([diag.trainGrad, diag.valGrad].map((v) => v.map(toRationalString))).toEqual([['1', '1'], ['-5/8', '1']]);
      // Realised in a quadratic setting, the exact loss change goes against the raw sign.
      for (const [theta, pair, rawSays, actual] of [[[[1], [1]], off, 'harmful', 'helpful'], [[[2, 0], [0, 1]], diag, 'helpful', 'harmful']] as const) {
        const h = theta[0].length;
        const p = parseObs2Quadratic({ A: [[2, 1], [1, 3]], B: theta.map((r) => r.map(() => 1)), b: [0, 0], C: [[2, 0], [0, 1]], v: [0, 0], general: [1, 2], response: theta.map((r) => [...r]), lambda: new Array<number>(h).fill(1) });
        const wp = withGradients(p, pair.trainGrad, pair.valGrad);
        const pred = obs2Prediction(wp);
        expect(pred.trainGrad.map(toRationalString)).toEqual(pair.trainGrad.map(toRationalString));
        expect(pred.valGrad.map(toRationalString)).toEqual(pair.valGrad.map(toRationalString));
        expect(verdictOfRaw(pred.rawAlignment)).toBe(rawSays);
        expect(actualSmallStepVerdict(wp).verdict).toBe(actual);
      }
    });

    test('the generator draws ΘΘᵀ = cI with m ≥ 2 and Θ = 0', () => {
      const cases = fc.sample(obs2Claim.arbitrary, { numRuns: 200, seed: 5 });
      expect(cases.some((c) => c.quadratic.inner.m >= 2 && isotropicResponse(c.quadratic.response).isotropic)).toBe(true);
      expect(cases.some((c) => c.quadratic.response.every((r) => r.every((x) => x.n === 0n)))).toBe(true);
    });

    test('typed errors: withGradients names the argument', () => {
      const p = parseObs2Quadratic({ ...example, v: [0, 0] });
      expect(() => withGradients(p, [f(1)], [f(1), f(2)])).toThrow(ShapeMismatchError);
      expect(() => withGradients(p, [f(1), f(2)], [f(1)])).toThrow(/valGrad/);
    });
  });

  describe('step 6: late training, L_T at the pre-step λ against L_T at the new λ', () => {
    test('by hand: A = 2, B = 1, w = 1, λ = 0, b = 2 (so ∇L_T = 0), Θ = J* = 1/2, v = 0', () => {
      const p = parseObs2Quadratic({ A: [[2]], B: [[1]], b: [2], C: [[1]], v: [0], general: [1], response: [['1/2']], lambda: [0] });
      expect(bestResponseJacobian(p.inner).map((r) => r.map(toRationalString))).toEqual([['1/2']]);
      const pred = obs2Prediction(p);
      expect(pred.trainGrad.map(toRationalString)).toEqual(['0']);
      expect(toRationalString(pred.heldCurvature)).toBe('1/16'); // d = ΘΘᵀ∇L_V = 1/4, ½·2·(1/4)²
      const table = lossChangeTable(p);
      const held = fitQuadratic(table.map((x) => x.held));
      const diff = fitQuadratic(table.map((x) => x.uncentered.sub(x.centered)));
      expect([held.c0, held.c1, held.c2].map(toRationalString)).toEqual(['0', '0', '1/16']); // +α²/16 at the pre-step λ
      expect([diff.c0, diff.c1, diff.c2].map(toRationalString)).toEqual(['0', '0', '-1/16']); // −α²/16 at the new λ
      // The uncentered weights land on the best response at the new λ: w*(λ') = (2 + λ')/2 with λ' = −α/2.
      expect(table[2].uncenteredWeights.map(toRationalString)).toEqual(['1/2']);
    });

    test.prop([obs2GenericArbitrary], { numRuns: 40 })('Θ = t·J*: at the new λ the α² coefficient of uncentered − centered is (1 − 2/t)·½dᵀAd; held it is +½dᵀAd', (c) => {
      for (const t of [1, 2, 3]) {
        const late = lateTrainingCase(c.quadratic, t);
        const pred = obs2Prediction(late);
        expect(pred.trainGrad.every((x) => x.n === 0n)).toBe(true);
        const table = lossChangeTable(late);
        const held = fitQuadratic(table.map((x) => x.held));
        const diff = fitQuadratic(table.map((x) => x.uncentered.sub(x.centered)));
        expect(held.c1.n).toBe(0n);
        expect(held.c2.equals(pred.heldCurvature)).toBe(true);
        expect(diff.c1.n).toBe(0n);
        expect(diff.c2.equals(pred.heldCurvature.mul(f(t - 2, t)))).toBe(true);
        expect(pred.heldCurvature.s >= 0n || pred.heldCurvature.n === 0n).toBe(true); // ½dᵀAd ≥ 0, A ≻ 0
      }
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
