/**
 * Killing tests for src/theory/appE/certified.ts (README, "Mutation testing"): APP-E step B4's certified constant,
 * interval arithmetic with outward rounding and branch and bound (docs/math.md#s4-2, proofs/APP-E.md step B4).
 * test/theory/APP-E.test.ts checks the certificate itself; these pin the pieces, each against an oracle that does not
 * share its code:
 * - `nextUp` / `nextDown` against exact dyadic values worked by hand (1 ± 2⁻⁵¹, 0 ± 2⁻¹⁰⁷⁴, 2⁵² ± 2, …);
 * - `iAdd`, `iSub`, `iMul`, `iDiv` against the endpoint formulas with the documented widening x ± (2⁻⁵¹|x| + 2⁻¹⁰⁷⁴)
 *   recomputed here, over the four sign patterns (so that each of the four products / quotients is the minimum in one
 *   case and the maximum in another), and iDiv's zero-containing divisors at each boundary (0 at either end);
 * - `seriesEnclosure` against the partial sum and the tail bound x^N/(N+j)!/(1 − x/(N+j+1)) summed here in plain
 *   float64 for N = 1, 2, 3 (where the tail is large, so every piece of it is visible), and against e^x, (e^x−1)/x,
 *   (e^x−1−x)/x² to 22 digits (mpmath, 40 digits) for the default 40 terms, x = 0 … 8 (both ends of the domain);
 * - `kEnclosure` as half of S₂(s/2) (exact halving) and against K(s) = 2(e^{s/2}−1−s/2)/s² (mpmath);
 * - `ratioEnclosure` against R(u, s) = 2|N|/((1+usβ)(1+2u)) evaluated in mpmath at point boxes with N > 0, N < 0 and
 *   N = 0 (u = ½, s = 0: N(u, 0) = ⅛ − 5u/4 + 5u²/2 − u³ by hand, so R(¼, 0) = 1/16, R(1, 0) = ¼, R(½, 0) = 0), boxes
 *   whose enclosure of N straddles 0 on either side (then the lower end is 0 widened twice: −2·2⁻¹⁰⁷⁴), and the three
 *   ways to get null (D ≤ 0, D ∋ 0, the denominator ≤ 0) with u outside [0, 1], which the function accepts;
 * - `certifyPropositionBConstant`: the order in which boxes are popped, derived by hand from the rule (split the
 *   relatively wider side, the u side on a tie, push left then right, pop the right), read off through `failedBox` for
 *   maxBoxes = 1…8; a full small certificate against a recursive re-implementation of the branch and bound on the
 *   exported enclosures; the boundaries τ = worstExcess and maxBoxes = boxes; every typed error by class, argument and
 *   exact message (maxBoxes = 1 wherever a mutant would otherwise run a whole certificate, and at most 1,000 in the
 *   full runs, so that a mutant that never closes a box stops early).
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import {
  certifyPropositionBConstant,
  iAdd,
  iDiv,
  iMul,
  iPoint,
  iSub,
  kEnclosure,
  nextDown,
  nextUp,
  ratioEnclosure,
  seriesEnclosure,
  type Interval,
} from '../../src/theory/appE/certified.js';
import { expectThrows } from './throws.js';

const MIN = Number.MIN_VALUE;

/** The documented widening, recomputed: x + (2⁻⁵¹|x| + 2⁻¹⁰⁷⁴) and its mirror. */
const up = (x: number): number => x + (Math.abs(x) * 2 ** -51 + MIN);
const down = (x: number): number => x - (Math.abs(x) * 2 ** -51 + MIN);

/** `iv` contains `v` (the double nearest a true value that `iv` encloses, see the reference values below). */
function expectContains(iv: Interval | null, v: number, what = ''): void {
  expect(iv, what).not.toBeNull();
  expect(iv![0], `${what} lower`).toBeLessThanOrEqual(v);
  expect(iv![1], `${what} upper`).toBeGreaterThanOrEqual(v);
}

function expectRelClose(actual: number, expected: number, tol: number, what = ''): void {
  expect(Number.isFinite(actual), what).toBe(true);
  expect(Math.abs(actual - expected), what).toBeLessThanOrEqual(tol * Math.abs(expected));
}

