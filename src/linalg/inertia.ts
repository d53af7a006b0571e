/**
 * Certified eigenvalue bounds for rational symmetric matrices, without trusting a single floating-point
 * eigenvalue.
 *
 * @remarks
 * Sylvester's law of inertia: for any invertible S, S A Sᵀ has as many positive, negative and zero
 * eigenvalues as A. Symmetric Gaussian elimination A = L D Lᵀ (with symmetric permutations, and 2×2
 * pivots [[a, b], [b, c]] when every remaining diagonal entry is 0; such a block has ac − b² < 0 when
 * a = c = 0, b ≠ 0, hence inertia (1, 1, 0)) is a congruence, so counting the signs of D in exact
 * arithmetic gives the inertia (n₊, n₋, n₀) of A exactly. Applied to A − tI it counts the eigenvalues of
 * A below, above and at t. Bisection on t then yields intervals [lo, hi] ⊂ ℚ of any requested width that
 * provably contain λ_min(A) and λ_max(A), hence certified bounds on κ(A) = λ_max/λ_min.
 *
 * Speed (measured in bench/linalg.ts; wording and design ours):
 * - the elimination runs fraction-free on integers (Bareiss): A − tI is scaled by the common
 *   denominator once, every intermediate entry is then a minor of that integer matrix (so each division
 *   is exact) and the sign of the k-th pivot of D is sign(M_k)·sign(M_{k−1}) for the leading minors M_k
 *   of the pivoted matrix. No gcd is ever taken, which is what makes Fraction elimination slow;
 * - the bisection starts from a bracket around a guess that is verified exactly. The guess comes from
 *   float64 Jacobi when that is accurate enough, and otherwise from Rayleigh-quotient iteration whose
 *   solves and Rayleigh quotients are exact (float64 cannot see λ_min of a rounded matrix with κ = 1e12
 *   to better than about 1e-4 relative: rounding A moves λ_min by up to ε‖A‖);
 * - for λ_min and λ_max one side of the bracket is free: the exact Rayleigh quotient of the guess's vector
 *   bounds λ_min from above and λ_max from below (Courant–Fischer).
 * So certifying κ costs two exact eliminations and one or two exact solves instead of ~80–160 bisection
 * steps (n = 12, κ = 1e12: from 3.6 s to a few ms; bench/linalg.ts).
 */
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../errors.js';
import { exactFromFloat, gcdBig, isSymmetricQ, math, rational, ratioToNumber, toNumber, type Rational, type RationalLike, type RationalMatrix } from './exact.js';
import type { Matrix } from 'ml-matrix';
import { symmetricEigen, type SymmetricEigen } from './dense.js';

/** Inertia of a symmetric matrix: how many eigenvalues are positive, negative and zero. */
export interface Inertia {
  positive: number;
  negative: number;
  zero: number;
}

/** A rational symmetric matrix as an integer matrix over one positive common denominator: A = num/den. */
interface ScaledMatrix {
  n: number;
  num: bigint[][];
  den: bigint;
}

function assertSymmetricSquare(a: RationalMatrix, name: string): void {
  if (!Array.isArray(a) || a.length === 0) throw new ShapeMismatchError(name, 'a non-empty square matrix', Array.isArray(a) ? 'an empty array' : typeof a);
  const n = a.length;
  for (let i = 0; i < n; i++) if (!Array.isArray(a[i]) || a[i].length !== n) throw new ShapeMismatchError(name, 'a square matrix', `${n} rows, row ${i} of length ${Array.isArray(a[i]) ? a[i].length : '?'}`);
  if (!isSymmetricQ(a)) throw new NotSymmetricError(name, 'exact symmetry required for an inertia count');
}

function scale(a: RationalMatrix): ScaledMatrix {
  const n = a.length;
  let den = 1n;
  for (const row of a) for (const x of row) if (x.d !== 1n && den % x.d !== 0n) den = (den / gcdBig(den, x.d)) * x.d;
  const num = a.map((row) => row.map((x) => x.s * x.n * (den / x.d)));
  return { n, num, den };
}

/** A positive multiple of A − tI as an integer matrix (a fresh copy, which the elimination may overwrite). */
function shifted(m: ScaledMatrix, t: Rational): bigint[][] {
  const g = gcdBig(m.den, t.d);
  const fa = t.d / g; // L = lcm(den, t.d) = den·fa = t.d·ft
  const ft = m.den / g;
  const tn = t.s * t.n * ft;
  return m.num.map((row, i) => row.map((x, j) => (i === j ? x * fa - tn : fa === 1n ? x : x * fa)));
}

