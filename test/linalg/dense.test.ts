/**
 * float64 dense algebra (src/linalg/dense.ts): Kronecker/vec identities, Jacobi invariants and high
 * relative accuracy on graded matrices with exactly known spectra, condition numbers, Cholesky, CG.
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { LuDecomposition, Matrix } from 'ml-matrix';
import { NonFiniteError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../src/errors.js';
import {
  choleskySolve,
  conditionNumber,
  conjugateGradient,
  kron,
  norm2,
  symmetricEigen,
  symmetricEigenvalues,
  toMatrix,
  unvec,
  vec,
} from '../../src/linalg/dense.js';
import { cayleyTransformQ, math, multiplyQ, toNumber, toNumberMatrix, transposeQ, type Rational, type RationalMatrix } from '../../src/linalg/exact.js';
import { closedFormRelTol, EPS, eigenRelTol, relativeError, relativeErrorVec } from '../../src/tolerance.js';

const ZERO = math.fraction(0);

/** m×n matrices of small integers: every product and sum below is exact in float64. */
function intMatrixArb(m: number, n: number, max = 9): fc.Arbitrary<number[][]> {
  return fc.array(fc.array(fc.integer({ min: -max, max }), { minLength: n, maxLength: n }), { minLength: m, maxLength: m });
}

const dim = fc.integer({ min: 1, max: 4 });

/** Random symmetric matrices with entries in [−1, 1]. */
function symmetricArb(maxN: number): fc.Arbitrary<number[][]> {
  return fc.integer({ min: 1, max: maxN }).chain((n) =>
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * n, maxLength: n * n }).map((x) =>
      Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i <= j ? x[i * n + j] : x[j * n + i]))),
    ),
  );
}

/** SPD F Fᵀ + δI with δ chosen so that κ stays moderate. */
function spdArb(maxN: number, delta = 0.5): fc.Arbitrary<number[][]> {
  return fc.integer({ min: 1, max: maxN }).chain((n) =>
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * n, maxLength: n * n }).map((x) => {
      const f = new Matrix(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) f.set(i, j, x[i * n + j]);
      return f.mmul(f.transpose()).add(Matrix.eye(n).mul(delta)).to2DArray();
    }),
  );
}

function maxAbs(m: Matrix): number {
  return Math.max(m.max(), -m.min());
}

function skew(n: number, entries: readonly [number, number][], scaleOf: (i: number, j: number) => Rational = () => math.fraction(1)): RationalMatrix {
  const s: RationalMatrix = Array.from({ length: n }, () => new Array<Rational>(n).fill(ZERO));
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const [p, q] = entries[t++];
      s[i][j] = math.fraction(p, q).mul(scaleOf(i, j));
      s[j][i] = s[i][j].neg();
    }
  }
  return s;
}

function skewEntries(n: number, max: number): fc.Arbitrary<[number, number][]> {
  const m = (n * (n - 1)) / 2;
  return fc.array(fc.tuple(fc.integer({ min: -max, max }), fc.integer({ min: 1, max: 4 })), { minLength: m, maxLength: m });
}

function qdqt(q: RationalMatrix, d: readonly Rational[]): RationalMatrix {
  return multiplyQ(
    q.map((row) => row.map((x, j) => x.mul(d[j]))),
    transposeQ(q),
  );
}

