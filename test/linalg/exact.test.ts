/**
 * Exact rational algebra (src/linalg/exact.ts): parsing with typed errors, exact products / Kronecker /
 * vec, solve, inverse and determinant (Hilbert matrices against the bigint closed form), the mathjs
 * tolerance pitfall, correctly rounded conversion back to float64, and the Cayley transform.
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { all, create, type Fraction } from 'mathjs';
import { DeltaStnError, InvalidArgumentError, NonFiniteError, ParseError, ShapeMismatchError } from '../../src/errors.js';
import { kron, vec } from '../../src/linalg/dense.js';
import {
  addQ,
  cayleyTransformQ,
  detQ,
  equalQ,
  exactFromFloat,
  identityQ,
  invQ,
  isSymmetricQ,
  kronQ,
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
  solveVecQ,
  subQ,
  toNumber,
  toNumberMatrix,
  toRationalString,
  transposeQ,
  unvecQ,
  vecQ,
  zerosQ,
  type Rational,
  type RationalMatrix,
} from '../../src/linalg/exact.js';

const q = (p: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(p), BigInt(d));

function hilbert(n: number): RationalMatrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => q(1, i + j + 1)));
}

/** c_n = Π_{i=1}^{n−1} i!, so det(H_n) = c_n⁴ / c_{2n}. */
function superFactorial(n: number): bigint {
  let c = 1n;
  let f = 1n;
  for (let i = 1; i < n; i++) {
    f *= BigInt(i);
    c *= f;
  }
  return c;
}

function intMatrixArb(m: number, n: number, max = 9): fc.Arbitrary<RationalMatrix> {
  return fc.array(fc.array(fc.tuple(fc.integer({ min: -max, max }), fc.integer({ min: 1, max: 5 })), { minLength: n, maxLength: n }), { minLength: m, maxLength: m }).map((rows) => rows.map((row) => row.map(([p, d]) => q(p, d))));
}

const dim = fc.integer({ min: 1, max: 4 });

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

describe('rational(): parsing', () => {
  test('rational strings', () => {
    expect(rational('3/7').equals(q(3, 7))).toBe(true);
    expect(rational('-2').equals(q(-2))).toBe(true);
    expect(rational('0.25').equals(q(1, 4))).toBe(true);
    expect(rational('1e-3').equals(q(1, 1000))).toBe(true);
    expect(rational(' 6 / -8 ').equals(q(-3, 4))).toBe(true);
    expect(rational('+.5').equals(q(1, 2))).toBe(true);
    expect(rational('2.5E2').equals(q(250))).toBe(true);
    expect(rational('1e-400').equals(math.fraction(1n, 10n ** 400n))).toBe(true);
  });

  test('numbers convert to their exact dyadic value (0.1 is not 1/10)', () => {
    expect(rational(0.1).equals(math.fraction(3602879701896397n, 36028797018963968n))).toBe(true);
    expect(rational(0.25).equals(q(1, 4))).toBe(true);
    expect(rational(-0).equals(q(0))).toBe(true);
    expect(rational(1e300).equals(math.fraction(BigInt(1e300), 1n))).toBe(true);
    expect(rational(Number.MIN_VALUE).equals(math.fraction(1n, 2n ** 1074n))).toBe(true);
    expect(rational(12345678901234567890n).equals(math.fraction(12345678901234567890n, 1n))).toBe(true);
    const r = q(5, 3);
    expect(rational(r)).toBe(r);
  });

  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true })], { numRuns: 500 })('toNumber(exactFromFloat(x)) = x for every finite double', (x) => {
    expect(toNumber(exactFromFloat(x))).toBe(x + 0);
  });

  test('typed errors: ParseError / NonFiniteError naming the entry', () => {
    for (const bad of ['abc', '1/0', '', '1/2/3', '0x10', '1/2.5', '3/x', '1e999999999']) {
      expect(() => rational(bad, 'v')).toThrow(ParseError);
      expect(() => rational(bad, 'v')).toThrow(/^v: /);
    }
    expect(() => rational(Number.NaN)).toThrow(NonFiniteError);
    expect(() => rational(Infinity)).toThrow(NonFiniteError);
    expect(() => rational(-Infinity, 'x')).toThrow(/^x: /);
    expect(() => rational({} as unknown as string)).toThrow(ParseError);
    const e = errorOf(() => rationalMatrix([[1, 2], ['abc', 3]], 'A'));
    expect(e).toBeInstanceOf(ParseError);
    expect((e as DeltaStnError).argument).toBe('A[1][0]');
    const f = errorOf(() => rationalMatrix([[1, Number.NaN]], 'A'));
    expect(f).toBeInstanceOf(NonFiniteError);
    expect((f as DeltaStnError).argument).toBe('A[0][1]');
    const g = errorOf(() => rationalVector([1, '1/0'], 'b'));
    expect((g as DeltaStnError).argument).toBe('b[1]');
    expect(() => rationalMatrix([[1, 2], [3]], 'A')).toThrow(ShapeMismatchError);
    expect(() => rationalMatrix([], 'A')).toThrow(ShapeMismatchError);
  });
});

