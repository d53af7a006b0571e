/**
 * Killing tests for src/theory/obs1/math.ts (OBS-1's kernel: the exact second moments, the Gauss–Newton assemblies,
 * Proposition C by inertia counts and by its closed-form criterion, the h = 1 closed form, gradient descent and the
 * scaled float64 κ; README, "Mutation testing"; docs/math.md#s4-1, #pt-1..PT-4).
 *
 * Every oracle is independent of the code under test: second moments and Gauss–Newton matrices worked by hand in
 * exact rationals; the per-sample assembly checked against M̂ ⊗ G_w (proof step 2, computed with `kronQ`, which the
 * assembly deliberately does not use); the cubature expectation against M ⊗ G_w (proof step 3); the inertia fields of
 * Proposition C against eigenvalues worked by hand (cases chosen so that each count sits at its boundary: a zero
 * eigenvalue of multiplicity exactly 1, a zero together with a positive one, the criterion's sum exactly 1); the h = 1
 * closed form against the exact invariant κ + 1/κ = T²/σ² − 2; gradient descent on diagonal Hessians whose iterates
 * are dyadic, so float64 carries them exactly. Each typed error is pinned by class, argument and exact message.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { kronQ, math, toRationalString, type Rational, type RationalLike, type RationalMatrix } from '../../src/linalg/exact.js';
import {
  centeredBlockDiagonal,
  centeredSecondMoment,
  centeringEqualityCriterion,
  compareCentering,
  expectedGaussNewton,
  expectedGaussNewtonQuadrature,
  gaussNewton,
  gaussNewtonFromSamples,
  gaussNewtonFromSamplesFloat,
  gradientDescentTrace,
  hypernetworkInputs,
  jacobiKappaRelTol,
  maxQ,
  minQ,
  parseFactor,
  parseHyper,
  parseSamples,
  sampleJacobian,
  sampleSecondMoment,
  scalarConditionNumber,
  scalarKappaInvariant,
  scaledConditionNumber,
  secondMoment,
  variances,
  vecIndex,
} from '../../src/theory/obs1/math.js';
import { expectThrows } from './throws.js';

const EPS = Number.EPSILON;
const q = (x: RationalLike): Rational => math.fraction(x as never) as Rational;
const str = (v: readonly Rational[]): string[] => v.map(toRationalString);
const strM = (m: readonly (readonly Rational[])[]): string[][] => m.map((r) => r.map(toRationalString));
const qM = (m: readonly (readonly RationalLike[])[]): RationalMatrix => m.map((r) => r.map(q));
const num = (m: readonly (readonly Rational[])[]): number[][] => m.map((r) => r.map((x) => Number(x.valueOf())));
const notArray = (x: unknown): never => x as never;
const SIGMA_POS = (k: number, got: string): string => `sigma[${k}]: expected a scale σ_k > 0, got "${got}"`;
const PARSE = (arg: string, got: string): string => `${arg}: expected a rational such as "3/7" or "-0.25", got "${got}"`;

/** |x − y| ≤ tol·max(1, |y|), entrywise, with equal shapes. */
function expectClose(x: readonly (readonly number[])[], y: readonly (readonly number[])[], tol: number): void {
  expect(x.length).toBe(y.length);
  x.forEach((row, i) => {
    expect(row.length).toBe(y[i].length);
    row.forEach((v, j) => expect(Math.abs(v - y[i][j])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(y[i][j]))));
  });
}

// ───────────────────────────────────────────── inputs ─────────────────────────────────────────────

describe('parseHyper: (λ̄, σ) of equal length h ≥ 1, σ_k > 0', () => {
  test('returns both vectors parsed exactly (numbers as dyadics, strings as rationals)', () => {
    const p = parseHyper(['1/3', -2, 0], [0.5, '7/2', 1]);
    expect(str(p.lambdaBar)).toEqual(['1/3', '-2', '0']);
    expect(str(p.sigma)).toEqual(['1/2', '7/2', '1']);
    expect(Object.keys(p).sort()).toEqual(['lambdaBar', 'sigma']);
  });

  test('λ̄ not an array or empty: ShapeMismatchError naming `lambdaBar`', () => {
    expectThrows(() => parseHyper([], []), ShapeMismatchError, 'lambdaBar', 'lambdaBar: expected shape a vector of length h ≥ 1, got length 0');
    expectThrows(() => parseHyper(notArray('x'), ['1']), ShapeMismatchError, 'lambdaBar', 'lambdaBar: expected shape a vector of length h ≥ 1, got string');
    expectThrows(() => parseHyper(notArray(7), [1]), ShapeMismatchError, 'lambdaBar', 'lambdaBar: expected shape a vector of length h ≥ 1, got number');
  });

  test('σ not an array or of another length: ShapeMismatchError naming `sigma`', () => {
    expectThrows(() => parseHyper([1, 2], [1]), ShapeMismatchError, 'sigma', 'sigma: expected shape a vector of length 2 (the length of lambdaBar), got length 1');
    expectThrows(() => parseHyper([1], [1, 2]), ShapeMismatchError, 'sigma', 'sigma: expected shape a vector of length 1 (the length of lambdaBar), got length 2');
    // A string of the right length is still not an array.
    expectThrows(() => parseHyper([1], notArray('x')), ShapeMismatchError, 'sigma', 'sigma: expected shape a vector of length 1 (the length of lambdaBar), got string');
    expectThrows(() => parseHyper([1], notArray(5)), ShapeMismatchError, 'sigma', 'sigma: expected shape a vector of length 1 (the length of lambdaBar), got number');
  });

  test('entries are parsed under the names lambdaBar[k] and sigma[k]', () => {
    expectThrows(() => parseHyper([0, 'abc'], [1, 1]), ParseError, 'lambdaBar[1]', PARSE('lambdaBar[1]', 'abc'));
    expectThrows(() => parseHyper([0, 1], [1, 'x/2']), ParseError, 'sigma[1]', PARSE('sigma[1]', 'x/2'));
    expectThrows(() => parseHyper([0], [NaN]), NonFiniteError, 'sigma[0]', 'sigma[0]: expected a finite number, got NaN');
  });

  test('σ_k = 0 and σ_k < 0: InvalidArgumentError naming sigma[k], the value as a rational string', () => {
    expectThrows(() => parseHyper([1, 2], [1, 0]), InvalidArgumentError, 'sigma[1]', SIGMA_POS(1, '0'));
    expectThrows(() => parseHyper([1, 2], [1, '-1/2']), InvalidArgumentError, 'sigma[1]', SIGMA_POS(1, '-1/2'));
    expectThrows(() => parseHyper([1], [-3]), InvalidArgumentError, 'sigma[0]', SIGMA_POS(0, '-3'));
    // The smallest positive σ passes.
    expect(str(parseHyper([0], ['1/1000000']).sigma)).toEqual(['1/1000000']);
  });
});

