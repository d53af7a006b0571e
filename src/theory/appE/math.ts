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
import { InvalidArgumentError, NonFiniteError, ShapeMismatchError } from '../../errors.js';
import { choleskySolve, norm2, symmetricEigenvalues } from '../../linalg/dense.js';

import { gaussHermite } from '../../linalg/gaussHermite.js';
import { Rng } from '../../rng.js';

import { DEFAULT_NODES } from '../scalarToys.js';
import { type SmoothInnerProblem } from './general.js';

// ───────────────────────────────────────────── inputs ─────────────────────────────────────────────

/**
 * Largest perturbation scale the weight-decay routines accept. Why 4: c = e^{λ₀+σ²/2} must stay finite, and
 * the 80-node Gauss–Hermite rule must integrate e^{σz} to full precision (its error term is about
 * (σ²/2)^{80}/80! ≈ 1e-46 at σ = 4). Larger σ is rejected with an {@link InvalidArgumentError} naming `sigma`.
 */
export const APP_E_MAX_SCALE = 4;

/**
 * Largest σ of the claim's cases: the σ⁴ bound of the Prop. B check holds with constant K(σ²) + τ ≤ 0.55 up to
 * σ = 2, certified by {@link certifyPropositionBConstant} over s = σ² ∈ [0, 4] (`docs/math.md#s4-2`;
 * `proofs/APP-E.md`, step B4).
 */
export const APP_E_CLAIM_MAX_SCALE = 2;

/**
 * The slack τ of the certified B4 constant: $\sup_{u\in[0,1]}R(u,s) \le K(s) + \tau$ for all s ∈ [0, 4]
 * ({@link certifyPropositionBConstant}; a reference check re-runs the certificate).
 */
export const APP_E_B4_TAU = 1e-3;

/**
 * $e^y - 1 - y$ without cancellation (`y` = y): the power series $\sum_{k\ge2}y^k/k!$ for |y| < 1/2 (summed until
 * the terms stop changing the sum), `expm1(y) − y` otherwise (then |e^y − 1 − y| ≥ 0.10|y|, so the subtraction
 * loses less than one digit). Used for the sin toy's remainder $e^{-x} - 1 + x$ and weight decay's
 * $e^{s/2} - 1 - s/2$ (`docs/math.md#s4-2`; `proofs/APP-E.md`, steps S3 and B4).
 * @throws NonFiniteError naming `y`.
 */
export function expm1MinusLinear(y: number): number {
  assertFiniteNumber(y, 'y');
  if (Math.abs(y) >= 0.5) return Math.expm1(y) - y;
  let term = (y * y) / 2;
  let sum = 0;
  for (let k = 3; k < 40 && sum + term !== sum; k++) {
    sum += term;
    term *= y / k;
  }
  return sum;
}

/** A weight-decay problem $\mathcal L_T = \tfrac12 w^\top A w - b^\top w + \tfrac12 e^\lambda\|w\|^2$ (A ≻ 0, m×m). */
export interface WeightDecayProblem {
  A: number[][];
  b: number[];
}

export function assertFiniteNumber(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new NonFiniteError(name, x);
}

export function assertScale(sigma: number, max = APP_E_MAX_SCALE): void {
  assertFiniteNumber(sigma, 'sigma');
  if (!(sigma > 0) || sigma > max) {
    throw new InvalidArgumentError('sigma', `0 < σ ≤ ${max} (beyond it e^{λ0+σ²/2} overflows or the 80-node quadrature of e^{σz} loses accuracy)`, sigma);
  }
}