describe('kron', () => {
  test.prop([fc.tuple(dim, dim, dim, dim).chain(([m, n, p, q]) => fc.tuple(intMatrixArb(m, n), intMatrixArb(p, q)))])('(A ⊗ B) block (i, j) is a_ij·B', ([a, b]) => {
    const k = kron(a, b);
    const p = b.length;
    const q = b[0].length;
    expect([k.rows, k.columns]).toEqual([a.length * p, a[0].length * q]);
    for (let i = 0; i < a.length; i++) for (let j = 0; j < a[0].length; j++) for (let r = 0; r < p; r++) for (let s = 0; s < q; s++) expect(k.get(i * p + r, j * q + s)).toBe(a[i][j] * b[r][s]);
  });

  test.prop([fc.tuple(dim, dim, dim, dim, dim, dim).chain(([m, n, p, q, r, s]) => fc.tuple(intMatrixArb(m, n, 3), intMatrixArb(p, q, 3), intMatrixArb(n, r, 3), intMatrixArb(q, s, 3)))])(
    'mixed product (A ⊗ B)(C ⊗ D) = AC ⊗ BD (exact on integers)',
    ([a, b, c, d]) => {
      const left = kron(a, b).mmul(kron(c, d));
      const right = kron(new Matrix(a).mmul(new Matrix(c)), new Matrix(b).mmul(new Matrix(d)));
      const plusZero = (m: Matrix): number[][] => m.to2DArray().map((row) => row.map((x) => x + 0)); // −0 → +0
      expect(plusZero(left)).toEqual(plusZero(right));
    },
  );
});

