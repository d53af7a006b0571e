/**
 * The tolerance policy, written once (design page, "Numbers: tolerance policy"). Tests, the `verify`
 * command and notebooks cite these functions instead of writing numbers inline.
 *
 * | computation                                   | comparison                                   |
 * |-----------------------------------------------|----------------------------------------------|
 * | exact rational                                | equality                                     |
 * | float64 closed form                           | relative 1e-10 × κ of the matrices involved  |
 * | high-precision reference vs float64           | relative 1e-12 × κ                           |
 * | Gauss–Hermite quadrature (≥ 60 nodes)         | 1e-8                                         |
 * | finite differences                            | central, step √ε·scale; relative 1e-6        |
 * | Monte Carlo                                   | 4 standard errors, estimated in the same run |
 *
 * One addition, argued in `proofs/OBS-1.md`: a float64 eigenvalue computed from a matrix that was itself
 * rounded to float64 is only accurate to about n·ε·‖A‖, so the smallest eigenvalue, and κ, carry a
 * relative error up to about n·ε·κ. {@link eigenRelTol} states that bound (with a safety factor); it is the
 * tolerance for "the float64 κ lies in the certified interval".
 */

/** Unit roundoff of float64 (2⁻⁵²). */
export const EPS = Number.EPSILON;

/** float64 closed forms: relative 1e-10 × κ (κ ≥ 1 is the condition number of the matrices involved). */
export function closedFormRelTol(kappa = 1): number {
  return 1e-10 * Math.max(1, kappa);
}

/** High-precision reference (≥ 40 digits) against float64: relative 1e-12 × κ. */
export function highPrecisionRelTol(kappa = 1): number {
  return 1e-12 * Math.max(1, kappa);
}

/** Gauss–Hermite quadrature with at least 60 nodes: 1e-8 (relative, or absolute for values near 0). */
export const QUADRATURE_TOL = 1e-8;

/** Central finite differences: relative 1e-6. */
export const FINITE_DIFFERENCE_REL_TOL = 1e-6;

/**
 * Central-difference step √ε·scale (scale ≥ 1), as the policy says. Rounding then costs about ε/h ≈ 1.5e-8
 * relative and truncation h² ≈ 2e-16, both well inside {@link FINITE_DIFFERENCE_REL_TOL}.
 */
export function finiteDifferenceStep(scale = 1): number {
  return Math.sqrt(EPS) * Math.max(1, Math.abs(scale));
}

/** Monte Carlo: 4 standard errors, the standard error estimated in the same run. */
export function monteCarloTol(standardError: number): number {
  return 4 * standardError;
}

/**
 * Relative tolerance for a float64 eigenvalue-based quantity (λ_min, κ) of an n×n symmetric matrix with
 * condition number κ: 16·n·ε·κ. Backward stability gives |λ̂ − λ| ≤ c·n·ε·‖A‖, which is a relative error
 * c·n·ε·κ on λ_min; the factor 16 covers c and the rounding of the matrix entries themselves.
 */
export function eigenRelTol(n: number, kappa: number): number {
  return 16 * Math.max(1, n) * EPS * Math.max(1, kappa);
}

/** |a − b| / max(|a|, |b|, floor): relative error that degrades to absolute near zero. */
export function relativeError(a: number, b: number, floor = 1e-300): number {
  const d = Math.abs(a - b);
  if (d === 0) return 0;
  return d / Math.max(Math.abs(a), Math.abs(b), floor);
}

/** max_i |a_i − b_i| / max(‖a‖_∞, ‖b‖_∞, floor): the relative error of two vectors (or flattened matrices). */
export function relativeErrorVec(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-300): number {
  if (a.length !== b.length) throw new RangeError(`relativeErrorVec: lengths ${a.length} and ${b.length} differ`);
  let d = 0;
  let s = floor;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(a[i]), Math.abs(b[i]));
  }
  return d === 0 ? 0 : d / s;
}