/**
 * One fraction-free (Bareiss) symmetric pivot on the diagonal entry b_pp (p already removed from `alive`):
 * b_ij ← (b_pp·b_ij − b_ip·b_pj)/prev for the live i ≤ j (mirrored), and the same update of a right-hand
 * side `c` when given. Every division is exact (the entries are minors of the original matrix).
 */
function pivotStep(b: bigint[][], alive: readonly number[], p: number, prev: bigint, c?: bigint[]): void {
  const piv = b[p][p];
  const bp = b[p];
  for (let x = 0; x < alive.length; x++) {
    const i = alive[x];
    const bi = b[i];
    const bip = bi[p];
    for (let y = x; y < alive.length; y++) {
      const j = alive[y];
      const v = bip === 0n || bp[j] === 0n ? (piv * bi[j]) / prev : (piv * bi[j] - bip * bp[j]) / prev;
      bi[j] = v;
      b[j][i] = v;
    }
    if (c) c[i] = bip === 0n ? (piv * c[i]) / prev : (piv * c[i] - bip * c[p]) / prev;
  }
}

/**
 * Inertia of an integer symmetric matrix by fraction-free symmetric elimination (overwrites `b`).
 * After pivots on an index set P the live entries are b_ij = det B[P∪{i}, P∪{j}], exact integers, and
 * `prev` = det B[P, P]; see the module remarks.
 */
function integerInertia(b: bigint[][]): Inertia {
  const n = b.length;
  const alive = Array.from({ length: n }, (_, i) => i);
  let prev = 1n;
  let positive = 0;
  let negative = 0;
  while (alive.length > 0) {
    const pi = alive.findIndex((i) => b[i][i] !== 0n);
    if (pi >= 0) {
      const p = alive[pi];
      const piv = b[p][p];
      if (piv > 0n === prev > 0n) positive++;
      else negative++;
      alive.splice(pi, 1);
      pivotStep(b, alive, p, prev);
      prev = piv;
      continue;
    }
    // Every live diagonal entry is 0: a 2×2 pivot [[0, c], [c, 0]] (inertia (1, 1)), or the rest is 0.
    let q = -1;
    let r = -1;
    for (let x = 0; x < alive.length && q < 0; x++) {
      for (let y = x + 1; y < alive.length; y++) {
        if (b[alive[x]][alive[y]] !== 0n) {
          q = alive[x];
          r = alive[y];
          break;
        }
      }
    }
    if (q < 0) break;
    positive++;
    negative++;
    alive.splice(alive.indexOf(q), 1);
    alive.splice(alive.indexOf(r), 1);
    // With s = b/prev the Schur update is s_ij − (s_iq s_rj + s_ir s_qj)/s_qr, and the new leading minor is
    // prev·(−s_qr²) = −c²/prev; scaling by it gives the integer update below (exact division by prev²).
    const c = b[q][r];
    const c2 = c * c;
    const prev2 = prev * prev;
    for (let x = 0; x < alive.length; x++) {
      const i = alive[x];
      for (let y = x; y < alive.length; y++) {
        const j = alive[y];
        const v = (c * (b[i][q] * b[r][j] + b[i][r] * b[q][j]) - c2 * b[i][j]) / prev2;
        b[i][j] = v;
        b[j][i] = v;
      }
    }
    prev = -c2 / prev;
  }
  return { positive, negative, zero: n - positive - negative };
}

/**
 * Exact inertia of a rational symmetric matrix by symmetric elimination (see the module remarks).
 * @throws NotSymmetricError unless A = Aᵀ exactly; ShapeMismatchError unless A is square.
 */
export function inertia(a: RationalMatrix, name = 'A'): Inertia {
  assertSymmetricSquare(a, name);
  return integerInertia(shifted(scale(a), math.fraction(0)));
}

/** Number of eigenvalues of A strictly below t, exactly. */
export function countEigenvaluesBelow(a: RationalMatrix, t: RationalLike, name = 'A'): number {
  return inertiaAt(a, t, name).negative;
}

/** Inertia of A − tI: eigenvalues above (positive), below (negative) and equal to (zero) t. */
export function inertiaAt(a: RationalMatrix, t: RationalLike, name = 'A'): Inertia {
  assertSymmetricSquare(a, name);
  return integerInertia(shifted(scale(a), rational(t, 't')));
}

/** A certified rational interval [lo, hi] containing an eigenvalue. */
export interface CertifiedInterval {
  lo: Rational;
  hi: Rational;
}