describe('variances, maxQ, minQ', () => {
  test('variances squares each σ exactly', () => {
    expect(str(variances([q('1/2'), q(-3), q('2/3')]))).toEqual(['1/4', '9', '4/9']);
  });

  test('maxQ and minQ of a list whose extremes are in the middle', () => {
    const xs = [q(1), q(3), q('-1/2'), q(2)];
    expect(toRationalString(maxQ(xs))).toBe('3');
    expect(toRationalString(minQ(xs))).toBe('-1/2');
    expect(toRationalString(maxQ([q(5), q(1), q(2)]))).toBe('5');
    expect(toRationalString(minQ([q(-5), q(1), q(2)]))).toBe('-5');
    expect(toRationalString(maxQ([q(1), q(2), q(7)]))).toBe('7');
    expect(toRationalString(minQ([q(3), q(2), q(1)]))).toBe('1');
  });

  test('ties: the first of the equal extremes is returned (the element itself)', () => {
    const a = q('1/2');
    const b = q('1/2');
    expect(maxQ([a, b])).toBe(a);
    expect(minQ([a, b])).toBe(a);
    expect(maxQ([q(0), a, b])).toBe(a);
    expect(minQ([q(1), a, b])).toBe(a);
  });
});

// ───────────────────────────────────────── second moment ──────────────────────────────────────────

describe('secondMoment, centeredSecondMoment', () => {
  test('M = [[1, λ̄ᵀ], [λ̄, λ̄λ̄ᵀ + diag σ²]] worked by hand for λ̄ = (1/2, −2), σ = (1, 1/3)', () => {
    expect(strM(secondMoment(['1/2', -2], [1, '1/3']))).toEqual([
      ['1', '1/2', '-2'],
      ['1/2', '5/4', '-1'],
      ['-2', '-1', '37/9'],
    ]);
  });

  test('h = 1 and h = 3', () => {
    expect(strM(secondMoment([3], ['1/2']))).toEqual([
      ['1', '3'],
      ['3', '37/4'],
    ]);
    expect(strM(secondMoment([1, 0, -1], [2, 1, '1/2']))).toEqual([
      ['1', '1', '0', '-1'],
      ['1', '5', '0', '-1'],
      ['0', '0', '1', '0'],
      ['-1', '-1', '0', '5/4'],
    ]);
  });

  test('M_c = diag(1, σ²)', () => {
    expect(strM(centeredSecondMoment(['1/2', 3]))).toEqual([
      ['1', '0', '0'],
      ['0', '1/4', '0'],
      ['0', '0', '9'],
    ]);
    expectThrows(() => centeredSecondMoment([1, 0]), InvalidArgumentError, 'sigma[1]', SIGMA_POS(1, '0'));
  });

  test('errors come from parseHyper', () => {
    expectThrows(() => secondMoment([1], [0]), InvalidArgumentError, 'sigma[0]', SIGMA_POS(0, '0'));
    expectThrows(() => secondMoment([1, 2], [1]), ShapeMismatchError, 'sigma', 'sigma: expected shape a vector of length 2 (the length of lambdaBar), got length 1');
  });
});

