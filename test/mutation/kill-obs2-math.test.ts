/**
 * Killing tests for src/theory/obs2/math.ts (OBS-2: an outer step, uncentered vs centered; README, "Mutation
 * testing"). test/theory/OBS-2.test.ts checks the claim end to end; these pin the pieces against independent oracles:
 * - the exact quadratic setting on one hand-checked instance (m = 3, h = 2, so that every m×h / h×m shape mix-up
 *   shows): every field of `obs2Prediction` and of `lossChanges` at α = 1/3 and α = 0…4, worked in exact rationals
 *   outside the library (Python `fractions`, the values written here), and the polynomial identities of
 *   proofs/OBS-2.md (held change = −α g_Tᵀd + ½α² dᵀAd, uncentered − centered = −α g_Tᵀd + α²(½dᵀAd − dᵀBΘᵀg_V),
 *   centered = −α ∂_λL_Tᵀ Θᵀg_V) through `fitQuadratic`;
 * - `fitQuadratic` on α³ (both residuals non-zero) and on a quadratic (both zero), in both of its input forms;
 * - the sign rules, `actualSmallStepVerdict` on each branch (c₁ = 0; c₂ = 0 and a step that lands on the root of the
 *   held change, both reached through the optional `heldFit`);
 * - `isotropicResponse` and `misleadingGradients` on each branch of the construction, with the iteration order of
 *   the searches (the first off-diagonal entry in row-major order, the first strictly larger diagonal entry);
 * - `withGradients`, `bestResponseJacobian`, `lateTrainingCase` against exact solves worked by hand;
 * - the float64 logistic pieces against their closed forms and central differences, `logisticInstance` against
 *   a replay of its documented draw order, and `logisticObs2` against a replay of its documented steps and floors
 *   (and against the first-order formulas it estimates, to the policy's 1e-6);
 * - every typed error by class, argument and exact message, including the `lambda0` → `lambda` renaming of the
 *   shared parser's errors (and that errors about other fields pass through untouched).
 */
