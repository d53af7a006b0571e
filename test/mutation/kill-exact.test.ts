/**
 * Killing tests for src/linalg/exact.ts (the linalg mutation run, README "Mutation testing"): the rational-string
 * grammar accepted and refused character by character, every typed error's exact message (design: a typed error names
 * the argument and says what was expected and what came), and the small bigint helpers on their edge cases (signs, 0,
 * powers of two).
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import {
  addQ,
  addVecQ,
  bitLength,
  cayleyTransformQ,
  detQ,
  dotQ,
  equalQ,
  exactFromFloat,
  gcdBig,
  identityQ,
  invQ,
  isSymmetricQ,
  math,
  matVecQ,
  multiplyQ,
  rational,
  rationalMatrix,
  rationalVector,
  ratioToNumber,
  scaleQ,
  SingularMatrixError,
  solveQ,
  subQ,
  subVecQ,
  unvecQ,
  zerosQ,
  type Rational,
} from '../../src/linalg/exact.js';
import { message } from './throws.js';

const q = (n: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(n), BigInt(d));

describe('rational strings: the grammar [+-](digits[.digits]|.digits)[e[+-]digits][/[+-]digits], blanks around', () => {
  test('accepted, with their exact values', () => {
    const cases: [string, Rational][] = [
      ['3', q(3)],
      ['12', q(12)],
      ['  12  ', q(12)],
      ['\t7\n', q(7)],
      ['-12', q(-12)],
      ['+12', q(12)],
      ['12.5', q(25, 2)],
      ['12.', q(12)],
      ['12.25', q(49, 4)],
      ['.5', q(1, 2)],
      ['.25', q(1, 4)],
      ['-.75', q(-3, 4)],
      ['1e3', q(1000)],
      ['12e3', q(12000)],
      ['1E3', q(1000)],
      ['1e+3', q(1000)],
      ['1e-3', q(1, 1000)],
      ['1e12', q(10n ** 12n)],
      ['1.5e-2', q(3, 200)],
      ['2/3', q(2, 3)],
      ['12/34', q(6, 17)],
      ['2 / 3', q(2, 3)],
      ['2  /  3', q(2, 3)],
      ['2/-3', q(-2, 3)],
      ['-2/-3', q(2, 3)],
      ['2/+3', q(2, 3)],
      ['1.5/3', q(1, 2)],
      ['1e10000', q(10n ** 10000n)],
      ['1e-10000', q(1n, 10n ** 10000n)],
    ];
    for (const [s, want] of cases) expect({ s, value: rational(s).toFraction() }).toEqual({ s, value: want.toFraction() });
  });

  test('refused, with the message naming the entry', () => {
    for (const bad of ['', ' ', 'a', '1a', 'a1', '.', '-', '+-1', '--1', '1..2', '1.2.3', 'e3', '1e', '1e+', '1e3.5', '1 2', '1/', '/2', '1/2/3', '1/2.5', '1/a', '1 e3', '0x10', '1_000']) {
      expect(message(() => rational(bad, 'v'), ParseError)).toBe(`v: expected a rational such as "3/7" or "-0.25", got ${JSON.stringify(bad)}`);
    }
    expect(message(() => rational('1/0', 'v'), ParseError)).toBe('v: zero denominator in "1/0"');
    expect(message(() => rational('5/-00', 'v'), ParseError)).toBe('v: zero denominator in "5/-00"');
    expect(message(() => rational('1e10001', 'v'), ParseError)).toBe('v: decimal exponent 10001 outside ±10000');
    expect(message(() => rational('1e-10001', 'v'), ParseError)).toBe('v: decimal exponent -10001 outside ±10000');
    expect(message(() => rational('1/1e10001', 'v'), ParseError)).toBe('v: expected a rational such as "3/7" or "-0.25", got "1/1e10001"');
    expect(message(() => rational({} as never, 'v'), ParseError)).toBe('v: expected a number or a rational string, got object');
    expect(message(() => rational(true as never), ParseError)).toBe('value: expected a number or a rational string, got boolean');
    expect(message(() => rational(Number.NaN), NonFiniteError)).toBe('value: expected a finite number, got NaN');
    expect(message(() => rational(-Infinity, 'w'), NonFiniteError)).toBe('w: expected a finite number, got -Infinity');
  });

  test('numbers, bigints and Fractions', () => {
    expect(rational(7n).equals(q(7))).toBe(true);
    expect(rational(-3n).equals(q(-3))).toBe(true);
    expect(rational(-0.375).equals(q(-3, 8))).toBe(true);
    expect(rational(2 ** 53).equals(q(2n ** 53n))).toBe(true);
    expect(rational(-(2 ** 60)).equals(q(-(2n ** 60n)))).toBe(true);
    expect(rational(Number.MAX_SAFE_INTEGER).equals(q(BigInt(Number.MAX_SAFE_INTEGER)))).toBe(true);
    expect(exactFromFloat(-Number.MIN_VALUE).equals(q(-1n, 2n ** 1074n))).toBe(true);
    expect(message(() => exactFromFloat(Infinity), NonFiniteError)).toBe('x: expected a finite number, got Infinity');
  });
});

describe('exact.ts: shape errors, exact messages', () => {
  test('rationalVector / rationalMatrix', () => {
    expect(message(() => rationalVector('12' as never), ShapeMismatchError)).toBe('vector: expected shape an array, got string');
    expect(message(() => rationalVector([1, 'x']), ParseError)).toBe('vector[1]: expected a rational such as "3/7" or "-0.25", got "x"');
    expect(rationalVector([1, '1/2']).map((x) => x.toFraction())).toEqual(['1', '1/2']);
    expect(message(() => rationalMatrix([]), ShapeMismatchError)).toBe('matrix: expected shape a non-empty array of rows, got an empty array');
    expect(message(() => rationalMatrix('x' as never, 'A'), ShapeMismatchError)).toBe('A: expected shape a non-empty array of rows, got string');
    expect(message(() => rationalMatrix([[1, 2], [3]], 'A'), ShapeMismatchError)).toBe('A: expected shape rows of equal, non-zero length 2, got row 1 of length 1');
    expect(message(() => rationalMatrix([[1], 2 as never], 'A'), ShapeMismatchError)).toBe('A: expected shape rows of equal, non-zero length 1, got row 1 is not an array');
    expect(message(() => rationalMatrix([3 as never], 'A'), ShapeMismatchError)).toBe('A: expected shape rows of equal, non-zero length -1, got row 0 is not an array');
    expect(message(() => rationalMatrix([[], []], 'A'), ShapeMismatchError)).toBe('A: expected shape rows of equal, non-zero length 0, got row 0 of length 0');
    expect(message(() => rationalMatrix([[1, Number.NaN]]), NonFiniteError)).toBe('matrix[0][1]: expected a finite number, got NaN');
  });

  test('products, sums, vec, determinants, solves', () => {
    expect(message(() => multiplyQ(identityQ(2), identityQ(3)), ShapeMismatchError)).toBe('b: expected shape 2 rows (the columns of a), got 3 rows');
    expect(message(() => matVecQ(identityQ(2), [q(1)]), ShapeMismatchError)).toBe('v: expected shape length 2, got length 1');
    expect(message(() => addQ(identityQ(2), identityQ(3)), ShapeMismatchError)).toBe('b: expected shape 2×2, got 3×3');
    expect(message(() => subQ(zerosQ(2, 3), zerosQ(2, 2)), ShapeMismatchError)).toBe('b: expected shape 2×3, got 2×2');
    expect(message(() => unvecQ([q(1)], 2, 2), ShapeMismatchError)).toBe('v: expected shape length 4, got length 1');
    expect(message(() => detQ([]), ShapeMismatchError)).toBe('A: expected shape a non-empty square matrix, got an empty array');
    expect(message(() => detQ('x' as never, 'M'), ShapeMismatchError)).toBe('M: expected shape a non-empty square matrix, got string');
    expect(message(() => detQ([3 as never], 'M'), ShapeMismatchError)).toBe('M: expected shape a square matrix, got 1 rows, row 0 of type number');
    expect(message(() => detQ(zerosQ(2, 3)), ShapeMismatchError)).toBe('A: expected shape a square matrix, got 2×3');
    expect(message(() => invQ(rationalMatrix([[1, 2], [2, 4]])), SingularMatrixError)).toBe('A: expected shape a non-singular matrix, got det = 0 exactly');
    expect(message(() => solveQ(identityQ(2), [[q(1)]]), ShapeMismatchError)).toBe('b: expected shape 2 rows, got 1 rows');
    expect(message(() => solveQ(identityQ(2), 'b' as never), ShapeMismatchError)).toBe('b: expected shape 2 rows, got 0 rows');
    expect(message(() => solveQ(identityQ(2), [[q(1)], [q(1), q(2)]]), ShapeMismatchError)).toBe('b: expected shape rows of length 1, got row 1 of length 2');
    expect(message(() => solveQ(identityQ(2), [[q(1)], 5 as never]), ShapeMismatchError)).toBe('b: expected shape rows of length 1, got row 1 of length ?');
    expect(message(() => cayleyTransformQ(rationalMatrix([[0, 1], [1, 0]])), InvalidArgumentError)).toBe('S[0][1]: expected a skew-symmetric matrix (Sᵀ = −S), got "1 against 1"');
    expect(message(() => cayleyTransformQ(rationalMatrix([[0, 1], [-1, 2]]), 'K'), InvalidArgumentError)).toBe('K[1][1]: expected a skew-symmetric matrix (Sᵀ = −S), got "2 against 2"');
    expect(message(() => ratioToNumber(1n, 0n), InvalidArgumentError)).toBe('den: expected a non-zero denominator, got "0"');
    expect(message(() => scaleQ(identityQ(2), 'half'), ParseError)).toBe('c: expected a rational such as "3/7" or "-0.25", got "half"');
  });

  test('vector sums and the exact dot product (zero terms skipped, the sum unchanged)', () => {
    const a = [q(1, 2), q(0), q(-3)];
    const b = [q(1, 3), q(5), q(0)];
    expect(addVecQ(a, b).map((x) => x.toFraction())).toEqual(['5/6', '5', '-3']);
    expect(subVecQ(a, b).map((x) => x.toFraction())).toEqual(['1/6', '-5', '-3']);
    expect(dotQ(a, b).toFraction()).toBe('1/6');
    expect(dotQ([q(2), q(3)], [q(5), q(7)]).toFraction()).toBe('31');
    expect(dotQ([q(0), q(3)], [q(5), q(-1, 3)]).toFraction()).toBe('-1');
    expect(dotQ([q(2), q(0)], [q(0), q(7)]).toFraction()).toBe('0');
    expect(dotQ([], []).toFraction()).toBe('0');
  });

  test('shape-aware helpers: zerosQ, scaleQ, equalQ, isSymmetricQ', () => {
    expect(zerosQ(2, 3).map((r) => r.map((x) => x.toFraction()))).toEqual([['0', '0', '0'], ['0', '0', '0']]);
    expect(scaleQ(rationalMatrix([[1, '1/2']]), '2/3').map((r) => r.map((x) => x.toFraction()))).toEqual([['2/3', '1/3']]);
    expect(equalQ(identityQ(2), identityQ(2))).toBe(true);
    expect(equalQ(identityQ(2), rationalMatrix([[1, 0], [0, 2]]))).toBe(false);
    expect(equalQ(zerosQ(2, 2), zerosQ(3, 2))).toBe(false);
    expect(equalQ(zerosQ(2, 2), zerosQ(2, 3))).toBe(false);
    expect(isSymmetricQ(rationalMatrix([[1, 2], [2, 1]]))).toBe(true);
    expect(isSymmetricQ(rationalMatrix([[1, 2], [3, 1]]))).toBe(false);
    expect(isSymmetricQ(rationalMatrix([[1, 0, 5], [0, 1, 0], [4, 0, 1]]))).toBe(false);
    expect(isSymmetricQ(rationalMatrix([[1, 2]]))).toBe(false);
  });
});

describe('bigint helpers and rounding edges', () => {
  test('bitLength: |x| in bits, the sign ignored, 0 for 0', () => {
    for (const [x, bits] of [[0n, 0], [1n, 1], [-1n, 1], [2n, 2], [15n, 4], [16n, 5], [-16n, 5], [255n, 8], [256n, 9], [2n ** 100n, 101], [-(2n ** 100n) + 1n, 100]] as const) {
      expect({ x, bits: bitLength(x) }).toEqual({ x, bits });
    }
  });

  test('gcdBig: non-negative, signs ignored, gcd(x, 0) = |x|', () => {
    expect(gcdBig(12n, 18n)).toBe(6n);
    expect(gcdBig(-12n, 18n)).toBe(6n);
    expect(gcdBig(12n, -18n)).toBe(6n);
    expect(gcdBig(-12n, -18n)).toBe(6n);
    expect(gcdBig(0n, -5n)).toBe(5n);
    expect(gcdBig(-5n, 0n)).toBe(5n);
    expect(gcdBig(0n, 0n)).toBe(0n);
    expect(gcdBig(17n, 5n)).toBe(1n);
  });

  test('ratioToNumber: signs of numerator and denominator, rounding at 53 bits with and without dropped bits', () => {
    expect(ratioToNumber(-1n, -3n)).toBe(1 / 3);
    expect(ratioToNumber(-1n, 3n)).toBe(-1 / 3);
    expect(ratioToNumber(0n, -7n)).toBe(0);
    expect(ratioToNumber(2n, 3n)).toBe(2 / 3);
    expect(ratioToNumber(-(2n ** 1030n), 3n)).toBe(-Infinity);
    expect(ratioToNumber(2n ** 1023n * 3n, 2n)).toBe(1.5 * 2 ** 1023);
    // 1 + 2^−53 exactly: a tie between 1 and 1 + 2^−52, to even (1); a hair above rounds up.
    expect(ratioToNumber(2n ** 53n + 1n, 2n ** 53n)).toBe(1);
    expect(ratioToNumber(2n ** 54n + 3n, 2n ** 54n)).toBe(1 + 2 ** -52);
    expect(ratioToNumber(2n ** 53n + 3n, 2n ** 53n)).toBe(1 + 2 ** -51);
    // (2^53 − 1) + ½ exactly: a tie with an odd mantissa rounds up to 2^53; just below it, down.
    expect(ratioToNumber(2n ** 54n - 1n, 2n)).toBe(2 ** 53);
    expect(ratioToNumber(2n ** 55n - 3n, 4n)).toBe(2 ** 53 - 1);
    // (2^53 − 2) + ½: a tie with an even mantissa stays.
    expect(ratioToNumber(2n ** 54n - 3n, 2n)).toBe(2 ** 53 - 2);
    // Dropped bits with a remainder: 2^55 + 4 + 1/3 is above the tie 2^55 + 4 (ulp 8), so it rounds up.
    expect(ratioToNumber((2n ** 55n + 4n) * 3n + 1n, 3n)).toBe(2 ** 55 + 8);
    expect(ratioToNumber(2n ** 55n + 4n, 1n)).toBe(2 ** 55);
    expect(ratioToNumber(2n ** 55n + 12n, 1n)).toBe(2 ** 55 + 16);
    expect(ratioToNumber(2n ** 55n + 3n, 1n)).toBe(2 ** 55);
    expect(ratioToNumber(2n ** 55n + 5n, 1n)).toBe(2 ** 55 + 8);
  });
});
