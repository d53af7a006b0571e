/**
 * OBS-2: how an outer (hyperparameter) step interacts with the inner problem, uncentered vs centered.
 *
 * @remarks
 * The statement and its wording are the project's own (docs/math.md#s0-1 row OBS-2, "new; derive in proofs/"); no
 * text of the paper's Observation 2 was available, only Review 1's pointer to "the interactions between the
 * inner and outer optimization problems and their effect on uncentered parameterizations". Proof:
 * `proofs/OBS-2.md`.
 *
 * Uncentered hypernetwork ŵ_u(λ) = w₀ + Θλ. At the current λ the weights are w = ŵ_u(λ). The outer step
 * Δλ = −α Θᵀ∇_w L_V(w) moves them to ŵ_u(λ + Δλ) = w + ΘΔλ, so the training loss held at the pre-step λ
 * changes by −α ∇_w L_Tᵀ ΘΘᵀ ∇_w L_V + O(α²). Centered: ŵ_c(λ) = w₀ + Θ(λ − λ_c) with the centre λ_c moved
 * to the new λ, so the weights at the new centre are exactly w₀ — the outer step does not touch them.
 * Sign rule: the first-order change is a decrease iff ⟨Θᵀ∇L_T, Θᵀ∇L_V⟩ > 0. The raw ⟨∇L_T, ∇L_V⟩ has that sign for
 * every pair of gradients iff ΘΘᵀ = cI with c > 0 (possible only for h ≥ m; for m = 1 iff Θ ≠ 0). Late in training
 * (∇L_T = 0, Θ = J* = A⁻¹B) the uncentered step raises L_T at the pre-step λ by ½α²dᵀAd but lowers it, against the
 * centered weights, by the same amount at the new λ (docs/math.md#obs-2).
 *
 * Two settings: a quadratic one in exact rational arithmetic, where every loss change is a polynomial of
 * degree ≤ 2 in α and all statements are checked as identities; and L2-regularised logistic regression in
 * float64, checked against central finite differences.
 */
export * from './obs2/math.js';
export * from './obs2/claim.js';