import { describe, expect, test } from 'vitest';
import { DeltaStnError, NotPositiveDefiniteError, NotSymmetricError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { math, type Rational } from '../../src/linalg/exact.js';
import { dot, norm2 } from '../../src/linalg/dense.js';
import { Rng } from '../../src/rng.js';
import { finiteDifferenceStep } from '../../src/tolerance.js';
import { parseQuadraticInner } from '../../src/theory/thm3/math.js';
import {
  actualSmallStepVerdict,
  bestResponseJacobian,
  centeredWeights,
  fitQuadratic,
  heldChange,
  hypergradientByDifferences,
  isotropicResponse,
  lateTrainingCase,
  logisticData,
  logisticDataGrad,
  logisticInstance,
  logisticLambdaGrad,
  logisticObs2,
  logisticTrainGrad,
  logisticTrainLoss,
  logisticValGrad,
  logisticValLoss,
  lossChanges,
  lossChangeTable,
  misleadingGradients,
  obs2Prediction,
  outerStep,
  parseObs2Quadratic,
  quadraticLambdaGrad,
  quadraticValGrad,
  quadraticValLoss,
  rawVerdict,
  renamed,
  responseGram,
  sgn,
  signRule,
  transposeTimes,
  uncenteredWeights,
  withGradients,
  type LogisticInstance,
  type LogisticProblem,
  type Obs2Quadratic,
  type Obs2QuadraticInput,
  type QuadraticFit,
} from '../../src/theory/obs2/math.js';
import { expectThrows, thrown } from './throws.js';

const F = (x: number | string): Rational => math.fraction(x as never) as Rational;
const S = (x: Rational): string => x.toFraction();
const SV = (xs: readonly Rational[]): string[] => xs.map(S);
const SM = (a: readonly (readonly Rational[])[]): string[][] => a.map(SV);
const QV = (xs: readonly (number | string)[]): Rational[] => xs.map(F);
const QM = (a: readonly (readonly (number | string)[])[]): Rational[][] => a.map(QV);

/** The hand-checked instance: m = 3, h = 2 (values below worked in exact rationals outside the library). */
function baseInput(): Obs2QuadraticInput {
  return {
    A: [[4, 1, 0], [1, 3, 1], [0, 1, 2]],
    B: [[1, 0], [0, 2], [1, -1]],
    b: [1, -1, 2],
    C: [[2, 1, 0], [1, 2, 0], [0, 0, 1]],
    v: [1, 0, -1],
    general: [1, 2, 0],
    response: [[1, 0], [2, -1], [0, 1]],
    lambda: ['1/2', -1],
  };
}
const base = (): Obs2Quadratic => parseObs2Quadratic(baseInput());
const parse = parseObs2Quadratic as (input: unknown) => Obs2Quadratic;
const withField = (field: string, value: unknown): unknown => ({ ...baseInput(), [field]: value });

describe('parseObs2Quadratic: the parsed setting', () => {
  test('every field parsed exactly; inner.lambda0 holds λ; m and h', () => {
    const p = base();
    expect(SM(p.inner.A)).toEqual([['4', '1', '0'], ['1', '3', '1'], ['0', '1', '2']]);
    expect(SM(p.inner.B)).toEqual([['1', '0'], ['0', '2'], ['1', '-1']]);
    expect(SV(p.inner.b)).toEqual(['1', '-1', '2']);
    expect(SV(p.inner.lambda0)).toEqual(['1/2', '-1']);
    expect([p.inner.m, p.inner.h]).toEqual([3, 2]);
    expect(SM(p.C)).toEqual([['2', '1', '0'], ['1', '2', '0'], ['0', '0', '1']]);
    expect(SV(p.v)).toEqual(['1', '0', '-1']);
    expect(SV(p.general)).toEqual(['1', '2', '0']);
    expect(SM(p.response)).toEqual([['1', '0'], ['2', '-1'], ['0', '1']]);
    expect(Object.keys(p).sort()).toEqual(['C', 'general', 'inner', 'response', 'v']);
  });
});

describe('parseObs2Quadratic: refusals, with exact messages', () => {
  test('λ of the wrong length: the shared parser’s `lambda0` error, renamed to `lambda`', () => {
    expectThrows(() => parse(withField('lambda', [1])), ShapeMismatchError, 'lambda', 'lambda: expected shape length 2 (the columns of B), got length 1');
  });

  test('a bad λ entry: `lambda0[1]` renamed to `lambda[1]`', () => {
    expectThrows(() => parse(withField('lambda', [1, 'x'])), ParseError, 'lambda[1]', 'lambda[1]: expected a rational such as "3/7" or "-0.25", got "x"');
  });

  test('errors about A, B, b pass through untouched (the very error object the shared parser threw)', () => {
    const cases: [string, unknown, string, string][] = [
      ['A', [[1, 2], [3, 1]], 'A', 'A: expected a symmetric matrix (A must equal Aᵀ exactly)'],
      ['B', [[1, 0]], 'B', 'B: expected shape 3×h (as many rows as A), got 1×2'],
      ['b', [1, 2], 'b', 'b: expected shape length 3, got length 2'],
    ];
    for (const [field, value, argument, message] of cases) {
      const e = thrown(() => parse(withField(field, value)));
      expect(e.argument).toBe(argument);
      expect(e.message).toBe(message);
      // A genuine error: `message` and `stack` are not own enumerable fields (a `renamed` copy has them enumerable).
      expect(Object.keys(e)).toEqual(['argument', 'name']);
      expect(Object.prototype.propertyIsEnumerable.call(e, 'message')).toBe(false);
    }
    expect(thrown(() => parse(withField('A', [[1, 2], [3, 1]])), NotSymmetricError).name).toBe('NotSymmetricError');
  });

  test('input that is not an object: the TypeError from reading `input.A`, untouched', () => {
    let caught: unknown;
    try {
      parse(null);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as Error).message).toBe("Cannot read properties of null (reading 'A')");
  });

  test('C: its entries, its shape (rows and columns), exact symmetry, positive definiteness', () => {
    expectThrows(() => parse(withField('C', [[1, 0, 0], [0, 'x', 0], [0, 0, 1]])), ParseError, 'C[1][1]', 'C[1][1]: expected a rational such as "3/7" or "-0.25", got "x"');
    expectThrows(() => parse(withField('C', [[1, 0], [0, 1]])), ShapeMismatchError, 'C', 'C: expected shape 3×3, got 2×2');
    expectThrows(() => parse(withField('C', [[1, 0], [0, 1], [0, 0]])), ShapeMismatchError, 'C', 'C: expected shape 3×3, got 3×2');
    expectThrows(() => parse(withField('C', [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])), ShapeMismatchError, 'C', 'C: expected shape 3×3, got 3×4');
    expectThrows(() => parse(withField('C', [[1, 0, 0], [0, 1, 0]])), ShapeMismatchError, 'C', 'C: expected shape 3×3, got 2×3');
    expectThrows(() => parse(withField('C', [[1, 0, 0], [1, 1, 0], [0, 0, 1]])), NotSymmetricError, 'C', 'C: expected a symmetric matrix (C must equal Cᵀ exactly)');
    expectThrows(() => parse(withField('C', [[1, 0, 0], [0, 0, 0], [0, 0, 1]])), NotPositiveDefiniteError, 'C', 'C: expected a symmetric positive definite matrix');
    expectThrows(() => parse(withField('C', [[1, 0, 0], [0, -1, 0], [0, 0, 1]])), NotPositiveDefiniteError, 'C', 'C: expected a symmetric positive definite matrix');
  });

  test('v and general: entries and length', () => {
    for (const field of ['v', 'general']) {
      expectThrows(() => parse(withField(field, [1, 'y', 0])), ParseError, `${field}[1]`, `${field}[1]: expected a rational such as "3/7" or "-0.25", got "y"`);
      expectThrows(() => parse(withField(field, [1, 2])), ShapeMismatchError, field, `${field}: expected shape length 3, got length 2`);
      expectThrows(() => parse(withField(field, [1, 2, 3, 4])), ShapeMismatchError, field, `${field}: expected shape length 3, got length 4`);
    }
  });

  test('response: entries and shape m×h (rows and columns)', () => {
    expectThrows(() => parse(withField('response', [[1, 0], [0, 'z'], [0, 0]])), ParseError, 'response[1][1]', 'response[1][1]: expected a rational such as "3/7" or "-0.25", got "z"');
    expectThrows(() => parse(withField('response', [[1], [0], [0]])), ShapeMismatchError, 'response', 'response: expected shape 3×2, got 3×1');
    expectThrows(() => parse(withField('response', [[1, 0], [0, 1]])), ShapeMismatchError, 'response', 'response: expected shape 3×2, got 2×2');
    expectThrows(() => parse(withField('response', [[1, 0, 0], [0, 1, 0]])), ShapeMismatchError, 'response', 'response: expected shape 3×2, got 2×3');
  });

  test('the checks run in order: C before v before general before response', () => {
    const all = { ...baseInput(), C: [[1]], v: [1], general: [1], response: [[1]] };
    expect(thrown(() => parse(all)).argument).toBe('C');
    expect(thrown(() => parse({ ...all, C: baseInput().C })).argument).toBe('v');
    expect(thrown(() => parse({ ...all, C: baseInput().C, v: [0, 0, 0] })).argument).toBe('general');
    expect(thrown(() => parse({ ...all, C: baseInput().C, v: [0, 0, 0], general: [0, 0, 0] })).argument).toBe('response');
  });
});

