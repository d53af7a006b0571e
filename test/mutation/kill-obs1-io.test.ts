/**
 * Killing tests for src/theory/obs1/io.ts (`conditioningReport`, `deltastn theory conditioning`; README, "Mutation
 * testing"). Each refusal is pinned to its class, its argument and its exact message, and the refusals are checked in
 * the order the routine promises (docs/math.md#s4-1): the input's shape, then G exactly symmetric, then G ≻ 0 by exact
 * inertia, and only then λ̄ and σ. The float64 condition numbers name the matrix whose Jacobi eigenvalues were not all
 * positive; exact rational inputs that are positive definite but round to a singular float64 matrix reach each of the
 * five names (found by a scan of λ̄ = k/1000: k = 9 is the first that reaches the centered ones).
 */
import { describe, expect, test } from 'vitest';
import { DeltaStnError, InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../src/errors.js';
import { conditioningReport, type ConditioningInput } from '../../src/theory/obs1/io.js';

function thrown(f: () => unknown): DeltaStnError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DeltaStnError);
    return e as DeltaStnError;
  }
  throw new Error('expected a throw');
}

const report = conditioningReport as (input: unknown) => ReturnType<typeof conditioningReport>;
/** σ = 10^-k as an exact rational string: σ² is far below float64's smallest normal number for k ≥ 160. */
const tenToMinus = (k: number): string => `1/${10n ** BigInt(k)}`;

describe('conditioningReport: refusals, in order, with exact messages', () => {
  test('input that is not an object (null, a number, a string): InvalidArgumentError naming `input`', () => {
    for (const [input, shown] of [[null, 'null'], [5, '5'], ['x', '"x"']] as const) {
      const e = thrown(() => report(input));
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.argument).toBe('input');
      expect(e.message).toBe(`input: expected an object { G, lambdaBar, sigma }, got ${shown}`);
    }
  });

  test('G not a matrix of rationals: the parser names G and the entry', () => {
    const notRows = thrown(() => report({ G: [], lambdaBar: [0], sigma: [1] }));
    expect(notRows).toBeInstanceOf(ShapeMismatchError);
    expect(notRows.message).toBe('G: expected shape a non-empty array of rows, got an empty array');
    expect(thrown(() => report({ G: [[1, 'x']], lambdaBar: [0], sigma: [1] })).argument).toBe('G[0][1]');
  });

  test('G not square: ShapeMismatchError naming G and its shape', () => {
    const e = thrown(() => report({ G: [[1, 2, 3], [2, 1, 3]], lambdaBar: [0], sigma: [1] }));
    expect(e).toBeInstanceOf(ShapeMismatchError);
    expect(e.message).toBe('G: expected shape a square matrix, got 2×3');
  });

  test('G not exactly symmetric: NotSymmetricError, before σ is read', () => {
    for (const sigma of [[1], [-1]]) {
      const e = thrown(() => report({ G: [[1, 2], [3, 1]], lambdaBar: [0], sigma }));
      expect(e).toBeInstanceOf(NotSymmetricError);
      expect(e.message).toBe('G: expected a symmetric matrix (G must equal Gᵀ exactly)');
    }
  });

  test('G indefinite or singular: NotPositiveDefiniteError with its exact inertia, before σ is read', () => {
    const cases: [number[][], string][] = [
      [[[1, 2], [2, 1]], '(+1, −1, 0×0)'],
      [[[1, 1], [1, 1]], '(+1, −0, 0×1)'],
    ];
    for (const [G, inertia] of cases) {
      for (const sigma of [[1], [-1]]) {
        const e = thrown(() => report({ G, lambdaBar: [0], sigma }));
        expect(e).toBeInstanceOf(NotPositiveDefiniteError);
        expect(e.message).toBe(`G: expected a symmetric positive definite matrix (inertia ${inertia})`);
      }
    }
  });
});

describe('conditioningReport: exactly positive definite input that rounds to a singular float64 matrix', () => {
  const cases: [string, ConditioningInput, string][] = [
    // G = [[1, 1], [1, 1 + 2⁻⁶⁰]]: det = 2⁻⁶⁰ > 0 exactly; in float64 G = [[1, 1], [1, 1]].
    ['G', { G: [[1, 1], [1, `${2n ** 60n + 1n}/${2n ** 60n}`]], lambdaBar: [0], sigma: [1] }, 'G'],
    // λ̄ = 0, σ² = 10⁻⁴⁰⁰ rounds to 0: M_u = diag(1, 0) in float64.
    ['M_u', { G: [[1]], lambdaBar: [0], sigma: [tenToMinus(200)] }, 'lambdaBar, sigma (M_u)'],
    // λ̄ = 9/1000, σ² = 10⁻⁴⁰⁰: M_u's rounding leaves a positive Jacobi eigenvalue, M_c = diag(1, 0) does not.
    ['M_c', { G: [[1]], lambdaBar: ['9/1000'], sigma: [tenToMinus(200)] }, 'sigma (M_c)'],
    // σ² = 10⁻³²⁰ (subnormal, > 0) passes alone; M_u ⊗ G with G = 10⁻⁵ has the entry 10⁻³²⁵, which rounds to 0.
    ['M_u ⊗ G', { G: [['1/100000']], lambdaBar: [0], sigma: [tenToMinus(160)] }, 'G, lambdaBar, sigma (M_u ⊗ G)'],
    // As above with λ̄ = 9/1000: M_u ⊗ G keeps a positive rounding eigenvalue, M_c ⊗ G = diag(10⁻⁵, 0) does not.
    ['M_c ⊗ G', { G: [['1/100000']], lambdaBar: ['9/1000'], sigma: [tenToMinus(160)] }, 'G, sigma (M_c ⊗ G)'],
  ];
  test.each(cases)('%s: NotPositiveDefiniteError naming that matrix', (_label, input, argument) => {
    const e = thrown(() => conditioningReport(input));
    expect(e).toBeInstanceOf(NotPositiveDefiniteError);
    expect(e.argument).toBe(argument);
    expect(e.message.startsWith(`${argument}: expected a symmetric positive definite matrix (smallest eigenvalue `)).toBe(true);
  });
});
