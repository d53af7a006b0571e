/**
 * THM-3: on a quadratic inner problem the Δ-STN fixed point is the exact best response and its Jacobian,
 * for every perturbation covariance Σ ≻ 0, and gradient descent on the response converges iff
 * 0 < η < 2/λ_max(Σ ⊗ A), at rate max_i |1 − η λ_i(Σ ⊗ A)|.
 *
 * @remarks
 * The statement's wording is the project's, reconstructed (docs/math.md#s0-1 row THM-3, tagged [R]); the paper's
 * Theorem 3 text was not available. Proof and the map from proof steps to checks: `proofs/THM-3.md`.
 *
 * Inner objective (docs/math.md#s2-4 S1): L_T(λ, w) = ½ wᵀ A w − wᵀ (b + B λ), A ≻ 0 (m×m), B (m×h), b ∈ ℚ^m.
 * Δ-STN (docs/math.md#s3-2): general step w₀ = argmin_w L_T(λ₀, w); response step
 * Θ = argmin_Θ E_{ε∼N(0,Σ)} L_T(λ₀ + ε, w₀ + Θ ε). Everything is exact rational arithmetic except the float64
 * rate and the float64 gradient-descent run that checks it.
 */
export * from './thm3/math.js';
export * from './thm3/io.js';
export * from './thm3/claim.js';