describe('sampleSecondMoment, parseSamples', () => {
  test('M̂ = Σ w_s (1, λ̃_s)(1, λ̃_s)ᵀ worked by hand (signed weights)', () => {
    // a = (1, 1, 2), (1, −1, 0), (1, 3, 1/2); w = 1/2, 1/4, −1.
    expect(strM(sampleSecondMoment([[1, 2], [-1, 0], [3, '1/2']], ['1/2', '1/4', -1]))).toEqual([
      ['-1/4', '-11/4', '1/2'],
      ['-11/4', '-33/4', '-1/2'],
      ['1/2', '-1/2', '7/4'],
    ]);
    expect(strM(sampleSecondMoment([[2]], [3]))).toEqual([
      ['3', '6'],
      ['6', '12'],
    ]);
  });

  test('parseSamples returns the parsed samples and weights', () => {
    const p = parseSamples([[1, '1/2'], [0, -1]], ['1/3', 2]);
    expect(p.lambdas.map(str)).toEqual([
      ['1', '1/2'],
      ['0', '-1'],
    ]);
    expect(str(p.w)).toEqual(['1/3', '2']);
  });

  test('no samples: ShapeMismatchError naming `samples`', () => {
    const msg = 'samples: expected shape at least one sample, got none';
    expectThrows(() => sampleSecondMoment([], []), ShapeMismatchError, 'samples', msg);
    expectThrows(() => sampleSecondMoment(notArray(5), []), ShapeMismatchError, 'samples', msg);
    expectThrows(() => parseSamples(notArray('ab'), [1, 2]), ShapeMismatchError, 'samples', msg);
  });

  test('weights not an array or of another length: ShapeMismatchError naming `weights`', () => {
    expectThrows(() => sampleSecondMoment([[1], [2]], [1]), ShapeMismatchError, 'weights', 'weights: expected shape 2 weights (one per sample), got 1');
    expectThrows(() => sampleSecondMoment([[1]], [1, 2]), ShapeMismatchError, 'weights', 'weights: expected shape 1 weights (one per sample), got 2');
    expectThrows(() => sampleSecondMoment([[1], [2]], notArray('ab')), ShapeMismatchError, 'weights', 'weights: expected shape 2 weights (one per sample), got string');
  });

  test('a sample of another length or not an array: ShapeMismatchError naming samples[s]', () => {
    expectThrows(() => sampleSecondMoment([[1, 2], [1]], [1, 1]), ShapeMismatchError, 'samples[1]', 'samples[1]: expected shape length 2, got length 1');
    expectThrows(() => sampleSecondMoment([[1, 2], [1, 2, 3]], [1, 1]), ShapeMismatchError, 'samples[1]', 'samples[1]: expected shape length 2, got length 3');
    expectThrows(() => sampleSecondMoment([[1, 2], notArray('ab')], [1, 1]), ShapeMismatchError, 'samples[1]', 'samples[1]: expected shape length 2, got string');
  });

  test('entries are parsed under the names samples[s][k] and weights[s]', () => {
    expectThrows(() => sampleSecondMoment([[1, 2], [1, 'x']], [1, 1]), ParseError, 'samples[1][1]', PARSE('samples[1][1]', 'x'));
    expectThrows(() => sampleSecondMoment([[1], [2]], [1, 'y']), ParseError, 'weights[1]', PARSE('weights[1]', 'y'));
  });
});

describe('hypernetworkInputs', () => {
  test('uncentered λ̃ = λ₀ + ε, centered λ̃ = ε', () => {
    const eps = [[1, -1], ['1/4', 0]];
    expect(hypernetworkInputs(['1/2', 2], eps, 'uncentered').map(str)).toEqual([
      ['3/2', '1'],
      ['3/4', '2'],
    ]);
    expect(hypernetworkInputs(['1/2', 2], eps, 'centered').map(str)).toEqual([
      ['1', '-1'],
      ['1/4', '0'],
    ]);
  });

  test('a perturbation of another length: ShapeMismatchError naming perturbations[s]; bad entries named', () => {
    expectThrows(() => hypernetworkInputs([0, 1], [[1, 2], [1]], 'uncentered'), ShapeMismatchError, 'perturbations[1]', 'perturbations[1]: expected shape length 2, got length 1');
    expectThrows(() => hypernetworkInputs([0], [[1], [1, 2]], 'centered'), ShapeMismatchError, 'perturbations[1]', 'perturbations[1]: expected shape length 1, got length 2');
    expectThrows(() => hypernetworkInputs([0, 1], [[1, 2], [1, 'z']], 'centered'), ParseError, 'perturbations[1][1]', PARSE('perturbations[1][1]', 'z'));
    expectThrows(() => hypernetworkInputs(['q'], [[1]], 'centered'), ParseError, 'lambda0[0]', PARSE('lambda0[0]', 'q'));
  });
});

// ───────────────────────────────────────── Gauss–Newton ───────────────────────────────────────────

/** J_f (3×2) with a zero entry, H_ℓ (3×3) PSD and singular (eigenvalues 1, 3, 0): G_w = JᵀHJ = [[2, 6], [6, 8]] by hand. */
const JF = [[1, 0], [0, 2], [3, -1]];
const HL = [[2, 1, 0], [1, 2, 0], [0, 0, 0]];

