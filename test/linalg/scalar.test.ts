/** The shared scalar functions (src/linalg/scalar.ts): identities, stability at extreme arguments, typed errors. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { sigmoid, softplus, softplusInverse } from '../../src/linalg/scalar.js';

const finite = fc.double({ min: -700, max: 700, noNaN: true });

describe('scalar functions', () => {
  test('sigmoid(x) + sigmoid(−x) = 1 and softplus(x) − softplus(−x) = x, to rounding', () => {
    fc.assert(
      fc.property(finite, (x) => {
        expect(Math.abs(sigmoid(x) + sigmoid(-x) - 1)).toBeLessThanOrEqual(2 * Number.EPSILON);
        expect(Math.abs(softplus(x) - softplus(-x) - x)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(x)));
      }),
      { seed: 1, numRuns: 500 },
    );
  });

  test('sigmoid is the derivative of softplus (central differences, h = 1e-5)', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (x) => {
        const h = 1e-5;
        expect(Math.abs((softplus(x + h) - softplus(x - h)) / (2 * h) - sigmoid(x))).toBeLessThan(1e-8);
      }),
      { seed: 2, numRuns: 300 },
    );
  });

  test('softplus⁻¹ inverts softplus on (0, ∞), relative 1e-13', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-300, max: 1e300, noNaN: true }), (y) => {
        expect(Math.abs(softplus(softplusInverse(y)) - y)).toBeLessThanOrEqual(1e-13 * y);
      }),
      { seed: 3, numRuns: 500 },
    );
    expect(softplusInverse(1)).toBeCloseTo(0.5413248546, 10);
  });

  test('no overflow at extreme arguments', () => {
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
    expect(softplusInverse(1e308)).toBe(1e308);
  });

  test('softplus⁻¹ outside (0, ∞) is a typed error naming the argument', () => {
    for (const y of [0, -1, Infinity, NaN]) expect(() => softplusInverse(y, 'scale[2]')).toThrow(InvalidArgumentError);
    expect(() => softplusInverse(0, 'scale[2]')).toThrow(/scale\[2\]/);
  });
});