/** Options for {@link certifiedEigenvalue}. */
export interface CertifyOptions {
  /** Stop when hi − lo ≤ relWidth·min(|lo|, |hi|) (default 1e-12, converted exactly). */
  relWidth?: number;
  /** …or when hi − lo ≤ absWidth (default 0: only the relative criterion). */
  absWidth?: number;
  /** Cap on exact inertia counts spent in bisection (default 400). */
  maxIterations?: number;
  /** If given, the work done is added to it (for tests and benchmarks: how often the guesses held). */
  stats?: CertifyStats;
}

/** Work counters filled by {@link certifiedEigenvalue} / {@link certifiedConditionNumber} when asked. */
export interface CertifyStats {
  /** Exact inertia counts of A − tI (each one fraction-free elimination). */
  probes: number;
  /** …of which bisection steps (the rest verified guesses). */
  bisections: number;
  /** Exact solves (A − σI)x = v of the Rayleigh-quotient iteration. */
  solves: number;
}

/** Gershgorin bounds: every eigenvalue lies in [lo, hi]. */
export function gershgorinBounds(a: RationalMatrix): CertifiedInterval {
  return gershgorinScaled(scale(a));
}

function gershgorinScaled(m: ScaledMatrix): CertifiedInterval {
  let lo: bigint | null = null;
  let hi: bigint | null = null;
  for (let i = 0; i < m.n; i++) {
    let r = 0n;
    for (let j = 0; j < m.n; j++) if (j !== i) r += m.num[i][j] < 0n ? -m.num[i][j] : m.num[i][j];
    const l = m.num[i][i] - r;
    const h = m.num[i][i] + r;
    lo = lo === null || l < lo ? l : lo;
    hi = hi === null || h > hi ? h : hi;
  }
  return { lo: math.fraction(lo as bigint, m.den), hi: math.fraction(hi as bigint, m.den) };
}

/** What certification needs about one matrix, computed once and shared by its eigenvalues. */
interface Prepared {
  a: RationalMatrix;
  m: ScaledMatrix;
  /** float64 Jacobi eigenpairs of the rounded matrix (null if it does not fit in float64). */
  float: SymmetricEigen | null;
  /** The common denominator as a float64 (for choosing probe points). */
  denFloat: number;
}

function prepare(a: RationalMatrix): Prepared {
  const m = scale(a);
  const rounded = m.num.map((row) => row.map((x) => ratioToNumber(x, m.den)));
  const finite = rounded.every((row) => row.every((x) => Number.isFinite(x)));
  const float = finite ? symmetricEigen(rounded, { vectors: true }) : null;
  return { a, m, float, denFloat: ratioToNumber(m.den, 1n) };
}

interface Options {
  stats: CertifyStats;
  relWidth: Rational;
  relWidthFloat: number;
  absWidth: Rational;
  maxIterations: number;
}

function readOptions(options: CertifyOptions): Options {
  const relWidth = options.relWidth ?? 1e-12;
  const absWidth = options.absWidth ?? 0;
  const maxIterations = options.maxIterations ?? 400;
  if (!(relWidth >= 0 && relWidth < 1)) throw new InvalidArgumentError('options.relWidth', 'a number in [0, 1)', relWidth);
  if (!(absWidth >= 0) || !Number.isFinite(absWidth)) throw new InvalidArgumentError('options.absWidth', 'a finite number ≥ 0', absWidth);
  if (relWidth === 0 && absWidth === 0) throw new InvalidArgumentError('options', 'relWidth > 0 or absWidth > 0', 'both 0');
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new InvalidArgumentError('options.maxIterations', 'an integer ≥ 0', maxIterations);
  const stats = options.stats ?? { probes: 0, bisections: 0, solves: 0 };
  return { stats, relWidth: exactFromFloat(relWidth), relWidthFloat: relWidth, absWidth: exactFromFloat(absWidth), maxIterations };
}

/**
 * A closed bracket lo ≤ λ_k ≤ hi. Each end is either a probe t (count(t) ≤ k for lo, count(t) > k for hi,
 * with count(t) = #{eigenvalues < t}), a Gershgorin bound, or an exact Rayleigh quotient (hi for k = 0,
 * lo for k = n − 1).
 */
interface Bracket {
  lo: Rational;
  hi: Rational;
  /** Set when some probe t had λ_k = t exactly. */
  exact: Rational | null;
}