/** Validates A (square, symmetric, positive definite, finite) and b (length m, finite). */
export function validate(p: WeightDecayProblem): number {
  const { A, b } = p;
  if (!Array.isArray(A) || A.length === 0) throw new ShapeMismatchError('A', 'a non-empty square matrix', Array.isArray(A) ? '0×0' : typeof A);
  const m = A.length;
  for (let i = 0; i < m; i++) {
    if (!Array.isArray(A[i]) || A[i].length !== m) throw new ShapeMismatchError('A', `${m}×${m}`, `row ${i} of length ${Array.isArray(A[i]) ? A[i].length : '?'}`);
    for (let j = 0; j < m; j++) assertFiniteNumber(A[i][j], `A[${i}][${j}]`);
  }
  if (!Array.isArray(b) || b.length !== m) throw new ShapeMismatchError('b', `a vector of length ${m}`, Array.isArray(b) ? `length ${b.length}` : typeof b);
  b.forEach((v, i) => assertFiniteNumber(v, `b[${i}]`));
  // Cholesky of A itself: throws NotSymmetricError / NotPositiveDefiniteError naming `A`.
  choleskySolve(A, new Array<number>(m).fill(0), 'A');
  return m;
}

export function shifted(A: readonly (readonly number[])[], shift: number): number[][] {
  return A.map((row, i) => row.map((v, j) => (i === j ? v + shift : v)));
}

export function solve(a: number[][], rhs: readonly number[], name: string): number[] {
  return choleskySolve(a, rhs, name).to1DArray();
}

export function matVec(a: readonly (readonly number[])[], v: readonly number[]): number[] {
  return a.map((row) => row.reduce((s, x, k) => s + x * v[k], 0));
}

export function axpy(alpha: number, x: readonly number[], y: readonly number[]): number[] {
  return y.map((v, i) => v + alpha * x[i]);
}

export function sub(x: readonly number[], y: readonly number[]): number[] {
  return x.map((v, i) => v - y[i]);
}

// ─────────────────────────────────────── weight-decay closed forms ───────────────────────────────────────

/**
 * Best response of the weight-decay problem, $w^*(\lambda) = (A + e^\lambda I)^{-1} b$ (`lambda` = λ).
 * @throws NotPositiveDefiniteError naming `A`, ShapeMismatchError naming `b`, NonFiniteError.
 * @see docs/math.md#s4-2
 */
export function weightDecayBestResponse(problem: WeightDecayProblem, lambda: number): number[] {
  validate(problem);
  assertFiniteNumber(lambda, 'lambda');
  return solve(shifted(problem.A, Math.exp(lambda)), problem.b, 'A');
}

/**
 * Best-response Jacobian by the IFT, $J^* = -(A + e^{\lambda_0}I)^{-1} e^{\lambda_0} w^*(\lambda_0)$.
 * @see docs/math.md#s4-2 ("True Jacobian")
 */
export function weightDecayBestResponseJacobian(problem: WeightDecayProblem, lambda0: number): number[] {
  const w = weightDecayBestResponse(problem, lambda0);
  const d = Math.exp(lambda0);
  return solve(shifted(problem.A, d), w, 'A').map((v) => -d * v);
}

/** General part w₀ and response θ (h = 1, so Θ is a column θ ∈ ℝ^m) of a hypernetwork ŵ(λ₀+ε) = w₀ + θε. */
export interface GeneralResponseVec {
  general: number[];
  response: number[];
}

/**
 * STN (joint) fixed point for weight decay, closed form: the solution of
 * $\begin{pmatrix}A+cI&\sigma^2cI\\\sigma^2cI&\sigma^2A+(\sigma^2+\sigma^4)cI\end{pmatrix}\begin{pmatrix}w_0\\\theta\end{pmatrix}=\begin{pmatrix}b\\0\end{pmatrix}$,
 * $c = e^{\lambda_0+\sigma^2/2}$ (`lambda0` = λ₀, `sigma` = σ). Solved as the equivalent symmetric system in
 * (w₀, φ = σθ): $\begin{pmatrix}A+cI&\sigma cI\\\sigma cI&A+(1+\sigma^2)cI\end{pmatrix}$. The moments used are
 * $\mathbb E e^{\lambda_0+\epsilon}=c$, $\mathbb E[\epsilon e^{\lambda_0+\epsilon}]=\sigma^2c$, $\mathbb E[\epsilon^2e^{\lambda_0+\epsilon}]=(\sigma^2+\sigma^4)c$.
 * @throws InvalidArgumentError naming `sigma` unless 0 < σ ≤ {@link APP_E_MAX_SCALE}.
 * @see docs/math.md#s4-2 ("STN (centered, joint)"), #pt-6
 */
