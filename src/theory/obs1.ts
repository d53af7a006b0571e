/**
 * OBS-1: Gauss–Newton conditioning of the affine hypernetwork, centered against uncentered (docs/math.md#s0-1 row
 * OBS-1, docs/math.md#s4-1, docs/math.md#pt-1..PT-4; proof in `proofs/OBS-1.md`).
 *
 * @remarks
 * The statement is the project's reconstruction (docs/math.md#s0-1, tagged [R]), not the paper's wording:
 * with ŵ = w₀ + Θλ̃ and ψ = vec[w₀, Θ] (column-major), the Gauss–Newton Hessian of E_ε L_T is
 * $\mathbf G_\psi = \mathbf M\otimes\mathbf G_w$ when $\mathbf G_w$ does not vary with ε (J_f and H_ℓ evaluated at
 * (λ₀, w₀)), so $\kappa(\mathbf G_\psi)=\kappa(\mathbf M)\kappa(\mathbf G_w)$, and
 * $\kappa(\mathbf M_u)\ge\kappa(\mathbf M_c)$ for every λ̄ and Σ ≻ 0 (Proposition C).
 *
 * Everything that can be exact is exact (mathjs Fractions, inertia counts); float64 is used only where the
 * claim is about float64 (Jacobi eigenvalues, the h = 1 closed form, Gauss–Hermite, gradient descent), and
 * every float64 comparison cites a tolerance function from `../tolerance.ts`.
 */
export * from './obs1/math.js';
export * from './obs1/io.js';
export * from './obs1/claim.js';
export { type CertifiedBound } from '../linalg/outward.js';