/** Probes t once: shrinks the bracket, and detects λ_k = t. Returns whether λ_k < t. */
function probe(p: Prepared, k: number, t: Rational, br: Bracket, stats: CertifyStats): boolean {
  stats.probes++;
  const { negative, zero } = integerInertia(shifted(p.m, t));
  if (negative <= k && k < negative + zero) {
    br.exact = t;
    return false;
  }
  if (negative <= k) {
    if (t.compare(br.lo) > 0) br.lo = t;
    return false;
  }
  if (t.compare(br.hi) < 0) br.hi = t;
  return true;
}

function isNegative(x: Rational): boolean {
  return x.s < 0n && x.n !== 0n;
}

function isPositive(x: Rational): boolean {
  return x.s > 0n && x.n !== 0n;
}

/**
 * hi − lo ≤ absWidth or hi − lo ≤ relWidth·min(|lo|, |hi|), decided by cross-multiplying bigints (Fraction
 * arithmetic would take a gcd per operation; this is called once per bisection step).
 */
function narrowEnough(lo: Rational, hi: Rational, o: Options): boolean {
  const ln = lo.s * lo.n;
  const hn = hi.s * hi.n;
  const wn = hn * lo.d - ln * hi.d; // width = wn/wd ≥ 0
  const wd = hi.d * lo.d;
  if (wn * o.absWidth.d <= o.absWidth.n * wd) return true;
  const [sn, sd] = lo.n * hi.d < hi.n * lo.d ? [lo.n, lo.d] : [hi.n, hi.d]; // min(|lo|, |hi|)
  return wn * o.relWidth.d * sd <= o.relWidth.n * sn * wd;
}

function certify(p: Prepared, k: number, o: Options): CertifiedInterval {
  const g = gershgorinScaled(p.m);
  const br: Bracket = { lo: g.lo, hi: g.hi.add(1), exact: null }; // count(g.hi + 1) = n > k
  const absWidth = ratioToNumber(o.absWidth.n, o.absWidth.d);
  // Half-width of a proposed bracket: a quarter of the allowed width (so that a verified bracket already
  // passes the width test), but no less than the guess's own error estimate.
  const halfWidth = (guess: Guess): number => Math.max((o.relWidthFloat / 4) * Math.abs(guess.value), absWidth / 4, guess.error);
  let last: Guess | null = null;
  for (const guess of guesses(p, k, o)) {
    if (!Number.isFinite(guess.value)) break;
    last = guess;
    if (guess.exact) {
      probe(p, k, exactFromFloat(guess.value), br, o.stats);
      if (br.exact !== null) break;
      continue;
    }
    if (guess.rayleigh !== undefined) {
      const { lower, upper } = guess.rayleigh;
      if (k === 0 && upper.compare(br.hi) < 0) br.hi = upper; // λ_min ≤ vᵀAv/vᵀv ≤ upper
      if (k === p.m.n - 1 && lower.compare(br.lo) > 0) br.lo = lower; // λ_max ≥ vᵀAv/vᵀv ≥ lower
      if (br.lo.equals(br.hi)) {
        br.exact = br.lo;
        break;
      }
    }
    if (tryBracket(p, k, guess.value, halfWidth(guess), br, o.stats)) break;
    if (br.exact !== null) break;
  }
  // The last guess was off by more than its error estimate: widen it twice (×64) before bisecting.
  if (last !== null && br.exact === null && !narrowEnough(br.lo, br.hi, o)) {
    let half = halfWidth(last);
    for (let attempt = 0; attempt < 2 && br.exact === null; attempt++) {
      half *= 64;
      if (tryBracket(p, k, last.value, half, br, o.stats)) break;
    }
  }
  bisect(p, k, br, o, () => narrowEnough(br.lo, br.hi, o));
  if (br.exact !== null) return { lo: br.exact, hi: br.exact };
  return { lo: br.lo, hi: br.hi };
}

/**
 * Bisection on exact counts until `done()`. While the bracket straddles 0 it probes 0 itself (a relative
 * width can never be met around an eigenvalue 0, and dyadic midpoints need not ever land on it); across
 * orders of magnitude it splits at powers of two near the geometric mean, and away from an end at 0 it
 * gallops (t = hi·2^−g, g doubling), so a bracket [0, 1e400] around 1 takes ~30 steps rather than ~1400.
 */