// Reference values: mpmath at 40 digits, rounded to the nearest double T̃ of the true value T. A valid enclosure
// [lo, hi] of T with double ends contains T̃: lo ≤ T gives lo ≤ ⌊T⌋ (the largest double ≤ T) ≤ T̃, and hi ≥ ⌈T⌉ ≥ T̃.
// S_j(x) = Σ x^k/(k+j)!: S₀ = eˣ, S₁ = (eˣ−1)/x, S₂ = (eˣ−1−x)/x².
const S_REF: Record<number, readonly [number, number, number]> = {
  0: [1, 1, 0.5],
  0.5: [1.6487212707001282, 1.2974425414002564, 0.5948850828005126],
  1: [2.718281828459045, 1.7182818284590453, 0.7182818284590452],
  2: [7.38905609893065, 3.194528049465325, 1.0972640247326626],
  3: [20.085536923187668, 6.361845641062556, 1.7872818803541852],
  8: [2980.9579870417283, 372.49474838021604, 46.436843547527005],
};
/** K(s) = 2(e^{s/2} − 1 − s/2)/s² (¼ at s = 0). */
const K_REF: Record<number, number> = {
  0: 0.25,
  1: 0.2974425414002563,
  2: 0.3591409142295226,
  4: 0.5486320123663313,
  8: 1.5499421885357574,
  16: 23.218421773763502,
};

/** Σ_{k<n} x^k/(k+j)! and that plus the tail bound term_n/(1 − x/(n+j+1)), in plain float64 (no widening). */
function partialAndTail(x: number, j: number, n: number): [number, number] {
  let term = j === 2 ? 0.5 : 1;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += term;
    term = (term * x) / (k + 1 + j);
  }
  return [sum, sum + term / (1 - x / (n + j + 1))];
}

describe('nextUp / nextDown: x ± (2⁻⁵¹|x| + 2⁻¹⁰⁷⁴), exact values', () => {
  test('normal numbers: two ulps at a power of two (2⁻⁵¹ at 1, 2 at 2⁵²), both signs', () => {
    expect(nextUp(1)).toBe(1 + 2 ** -51);
    expect(nextDown(1)).toBe(1 - 2 ** -51);
    expect(nextUp(-1)).toBe(-1 + 2 ** -51);
    expect(nextDown(-1)).toBe(-1 - 2 ** -51);
    expect(nextUp(2 ** 52)).toBe(2 ** 52 + 2);
    expect(nextDown(2 ** 52)).toBe(2 ** 52 - 2);
    expect(nextUp(6)).toBe(6 + 3 * 2 ** -50);
    expect(nextDown(4)).toBe(4 - 2 ** -49);
  });

  test('0 and subnormals: exactly ± 2⁻¹⁰⁷⁴ (the relative part underflows)', () => {
    expect(nextUp(0)).toBe(MIN);
    expect(nextDown(0)).toBe(-MIN);
    expect(nextUp(-MIN)).toBe(0);
    expect(nextDown(MIN)).toBe(0);
    expect(nextUp(MIN)).toBe(2 * MIN);
    expect(nextDown(-MIN)).toBe(-2 * MIN);
  });
});