export function weightDecayStn(problem: WeightDecayProblem, lambda0: number, sigma: number): GeneralResponseVec {
  const m = validate(problem);
  assertFiniteNumber(lambda0, 'lambda0');
  assertScale(sigma);
  const c = Math.exp(lambda0 + (sigma * sigma) / 2);
  const k = stnScaledSystem(problem.A, c, sigma);
  const x = solve(k, [...problem.b, ...new Array<number>(m).fill(0)], 'A');
  return { general: x.slice(0, m), response: x.slice(m).map((v) => v / sigma) };
}

export function stnScaledSystem(A: readonly (readonly number[])[], c: number, sigma: number): number[][] {
  const m = A.length;
  const k: number[][] = Array.from({ length: 2 * m }, () => new Array<number>(2 * m).fill(0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      k[i][j] = A[i][j];
      k[m + i][m + j] = A[i][j];
    }
    k[i][i] += c;
    k[m + i][m + i] += (1 + sigma * sigma) * c;
    k[i][m + i] = k[m + i][i] = sigma * c;
  }
  return k;
}

/**
 * The STN joint stationarity system in (w₀, φ = σθ) assembled by Gauss–Hermite quadrature of the exact
 * gradient: with z = ε/σ, $\nabla_w\mathcal L_T = (A + e^{\lambda_0+\sigma z}I)(w_0 + \varphi z) - b$, so
 * $\mathbb E[(1,z)^\top\otimes\nabla_w\mathcal L_T] = K\,(w_0;\varphi) - r$ with
 * $K = \mathbb E\big[\begin{pmatrix}1&z\\z&z^2\end{pmatrix}\otimes(A+e^{\lambda_0+\sigma z}I)\big]$, $r = \mathbb E[(1,z)^\top\otimes b]$.
 * Returns K (2m×2m, symmetric positive definite) and r. No closed-form moment is used.
 */
export function weightDecayStnSystemByQuadrature(problem: WeightDecayProblem, lambda0: number, sigma: number, nodes = DEFAULT_NODES): { matrix: number[][]; rhs: number[] } {
  const m = validate(problem);
  assertFiniteNumber(lambda0, 'lambda0');
  assertScale(sigma);
  const rule = gaussHermite(nodes);
  const { A, b } = problem;
  const k: number[][] = Array.from({ length: 2 * m }, () => new Array<number>(2 * m).fill(0));
  const r = new Array<number>(2 * m).fill(0);
  for (let q = 0; q < nodes; q++) {
    const z = rule.nodes[q];
    const wq = rule.weights[q];
    const e = Math.exp(lambda0 + sigma * z);
    const mom = [wq, wq * z, wq * z * z];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const v = A[i][j] + (i === j ? e : 0);
        k[i][j] += mom[0] * v;
        k[i][m + j] += mom[1] * v;
        k[m + i][m + j] += mom[2] * v;
      }
      r[i] += mom[0] * b[i];
      r[m + i] += mom[1] * b[i];
    }
  }
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) k[m + j][i] = k[i][m + j];
  return { matrix: k, rhs: r };
}

/** STN fixed point by quadrature (independent of {@link weightDecayStn}): solves K(w₀; φ) = r, θ = φ/σ. */
export function weightDecayStnByQuadrature(problem: WeightDecayProblem, lambda0: number, sigma: number, nodes = DEFAULT_NODES): GeneralResponseVec {
  const m = problem.A.length;
  const { matrix, rhs } = weightDecayStnSystemByQuadrature(problem, lambda0, sigma, nodes);
  const x = solve(matrix, rhs, 'A');
  return { general: x.slice(0, m), response: x.slice(m).map((v) => v / sigma) };
}

/**
 * Δ-STN fixed point for weight decay, closed form: general step $w_0 = (A+e^{\lambda_0}I)^{-1}b = w^*(\lambda_0)$
 * exactly; response step $\theta = -(A + (1+\sigma^2)c\,I)^{-1} c\,w_0$, $c = e^{\lambda_0+\sigma^2/2}$.
 * @see docs/math.md#s3-2, #s4-2 ("Δ-STN"), #pt-6
 */
