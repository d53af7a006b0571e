/**
 * Killing tests for src/linalg/dense.ts, fourth round: `symmetricEigen` near the top of the float64 range (README
 * "Mutation testing"). Three intermediate results of the Jacobi step overflowed although the matrix and its
 * eigenvalues fit in float64:
 * - the skip threshold ε·√|a_pp a_qq|: the product a_pp a_qq overflows to +Infinity once both diagonals pass ~1.3e154,
 *   and the threshold with it, so every off-diagonal entry was zeroed unrotated and the diagonal came back as the
 *   eigenvalues (found through src/theory/input.ts's `conditioningChecked`, 2026-12-07: κ(G) = 1 for
 *   G = [[2^1000, 2^999], [2^999, 2^1000]], whose κ is 3). The threshold is now ε·√|a_pp|·√|a_qq| when the product
 *   overflows, and ε·√|a_pp a_qq|, bit for bit as before, when it does not;
 * - the symmetrizing mean ½(a_ij + a_ji): the sum overflows once |a_ij| passes MAX_VALUE/2 (≈ 8.99e307), and the
 *   entry became ±Infinity. It is now ½a_ij + ½a_ji there (both halves exact, so the sum is the correctly rounded mean);
 * - the rotation's θ = (a_qq − a_pp)/(2a_pq): 2a_pq overflows past MAX_VALUE/2 (θ became 0, a 45° rotation whatever
 *   the diagonal), and a_qq − a_pp for opposite-signed diagonals past MAX_VALUE/2 (θ became ±∞, no rotation). θ is now
 *   (½a_qq − ½a_pp)/a_pq there.
 * Below overflow every result is bit for bit the former one; the tests at the skip threshold and with subnormal
 * entries pin that (they read the eigenvectors, which see a rotation that changes no eigenvalue by an ulp).
 * Oracles: 2^k·[[2, 1], [1, 2]] has eigenvalues 2^k and 3·2^k, exact in float64, and eigenvectors (1, ∓1)/√2;
 * 10^307·[[a, b], [b, c]] has 10^307·((a + c)/2 ± √(((c − a)/2)² + b²)), rounded to float64 by hand (60 digits).
 */
import { describe, expect, test } from 'vitest';
import { conditionNumber, symmetricEigen } from '../../src/linalg/dense.js';

/** 2^k·[[2, 1], [1, 2]]. */
const scaled = (k: number): number[][] => [
  [2 ** (k + 1), 2 ** k],
  [2 ** k, 2 ** (k + 1)],
];
const EPS = Number.EPSILON;
const MIN = Number.MIN_VALUE;
/** 1/√2 as Jacobi computes it for t = ±1: 1/√(1 + 1) (one ulp below Math.SQRT1_2). */
const C45 = 1 / Math.sqrt(2);

/** |x − want| ≤ ulps·ε·|want|. */
function near(x: number, want: number, ulps: number): void {
  expect(Math.abs(x - want)).toBeLessThanOrEqual(ulps * EPS * Math.abs(want));
}

