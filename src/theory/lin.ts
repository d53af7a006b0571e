/**
 * LIN: linearizing the network in the Δ-STN response step (docs/math.md#s0-1 row LIN, #s3-3, #s4-3, #pt-10,
 * PT-11; proof in `proofs/LIN.md`).
 *
 * @remarks
 * The statement is the project's reconstruction (docs/math.md#s0-1, tagged [R]), not the paper's wording. With
 * $\mathcal L_T(\lambda, w) = \mathbb E_x\,\ell(f(x; w, \lambda)) + R(\lambda, w)$ and $w_0 = w^*(\lambda_0)$ a non-degenerate
 * minimiser ($\nabla_w\mathcal L_T = 0$, $\nabla^2_w\mathcal L_T \succ 0$: the implicit function theorem needs the Hessian
 * invertible, a strict minimiser is not enough), the linearized response objective is
 * $F_{\rm lin}(\Theta) = \mathbb E_{\epsilon,x}\,\ell\big(f_0(\epsilon) + J(\epsilon)\Theta\epsilon\big) + \mathbb E_\epsilon R(\lambda_0+\epsilon, w_0+\Theta\epsilon)$,
 * with $f_0(\epsilon) = f(x; w_0, \lambda_0+\epsilon)$, $J(\epsilon) = \partial_w f(x; w_0, \lambda_0+\epsilon)$ and R **not** linearized
 * (docs/math.md#s3-3, last paragraph). Proposition L: (1) F_lin is convex in Θ for convex ℓ and R; (2) as σ → 0 its
 * minimiser tends to the Gauss–Newton IFT Jacobian $\Theta_{\rm GN} = -(G_w+\nabla^2_wR)^{-1}\nabla^2_{w\lambda}\mathcal L_T$, whose
 * cross derivative keeps the residual term $\mathbb E\sum_j(\nabla\ell)_j\nabla^2_{w\lambda}f_j$, while the non-linearized
 * Δ-STN tends to $J^* = -(\nabla^2_w\mathcal L_T)^{-1}\nabla^2_{w\lambda}\mathcal L_T$; (3) under quadratic ℓ, f₀ affine in ε, J
 * independent of ε and R ≡ 0 its minimiser equals $\Theta_{\rm GN}$ for every Σ ≻ 0, and equals J* only when the
 * residual-weighted curvature S satisfies $S\Theta_{\rm GN} = 0$ (e.g. zero residual); (4) with ℓ quadratic, weight
 * decay, scalar λ and a λ-free output, $\theta_{\rm lin}(\sigma) = -(G_w + (1+\sigma^2)c)^{-1}c\,w_0$, $c = e^{\lambda_0+\sigma^2/2}$
 * (with the logistic loss it is not: ./lin/loss.ts).
 *
 * The module works on the scalar toys of `./scalarToys.ts` (squared loss, so H_ℓ = 1 per example and
 * $G_w = \frac1n\sum_i(\partial_w r_i)^2$), on the vector toys of `./lin/vector.ts` (w ∈ ℝ^m, λ ∈ ℝ^h, including
 * tanh(x·w·e^λ), whose ∂²f/∂w∂λ ≠ 0), on the linear model with logistic loss of `./lin/loss.ts`, and on the PT-10
 * family in exact rational arithmetic. Cited as docs/math.md#s4-3 (Prop. L) and docs/math.md#s0-1 (row LIN).
 */
export * from './lin/math.js';
export * from './lin/claim.js';
export {
  bestResponseJacobianVec,
  bestResponseVec,
  deltaStnResponseVec,
  gaussNewtonIftJacobianVec,
  linearizedObjectiveVec,
  linearizedResponseVec,
  newtonMinimizeNd,
  preparedLinearizedObjectiveVec,
  responseObjectiveVec,
  tanhRegressionToy,
  trainLossVec,
  vectorTanhToy,
  type NewtonNdResult,
  type ResidualJetVec,
  type SecondOrderVectorToy,
  type TanhRegressionOptions,
  type TrainLossVec,
  type VectorToy,
} from './lin/vector.js';
export {
  LOGISTIC_L4_DATA,
  LOGISTIC_L4_REFERENCE,
  linearModelBestResponse,
  linearModelGaussNewton,
  linearModelLinearizedObjective,
  linearModelLinearizedResponse,
  linearModelProblem,
  linearModelTrainLoss,
  lossDerivatives,
  type LinearModelProblem,
  type ScalarLoss,
} from './lin/loss.js';
