/** toIntegerMatrix (src/linalg/exact.ts): A = N/D exactly, with D the least common denominator. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { math, toIntegerMatrix } from '../../src/linalg/exact.js';
import { rationalMatrixArb } from '../../src/theory/generators.js';

describe('toIntegerMatrix', () => {
  test('N/D equals A entry by entry, D > 0 is the lcm of the denominators', () => {
    fc.assert(
      fc.property(rationalMatrixArb(3, 2, 9, 12), (a) => {
        const [N, D] = toIntegerMatrix(a);
        expect(D > 0n).toBe(true);
        a.forEach((row, i) => row.forEach((x, j) => expect(math.fraction(N[i][j], D).equals(x)).toBe(true)));
        const lcm = a.flat().reduce((l, x) => {
          let [p, q] = [l, x.d];
          while (q !== 0n) [p, q] = [q, p % q];
          return (l / p) * x.d;
        }, 1n);
        expect(D).toBe(lcm);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  test('a negative entry keeps its sign in N', () => {
    const [N, D] = toIntegerMatrix([[math.fraction(-1, 2), math.fraction(1, 3)]]);
    expect(D).toBe(6n);
    expect(N).toEqual([[-3n, 2n]]);
  });
});