describe('renamed', () => {
  test('same class and message tail, the new argument, name and stack kept', () => {
    const e = new ShapeMismatchError('lambda0[2]', 'length 4', 'length 3');
    const r = renamed(e, 'lambda[2]');
    expect(r).toBeInstanceOf(ShapeMismatchError);
    expect(r).toBeInstanceOf(DeltaStnError);
    expect(r.argument).toBe('lambda[2]');
    expect(r.message).toBe('lambda[2]: expected shape length 4, got length 3');
    expect(r.name).toBe('ShapeMismatchError');
    expect(r.stack).toBe(e.stack);
    expect(r).not.toBe(e);
    expect(e.argument).toBe('lambda0[2]');
  });
});

describe('the exact quadratic pieces on the hand-checked instance', () => {
  test('L_V, ∇L_V, ∂_λL_T at w = ŵ_u(λ) = (3/2, 4, −1)', () => {
    const p = base();
    const w = QV(['3/2', 4, -1]);
    expect(S(quadraticValLoss(p, w))).toBe('73/4');
    expect(SV(quadraticValGrad(p, w))).toEqual(['5', '17/2', '0']);
    expect(SV(quadraticLambdaGrad(p.inner, w))).toEqual(['-1/2', '-9']);
    // L_V at v is 0, and its gradient there too.
    expect(S(quadraticValLoss(p, p.v))).toBe('0');
    expect(SV(quadraticValGrad(p, p.v))).toEqual(['0', '0', '0']);
  });

  test('the hypernetworks: ŵ_u(λ) = w₀ + Θλ, ŵ_c(λ) = w₀ + Θ(λ − λ_c)', () => {
    const p = base();
    expect(SV(uncenteredWeights(p.general, p.response, p.inner.lambda0))).toEqual(['3/2', '4', '-1']);
    expect(SV(centeredWeights(p.general, p.response, QV([2, 1]), QV(['1/2', -1])))).toEqual(['5/2', '3', '2']);
    expect(SV(centeredWeights(p.general, p.response, QV([2, 1]), QV([2, 1])))).toEqual(['1', '2', '0']);
  });

  test('Θᵀx and the outer step −αΘᵀg_V', () => {
    const p = base();
    expect(SV(transposeTimes(p.response, QV([5, '17/2', 0])))).toEqual(['22', '-17/2']);
    expect(SV(transposeTimes(p.response, QV([1, 1, 1])))).toEqual(['3', '0']);
    expect(SV(outerStep(p.response, QV([5, '17/2', 0]), F('1/3')))).toEqual(['-22/3', '17/6']);
    expect(SV(outerStep(p.response, QV([1, 1, 1]), F(2)))).toEqual(['-6', '0']);
  });

  test('obs2Prediction: every field', () => {
    const r = obs2Prediction(base());
    expect(SV(r.weights)).toEqual(['3/2', '4', '-1']);
    expect(SV(r.trainGrad)).toEqual(['17/2', '31/2', '-3/2']);
    expect(SV(r.valGrad)).toEqual(['5', '17/2', '0']);
    expect(SV(r.lambdaGrad)).toEqual(['-1/2', '-9']);
    expect(SV(r.projectedTrainGrad)).toEqual(['79/2', '-17']);
    expect(SV(r.projectedValGrad)).toEqual(['22', '-17/2']);
    expect(S(r.projectedAlignment)).toBe('2027/2');
    expect(S(r.rawAlignment)).toBe('697/4');
    expect(S(r.heldSlope)).toBe('-2027/2');
    expect(S(r.lambdaSlope)).toBe('-131/2');
    expect(S(r.heldCurvature)).toBe('47067/8');
    expect(S(r.newLambdaCurvature)).toBe('52409/8');
    expect(Object.keys(r).length).toBe(12);
  });

  test('lossChanges at α = 1/3: every field', () => {
    const r = lossChanges(base(), F('1/3'));
    expect(S(r.held)).toBe('2527/8');
    expect(S(r.uncentered)).toBe('26513/72');
    expect(S(r.centered)).toBe('-131/6');
    expect(SV(r.uncenteredWeights)).toEqual(['-35/6', '-27/2', '11/6']);
    expect(SV(r.centeredWeights)).toEqual(['3/2', '4', '-1']);
    expect(S(heldChange(base(), F('1/3')))).toBe('2527/8');
  });

  test('lossChangeTable: α = 0, 1, 2, 3, 4 in order', () => {
    const t = lossChangeTable(base());
    expect(t.map((r) => S(r.held))).toEqual(['0', '38959/8', '43013/2', '399279/8', '90080']);
    expect(t.map((r) => S(r.uncentered))).toEqual(['0', '43777/8', '48093/2', '445785/8', '100502']);
    expect(t.map((r) => S(r.centered))).toEqual(['0', '-131/2', '-131', '-393/2', '-262']);
    expect(SV(t[4].uncenteredWeights)).toEqual(['-173/2', '-206', '33']);
    expect(t.map((r) => S(heldChange(base(), F(t.indexOf(r)))))).toEqual(['0', '38959/8', '43013/2', '399279/8', '90080']);
  });

  test('the polynomial identities of proofs/OBS-2.md (steps 2–4), through the exact fit', () => {
    const p = base();
    const pred = obs2Prediction(p);
    const held = fitQuadratic((a) => lossChanges(p, a).held);
    expect([S(held.c0), S(held.c1), S(held.c2), S(held.residualAt0), S(held.residualAt4)]).toEqual(['0', S(pred.heldSlope), S(pred.heldCurvature), '0', '0']);
    const gap = fitQuadratic((a) => {
      const r = lossChanges(p, a);
      return r.uncentered.sub(r.centered);
    });
    expect([S(gap.c0), S(gap.c1), S(gap.c2), S(gap.residualAt4)]).toEqual(['0', S(pred.heldSlope), S(pred.newLambdaCurvature), '0']);
    const centered = fitQuadratic(lossChangeTable(p).map((r) => r.centered));
    expect([S(centered.c0), S(centered.c1), S(centered.c2)]).toEqual(['0', S(pred.lambdaSlope), '0']);
  });

  test('hypergradientByDifferences: Θᵀ∇L_V for both hypernetworks, per coordinate', () => {
    const p = base();
    const unc = hypergradientByDifferences(p, (l) => uncenteredWeights(p.general, p.response, l));
    expect(SV(unc)).toEqual(['22', '-17/2']);
    const w = uncenteredWeights(p.general, p.response, p.inner.lambda0);
    const cen = hypergradientByDifferences(p, (l) => centeredWeights(w, p.response, l, p.inner.lambda0));
    expect(SV(cen)).toEqual(['22', '-17/2']);
    // A hypernetwork that ignores λ₂: only the first coordinate is non-zero.
    const first = hypergradientByDifferences(p, (l) => uncenteredWeights(p.general, [[F(1), F(0)], [F(0), F(0)], [F(0), F(0)]], l));
    expect(SV(first)).toEqual([S(quadraticValLoss(p, QV(['5/2', 2, 0])).sub(quadraticValLoss(p, QV(['1/2', 2, 0]))).div(2)), '0']);
    expect(SV(first)).toEqual(['3', '0']);
  });
});