describe('toNumber / ratioToNumber: correctly rounded', () => {
  test.prop([fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), fc.integer({ min: 1, max: 2 ** 53 })], { numRuns: 500 })('p/q for exact integers p, q equals the IEEE quotient p/q', (p, d) => {
    expect(toNumber(q(p, d))).toBe(p / d + 0);
  });

  test('huge numerators and denominators (valueOf gives NaN), subnormals, ties to even, overflow', () => {
    const big = 3n ** 700n;
    const x = math.fraction(big + 1n, big);
    expect(Number.isNaN(x.valueOf())).toBe(true); // the pitfall
    expect(toNumber(x)).toBe(1);
    expect(ratioToNumber(1n, 2n ** 1074n)).toBe(Number.MIN_VALUE);
    expect(ratioToNumber(1n, 2n ** 1075n)).toBe(0); // exactly half the smallest subnormal: ties to even → 0
    expect(ratioToNumber(3n, 2n ** 1076n)).toBe(Number.MIN_VALUE); // 0.75 of it rounds up
    expect(ratioToNumber(2n ** 1024n, 1n)).toBe(Infinity);
    expect(ratioToNumber(-(2n ** 1024n), 1n)).toBe(-Infinity);
    expect(ratioToNumber((2n ** 53n - 1n) * 2n ** 971n, 1n)).toBe(Number.MAX_VALUE);
    expect(ratioToNumber(2n ** 54n + 1n, 1n)).toBe(2 ** 54); // below half an ulp (ulp = 4)
    expect(ratioToNumber(2n ** 54n + 2n, 1n)).toBe(2 ** 54); // tie → even mantissa
    expect(ratioToNumber(2n ** 54n + 6n, 1n)).toBe(2 ** 54 + 8); // tie → even mantissa
    expect(ratioToNumber((2n ** 54n + 2n) * 3n + 1n, 3n)).toBe(2 ** 54 + 4); // just above the tie
    expect(ratioToNumber(1n, -3n)).toBe(-1 / 3);
    expect(() => ratioToNumber(1n, 0n)).toThrow(InvalidArgumentError);
    expect(toNumberMatrix([[q(1, 3), q(-2)]])).toEqual([[1 / 3, -2]]);
  });
});