export function weightDecayDeltaStn(problem: WeightDecayProblem, lambda0: number, sigma: number): GeneralResponseVec {
  validate(problem);
  assertFiniteNumber(lambda0, 'lambda0');
  assertScale(sigma);
  const general = weightDecayBestResponse(problem, lambda0);
  const c = Math.exp(lambda0 + (sigma * sigma) / 2);
  const response = solve(shifted(problem.A, (1 + sigma * sigma) * c), general, 'A').map((v) => -c * v);
  return { general, response };
}

/**
 * Δ-STN response by quadrature, given the general part `general` = w₀: the response stationarity
 * $\mathbb E[z\,\nabla_w\mathcal L_T(\lambda_0+\sigma z, w_0+\varphi z)] = 0$ is linear in φ = σθ,
 * $\mathbb E[z^2(A+e^{\lambda_0+\sigma z}I)]\varphi = -\mathbb E[z(A+e^{\lambda_0+\sigma z}I)]w_0 + \mathbb E[z]\,b$,
 * assembled by Gauss–Hermite and solved; returns θ = φ/σ.
 */
export function weightDecayDeltaStnResponseByQuadrature(problem: WeightDecayProblem, lambda0: number, sigma: number, general: readonly number[], nodes = DEFAULT_NODES): number[] {
  const m = validate(problem);
  assertScale(sigma);
  if (general.length !== m) throw new ShapeMismatchError('general', `length ${m}`, `length ${general.length}`);
  const rule = gaussHermite(nodes);
  const { A, b } = problem;
  const k2: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const k1: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  let ez = 0;
  for (let q = 0; q < nodes; q++) {
    const z = rule.nodes[q];
    const wq = rule.weights[q];
    const e = Math.exp(lambda0 + sigma * z);
    ez += wq * z;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const v = A[i][j] + (i === j ? e : 0);
        k1[i][j] += wq * z * v;
        k2[i][j] += wq * z * z * v;
      }
    }
  }
  const rhs = matVec(k1, general).map((v, i) => -v + ez * b[i]);
  return solve(k2, rhs, 'A').map((v) => v / sigma);
}

/**
 * The STN bias $\delta = w_0^{\rm STN} - w^*(\lambda_0)$ for weight decay, without the cancellation of the
 * subtraction: eliminating θ from the STN system gives
 * $\delta = -(A+e^{\lambda_0}I)^{-1}\big[e^{\lambda_0}\,\mathrm{expm1}(\sigma^2/2)\,w_0 - \sigma^2c^2(A+(1+\sigma^2)cI)^{-1}w_0\big]$
 * with $w_0 = w_0^{\rm STN}$ (derivation in `proofs/APP-E.md`, step W3).
 */
export function weightDecayStnBias(problem: WeightDecayProblem, lambda0: number, sigma: number): number[] {
  const w0 = weightDecayStn(problem, lambda0, sigma).general;
  const d = Math.exp(lambda0);
  const s = sigma * sigma;
  const c = Math.exp(lambda0 + s / 2);
  const kw = solve(shifted(problem.A, (1 + s) * c), w0, 'A');
  const bracket = w0.map((v, i) => d * Math.expm1(s / 2) * v - s * c * c * kw[i]);
  return solve(shifted(problem.A, d), bracket, 'A').map((v) => -v);
}

/**
 * The remainder of Proposition B for weight decay, $r = \delta - \text{approx}$ with δ the STN bias
 * ({@link weightDecayStnBias}) and approx = {@link weightDecayPropositionB}, computed without the cancellation
 * of the subtraction (both are O(σ²), r is O(σ⁴)): with $H = A + dI$, $M = A + (1+s)cI$, $d = e^{\lambda_0}$,
 * $s = \sigma^2$, $c = de^{s/2}$, $m_1 = \mathrm{expm1}(s/2)$,
 * $$r = -H^{-1}\big[d\,(e^{s/2}-1-\tfrac s2)\,w^* + d\,m_1\,\delta - sc^2M^{-1}\delta - sd^2\,\mathrm{expm1}(s)\,M^{-1}w^*
 *   + sd^3(m_1 + se^{s/2})\,M^{-1}H^{-1}w^*\big],$$
 * every term O(s²) and computed to relative accuracy (`proofs/APP-E.md`, step B4; `docs/math.md#s4-2`).
 * `lambda0` = λ₀, `sigma` = σ.
 * @throws InvalidArgumentError naming `sigma` unless 0 < σ ≤ {@link APP_E_MAX_SCALE}.
 */
