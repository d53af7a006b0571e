/**
 * APP-E step B4, certified: the constant of the explicit σ⁴ bound for weight decay, by interval arithmetic
 * with outward rounding and branch and bound (`docs/math.md#s4-2`; proof in
 * `proofs/APP-E.md`, step B4).
 *
 * @remarks
 * In an eigenbasis of A, an eigenvalue a gives u = e^{λ₀}/(a + e^{λ₀}) ∈ (0, 1), and with s = σ² the STN bias
 * and Proposition B's approximation of that component are, relative to $w^*_i$,
 * $-B/(1+B)$ with $B = u\,\mathrm{expm1}(s/2) - su^2e^s/(1-u+(1+s)ue^{s/2})$, and $-\tfrac12su(1-2u)$. The ratio
 * $$R(u,s) = \frac{|{-B/(1+B)} + \tfrac12su(1-2u)|}{\tfrac12s^2u(1+2u)}$$
 * is 0/0 at u = 0 and at s = 0, so we evaluate the algebraically equal form, with y = s/2,
 * $E_0 = e^y$, $E_1(x) = (e^x-1)/x$, $E_2 = (e^y-1-y)/y^2$ (power series with positive coefficients),
 * $P = E_1(y)/2 + E_0$, $D = 1 + usP$, $\beta = E_1(y)/2 - uE_0^2/D$ (so B = usβ),
 * $$N = \tfrac14E_2 + u\,\frac{uP - E_1(s)}{D} - \tfrac12(1-2u)\,u\,\beta,\qquad R = \frac{2|N|}{(1+us\beta)(1+2u)},$$
 * which has no removable singularity on the closed box [0, 1] × [0, s_max]. Its u → 0 limit is
 * $K(s) = E_2(s/2)/2 = 2(e^{s/2}-1-s/2)/s^2$, increasing in s, ¼ at s = 0.
 *
 * Every elementary operation (+, −, ×, ÷ of IEEE doubles, correctly rounded) is widened by one ulp each way,
 * and each series is a partial sum plus a bound on its tail, so every interval computed contains the true
 * value (no Math.exp is trusted). Branch and bound on boxes [u₀, u₁] × [s₀, s₁] proves
 * $\sup_{u\in[0,1]}R(u,s) \le K(s) + \tau$ for every s ∈ [0, s_max], by showing for each box that the
 * enclosure of R lies below the lower enclosure of K(s₀) + τ (K is increasing, so K(s₀) ≤ K(s)).
 */
import { InvalidArgumentError, NonFiniteError } from '../../errors.js';

/** A closed interval [lo, hi] of reals, lo ≤ hi. */
export type Interval = readonly [number, number];

/**
 * A double strictly above x: x + (2⁻⁵¹|x| + 2⁻¹⁰⁷⁴). For normal x the exact increment is at least two ulps of x
 * and rounding to nearest loses at most half of one, so the result exceeds x; for 0 and subnormal x it is
 * x + 2⁻¹⁰⁷⁴ exactly. (Two ulps of slack instead of one, for a rule without bit manipulation.)
 */
export function nextUp(x: number): number {
  return x + (Math.abs(x) * 2 ** -51 + Number.MIN_VALUE);
}

/** A double strictly below x (the mirror of {@link nextUp}). */
export function nextDown(x: number): number {
  return x - (Math.abs(x) * 2 ** -51 + Number.MIN_VALUE);
}

function widen(lo: number, hi: number): Interval {
  return [nextDown(lo), nextUp(hi)];
}

function min4(a: number, b: number, c: number, d: number): number {
  return Math.min(Math.min(a, b), Math.min(c, d));
}

function max4(a: number, b: number, c: number, d: number): number {
  return Math.max(Math.max(a, b), Math.max(c, d));
}

/** Interval sum, widened outward by one ulp. */
export function iAdd(a: Interval, b: Interval): Interval {
  return widen(a[0] + b[0], a[1] + b[1]);
}

/** Interval difference a − b, widened outward by one ulp. */
export function iSub(a: Interval, b: Interval): Interval {
  return widen(a[0] - b[1], a[1] - b[0]);
}