describe('fitQuadratic', () => {
  test('a quadratic, as a function: exact coefficients, both residuals 0', () => {
    const f = fitQuadratic((a) => F(3).sub(a.mul(2)).add(a.mul(a).mul(5)));
    expect([S(f.c0), S(f.c1), S(f.c2), S(f.residualAt4), S(f.residualAt0)]).toEqual(['3', '-2', '5', '0', '0']);
  });

  test('α³ given as values [f(0), …, f(4)]: fit 6 − 11α + 6α², residuals 6 at α = 4 and −6 at α = 0', () => {
    const f = fitQuadratic(QV([0, 1, 8, 27, 64]));
    expect([S(f.c0), S(f.c1), S(f.c2), S(f.residualAt4), S(f.residualAt0)]).toEqual(['6', '-11', '6', '6', '-6']);
    const g = fitQuadratic((a) => a.mul(a).mul(a));
    expect([S(g.c0), S(g.c1), S(g.c2), S(g.residualAt4), S(g.residualAt0)]).toEqual(['6', '-11', '6', '6', '-6']);
    expect(Object.keys(g).sort()).toEqual(['c0', 'c1', 'c2', 'residualAt0', 'residualAt4']);
  });
});

describe('sign rules', () => {
  test('sgn', () => {
    expect([sgn(F('-1/3')), sgn(F(0)), sgn(F('2/7')), sgn(F(-5))]).toEqual([-1, 0, 1, -1]);
  });
  test('rawVerdict and signRule: > 0 helpful, < 0 harmful, 0 neutral', () => {
    for (const rule of [rawVerdict, signRule]) {
      expect([rule(F(3)), rule(F('-1/2')), rule(F(0))]).toEqual(['helpful', 'harmful', 'neutral']);
    }
  });
});

describe('actualSmallStepVerdict', () => {
  test('helpful: α_s = |c₁|/(2|c₂|) and the exact change there is negative', () => {
    const r = actualSmallStepVerdict(base());
    expect(r.verdict).toBe('helpful');
    expect(S(r.alpha)).toBe('4054/47067');
    expect(sgn(heldChange(base(), r.alpha))).toBe(-1);
  });

  test('harmful: the same instance with g_T negated', () => {
    const p = base();
    const pred = obs2Prediction(p);
    const q = withGradients(p, pred.trainGrad.map((x) => x.neg()), pred.valGrad);
    const r = actualSmallStepVerdict(q);
    expect(r).toEqual({ verdict: 'harmful', alpha: r.alpha });
    expect(S(r.alpha)).toBe('4054/47067');
  });

  test('c₁ = 0 (g_T = 0): neutral, α = 0', () => {
    const p = base();
    const q = withGradients(p, QV([0, 0, 0]), obs2Prediction(p).valGrad);
    const r = actualSmallStepVerdict(q);
    expect(r.verdict).toBe('neutral');
    expect(S(r.alpha)).toBe('0');
    expect(Object.keys(r).sort()).toEqual(['alpha', 'verdict']);
  });

  test('c₁ = c₂ = 0 (g_V = 0, and a given fit of zeros): neutral with α = 0, not the c₂ = 0 step α = 1', () => {
    const p = base();
    const q = withGradients(p, obs2Prediction(p).trainGrad, QV([0, 0, 0]));
    for (const r of [actualSmallStepVerdict(q), actualSmallStepVerdict(p, { c0: F(0), c1: F(0), c2: F(0), residualAt4: F(0), residualAt0: F(0) })]) {
      expect(r.verdict).toBe('neutral');
      expect(S(r.alpha)).toBe('0');
    }
  });

  test('a given fit is used as given: c₂ = 0 ⇒ α = 1 (held change at 1 is +38959/8: harmful)', () => {
    const fit: QuadraticFit = { c0: F(0), c1: F(1), c2: F(0), residualAt4: F(0), residualAt0: F(0) };
    const r = actualSmallStepVerdict(base(), fit);
    expect(r.verdict).toBe('harmful');
    expect(S(r.alpha)).toBe('1');
  });

  test('a given fit whose α_s is the root 8108/47067 of the held change: neutral', () => {
    const fit: QuadraticFit = { c0: F(0), c1: F(-8108), c2: F('47067/2'), residualAt4: F(0), residualAt0: F(0) };
    const r = actualSmallStepVerdict(base(), fit);
    expect(S(r.alpha)).toBe('8108/47067');
    expect(S(heldChange(base(), r.alpha))).toBe('0');
    expect(r.verdict).toBe('neutral');
  });
});