export function weightDecayPropositionBRemainder(problem: WeightDecayProblem, lambda0: number, sigma: number): number[] {
  const delta = weightDecayStnBias(problem, lambda0, sigma);
  const w = weightDecayBestResponse(problem, lambda0);
  const d = Math.exp(lambda0);
  const s = sigma * sigma;
  const c = Math.exp(lambda0 + s / 2);
  const m1 = Math.expm1(s / 2);
  const hmat = shifted(problem.A, d);
  const mmat = shifted(problem.A, (1 + s) * c);
  const mDelta = solve(mmat, delta, 'A');
  const mW = solve(mmat, w, 'A');
  const mhW = solve(mmat, solve(hmat, w, 'A'), 'A');
  const phi = expm1MinusLinear(s / 2);
  const e1 = Math.expm1(s);
  const k5 = s * d * d * d * (m1 + s * Math.exp(s / 2));
  const bracket = w.map((wi, i) => d * phi * wi + d * m1 * delta[i] - s * c * c * mDelta[i] - s * d * d * e1 * mW[i] + k5 * mhW[i]);
  return solve(hmat, bracket, 'A').map((v) => -v);
}

/**
 * Proposition B for weight decay: $\delta \approx -\tfrac12(A+e^{\lambda_0}I)^{-1}\sigma^2e^{\lambda_0}(w^*+2J^*)$, since here
 * $Q(\epsilon) = \epsilon^2 e^{\lambda_0}(w^* + 2J^*)$ and $H = A + e^{\lambda_0}I$.
 * @see docs/math.md#s4-2 ("Here Prop. B reads"), #pt-7
 */
export function weightDecayPropositionB(problem: WeightDecayProblem, lambda0: number, sigma: number): number[] {
  assertScale(sigma);
  const w = weightDecayBestResponse(problem, lambda0);
  const j = weightDecayBestResponseJacobian(problem, lambda0);
  const d = Math.exp(lambda0);
  const q = w.map((v, i) => sigma * sigma * d * (v + 2 * j[i]));
  return solve(shifted(problem.A, d), q, 'A').map((v) => -0.5 * v);
}

// ─────────────────────────────────────── Proposition B, general ───────────────────────────────────────
// The general routines (any h, m) live in ./general.ts; src/theory/appE.ts re-exports them.

/** The weight-decay problem as a {@link SmoothInnerProblem} (h = 1), with the analytic second directional derivative. */
export function weightDecayInnerProblem(problem: WeightDecayProblem): SmoothInnerProblem {
  const m = validate(problem);
  const { A, b } = problem;
  return {
    weights: m,
    hypers: 1,
    gradW: (lambda, w) => sub(axpy(Math.exp(lambda[0]), w, matVec(A, w)), b),
    hessW: (lambda) => shifted(A, Math.exp(lambda[0])),
    // d²/dt² [(A + e^{λ+t dλ})(w + t dw) − b] = e^λ (dλ² w + 2 dλ dw).
    secondDirectional: (lambda, w, dl, dw) => w.map((v, i) => Math.exp(lambda[0]) * (dl[0] * dl[0] * v + 2 * dl[0] * dw[i])),
  };
}

/** The sin toy $\tfrac12(w-\sin\lambda)^2$ as a {@link SmoothInnerProblem} (m = h = 1). */
export function sinInnerProblem(): SmoothInnerProblem {
  return {
    weights: 1,
    hypers: 1,
    gradW: (lambda, w) => [w[0] - Math.sin(lambda[0])],
    hessW: () => [[1]],
    secondDirectional: (lambda, _w, dl) => [Math.sin(lambda[0]) * dl[0] * dl[0]],
  };
}

// ─────────────────────────────────────────────── sin toy ───────────────────────────────────────────────

