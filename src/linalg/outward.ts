/**
 * Certified intervals in float64: a rational interval [lo, hi] (from exact inertia bisection, src/linalg/
 * inertia.ts) as the largest float64 ≤ lo and the smallest float64 ≥ hi, so that the float bounds still
 * certify; products of positive intervals; the relative distance of a float from an interval. Used wherever a
 * certified result is reported as numbers (OBS-1's conditioning, `deltastn theory conditioning`).
 */
import { exactFromFloat, toNumber, toRationalString, type Rational } from './exact.js';
import type { CertifiedInterval } from './inertia.js';
import { relativeError } from '../tolerance.js';

/** A certified interval for a condition number, as outward-rounded float64 bounds and exact rationals. */
export interface CertifiedBound {
  /** A float64 ≤ the true value (rounded down from `loExact`). */
  lo: number;
  /** A float64 ≥ the true value (rounded up from `hiExact`). */
  hi: number;
  /** The exact lower bound as a rational string "p/q". */
  loExact: string;
  /** The exact upper bound as a rational string "p/q". */
  hiExact: string;
}

/** The float64 next to x, up or down (the smallest subnormal away from 0). */
export function nextFloat(x: number, up: boolean): number {
  if (x === 0) return up ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, (x > 0) === up ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

/** The float64 nearest to a rational (exact rounding for any size of numerator and denominator: exact.ts). */
export function toFloat(q: Rational): number {
  return toNumber(q);
}

/**
 * The largest float64 ≤ q (`up` false) or the smallest float64 ≥ q (`up` true). x = {@link toFloat}(q) is the
 * float nearest q (exact.ts `toNumber`: correctly rounded; ±MAX_VALUE within half an ulp beyond the range,
 * ±Infinity further out). If x is on the wanted side it is the answer: its neighbour towards q lies on the other
 * side, else that neighbour would be nearer q. Otherwise q lies strictly between x and its neighbour away from q,
 * which is the answer (±Infinity past ±MAX_VALUE).
 */
export function roundOutward(q: Rational, up: boolean): number {
  const x = toFloat(q);
  if (x === Infinity) return up ? Infinity : Number.MAX_VALUE;
  if (x === -Infinity) return up ? -Number.MAX_VALUE : -Infinity;
  const cmp = exactFromFloat(x).compare(q);
  const holds = up ? cmp >= 0 : cmp <= 0;
  return holds ? x : nextFloat(x, up);
}

/** The interval as outward-rounded float64 bounds and exact rational strings. */
export function toBound(iv: CertifiedInterval): CertifiedBound {
  return { lo: roundOutward(iv.lo, false), hi: roundOutward(iv.hi, true), loExact: toRationalString(iv.lo), hiExact: toRationalString(iv.hi) };
}

/** [a, b]·[c, d] = [ac, bd] for intervals of positive numbers (condition numbers). */
export function productInterval(x: CertifiedInterval, y: CertifiedInterval): CertifiedInterval {
  return { lo: x.lo.mul(y.lo), hi: x.hi.mul(y.hi) };
}

/** Whether two intervals share a point. */
export function intersects(x: CertifiedInterval, y: CertifiedInterval): boolean {
  return x.lo.compare(y.hi) <= 0 && y.lo.compare(x.hi) <= 0;
}

/** Relative distance of a float64 from a rational interval (0 inside). */
export function distanceToInterval(x: number, iv: CertifiedInterval): number {
  const q = exactFromFloat(x);
  if (q.compare(iv.lo) < 0) return relativeError(x, toFloat(iv.lo));
  if (q.compare(iv.hi) > 0) return relativeError(x, toFloat(iv.hi));
  return 0;
}