describe('vec / unvec (column-major)', () => {
  test('vec stacks columns: vec([[1, 2], [3, 4]]) = [1, 3, 2, 4]; entry (i, j) lands at i + j·m', () => {
    expect(vec([[1, 2], [3, 4]])).toEqual([1, 3, 2, 4]);
    expect(vec([[1, 2, 3], [4, 5, 6]])).toEqual([1, 4, 2, 5, 3, 6]);
    expect(unvec([1, 4, 2, 5, 3, 6], 2, 3).to2DArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  test.prop([fc.tuple(dim, dim, dim, dim).chain(([m, n, p, q]) => fc.tuple(intMatrixArb(m, n), intMatrixArb(n, p), intMatrixArb(p, q)))])(
    'vec(A X B) = (Bᵀ ⊗ A) vec(X) (exact on integers)',
    ([a, x, b]) => {
      const axb = new Matrix(a).mmul(new Matrix(x)).mmul(new Matrix(b));
      const rhs = kron(new Matrix(b).transpose(), a).mmul(Matrix.columnVector(vec(x)));
      expect(vec(axb)).toEqual(rhs.getColumn(0));
    },
  );

  test.prop([fc.tuple(dim, dim).chain(([m, n]) => intMatrixArb(m, n))])('unvec(vec(X)) = X and vec(unvec(v)) = v', (x) => {
    const m = x.length;
    const n = x[0].length;
    expect(unvec(vec(x), m, n).to2DArray()).toEqual(x);
    const v = x.flat();
    expect(vec(unvec(v, m, n))).toEqual(v);
  });

  test('typed errors', () => {
    expect(() => unvec([1, 2, 3], 2, 2)).toThrow(ShapeMismatchError);
    expect(() => unvec([1, 2, 3], 2, 2)).toThrow(/^v: /);
    expect(() => vec([[1, Number.NaN]])).toThrow(NonFiniteError);
    expect(() => vec([[1, 2], [3]])).toThrow(ShapeMismatchError);
    expect(() => toMatrix([], 'X')).toThrow(/^X: /);
  });
});

describe('symmetricEigen (cyclic Jacobi)', () => {
  test.prop([symmetricArb(8)], { numRuns: 200 })('A·V = V·D, VᵀV = I, ascending, trace preserved (backward error ≤ eigenRelTol(n, 1)·‖A‖)', (a) => {
    const n = a.length;
    const { values, vectors } = symmetricEigen(a, { vectors: true });
    const V = vectors as Matrix;
    const A = new Matrix(a);
    const scale = Math.max(maxAbs(A), Number.MIN_VALUE);
    const tol = eigenRelTol(n, 1);
    // fast-check also draws subnormal entries, where relative accuracy ends: allow n² units of underflow.
    const underflow = n * n * Number.MIN_VALUE;
    for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
    expect(maxAbs(A.mmul(V).sub(V.mmul(Matrix.diag(values))))).toBeLessThanOrEqual(tol * scale * n + underflow);
    expect(maxAbs(V.transpose().mmul(V).sub(Matrix.eye(n)))).toBeLessThanOrEqual(tol);
    const trace = a.reduce((s, row, i) => s + row[i], 0);
    const sum = values.reduce((s, x) => s + x, 0);
    expect(Math.abs(sum - trace)).toBeLessThanOrEqual(tol * scale * n + underflow);
    expect(symmetricEigenvalues(a)).toEqual(values);
  });

  test.prop([spdArb(7)], { numRuns: 100 })('det A = Π λ_i (relative closedFormRelTol(κ))', (a) => {
    const values = symmetricEigenvalues(a);
    const det = new LuDecomposition(new Matrix(a)).determinant;
    const kappa = values[values.length - 1] / values[0];
    expect(relativeError(values.reduce((p, x) => p * x, 1), det)).toBeLessThanOrEqual(closedFormRelTol(kappa));
  });

  /**
   * Graded A = Q D Qᵀ with exactly known eigenvalues d_i = c_i·w_i², w_i = 10^(−e_i), e_i from 0 to 6
   * (so κ(A) reaches ~1e12) and Q the Cayley transform of S_ij = s_ij·w_j/w_i (i < j): then
   * A_ij ~ w_i w_j, i.e. A = W H W with H = W⁻¹AW⁻¹ of modest κ(H). Demmel–Veselić: Jacobi (and the
   * rounding of A to float64) then perturbs every eigenvalue by a RELATIVE error of order n·ε·κ(H),
   * independent of κ(A). We assert eigenRelTol(n, κ(H)); a QR-type solver only gets ε·κ(A) relative on
   * λ_min (see bench/linalg.ts for ml-matrix on the same matrices).
   */
  const gradedArb = fc
    .integer({ min: 2, max: 6 })
    .chain((n) =>
      fc.tuple(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: n - 2, maxLength: n - 2 }),
        fc.array(fc.integer({ min: 4, max: 16 }), { minLength: n, maxLength: n }),
        skewEntries(n, 2),
      ),
    )
    .map(([inner, c, entries]) => {
      const n = c.length;
      const e = [0, ...inner.sort((x, y) => x - y), 6];
      const w = e.map((k) => math.fraction(1n, 10n ** BigInt(k)));
      const d = w.map((x, i) => x.mul(x).mul(math.fraction(c[i], 4)));
      const q = cayleyTransformQ(skew(n, entries, (i, j) => w[j].div(w[i])));
      return { a: qdqt(q, d), d: d.map(toNumber).sort((x, y) => x - y), w: w.map(toNumber) };
    });

  test.prop([gradedArb], { numRuns: 150 })('graded matrices, κ up to ~1e12: every eigenvalue to relative eigenRelTol(n, κ(H))', ({ a, d, w }) => {
    const n = d.length;
    const af = toNumberMatrix(a);
    const h = af.map((row, i) => row.map((x, j) => x / (w[i] * w[j])));
    const kappaH = conditionNumber(h);
    const values = symmetricEigenvalues(af);
    const tol = eigenRelTol(n, kappaH);
    expect(tol).toBeLessThan(1e-6); // the bound is meaningful: far below ε·κ(A) for κ(A) ~ 1e12
    for (let i = 0; i < n; i++) expect(relativeError(values[i], d[i])).toBeLessThanOrEqual(tol);
  });

  test('a fixed graded 3×3 with κ = 1e12: λ_min = 1e-12 to a few ulps, where ε·κ ≈ 2e-4', () => {
    const s = skew(3, [[1, 2], [-1, 3], [1, 1]], (i, j) => math.fraction(1n, 10n ** BigInt(3 * (j - i))));
    const d = [math.fraction(1), math.fraction(1n, 10n ** 6n), math.fraction(1n, 10n ** 12n)];
    const af = toNumberMatrix(qdqt(cayleyTransformQ(s), d));
    const values = symmetricEigenvalues(af);
    expect(relativeError(values[0], 1e-12)).toBeLessThanOrEqual(eigenRelTol(3, 10));
    expect(relativeError(values[1], 1e-6)).toBeLessThanOrEqual(eigenRelTol(3, 10));
    expect(relativeError(values[2], 1)).toBeLessThanOrEqual(eigenRelTol(3, 10));
  });

  test('diagonal and 1×1 inputs are returned exactly; typed errors', () => {
    expect(symmetricEigenvalues([[3, 0, 0], [0, -1e-300, 0], [0, 0, 1e300]])).toEqual([-1e-300, 3, 1e300]);
    expect(symmetricEigenvalues([[-2]])).toEqual([-2]);
    expect(() => symmetricEigen([[1, 2], [3, 4]])).toThrow(NotSymmetricError);
    expect(() => symmetricEigen([[1, 2, 3], [2, 4, 5]])).toThrow(ShapeMismatchError);
    expect(() => symmetricEigen([[1, Infinity], [Infinity, 1]])).toThrow(NonFiniteError);
    expect(() => symmetricEigen([[1, Number.NaN], [Number.NaN, 1]])).toThrow(/^a\[0\]\[1\]: /);
  });
});

describe('conditionNumber', () => {
  test.prop([fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(skewEntries(n, 3), fc.array(fc.integer({ min: 0, max: 8 }), { minLength: n, maxLength: n })))], { numRuns: 80 })(
    "'spd': λ_max/λ_min of Q D Qᵀ (D known, κ ≤ 1e8) to eigenRelTol(n, κ)",
    ([entries, e]) => {
      const n = e.length;
      const d = e.map((k) => math.fraction(1n, 10n ** BigInt(k)));
      const a = toNumberMatrix(qdqt(cayleyTransformQ(skew(n, entries)), d));
      const dd = d.map(toNumber);
      const kappa = Math.max(...dd) / Math.min(...dd);
      expect(relativeError(conditionNumber(a), kappa)).toBeLessThanOrEqual(eigenRelTol(n, kappa));
    },
  );

  test.prop([fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(skewEntries(n, 3), skewEntries(n, 3), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: n, maxLength: n })))], { numRuns: 80 })(
    "'general': σ_max/σ_min of U Σ Vᵀ (U, V orthogonal, Σ known) to closedFormRelTol(κ)",
    ([eu, ev, sigma]) => {
      const n = sigma.length;
      const u = cayleyTransformQ(skew(n, eu));
      const v = cayleyTransformQ(skew(n, ev));
      const a = toNumberMatrix(multiplyQ(u.map((row) => row.map((x, j) => x.mul(math.fraction(sigma[j])))), transposeQ(v)));
      const kappa = Math.max(...sigma) / Math.min(...sigma);
      expect(relativeError(conditionNumber(a, 'general'), kappa)).toBeLessThanOrEqual(closedFormRelTol(kappa));
    },
  );

  test('singular → ∞ (general); NotPositiveDefiniteError naming the argument (spd)', () => {
    expect(conditionNumber([[1, 2], [2, 4]], 'general')).toBe(Infinity);
    expect(conditionNumber([[2, 0], [0, 2]])).toBe(1);
    expect(conditionNumber([[1, 0], [0, 3], [0, 0]], 'general')).toBeCloseTo(3, 12);
    expect(() => conditionNumber([[1, 0], [0, -1]])).toThrow(NotPositiveDefiniteError);
    expect(() => conditionNumber([[1, 0], [0, 0]], 'spd', 'G')).toThrow(/^G: /);
  });
});