/**
 * Sin toy closed forms (docs/math.md#s4-2 table): STN $w_0 = \sin\lambda_0 e^{-\sigma^2/2}$, $\theta = \cos\lambda_0 e^{-\sigma^2/2}$;
 * Δ-STN $w_0 = \sin\lambda_0$ (exact), $\theta = \mathbb E[\cos(\lambda_0+\epsilon)] = \cos\lambda_0 e^{-\sigma^2/2}$ (Stein's lemma).
 * @see docs/math.md#s4-2, #pt-9
 */
export function sinToyClosedForms(lambda0: number, sigma: number): { stn: { general: number; response: number }; deltaStn: { general: number; response: number }; bestResponseJacobian: number } {
  assertFiniteNumber(lambda0, 'lambda0');
  assertFiniteNumber(sigma, 'sigma');
  if (!(sigma > 0)) throw new InvalidArgumentError('sigma', 'σ > 0', sigma);
  const damp = Math.exp((-sigma * sigma) / 2);
  return {
    stn: { general: Math.sin(lambda0) * damp, response: Math.cos(lambda0) * damp },
    deltaStn: { general: Math.sin(lambda0), response: Math.cos(lambda0) * damp },
    bestResponseJacobian: Math.cos(lambda0),
  };
}

// ─────────────────────────────────────── gradient descent (STN) ───────────────────────────────────────

/** Result of {@link weightDecayStnGradientDescent}. */
export interface StnDescentResult {
  /** final (w₀, θ) */
  final: GeneralResponseVec;
  /** ‖w₀ − w*(λ₀)‖ after each iteration (index k = after k+1 steps) */
  distanceToBestResponse: number[];
  /** ‖(w₀, σθ) − (w₀, σθ)^STN‖ after each iteration */
  distanceToStn: number[];
  /** contraction factor ρ = 1 − λ_min(K)/λ_max(K) of the iteration map */
  contraction: number;
}

/**
 * Gradient descent on the STN joint objective with fixed σ and exact expectations (Gauss–Hermite), in the
 * scaled coordinates ψ = (w₀, σθ): ψ ← ψ − η(Kψ − r) with K, r from {@link weightDecayStnSystemByQuadrature}
 * and η = 1/λ_max(K). It contracts at rate ρ = 1 − λ_min/λ_max towards the STN point, not towards w*(λ₀):
 * the distance of w₀ to w* tends to ‖δ‖ > 0 and does not shrink with more iterations. Starts from `start`
 * (default: the correct answer (w*, J*), to show that STN moves away from it).
 * @see docs/math.md#s4-2 ("Doesn't converge to the correct solution")
 */
export function weightDecayStnGradientDescent(
  problem: WeightDecayProblem,
  lambda0: number,
  sigma: number,
  iterations: number,
  start?: GeneralResponseVec,
  nodes = DEFAULT_NODES,
): StnDescentResult {
  const m = validate(problem);
  if (!Number.isInteger(iterations) || iterations < 1) throw new InvalidArgumentError('iterations', 'an integer ≥ 1', iterations);
  const { matrix: k, rhs } = weightDecayStnSystemByQuadrature(problem, lambda0, sigma, nodes);
  const ev = symmetricEigenvalues(k);
  const lmin = ev[0];
  const lmax = ev[ev.length - 1];
  const eta = 1 / lmax;
  const wStar = weightDecayBestResponse(problem, lambda0);
  const s0 = start ?? { general: wStar, response: weightDecayBestResponseJacobian(problem, lambda0) };
  let psi = [...s0.general, ...s0.response.map((v) => sigma * v)];
  const stn = weightDecayStn(problem, lambda0, sigma);
  const psiStn = [...stn.general, ...stn.response.map((v) => sigma * v)];
  const toW: number[] = [];
  const toStn: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const grad = sub(matVec(k, psi), rhs);
    psi = axpy(-eta, grad, psi);
    toW.push(norm2(sub(psi.slice(0, m), wStar)));
    toStn.push(norm2(sub(psi, psiStn)));
  }
  return {
    final: { general: psi.slice(0, m), response: psi.slice(m).map((v) => v / sigma) },
    distanceToBestResponse: toW,
    distanceToStn: toStn,
    contraction: 1 - lmin / lmax,
  };
}

