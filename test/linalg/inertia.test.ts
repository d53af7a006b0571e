/**
 * Certified eigenvalue bounds (src/linalg/inertia.ts), tested on matrices whose spectra are known
 * exactly: A = Q D Qᵀ with Q = (I − S)(I + S)⁻¹ the Cayley transform of a random rational skew-symmetric S
 * (so Q is rational and orthogonal) and D a rational diagonal, entries spanning 1 … 1e-12.
 */
import { test, fc } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../../src/errors.js';
import { conditionNumber } from '../../src/linalg/dense.js';
import {
  cayleyTransformQ,
  exactFromFloat,
  identityQ,
  math,
  multiplyQ,
  rationalMatrix,
  toNumber,
  toNumberMatrix,
  transposeQ,
  type Rational,
  type RationalMatrix,
} from '../../src/linalg/exact.js';
import {
  certifiedConditionNumber,
  certifiedEigenvalue,
  countEigenvaluesBelow,
  gershgorinBounds,
  inertia,
  inertiaAt,
  isPositiveDefiniteQ,
  type CertifyStats,
  type Inertia,
} from '../../src/linalg/inertia.js';
import { Rng } from '../../src/rng.js';
import { eigenRelTol } from '../../src/tolerance.js';

const q = (p: number | bigint, d: number | bigint = 1): Rational => math.fraction(BigInt(p), BigInt(d));
const ZERO = q(0);

function diagQ(d: readonly Rational[]): RationalMatrix {
  return d.map((x, i) => d.map((_, j) => (i === j ? x : ZERO)));
}

/** S D Sᵀ. */
function congruence(s: RationalMatrix, d: readonly Rational[]): RationalMatrix {
  return multiplyQ(multiplyQ(s, diagQ(d)), transposeQ(s));
}

function signsOf(d: readonly Rational[]): Inertia {
  const positive = d.filter((x) => x.s > 0n && x.n !== 0n).length;
  const negative = d.filter((x) => x.s < 0n && x.n !== 0n).length;
  return { positive, negative, zero: d.length - positive - negative };
}

/** A random rational skew-symmetric n×n matrix (entries p/q, |p| ≤ 5, q ≤ 4). */
function skewArb(n: number): fc.Arbitrary<RationalMatrix> {
  const m = (n * (n - 1)) / 2;
  return fc.array(fc.tuple(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 1, max: 4 })), { minLength: m, maxLength: m }).map((upper) => {
    const s: RationalMatrix = Array.from({ length: n }, () => new Array<Rational>(n).fill(ZERO));
    let t = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const [p, d] = upper[t++];
        s[i][j] = q(p, d);
        s[j][i] = q(-p, d);
      }
    }
    return s;
  });
}

/** A rational 10^(−e)·(p/8), p ∈ [8, 79]: a value in [10^(−e), 10^(1−e)). */
function scaledArb(maxE: number): fc.Arbitrary<Rational> {
  return fc.tuple(fc.integer({ min: 0, max: maxE }), fc.integer({ min: 8, max: 79 })).map(([e, p]) => q(p, 8n * 10n ** BigInt(e)));
}

interface KnownSpectrum {
  a: RationalMatrix;
  /** The eigenvalues of a, ascending. */
  spectrum: Rational[];
}

function sortQ(d: readonly Rational[]): Rational[] {
  return [...d].sort((x, y) => x.compare(y));
}

/**
 * SPD Q D Qᵀ with λ_max = 1 and λ_min = 10^(−E), E ∈ [0, 12] (so κ = 10^E ≤ 1e12), the other eigenvalues
 * in between, repeated eigenvalues allowed.
 */