describe('interval arithmetic: endpoints, widened outward', () => {
  test('iPoint(x) = [x, x]', () => {
    expect(iPoint(0.3)).toEqual([0.3, 0.3]);
    expect(iPoint(-2)).toEqual([-2, -2]);
  });

  test('iAdd: [a₀ + b₀, a₁ + b₁] widened', () => {
    expect(iAdd([1, 2], [3, 4])).toEqual([4 - 2 ** -49, 6 + 3 * 2 ** -50]);
    expect(iAdd([-1, 0.5], [0.25, 3])).toEqual([down(-0.75), up(3.5)]);
  });

  test('iSub: [a₀ − b₁, a₁ − b₀] widened', () => {
    expect(iSub([5, 6], [1, 2])).toEqual([down(3), up(5)]);
    expect(iSub([-1, 0.5], [0.25, 3])).toEqual([down(-4), up(0.25)]);
  });

  // The four sign patterns: each of a₀b₀, a₀b₁, a₁b₀, a₁b₁ is the minimum in one and the maximum in another.
  test('iMul: min and max of the four products, each product extreme in some sign pattern', () => {
    expect(iMul([1, 2], [3, 4])).toEqual([down(3), up(8)]); // min a₀b₀, max a₁b₁
    expect(iMul([-2, -1], [3, 4])).toEqual([down(-8), up(-3)]); // min a₀b₁, max a₁b₀
    expect(iMul([1, 2], [-4, -3])).toEqual([down(-8), up(-3)]); // min a₁b₀, max a₀b₁
    expect(iMul([-2, -1], [-4, -3])).toEqual([down(3), up(8)]); // min a₁b₁, max a₀b₀
    expect(iMul([-1, 2], [3, 4])).toEqual([down(-4), up(8)]);
    expect(iMul([-3, 2], [-5, 4])).toEqual([down(-12), up(15)]);
  });

  test('iDiv: min and max of the four quotients, each quotient extreme in some sign pattern', () => {
    expect(iDiv([1, 2], [4, 8])).toEqual([down(0.125), up(0.5)]); // min a₀/b₁, max a₁/b₀
    expect(iDiv([-2, -1], [4, 8])).toEqual([down(-0.5), up(-0.125)]); // min a₀/b₀, max a₁/b₁
    expect(iDiv([1, 2], [-8, -4])).toEqual([down(-0.5), up(-0.125)]); // min a₁/b₁, max a₀/b₀
    expect(iDiv([-2, -1], [-8, -4])).toEqual([down(0.125), up(0.5)]); // min a₁/b₀, max a₀/b₁
    expect(iDiv([-1, 3], [2, 4])).toEqual([down(-0.5), up(1.5)]);
  });

  test('iDiv: a divisor containing 0 (0 at either end included) is an InvalidArgumentError naming b', () => {
    const msg = (b: string): string => `b: expected an interval that does not contain 0, got "${b}"`;
    expectThrows(() => iDiv([1, 1], [-1, 1]), InvalidArgumentError, 'b', msg('[-1, 1]'));
    expectThrows(() => iDiv([1, 1], [0, 1]), InvalidArgumentError, 'b', msg('[0, 1]'));
    expectThrows(() => iDiv([1, 1], [-1, 0]), InvalidArgumentError, 'b', msg('[-1, 0]'));
    expectThrows(() => iDiv([1, 1], [0, 0]), InvalidArgumentError, 'b', msg('[0, 0]'));
    // Just off 0 on either side is accepted.
    expect(iDiv([1, 1], [MIN, 1])[1]).toBe(Infinity);
    expect(iDiv([1, 1], [-1, -MIN])[0]).toBe(-Infinity);
  });
});