/** Interval product, widened outward by one ulp. */
export function iMul(a: Interval, b: Interval): Interval {
  const p0 = a[0] * b[0];
  const p1 = a[0] * b[1];
  const p2 = a[1] * b[0];
  const p3 = a[1] * b[1];
  return widen(min4(p0, p1, p2, p3), max4(p0, p1, p2, p3));
}

/** Interval quotient a / b for b not containing 0 (else InvalidArgumentError naming `b`). */
export function iDiv(a: Interval, b: Interval): Interval {
  if (!(b[0] > 0 || b[1] < 0)) throw new InvalidArgumentError('b', 'an interval that does not contain 0', `[${b[0]}, ${b[1]}]`);
  const p0 = a[0] / b[0];
  const p1 = a[0] / b[1];
  const p2 = a[1] / b[0];
  const p3 = a[1] / b[1];
  return widen(min4(p0, p1, p2, p3), max4(p0, p1, p2, p3));
}

/** A point as an interval. */
export function iPoint(x: number): Interval {
  return [x, x];
}

/**
 * An enclosure of $S_j(x) = \sum_{k\ge0} x^k/(k+j)!$ for a point x ∈ [0, 8]: S₀ = eˣ, S₁ = (eˣ−1)/x,
 * S₂ = (eˣ−1−x)/x². Partial sum of `terms` terms in interval arithmetic plus the tail bound
 * $x^{N}/(N+j)!\cdot1/(1 - x/(N+j+1))$ (N = `terms`), valid once N + j + 1 > x.
 */
export function seriesEnclosure(x: number, j: 0 | 1 | 2, terms = 40): Interval {
  if (!Number.isFinite(x)) throw new NonFiniteError('x', x);
  if (!(x >= 0 && x <= 8)) throw new InvalidArgumentError('x', 'x ∈ [0, 8]', x);
  if (!Number.isInteger(terms) || terms < 1 || !(terms + j + 1 > x)) throw new InvalidArgumentError('terms', `an integer ≥ 1 with terms + ${j + 1} > x = ${x} (for the tail bound)`, terms);
  // term_k = x^k/(k+j)!, term_0 = 1/j!
  let term: Interval = j === 2 ? [0.5, 0.5] : [1, 1];
  let sum: Interval = term;
  const px = iPoint(x);
  for (let k = 1; k < terms; k++) {
    term = iDiv(iMul(term, px), iPoint(k + j));
    sum = iAdd(sum, term);
  }
  // tail: Σ_{k ≥ N} x^k/(k+j)! ≤ term_N/(1 − x/(N+j+1)), term_N = term_{N−1}·x/(N+j)
  const termN = iDiv(iMul(term, px), iPoint(terms + j));
  const ratio = iDiv(px, iPoint(terms + j + 1));
  const tail = iDiv(termN, iSub(iPoint(1), ratio));
  return [sum[0], iAdd(sum, [0, tail[1]])[1]];
}

/** Enclosures at the points bisection revisits (box corners repeat), one map per j, keyed by x. */
const seriesCache: Map<number, Interval>[] = [new Map(), new Map(), new Map()];

function cachedSeries(x: number, j: 0 | 1 | 2): Interval {
  const cache = seriesCache[j];
  let hit = cache.get(x);
  if (hit === undefined) {
    hit = seriesEnclosure(x, j);
    if (cache.size > 100_000) cache.clear();
    cache.set(x, hit);
  }
  return hit;
}

/** An enclosure of S_j over x ∈ [lo, hi] ⊂ [0, 8]: S_j is increasing there, so the endpoints suffice. */
function seriesOver(x: Interval, j: 0 | 1 | 2): Interval {
  return [cachedSeries(x[0], j)[0], cachedSeries(x[1], j)[1]];
}

/** Enclosure of K(s) = E₂(s/2)/2 = 2(e^{s/2} − 1 − s/2)/s² over s ∈ [lo, hi] ⊂ [0, 16]. */
export function kEnclosure(s: Interval): Interval {
  const e2 = seriesOver([s[0] / 2, s[1] / 2], 2);
  return [e2[0] / 2, e2[1] / 2]; // halving is exact
}