function spdKnownArb(minN: number, maxN: number): fc.Arbitrary<KnownSpectrum> {
  return fc
    .integer({ min: minN, max: maxN })
    .chain((n) => fc.tuple(skewArb(n), fc.integer({ min: 0, max: 12 }), fc.array(scaledArb(12), { minLength: n, maxLength: n }), fc.boolean()))
    .map(([s, e, rest, repeat]) => {
      const n = s.length;
      const lo = q(1n, 10n ** BigInt(e));
      const d = rest.map((x) => (x.compare(lo) < 0 ? lo : x.compare(q(1)) > 0 ? q(1) : x));
      d[0] = q(1);
      if (n > 1) d[n - 1] = lo;
      if (repeat && n > 2) d[1] = d[n - 1];
      return { a: congruence(cayleyTransformQ(s), d), spectrum: sortQ(d) };
    });
}

/** Symmetric Q D Qᵀ with D of any signs, zeros included. */
function symmetricKnownArb(maxN: number): fc.Arbitrary<KnownSpectrum> {
  const entry = fc.oneof(scaledArb(12), scaledArb(12).map((x) => x.neg()), fc.constant(ZERO));
  return fc
    .integer({ min: 1, max: maxN })
    .chain((n) => fc.tuple(skewArb(n), fc.array(entry, { minLength: n, maxLength: n })))
    .map(([s, d]) => ({ a: congruence(cayleyTransformQ(s), d), spectrum: sortQ(d) }));
}

function contains(iv: { lo: Rational; hi: Rational }, x: Rational): boolean {
  return iv.lo.compare(x) <= 0 && x.compare(iv.hi) <= 0;
}

function minAbs(iv: { lo: Rational; hi: Rational }): Rational {
  return iv.lo.abs().compare(iv.hi.abs()) < 0 ? iv.lo.abs() : iv.hi.abs();
}

/** hi − lo ≤ relWidth·min(|lo|, |hi|), the width certifiedEigenvalue promises (relWidth given exactly). */
function narrow(iv: { lo: Rational; hi: Rational }, relWidth: Rational): boolean {
  return iv.hi.sub(iv.lo).compare(relWidth.mul(minAbs(iv))) <= 0;
}

/**
 * Reference inertia by Fraction Schur complements with 1×1 / 2×2 pivots — a different algorithm from the
 * module's fraction-free integer elimination, used only to cross-check it.
 */
function referenceInertia(a: RationalMatrix): Inertia {
  let s = a.map((row) => [...row]);
  let positive = 0;
  let negative = 0;
  while (s.length > 0) {
    const p = s.findIndex((row, i) => row[i].n !== 0n);
    if (p >= 0) {
      const d = s[p][p];
      if (d.s > 0n) positive++;
      else negative++;
      const keep = s.map((_, i) => i).filter((i) => i !== p);
      s = keep.map((i) => keep.map((j) => s[i][j].sub(s[i][p].mul(s[p][j]).div(d))));
      continue;
    }
    let qr: [number, number] | null = null;
    for (let i = 0; i < s.length && !qr; i++) for (let j = i + 1; j < s.length && !qr; j++) if (s[i][j].n !== 0n) qr = [i, j];
    if (!qr) break;
    const [qq, r] = qr;
    const b = s[qq][r];
    positive++;
    negative++;
    const keep = s.map((_, i) => i).filter((i) => i !== qq && i !== r);
    s = keep.map((i) => keep.map((j) => s[i][j].sub(s[i][qq].mul(s[r][j]).add(s[i][r].mul(s[qq][j])).div(b))));
  }
  return { positive, negative, zero: a.length - positive - negative };
}

/** Exact rank by Fraction row reduction (test helper). */
function rankQ(a: RationalMatrix): number {
  const m = a.map((row) => [...row]);
  let rank = 0;
  for (let c = 0; c < m[0].length && rank < m.length; c++) {
    const p = m.findIndex((row, i) => i >= rank && row[c].n !== 0n);
    if (p < 0) continue;
    [m[p], m[rank]] = [m[rank], m[p]];
    for (let i = rank + 1; i < m.length; i++) {
      const f = m[i][c].div(m[rank][c]);
      m[i] = m[i].map((x, j) => x.sub(f.mul(m[rank][j])));
    }
    rank++;
  }
  return rank;
}

