/**
 * Killing tests for src/linalg/outward.ts (README, "Mutation testing"): the cases test/linalg/outward.test.ts does
 * not reach — the step below 0, a rational just past the float range whose inward neighbour is ±∞, an upper end
 * that is not a float, intervals that touch or come in the other order, and a float below an interval.
 */
import { describe, expect, test } from 'vitest';
import { exactFromFloat, math } from '../../src/linalg/exact.js';
import { distanceToInterval, intersects, nextFloat, roundOutward, toBound } from '../../src/linalg/outward.js';
import { relativeError } from '../../src/tolerance.js';

describe('nextFloat and roundOutward near 0 and past MAX_VALUE', () => {
  test('the floats next to 0 are ±MIN_VALUE (5e-324), for either sign of zero', () => {
    expect(nextFloat(0, true)).toBe(Number.MIN_VALUE);
    expect(nextFloat(0, false)).toBe(-Number.MIN_VALUE);
    expect(nextFloat(-0, false)).toBe(-Number.MIN_VALUE);
  });

  test('q = −10⁻⁴⁰⁰: the largest float ≤ q is −MIN_VALUE, the smallest ≥ q is (negative) zero', () => {
    const q = math.fraction(-1n, 10n ** 400n);
    expect(roundOutward(q, false)).toBe(-Number.MIN_VALUE);
    expect(roundOutward(q, true) === 0).toBe(true);
  });

  test('q = MAX_VALUE + 1 (its nearest float is MAX_VALUE, whose upward neighbour is +∞): the largest float ≤ q is MAX_VALUE', () => {
    // The inward search stops at the non-finite neighbour instead of comparing ±∞ with q (exactFromFloat takes finite x).
    const max = exactFromFloat(Number.MAX_VALUE);
    expect(roundOutward(max.add(1), false)).toBe(Number.MAX_VALUE);
    expect(roundOutward(max.add(1).neg(), true)).toBe(-Number.MAX_VALUE);
  });
});

describe('toBound, intersects, distanceToInterval: the cases either way round', () => {
  test('toBound rounds the upper end up: [1/3, 2/3] gives hi the float just above 2/3 (the nearest float is below it)', () => {
    const b = toBound({ lo: math.fraction(1, 3), hi: math.fraction(2, 3) });
    expect(exactFromFloat(b.hi).compare(math.fraction(2, 3))).toBe(1);
    expect(exactFromFloat(nextFloat(b.hi, false)).compare(math.fraction(2, 3))).toBe(-1);
    expect(exactFromFloat(b.lo).compare(math.fraction(1, 3))).toBe(-1);
    expect(b).toMatchObject({ loExact: '1/3', hiExact: '2/3' });
  });

  test('intervals that share one end point intersect, in either order; disjoint ones do not, in either order', () => {
    const a = { lo: math.fraction(1, 3), hi: math.fraction(1, 2) };
    const touching = { lo: math.fraction(1, 2), hi: math.fraction(2) };
    const far = { lo: math.fraction(2), hi: math.fraction(3) };
    expect([intersects(a, touching), intersects(touching, a)]).toEqual([true, true]);
    expect([intersects(a, far), intersects(far, a)]).toEqual([false, false]);
    expect([intersects(touching, far), intersects(far, touching)]).toEqual([true, true]);
  });

  test('distanceToInterval: a float below the interval is measured from its lower end, above from its upper end, 0 at the ends', () => {
    const iv = { lo: math.fraction(1, 4), hi: math.fraction(1, 2) };
    expect(distanceToInterval(0.125, iv)).toBe(relativeError(0.125, 0.25)); // 0.5
    expect(distanceToInterval(1, iv)).toBe(relativeError(1, 0.5)); // 0.5
    expect(distanceToInterval(0.25, iv)).toBe(0);
    expect(distanceToInterval(0.5, iv)).toBe(0);
  });
});
