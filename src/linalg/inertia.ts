/**
 * Certified eigenvalue bounds for rational symmetric matrices, without computing a single eigenvalue in
 * floating point.
 *
 * @remarks
 * Sylvester's law of inertia: for any invertible S, S A Sᵀ has as many positive, negative and zero
 * eigenvalues as A. Symmetric Gaussian elimination A = L D Lᵀ (with symmetric permutations, and 2×2
 * pivots [[a, b], [b, c]] when every remaining diagonal entry is 0; such a block has ac − b² < 0 when
 * a = c = 0, b ≠ 0, hence inertia (1, 1, 0)) is a congruence, so counting the signs of D in exact rational
 * arithmetic gives the inertia (n₊, n₋, n₀) of A exactly. Applied to A − tI it counts the eigenvalues of
 * A below, above and at t. Bisection on t then yields intervals [lo, hi] ⊂ ℚ of any requested width that
 * provably contain λ_min(A) and λ_max(A), hence certified bounds on κ(A) = λ_max/λ_min.
 */
import { InvalidArgumentError, NotPositiveDefiniteError, NotSymmetricError, ShapeMismatchError } from '../errors.js';
import { ONE, ZERO, exactFromFloat, isSymmetricQ, math, type Rational, type RationalMatrix } from './exact.js';
import { symmetricEigenvalues } from './dense.js';

/** Inertia of a symmetric matrix: how many eigenvalues are positive, negative and zero. */
export interface Inertia {
  positive: number;
  negative: number;
  zero: number;
}

/**
 * Exact inertia of a rational symmetric matrix by symmetric elimination (see the module remarks).
 * @throws NotSymmetricError unless A = Aᵀ exactly.
 */
export function inertia(a: RationalMatrix, name = 'A'): Inertia {
  const n = a.length;
  if (a[0].length !== n) throw new ShapeMismatchError(name, 'a square matrix', `${n}×${a[0].length}`);
  if (!isSymmetricQ(a)) throw new NotSymmetricError(name, 'exact symmetry required for an inertia count');
  const s = a.map((row) => [...row]);
  const alive = Array.from({ length: n }, (_, i) => i);
  let positive = 0;
  let negative = 0;
  while (alive.length > 0) {
    // 1×1 pivot: any non-zero diagonal entry.
    const p = alive.find((i) => s[i][i].n !== 0n);
    if (p !== undefined) {
      const d = s[p][p];
      if (d.s > 0n) positive++;
      else negative++;
      alive.splice(alive.indexOf(p), 1);
      for (const i of alive) {
        if (s[i][p].n === 0n) continue;
        const f = s[i][p].div(d);
        for (const j of alive) if (s[p][j].n !== 0n) s[i][j] = s[i][j].sub(f.mul(s[p][j]));
      }
      continue;
    }
    // All remaining diagonal entries are 0: a 2×2 pivot on a non-zero off-diagonal entry, else all zero.
    let q = -1;
    let r = -1;
    for (const i of alive) {
      for (const j of alive) {
        if (j > i && s[i][j].n !== 0n) {
          q = i;
          r = j;
          break;
        }
      }
      if (q >= 0) break;
    }
    if (q < 0) break;
    positive++;
    negative++;
    alive.splice(alive.indexOf(q), 1);
    alive.splice(alive.indexOf(r), 1);
    // Schur complement of the block P = [[0, b], [b, 0]]: P⁻¹ = [[0, 1/b], [1/b, 0]].
    const b = s[q][r];
    for (const i of alive) {
      for (const j of alive) {
        // s_ij −= [s_iq s_ir] P⁻¹ [s_qj s_rj]ᵀ = (s_iq s_rj + s_ir s_qj)/b
        const upd = s[i][q].mul(s[r][j]).add(s[i][r].mul(s[q][j]));
        if (upd.n !== 0n) s[i][j] = s[i][j].sub(upd.div(b));
      }
    }
  }
  return { positive, negative, zero: n - positive - negative };
}

/** A − tI. */
function shift(a: RationalMatrix, t: Rational): RationalMatrix {
  return a.map((row, i) => row.map((x, j) => (i === j ? x.sub(t) : x)));
}

/** Number of eigenvalues of A strictly below t, exactly. */
export function countEigenvaluesBelow(a: RationalMatrix, t: Rational): number {
  return inertia(shift(a, t)).negative;
}

/** Inertia of A − tI: eigenvalues above (positive), below (negative) and equal to (zero) t. */
export function inertiaAt(a: RationalMatrix, t: Rational): Inertia {
  return inertia(shift(a, t));
}

/** A certified rational interval [lo, hi] containing an eigenvalue. */
export interface CertifiedInterval {
  lo: Rational;
  hi: Rational;
}

/** Options for {@link certifiedEigenvalue}. */
export interface CertifyOptions {
  /** Stop when hi − lo ≤ relWidth·|lo| (default 1e-12 as a rational). */
  relWidth?: number;
  /** …or when hi − lo ≤ absWidth (default 0: only the relative criterion). */
  absWidth?: number;
  /** Bisection cap (default 400 halvings). */
  maxIterations?: number;
}