describe('inertia (exact symmetric elimination)', () => {
  test('known inertias, including singular matrices and ones that need the 2×2 pivot', () => {
    const cases: [string[][] | number[][], Inertia][] = [
      [[[0, 1], [1, 0]], { positive: 1, negative: 1, zero: 0 }],
      [[[0, 0], [0, 0]], { positive: 0, negative: 0, zero: 2 }],
      [[[1, 0, 0], [0, -2, 0], [0, 0, 0]], { positive: 1, negative: 1, zero: 1 }],
      [[[0, 1, 0], [1, 0, 0], [0, 0, 0]], { positive: 1, negative: 1, zero: 1 }],
      // zero diagonal, rank 2: eigenvalues ±√2 and 0
      [[[0, 0, 1], [0, 0, 1], [1, 1, 0]], { positive: 1, negative: 1, zero: 1 }],
      // the 1×1 pivot on a₀₀ leaves the Schur complement [[0, 1], [1, 0]]: a 2×2 pivot after a 1×1 one
      [[[1, 1, 1], [1, 1, 2], [1, 2, 1]], { positive: 2, negative: 1, zero: 0 }],
      // [[0, B], [Bᵀ, 0]] with B = I₂: eigenvalues ±1, ±1; after the first 2×2 pivot another one is needed
      [[[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]], { positive: 2, negative: 2, zero: 0 }],
      [[['1/3', '1/2'], ['1/2', '3/4']], { positive: 1, negative: 0, zero: 1 }], // det = 1/4 − 1/4 = 0
      // J − I (zero diagonal): a 2×2 pivot first, then 1×1 pivots whose signs depend on the 2×2 update;
      // eigenvalues n − 1 and −1 (n − 1 times)
      [[[0, 1, 1], [1, 0, 1], [1, 1, 0]], { positive: 1, negative: 2, zero: 0 }],
      [[[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]], { positive: 1, negative: 3, zero: 0 }],
      // I − J: eigenvalues 1, 1, −2
      [[[0, -1, -1], [-1, 0, -1], [-1, -1, 0]], { positive: 2, negative: 1, zero: 0 }],
      [[[1, 2], [2, 4]], { positive: 1, negative: 0, zero: 1 }],
      [[[-1e-300]], { positive: 0, negative: 1, zero: 0 }],
    ];
    for (const [m, expected] of cases) expect(inertia(rationalMatrix(m))).toEqual(expected);
  });

  test.prop([fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }), fc.array(fc.constantFrom(-2, -1, 0, 0, 1, 3), { minLength: n, maxLength: n })))], { numRuns: 200 })(
    'inertia(S D Sᵀ) = signs of D for invertible S (Sylvester), zeros in D included',
    ([s, d]) => {
      const S = rationalMatrix(s);
      fc.pre(rankQ(S) === S.length);
      const D = d.map((x) => q(x));
      expect(inertia(congruence(S, D))).toEqual(signsOf(D));
    },
  );

  test.prop([fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })).chain(([p, r, k]) => fc.tuple(fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: k, maxLength: k }), { minLength: p, maxLength: p }), fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: k, maxLength: k }), { minLength: r, maxLength: r })))], { numRuns: 150 })(
    'inertia([[0, B], [Bᵀ, 0]]) = (rank B, rank B, n − 2 rank B): zero diagonal, 2×2 pivots only',
    ([u, v]) => {
      const B = multiplyQ(rationalMatrix(u), transposeQ(rationalMatrix(v))); // p×r of rank ≤ k
      const p = B.length;
      const r = B[0].length;
      const n = p + r;
      const a: RationalMatrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i < p && j >= p ? B[i][j - p] : i >= p && j < p ? B[j][i - p] : ZERO)));
      const rank = rankQ(B);
      expect(inertia(a)).toEqual({ positive: rank, negative: rank, zero: n - 2 * rank });
    },
  );

  test.prop([fc.integer({ min: 1, max: 7 }).chain((n) => fc.array(fc.array(fc.constantFrom(-1, 0, 0, 0, 1, 2), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }))], { numRuns: 300 })(
    'agrees with an independent Fraction LDLᵀ on sparse symmetric matrices (many zero pivots)',
    (m) => {
      const a = rationalMatrix(m.map((row, i) => row.map((_, j) => (i <= j ? m[i][j] : m[j][i]))));
      expect(inertia(a)).toEqual(referenceInertia(a));
    },
  );

  test.prop([fc.integer({ min: 2, max: 7 }).chain((n) => fc.array(fc.constantFrom(-2, -1, 0, 1, 1, 3), { minLength: (n * (n - 1)) / 2, maxLength: (n * (n - 1)) / 2 }).map((u) => ({ n, u })))], { numRuns: 300 })(
    'zero-diagonal symmetric matrices (every elimination starts with a 2×2 pivot) agree with the independent Fraction LDLᵀ',
    ({ n, u }) => {
      const a: RationalMatrix = Array.from({ length: n }, () => new Array<Rational>(n).fill(ZERO));
      let t = 0;
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i][j] = a[j][i] = q(u[t++]);
      expect(inertia(a)).toEqual(referenceInertia(a));
    },
  );

  test('typed errors: not symmetric, not square', () => {
    expect(() => inertia(rationalMatrix([[1, 2], [3, 4]]))).toThrow(NotSymmetricError);
    expect(() => inertia(rationalMatrix([[1, 2], [3, 4]]), 'G')).toThrow(/^G: /);
    expect(() => inertia(rationalMatrix([[1, 2, 3], [2, 4, 5]]))).toThrow(ShapeMismatchError);
  });
});