describe('symmetricEigen: diagonals whose product overflows (the skip threshold)', () => {
  test.each([500, 1000, 1022])('2^%i·[[2, 1], [1, 2]]: eigenvalues 2^k and 3·2^k (ascending), to a few ulps', (k) => {
    const { values } = symmetricEigen(scaled(k));
    expect(values).toHaveLength(2);
    expect(Math.abs(values[0] - 2 ** k)).toBeLessThanOrEqual(4 * EPS * 3 * 2 ** k);
    expect(Math.abs(values[1] - 3 * 2 ** k)).toBeLessThanOrEqual(4 * EPS * 3 * 2 ** k);
  });

  test('the eigenvectors rotate too: (1, ∓1)/√2 up to sign, at 2^1000', () => {
    const { vectors } = symmetricEigen(scaled(1000), { vectors: true });
    const v = (vectors as NonNullable<typeof vectors>).to2DArray();
    for (let j = 0; j < 2; j++) {
      expect(Math.abs(v[0][j])).toBeCloseTo(Math.SQRT1_2, 14);
      expect(Math.abs(v[1][j])).toBeCloseTo(Math.SQRT1_2, 14);
    }
    expect(Math.sign(v[0][0] * v[1][0])).toBe(-1); // λ = 2^k: (1, −1)
    expect(Math.sign(v[0][1] * v[1][1])).toBe(1); // λ = 3·2^k: (1, 1)
  });

  test('κ of 2^1000·[[2, 1], [1, 2]] is 3, as at 2^0', () => {
    expect(conditionNumber(scaled(0))).toBeCloseTo(3, 14);
    expect(conditionNumber(scaled(1000))).toBeCloseTo(3, 14);
  });

  test('a negligible off-diagonal entry next to huge diagonals is still skipped: diag(±2^1000, ±2^1001) + 2^900 off the diagonal', () => {
    // |a_pq| = 2^900 ≤ ε·√2^1000·√2^1001 ≈ 2^948.5 (with either sign of either diagonal): no rotation at all, so the
    // eigenvalues are the diagonal exactly and the eigenvectors e_1, e_2 exactly (a rotation would tilt them by
    // ≈ 2^900/2^1001; a threshold ε·√|a_pp|/√|a_qq|, or √ of a negative diagonal, would rotate).
    for (const [s, u] of [
      [1, 1],
      [-1, -1],
      [-1, 1],
      [1, -1],
    ]) {
      const { values, vectors } = symmetricEigen(
        [
          [s * 2 ** 1000, 2 ** 900],
          [2 ** 900, u * 2 ** 1001],
        ],
        { vectors: true },
      );
      const d = [s * 2 ** 1000, u * 2 ** 1001];
      expect(values).toEqual([...d].sort((x, y) => x - y));
      const first = d[0] < d[1] ? 0 : 1;
      const e = [
        [1, 0],
        [0, 1],
      ];
      expect((vectors as NonNullable<typeof vectors>).to2DArray()).toEqual(first === 0 ? e : [[0, 1], [1, 0]]);
    }
  });

  test('the threshold past overflow, at its boundary: |a_pq| = ε·√2^1000·√2^1000 = 2^948 is skipped, the next float up is rotated', () => {
    const at = symmetricEigen(
      [
        [2 ** 1000, 2 ** 948],
        [2 ** 948, 2 ** 1000],
      ],
      { vectors: true },
    );
    expect(at.values).toEqual([2 ** 1000, 2 ** 1000]);
    expect((at.vectors as NonNullable<typeof at.vectors>).to2DArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    // One ulp above: θ = 0, t = 1, the eigenvalues 2^1000 ∓ a_pq (exact).
    const up = 2 ** 948 * (1 + EPS);
    expect(
      symmetricEigen([
        [2 ** 1000, up],
        [up, 2 ** 1000],
      ]).values,
    ).toEqual([2 ** 1000 - up, 2 ** 1000 + up]);
  });
});

describe('symmetricEigen: the skip threshold below overflow, bit for bit as before', () => {
  test('|a_pq| = ε·√(1·1) is skipped (≤, not <): diag(1, 1) + ε off the diagonal stays diag(1, 1), vectors I', () => {
    const { values, vectors } = symmetricEigen(
      [
        [1, EPS],
        [EPS, 1],
      ],
      { vectors: true },
    );
    expect(values).toEqual([1, 1]);
    expect((vectors as NonNullable<typeof vectors>).to2DArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  test('the threshold is √ of the product, not the product of the roots: [[±2, x], [x, ±8]], x = 4ε(1 + 2^−52)', () => {
    // ε·√16 = 4ε < x, so x is rotated (t ≈ x/6: the eigenvectors tilt, the eigenvalues move by x²/6 ≈ 1e−31, below an
    // ulp); ε·√2·√8 = ε·4.000000000000001 = x would have skipped it. The same with the diagonals' signs flipped (|·|).
    expect(Math.sqrt(2) * Math.sqrt(8)).toBe(4 * (1 + EPS));
    const x = 4 * EPS * (1 + EPS);
    for (const s of [1, -1]) {
      const { values, vectors } = symmetricEigen(
        [
          [2 * s, x],
          [x, 8 * s],
        ],
        { vectors: true },
      );
      expect(values).toEqual(s > 0 ? [2, 8] : [-8, -2]);
      const v = (vectors as NonNullable<typeof vectors>).to2DArray();
      // t = 1/(θ + √(θ² + 1)) with θ = ±6/(2x): |t| = 1/(2|θ|) to an ulp, = x/6.
      const off = Math.min(Math.abs(v[0][0]), Math.abs(v[1][0])); // column 0's small component (either order)
      expect(off).toBeGreaterThan(0);
      near(off, x / 6, 4);
    }
  });

  test('the product\'s |·| with one negative diagonal: [[−4, 2ε], [2ε, 1]] is skipped (ε·√|−4·1| = 2ε)', () => {
    const { values, vectors } = symmetricEigen(
      [
        [-4, 2 * EPS],
        [2 * EPS, 1],
      ],
      { vectors: true },
    );
    expect(values).toEqual([-4, 1]);
    expect((vectors as NonNullable<typeof vectors>).to2DArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});

describe('symmetricEigen: off-diagonal entries past MAX_VALUE/2 (the symmetrizing mean and θ)', () => {
  test('[[0, 1.5e308], [1.5e308, 0]]: eigenvalues ∓1.5e308 exactly, vectors (1, ∓1)/√2', () => {
    // The mean of 1.5e308 and 1.5e308 is 1.5e308 (the sum overflows); θ = 0 (2a_pq overflows, the halves give 0/a_pq),
    // t = 1, c = s = 1/√2, and the diagonal becomes 0 ∓ 1.5e308.
    const { values, vectors } = symmetricEigen(
      [
        [0, 1.5e308],
        [1.5e308, 0],
      ],
      { vectors: true },
    );
    expect(values).toEqual([-1.5e308, 1.5e308]);
    expect((vectors as NonNullable<typeof vectors>).to2DArray()).toEqual([
      [C45, C45],
      [-C45, C45],
    ]);
  });

  test('a mean past MAX_VALUE/2 is the exact mean: a_01 = 1.5e308, a_10 two ulps above it', () => {
    // ulp(1.5e308) = 2^971; the mean 1.5e308 + 2^971 is a float, and ½a + ½b gives it exactly.
    const a = 1.5e308;
    const b = a + 2 ** 972;
    expect(b - a).toBe(2 ** 972);
    const { values } = symmetricEigen([
      [0, a],
      [b, 0],
    ]);
    expect(values).toEqual([-(a + 2 ** 971), a + 2 ** 971]);
  });

  test('subnormal off-diagonal entries keep ½(a + b): [[0, MIN], [MIN, 0]] has eigenvalues ∓MIN', () => {
    // ½(MIN + MIN) = MIN, where ½MIN + ½MIN would round to 0 + 0 and leave diag(0, 0).
    expect(symmetricEigen([
      [0, MIN],
      [MIN, 0],
    ]).values).toEqual([-MIN, MIN]);
  });

  test('2a_pq overflows, a_qq − a_pp does not: 10^307·[[3, 9], [9, 5]], eigenvalues 10^307·(4 ∓ √82)', () => {
    // θ = (2.5e307 − 1.5e307)/9e307 ≈ 0.111, not 0 (which would give 10^307·(3 − 9, 5 + 9) = (−6e307, 1.4e308)).
    const { values } = symmetricEigen([
      [3e307, 9e307],
      [9e307, 5e307],
    ]);
    near(values[0], -5.055385138137416e307, 4);
    near(values[1], 1.3055385138137417e308, 4);
  });

  test('a_qq − a_pp overflows, 2a_pq does not: 10^307·[[−10, 8], [8, 10]], eigenvalues ∓10^307·√164', () => {
    // θ = (5e307 + 5e307)/8e307 = 1.25, not ∞ (which would give t = 0 and the diagonal ∓1e308 back).
    const { values } = symmetricEigen([
      [-1e308, 8e307],
      [8e307, 1e308],
    ]);
    near(values[0], -1.2806248474865697e308, 4);
    near(values[1], 1.2806248474865697e308, 4);
  });

  test('θ below overflow is (a_qq − a_pp)/(2a_pq), bit for bit: [[MIN, 1/4], [1/4, 0]]', () => {
    // θ = −MIN/(1/2) = −2·MIN < 0, so t = −1 (the halves would give (0 − ½MIN)/(1/4) = (0 − 0)/(1/4) = 0 and t = +1):
    // c = 1/√2, s = −1/√2, a_00 = MIN + 1/4 = 1/4 and a_11 = −1/4, so the ascending order is (a_11, a_00) and the
    // eigenvector columns are (−s, c) = (1/√2, 1/√2)… taken from V = [[c, s], [−s, c]]: column 1 (s, c), then column 0.
    const { values, vectors } = symmetricEigen(
      [
        [MIN, 0.25],
        [0.25, 0],
      ],
      { vectors: true },
    );
    expect(values).toEqual([-0.25, 0.25]);
    expect((vectors as NonNullable<typeof vectors>).to2DArray()).toEqual([
      [-C45, C45],
      [C45, C45],
    ]);
  });
});