/** Gershgorin bounds: every eigenvalue lies in [lo, hi]. */
export function gershgorinBounds(a: RationalMatrix): CertifiedInterval {
  let lo: Rational | null = null;
  let hi: Rational | null = null;
  for (let i = 0; i < a.length; i++) {
    let r = ZERO;
    for (let j = 0; j < a.length; j++) if (j !== i) r = r.add(a[i][j].abs());
    const l = a[i][i].sub(r);
    const h = a[i][i].add(r);
    lo = lo === null || l.compare(lo) < 0 ? l : lo;
    hi = hi === null || h.compare(hi) > 0 ? h : hi;
  }
  return { lo: lo as Rational, hi: hi as Rational };
}

/**
 * A certified interval for the k-th smallest eigenvalue (k = 0 is λ_min, k = n−1 is λ_max).
 *
 * @remarks
 * Invariant kept by every step: count(lo) ≤ k < count(hi) where count(t) = #{eigenvalues < t}, i.e. the
 * k-th eigenvalue lies in [lo, hi). A float64 eigenvalue (Jacobi) is used only as a first guess for a
 * tight bracket, each side of which is verified exactly; if a guess fails, plain bisection from the
 * Gershgorin interval takes over. So the result never depends on floating point being right.
 */
export function certifiedEigenvalue(a: RationalMatrix, k: number, options: CertifyOptions = {}): CertifiedInterval {
  const n = a.length;
  if (!Number.isInteger(k) || k < 0 || k >= n) throw new InvalidArgumentError('k', `an integer in [0, ${n - 1}]`, k);
  const relWidth = exactFromFloat(options.relWidth ?? 1e-12);
  const absWidth = exactFromFloat(options.absWidth ?? 0);
  const maxIterations = options.maxIterations ?? 400;
  const count = (t: Rational): number => countEigenvaluesBelow(a, t);
  const g = gershgorinBounds(a);
  let lo = g.lo;
  let hi = g.hi.add(ONE); // count(hi) = n > k since every eigenvalue ≤ g.hi < hi
  // Float64 guess: try a bracket of relative half-width 1e-13·(1 + |λ̂|-scaled spread), widening if needed.
  const guess = symmetricEigenvalues(a.map((row) => row.map((x) => x.valueOf())))[k];
  if (Number.isFinite(guess)) {
    const scale = Math.max(Math.abs(guess), 1e-300);
    for (const rel of [1e-13, 1e-9, 1e-5]) {
      const l = exactFromFloat(guess - rel * scale * 1.000001);
      const h = exactFromFloat(guess + rel * scale * 1.000001);
      if (l.compare(lo) > 0 && h.compare(hi) < 0 && count(l) <= k && count(h) > k) {
        lo = l;
        hi = h;
        break;
      }
    }
  }
  const half = math.fraction(1, 2);
  for (let it = 0; it < maxIterations; it++) {
    const width = hi.sub(lo);
    const scaleQ = lo.abs().compare(hi.abs()) < 0 ? lo.abs() : hi.abs();
    if (width.compare(relWidth.mul(scaleQ)) <= 0 || width.compare(absWidth) <= 0) break;
    // Bisect at a short dyadic near the midpoint so denominators stay small.
    const mid = roundDyadic(lo.add(hi).mul(half), width);
    if (count(mid) <= k) lo = mid;
    else hi = mid;
  }
  return { lo, hi };
}

/** A dyadic rational within width/8 of x, with as few bits as that allows (keeps bisection cheap). */
function roundDyadic(x: Rational, width: Rational): Rational {
  // Choose 2^-p ≤ width/8, then round x to a multiple of 2^-p.
  let p = 0n;
  let step = ONE;
  const target = width.div(8);
  if (target.n === 0n) return x;
  while (step.compare(target) > 0) {
    step = step.div(2);
    p++;
  }
  while (step.mul(2).compare(target) <= 0) {
    step = step.mul(2);
    p--;
  }
  const m = x.div(step).round(0);
  return m.mul(step);
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
 * @throws NotPositiveDefiniteError if A is not positive definite (decided exactly by inertia).
 */
export function certifiedConditionNumber(a: RationalMatrix, options: CertifyOptions = {}, name = 'A'): CertifiedConditionNumber {
  const iner = inertia(a, name);
  if (iner.positive !== a.length) throw new NotPositiveDefiniteError(name, `inertia (+${iner.positive}, −${iner.negative}, 0×${iner.zero})`);
  const lambdaMin = certifiedEigenvalue(a, 0, options);
  const lambdaMax = certifiedEigenvalue(a, a.length - 1, options);
  // λ_min > 0 is certified by the inertia, so a non-positive lower end can be lifted to a tiny positive one
  // only through more bisection; keep it honest instead: a bound with lo ≤ 0 gives κ ≤ ∞.
  const kappaHi = lambdaMin.lo.s > 0n && lambdaMin.lo.n !== 0n ? lambdaMax.hi.div(lambdaMin.lo) : null;
  return {
    lambdaMin,
    lambdaMax,
    kappa: { lo: lambdaMax.lo.div(lambdaMin.hi), hi: kappaHi ?? math.fraction(10n ** 300n, 1n) },
  };
}

/** True when A is symmetric positive definite, decided exactly. */
export function isPositiveDefiniteQ(a: RationalMatrix): boolean {
  return isSymmetricQ(a) && inertia(a).positive === a.length;
}