describe('countEigenvaluesBelow / inertiaAt', () => {
  test.prop([symmetricKnownArb(5)], { numRuns: 60 })('count(t) = #{λ < t} at, just below and just above every eigenvalue', ({ a, spectrum }) => {
    const tiny = q(1n, 10n ** 30n);
    for (const lambda of spectrum) {
      const below = spectrum.filter((x) => x.compare(lambda) < 0).length;
      const equal = spectrum.filter((x) => x.equals(lambda)).length;
      expect(countEigenvaluesBelow(a, lambda)).toBe(below);
      expect(inertiaAt(a, lambda)).toEqual({ negative: below, zero: equal, positive: spectrum.length - below - equal });
      expect(countEigenvaluesBelow(a, lambda.sub(tiny))).toBe(below);
      expect(countEigenvaluesBelow(a, lambda.add(tiny))).toBe(below + equal);
    }
  });

  test('accepts rational strings and numbers as the shift', () => {
    const a = rationalMatrix([[2, 1], [1, 2]]); // eigenvalues 1 and 3
    expect(countEigenvaluesBelow(a, '1')).toBe(0);
    expect(countEigenvaluesBelow(a, 1.5)).toBe(1);
    expect(inertiaAt(a, '3')).toEqual({ positive: 0, negative: 1, zero: 1 });
  });
});