describe('choleskySolve', () => {
  test.prop([spdArb(8, 1e-3), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 })], { numRuns: 150 })(
    'residual ‖A x − b‖ ≤ eigenRelTol(n, 1)·‖A‖·‖x‖ (backward stability), one and several right-hand sides',
    (a, bAll) => {
      const n = a.length;
      const b = bAll.slice(0, n);
      const A = new Matrix(a);
      const x = choleskySolve(a, b);
      const r = A.mmul(x).sub(Matrix.columnVector(b));
      expect(norm2(r.getColumn(0))).toBeLessThanOrEqual(eigenRelTol(n, 1) * A.norm('frobenius') * norm2(x.getColumn(0)) + Number.MIN_VALUE);
      const B = new Matrix([b, b.map((t) => 2 * t)]).transpose();
      const X = choleskySolve(a, B);
      expect(relativeErrorVec(X.getColumn(0), x.getColumn(0))).toBe(0);
      expect(relativeErrorVec(X.getColumn(1), x.getColumn(0).map((t) => 2 * t))).toBeLessThanOrEqual(EPS);
    },
  );

  test('typed errors name the argument', () => {
    expect(() => choleskySolve([[1, 2], [2, 1]], [1, 1])).toThrow(NotPositiveDefiniteError);
    expect(() => choleskySolve([[1, 1], [1, 1]], [1, 1], 'G')).toThrow(/^G: /);
    expect(() => choleskySolve([[1, 2], [3, 4]], [1, 1])).toThrow(NotSymmetricError);
    expect(() => choleskySolve([[2, 0], [0, 2]], [1, 1, 1])).toThrow(ShapeMismatchError);
    expect(() => choleskySolve([[2, 0], [0, 2]], [1, Number.NaN])).toThrow(/^b\[1\]: /);
    expect(() => choleskySolve([[2, 0], [0, Infinity]], [1, 1])).toThrow(NonFiniteError);
  });
});