describe('gaussNewton, parseFactor', () => {
  test('G_w = J_fᵀ H_ℓ J_f worked by hand', () => {
    // HJ = [[2, 2], [1, 4], [0, 0]]; (JᵀHJ)_00 = 1·2 + 0·1 + 3·0 = 2, _01 = 1·2 + 0·4 + 3·0 = 2, _11 = 0·2 + 2·4 − 1·0 = 8.
    expect(strM(gaussNewton(JF, HL))).toEqual([
      ['2', '2'],
      ['2', '8'],
    ]);
    expect(strM(gaussNewton([[1, 2], [0, 1], [3, -1]], [[2, 1, 0], [1, 2, 0], [0, 0, 1]]))).toEqual([
      ['11', '2'],
      ['2', '15'],
    ]);
    expect(strM(gaussNewton([['1/2', 1]], [[4]]))).toEqual([
      ['1', '2'],
      ['2', '4'],
    ]);
  });

  test('parseFactor returns J_f and H_ℓ parsed', () => {
    const { jf, hl } = parseFactor([[1, '1/2']], [['2']]);
    expect(strM(jf)).toEqual([['1', '1/2']]);
    expect(strM(hl)).toEqual([['2']]);
  });

  test('matrix parsing errors name outputJacobian / lossHessian', () => {
    expectThrows(() => gaussNewton([], [[1]]), ShapeMismatchError, 'outputJacobian', 'outputJacobian: expected shape a non-empty array of rows, got an empty array');
    expectThrows(() => gaussNewton([[1, 'w']], [[1]]), ParseError, 'outputJacobian[0][1]', PARSE('outputJacobian[0][1]', 'w'));
    expectThrows(() => gaussNewton([[1]], []), ShapeMismatchError, 'lossHessian', 'lossHessian: expected shape a non-empty array of rows, got an empty array');
    expectThrows(() => gaussNewton([[1]], [['v']]), ParseError, 'lossHessian[0][0]', PARSE('lossHessian[0][0]', 'v'));
  });

  test('H_ℓ of the wrong shape: rows, columns, both', () => {
    const J3 = [[1], [2], [3]];
    expectThrows(() => gaussNewton(J3, [[1, 0, 0], [0, 1, 0]]), ShapeMismatchError, 'lossHessian', 'lossHessian: expected shape 3×3 (n = rows of outputJacobian), got 2×3');
    expectThrows(() => gaussNewton(J3, [[1, 0], [0, 1], [0, 0]]), ShapeMismatchError, 'lossHessian', 'lossHessian: expected shape 3×3 (n = rows of outputJacobian), got 3×2');
    expectThrows(() => gaussNewton(J3, [[1, 0], [0, 1]]), ShapeMismatchError, 'lossHessian', 'lossHessian: expected shape 3×3 (n = rows of outputJacobian), got 2×2');
  });

  test('H_ℓ not symmetric, or with a negative eigenvalue; PSD singular is accepted', () => {
    expectThrows(() => gaussNewton([[1], [1]], [[1, 2], [0, 1]]), NotSymmetricError, 'lossHessian', 'lossHessian: expected a symmetric matrix');
    expectThrows(
      () => gaussNewton([[1], [1]], [[1, 2], [2, 1]]),
      NotPositiveDefiniteError,
      'lossHessian',
      'lossHessian: expected a symmetric positive definite matrix (positive semidefinite required: it has a negative eigenvalue)',
    );
    expectThrows(() => gaussNewton([[1]], [[-1]]), NotPositiveDefiniteError, 'lossHessian', 'lossHessian: expected a symmetric positive definite matrix (positive semidefinite required: it has a negative eigenvalue)');
    expect(strM(gaussNewton([[1], [1]], [[1, 1], [1, 1]]))).toEqual([['4']]);
    expect(strM(gaussNewton([[2]], [[0]]))).toEqual([['0']]);
  });
});

describe('vecIndex, sampleJacobian', () => {
  test('column-major positions: entry (i, j) of an m×c matrix at i + j·m', () => {
    expect(vecIndex(2, 3)).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ]);
    expect(vecIndex(3, 1)).toEqual([[0], [1], [2]]);
  });

  test('J_s = J_f((1, λ̃ᵀ) ⊗ I_m) equals J_f times the Kronecker factor, worked by hand', () => {
    // m = 2, λ̃ = (2, 0, −1/2): columns (w₀ | θ₁ | θ₂ | θ₃) = (J | 2J | 0 | −J/2).
    expect(strM(sampleJacobian(qM(JF), [q(2), q(0), q('-1/2')]))).toEqual([
      ['1', '0', '2', '0', '0', '0', '-1/2', '0'],
      ['0', '2', '0', '4', '0', '0', '0', '-1'],
      ['3', '-1', '6', '-2', '0', '0', '-3/2', '1/2'],
    ]);
    expect(strM(sampleJacobian(qM([[5]]), []))).toEqual([['5']]);
  });
});

describe('gaussNewtonFromSamples: G_ψ = Σ w_s J_sᵀ H J_s', () => {
  test('hand-checked: n = m = h = 1, J = 2, H = 3, λ̃ = 5, w = 1/2 gives (1/2)(1, 5)(1, 5)ᵀ ⊗ 12', () => {
    expect(strM(gaussNewtonFromSamples([[2]], [[3]], [[5]], ['1/2']))).toEqual([
      ['6', '30'],
      ['30', '150'],
    ]);
  });

  test('equals M̂ ⊗ G_w (proof step 2) with zeros in J_f, λ̃ and H_ℓ, a zero weight and a negative one', () => {
    const inputs = [[1, 0], ['-1/2', 2], [3, 1], [0, 0]];
    const weights = ['1/2', 0, '-1/4', 2];
    const got = gaussNewtonFromSamples(JF, HL, inputs, weights);
    // M̂ by hand: a = (1, 1, 0) weighted 1/2, (1, 3, 1) weighted −1/4, (1, 0, 0) weighted 2 (the zero-weight sample drops out).
    const mHat = qM([
      ['9/4', '-1/4', '-1/4'],
      ['-1/4', '-7/4', '-3/4'],
      ['-1/4', '-3/4', '-1/4'],
    ]);
    expect(strM(got)).toEqual(strM(kronQ(mHat, qM([[2, 2], [2, 8]]))));
    expect(strM(got)).toEqual(strM(kronQ(sampleSecondMoment(inputs, weights), gaussNewton(JF, HL))));
  });

  test('a lone sample with weight 0 gives the zero matrix; an all-zero input gives 1 ⊗ G_w in the w₀ block', () => {
    expect(strM(gaussNewtonFromSamples(JF, HL, [[1]], [0]))).toEqual([
      ['0', '0', '0', '0'],
      ['0', '0', '0', '0'],
      ['0', '0', '0', '0'],
      ['0', '0', '0', '0'],
    ]);
    expect(strM(gaussNewtonFromSamples(JF, HL, [[0]], [1]))).toEqual([
      ['2', '2', '0', '0'],
      ['2', '8', '0', '0'],
      ['0', '0', '0', '0'],
      ['0', '0', '0', '0'],
    ]);
  });

  test('refusals come from parseFactor and parseSamples', () => {
    expectThrows(() => gaussNewtonFromSamples([[1]], [[-1]], [[1]], [1]), NotPositiveDefiniteError, 'lossHessian', 'lossHessian: expected a symmetric positive definite matrix (positive semidefinite required: it has a negative eigenvalue)');
    expectThrows(() => gaussNewtonFromSamples([[1]], [[1]], [[1]], [1, 2]), ShapeMismatchError, 'weights', 'weights: expected shape 1 weights (one per sample), got 2');
  });
});