describe('seriesEnclosure: partial sum plus tail bound', () => {
  test('few terms: [partial sum, partial sum + tail] as summed by hand, e.g. S₀(1) with 1 term = [1, 1 + 1/(1 − ½)] = [1, 3]', () => {
    // S₂(1), 3 terms: ½ + 1/6 + 1/24 = 17/24, tail (1/120)/(1 − 1/6) = 1/100.
    const s2 = seriesEnclosure(1, 2, 3);
    expectRelClose(s2[0], 17 / 24, 1e-14);
    expectRelClose(s2[1], 17 / 24 + 1 / 100, 1e-14);
    expect(seriesEnclosure(1, 0, 1)[0]).toBe(1);
    expectRelClose(seriesEnclosure(1, 0, 1)[1], 3, 1e-14);
    for (const [x, j, n] of [
      [1, 0, 1],
      [1, 0, 3],
      [1, 1, 1],
      [1, 1, 2],
      [1, 2, 1],
      [1, 2, 3],
      [3, 0, 3],
      [3, 1, 2],
      [3, 2, 1],
      [2, 1, 3],
      [0.5, 2, 2],
    ] as const) {
      const [lo, hi] = partialAndTail(x, j, n);
      const iv = seriesEnclosure(x, j, n);
      expectRelClose(iv[0], lo, 1e-14, `S_${j}(${x}), ${n} terms, lower`);
      expectRelClose(iv[1], hi, 1e-14, `S_${j}(${x}), ${n} terms, upper`);
      expect(iv[0]).toBeLessThanOrEqual(lo);
      expect(iv[1]).toBeGreaterThanOrEqual(hi);
      expectContains(iv, S_REF[x][j], `S_${j}(${x}), ${n} terms`);
    }
  });

  test('40 terms (the default): contains the 22-digit value and is a few ulps wide, x = 0 … 8 (both ends of the domain)', () => {
    for (const x of [0, 0.5, 1, 2, 3, 8]) {
      for (const j of [0, 1, 2] as const) {
        const iv = seriesEnclosure(x, j);
        expectContains(iv, S_REF[x][j], `S_${j}(${x})`);
        expect(iv[1] - iv[0], `S_${j}(${x}) width`).toBeLessThanOrEqual(5e-14 * S_REF[x][j]);
        expect(seriesEnclosure(x, j, 40)).toEqual(iv);
      }
    }
    // −0 is in the domain and encloses the same values as 0, bit for bit.
    for (const j of [0, 1, 2] as const) {
      const a = seriesEnclosure(-0, j);
      const b = seriesEnclosure(0, j);
      expect(Object.is(a[0], b[0]) && Object.is(a[1], b[1])).toBe(true);
    }
  });

  test('x non-finite: NonFiniteError naming x', () => {
    for (const [x, s] of [
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
    ] as const) {
      expectThrows(() => seriesEnclosure(x, 0), NonFiniteError, 'x', `x: expected a finite number, got ${s}`);
    }
  });

  test('x outside [0, 8] (just outside either end): InvalidArgumentError naming x', () => {
    const above = 8 + 2 ** -49;
    expect(above).toBeGreaterThan(8);
    expectThrows(() => seriesEnclosure(-MIN, 0), InvalidArgumentError, 'x', 'x: expected x ∈ [0, 8], got -5e-324');
    expectThrows(() => seriesEnclosure(above, 1), InvalidArgumentError, 'x', `x: expected x ∈ [0, 8], got ${above}`);
    expectThrows(() => seriesEnclosure(-1, 2), InvalidArgumentError, 'x', 'x: expected x ∈ [0, 8], got -1');
    expectThrows(() => seriesEnclosure(9, 0), InvalidArgumentError, 'x', 'x: expected x ∈ [0, 8], got 9');
  });

  test('terms: an integer ≥ 1 with terms + j + 1 > x (boundaries: terms = 1, terms + j + 1 = x)', () => {
    const msg = (j: number, x: number, t: number): string => `terms: expected an integer ≥ 1 with terms + ${j + 1} > x = ${x} (for the tail bound), got ${t}`;
    expectThrows(() => seriesEnclosure(0, 0, 0), InvalidArgumentError, 'terms', msg(0, 0, 0));
    expectThrows(() => seriesEnclosure(0.5, 1, -1), InvalidArgumentError, 'terms', msg(1, 0.5, -1));
    expectThrows(() => seriesEnclosure(0, 0, 1.5), InvalidArgumentError, 'terms', msg(0, 0, 1.5));
    expectThrows(() => seriesEnclosure(1, 2, NaN), InvalidArgumentError, 'terms', msg(2, 1, NaN));
    expectThrows(() => seriesEnclosure(3, 0, 2), InvalidArgumentError, 'terms', msg(0, 3, 2));
    expectThrows(() => seriesEnclosure(3, 1, 1), InvalidArgumentError, 'terms', msg(1, 3, 1));
    expectThrows(() => seriesEnclosure(4, 2, 1), InvalidArgumentError, 'terms', msg(2, 4, 1));
    // One past each boundary is accepted (terms = 3 first: a loop mutated to run while k ≥ terms fails here, not hangs).
    expectRelClose(seriesEnclosure(3, 0, 3)[0], 8.5, 1e-14);
    expect(seriesEnclosure(0, 0, 1)[0]).toBe(1);
    expect(seriesEnclosure(3, 2, 1)[0]).toBe(0.5);
    expect(seriesEnclosure(2, 1, 1)[0]).toBe(1);
  });
});

describe('kEnclosure: K(s) = S₂(s/2)/2 over [s₀, s₁]', () => {
  test('exactly half of S₂ at s₀/2 (lower) and s₁/2 (upper)', () => {
    for (const [a, b] of [
      [0, 0],
      [1, 1],
      [0, 4],
      [2, 8],
      [16, 16],
    ] as const) {
      const k = kEnclosure([a, b]);
      expect(k).toEqual([seriesEnclosure(a / 2, 2)[0] / 2, seriesEnclosure(b / 2, 2)[1] / 2]);
    }
  });

  test('contains K(s) (mpmath), a few ulps wide; over an interval, [K(s₀), K(s₁)] (K increasing)', () => {
    for (const s of [0, 1, 2, 4, 8, 16]) {
      const k = kEnclosure([s, s]);
      expectContains(k, K_REF[s], `K(${s})`);
      expect(k[1] - k[0]).toBeLessThanOrEqual(5e-14 * K_REF[s]);
    }
    const k = kEnclosure([1, 8]);
    expectRelClose(k[0], K_REF[1], 1e-13);
    expectRelClose(k[1], K_REF[8], 1e-13);
  });
});