function bisect(p: Prepared, k: number, br: Bracket, o: Options, done: () => boolean): void {
  let zeroProbed = false;
  let gallop = 1;
  for (let it = 0; br.exact === null && !done(); it++) {
    if (it >= o.maxIterations) {
      throw new InvalidArgumentError('options.maxIterations', `enough bisection steps to reach the requested width (λ_${k} ∈ [${toNumber(br.lo)}, ${toNumber(br.hi)}])`, o.maxIterations);
    }
    o.stats.bisections++;
    if (!zeroProbed && !isPositive(br.lo) && !isNegative(br.hi)) {
      zeroProbed = true;
      probe(p, k, math.fraction(0), br, o.stats);
      continue;
    }
    const zeroEnd = br.lo.n === 0n || br.hi.n === 0n;
    probe(p, k, splitPoint(br.lo, br.hi, gallop), br, o.stats);
    if (zeroEnd && (br.lo.n === 0n || br.hi.n === 0n)) gallop *= 2;
  }
}

/** ⌊log2 |x|⌋ up to ±1, for x ≠ 0. */
function log2Approx(x: Rational): number {
  return bitLen(x.n) - bitLen(x.d);
}

/** A point strictly inside (lo, hi), chosen as described in {@link bisect}. */
function splitPoint(lo: Rational, hi: Rational, gallop: number): Rational {
  const inside = (t: Rational): boolean => t.compare(lo) > 0 && t.compare(hi) < 0;
  if (lo.n === 0n && isPositive(hi)) {
    const t = pow2(log2Approx(hi) - gallop);
    if (inside(t)) return t;
  } else if (hi.n === 0n && isNegative(lo)) {
    const t = pow2(log2Approx(lo) - gallop).neg();
    if (inside(t)) return t;
  } else if (isPositive(lo) || isNegative(hi)) {
    const a = log2Approx(lo);
    const b = log2Approx(hi);
    if (Math.abs(b - a) >= 4) {
      const t = pow2(Math.round((a + b) / 2));
      const signed = isPositive(lo) ? t : t.neg();
      if (inside(signed)) return signed;
    }
  }
  // Plain bisection at a short dyadic near the midpoint, so the shifted matrix keeps small denominators.
  return roundDyadic(lo.add(hi).mul(math.fraction(1, 2)), hi.sub(lo));
}

/**
 * Proposes [value − half, value + half] and verifies each side by one exact count (a side already beaten by
 * the verified bracket needs none; a failed lower side skips the upper one; none beyond float64). Every probe shrinks `br`.
 */
function tryBracket(p: Prepared, k: number, value: number, half: number, br: Bracket, stats: CertifyStats): boolean {
  if (!(half > 0) || !Number.isFinite(value - half) || !Number.isFinite(value + half)) return false;
  const lo = probePoint(p, value - half, half);
  const okLo = lo.compare(br.lo) <= 0 || !probe(p, k, lo, br, stats);
  if (!okLo || br.exact !== null) return false;
  const hi = probePoint(p, value + half, half);
  return hi.compare(br.hi) >= 0 || probe(p, k, hi, br, stats);
}

/**
 * A rational within half/8 of x that keeps the probe cheap: a multiple of 1/den (A = num/den), so that
 * A − tI needs no larger common denominator, when that grid is fine enough; else x's own dyadic value.
 */
function probePoint(p: Prepared, x: number, half: number): Rational {
  const t = exactFromFloat(x);
  if (p.denFloat * half < 8) return t;
  const m = t.mul(math.fraction(p.m.den, 1n)).round(0);
  return math.fraction(m.s * m.n, p.m.den);
}

/**
 * A guess of λ_k: `exact` when A − value·I was found singular (value may be λ_k itself); `rayleigh`, the
 * exact Rayleigh quotient of a vector, which bounds λ_min from above and λ_max from below (Courant–Fischer)
 * and so replaces one exact inertia count for the extreme eigenvalues.
 */
interface Guess {
  value: number;
  error: number;
  exact?: boolean;
  rayleigh?: { lower: Rational; upper: Rational };
}

/**
 * Successive float64 guesses of λ_k with error estimates, best last. First Jacobi on the rounded matrix,
 * if its error (Weyl: rounding A moves eigenvalues by ≲ ε‖A‖, Jacobi adds ~nε‖A‖) is small enough for the
 * requested width; then Rayleigh-quotient iterates with exact solves and exact Rayleigh quotients, which
 * float64 alone cannot give (λ_min of a rounded matrix with κ = 1e12 is only good to ~1e-4 relative).
 * Only guesses: {@link certify} verifies each by exact inertia counts and stops at the first that holds.
 */
