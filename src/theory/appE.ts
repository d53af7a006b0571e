/**
 * APP-E: the STN (joint) update leaves the general part w₀ biased, the Δ-STN general step does not
 * (docs/math.md#s0-1 row APP-E, #s4-2, #pt-6, PT-7, PT-9, PT-12; proof in `proofs/APP-E.md`).
 *
 * @remarks
 * The statement is the project's reconstruction (docs/math.md#s0-1, tagged [R]) of the paper's Appendix E, not its
 * wording: the STN fixed point satisfies $\mathbb E_\epsilon[\nabla_w\mathcal L_T(\lambda_0+\epsilon, w_0+\Theta\epsilon)] = 0$
 * instead of $\nabla_w\mathcal L_T(\lambda_0, w_0) = 0$, so when $\nabla_w\mathcal L_T$ is not affine in (λ, w)
 * (Proposition B) $w_0^{\rm STN} - w^*(\lambda_0) = -\tfrac12 H^{-1}\mathbb E[Q(\epsilon)] + O(\sigma^4)$, while the
 * Δ-STN general step minimises $\mathcal L_T(\lambda_0, \cdot)$ itself (unbiased) and never sees ε (zero variance).
 *
 * The worked example is weight decay, $\mathcal L_T = \tfrac12 w^\top A w - b^\top w + \tfrac12 e^\lambda\|w\|^2$, with
 * ε ∼ N(0, σ²) (h = 1) and $c = e^{\lambda_0+\sigma^2/2}$; the second is the sin toy $\tfrac12(w-\sin\lambda)^2$.
 * Every closed form is checked against an independent route: the stationarity conditions assembled by
 * Gauss–Hermite quadrature of the exact gradients and solved.
 *
 * Scaling: the STN unknowns are solved as (w₀, φ = σθ) (the θ-rows divided by σ), which keeps the system
 * well conditioned from σ = 1e-3 to σ = 2; the spec's 2m×2m system is the same system with rows and columns
 * rescaled.
 */
export * from './appE/math.js';
export * from './appE/claim.js';
export {
  bestResponse,
  bestResponseJacobian,
  propositionBBias,
  quarticDecayBiasScale,
  quarticDecayInnerProblem,
  secondDirectionalByFiniteDifferences,
  stnFixedPoint,
  type NewtonSolution,
  type NewtonSolveOptions,
  type PropositionBOptions,
  type QuarticDecayProblem,
  type SmoothInnerProblem,
  type StnFixedPoint,
  type StnFixedPointOptions,
} from './appE/general.js';
export { certifyPropositionBConstant, kEnclosure, nextDown, nextUp, ratioEnclosure, seriesEnclosure, type Interval, type PropositionBCertificate } from './appE/certified.js';