describe('gaussNewtonFromSamplesFloat: the float64 twin', () => {
  test('on dyadic data it equals the exact assembly to the last bit', () => {
    const inputs = [[1, 0], [-0.5, 2], [3, 1], [0, 0]];
    const weights = [0.5, 0, -0.25, 2];
    const exact = num(gaussNewtonFromSamples(JF, HL, inputs, weights));
    expect(gaussNewtonFromSamplesFloat(JF, HL, inputs, weights)).toEqual(exact);
    expect(gaussNewtonFromSamplesFloat([[2]], [[3]], [[5]], [0.5])).toEqual([
      [6, 30],
      [30, 150],
    ]);
    // A full H_ℓ and λ̃ away from ±1, so that a division anywhere shows.
    const h2 = [[2, 1, 0], [1, 2, 0], [0, 0, 1]];
    const j2 = [[1, 2], [0, 1], [3, -1]];
    expect(gaussNewtonFromSamplesFloat(j2, h2, [[4, -2]], [0.5])).toEqual(num(gaussNewtonFromSamples(j2, h2, [[4, -2]], ['1/2'])));
  });

  test('shape refusals name lossHessian and weights', () => {
    expectThrows(() => gaussNewtonFromSamplesFloat([[1], [2]], [[1]], [[1]], [1]), ShapeMismatchError, 'lossHessian', 'lossHessian: expected shape 2×2, got 1 rows');
    expectThrows(() => gaussNewtonFromSamplesFloat([[1]], [[1]], [[1], [2]], [1]), ShapeMismatchError, 'weights', 'weights: expected shape 2 weights, got 1');
  });
});

describe('expectedGaussNewton, expectedGaussNewtonQuadrature: E_ε G_ψ = M ⊗ G_w (proof step 3)', () => {
  const J = [[1, 2], [0, 1]];
  const H = [[1, 0], [0, 2]];
  const G = [[1, 2], [2, 6]];

  test('exact cubature: uncentered M(λ₀, σ) ⊗ G_w, centered diag(1, σ²) ⊗ G_w', () => {
    const mu = qM([
      ['1', '1/2', '-1'],
      ['1/2', '5/4', '-1/2'],
      ['-1', '-1/2', '5/4'],
    ]);
    const mc = qM([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, '1/4'],
    ]);
    expect(strM(expectedGaussNewton(J, H, ['1/2', -1], [1, '1/2'], 'uncentered'))).toEqual(strM(kronQ(mu, qM(G))));
    expect(strM(expectedGaussNewton(J, H, ['1/2', -1], [1, '1/2'], 'centered'))).toEqual(strM(kronQ(mc, qM(G))));
    expectThrows(() => expectedGaussNewton(J, H, [0], [0], 'centered'), InvalidArgumentError, 'sigma[0]', SIGMA_POS(0, '0'));
  });

  test('float64 Gauss–Hermite agrees to rounding, with the default 3 nodes and with 2', () => {
    for (const par of ['uncentered', 'centered'] as const) {
      const exact = num(expectedGaussNewton(J, H, ['1/2', -1], [1, '1/2'], par));
      expectClose(expectedGaussNewtonQuadrature(J, H, [0.5, -1], [1, 0.5], par), exact, 1e-13);
      expectClose(expectedGaussNewtonQuadrature(J, H, [0.5, -1], [1, 0.5], par, 2), exact, 1e-13);
    }
    // h = 1, λ₀ = 3, σ = 1/2: M = [[1, 3], [3, 37/4]] ⊗ G_w.
    expectClose(expectedGaussNewtonQuadrature([[2]], [[1]], [3], [0.5], 'uncentered'), [[4, 12], [12, 37]], 1e-13);
  });
});

describe('centeredBlockDiagonal: blockdiag(G_w, Σ ⊗ G_w)', () => {
  test('worked by hand for G = [[2, 1], [1, 3]], σ = (1/2, 3), and equal to M_c ⊗ G', () => {
    const G = qM([[2, 1], [1, 3]]);
    const got = centeredBlockDiagonal(G, ['1/2', 3]);
    expect(strM(got)).toEqual([
      ['2', '1', '0', '0', '0', '0'],
      ['1', '3', '0', '0', '0', '0'],
      ['0', '0', '1/2', '1/4', '0', '0'],
      ['0', '0', '1/4', '3/4', '0', '0'],
      ['0', '0', '0', '0', '18', '9'],
      ['0', '0', '0', '0', '9', '27'],
    ]);
    expect(strM(got)).toEqual(strM(kronQ(centeredSecondMoment(['1/2', 3]), G)));
    expect(strM(centeredBlockDiagonal(qM([[5]]), [2]))).toEqual([
      ['5', '0'],
      ['0', '20'],
    ]);
  });

  test('σ is checked by parseHyper', () => {
    expectThrows(() => centeredBlockDiagonal(qM([[1]]), [1, '-2']), InvalidArgumentError, 'sigma[1]', SIGMA_POS(1, '-2'));
  });
});

// ──────────────────────────────────── Proposition C (exact) ───────────────────────────────────────