function* guesses(p: Prepared, k: number, o: Options): Generator<Guess> {
  if (p.float === null) return;
  const n = p.m.n;
  const values = p.float.values;
  const vectors = p.float.vectors as Matrix;
  const extreme = k === 0 || k === n - 1;
  const g0 = values[k];
  const norm2 = Math.max(Math.abs(values[0]), Math.abs(values[n - 1]));
  const error0 = 4 * n * Number.EPSILON * norm2 + Number.MIN_VALUE;
  const absWidth = ratioToNumber(o.absWidth.n, o.absWidth.d);
  let v = vectors.getColumn(k);
  if (error0 <= Math.max((o.relWidthFloat / 8) * Math.abs(g0), absWidth / 8)) {
    yield { value: g0, error: error0, rayleigh: extreme ? rayleighQuotient(p.m, v) : undefined };
  }
  if (!Number.isFinite(g0)) return; // λ_k's float64 overflows: no shift to solve from (bisection takes over)
  let sigma = g0;
  for (let it = 0; it < 4; it++) {
    o.stats.solves++;
    const x = shiftedSolve(p.m, exactFromFloat(sigma), v);
    if (x === null) {
      yield { value: sigma, error: 0, exact: true };
      return;
    }
    v = x;
    const rq = rayleighQuotient(p.m, v);
    const moved = Math.abs(rq.value - sigma);
    sigma = rq.value;
    yield { value: rq.value, error: 4 * Number.EPSILON * Math.abs(rq.value), rayleigh: rq };
    if (moved === 0) return;
  }
}

/** The scaled float vector 2^133·v as integers (entries below 2^−80·max|v| are dropped: harmless for a guess). */
function toIntegerVector(v: readonly number[]): bigint[] {
  let max = 0;
  for (const x of v) max = Math.max(max, Math.abs(x));
  const unit = max > 0 ? 2 ** Math.floor(Math.log2(max)) : 1;
  return v.map((x) => {
    const y = x / unit; // |y| < 2, exact scaling by a power of two
    return Math.abs(y) < 2 ** -80 ? 0n : BigInt(y * 2 ** 133);
  });
}

/**
 * Solves (A − σI) x = v exactly and returns x normalised to max-norm 1, rounded to float64; null when
 * A − σI is singular. Symmetric fraction-free elimination with diagonal pivots (half the work of the
 * general one) when it needs no 2×2 pivot; else general elimination with row pivoting.
 */
function shiftedSolve(m: ScaledMatrix, sigma: Rational, v: readonly number[]): number[] | null {
  const x = symmetricSolve(shifted(m, sigma), toIntegerVector(v));
  return x !== undefined ? x : generalSolve(shifted(m, sigma), toIntegerVector(v));
}

/** Normalises integers X (x = X/det) to max-norm 1 in float64; null for X = 0. */
function normalise(X: readonly bigint[]): number[] | null {
  let max = 0n;
  for (const x of X) max = x < 0n ? (-x > max ? -x : max) : x > max ? x : max;
  if (max === 0n) return null;
  return X.map((x) => ratioToNumber(x, max));
}

/**
 * Symmetric fraction-free elimination of [B | c] with 1×1 diagonal pivots (as in {@link integerInertia}),
 * then fraction-free back substitution X = det·x. Undefined when a 2×2 pivot would be needed; null when B
 * is singular. Overwrites b and c.
 */
function symmetricSolve(b: bigint[][], c: bigint[]): number[] | null | undefined {
  const n = b.length;
  const alive = Array.from({ length: n }, (_, i) => i);
  const order: number[] = [];
  let prev = 1n;
  while (alive.length > 0) {
    const pi = alive.findIndex((i) => b[i][i] !== 0n);
    if (pi < 0) return alive.some((i) => alive.some((j) => b[i][j] !== 0n)) ? undefined : null;
    const p = alive[pi];
    const piv = b[p][p];
    alive.splice(pi, 1);
    order.push(p);
    pivotStep(b, alive, p, prev, c);
    prev = piv;
  }
  // Row order[k] reads b_pp x_p + Σ_{j later} b_pj x_j = c_p (a scaled Schur row), and X = det·x are
  // integers by Cramer's rule, so every division below is exact.
  const det = prev;
  const X = new Array<bigint>(n).fill(0n);
  for (let k = n - 1; k >= 0; k--) {
    const p = order[k];
    let acc = det * c[p];
    for (let l = k + 1; l < n; l++) acc -= b[p][order[l]] * X[order[l]];
    X[p] = acc / b[p][p];
  }
  return normalise(X);
}