describe('exact products, Kronecker, vec', () => {
  test.prop([fc.tuple(dim, dim, dim).chain(([m, n, p]) => fc.tuple(intMatrixArb(m, n), intMatrixArb(n, p), intMatrixArb(m, n)))])('multiplyQ is associative with matVecQ, distributes over addQ; transposeQ reverses products', ([a, b, c]) => {
    const v = b[0].map((_, j) => q(j + 1, 2));
    expect(matVecQ(multiplyQ(a, b), v).map((x, i) => x.equals(matVecQ(a, matVecQ(b, v))[i]))).not.toContain(false);
    expect(equalQ(multiplyQ(addQ(a, c), b), addQ(multiplyQ(a, b), multiplyQ(c, b)))).toBe(true);
    expect(equalQ(transposeQ(multiplyQ(a, b)), multiplyQ(transposeQ(b), transposeQ(a)))).toBe(true);
    expect(equalQ(subQ(a, a), zerosQ(a.length, a[0].length))).toBe(true);
    expect(equalQ(scaleQ(a, '1/2'), multiplyQ(a, scaleQ(identityQ(a[0].length), 0.5)))).toBe(true);
  });

  test.prop([fc.tuple(dim, dim, dim, dim).chain(([m, n, p, r]) => fc.tuple(intMatrixArb(m, n), intMatrixArb(n, p), intMatrixArb(p, r)))])('vec(A X B) = (Bᵀ ⊗ A) vec(X) exactly; unvecQ ∘ vecQ = id', ([a, x, b]) => {
    const lhs = vecQ(multiplyQ(multiplyQ(a, x), b));
    const rhs = matVecQ(kronQ(transposeQ(b), a), vecQ(x));
    expect(lhs.every((t, i) => t.equals(rhs[i]))).toBe(true);
    expect(equalQ(unvecQ(vecQ(x), x.length, x[0].length), x)).toBe(true);
  });

  test.prop([fc.tuple(dim, dim, dim, dim).chain(([m, n, p, r]) => fc.tuple(intMatrixArb(m, n), intMatrixArb(p, r)))])('kronQ and vecQ agree with the float64 kron and vec (dyadic entries)', ([a, b]) => {
    const ad = a.map((row) => row.map((x) => q(x.s * x.n, 1n << 3n)));
    expect(toNumberMatrix(kronQ(ad, b.map((row) => row.map((x) => x.mul(q(8)).round(0)))))).toEqual(
      kron(toNumberMatrix(ad), toNumberMatrix(b.map((row) => row.map((x) => x.mul(q(8)).round(0))))).to2DArray().map((row) => row.map((t) => t + 0)),
    );
    expect(vecQ(ad).map(toNumber)).toEqual(vec(toNumberMatrix(ad)));
  });

  test('typed shape errors', () => {
    expect(() => multiplyQ(identityQ(2), identityQ(3))).toThrow(ShapeMismatchError);
    expect(() => addQ(identityQ(2), identityQ(3))).toThrow(ShapeMismatchError);
    expect(() => unvecQ([q(1)], 2, 2)).toThrow(/^v: /);
    expect(() => matVecQ(identityQ(2), [q(1)])).toThrow(ShapeMismatchError);
  });
});