// ─────────────────────────────────────── zero variance (PT-12) ───────────────────────────────────────

/**
 * Gradient w.r.t. w₀ of the Δ-STN general step on one minibatch with data term ½wᵀAw − bᵀw (A = XᵀX/n,
 * b = Xᵀy/n): the forward pass uses h_net = 0, so the weights are w₀ and the regularizer is at λ₀:
 * $\nabla_{w_0} = (A + e^{\lambda_0}I)w_0 - b$. `response` (θ) and `perturbation` (ε) are accepted because
 * the training step draws them, and deliberately not used: the general step never sees ε. So its zero variance
 * holds by construction (`proofs/APP-E.md`, V1); the claim checks its value against a central difference instead.
 * @see docs/math.md#s3-2 (general step), #pt-12
 */
export function deltaStnGeneralGradient(problem: WeightDecayProblem, lambda0: number, general: readonly number[], _response: readonly number[], _perturbation: number): number[] {
  const { A, b } = problem;
  return sub(axpy(Math.exp(lambda0), general, matVec(A, general)), b);
}

/**
 * Gradient w.r.t. w₀ of the STN (joint) step on one minibatch for one draw ε = `perturbation`:
 * $\nabla_{w_0}\mathcal L_T(\lambda_0+\epsilon, w_0+\theta\epsilon) = (A + e^{\lambda_0+\epsilon}I)(w_0+\theta\epsilon) - b$.
 * @see docs/math.md#s2-2, #s4-2 ("Variance"), #pt-12
 */
export function stnGeneralGradient(problem: WeightDecayProblem, lambda0: number, general: readonly number[], response: readonly number[], perturbation: number): number[] {
  const { A, b } = problem;
  const w = axpy(perturbation, response, general);
  return sub(axpy(Math.exp(lambda0 + perturbation), w, matVec(A, w)), b);
}

/** Result of {@link generalGradientVariance}. */
export interface GradientVarianceResult {
  /** every Δ-STN gradient bitwise equal to the first (Object.is on each entry) */
  deltaStnIdentical: boolean;
  /** trace of the sample covariance of the Δ-STN gradients */
  deltaStnVariance: number;
  /** trace of the sample covariance of the STN gradients */
  stnVariance: number;
}

/**
 * PT-12: draws `draws` perturbations ε = σ·N(0, 1) from `rng` and evaluates both general gradients, Δ-STN at
 * `deltaStn` and STN at `stn`. The Δ-STN ones must be bitwise identical; the STN ones have positive
 * variance whenever b ≠ 0 (then (A + e^{λ₀+ε})(w₀ + θε) − b cannot be constant in ε, since 1, ε, e^ε, εe^ε
 * are linearly independent functions).
 * @see docs/math.md#pt-12
 */
export function generalGradientVariance(problem: WeightDecayProblem, lambda0: number, sigma: number, deltaStn: GeneralResponseVec, stn: GeneralResponseVec, rng: Rng, draws = 100): GradientVarianceResult {
  const gd: number[][] = [];
  const gs: number[][] = [];
  for (let k = 0; k < draws; k++) {
    const eps = sigma * rng.normal();
    gd.push(deltaStnGeneralGradient(problem, lambda0, deltaStn.general, deltaStn.response, eps));
    gs.push(stnGeneralGradient(problem, lambda0, stn.general, stn.response, eps));
  }
  const identical = gd.every((g) => g.every((v, i) => Object.is(v, gd[0][i])));
  return { deltaStnIdentical: identical, deltaStnVariance: traceVariance(gd), stnVariance: traceVariance(gs) };
}

export function traceVariance(samples: number[][]): number {
  const n = samples.length;
  const m = samples[0].length;
  let t = 0;
  for (let i = 0; i < m; i++) {
    let mean = 0;
    for (const s of samples) mean += s[i];
    mean /= n;
    for (const s of samples) t += (s[i] - mean) ** 2;
  }
  return t / (n - 1);
}