describe('responseGram and isotropicResponse', () => {
  test('ΘΘᵀ', () => {
    expect(SM(responseGram(QM([[1, 0], [2, -1], [0, 1]])))).toEqual([['1', '2', '0'], ['2', '5', '-1'], ['0', '-1', '1']]);
  });

  test('isotropic: I, [[1, 1], [1, −1]] (c = 2), m = 1 with Θ = [3] (c = 9), a wide Θ with orthogonal rows', () => {
    expect(S(isotropicResponse(QM([[1, 0], [0, 1]])).c)).toBe('1');
    expect(isotropicResponse(QM([[1, 0], [0, 1]])).isotropic).toBe(true);
    expect(S(isotropicResponse(QM([[1, 1], [1, -1]])).c)).toBe('2');
    expect(isotropicResponse(QM([[3]]))).toEqual({ isotropic: true, c: isotropicResponse(QM([[3]])).c });
    expect(S(isotropicResponse(QM([[3]])).c)).toBe('9');
    expect(isotropicResponse(QM([[1, 1, 0], [1, -1, 0]])).isotropic).toBe(true);
  });

  test('not isotropic (c = 0 reported): Θ = 0, m = 1 with Θ = 0, diag(1, 2), all-ones P, diag(1, 1, 0)', () => {
    const cases = [QM([[0, 0], [0, 0]]), QM([[0]]), QM([[1, 0], [0, 2]]), QM([[1], [1]]), QM([[1, 0], [0, 1], [0, 0]]), QM([[2, 0], [0, 2], [0, 1]])];
    for (const t of cases) {
      const r = isotropicResponse(t);
      expect(r.isotropic).toBe(false);
      expect(S(r.c)).toBe('0');
    }
  });
});

describe('misleadingGradients', () => {
  const check = (theta: (number | string)[][], train: string[] | null, val?: string[]): void => {
    const r = misleadingGradients(QM(theta));
    if (train === null) {
      expect(r).toBeNull();
      return;
    }
    expect(r).not.toBeNull();
    expect(SV(r!.trainGrad)).toEqual(train);
    expect(SV(r!.valGrad)).toEqual(val);
  };
  /** raw ⟨g_T, g_V⟩ and projected g_TᵀPg_V, P = ΘΘᵀ. */
  const signs = (theta: (number | string)[][]): [number, number] => {
    const t = QM(theta);
    const r = misleadingGradients(t)!;
    const p = responseGram(t);
    const pv = p.map((row) => row.reduce((s, x, j) => s.add(x.mul(r.valGrad[j])), F(0)));
    return [sgn(r.trainGrad.reduce((s, x, i) => s.add(x.mul(r.valGrad[i])), F(0))), sgn(r.trainGrad.reduce((s, x, i) => s.add(x.mul(pv[i])), F(0)))];
  };

  test('P = 0: g_T = g_V = e₁', () => {
    check([[0, 0], [0, 0]], ['1', '0'], ['1', '0']);
    check([[0]], ['1'], ['1']);
    expect(signs([[0, 0], [0, 0]])).toEqual([1, 0]);
  });

  test('P₀₁ = 1 > 0 (P = [[2, 1], [1, 1]]): g_T = e₀, g_V = e₁ − ¼e₀', () => {
    check([[1, 1], [1, 0]], ['1', '0'], ['-1/4', '1']);
    expect(signs([[1, 1], [1, 0]])).toEqual([-1, 1]);
  });

  test('P₀₁ = −1 < 0 (P = [[2, −1], [−1, 1]]): g_V = e₁ + ¼e₀', () => {
    check([[1, 1], [-1, 0]], ['1', '0'], ['1/4', '1']);
    expect(signs([[1, 1], [-1, 0]])).toEqual([1, -1]);
  });

  test('the first off-diagonal entry in row-major order: P₁₂ when row 0 has none', () => {
    check([[1, 0], [0, 1], [0, 1]], ['0', '1', '0'], ['0', '-1/2', '1']);
    expect(signs([[1, 0], [0, 1], [0, 1]])).toEqual([-1, 1]);
    // P = [[1, 0, 0], [0, 2, −2], [0, −2, 4]]: i = 1, j = 2, s = −1, δ = 2/4.
    check([[1, 0, 0], [0, 1, 1], [0, -1, -1]], ['0', '1', '0'], ['0', '1/2', '1']);
  });

  test('P diagonal: the first i with a strictly smaller P_jj, a = (1 + P_jj/P_ii)/2', () => {
    // P = diag(1, 9, 4): i = 1, j = 0, a = 5/9.
    check([[1, 0, 0], [0, 3, 0], [0, 0, 2]], ['1', '1', '0'], ['1', '-5/9', '0']);
    expect(signs([[1, 0, 0], [0, 3, 0], [0, 0, 2]])).toEqual([1, -1]);
    // P = diag(0, 1) (a zero row, not all of P zero): i = 1, j = 0, a = 1/2.
    check([[0], [1]], ['1', '1'], ['1', '-1/2']);
    // P = diag(4, 1): i = 0, j = 1, a = 5/8.
    check([[2, 0], [0, 1]], ['1', '1'], ['-5/8', '1']);
  });

  test('P = cI, c > 0: null', () => {
    check([[1, 1], [1, -1]], null);
    check([[3]], null);
    check([[1, 0, 0], [0, 1, 0], [0, 0, 1]], null);
  });
});