describe('solve, inverse, determinant', () => {
  test.prop([dim.chain((n) => fc.tuple(intMatrixArb(n, n), intMatrixArb(n, 2), intMatrixArb(n, n)))], { numRuns: 100 })(
    'A·A⁻¹ = I, A·solveQ(A, B) = B, det(AC) = det A·det C, det(A ⊗ C) = det(A)^n det(C)^n (exact)',
    ([a, b, c]) => {
      const n = a.length;
      const detA = detQ(a);
      expect(detQ(multiplyQ(a, c)).equals(detA.mul(detQ(c)))).toBe(true);
      expect(detQ(kronQ(a, c)).equals(detA.pow(n).mul(detQ(c).pow(n)))).toBe(true);
      if (detA.n === 0n) {
        expect(() => invQ(a)).toThrow(SingularMatrixError);
        expect(() => solveQ(a, b)).toThrow(SingularMatrixError);
        return;
      }
      expect(equalQ(multiplyQ(a, invQ(a)), identityQ(n))).toBe(true);
      expect(equalQ(multiplyQ(a, solveQ(a, b)), b)).toBe(true);
      const x = solveVecQ(a, b.map((row) => row[0]));
      expect(matVecQ(a, x).every((t, i) => t.equals(b[i][0]))).toBe(true);
      expect(detQ(invQ(a)).equals(q(1).div(detA))).toBe(true);
    },
  );

  test('singular and non-square inputs are typed errors (SingularMatrixError is a ShapeMismatchError)', () => {
    const s = rationalMatrix([[1, 2], [2, 4]]);
    expect(() => invQ(s, 'G')).toThrow(SingularMatrixError);
    expect(() => invQ(s, 'G')).toThrow(/^G: /);
    expect(() => solveQ(s, [[q(1)], [q(1)]])).toThrow(ShapeMismatchError);
    expect(() => detQ(rationalMatrix([[1, 2, 3], [4, 5, 6]]))).toThrow(ShapeMismatchError);
    expect(() => solveQ(identityQ(2), [[q(1)]])).toThrow(/^b: /);
    // tiny pivots are not zero: det(diag(1e-40, 1e40) permuted) = −1
    const t = [[q(0), q(1n, 10n ** 40n)], [q(10n ** 40n), q(1n, 10n ** 40n)]];
    expect(detQ(t).equals(q(-1))).toBe(true);
    expect(equalQ(multiplyQ(t, invQ(t)), identityQ(2))).toBe(true);
  });

  for (const n of [5, 10, 14, 20]) {
    test(`Hilbert H_${n}: H·H⁻¹ = I exactly, 1/det(H) = c_{2n}/c_n⁴ (bigint closed form), solve exact`, () => {
      const h = hilbert(n);
      expect(equalQ(multiplyQ(h, invQ(h)), identityQ(n))).toBe(true);
      const cn = superFactorial(n);
      const det = detQ(h);
      expect(det.equals(math.fraction(cn ** 4n, superFactorial(2 * n)))).toBe(true);
      const xTrue = Array.from({ length: n }, (_, i) => [q(i % 3 === 0 ? -1 : i + 1, 7)]);
      expect(equalQ(solveQ(h, multiplyQ(h, xTrue)), xTrue)).toBe(true);
    });
  }

  test('the absTol pitfall: a default-config mathjs lusolve fails on Fraction H_14 … H_20; ours (absTol: 0) is exact', () => {
    const defaults = create(all); // relTol 1e-12, absTol 1e-15: pivots below 1e-15 count as zero
    for (const n of [14, 20]) {
      const h = hilbert(n);
      const xTrue = Array.from({ length: n }, () => [q(1)]);
      const b = multiplyQ(h, xTrue);
      let defaultExact: boolean;
      try {
        const x = defaults.lusolve(defaults.matrix(h), defaults.matrix(b)).valueOf() as unknown as Fraction[][];
        defaultExact = x.every((row, i) => row[0].equals(xTrue[i][0]));
      } catch {
        defaultExact = false;
      }
      expect(defaultExact).toBe(false);
      expect(equalQ(solveQ(h, b), xTrue)).toBe(true);
    }
  });
});

describe('cayleyTransformQ, isSymmetricQ, toRationalString', () => {
  test.prop([fc.integer({ min: 1, max: 6 }).chain((n) => fc.array(fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: 1, max: 5 })), { minLength: (n * (n - 1)) / 2, maxLength: (n * (n - 1)) / 2 }).map((e) => ({ n, e })))], { numRuns: 60 })(
    'Q = (I − S)(I + S)⁻¹ is orthogonal exactly: QᵀQ = QQᵀ = I',
    ({ n, e }) => {
      const s: RationalMatrix = zerosQ(n, n).map((row) => [...row]);
      let t = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
        s[i][j] = q(e[t][0], e[t][1]);
        s[j][i] = s[i][j].neg();
        t++;
      }
      const c = cayleyTransformQ(s);
      expect(equalQ(multiplyQ(transposeQ(c), c), identityQ(n))).toBe(true);
      expect(equalQ(multiplyQ(c, transposeQ(c)), identityQ(n))).toBe(true);
      const d = c.map((_, i) => q(i + 1, 3));
      expect(isSymmetricQ(multiplyQ(multiplyQ(c, d.map((x, i) => d.map((_, j) => (i === j ? x : q(0))))), transposeQ(c)))).toBe(true);
    },
  );

  test('typed errors and string form', () => {
    expect(() => cayleyTransformQ(rationalMatrix([[0, 1], [1, 0]]))).toThrow(InvalidArgumentError);
    expect(() => cayleyTransformQ(rationalMatrix([[1, 0], [0, 0]]), 'K')).toThrow(/^K\[0\]\[0\]: /);
    expect(toRationalString(q(-6, 4))).toBe('-3/2');
    expect(toRationalString(q(5))).toBe('5');
    expect(isSymmetricQ(rationalMatrix([[1, 2, 3], [2, 1, 3]]))).toBe(false);
  });
});