/** General fraction-free Gaussian elimination of [B | c] with row pivoting; null when B is singular. */
function generalSolve(b: bigint[][], c: bigint[]): number[] | null {
  const n = b.length;
  for (let i = 0; i < n; i++) b[i].push(c[i]);
  let prev = 1n;
  for (let k = 0; k < n; k++) {
    let p = k;
    while (p < n && b[p][k] === 0n) p++;
    if (p === n) return null;
    if (p !== k) [b[p], b[k]] = [b[k], b[p]];
    const bk = b[k];
    const piv = bk[k];
    for (let i = k + 1; i < n; i++) {
      const bi = b[i];
      const f = bi[k];
      for (let j = k + 1; j <= n; j++) bi[j] = f === 0n ? (piv * bi[j]) / prev : (piv * bi[j] - f * bk[j]) / prev;
      bi[k] = 0n;
    }
    prev = piv;
  }
  // Fraction-free back substitution: X_k = det·x_k are integers (Cramer), so each division is exact.
  const det = b[n - 1][n - 1];
  const X = new Array<bigint>(n);
  for (let k = n - 1; k >= 0; k--) {
    let acc = det * b[k][n];
    for (let j = k + 1; j < n; j++) acc -= b[k][j] * X[j];
    X[k] = acc / b[k][k];
  }
  return normalise(X);
}

/** Bounds lower ≤ vᵀAv/vᵀv ≤ upper on the exact Rayleigh quotient of a (nonzero) float vector v, and its float64 value. */
function rayleighQuotient(m: ScaledMatrix, v: readonly number[]): { value: number; lower: Rational; upper: Rational } {
  const V = toIntegerVector(v);
  let num = 0n;
  let vv = 0n;
  for (let i = 0; i < m.n; i++) {
    if (V[i] === 0n) continue;
    vv += V[i] * V[i];
    let s = 0n;
    for (let j = 0; j < m.n; j++) if (V[j] !== 0n) s += m.num[i][j] * V[j];
    num += V[i] * s;
  }
  const den = vv * m.den;
  return { value: ratioToNumber(num, den), lower: roundToBits(num, den, false), upper: roundToBits(num, den, true) };
}

/**
 * num/den (den > 0) rounded down (or up) to a dyadic with about 64 significant bits. Exact Rayleigh
 * quotients have ~500-bit numerators and denominators, and every later Fraction operation on them pays a
 * gcd; a relative rounding of 2^−63 is far below any width asked for, and the direction keeps the bound.
 */
function roundToBits(num: bigint, den: bigint, up: boolean): Rational {
  if (num === 0n) return math.fraction(0);
  const s = 64 - (bitLen(num < 0n ? -num : num) - bitLen(den)); // num/den·2^s has ~64 bits
  const n2 = s >= 0 ? num << BigInt(s) : num;
  const d2 = s >= 0 ? den : den << BigInt(-s);
  let q = n2 / d2; // truncates toward 0
  const exact = q * d2 === n2;
  if (!exact && up && num > 0n) q += 1n;
  if (!exact && !up && num < 0n) q -= 1n;
  return s >= 0 ? math.fraction(q, 1n << BigInt(s)) : math.fraction(q << BigInt(-s), 1n);
}

/**
 * A certified interval for the k-th smallest eigenvalue (k = 0 is λ_min, k = n−1 is λ_max).
 *
 * @remarks
 * Invariant kept by every step: λ_k ∈ [lo, hi], where every end is proved exactly — by a count
 * count(t) = #{eigenvalues < t} (count(lo) ≤ k, count(hi) > k), by Gershgorin's theorem, or, for λ_min and
 * λ_max, by the exact Rayleigh quotient r = vᵀAv/vᵀv of some vector v (λ_min ≤ r ≤ λ_max). A probe t with
 * count(t) ≤ k < count(t) + #{eigenvalues = t} proves λ_k = t, and [t, t] is returned. Floating point
 * (Jacobi, then Rayleigh-quotient iteration with exact solves) only proposes a tight bracket, each side of
 * which is verified exactly; if a proposal fails, bisection from the verified part takes over (probing 0
 * when the bracket contains it, and splitting geometrically across orders of magnitude). So the result
 * never depends on floating point being right; floating point only makes it fast (typically one exact
 * count per extreme eigenvalue, plus one or two exact solves for a small λ_min).
 * The returned interval satisfies hi − lo ≤ relWidth·min(|lo|, |hi|) or hi − lo ≤ absWidth.
 *
 * @param a A (n×n, rational, exactly symmetric).
 * @param k index of the eigenvalue in ascending order.
 * @throws NotSymmetricError / ShapeMismatchError naming `name`; InvalidArgumentError for a bad `k` or
 * options, or when `maxIterations` bisection steps do not reach the requested width.
 */
