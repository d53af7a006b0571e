/** Outward rounding (src/linalg/outward.ts): the float bounds certify the rational interval and are the tightest. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { exactFromFloat, math } from '../../src/linalg/exact.js';
import { distanceToInterval, intersects, nextFloat, productInterval, roundOutward, toBound } from '../../src/linalg/outward.js';

const rationalArb = fc.tuple(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.bigInt({ min: 1n, max: 10n ** 40n })).map(([p, q]) => math.fraction(p, q));

describe('outward rounding', () => {
  test('roundOutward(q, down) ≤ q ≤ roundOutward(q, up), and one float further crosses q (tight)', () => {
    fc.assert(
      fc.property(rationalArb, (q) => {
        const lo = roundOutward(q, false);
        const hi = roundOutward(q, true);
        expect(exactFromFloat(lo).compare(q) <= 0 && exactFromFloat(hi).compare(q) >= 0).toBe(true);
        expect(exactFromFloat(nextFloat(lo, true)).compare(q) > 0 || exactFromFloat(lo).equals(q)).toBe(true);
        expect(exactFromFloat(nextFloat(hi, false)).compare(q) < 0 || exactFromFloat(hi).equals(q)).toBe(true);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  test('a dyadic rational rounds to itself both ways; beyond the float range the upper bound is +∞', () => {
    const q = math.fraction(3, 8);
    expect([roundOutward(q, false), roundOutward(q, true)]).toEqual([0.375, 0.375]);
    expect(roundOutward(math.fraction(10n ** 400n, 1n), true)).toBe(Infinity);
    expect(roundOutward(math.fraction(10n ** 400n, 1n), false)).toBe(Number.MAX_VALUE);
    expect(roundOutward(math.fraction(-(10n ** 400n), 1n), true)).toBe(-Number.MAX_VALUE);
    expect(roundOutward(math.fraction(-(10n ** 400n), 1n), false)).toBe(-Infinity);
    // Numerator and denominator far beyond 2^1024 (the old shift-based conversion lost all but a few bits here
    // and the outward search never ended): the bounds are the tight ones.
    const huge = math.fraction(3n * 10n ** 700n + 1n, 7n * 10n ** 700n);
    const lo = roundOutward(huge, false);
    const hi = roundOutward(huge, true);
    expect(exactFromFloat(lo).compare(huge) < 0 && exactFromFloat(hi).compare(huge) > 0).toBe(true);
    expect(nextFloat(lo, true)).toBe(hi);
    expect(roundOutward(math.fraction(1n, 10n ** 400n), false)).toBe(0);
    expect(roundOutward(math.fraction(1n, 10n ** 400n), true)).toBe(Number.MIN_VALUE);
  });

  test('toBound keeps the exact ends as strings; products, intersection and distance of intervals', () => {
    const a = { lo: math.fraction(1, 3), hi: math.fraction(1, 2) };
    const b = { lo: math.fraction(2), hi: math.fraction(3) };
    expect(toBound(a)).toMatchObject({ loExact: '1/3', hiExact: '1/2', hi: 0.5 });
    expect(exactFromFloat(toBound(a).lo).compare(a.lo)).toBe(-1);
    const p = productInterval(a, b);
    expect([p.lo.equals(math.fraction(2, 3)), p.hi.equals(math.fraction(3, 2))]).toEqual([true, true]);
    expect(intersects(a, b)).toBe(false);
    expect(intersects(a, p)).toBe(false);
    expect(intersects(a, { lo: math.fraction(2, 5), hi: math.fraction(1) })).toBe(true);
    expect(distanceToInterval(0.4, a)).toBe(0);
    expect(distanceToInterval(1, a)).toBeCloseTo(0.5, 12); // |1 − 1/2| / max(1, 1/2)
  });
});