/**
 * Cases with their inertias worked by hand ((+, −, 0) of M − tI): each is a row of
 * [λ̄, σ, a, b, λ_max(M_u) = a, λ_min(M_u) = b].
 * C1 λ̄ = 0, σ = 2: M = diag(1, 4): a = 4, b = 1 each an eigenvalue of multiplicity 1.
 * C2 λ̄ = σ = 1: M_u = [[1, 1], [1, 2]], eigenvalues (3 ± √5)/2 on either side of a = b = 1; M_c = I (a double).
 * C3 Σ = diag(0.01, 1, 100), λ̄ = (0, 0.1, 0) (docs/math.md#s0-1): equality, a = 100 and b = 1/100 simple.
 * C4 λ̄ = (1, 0), σ = (2, 2): the block [[1, 1], [1, 5]] has 3 ± √5, so M_u − 4I is (+1, −1, 0×1).
 * C5 λ̄ = (1, 0), σ = (1/2, 1/2): the block [[1, 1], [1, 5/4]] has 0.117… < 1/4, so M_u − I/4 is (+1, −1, 0×1).
 * C6 λ̄ = (3/2, 0), σ = (1, 2): the block [[1, 3/2], [3/2, 13/4]] has trace 17/4, det 1: eigenvalues 4 and 1/4,
 *    so λ_max = a = 4 (twice) and the criterion's sum is exactly 1.
 * C7 λ̄ = (0, 3/2), σ = (1/2, 1): the same block, so λ_min = b = 1/4 (twice); the criterion's sum exactly 1.
 * C8 λ̄ = (3, 0), σ = (1, 2): the block [[1, 3], [3, 10]] has 11/2 ± √(85)/2 ≈ 10.1 > 4 and 0.1 < 1.
 * C9 λ̄ = (1, 0), σ = (1/2, 2): λ_max = 4 (the block [[1, 1], [1, 5/4]] stays below), λ_min < 1/4.
 */
const CASES: [string, RationalLike[], RationalLike[], string, string, boolean, boolean][] = [
  ['C1', [0], [2], '4', '1', true, true],
  ['C2', [1], [1], '1', '1', false, false],
  ['C3', [0, '1/10', 0], ['1/10', 1, 10], '100', '1/100', true, true],
  ['C4', [1, 0], [2, 2], '4', '1', false, false],
  ['C5', [1, 0], ['1/2', '1/2'], '1', '1/4', false, false],
  ['C6', ['3/2', 0], [1, 2], '4', '1', true, false],
  ['C7', [0, '3/2'], ['1/2', 1], '1', '1/4', false, true],
  ['C8', [3, 0], [1, 2], '4', '1', false, false],
  ['C9', [1, 0], ['1/2', 2], '4', '1/4', true, false],
];

describe('compareCentering: Proposition C by inertia counts', () => {
  test.each(CASES)('%s: every field', (_, lb, s, a, b, maxEq, minEq) => {
    const r = compareCentering(lb, s);
    expect({ ...r, a: toRationalString(r.a), b: toRationalString(r.b), kappaCentered: toRationalString(r.kappaCentered) }).toEqual({
      a,
      b,
      kappaCentered: toRationalString(q(a).div(q(b))),
      centeredSpectrumVerified: true,
      uncenteredPositiveDefinite: true,
      lambdaMaxAtLeastA: true,
      lambdaMinAtMostB: true,
      lambdaMaxEqualsA: maxEq,
      lambdaMinEqualsB: minEq,
      relation: maxEq && minEq ? 'equal' : 'greater',
    });
  });

  test('refusals come from parseHyper', () => {
    expectThrows(() => compareCentering([1, 2], [1, 0]), InvalidArgumentError, 'sigma[1]', SIGMA_POS(1, '0'));
    expectThrows(() => compareCentering([], []), ShapeMismatchError, 'lambdaBar', 'lambdaBar: expected shape a vector of length h ≥ 1, got length 0');
  });
});

describe('centeringEqualityCriterion: the closed form agrees with the inertia counts', () => {
  test.each(CASES)('%s: maxSide, minSide, equal', (_, lb, s, _a, _b, maxEq, minEq) => {
    expect(centeringEqualityCriterion(lb, s)).toEqual({ maxSide: maxEq, minSide: minEq, equal: maxEq && minEq });
  });

  test('λ̄ = 0 is equality whatever σ (a = 1 or b = 1 included)', () => {
    expect(centeringEqualityCriterion([0], [1])).toEqual({ maxSide: true, minSide: true, equal: true });
    expect(centeringEqualityCriterion([0, 0], ['1/2', 3])).toEqual({ maxSide: true, minSide: true, equal: true });
  });

  test('λ̄ ≠ 0 with a = 1 (σ ≤ 1) or b = 1 (σ ≥ 1): that side fails at once', () => {
    expect(centeringEqualityCriterion([1], ['1/2'])).toEqual({ maxSide: false, minSide: false, equal: false });
    expect(centeringEqualityCriterion([1], [2])).toEqual({ maxSide: false, minSide: false, equal: false });
    expect(centeringEqualityCriterion([0, 1], [1, 1])).toEqual({ maxSide: false, minSide: false, equal: false });
  });

  test('just past the boundary: λ̄ = (3/2 + 1/1000, 0) breaks the max side, (0, 3/2 + 1/1000) the min side', () => {
    expect(centeringEqualityCriterion(['1501/1000', 0], [1, 2])).toEqual({ maxSide: false, minSide: false, equal: false });
    expect(centeringEqualityCriterion([0, '1501/1000'], ['1/2', 1])).toEqual({ maxSide: false, minSide: false, equal: false });
    expect(centeringEqualityCriterion(['1499/1000', 0], [1, 2]).maxSide).toBe(true);
    expect(centeringEqualityCriterion([0, '1499/1000'], ['1/2', 1]).minSide).toBe(true);
  });

  test('refusals come from parseHyper', () => {
    expectThrows(() => centeringEqualityCriterion([1], [0]), InvalidArgumentError, 'sigma[0]', SIGMA_POS(0, '0'));
  });
});

