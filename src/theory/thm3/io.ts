/**
 * THM-3 input/output: `deltastn theory best-response` and `deltastn theory thm3` (JSON in, exact rational strings
 * and certified intervals out). The claim THM-3 in three files: the mathematics (math.ts), this, and the claim's
 * generator and checks (claim.ts); src/theory/thm3.ts re-exports all three.
 */
import { InvalidArgumentError } from '../../errors.js';
import { math, toRationalString, type RationalLike, type RationalMatrix } from '../../linalg/exact.js';

import { type RationalMatrixInput, type QuadraticInnerInput, parseQuadraticInner, covarianceFromScales, parseCovariance, parseStepSize, bestResponse, deltaStnQuadratic, responseRate } from './math.js';

/** {@link BestResponse} as JSON: exact rational strings "p/q" (or "p"). */
export interface BestResponseJson {
  w: string[];
  J: string[][];
}

/** {@link bestResponse} in the JSON form the CLI routine `deltastn theory best-response` prints. */
export function bestResponseJson(input: QuadraticInnerInput): BestResponseJson {
  const r = bestResponse(input);
  return { w: r.w.map(toRationalString), J: r.J.map((row) => row.map(toRationalString)) };
}

// ---------------------------------------------------------------------------------------------------------
// The CLI report
// ---------------------------------------------------------------------------------------------------------

/** Input of `deltastn theory thm3`: the quadratic inner problem, the perturbation and the step size. */
export interface Thm3Input extends QuadraticInnerInput {
  /** Perturbation scales σ_k > 0 (Σ = diag(σ²)). Give this or `covariance`. */
  sigma?: readonly RationalLike[];
  /** A full covariance Σ ≻ 0 (h×h), instead of `sigma`. */
  covariance?: RationalMatrixInput;
  /** Gradient-descent step size η > 0 on the response. */
  eta: RationalLike;
}

/** Output of `deltastn theory thm3`. */
export interface Thm3Report {
  /** The Δ-STN general parameters w₀ (exact rational strings); equal to w*(λ₀). */
  w0: string[];
  /** The Δ-STN response Θ (m×h, exact rational strings); equal to J* = A⁻¹B. */
  Theta: string[][];
  /** Whether gradient descent on Θ with step η converges from every start (decided exactly). */
  converges: boolean;
  /** Contraction factor ρ = max_i |1 − η λ_i(Σ⊗A)| in float64. */
  rate: number;
  /** Certified ρ ∈ [lo, hi] (exact rational strings). */
  rateInterval: { lo: string; hi: string };
  /** Certified bound on the largest convergent step 2/λ_max(Σ⊗A) ∈ [lo, hi] (exact rational strings). */
  stepBound: { lo: string; hi: string };
}

/**
 * THM-3 on one quadratic problem: the Δ-STN fixed point (w₀, Θ) and the convergence of gradient descent on Θ.
 *
 * @remarks
 * `A`, `B`, `b`, `lambda0` define L_T(λ, w) = ½ wᵀAw − wᵀ(b + Bλ) at λ₀; `sigma` gives Σ = diag(σ²)
 * (or `covariance` gives a full Σ ≻ 0); `eta` is η. w₀ and Θ are computed by the Δ-STN steps themselves
 * ({@link deltaStnQuadratic}), not by the closed form; THM-3 says they equal w*(λ₀) and J* = A⁻¹B.
 *
 * @throws ShapeMismatchError (`A`, `B`, `b`, `lambda0`, `sigma`, `covariance`), NotSymmetricError('A' or
 * 'covariance'), NotPositiveDefiniteError('A' or 'covariance'), InvalidArgumentError(`sigma[k]`) for
 * σ_k ≤ 0, InvalidArgumentError('eta') for η ≤ 0, InvalidArgumentError('sigma') when neither or both of
 * `sigma` and `covariance` are given.
 * @see docs/math.md#s0-1 THM-3, #s2-4 S1, #pt-5; proofs/THM-3.md
 */
export function thm3Report(input: Thm3Input): Thm3Report {
  const q = parseQuadraticInner(input);
  const covariance = parsePerturbation(input, q.h);
  const eta = parseStepSize(input.eta);
  const d = deltaStnQuadratic(q, covariance);
  const r = responseRate(q.A, covariance, eta);
  const two = math.fraction(2);
  return {
    w0: d.general.map(toRationalString),
    Theta: d.response.map((row) => row.map(toRationalString)),
    converges: r.converges,
    rate: r.rate,
    rateInterval: { lo: toRationalString(r.rateInterval.lo), hi: toRationalString(r.rateInterval.hi) },
    stepBound: { lo: toRationalString(two.div(r.lambdaMax.hi)), hi: toRationalString(two.div(r.lambdaMax.lo)) },
  };
}

export function parsePerturbation(input: Thm3Input, h: number): RationalMatrix {
  const hasSigma = input.sigma !== undefined && input.sigma !== null;
  const hasCov = input.covariance !== undefined && input.covariance !== null;
  if (hasSigma && hasCov) throw new InvalidArgumentError('covariance', 'either sigma or covariance, not both', 'both');
  if (hasSigma) return covarianceFromScales(input.sigma as readonly RationalLike[], h);
  if (hasCov) return parseCovariance(input.covariance as RationalMatrixInput, h);
  throw new InvalidArgumentError('sigma', 'perturbation scales σ (or a covariance matrix)', 'neither');
}