describe('withGradients, bestResponseJacobian, lateTrainingCase', () => {
  test('withGradients: b = Aw − Bλ − g_T, v = w − C⁻¹g_V; the rest kept; the gradients realised', () => {
    const p = base();
    const q = withGradients(p, QV([1, 0, -1]), QV([0, 1, 2]));
    expect(SV(q.inner.b)).toEqual(['17/2', '29/2', '3/2']);
    expect(SV(q.v)).toEqual(['11/6', '10/3', '-3']);
    expect(q.inner.A).toBe(p.inner.A);
    expect(q.inner.B).toBe(p.inner.B);
    expect(q.inner.lambda0).toBe(p.inner.lambda0);
    expect([q.inner.m, q.inner.h]).toEqual([3, 2]);
    expect(q.C).toBe(p.C);
    expect(q.general).toBe(p.general);
    expect(q.response).toBe(p.response);
    const pred = obs2Prediction(q);
    expect(SV(pred.trainGrad)).toEqual(['1', '0', '-1']);
    expect(SV(pred.valGrad)).toEqual(['0', '1', '2']);
    expect(SV(pred.weights)).toEqual(['3/2', '4', '-1']);
  });

  test('withGradients: wrong lengths, g_T checked first', () => {
    const p = base();
    expectThrows(() => withGradients(p, QV([1, 0]), QV([0, 1, 2])), ShapeMismatchError, 'trainGrad', 'trainGrad: expected shape length 3, got length 2');
    expectThrows(() => withGradients(p, QV([1, 0, 0, 0]), QV([0])), ShapeMismatchError, 'trainGrad', 'trainGrad: expected shape length 3, got length 4');
    expectThrows(() => withGradients(p, QV([1, 0, 0]), QV([0, 1])), ShapeMismatchError, 'valGrad', 'valGrad: expected shape length 3, got length 2');
    expectThrows(() => withGradients(p, QV([1, 0, 0]), QV([0, 1, 2, 3])), ShapeMismatchError, 'valGrad', 'valGrad: expected shape length 3, got length 4');
  });

  test('withGradients on a hand-built setting with a singular C: the exact solve names C', () => {
    const p = base();
    const singular: Obs2Quadratic = { ...p, C: QM([[1, 1, 0], [1, 1, 0], [0, 0, 1]]) };
    expectThrows(() => withGradients(singular, QV([1, 0, 0]), QV([0, 1, 2])), ShapeMismatchError, 'C', 'C: expected shape a non-singular matrix, got det = 0 exactly');
  });

  test('bestResponseJacobian: J* = A⁻¹B exactly; a singular A (hand-built) is named', () => {
    expect(SM(bestResponseJacobian(base().inner))).toEqual([['1/3', '-5/18'], ['-1/3', '10/9'], ['2/3', '-19/18']]);
    const q = { ...parseQuadraticInner({ A: [[1]], B: [[1]], b: [0], lambda0: [0] }), A: QM([[0]]) };
    expectThrows(() => bestResponseJacobian(q), ShapeMismatchError, 'A', 'A: expected shape a non-singular matrix, got det = 0 exactly');
  });

  test('lateTrainingCase: Θ = t·J*, w₀ = w − Θλ, b = Aw − Bλ (t default 1, and t = 2)', () => {
    const p = base();
    const late = lateTrainingCase(p);
    expect(SM(late.response)).toEqual([['1/3', '-5/18'], ['-1/3', '10/9'], ['2/3', '-19/18']]);
    expect(SV(late.general)).toEqual(['19/18', '95/18', '-43/18']);
    expect(SV(late.inner.b)).toEqual(['19/2', '29/2', '1/2']);
    expect(late.inner.A).toBe(p.inner.A);
    expect([late.inner.m, late.inner.h]).toEqual([3, 2]);
    expect(late.C).toBe(p.C);
    expect(late.v).toBe(p.v);
    const pred = obs2Prediction(late);
    expect(SV(pred.weights)).toEqual(['3/2', '4', '-1']);
    expect(SV(pred.trainGrad)).toEqual(['0', '0', '0']);
    expect(S(pred.heldCurvature)).toBe('1394573/11664');
    expect(S(pred.newLambdaCurvature)).toBe('-1394573/11664');
    const two = lateTrainingCase(p, '2');
    expect(SM(two.response)).toEqual([['2/3', '-5/9'], ['-2/3', '20/9'], ['4/3', '-19/9']]);
    expect(SV(two.general)).toEqual(['11/18', '59/9', '-34/9']);
    expect(SV(two.inner.b)).toEqual(['19/2', '29/2', '1/2']);
  });

  test('lateTrainingCase: a bad t is named `t`', () => {
    expectThrows(() => lateTrainingCase(base(), 'x'), ParseError, 't', 't: expected a rational such as "3/7" or "-0.25", got "x"');
  });
});

// ---------------------------------------------------------------------------------------------------------
// float64: logistic regression
// ---------------------------------------------------------------------------------------------------------

const Xt = [[1, 2, 0], [0, -1, 1]];
const yt = [1, -1];
const Xv = [[1, 1, 1], [2, 0, -1], [0, 1, 0]];
const yv = [1, 1, -1];
const W = [0.5, 0.25, 1];
const problem = (): LogisticProblem => ({ Xtrain: Xt, ytrain: yt, Xval: Xv, yval: yv, h: 2 });
/** log(1 + eˣ) and 1/(1 + e⁻ˣ), computed directly (moderate x only). */
const sp = (x: number): number => Math.log(1 + Math.exp(x));
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
function expectClose(actual: number, expected: number, tol = 1e-13): void {
  expect(Number.isFinite(actual)).toBe(true);
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}
function expectVecClose(actual: number[], expected: number[], tol = 1e-13): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((x, i) => expectClose(x, expected[i], tol));
}
/** Central difference of f along coordinate k. */
function cd(f: (x: number[]) => number, x: number[], k: number, step = 1e-5): number {
  const p = x.map((v, j) => (j === k ? v + step : v));
  const m = x.map((v, j) => (j === k ? v - step : v));
  return (f(p) - f(m)) / (2 * step);
}