/** Enclosure of R(u, s) over the box u × s (u ⊂ [0, 1], s ⊂ [0, 8]); null where a denominator may vanish. */
export function ratioEnclosure(u: Interval, s: Interval): Interval | null {
  const y: Interval = [s[0] / 2, s[1] / 2];
  const e0 = seriesOver(y, 0);
  const e1y = seriesOver(y, 1);
  const e2 = seriesOver(y, 2);
  const e1s = seriesOver(s, 1);
  const half: Interval = [0.5, 0.5];
  const one: Interval = [1, 1];
  const p = iAdd(iMul(e1y, half), e0);
  const us = iMul(u, s);
  const d = iAdd(one, iMul(us, p));
  if (!(d[0] > 0)) return null;
  const beta = iSub(iMul(e1y, half), iDiv(iMul(u, iMul(e0, e0)), d));
  const n1: Interval = [e2[0] / 4, e2[1] / 4];
  const n2 = iDiv(iMul(u, iSub(iMul(u, p), e1s)), d);
  const n3 = iMul(iMul(iSub(one, iMul([2, 2], u)), u), iMul(beta, half));
  const n = iSub(iAdd(n1, n2), n3);
  const den = iMul(iAdd(one, iMul(us, beta)), iAdd(one, iMul([2, 2], u)));
  if (!(den[0] > 0)) return null;
  const absN: Interval = n[0] >= 0 ? n : n[1] <= 0 ? [-n[1], -n[0]] : [0, Math.max(-n[0], n[1])];
  return iDiv(iMul([2, 2], absN), den);
}

/** Result of {@link certifyPropositionBConstant}. */
export interface PropositionBCertificate {
  /** true when every box was closed: sup_u R(u, s) ≤ K(s) + τ for all s ∈ [0, sMax] */
  certified: boolean;
  /** s_max = σ_max² and τ as requested */
  sMax: number;
  tau: number;
  /** boxes evaluated, and the largest upper enclosure of R − K(s₀) over the closed boxes (≤ τ) */
  boxes: number;
  worstExcess: number;
  /** the first box that could not be closed within `maxBoxes`, if any */
  failedBox?: { u: Interval; s: Interval };
}

/**
 * Certifies $\sup_{u\in[0,1]}R(u,s) \le K(s) + \tau$ for all s ∈ [0, `sMax`] (`tau` = τ > 0) by branch and bound
 * (split the box along its relatively wider side, u-width against s-width/sMax). Deterministic; stops after
 * `maxBoxes` box evaluations with `certified: false`.
 * @throws InvalidArgumentError naming `sMax` (0 < s_max ≤ 8), `tau` (τ > 0) or `maxBoxes`.
 */
export function certifyPropositionBConstant(sMax = 4, tau = 2e-3, maxBoxes = 200_000): PropositionBCertificate {
  if (!(sMax > 0 && sMax <= 8)) throw new InvalidArgumentError('sMax', '0 < s_max ≤ 8', sMax);
  if (!(tau > 0) || !Number.isFinite(tau)) throw new InvalidArgumentError('tau', 'a finite τ > 0', tau);
  if (!Number.isInteger(maxBoxes) || maxBoxes < 1) throw new InvalidArgumentError('maxBoxes', 'an integer ≥ 1', maxBoxes);
  const stack: { u: Interval; s: Interval }[] = [{ u: [0, 1], s: [0, sMax] }];
  let boxes = 0;
  let worstExcess = -Infinity;
  while (stack.length > 0) {
    const box = stack.pop()!;
    if (++boxes > maxBoxes) return { certified: false, sMax, tau, boxes: boxes - 1, worstExcess, failedBox: box };
    const r = ratioEnclosure(box.u, box.s);
    const k0 = kEnclosure([box.s[0], box.s[0]])[0];
    if (r !== null) {
      const excess = iSub([r[1], r[1]], [k0, k0])[1];
      if (excess <= tau) {
        worstExcess = Math.max(worstExcess, excess);
        continue;
      }
    }
    const uw = box.u[1] - box.u[0];
    const sw = (box.s[1] - box.s[0]) / sMax;
    if (uw >= sw) {
      const mid = 0.5 * (box.u[0] + box.u[1]);
      stack.push({ u: [box.u[0], mid], s: box.s }, { u: [mid, box.u[1]], s: box.s });
    } else {
      const mid = 0.5 * (box.s[0] + box.s[1]);
      stack.push({ u: box.u, s: [box.s[0], mid] }, { u: box.u, s: [mid, box.s[1]] });
    }
  }
  return { certified: true, sMax, tau, boxes, worstExcess };
}