// ──────────────────────────────────────────── h = 1 ───────────────────────────────────────────────

/** κ from the exact invariant S = κ + 1/κ = T²/σ² − 2: κ = (S + √(S² − 4))/2 (no cancellation for S ≥ 2). */
function kappaFromInvariant(lb: number, s: number): number {
  const t = 1 + lb * lb + s * s;
  const S = (t * t) / (s * s) - 2;
  return (S + Math.sqrt(S * S - 4)) / 2;
}

describe('scalarConditionNumber and scalarKappaInvariant (h = 1)', () => {
  test('exact values: κ = 1 at λ̄ = 0, σ = 1; κ = σ² (or 1/σ²) at λ̄ = 0', () => {
    expect(scalarConditionNumber(0, 1)).toBe(1);
    expect(scalarConditionNumber(0, 2)).toBe(4);
    expect(scalarConditionNumber(0, 0.5)).toBe(4);
  });

  test('agrees with the invariant κ + 1/κ = T²/σ² − 2 at several (λ̄, σ), even in λ̄', () => {
    for (const [lb, s] of [[2, 0.5], [-2, 0.5], [1, 1], [0.75, 3], [3, 1], [0.5, 2]]) {
      const k = scalarConditionNumber(lb, s);
      expect(Math.abs(k / kappaFromInvariant(lb, s) - 1)).toBeLessThanOrEqual(1e-13);
    }
    // λ̄ = σ = 1: κ = (3 + √5)/(3 − √5) = (7 + 3√5)/2.
    expect(Math.abs(scalarConditionNumber(1, 1) / ((7 + 3 * Math.sqrt(5)) / 2) - 1)).toBeLessThanOrEqual(4 * EPS);
  });

  test('invalid λ̄ and σ: InvalidArgumentError with exact messages', () => {
    for (const lb of [NaN, Infinity, -Infinity]) {
      expectThrows(() => scalarConditionNumber(lb, 1), InvalidArgumentError, 'lambdaBar', `lambdaBar: expected a finite number, got ${String(lb)}`);
    }
    for (const s of [0, -1, NaN, Infinity, -Infinity]) {
      expectThrows(() => scalarConditionNumber(0, s), InvalidArgumentError, 'sigma', `sigma: expected a finite scale σ > 0, got ${String(s)}`);
    }
    expect(scalarConditionNumber(0, Number.MIN_VALUE * 2 ** 600)).toBeGreaterThan(1);
  });

  test('scalarKappaInvariant = T²/σ² − 2 exactly: λ̄ = 1/2, σ = 1/3 gives 2113/144', () => {
    // T = 1 + 1/4 + 1/9 = 49/36, T²/σ² = 2401/144.
    expect(toRationalString(scalarKappaInvariant('1/2', '1/3'))).toBe('2113/144');
    expect(toRationalString(scalarKappaInvariant(0, 1))).toBe('2');
    expectThrows(() => scalarKappaInvariant(1, 0), InvalidArgumentError, 'sigma[0]', SIGMA_POS(0, '0'));
  });
});

// ─────────────────────────────────────── gradient descent ─────────────────────────────────────────

/**
 * H = diag(16, 4), c = (16, 8): ψ* = (1, 2) (its Cholesky factor diag(4, 2) is exact in float64), λ_max = 16,
 * I − H/16 = diag(0, 3/4); from ψ₀ = (1, 0) the error is 2·(3/4)^k, dyadic, so float64 carries it exactly.
 */
const H16 = [[16, 0], [0, 4]];
const C16 = [16, 8];

