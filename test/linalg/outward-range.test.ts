/**
 * Outward rounding at the edge of the float64 range, and exactFromFloat on non-finite input: a rational q with
 * MAX_VALUE < q < MAX_VALUE + ½ulp rounds to MAX_VALUE, which is below q, so the smallest float64 ≥ q is +Infinity
 * (and symmetrically −Infinity below −MAX_VALUE). These once never returned: the outward step reached ±Infinity
 * and exactFromFloat(±Infinity) doubled forever.
 */
import { describe, expect, test } from 'vitest';
import { NonFiniteError } from '../../src/errors.js';
import { exactFromFloat } from '../../src/linalg/exact.js';
import { roundOutward } from '../../src/linalg/outward.js';

describe('roundOutward beyond ±MAX_VALUE by less than half an ulp', () => {
  const above = exactFromFloat(Number.MAX_VALUE).add(exactFromFloat(1));
  const below = exactFromFloat(-Number.MAX_VALUE).sub(exactFromFloat(1));

  test('q = MAX_VALUE + 1: down MAX_VALUE, up +Infinity', () => {
    expect(roundOutward(above, false)).toBe(Number.MAX_VALUE);
    expect(roundOutward(above, true)).toBe(Infinity);
  });

  test('q = −MAX_VALUE − 1: down −Infinity, up −MAX_VALUE', () => {
    expect(roundOutward(below, false)).toBe(-Infinity);
    expect(roundOutward(below, true)).toBe(-Number.MAX_VALUE);
  });
});

test('exactFromFloat refuses NaN and ±Infinity with a typed error', () => {
  for (const x of [Number.NaN, Infinity, -Infinity]) expect(() => exactFromFloat(x)).toThrow(NonFiniteError);
  expect(exactFromFloat(Number.MAX_VALUE).compare(exactFromFloat(2 ** 1023))).toBe(1);
});