describe('conjugateGradient (matvec only)', () => {
  test.prop([spdArb(8, 1), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 })], { numRuns: 150 })(
    'SPD (κ ≤ ~70): converges in ≤ n steps and matches choleskySolve to closedFormRelTol(κ)',
    (a, bAll) => {
      const n = a.length;
      const b = bAll.slice(0, n);
      fc.pre(norm2(b) > 0);
      const A = new Matrix(a);
      const res = conjugateGradient((v) => A.mmul(Matrix.columnVector([...v])).getColumn(0), b);
      expect(res.converged).toBe(true);
      expect(res.iterations).toBeLessThanOrEqual(n);
      const kappa = conditionNumber(a);
      expect(relativeErrorVec(res.x, choleskySolve(a, b).getColumn(0))).toBeLessThanOrEqual(closedFormRelTol(kappa));
    },
  );

  test('indefinite operator → NotPositiveDefiniteError naming matvec; zero b; x0; shape check', () => {
    const indefinite = (v: readonly number[]): number[] => [v[0], -v[1]];
    expect(() => conjugateGradient(indefinite, [1, 1])).toThrow(NotPositiveDefiniteError);
    expect(() => conjugateGradient(indefinite, [1, 1])).toThrow(/^matvec: /);
    expect(() => conjugateGradient((v) => [-v[0]], [1])).toThrow(NotPositiveDefiniteError);
    expect(conjugateGradient((v) => [...v], [0, 0])).toEqual({ x: [0, 0], iterations: 0, residualNorm: 0, converged: true });
    const mv = (v: readonly number[]): number[] => [4 * v[0] + v[1], v[0] + 3 * v[1]];
    const exact = [1 / 11, 7 / 11]; // [[4,1],[1,3]] x = [1, 2]
    const warm = conjugateGradient(mv, [1, 2], { x0: exact });
    expect(warm.iterations).toBeLessThanOrEqual(1);
    expect(relativeErrorVec(warm.x, exact)).toBeLessThanOrEqual(closedFormRelTol(1));
    expect(() => conjugateGradient(() => [1], [1, 1])).toThrow(ShapeMismatchError);
    expect(() => conjugateGradient(mv, [1, Number.NaN])).toThrow(NonFiniteError);
    expect(() => conjugateGradient(() => [Number.NaN, 0], [1, 1])).toThrow(NonFiniteError);
    expect(() => conjugateGradient(mv, [1, 2], { x0: [1] })).toThrow(ShapeMismatchError);
  });

  test('scale invariance: tiny (1e-162) and huge (1e300) right-hand sides, whose squares leave the float64 range', () => {
    const mv = (v: readonly number[]): number[] => [4 * v[0] + v[1], v[0] + 3 * v[1]];
    for (const scale of [1e-162, 1e-300, 1e300]) {
      const res = conjugateGradient(mv, [scale, 2 * scale]);
      expect(res.converged).toBe(true);
      expect(relativeErrorVec(res.x, [scale / 11, (7 * scale) / 11])).toBeLessThanOrEqual(closedFormRelTol(2));
    }
  });
});