describe('logistic pieces: closed forms and central differences', () => {
  test('logisticData: mean softplus(−y xᵀw) (margins 1 and 0.75 → −1 and 0.75)', () => {
    expectClose(logisticData(Xt, yt, W), (sp(-1) + sp(0.75)) / 2);
    expectClose(logisticData(Xv, yv, W), (sp(-1.75) + sp(0) + sp(0.25)) / 3);
  });

  test('logisticDataGrad: mean −y σ(−y xᵀw) x, and its central differences', () => {
    const g = logisticDataGrad(Xt, yt, W);
    const c0 = -sig(-1) / 2;
    const c1 = sig(0.75) / 2;
    expectVecClose(g, [c0, 2 * c0 - c1, c1]);
    for (let k = 0; k < 3; k++) expectClose(g[k], cd((x) => logisticData(Xt, yt, x), W, k), 1e-8);
    expectVecClose(logisticDataGrad([], [], [1, 2]), [0, 0]);
  });

  test('logisticTrainLoss and logisticTrainGrad: groups j mod h (e^λ = 2 for j = 0, 2; 3 for j = 1)', () => {
    const p = problem();
    const lam = [Math.log(2), Math.log(3)];
    const reg = 0.5 * (2 * 0.25 + 3 * 0.0625 + 2 * 1);
    expectClose(logisticTrainLoss(p, lam, W), (sp(-1) + sp(0.75)) / 2 + reg);
    const g = logisticTrainGrad(p, lam, W);
    const d = logisticDataGrad(Xt, yt, W);
    expectVecClose(g, [d[0] + 2 * 0.5, d[1] + 3 * 0.25, d[2] + 2 * 1]);
    for (let k = 0; k < 3; k++) expectClose(g[k], cd((x) => logisticTrainLoss(p, lam, x), W, k), 1e-8);
  });

  test('logisticLambdaGrad: ½e^{λ_k} Σ_{j mod h = k} w_j², and its central differences', () => {
    const p = problem();
    const lam = [Math.log(2), Math.log(3)];
    const g = logisticLambdaGrad(p, lam, W);
    expectVecClose(g, [0.5 * 2 * (0.25 + 1), 0.5 * 3 * 0.0625]);
    for (let k = 0; k < 2; k++) expectClose(g[k], cd((l) => logisticTrainLoss(p, l, W), lam, k), 1e-8);
    expectVecClose(logisticLambdaGrad({ ...p, h: 3 }, [0, 0, 0], W), [0.125, 0.03125, 0.5]);
  });

  test('logisticValLoss and logisticValGrad read the validation data (no regularizer)', () => {
    const p = problem();
    expectClose(logisticValLoss(p, W), (sp(-1.75) + sp(0) + sp(0.25)) / 3);
    const a = -sig(-1.75) / 3;
    const b = -sig(0) / 3;
    const c = sig(0.25) / 3;
    expectVecClose(logisticValGrad(p, W), [a + 2 * b, a + c, a - b]);
  });
});

/** A replay of logisticInstance's documented draws: teacher, train X then labels, val X then labels, w₀, Θ, λ. */
function replayInstance(seed: number, m: number, h: number): LogisticInstance {
  const rng = new Rng(seed);
  const hh = h < 1 ? 1 : h > m ? m : h;
  const teacher: number[] = [];
  for (let i = 0; i < m; i++) teacher.push(rng.normal());
  const sample = (n: number): [number[][], number[]] => {
    const X: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row: number[] = [];
      for (let j = 0; j < m; j++) row.push(rng.normal());
      X.push(row);
    }
    const y: number[] = [];
    for (const x of X) {
      let s = 0;
      for (let j = 0; j < m; j++) s += x[j] * teacher[j];
      y.push(s + 0.7 * rng.normal() >= 0 ? 1 : -1);
    }
    return [X, y];
  };
  const [Xtrain, ytrain] = sample(12);
  const [Xval, yval] = sample(8);
  const general: number[] = [];
  for (let i = 0; i < m; i++) general.push(1.5 * rng.normal());
  const response: number[][] = [];
  for (let i = 0; i < m; i++) {
    const row: number[] = [];
    for (let k = 0; k < hh; k++) row.push(1.5 * rng.normal());
    response.push(row);
  }
  const lambda: number[] = [];
  for (let k = 0; k < hh; k++) lambda.push(-2 + 3 * rng.uniform());
  return { problem: { Xtrain, ytrain, Xval, yval, h: hh }, general, response, lambda };
}

describe('logisticInstance', () => {
  test('the documented draws, in order; h clamped to [1, m]', () => {
    for (const [seed, m, h, hh] of [[7, 3, 2, 2], [11, 3, 5, 3], [5, 2, 0, 1]]) {
      const inst = logisticInstance(seed, m, h);
      expect(inst).toEqual(replayInstance(seed, m, h));
      expect(inst.problem.h).toBe(hh);
      expect(inst.problem.Xtrain).toHaveLength(12);
      expect(inst.problem.Xval).toHaveLength(8);
      expect(inst.response).toHaveLength(m);
      expect(inst.response[0]).toHaveLength(hh);
      expect(inst.lambda).toHaveLength(hh);
      for (const l of inst.lambda) expect(l >= -2 && l <= 1).toBe(true);
      // Both labels occur (the teacher is informative, the noise 0.7).
      expect(new Set(inst.problem.ytrain)).toEqual(new Set([1, -1]));
    }
  });
});