describe('gradientDescentTrace', () => {
  test('diagonal H: errors 2·(3/4)^k exactly, κ = 4, contraction 3/4; stopAt hit exactly at k = 2', () => {
    expect(gradientDescentTrace(H16, C16, [1, 0], 4, 0.5625)).toEqual({
      errors: [2, 1.5, 1.125, 0.84375, 0.6328125],
      kappa: 4,
      contraction: 0.75,
      iterationsToTolerance: 2,
    });
  });

  test('iterationsToTolerance: −1 when never reached, the first k only, and 0 from ψ* itself', () => {
    expect(gradientDescentTrace(H16, C16, [1, 0], 4, 0.25).iterationsToTolerance).toBe(-1);
    expect(gradientDescentTrace(H16, C16, [1, 0], 6, 0.75).iterationsToTolerance).toBe(1);
    const atStar = gradientDescentTrace(H16, C16, [1, 2], 3);
    expect(atStar.errors).toEqual([0, 0, 0, 0]);
    expect(atStar.iterationsToTolerance).toBe(0);
    expect(gradientDescentTrace(H16, C16, [1, 2], 0).iterationsToTolerance).toBe(0);
  });

  test('steps = 0 is allowed; the default stopAt is 1e-8 (2·(3/4)^k ≤ 2e-8 first at k = 65)', () => {
    expect(gradientDescentTrace(H16, C16, [1, 0], 0)).toEqual({ errors: [2], kappa: 4, contraction: 0.75, iterationsToTolerance: -1 });
    const long = gradientDescentTrace(H16, C16, [1, 0], 70);
    expect(long.errors).toHaveLength(71);
    expect(long.iterationsToTolerance).toBe(65);
  });

  test('a full H = [[2, 1], [1, 2]]: κ = 3, contraction 2/3, ‖e₁‖ = √2/3 from ψ₀ = (1, 0), ψ* = (1, 1)', () => {
    const r = gradientDescentTrace([[2, 1], [1, 2]], [3, 3], [1, 0], 2);
    expect(r.kappa).toBeCloseTo(3, 14);
    expect(r.contraction).toBeCloseTo(2 / 3, 14);
    expect(r.errors[0]).toBeCloseTo(1, 14);
    expect(r.errors[1]).toBeCloseTo(Math.SQRT2 / 3, 14);
    expect(r.errors[2]).toBeCloseTo((2 * Math.SQRT2) / 9, 14);
  });

  test('refusals: c, psi0, steps, H not positive definite', () => {
    expectThrows(() => gradientDescentTrace(H16, [1], [0, 0], 1), ShapeMismatchError, 'c', 'c: expected shape length 2, got length 1');
    expectThrows(() => gradientDescentTrace(H16, C16, [0, 0, 0], 1), ShapeMismatchError, 'psi0', 'psi0: expected shape length 2, got length 3');
    expectThrows(() => gradientDescentTrace(H16, C16, [0, 0], -1), InvalidArgumentError, 'steps', 'steps: expected an integer ≥ 0, got -1');
    expectThrows(() => gradientDescentTrace(H16, C16, [0, 0], 1.5), InvalidArgumentError, 'steps', 'steps: expected an integer ≥ 0, got 1.5');
    expectThrows(() => gradientDescentTrace(H16, C16, [0, 0], NaN), InvalidArgumentError, 'steps', 'steps: expected an integer ≥ 0, got NaN');
    expectThrows(() => gradientDescentTrace([[1, 0], [0, -1]], [1, 1], [0, 0], 1), NotPositiveDefiniteError, 'hessian', 'hessian: expected a symmetric positive definite matrix (smallest eigenvalue -1)');
    expectThrows(() => gradientDescentTrace([[1, 0], [0, 0]], [1, 1], [0, 0], 1), NotPositiveDefiniteError, 'hessian', 'hessian: expected a symmetric positive definite matrix (smallest eigenvalue 0)');
  });

  test('an exactly singular H that Jacobi rounds to λ_min ≈ 3.9e-16 > 0: the Cholesky solve refuses it, naming `hessian`', () => {
    // det [[25, 5, −10], [5, 10, −5], [−10, −5, 5]] = 25·25 − 5·(−25) − 10·75 = 0 (found by a scan of small integer Gram matrices).
    expectThrows(
      () => gradientDescentTrace([[25, 5, -10], [5, 10, -5], [-10, -5, 5]], [1, 1, 1], [0, 0, 0], 1),
      NotPositiveDefiniteError,
      'hessian',
      'hessian: expected a symmetric positive definite matrix (Cholesky factorisation failed)',
    );
  });
});

// ───────────────────────────────────── float64 κ: its tolerance ───────────────────────────────────

describe('scaledConditionNumber, jacobiKappaRelTol', () => {
  test('κ(D^{-1/2} A D^{-1/2}): A = [[4, 2], [2, 9]] gives H = [[1, 1/3], [1/3, 1]], κ = 2', () => {
    expect(Math.abs(scaledConditionNumber([[4, 2], [2, 9]]) / 2 - 1)).toBeLessThanOrEqual(4 * EPS);
    // A diagonal A scales to the identity, whatever its κ(A).
    expect(scaledConditionNumber([[1, 0], [0, 1e6]])).toBe(1);
  });

  test('jacobiKappaRelTol = eigenRelTol(n, scaled κ) = 16·n·ε·κ(H)', () => {
    expect(jacobiKappaRelTol([[1, 0], [0, 1e6]])).toBe(32 * EPS);
    expect(Math.abs(jacobiKappaRelTol([[4, 2], [2, 9]]) / (64 * EPS) - 1)).toBeLessThanOrEqual(4 * EPS);
  });

  test('a diagonal entry not positive: NotPositiveDefiniteError naming `a` (default) or the given name', () => {
    const msg = (name: string, i: number, v: string): string => `${name}: expected a symmetric positive definite matrix (diagonal entry ${i} is ${v})`;
    expectThrows(() => scaledConditionNumber([[0, 0], [0, 1]]), NotPositiveDefiniteError, 'a', msg('a', 0, '0'));
    expectThrows(() => scaledConditionNumber([[1, 0], [0, -2]], 'G'), NotPositiveDefiniteError, 'G', msg('G', 1, '-2'));
    expectThrows(() => scaledConditionNumber([[NaN, 0], [0, 1]]), NotPositiveDefiniteError, 'a', msg('a', 0, 'NaN'));
    expectThrows(() => jacobiKappaRelTol([[0, 0], [0, 1]]), NotPositiveDefiniteError, 'a', msg('a', 0, '0'));
    expectThrows(() => jacobiKappaRelTol([[1, 0], [0, 0]], 'M'), NotPositiveDefiniteError, 'M', msg('M', 1, '0'));
  });

  test('positive diagonal but indefinite: the Jacobi check names the matrix', () => {
    expectThrows(() => scaledConditionNumber([[1, 2], [2, 1]], 'G'), NotPositiveDefiniteError, 'G', 'G: expected a symmetric positive definite matrix (smallest eigenvalue -1)');
    expectThrows(() => jacobiKappaRelTol([[1, 2], [2, 1]]), NotPositiveDefiniteError, 'a', 'a: expected a symmetric positive definite matrix (smallest eigenvalue -1)');
  });
});