describe('certifiedEigenvalue', () => {
  test.prop([spdKnownArb(1, 8)], { numRuns: 60 })('λ_min and λ_max of Q D Qᵀ (κ ≤ 1e12) lie in intervals of relative width ≤ 1e-12', ({ a, spectrum }) => {
    const rel = exactFromFloat(1e-12); // the default relWidth, as the exact dyadic the module uses
    for (const k of [0, a.length - 1]) {
      const iv = certifiedEigenvalue(a, k);
      expect(contains(iv, spectrum[k])).toBe(true);
      expect(narrow(iv, rel)).toBe(true);
    }
  });

  test.prop([symmetricKnownArb(5)], { numRuns: 60 })('every eigenvalue of an indefinite / singular Q D Qᵀ is certified (zero eigenvalues exactly)', ({ a, spectrum }) => {
    const rel = exactFromFloat(1e-12);
    spectrum.forEach((lambda, k) => {
      const iv = certifiedEigenvalue(a, k);
      expect(contains(iv, lambda)).toBe(true);
      if (lambda.n === 0n) expect(iv.lo.n === 0n && iv.hi.n === 0n).toBe(true);
      else expect(narrow(iv, rel)).toBe(true);
    });
  });

  test('widths beyond float64: relWidth 1e-30 and an absolute width', () => {
    const s = rationalMatrix([[0, '1/2', -1], ['-1/2', 0, '2/3'], [1, '-2/3', 0]]);
    const d = [q(1), q(1, 7n * 10n ** 6n), q(1, 3n * 10n ** 12n)];
    const a = congruence(cayleyTransformQ(s), d);
    const tight = certifiedEigenvalue(a, 0, { relWidth: 1e-30 });
    expect(contains(tight, d[2])).toBe(true);
    expect(narrow(tight, exactFromFloat(1e-30))).toBe(true);
    const loose = certifiedEigenvalue(a, 2, { relWidth: 0, absWidth: 0.5 });
    expect(contains(loose, d[0])).toBe(true);
    expect(loose.hi.sub(loose.lo).compare(q(1, 2)) <= 0).toBe(true);
    const mid = certifiedEigenvalue(a, 1, { relWidth: 1e-6 });
    expect(contains(mid, d[1])).toBe(true);
    expect(narrow(mid, exactFromFloat(1e-6))).toBe(true);
  });

  test('without usable float64 guesses (entries beyond 1e308, eigenvalues below 1e-308): galloping / geometric bisection', () => {
    const s = rationalMatrix([[0, '1/2', -1], ['-1/2', 0, '2/3'], [1, '-2/3', 0]]);
    const huge = [q(10n ** 400n), q(3), q(1, 7)];
    const a = congruence(cayleyTransformQ(s), huge); // fl(A) overflows: no float64 guess at all
    const stats: CertifyStats = { probes: 0, bisections: 0, solves: 0 };
    const rel = exactFromFloat(1e-12);
    for (const [k, lambda] of [[0, huge[2]], [1, huge[1]], [2, huge[0]]] as const) {
      const iv = certifiedEigenvalue(a, k, { stats });
      expect(contains(iv, lambda)).toBe(true);
      expect(narrow(iv, rel)).toBe(true);
    }
    expect(stats.solves).toBe(0);
    expect(stats.bisections).toBeLessThan(3 * 120); // plain bisection would need ~1400 for λ = 1/7
    const tiny = [q(1), q(1n, 10n ** 400n), q(1n, 3n * 10n ** 400n)];
    const b = congruence(cayleyTransformQ(s), tiny); // fl(A) is fine, but its λ_min guess is ~1e-17, not 1e-400
    const c = certifiedConditionNumber(b);
    expect(contains(c.lambdaMin, tiny[2])).toBe(true);
    expect(contains(c.kappa, q(3n * 10n ** 400n))).toBe(true);
    expect(narrow(c.kappa, exactFromFloat(1e-11))).toBe(true);
  });

  test('an exact rational eigenvalue hit by a probe is returned as [λ, λ]; n = 1', () => {
    expect(certifiedEigenvalue(rationalMatrix([[0]]), 0)).toEqual({ lo: ZERO, hi: ZERO });
    const one = certifiedEigenvalue(rationalMatrix([['1/3']]), 0);
    expect(contains(one, q(1, 3))).toBe(true);
    const zeroEig = certifiedEigenvalue(rationalMatrix([[1, 1], [1, 1]]), 0);
    expect(zeroEig.lo.n === 0n && zeroEig.hi.n === 0n).toBe(true);
  });

  test('typed errors: bad k, bad options, exhausted maxIterations, non-symmetric input', () => {
    const a = rationalMatrix([[2, 1], [1, 2]]);
    expect(() => certifiedEigenvalue(a, 2)).toThrow(InvalidArgumentError);
    expect(() => certifiedEigenvalue(a, -1)).toThrow(InvalidArgumentError);
    expect(() => certifiedEigenvalue(a, 0.5)).toThrow(InvalidArgumentError);
    expect(() => certifiedEigenvalue(a, 0, { relWidth: 0 })).toThrow(InvalidArgumentError);
    expect(() => certifiedEigenvalue(a, 0, { relWidth: -1 })).toThrow(InvalidArgumentError);
    expect(() => certifiedEigenvalue(a, 0, { relWidth: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => certifiedEigenvalue(a, 0, { absWidth: Infinity })).toThrow(InvalidArgumentError);
    expect(() => certifiedEigenvalue(a, 0, { maxIterations: 1.5 })).toThrow(InvalidArgumentError);
    // 1/3-ish eigenvalues are not dyadic, so 1e-40 relative needs bisection the cap forbids.
    const b = rationalMatrix([['1/3', '1/7'], ['1/7', '2/9']]);
    expect(() => certifiedEigenvalue(b, 0, { relWidth: 1e-40, maxIterations: 0 })).toThrow(/maxIterations/);
    expect(() => certifiedEigenvalue(rationalMatrix([[1, 2], [0, 1]]), 0)).toThrow(NotSymmetricError);
  });
});

describe('certifiedConditionNumber', () => {
  test.prop([spdKnownArb(1, 8)], { numRuns: 60 })(
    'the true κ lies in the certified interval (exactly), and the float64 κ in it widened by eigenRelTol(n, κ)',
    ({ a, spectrum }) => {
      const n = a.length;
      const trueKappa = spectrum[n - 1].div(spectrum[0]);
      const c = certifiedConditionNumber(a);
      expect(contains(c.lambdaMin, spectrum[0])).toBe(true);
      expect(contains(c.lambdaMax, spectrum[n - 1])).toBe(true);
      expect(contains(c.kappa, trueKappa)).toBe(true);
      expect(c.kappa.lo.equals(c.lambdaMax.lo.div(c.lambdaMin.hi)) && c.kappa.hi.equals(c.lambdaMax.hi.div(c.lambdaMin.lo))).toBe(true);
      // κ's interval is at most (1 + 1e-12)²/(1 − 1e-12)… wide: check a loose 1e-11 relative.
      expect(narrow(c.kappa, exactFromFloat(1e-11))).toBe(true);
      const kFloat = conditionNumber(toNumberMatrix(a));
      const tol = eigenRelTol(n, toNumber(trueKappa));
      expect(kFloat).toBeGreaterThanOrEqual(toNumber(c.kappa.lo) * (1 - tol));
      expect(kFloat).toBeLessThanOrEqual(toNumber(c.kappa.hi) * (1 + tol));
    },
  );

  test('n = 4, 8, 12 at κ = 1e12: 2 exact inertia counts and ≤ 2 exact solves, no bisection (the guesses hold)', () => {
    const rng = new Rng(20240607);
    for (const n of [4, 8, 12]) {
      const s: RationalMatrix = Array.from({ length: n }, () => new Array<Rational>(n).fill(ZERO));
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
        s[i][j] = q(rng.int(-3, 3), rng.int(1, 4));
        s[j][i] = s[i][j].neg();
      }
      const d = Array.from({ length: n }, (_, i) => q(1n, 10n ** BigInt(Math.round((12 * i) / (n - 1)))));
      const a = congruence(cayleyTransformQ(s), d);
      const stats: CertifyStats = { probes: 0, bisections: 0, solves: 0 };
      const c = certifiedConditionNumber(a, { stats });
      expect(contains(c.kappa, q(10n ** 12n))).toBe(true);
      expect(narrow(c.kappa, exactFromFloat(1e-11))).toBe(true);
      expect(stats).toEqual({ probes: 2, bisections: 0, solves: stats.solves });
      expect(stats.solves).toBeLessThanOrEqual(2);
    }
  });

  test('wide eigenvalue intervals (relWidth 1e-2): κ interval = [λmax.lo/λmin.hi, λmax.hi/λmin.lo] still contains κ', () => {
    const s = rationalMatrix([[0, 2, '-1/3'], [-2, 0, '1/4'], ['1/3', '-1/4', 0]]);
    const d = [q(5), q(1, 3), q(2, 10n ** 9n)];
    const c = certifiedConditionNumber(congruence(cayleyTransformQ(s), d), { relWidth: 1e-2 });
    expect(contains(c.kappa, d[0].div(d[2]))).toBe(true);
    expect(c.kappa.hi.equals(c.lambdaMax.hi.div(c.lambdaMin.lo))).toBe(true);
    expect(c.kappa.lo.equals(c.lambdaMax.lo.div(c.lambdaMin.hi))).toBe(true);
  });

  test('an absolute width that stops λ_min at lo ≤ 0 is tightened until lo > 0 (no 1e300 upper bound)', () => {
    const s = rationalMatrix([[0, 1, '1/2'], [-1, 0, 2], ['-1/2', -2, 0]]);
    const d = [q(1), q(1, 1000), q(1, 10n ** 12n)];
    const a = congruence(cayleyTransformQ(s), d);
    const c = certifiedConditionNumber(a, { relWidth: 0, absWidth: 0.25 });
    expect(c.lambdaMin.lo.s > 0n && c.lambdaMin.lo.n !== 0n).toBe(true);
    expect(contains(c.kappa, q(10n ** 12n))).toBe(true);
    expect(toNumber(c.kappa.hi)).toBeLessThan(1e300);
  });

  test('NotPositiveDefiniteError naming the argument for indefinite and singular matrices', () => {
    expect(() => certifiedConditionNumber(rationalMatrix([[0, 1], [1, 0]]))).toThrow(NotPositiveDefiniteError);
    expect(() => certifiedConditionNumber(rationalMatrix([[1, 1], [1, 1]]), {}, 'G')).toThrow(NotPositiveDefiniteError);
    expect(() => certifiedConditionNumber(rationalMatrix([[1, 1], [1, 1]]), {}, 'G')).toThrow(/^G: .*inertia \(\+1, −0, 0×1\)/);
    expect(() => certifiedConditionNumber(rationalMatrix([[-1, 0], [0, -2]]))).toThrow(NotPositiveDefiniteError);
    // PD up to a tiny negative eigenvalue: −1e-40 is invisible to float64
    const s = rationalMatrix([[0, '1/3'], ['-1/3', 0]]);
    const a = congruence(cayleyTransformQ(s), [q(1), q(-1n, 10n ** 40n)]);
    expect(() => certifiedConditionNumber(a)).toThrow(NotPositiveDefiniteError);
    expect(() => certifiedConditionNumber(rationalMatrix([[1, 2], [3, 4]]))).toThrow(NotSymmetricError);
  });

  test('identity and 1×1 matrices: κ = 1 exactly inside', () => {
    const c = certifiedConditionNumber(identityQ(4));
    expect(contains(c.kappa, q(1))).toBe(true);
    const one = certifiedConditionNumber(rationalMatrix([['5/3']]));
    expect(contains(one.kappa, q(1))).toBe(true);
  });
});

describe('gershgorinBounds / isPositiveDefiniteQ', () => {
  test.prop([symmetricKnownArb(5)], { numRuns: 40 })('every eigenvalue lies in the Gershgorin interval', ({ a, spectrum }) => {
    const g = gershgorinBounds(a);
    for (const lambda of spectrum) expect(contains(g, lambda)).toBe(true);
    expect(isPositiveDefiniteQ(a)).toBe(spectrum.every((x) => x.s > 0n && x.n !== 0n));
  });
});