describe('ratioEnclosure: R(u, s) over a box', () => {
  // R(u, s) at the double inputs, mpmath at 40 digits, to the nearest double; N is the signed numerator (R = 2|N|/den).
  const POINTS: readonly (readonly [number, number, number])[] = [
    [0.9, 4, 0.08672760504800452], // N > 0
    [0.5, 2, 0.024724415233769784], // N > 0
    [1, 8, 0.0503662421875145], // N > 0, the far corner
    [0.75, 8, 0.0382120918920445], // N > 0
    [0.05, 0.5, 0.12127515676576203], // N > 0
    [0, 4, K_REF[4]], // u = 0: R = K(s)
    [0, 0, 0.25], // R(0, 0) = K(0)
    [1, 0, 0.25], // N(1, 0) = ⅜, den = 3
    [0.3, 0.7, 0.05681651622730222], // N < 0
    [0.15, 1, 0.03313965167741348], // N < 0
    [0.25, 0, 0.0625], // N(¼, 0) = −3/64, den = 3/2: R = 1/16
  ];

  test('point boxes: contains R (N > 0, N < 0, s = 0, u = 0, both corners) and is tight', () => {
    for (const [u, s, ref] of POINTS) {
      const r = ratioEnclosure([u, u], [s, s]);
      expectContains(r, ref, `R(${u}, ${s})`);
      expect(r![1] - r![0], `R(${u}, ${s}) width`).toBeLessThanOrEqual(5e-12 * ref);
      expect(r![0], `R(${u}, ${s}) lower`).toBeGreaterThan(0);
    }
  });

  test('u = ½, s = 0: N = ⅛ − 5/8 + 5/8 − ⅛ = 0, the enclosure of N straddles 0: [−2·2⁻¹⁰⁷⁴, tiny]', () => {
    const r = ratioEnclosure([0.5, 0.5], [0, 0])!;
    expect(r[0]).toBe(-2 * MIN);
    expect(r[1]).toBeGreaterThan(0);
    expect(r[1]).toBeLessThan(1e-13);
  });

  test('boxes whose N-enclosure straddles 0: lower end 0 (widened twice), upper end at least sup R over the box', () => {
    // u ∈ [0, 0.1], s = 1: N from +0.149 (u = 0) to +0.011, the enclosure reaches below 0; sup R = R(0, 1) = K(1).
    const a = ratioEnclosure([0, 0.1], [1, 1])!;
    expect(a[0]).toBe(-2 * MIN);
    expect(a[1]).toBeGreaterThanOrEqual(K_REF[1]);
    expectRelClose(a[1], K_REF[1], 1e-13);
    // u ∈ [0.115, 0.12], s = 1: N from −0.0013 to −0.0049 (mostly below 0), the enclosure reaches above 0.
    const b = ratioEnclosure([0.115, 0.12], [1, 1])!;
    expect(b[0]).toBe(-2 * MIN);
    for (const ref of [0.0020588708063627617, 0.004851643050410443, 0.007546999538662605]) {
      expect(b[1]).toBeGreaterThanOrEqual(ref);
    }
    expect(b[1]).toBeLessThan(0.05);
    // a wide box: still a valid enclosure
    const c = ratioEnclosure([0.05, 0.5], [1, 1])!;
    expect(c[0]).toBe(-2 * MIN);
    expect(c[1]).toBeGreaterThanOrEqual(0.1150743150232174);
  });

  test('a box with N < 0 throughout (enclosure below 0): [2|N|_min, 2|N|_max]/den, contains R at both ends', () => {
    const r = ratioEnclosure([0.15, 0.15], [1, 1])!;
    expectContains(r, 0.03313965167741348);
    // u ∈ [0.116, 0.118] at s = 1: N ∈ [−0.0044, −0.0021], enclosure entirely below 0.
    const b = ratioEnclosure([0.116, 0.118], [1, 1])!;
    expect(b[0]).toBeGreaterThan(0);
    expect(b[1]).toBeLessThan(0.01);
  });

  test('null where a denominator may vanish: D < 0, D ∋ 0, (1 + usβ)(1 + 2u) ≤ 0 (u outside [0, 1]), and the wide first box', () => {
    // u = −0.45, s = 1: D = 1 − 0.45·2.297 < 0 while (1 + usβ)(1 + 2u) > 0.
    expect(ratioEnclosure([-0.45, -0.45], [1, 1])).toBeNull();
    // u ∈ [−1, 0], s = 4: D ∋ 0 (dividing by it would throw).
    expect(ratioEnclosure([-1, 0], [4, 4])).toBeNull();
    expect(ratioEnclosure([-1, -1], [4, 4])).toBeNull();
    // u = −1, s = 0.1: D ≈ 0.84 > 0 but 1 + 2u = −1.
    expect(ratioEnclosure([-1, -1], [0.1, 0.1])).toBeNull();
    // The whole box [0, 1] × [0, 4]: D ≥ 1 but the enclosure of the denominator reaches 0.
    expect(ratioEnclosure([0, 1], [0, 4])).toBeNull();
    expect(ratioEnclosure([0, 1], [0, 8])).toBeNull();
  });
});