export function certifiedEigenvalue(a: RationalMatrix, k: number, options: CertifyOptions = {}, name = 'A'): CertifiedInterval {
  assertSymmetricSquare(a, name);
  const n = a.length;
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new InvalidArgumentError('k', `an integer in [0, ${n - 1}]`, k);
  return certify(prepare(a), k, readOptions(options));
}

/** A dyadic rational within width/8 of x, with as few bits as that allows (keeps bisection cheap). */
function roundDyadic(x: Rational, width: Rational): Rational {
  // 2^e ≤ width/8 < 2^(e+1), from the bit lengths (off by at most one, corrected below).
  const target = width.div(8);
  let e = bitLen(target.n) - bitLen(target.d);
  let step = pow2(e);
  while (step.compare(target) > 0) step = pow2(--e);
  while (pow2(e + 1).compare(target) <= 0) step = pow2(++e);
  return x.div(step).round(0).mul(step);
}

function pow2(e: number): Rational {
  return e >= 0 ? math.fraction(1n << BigInt(e), 1n) : math.fraction(1n, 1n << BigInt(-e));
}

function bitLen(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Certified bounds on λ_min, λ_max and κ = λ_max/λ_min of a rational symmetric positive definite matrix. */
export interface CertifiedConditionNumber {
  lambdaMin: CertifiedInterval;
  lambdaMax: CertifiedInterval;
  /** κ ∈ [kappa.lo, kappa.hi] = [λmax.lo/λmin.hi, λmax.hi/λmin.lo]. */
  kappa: CertifiedInterval;
}

/**
 * Certified condition number of a rational symmetric positive definite matrix.
 *
 * @remarks
 * κ(A) = λ_max/λ_min ∈ [λmax.lo/λmin.hi, λmax.hi/λmin.lo]. Positive definiteness is decided exactly: a
 * certified λ_min interval with lo > 0 proves it; otherwise the inertia of A is counted. When an
 * absolute width stopped the λ_min bisection at lo ≤ 0, bisection continues until lo > 0, which takes
 * finitely many steps because λ_min > 0 is then certified.
 * The relative width of the κ interval is about the sum of those of the two eigenvalue intervals.
 * @throws NotPositiveDefiniteError naming `name` if A is not positive definite; NotSymmetricError /
 * ShapeMismatchError naming `name`; InvalidArgumentError for bad options or exhausted `maxIterations`.
 */
export function certifiedConditionNumber(a: RationalMatrix, options: CertifyOptions = {}, name = 'A'): CertifiedConditionNumber {
  assertSymmetricSquare(a, name);
  const o = readOptions(options);
  const p = prepare(a);
  const n = a.length;
  const notPd = (): never => {
    const iner = integerInertia(shifted(p.m, math.fraction(0)));
    throw new NotPositiveDefiniteError(name, `inertia (+${iner.positive}, −${iner.negative}, 0×${iner.zero})`);
  };
  let lambdaMin = certify(p, 0, o);
  if (!isPositive(lambdaMin.hi)) notPd(); // λ_min ≤ hi ≤ 0
  if (!isPositive(lambdaMin.lo)) {
    o.stats.probes++;
    const iner = integerInertia(shifted(p.m, math.fraction(0)));
    if (iner.positive !== n) notPd();
    // λ_min > 0 is certified; tighten its lower end until it is positive.
    const br: Bracket = { lo: lambdaMin.lo, hi: lambdaMin.hi, exact: null };
    bisect(p, 0, br, o, () => isPositive(br.lo));
    if (br.exact !== null) br.lo = br.hi = br.exact;
    lambdaMin = { lo: br.lo, hi: br.hi };
  }
  const lambdaMax = n === 1 ? lambdaMin : certify(p, n - 1, o);
  return {
    lambdaMin,
    lambdaMax,
    kappa: { lo: lambdaMax.lo.div(lambdaMin.hi), hi: lambdaMax.hi.div(lambdaMin.lo) },
  };
}

/** True when A is symmetric positive definite, decided exactly. */
export function isPositiveDefiniteQ(a: RationalMatrix): boolean {
  return isSymmetricQ(a) && inertia(a).positive === a.length;
}