/** logisticObs2's documented steps and floors, replayed (the same float64 operations in the same order). */
function replayObs2(inst: LogisticInstance): Record<string, number> {
  const { problem: p, general, response: T, lambda } = inst;
  const w = general.map((x, i) => x + dot(T[i], lambda));
  const gT = logisticTrainGrad(p, lambda, w);
  const gV = logisticValGrad(p, w);
  const gL = logisticLambdaGrad(p, lambda, w);
  const pV = lambda.map((_, k) => T.reduce((s, row, i) => s + row[k] * gV[i], 0));
  const pT = lambda.map((_, k) => T.reduce((s, row, i) => s + row[k] * gT[i], 0));
  const d = T.map((row) => dot(row, pV));
  const lamAt = (a: number): number[] => lambda.map((x, k) => x + -a * pV[k]);
  const wAt = (a: number): number[] => {
    const lam = lamAt(a);
    return general.map((x, i) => x + dot(T[i], lam));
  };
  const hW = finiteDifferenceStep(Math.max(1, norm2(w))) / norm2(d);
  const hL = finiteDifferenceStep(Math.max(1, norm2(lambda))) / norm2(pV);
  const hP = Math.min(hW, hL);
  const loss = Math.abs(logisticTrainLoss(p, lambda, w));
  const heldScale = (loss * norm2(d)) / Math.max(1, norm2(w));
  const centeredScale = (loss * norm2(pV)) / Math.max(1, norm2(lambda));
  const psi = (a: number): number => logisticTrainLoss(p, lamAt(a), wAt(a)) - logisticTrainLoss(p, lamAt(a), w);
  return {
    heldFormula: -dot(pT, pV),
    heldDifference: (logisticTrainLoss(p, lambda, wAt(hW)) - logisticTrainLoss(p, lambda, wAt(-hW))) / (2 * hW),
    heldScale,
    newLambdaDifference: (psi(hP) - psi(-hP)) / (2 * hP),
    newLambdaScale: Math.max(heldScale, centeredScale),
    centeredFormula: -dot(gL, pV),
    centeredDifference: (logisticTrainLoss(p, lamAt(hL), w) - logisticTrainLoss(p, lamAt(-hL), w)) / (2 * hL),
    centeredScale,
    projectedAlignment: dot(pT, pV),
    rawAlignment: dot(gT, gV),
  };
}

describe('logisticObs2', () => {
  test('seeded instances: every field equals the replay of the documented steps', () => {
    // Seed 7: ‖λ‖ ≈ 0.76 < 1 < ‖w‖ ≈ 2.3; seed 1: ‖λ‖ ≈ 2.0, ‖w‖ ≈ 3.9; seed 35: ‖λ‖ ≈ 0.69, ‖w‖ ≈ 0.54 (both max(1, ·) sides).
    for (const [seed, lamAbove1, wAbove1] of [[7, false, true], [1, true, true], [35, false, false]] as const) {
      const inst = logisticInstance(seed, 3, 2);
      const r = logisticObs2(inst);
      const e = replayObs2(inst);
      expect(Object.keys(r).sort()).toEqual(Object.keys(e).sort());
      for (const k of Object.keys(e)) expect([seed, k, (r as unknown as Record<string, number>)[k]]).toEqual([seed, k, e[k]]);
      // The instance separates the alternatives the steps choose between.
      expect(r.heldScale).not.toBe(r.centeredScale);
      expect(norm2(inst.lambda) > 1).toBe(lamAbove1);
      const w = inst.general.map((x, i) => x + dot(inst.response[i], inst.lambda));
      expect(norm2(w) > 1).toBe(wAbove1);
    }
  });

  test('the central differences match the first-order formulas to the policy’s 1e-6 (relative to the floors)', () => {
    for (const [seed, m, h] of [[7, 3, 2], [3, 2, 1], [21, 4, 3]]) {
      const r = logisticObs2(logisticInstance(seed, m, h));
      expect(Math.abs(r.heldDifference - r.heldFormula)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(r.heldFormula), r.heldScale));
      expect(Math.abs(r.newLambdaDifference - r.heldFormula)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(r.heldFormula), r.newLambdaScale));
      expect(Math.abs(r.centeredDifference - r.centeredFormula)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(r.centeredFormula), r.centeredScale));
      expect(Math.abs(r.heldFormula)).toBeGreaterThan(1e-3);
      expect(Math.abs(r.centeredFormula)).toBeGreaterThan(1e-3);
    }
  });

  test('a hand-built instance: formulas and floors in closed form', () => {
    // One training point x = 0 (data loss ln 2, no data gradient), one validation point x = (1, 0), y = 1;
    // Θ = I (h = m = 2), w₀ = (1, 2) − λ so that w = (1, 2) and λ = (ln 2, 0): g_T = (2, 2), g_V = (−σ(−1), 0).
    const lam = [Math.log(2), 0];
    const inst: LogisticInstance = {
      problem: { Xtrain: [[0, 0]], ytrain: [1], Xval: [[1, 0]], yval: [1], h: 2 },
      general: [1 - lam[0], 2],
      response: [[1, 0], [0, 1]],
      lambda: lam,
    };
    const r = logisticObs2(inst);
    const gv = -sig(-1);
    const eL = Math.exp(lam[0]);
    expectClose(r.rawAlignment, eL * gv);
    expectClose(r.projectedAlignment, eL * gv);
    expectClose(r.heldFormula, -eL * gv);
    expectClose(r.centeredFormula, -0.5 * eL * gv);
    const loss = Math.log(2) + 0.5 * (eL + 4);
    expectClose(r.heldScale, (loss * -gv) / Math.sqrt(5));
    // ‖λ‖ = ln 2 < 1: the floor divides by 1.
    expectClose(r.centeredScale, loss * -gv);
    expectClose(r.newLambdaScale, Math.max(r.heldScale, r.centeredScale));
    expectClose(r.heldDifference, r.heldFormula, 1e-6);
    expectClose(r.centeredDifference, r.centeredFormula, 1e-6);
    expectClose(r.newLambdaDifference, r.heldFormula, 1e-6);
  });
});