/**
 * The branch and bound re-implemented recursively on the exported enclosures (right half first, as a stack pops),
 * giving up after 1,000 boxes (so that a mutant that loosens the enclosures cannot make it run for long).
 */
function branchAndBound(sMax: number, tau: number): { boxes: number; worstExcess: number } {
  let boxes = 0;
  let worst = -Infinity;
  const visit = (u: Interval, s: Interval): void => {
    if (++boxes > 1000) throw new Error('the reference branch and bound did not finish within 1,000 boxes');
    const r = ratioEnclosure(u, s);
    if (r !== null) {
      const excess = up(r[1] - kEnclosure([s[0], s[0]])[0]);
      if (excess <= tau) {
        worst = Math.max(worst, excess);
        return;
      }
    }
    if (u[1] - u[0] >= (s[1] - s[0]) / sMax) {
      const m = (u[0] + u[1]) / 2;
      visit([m, u[1]], s);
      visit([u[0], m], s);
    } else {
      const m = (s[0] + s[1]) / 2;
      visit(u, [m, s[1]]);
      visit(u, [s[0], m]);
    }
  };
  visit([0, 1], [0, sMax]);
  return { boxes, worstExcess: worst };
}

describe('certifyPropositionBConstant: branch and bound', () => {
  // sMax = 4: the first boxes are too wide to close; the pop order, by hand: [0,1]×[0,4] ties (u-width 1 = s-width/4)
  // → split u, pop [½,1]×[0,4] → s wider → split s, pop [½,1]×[2,4] → tie → u: [¾,1]×[2,4] → s: [¾,1]×[3,4] → …
  const POPS: readonly { u: Interval; s: Interval }[] = [
    { u: [0.5, 1], s: [0, 4] },
    { u: [0.5, 1], s: [2, 4] },
    { u: [0.75, 1], s: [2, 4] },
    { u: [0.75, 1], s: [3, 4] },
    { u: [0.875, 1], s: [3, 4] },
    { u: [0.875, 1], s: [3.5, 4] },
    { u: [0.9375, 1], s: [3.5, 4] },
    { u: [0.9375, 1], s: [3.75, 4] },
  ];

  test('maxBoxes = m stops before the (m+1)-th box: certified false, boxes = m, that box, no box closed yet', () => {
    for (let m = 1; m <= POPS.length; m++) {
      const c = certifyPropositionBConstant(4, 1e-3, m);
      expect(c).toEqual({ certified: false, sMax: 4, tau: 1e-3, boxes: m, worstExcess: -Infinity, failedBox: POPS[m - 1] });
    }
  });

  test('sMax = 2: the relative widths (u-width against s-width/sMax) decide, with the same pop order scaled', () => {
    const c = certifyPropositionBConstant(2, 1e-3, 3);
    expect(c).toEqual({ certified: false, sMax: 2, tau: 1e-3, boxes: 3, worstExcess: -Infinity, failedBox: { u: [0.75, 1], s: [1, 2] } });
  });

  test('sMax = 8 (the upper boundary) is accepted', () => {
    const c = certifyPropositionBConstant(8, 0.5, 1);
    expect(c).toEqual({ certified: false, sMax: 8, tau: 0.5, boxes: 1, worstExcess: -Infinity, failedBox: { u: [0.5, 1], s: [0, 8] } });
  });

  test('a small full certificate (sMax = 1, τ = 0.05) agrees with the recursive branch and bound; its boundaries', () => {
    const ref = branchAndBound(1, 0.05);
    expect(ref.boxes).toBe(231);
    expect(ref.worstExcess).toBeLessThanOrEqual(0.05);
    expect(ref.worstExcess).toBeGreaterThan(0.04);
    const c = certifyPropositionBConstant(1, 0.05, 1000);
    expect(c).toEqual({ certified: true, sMax: 1, tau: 0.05, boxes: ref.boxes, worstExcess: ref.worstExcess });
    expect('failedBox' in c).toBe(false);
    // τ = worstExcess exactly: the same boxes close (excess ≤ τ), the same certificate.
    const tight = certifyPropositionBConstant(1, ref.worstExcess, 1000);
    expect(tight).toEqual({ certified: true, sMax: 1, tau: ref.worstExcess, boxes: ref.boxes, worstExcess: ref.worstExcess });
    // maxBoxes = boxes exactly suffices; one fewer does not.
    expect(certifyPropositionBConstant(1, 0.05, ref.boxes)).toEqual(c);
    const short = certifyPropositionBConstant(1, 0.05, ref.boxes - 1);
    expect(short.certified).toBe(false);
    expect(short.boxes).toBe(ref.boxes - 1);
    expect(short.worstExcess).toBeLessThanOrEqual(ref.worstExcess);
    expect(short.failedBox).toBeDefined();
  });

  test('a second small certificate (sMax = 0.5, τ = 0.05), against the recursive branch and bound', () => {
    const ref = branchAndBound(0.5, 0.05);
    expect(certifyPropositionBConstant(0.5, 0.05, 1000)).toEqual({ certified: true, sMax: 0.5, tau: 0.05, boxes: ref.boxes, worstExcess: ref.worstExcess });
  });

  test('sMax outside (0, 8] (0, just above 8, NaN): InvalidArgumentError naming sMax', () => {
    for (const [sMax, got] of [
      [0, '0'],
      [-1, '-1'],
      [8 + 2 ** -49, String(8 + 2 ** -49)],
      [9, '9'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
    ] as const) {
      expectThrows(() => certifyPropositionBConstant(sMax, 0.1, 1), InvalidArgumentError, 'sMax', `sMax: expected 0 < s_max ≤ 8, got ${got}`);
    }
  });

  test('tau not finite and > 0 (0, −1, NaN, ∞): InvalidArgumentError naming tau; a huge finite τ passes', () => {
    for (const [tau, got] of [
      [0, '0'],
      [-1, '-1'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
    ] as const) {
      expectThrows(() => certifyPropositionBConstant(1, tau, 1), InvalidArgumentError, 'tau', `tau: expected a finite τ > 0, got ${got}`);
    }
    // A huge finite τ is accepted: it closes every box whose enclosure exists; [0, 1] × [0, 1] has none (den ∋ 0).
    expect(certifyPropositionBConstant(1, 1e300, 1)).toEqual({ certified: false, sMax: 1, tau: 1e300, boxes: 1, worstExcess: -Infinity, failedBox: { u: [0.5, 1], s: [0, 1] } });
    expect(certifyPropositionBConstant(1, 1e300, 9).certified).toBe(true);
  });

  test('maxBoxes not an integer ≥ 1 (0, 1.5, NaN): InvalidArgumentError naming maxBoxes', () => {
    for (const [maxBoxes, got] of [
      [0, '0'],
      [-3, '-3'],
      [1.5, '1.5'],
      [NaN, 'NaN'],
    ] as const) {
      expectThrows(() => certifyPropositionBConstant(1, 0.05, maxBoxes), InvalidArgumentError, 'maxBoxes', `maxBoxes: expected an integer ≥ 1, got ${got}`);
    }
  });
});
