/**
 * A bilevel problem in float64, small enough to be solved exactly or nearly so:
 *
 * $$\lambda^* = \arg\min_\lambda \mathcal L_V(\lambda, w^*(\lambda)),\qquad w^*(\lambda) = \arg\min_w \mathcal L_T(\lambda, w).$$
 *
 * A problem supplies both objectives with the derivatives the methods need: ∇_w, ∇²_ww and the mixed
 * ∂²/∂w∂λ of L_T (for IFT and unrolling), ∂_λ L_T (for OBS-2's interaction), ∇_w L_V and the direct term
 * ∂_λ L_V (zero for regularization hyperparameters, docs/math.md#s1-2). For the linearized Δ-STN a problem may also
 * expose its Gauss–Newton structure L_T = (1/n)Σ_i ℓ(f_i(λ, w)) + R(λ, w) ({@link OutputStructure}).
 *
 * A user adds a family by implementing this interface; `checkDerivatives` (./derivatives.ts) compares every
 * derivative with central finite differences.
 *
 * @see docs/math.md#s1-1–#s1-2
 */

/** What kind of hyperparameter λ_k is: decides which methods can tune it (README capability matrix). */
export type HyperKind =
  /** a continuous hyperparameter of L_T (weight decay, a data-term weight): L_T is smooth in λ. */
  | 'loss-continuous'
  /** a stochastic regularizer (dropout rate, augmentation strength): L_T is an expectation over noise. */
  | 'stochastic'
  /** an integer hyperparameter (cutout holes, width): L_T is only defined on a lattice. */
  | 'discrete'
  /** an optimizer setting (learning rate, momentum): it does not appear in L_T at all. */
  | 'optimization'
  /** a hyperparameter that enters L_V directly (architecture weights): ∂_λ L_V ≠ 0. */
  | 'direct';

/** One hyperparameter: its name, kind and a human-readable note on the transform it uses. */
export interface HyperparameterSpec {
  name: string;
  kind: HyperKind;
  /** e.g. "λ = log weight decay (unconstrained)". */
  transform?: string;
}

/**
 * Gauss–Newton structure of the training loss: $\mathcal L_T(\lambda, w) = \ell(f(\lambda, w)) + R(\lambda, w)$ with
 * f ∈ ℝ^p the stacked outputs (or residuals) and ℓ convex. The linearized Δ-STN replaces f(λ0+ε, w0+Θε) by
 * f(λ0+ε, w0) + J_w f(λ0+ε, w0)·Θε and keeps R exact (docs/math.md#s3-3, #s4-3).
 */
export interface OutputStructure {
  /** f(λ, w) ∈ ℝ^p. */
  outputs(lambda: readonly number[], w: readonly number[]): number[];
  /** ∂f/∂w (p×m). */
  outputJacobian(lambda: readonly number[], w: readonly number[]): number[][];
  /** ℓ(f) and its gradient and Hessian in f. */
  loss(f: readonly number[]): number;
  lossGrad(f: readonly number[]): number[];
  lossHessian(f: readonly number[]): number[][];
  /** R(λ, w) with its gradient and Hessian in w (identically zero when absent). */
  regularizer(lambda: readonly number[], w: readonly number[]): number;
  regularizerGrad(lambda: readonly number[], w: readonly number[]): number[];
  regularizerHessian(lambda: readonly number[], w: readonly number[]): number[][];
}

/** A bilevel problem with analytic derivatives (float64). Dimensions: w ∈ ℝ^m (`weightDim`), λ ∈ ℝ^h (`hyperDim`). */
export interface BilevelProblem {
  readonly name: string;
  readonly weightDim: number;
  readonly hyperDim: number;
  readonly hypers: readonly HyperparameterSpec[];
  /** L_T(λ, w). */
  trainLoss(lambda: readonly number[], w: readonly number[]): number;
  /** ∇_w L_T (m). */
  trainGrad(lambda: readonly number[], w: readonly number[]): number[];
  /** ∇²_ww L_T (m×m). */
  trainHessian(lambda: readonly number[], w: readonly number[]): number[][];
  /** ∂²L_T/∂w∂λ (m×h): column k is ∂(∇_w L_T)/∂λ_k. */
  trainMixed(lambda: readonly number[], w: readonly number[]): number[][];
  /** ∂L_T/∂λ (h). */
  trainGradHyper(lambda: readonly number[], w: readonly number[]): number[];
  /** L_V(λ, w). */
  valLoss(lambda: readonly number[], w: readonly number[]): number;
  /** ∇_w L_V (m). */
  valGrad(lambda: readonly number[], w: readonly number[]): number[];
  /** The direct term ∂L_V/∂λ (h); zeros for regularization hyperparameters. */
  valGradHyper(lambda: readonly number[], w: readonly number[]): number[];
  /** A starting point for inner solvers (deterministic). */
  initialWeights(): number[];
  /** Present when L_T has the Gauss–Newton structure the linearized Δ-STN needs. */
  readonly outputStructure?: OutputStructure;
}
